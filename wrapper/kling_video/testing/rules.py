"""What the gateway refuses before a task exists: the server-side half of kling-api.md.

A client that validates well never meets these answers, which is exactly why the simulator must
give them: a test of the client's own validation is only convincing if the server behind it
would have said no. Every rule answers 400 with a message naming the field; the model table is
data, in one place, so a new model or a corrected fact is a one-line change.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

# Business codes (kling-api.md, Errors).
INVALID_REQUEST = 1200
INVALID_PARAMETER = 1201

MAX_PROMPT = 2500
MAX_SHOT_PROMPT = 512
MAX_SHOTS = 6
PAGE_NUM = (1, 1000)
PAGE_SIZE = (1, 500)

MODES = ("std", "pro")
ASPECT_RATIOS = ("16:9", "9:16", "1:1")
SOUNDS = ("on", "off")
SHOT_TYPES = ("customize", "intelligence")
CAMERA_TYPES = ("simple", "down_back", "forward_up", "right_turn_forward", "left_turn_forward")
CAMERA_AXES = ("horizontal", "vertical", "pan", "tilt", "roll", "zoom")


@dataclass(frozen=True)
class Model:
    """What one model accepts (kling-api.md, Models)."""

    durations: tuple[int, ...] = (5, 10)
    cfg_scale: bool = True
    # "std-5": only in std mode with a 5 s clip, as kling-v1 allows it.
    camera_control: Literal["no", "std-5"] = "no"
    # "pro": sound on only in pro mode.
    sound: Literal["no", "pro", "yes"] = "no"
    multi_shot: bool = False


MODELS: Mapping[str, Model] = {
    "kling-v1": Model(camera_control="std-5"),
    "kling-v1-6": Model(),
    "kling-v2-master": Model(cfg_scale=False),
    "kling-v2-1-master": Model(cfg_scale=False),
    "kling-v2-5-turbo": Model(cfg_scale=False),
    "kling-v2-6": Model(cfg_scale=False, sound="pro"),
    "kling-v3": Model(durations=tuple(range(3, 16)), sound="yes", multi_shot=True),
}

REQUIRED = ("model_name", "mode", "duration", "multi_shot")
_STRINGS = (
    "model_name",
    "prompt",
    "negative_prompt",
    "shot_type",
    "mode",
    "sound",
    "aspect_ratio",
    "duration",
    "callback_url",
    "external_task_id",
)
_SECONDS = re.compile(r"[0-9]{1,4}")
_INTEGER = re.compile(r"-?[0-9]{1,9}")


@dataclass(frozen=True)
class Violation:
    """Why a request is refused: Kling's business code and a message naming the field."""

    message: str
    code: int = INVALID_PARAMETER


class _Refused(Exception):
    def __init__(self, message: str, code: int = INVALID_PARAMETER) -> None:
        super().__init__(message)
        self.violation = Violation(message, code)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _present(body: Mapping[str, Any], name: str) -> bool:
    """JSON null counts as absent, as it does for the typed backends behind real gateways."""
    return body.get(name) is not None


def check_create(body: object) -> Violation | None:
    """The first rule a create body breaks, or None when the gateway would accept it."""
    try:
        _check_create(body)
    except _Refused as refused:
        return refused.violation
    return None


def _check_create(body: object) -> None:
    if not isinstance(body, dict):
        raise _Refused("the request body must be a JSON object", INVALID_REQUEST)
    for name in REQUIRED:
        if not _present(body, name):
            raise _Refused(f"{name} is required")
    _check_shapes(body)

    model_name = body["model_name"]
    model = MODELS.get(model_name)
    if model is None:
        raise _Refused(f"model_name {model_name!r} is not supported; one of {', '.join(MODELS)}")
    mode = body["mode"]
    if mode not in MODES:
        raise _Refused(f"mode {mode!r} is invalid; one of {', '.join(MODES)}")
    if _present(body, "aspect_ratio") and body["aspect_ratio"] not in ASPECT_RATIOS:
        raise _Refused(f"aspect_ratio {body['aspect_ratio']!r} is invalid; one of {', '.join(ASPECT_RATIOS)}")
    duration = _seconds(body["duration"], "duration")
    if duration not in model.durations:
        allowed = ", ".join(str(d) for d in model.durations)
        raise _Refused(f"duration {body['duration']!r} is not supported by {model_name}; one of {allowed}")
    for name in ("prompt", "negative_prompt"):
        if _present(body, name) and len(body[name]) > MAX_PROMPT:
            raise _Refused(f"{name} is longer than {MAX_PROMPT} characters")
    _check_cfg_scale(body, model, model_name)
    _check_sound(body, model, model_name, mode)
    _check_camera(body, model, model_name, mode, duration)
    _check_shots(body, model, model_name, duration)
    if _present(body, "callback_url") and body["callback_url"]:
        url = body["callback_url"]
        if not url.startswith(("http://", "https://")) or len(url.split("://", 1)[1]) == 0:
            raise _Refused("callback_url must be an http or https URL")


def _check_shapes(body: Mapping[str, Any]) -> None:
    """Types, as the gateway's JSON binding enforces them, whether or not the field is used."""
    for name in _STRINGS:
        if _present(body, name) and not isinstance(body[name], str):
            raise _Refused(f"{name} must be a string")
    if not isinstance(body["multi_shot"], bool):
        raise _Refused("multi_shot must be a boolean")
    if _present(body, "cfg_scale") and not _is_number(body["cfg_scale"]):
        raise _Refused("cfg_scale must be a number")
    if _present(body, "watermark_info"):
        watermark = body["watermark_info"]
        if not isinstance(watermark, dict) or not isinstance(watermark.get("enabled"), bool):
            raise _Refused("watermark_info must be an object with a boolean enabled")
    if _present(body, "multi_prompt"):
        shots = body["multi_prompt"]
        if not isinstance(shots, list):
            raise _Refused("multi_prompt must be a list")
        for position, shot in enumerate(shots):
            _check_shot_shape(shot, position)
    if _present(body, "camera_control"):
        _check_camera_shape(body["camera_control"])


def _check_shot_shape(shot: object, position: int) -> None:
    where = f"multi_prompt[{position}]"
    if not isinstance(shot, dict):
        raise _Refused(f"{where} must be an object")
    if not _is_int(shot.get("index")):
        raise _Refused(f"{where}.index must be an integer")
    if not isinstance(shot.get("prompt"), str):
        raise _Refused(f"{where}.prompt must be a string")
    if not isinstance(shot.get("duration"), str):
        raise _Refused(f"{where}.duration must be a string")


def _check_camera_shape(camera: object) -> None:
    if not isinstance(camera, dict):
        raise _Refused("camera_control must be an object")
    if not isinstance(camera.get("type"), str):
        raise _Refused("camera_control.type must be a string")
    config = camera.get("config")
    if config is None:
        return
    if not isinstance(config, dict):
        raise _Refused("camera_control.config must be an object")
    for axis in CAMERA_AXES:
        if not _is_int(config.get(axis)):
            raise _Refused(f"camera_control.config.{axis} must be an integer")


def _seconds(value: str, name: str) -> int:
    if not _SECONDS.fullmatch(value):
        raise _Refused(f"{name} must be a whole number of seconds, as a string")
    return int(value)


def _check_cfg_scale(body: Mapping[str, Any], model: Model, model_name: str) -> None:
    if not _present(body, "cfg_scale"):
        return
    if not model.cfg_scale:
        raise _Refused(f"cfg_scale is not supported by {model_name}")
    if not 0 <= body["cfg_scale"] <= 1:
        raise _Refused("cfg_scale must be from 0 to 1")


def _check_sound(body: Mapping[str, Any], model: Model, model_name: str, mode: str) -> None:
    if not _present(body, "sound"):
        return
    sound = body["sound"]
    if sound not in SOUNDS:
        raise _Refused(f"sound {sound!r} is invalid; one of {', '.join(SOUNDS)}")
    # The vendor's own example sends sound "off" to kling-v1: "off" is accepted everywhere.
    if sound == "on" and model.sound == "no":
        raise _Refused(f"sound on is not supported by {model_name}")
    if sound == "on" and model.sound == "pro" and mode != "pro":
        raise _Refused(f"sound on needs mode pro with {model_name}")


def _check_camera(body: Mapping[str, Any], model: Model, model_name: str, mode: str, duration: int) -> None:
    if not _present(body, "camera_control"):
        return
    camera = body["camera_control"]
    if model.camera_control == "no":
        raise _Refused(f"camera_control is not supported by {model_name}")
    if mode != "std" or duration != 5:
        raise _Refused(f"camera_control needs mode std and duration 5 with {model_name}")
    kind = camera["type"]
    if kind not in CAMERA_TYPES:
        raise _Refused(f"camera_control.type {kind!r} is invalid; one of {', '.join(CAMERA_TYPES)}")
    config = camera.get("config")
    if kind != "simple":
        if config is not None:
            raise _Refused(f"camera_control.config is only for type simple, not {kind}")
        return
    if config is None:
        raise _Refused("camera_control.config is required with type simple")
    for axis in CAMERA_AXES:
        if not -10 <= config[axis] <= 10:
            raise _Refused(f"camera_control.config.{axis} must be from -10 to 10")
    if sum(1 for axis in CAMERA_AXES if config[axis] != 0) != 1:
        raise _Refused("camera_control.config must have exactly one non-zero value")


def _check_shots(body: Mapping[str, Any], model: Model, model_name: str, duration: int) -> None:
    if not body["multi_shot"]:
        _require_prompt(body)
        return
    if not model.multi_shot:
        raise _Refused(f"multi_shot is not supported by {model_name}")
    if not _present(body, "shot_type"):
        raise _Refused("shot_type is required when multi_shot is true")
    shot_type = body["shot_type"]
    if shot_type not in SHOT_TYPES:
        raise _Refused(f"shot_type {shot_type!r} is invalid; one of {', '.join(SHOT_TYPES)}")
    if shot_type != "customize":
        _require_prompt(body)
        return
    if not _present(body, "multi_prompt"):
        raise _Refused("multi_prompt is required when shot_type is customize")
    shots: Sequence[Mapping[str, Any]] = body["multi_prompt"]
    if not 1 <= len(shots) <= MAX_SHOTS:
        raise _Refused(f"multi_prompt must have from 1 to {MAX_SHOTS} shots")
    total = 0
    for position, shot in enumerate(shots):
        where = f"multi_prompt[{position}]"
        if not shot["prompt"].strip():
            raise _Refused(f"{where}.prompt must not be empty")
        if len(shot["prompt"]) > MAX_SHOT_PROMPT:
            raise _Refused(f"{where}.prompt is longer than {MAX_SHOT_PROMPT} characters")
        seconds = _seconds(shot["duration"], f"{where}.duration")
        if not 1 <= seconds <= duration:
            raise _Refused(f"{where}.duration must be from 1 to the total duration {duration}")
        total += seconds
    if total != duration:
        raise _Refused(f"multi_prompt durations add up to {total}, not to duration {duration}")


def _require_prompt(body: Mapping[str, Any]) -> None:
    if not _present(body, "prompt") or not body["prompt"].strip():
        raise _Refused("prompt must not be empty")


def check_page(query: Mapping[str, Sequence[str]]) -> tuple[int, int] | Violation:
    """(pageNum, pageSize) from the list call's query, or why they are refused."""
    try:
        number = _page_value(query, "pageNum", 1, PAGE_NUM)
        size = _page_value(query, "pageSize", 30, PAGE_SIZE)
    except _Refused as refused:
        return refused.violation
    return number, size


def _page_value(query: Mapping[str, Sequence[str]], name: str, default: int, bounds: tuple[int, int]) -> int:
    values = query.get(name, ())
    if not values:
        return default
    low, high = bounds
    if len(values) != 1 or not _INTEGER.fullmatch(values[0]) or not low <= int(values[0]) <= high:
        raise _Refused(f"{name} must be an integer from {low} to {high}")
    return int(values[0])
