"""What the wrapper's validation accepts, the vendor's pinned schema accepts too.

Two properties: every request the model table allows is accepted and schema-valid (so the
validator is not stricter than the table), and whatever near-valid input the wrapper accepts is
schema-valid (so it is not looser than the spec). Plus the vendor's own example, fed as keyword
arguments, passes.

One known divergence: the pinned schema requires camera_control.config for every camera type,
while Kling documents that only "simple" takes a config and the presets take none. The wrapper
follows Kling; ``schema_validator`` relaxes exactly that one requirement, and
``test_the_only_relaxation_is_still_needed`` fails once the vendor fixes their spec.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema.exceptions import ValidationError as SchemaError
from kling_video import _constants as C
from kling_video.camera import CameraConfig, CameraControl
from kling_video.errors import ValidationError
from kling_video.model_table import MODELS, ModelCapabilities
from kling_video.shot import Shot
from kling_video.validation import build_create_request
from openapi_schema_validator import OAS30Validator

from tools import generate

pytestmark = pytest.mark.contract

_CREATE = yaml.safe_load(generate.SPEC.read_text(encoding="utf-8"))["paths"]["/kling/v1/videos/text2video"]["post"]
PINNED_SCHEMA: dict[str, Any] = _CREATE["requestBody"]["content"]["application/json"]["schema"]
VENDOR_EXAMPLE: dict[str, Any] = _CREATE["requestBody"]["content"]["application/json"]["example"]


def _relaxed(schema: dict[str, Any]) -> dict[str, Any]:
    relaxed = copy.deepcopy(schema)
    relaxed["properties"]["camera_control"]["required"].remove("config")
    return relaxed


schema_validator = OAS30Validator(_relaxed(PINNED_SCHEMA))


def assert_schema_accepts(body: dict[str, Any]) -> None:
    """The body is JSON (as it will be sent) and the pinned schema, relaxed as above, accepts it."""
    sent = json.loads(json.dumps(body, allow_nan=False))
    schema_validator.validate(sent)


def test_the_only_relaxation_is_still_needed():
    preset = {"model_name": "kling-v1", "mode": "std", "duration": "5", "multi_shot": False}
    preset["camera_control"] = {"type": "down_back"}
    assert not OAS30Validator(PINNED_SCHEMA).is_valid(preset)
    assert schema_validator.is_valid(preset)
    simple_without_config = preset | {"camera_control": {"type": "simple"}}
    assert schema_validator.is_valid(simple_without_config)  # the wrapper's rule, not the schema's


def test_the_check_catches_what_the_schema_refuses():
    body = build_create_request(prompt="a fox").to_dict()
    with pytest.raises(SchemaError, match="not of type"):
        assert_schema_accepts(body | {"duration": 5})
    with pytest.raises(SchemaError, match="required"):
        assert_schema_accepts({k: v for k, v in body.items() if k != "multi_shot"})


def test_the_vendors_own_example_passes_as_keyword_arguments():
    body = build_create_request(**VENDOR_EXAMPLE).to_dict()
    assert_schema_accepts(body)
    # The example's empty callback_url and external_task_id mean "none": they are not sent.
    expected = VENDOR_EXAMPLE | {"multi_shot": False}
    del expected["callback_url"], expected["external_task_id"]
    assert body == expected


# --- requests the model table allows --------------------------------------------------------

prompts = st.text(min_size=1, max_size=C.MAX_PROMPT_LENGTH).filter(str.strip)
shot_prompts = st.text(min_size=1, max_size=C.MAX_SHOT_PROMPT_LENGTH).filter(str.strip)
seconds_as_given = st.sampled_from([int, str])


def cut(total: int, parts: int) -> st.SearchStrategy[list[int]]:
    """``parts`` whole numbers >= 1 that add up to ``total``."""
    points = st.sets(st.integers(1, total - 1), min_size=parts - 1, max_size=parts - 1).map(sorted)
    return points.map(lambda p: [b - a for a, b in zip([0, *p], [*p, total], strict=True)])


@st.composite
def camera_controls(draw: st.DrawFn) -> object:
    kind = draw(st.sampled_from(C.CAMERA_TYPES))
    if kind != C.CAMERA_TYPE_SIMPLE:
        camera = CameraControl(kind)
    else:
        axis = draw(st.sampled_from(C.CAMERA_AXES))
        amount = draw(st.integers(C.CAMERA_VALUE_MIN, C.CAMERA_VALUE_MAX).filter(bool))
        camera = CameraControl(kind, CameraConfig(**{axis: amount}))
    return camera.to_dict() if draw(st.booleans()) else camera


@st.composite
def allowed_requests(draw: st.DrawFn) -> dict[str, object]:
    """Keyword arguments that every rule and the model's row allow, built from the table itself."""
    model: ModelCapabilities = draw(st.sampled_from(list(MODELS.values())))
    mode = draw(st.sampled_from(sorted(model.modes)))
    kwargs: dict[str, object] = {"model_name": model.name}
    if mode != C.DEFAULT_MODE or draw(st.booleans()):
        kwargs["mode"] = mode
    custom = model.multi_shot is not None and draw(st.booleans())
    if custom:
        total = draw(st.sampled_from(sorted(model.durations)))
        lengths = draw(cut(total, draw(st.integers(1, min(total, C.MAX_SHOTS)))))
        shots = []
        for length in lengths:
            text, as_given = draw(shot_prompts), draw(seconds_as_given)(length)
            shots.append(Shot(text, as_given) if draw(st.booleans()) else {"prompt": text, "duration": as_given})
        kwargs["shots"] = shots
        if draw(st.booleans()):
            kwargs["duration"] = draw(seconds_as_given)(total)
    else:
        total = draw(st.sampled_from(sorted(model.durations)))
        kwargs["prompt"] = draw(prompts)
        kwargs["duration"] = draw(seconds_as_given)(total)
        if model.multi_shot is not None and draw(st.booleans()):
            kwargs["shot_type"] = C.SHOT_TYPE_INTELLIGENCE
    if model.cfg_scale is not None and model.cfg_scale.allows(mode, total) and draw(st.booleans()):
        kwargs["cfg_scale"] = draw(st.floats(C.CFG_SCALE_MIN, C.CFG_SCALE_MAX) | st.sampled_from([0, 1]))
    if model.camera_control is not None and model.camera_control.allows(mode, total) and draw(st.booleans()):
        kwargs["camera_control"] = draw(camera_controls())
    sound_on = model.sound is not None and model.sound.allows(mode, total)
    kwargs["sound"] = draw(st.sampled_from(C.SOUND_VALUES if sound_on else ("off",)) | st.none())
    kwargs["negative_prompt"] = draw(st.none() | st.text(max_size=C.MAX_NEGATIVE_PROMPT_LENGTH))
    kwargs["aspect_ratio"] = draw(st.none() | st.sampled_from(C.ASPECT_RATIOS))
    kwargs["watermark"] = draw(st.none() | st.booleans())
    kwargs["callback_url"] = draw(st.sampled_from([None, "", "https://example.com/kling?x=1", "http://127.0.0.1:9/"]))
    kwargs["external_task_id"] = draw(st.none() | st.text(min_size=1, max_size=64).filter(str.strip))
    return kwargs


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(allowed_requests())
def test_every_request_the_table_allows_is_accepted_and_matches_the_schema(kwargs):
    body = build_create_request(**kwargs).to_dict()
    assert_schema_accepts(body)
    assert body["model_name"] == kwargs["model_name"]
    assert body["duration"].isdigit()
    assert body["multi_shot"] is ("shots" in kwargs or "shot_type" in kwargs)


# --- near-valid requests: whatever the wrapper accepts, the schema accepts --------------------

# Values on both sides of each rule's edge: the wrapper must refuse the ones the schema refuses.
BOUNDARY_VALUES: dict[str, list[object]] = {
    "model_name": ["kling-v9", "", 1, "kling-v1", "kling-v3"],
    "prompt": ["", " ", "a" * C.MAX_PROMPT_LENGTH, "a" * (C.MAX_PROMPT_LENGTH + 1), 1, None],
    "negative_prompt": ["", "a" * C.MAX_NEGATIVE_PROMPT_LENGTH, "a" * (C.MAX_NEGATIVE_PROMPT_LENGTH + 1), 1],
    "cfg_scale": [0, 1, 0.0, 1.0, -0.01, 1.01, float("nan"), True, "0.5", None],
    "mode": ["std", "pro", "PRO", "fast", None],
    "sound": ["on", "off", "ON", True, None],
    "aspect_ratio": [*C.ASPECT_RATIOS, "4:3", "16:9 ", None],
    "duration": [0, "0", 5.0, "5.0", "05", 16, True, 2, 3, 5, "10", 15, None],
    "camera_control": [
        None,
        CameraControl.forward_up(),
        {"type": "down_back"},
        CameraControl.simple(zoom=-10),
        {"type": "simple", "config": {"tilt": 10}},
        {"type": "simple"},
        {"type": "orbit"},
        {"type": "down_back", "config": {"zoom": 1}},
        {"type": "simple", "config": {"zoom": 11}},
        {"type": "simple", "config": {"zoom": 1, "pan": 1}},
    ],
    "watermark": [True, False, None, 0, "true"],
    "callback_url": ["", "https://example.com/", "ftp://example.com", "example.com", "http://", "https://ex ample.com"],
    "external_task_id": ["", "id-1", " ", 7],
    "multi_shot": [True, False, None, "true"],
    "shot_type": ["customize", "intelligence", None, "auto"],
    "shots": [
        None,
        [Shot("a", 5)],
        [Shot("a", 1)] * 6,
        [],
        [Shot("a", 1)] * 7,
        [Shot("", 5)],
        [Shot("a" * C.MAX_SHOT_PROMPT_LENGTH, 5)],
        [Shot("a" * (C.MAX_SHOT_PROMPT_LENGTH + 1), 5)],
        [Shot("a", 2), Shot("b", "2")],
    ],
}


@st.composite
def near_valid_requests(draw: st.DrawFn) -> dict[str, object]:
    kwargs = draw(allowed_requests())
    for name in draw(st.sets(st.sampled_from(sorted(BOUNDARY_VALUES)), min_size=1, max_size=3)):
        kwargs[name] = draw(st.sampled_from(BOUNDARY_VALUES[name]))
    return kwargs


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(near_valid_requests())
def test_whatever_the_wrapper_accepts_the_schema_accepts(kwargs):
    try:
        request = build_create_request(**kwargs)
    except ValidationError:
        return
    assert_schema_accepts(request.to_dict())
