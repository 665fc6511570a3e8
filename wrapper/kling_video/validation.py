"""Turn the keyword arguments of a create call into the request body, or say everything wrong with them.

Every rule of kling-api.md is checked before a request leaves, because a rejected request costs a
round trip and a wrongly accepted one costs money. All problems are collected and raised together
in one ``ValidationError``, so the caller fixes them in one go. Pure functions, no I/O: the sync
and async clients share this module.

The order of work: each argument is checked and normalised on its own (``_check_*``), then the
rules that tie arguments together, then the model's row of ``model_table``.
"""

from __future__ import annotations

import logging
import math
import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

import attrs
from kling_video_api.models import Text2VideoRequest
from kling_video_api.types import UNSET

from kling_video import _constants as C
from kling_video.camera import CameraControl
from kling_video.errors import Problem, ValidationError
from kling_video.model_table import MODELS, Limits, ModelCapabilities, capabilities, default_multi_shot_model
from kling_video.shot import Shot

__all__ = ["build_create_request"]

logger = logging.getLogger(C.LOGGER_NAME)

_DIGITS = re.compile(r"[0-9]+")
_MAX_DIGITS = 100  # longer strings of digits are refused before int(), which caps the length it parses


class _Problems(list[Problem]):
    """The problems found so far; ``add`` keeps each finding to one line in the rules."""

    def add(self, field: str, rule: str, message: str) -> None:
        self.append(Problem(field, rule, message))


def build_create_request(
    *,
    prompt: object = None,
    shots: object = None,
    model_name: object = None,
    negative_prompt: object = None,
    cfg_scale: object = None,
    mode: object = None,
    sound: object = None,
    aspect_ratio: object = None,
    duration: object = None,
    camera_control: object = None,
    watermark: object = None,
    callback_url: object = None,
    external_task_id: object = None,
    multi_shot: object = None,
    shot_type: object = None,
    extra_body: object = None,
) -> Text2VideoRequest:
    """The validated create request, defaults filled in; ``.to_dict()`` is the JSON body.

    Arguments are typed ``object`` on purpose: callers pass whatever they have, and a wrong type
    is a problem of the request (rule "type") like any other, never a TypeError. ``None`` means
    "not given". ``extra_body`` is laid over the body last and sent as it is, unchecked: the
    escape hatch for fields this package does not know yet.

    Raises ValidationError listing every problem, each named by its API field.
    """
    problems = _Problems()

    # 1. each argument on its own
    prompt_text = _check_text(problems, "prompt", prompt, C.MAX_PROMPT_LENGTH)
    negative_text = _check_text(problems, "negative_prompt", negative_prompt, C.MAX_NEGATIVE_PROMPT_LENGTH)
    name = _check_model_name(problems, model_name)
    cfg = _check_cfg_scale(problems, cfg_scale)
    mode_value = _check_enum(problems, "mode", C.DEFAULT_MODE if mode is None else mode, C.MODES)
    sound_value = _check_enum(problems, "sound", sound, C.SOUND_VALUES)
    ratio = _check_enum(
        problems,
        "aspect_ratio",
        C.DEFAULT_ASPECT_RATIO if aspect_ratio is None else aspect_ratio,
        C.ASPECT_RATIOS,
    )
    seconds = _check_seconds(problems, "duration", duration)
    camera = _check_camera_control(problems, camera_control)
    watermark_on = _check_bool(problems, "watermark", watermark)
    callback = _check_callback_url(problems, callback_url)
    external_id = _check_external_task_id(problems, external_task_id)
    multi_shot_flag = _check_bool(problems, "multi_shot", multi_shot)
    shot_kind = _check_enum(problems, "shot_type", shot_type, C.SHOT_TYPES)
    shot_list = _check_shots(problems, shots)
    extra = _check_extra_body(problems, extra_body)

    # 2. rules that tie arguments together
    custom = shots is not None
    multi = _check_multi_shot(problems, multi_shot_flag, shot_type is not None, shot_kind, custom)
    _check_prompt_presence(problems, prompt, custom)
    derived = duration is None
    if derived:
        seconds = _total(shot_list) if custom else C.DEFAULT_DURATION
    elif shot_list is not None and seconds is not None:
        _check_shot_durations(problems, shot_list, seconds)

    # 3. the model's row of the table
    if model_name is None:
        name = default_multi_shot_model() if multi else C.DEFAULT_MODEL_NAME
    model = None if name is None else capabilities(name)
    if name is not None and model is None:
        logger.warning(
            "model_name %r is not in the model table: only the rules every model shares were checked "
            "(known models: %s)",
            name,
            ", ".join(MODELS),
        )
    if model is not None:
        used = [
            feature
            for feature, in_use in (
                (_CFG_SCALE, cfg_scale is not None),
                (_CAMERA_CONTROL, camera_control is not None),
                (_SOUND_ON, sound_value == C.SOUND_ON),
                (_MULTI_SHOT, multi),
            )
            if in_use
        ]
        _check_model_support(problems, model, mode_value, seconds, derived, used)

    if problems:
        raise ValidationError(problems)
    # No problem means every value is either valid or was not given, so the defaults above filled
    # the required ones: the assertion only tells mypy so.
    assert name is not None
    assert mode_value is not None
    assert ratio is not None
    assert seconds is not None

    body: dict[str, Any] = {
        "model_name": name,
        "mode": mode_value,
        "duration": str(seconds),
        "aspect_ratio": ratio,
        "multi_shot": multi,
    }
    if shot_list is not None:
        body["shot_type"] = C.SHOT_TYPE_CUSTOMIZE
        body["multi_prompt"] = [
            {"index": number, "prompt": text, "duration": str(length)}
            for number, (text, length) in enumerate(shot_list, start=1)
        ]
    else:
        _put(body, "prompt", prompt_text)
        if multi:
            body["shot_type"] = shot_kind
    _put(body, "negative_prompt", negative_text)
    _put(body, "cfg_scale", cfg)
    _put(body, "sound", sound_value)
    _put(body, "camera_control", camera)
    _put(body, "watermark_info", None if watermark_on is None else {"enabled": watermark_on})
    _put(body, "callback_url", callback)
    _put(body, "external_task_id", external_id)
    return _to_model(body, extra or {})


def _put(body: dict[str, Any], key: str, value: object) -> None:
    if value is not None:
        body[key] = value


# --- each argument on its own ------------------------------------------------------------------


def _check_text(problems: _Problems, field: str, value: object, max_length: int) -> str | None:
    """A string of at most ``max_length`` characters (Python characters: code points, as Kling counts)."""
    if value is None:
        return None
    if not isinstance(value, str):
        problems.add(field, "type", f"{field} must be a string, not a {type(value).__name__}")
        return None
    if len(value) > max_length:
        problems.add(field, "max_length", f"{field} has {len(value)} characters; at most {max_length} are allowed")
        return None
    return value


def _check_model_name(problems: _Problems, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        problems.add(
            "model_name",
            "type",
            f"model_name must be a non-blank string, one of {', '.join(MODELS)}, not {_show(value)}",
        )
        return None
    return value


def _check_enum(problems: _Problems, field: str, value: object, allowed: Sequence[str]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value not in allowed:
        problems.add(field, "enum", f"{field} must be one of {_or(allowed)}, not {_show(value)}")
        return None
    return value


def _check_bool(problems: _Problems, field: str, value: object) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    problems.add(field, "type", f"{field} must be True or False, not {_show(value)}")
    return None


def _check_cfg_scale(problems: _Problems, value: object) -> float | None:
    """A real number in [0, 1]; a bool is not one, though Python counts True as the int 1."""
    if value is None:
        return None
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        problems.add("cfg_scale", "type", f"cfg_scale must be a number, not a {type(value).__name__}")
        return None
    try:
        number = float(value)
    except OverflowError:  # an int too big for a float is out of range all the same
        number = math.inf
    if not C.CFG_SCALE_MIN <= number <= C.CFG_SCALE_MAX:  # NaN fails this too
        problems.add(
            "cfg_scale",
            "range",
            f"cfg_scale must be from {C.CFG_SCALE_MIN:g} to {C.CFG_SCALE_MAX:g}, not {_show(value)}",
        )
        return None
    return number


def _check_seconds(problems: _Problems, field: str, value: object) -> int | None:
    """A whole number of seconds >= 1, given as an int or a string of digits ("5").

    Floats are refused even when whole: 5.0 usually comes from arithmetic that could as well
    have given 5.5, and the API takes whole seconds only.
    """
    if value is None:
        return None
    if isinstance(value, str) and _DIGITS.fullmatch(value) and len(value) <= _MAX_DIGITS:
        value = int(value)
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        problems.add(
            field,
            "type",
            f"{field} must be a whole number of seconds, as an int or a string like '5', not {_show(value)}",
        )
        return None
    seconds = int(value)
    if not C.MIN_DURATION <= seconds <= C.MAX_DURATION:
        problems.add(
            field, "range", f"{field} must be from {C.MIN_DURATION} to {C.MAX_DURATION} s, not {_show(seconds)} s"
        )
        return None
    return seconds


def _check_camera_control(problems: _Problems, value: object) -> dict[str, Any] | None:
    """The API's camera_control dict, normalised; None when absent or wrong.

    Only ``simple`` takes a config, and needs one: six whole numbers in [-10, 10], exactly one of
    them non-zero. The presets take none.
    """
    if value is None:
        return None
    try:
        camera = CameraControl.from_value(value)
    except ValidationError as error:
        problems.extend(_under("camera_control", error.problems))
        if isinstance(value, Mapping) and "type" in value:  # still say what is wrong with the type
            _check_enum(problems, "camera_control.type", value["type"], C.CAMERA_TYPES)
        return None
    before = len(problems)
    kind, config = camera.type, camera.config
    known = _check_enum(problems, "camera_control.type", kind, C.CAMERA_TYPES) is not None
    if known and kind == C.CAMERA_TYPE_SIMPLE and config is None:
        problems.add(
            "camera_control.config",
            "required",
            "a 'simple' camera needs a config with one movement, e.g. CameraControl.simple(zoom=5)",
        )
    elif known and kind != C.CAMERA_TYPE_SIMPLE and config is not None:
        problems.add(
            "camera_control.config",
            "forbidden",
            f"camera type {kind!r} is a preset and takes no config; only 'simple' does",
        )
    checked = None if config is None else _check_camera_config(problems, config.to_dict())
    if len(problems) > before:
        return None
    return {"type": kind} if checked is None else {"type": kind, "config": checked}


def _check_camera_config(problems: _Problems, config: Mapping[str, object]) -> dict[str, int] | None:
    amounts: dict[str, int] = {}
    for axis, amount in config.items():
        field = f"camera_control.config.{axis}"
        if not isinstance(amount, numbers.Integral) or isinstance(amount, bool):
            problems.add(field, "type", f"{field} must be a whole number, not {_show(amount)}")
        elif not C.CAMERA_VALUE_MIN <= int(amount) <= C.CAMERA_VALUE_MAX:
            problems.add(
                field,
                "range",
                f"{field} must be from {C.CAMERA_VALUE_MIN} to {C.CAMERA_VALUE_MAX}, not {_show(amount)}",
            )
        else:
            amounts[axis] = int(amount)
    if len(amounts) < len(config):
        return None
    moving = [axis for axis, amount in amounts.items() if amount != 0]
    if len(moving) != 1:
        problems.add(
            "camera_control.config",
            "exactly_one_nonzero",
            f"exactly one of {', '.join(C.CAMERA_AXES)} must be non-zero; "
            + (f"got {', '.join(moving)}" if moving else "all are 0"),
        )
        return None
    return amounts


def _check_callback_url(problems: _Problems, value: object) -> str | None:
    """An absolute http(s) URL with a host. "" counts as not given: the vendor's example sends it."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        problems.add("callback_url", "type", f"callback_url must be a string, not a {type(value).__name__}")
        return None
    try:
        parts = urlsplit(value)
        valid = parts.scheme in C.CALLBACK_URL_SCHEMES and bool(parts.hostname)
    except ValueError:  # e.g. an unclosed IPv6 bracket or a bad port
        valid = False
    if not valid or any(c.isspace() for c in value):
        problems.add(
            "callback_url", "url", f"callback_url must be an http:// or https:// URL with a host, not {_show(value)}"
        )
        return None
    return value


def _check_external_task_id(problems: _Problems, value: object) -> str | None:
    """A non-blank string. "" counts as not given, as in the vendor's example."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not value.strip():
        problems.add("external_task_id", "type", f"external_task_id must be a non-blank string, not {_show(value)}")
        return None
    return value


def _check_shots(problems: _Problems, value: object) -> list[tuple[str, int]] | None:
    """Each shot as (prompt, seconds); None when the list or any shot in it is wrong.

    Problems are named by the API field (multi_prompt) and the shot's position from 0, as a
    caller indexes the list; the durations are checked against the total later, once it is known.
    """
    if value is None:
        return None
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
        problems.add("multi_prompt", "type", f"shots must be a list of Shot or dict, not a {type(value).__name__}")
        return None
    before = len(problems)
    if not C.MIN_SHOTS <= len(value) <= C.MAX_SHOTS:
        problems.add("multi_prompt", "count", f"give {C.MIN_SHOTS} to {C.MAX_SHOTS} shots, not {len(value)}")
    shots: list[tuple[str, int]] = []
    for position, item in enumerate(value):
        field = f"multi_prompt[{position}]"
        try:
            shot = Shot.from_value(item)
            given: Mapping[str, object] = {"prompt": shot.prompt, "duration": shot.duration}
        except ValidationError as error:
            problems.extend(_under(field, error.problems))
            # A dict with a stray or missing key: still say what is wrong with the values it has.
            given = {k: v for k, v in item.items() if k in ("prompt", "duration")} if isinstance(item, Mapping) else {}
        text = _check_shot_prompt(problems, f"{field}.prompt", given["prompt"]) if "prompt" in given else None
        length = _check_shot_duration(problems, f"{field}.duration", given["duration"]) if "duration" in given else None
        if text is not None and length is not None:
            shots.append((text, length))
    return shots if len(problems) == before else None


def _check_shot_prompt(problems: _Problems, field: str, value: object) -> str | None:
    """Like the prompt, but shorter, and never optional: a shot is its prompt."""
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.add(field, "required", "every shot needs a non-blank prompt")
        return None
    return _check_text(problems, field, value, C.MAX_SHOT_PROMPT_LENGTH)


def _check_shot_duration(problems: _Problems, field: str, value: object) -> int | None:
    if value is None:
        problems.add(field, "required", "every shot needs a duration in seconds")
        return None
    return _check_seconds(problems, field, value)


def _check_extra_body(problems: _Problems, value: object) -> Mapping[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        problems.add("extra_body", "type", "extra_body must be a mapping of field names (strings) to values")
        return None
    if "external_task_id" in value:
        # The create-once guard looks the task up by the id it chose; one smuggled in here would
        # be sent but never looked for.
        problems.add(
            "extra_body.external_task_id",
            "forbidden",
            "pass external_task_id= itself, not in extra_body: it is what keeps a create from happening twice",
        )
        return None
    return value


# --- rules that tie arguments together ---------------------------------------------------------


def _check_multi_shot(
    problems: _Problems, flag: bool | None, shot_type_given: bool, shot_kind: str | None, custom: bool
) -> bool:
    """Whether the request is multi-shot, and that multi_shot, shot_type and shots= agree.

    Not given, multi_shot follows from shots= or a shot_type, so neither needs the flag too.
    """
    if flag is False and (custom or shot_type_given):
        given = "shots" if custom else "shot_type"
        problems.add("multi_shot", "mixed", f"multi_shot=False contradicts {given}=...; drop one of them")
    multi = flag if flag is not None else custom or shot_type_given or C.DEFAULT_MULTI_SHOT
    if custom and shot_kind == C.SHOT_TYPE_INTELLIGENCE:
        problems.add(
            "shot_type",
            "mixed",
            f"shots=[...] make a {C.SHOT_TYPE_CUSTOMIZE!r} multi-shot video; drop shot_type={shot_kind!r}",
        )
    elif not custom and shot_kind == C.SHOT_TYPE_CUSTOMIZE:
        problems.add("multi_prompt", "required", "shot_type='customize' needs the shots: pass shots=[...]")
    elif multi and not custom and not shot_type_given:
        problems.add(
            "shot_type",
            "required",
            f"multi_shot=True needs shot_type={C.SHOT_TYPE_INTELLIGENCE!r} (the model splits the prompt "
            "into shots), or shots=[...] to give each shot yourself",
        )
    return multi


def _check_prompt_presence(problems: _Problems, prompt: object, custom: bool) -> None:
    """A custom multi-shot takes its prompts from the shots; every other request needs a prompt.

    A blank prompt counts as none: it would buy a video of nothing in particular.
    """
    blank = prompt is None or (isinstance(prompt, str) and not prompt.strip())
    if custom and not blank and isinstance(prompt, str):
        problems.add("prompt", "mixed", "give either prompt or shots, not both: each shot has its own prompt")
    elif not custom and blank:
        problems.add("prompt", "required", "prompt must be a non-blank string (or pass shots=[...])")


def _total(shots: list[tuple[str, int]] | None) -> int | None:
    return None if shots is None else sum(length for _, length in shots)


def _check_shot_durations(problems: _Problems, shots: list[tuple[str, int]], total: int) -> None:
    """With duration given, each shot fits in it and together they fill it exactly."""
    for position, (_, length) in enumerate(shots):
        if length > total:
            problems.add(
                f"multi_prompt[{position}].duration",
                "range",
                f"this shot lasts {length} s, longer than the whole video ({total} s)",
            )
    if _total(shots) != total:
        problems.add(
            "multi_prompt",
            "sum",
            f"the shots add up to {_total(shots)} s but duration is {total} s; they must be equal "
            "(leave duration out to use the sum)",
        )


# --- the model's row of the table --------------------------------------------------------------


@dataclass(frozen=True)
class _Feature:
    """An optional feature a request may use, and where the table says whether a model takes it."""

    field: str
    name: str
    limits_of: Callable[[ModelCapabilities], Limits | None]


_CFG_SCALE = _Feature("cfg_scale", "cfg_scale", lambda m: m.cfg_scale)
_CAMERA_CONTROL = _Feature("camera_control", "camera_control", lambda m: m.camera_control)
_SOUND_ON = _Feature("sound", "sound='on'", lambda m: m.sound)
_MULTI_SHOT = _Feature("multi_shot", "multi-shot", lambda m: m.multi_shot)


def _check_model_support(
    problems: _Problems,
    model: ModelCapabilities,
    mode: str | None,
    seconds: int | None,
    derived: bool,
    used: list[_Feature],
) -> None:
    """The mode, the duration and every feature the request uses, against the model's row."""
    if mode is not None and mode not in model.modes:
        problems.add("mode", "model_support", f"{model.name} takes mode {_or(sorted(model.modes))}, not {mode!r}")
        mode = None  # reported once: the features below are not blamed for it too
    if seconds is not None and seconds not in model.durations:
        given = "the shots add up to" if derived else "duration is"
        problems.add(
            "duration",
            "model_support",
            f"{given} {seconds} s, but {model.name} makes videos of {_seconds(model.durations)}",
        )
        seconds = None
    for feature in used:
        limits = feature.limits_of(model)
        if limits is None:
            others = [m.name for m in MODELS.values() if feature.limits_of(m) is not None]
            problems.add(
                feature.field,
                "model_support",
                f"{model.name} does not take {feature.name}; models that do: {', '.join(others) or 'none'}",
            )
        elif not limits.allows(mode, seconds):
            problems.add(feature.field, "model_support", f"{model.name} takes {feature.name} only{limits.describe()}")


# --- building the result -----------------------------------------------------------------------

_MODEL_FIELDS = attrs.fields_dict(Text2VideoRequest)
_ALWAYS_SENT = frozenset(name for name, f in _MODEL_FIELDS.items() if f.default is attrs.NOTHING)
_SENT_IF_SET = frozenset(name for name, f in _MODEL_FIELDS.items() if f.init and f.default is UNSET)


def _to_model(body: dict[str, Any], extra: Mapping[str, Any]) -> Text2VideoRequest:
    """The generated model for ``body``, with ``extra`` laid over it so that to_dict() sends it as is.

    Values that need not fit the generated types travel in additional_properties, with the typed
    field unset so it does not overwrite them: every extra_body value, and a camera preset, which
    has no config though the pinned spec (and so CameraControlRequest) requires one.
    """
    raw: dict[str, Any] = {}
    camera = body.get("camera_control")
    if camera is not None and "config" not in camera:
        raw["camera_control"] = body.pop("camera_control")
    request = Text2VideoRequest.from_dict(body)
    for key, value in extra.items():
        if key in _ALWAYS_SENT:
            setattr(request, key, value)
        else:
            raw[key] = value
            if key in _SENT_IF_SET:
                setattr(request, key, UNSET)
    request.additional_properties.update(raw)
    return request


# --- wording -----------------------------------------------------------------------------------


def _or(values: Sequence[str]) -> str:
    quoted = [repr(v) for v in values]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _seconds(durations: frozenset[int]) -> str:
    """'3 to 15 s' for a run of three or more, '5 or 10 s' otherwise."""
    ordered = sorted(durations)
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{ordered[0]} to {ordered[-1]} s"
    return " or ".join(str(d) for d in ordered) + " s"


def _show(value: object) -> str:
    """The caller's value in a message, shortened; never fails, whatever the value's repr does."""
    try:
        text = repr(value)
    except Exception:  # a broken __repr__, or an int too long to print: the message still gets made
        return f"<{type(value).__name__}>"
    return text if len(text) <= 60 else text[:57] + "..."


def _under(prefix: str, problems: list[Problem]) -> list[Problem]:
    """Problems found inside one part of the request, renamed to their place in the whole."""
    return [replace(p, field=f"{prefix}.{p.field}" if p.field else prefix) for p in problems]
