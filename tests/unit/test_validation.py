"""build_create_request: defaults, every rule of kling-api.md (failing and passing), all problems at once."""

from __future__ import annotations

import inspect
import logging
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kling_video import _constants as C
from kling_video import model_table
from kling_video.camera import CameraConfig, CameraControl
from kling_video.errors import Problem, ValidationError
from kling_video.model_table import MODELS, ModelCapabilities, only
from kling_video.shot import Shot
from kling_video.validation import build_create_request
from kling_video_api.models import CameraControlRequest, Text2VideoRequest

from tests.contract.test_validation_vs_spec import allowed_requests, assert_schema_accepts


def body(**kwargs: Any) -> dict[str, Any]:
    return build_create_request(**kwargs).to_dict()


def problems(**kwargs: Any) -> list[Problem]:
    with pytest.raises(ValidationError) as caught:
        build_create_request(**kwargs)
    return caught.value.problems


def found(**kwargs: Any) -> set[tuple[str, str]]:
    return {(p.field, p.rule) for p in problems(**kwargs)}


# --- defaults ---------------------------------------------------------------------------------


def test_a_prompt_alone_is_a_complete_request_with_the_defaults():
    assert body(prompt="a fox in the snow") == {
        "model_name": C.DEFAULT_MODEL_NAME,
        "mode": C.DEFAULT_MODE,
        "duration": str(C.DEFAULT_DURATION),
        "aspect_ratio": C.DEFAULT_ASPECT_RATIO,
        "multi_shot": False,
        "prompt": "a fox in the snow",
    }


def test_the_defaults_are_the_documented_ones():
    assert (C.DEFAULT_MODEL_NAME, C.DEFAULT_MODE, C.DEFAULT_DURATION) == ("kling-v2-5-turbo", "std", 5)
    assert (C.DEFAULT_ASPECT_RATIO, C.DEFAULT_MULTI_SHOT) == ("16:9", False)


def test_shots_alone_pick_the_multi_shot_model_and_the_sum_of_the_shots():
    assert body(shots=[Shot("wide shot of a harbour", 2), Shot("close-up of a gull", 3)]) == {
        "model_name": "kling-v3",
        "mode": "std",
        "duration": "5",
        "aspect_ratio": "16:9",
        "multi_shot": True,
        "shot_type": "customize",
        "multi_prompt": [
            {"index": 1, "prompt": "wide shot of a harbour", "duration": "2"},
            {"index": 2, "prompt": "close-up of a gull", "duration": "3"},
        ],
    }


def test_the_multi_shot_default_follows_the_table(monkeypatch):
    newer = ModelCapabilities(
        "kling-v0", modes=frozenset({"std"}), durations=frozenset({5}), multi_shot=MODELS["kling-v3"].multi_shot
    )
    monkeypatch.setattr(model_table, "MODELS", {"kling-v0": newer, **MODELS})
    assert body(shots=[Shot("a", 5)])["model_name"] == "kling-v0"


def test_intelligent_multi_shot_picks_the_multi_shot_model_and_sends_the_prompt():
    assert body(prompt="a day at the harbour", shot_type="intelligence") == {
        "model_name": "kling-v3",
        "mode": "std",
        "duration": "5",
        "aspect_ratio": "16:9",
        "multi_shot": True,
        "shot_type": "intelligence",
        "prompt": "a day at the harbour",
    }
    assert body(prompt="p", multi_shot=True, shot_type="intelligence") == body(prompt="p", shot_type="intelligence")


def test_the_result_is_the_generated_model():
    request = build_create_request(prompt="p", model_name="kling-v1", camera_control=CameraControl.simple(zoom=5))
    assert isinstance(request, Text2VideoRequest)
    assert isinstance(request.camera_control, CameraControlRequest)
    assert request.camera_control.config.zoom == 5


# --- each rule: a failing and a passing case ----------------------------------------------------

V1 = {"prompt": "p", "model_name": "kling-v1"}  # a model that takes cfg_scale and camera control
V3 = {"model_name": "kling-v3"}

# (kwargs, the problems they must give: exactly these (field, rule) pairs)
FAILING: list[tuple[dict[str, Any], set[tuple[str, str]]]] = [
    # prompt
    ({}, {("prompt", "required")}),
    ({"prompt": ""}, {("prompt", "required")}),
    ({"prompt": " \n\t"}, {("prompt", "required")}),
    ({"prompt": "a" * 2501}, {("prompt", "max_length")}),
    ({"prompt": 123}, {("prompt", "type")}),
    ({"prompt": b"bytes"}, {("prompt", "type")}),
    # negative_prompt
    ({"prompt": "p", "negative_prompt": "a" * 2501}, {("negative_prompt", "max_length")}),
    ({"prompt": "p", "negative_prompt": ["a"]}, {("negative_prompt", "type")}),
    # model_name
    ({"prompt": "p", "model_name": ""}, {("model_name", "type")}),
    ({"prompt": "p", "model_name": 1}, {("model_name", "type")}),
    # cfg_scale: a number in [0, 1], and the model must take it
    ({**V1, "cfg_scale": -0.01}, {("cfg_scale", "range")}),
    ({**V1, "cfg_scale": 1.01}, {("cfg_scale", "range")}),
    ({**V1, "cfg_scale": 2}, {("cfg_scale", "range")}),
    ({**V1, "cfg_scale": math.nan}, {("cfg_scale", "range")}),
    ({**V1, "cfg_scale": math.inf}, {("cfg_scale", "range")}),
    ({**V1, "cfg_scale": 10**400}, {("cfg_scale", "range")}),
    ({**V1, "cfg_scale": True}, {("cfg_scale", "type")}),
    ({**V1, "cfg_scale": "0.5"}, {("cfg_scale", "type")}),
    ({"prompt": "p", "cfg_scale": 0.5}, {("cfg_scale", "model_support")}),
    ({"prompt": "p", "model_name": "kling-v2-master", "cfg_scale": 0.5}, {("cfg_scale", "model_support")}),
    ({"prompt": "p", "model_name": "kling-v2-1-master", "cfg_scale": 0.5}, {("cfg_scale", "model_support")}),
    ({"prompt": "p", "model_name": "kling-v2-6", "cfg_scale": 0.5}, {("cfg_scale", "model_support")}),
    # mode
    ({"prompt": "p", "mode": "fast"}, {("mode", "enum")}),
    ({"prompt": "p", "mode": "STD"}, {("mode", "enum")}),
    ({"prompt": "p", "mode": 1}, {("mode", "enum")}),
    # sound: on or off; "on" only where the model makes sound
    ({"prompt": "p", "sound": "ON"}, {("sound", "enum")}),
    ({"prompt": "p", "sound": True}, {("sound", "enum")}),
    ({"prompt": "p", "sound": "on"}, {("sound", "model_support")}),
    ({**V1, "sound": "on"}, {("sound", "model_support")}),
    ({"prompt": "p", "model_name": "kling-v2-6", "sound": "on"}, {("sound", "model_support")}),
    # aspect_ratio
    ({"prompt": "p", "aspect_ratio": "4:3"}, {("aspect_ratio", "enum")}),
    ({"prompt": "p", "aspect_ratio": 1.78}, {("aspect_ratio", "enum")}),
    # duration: whole seconds >= 1, as an int or a string of digits; the model's durations
    ({"prompt": "p", "duration": 5.5}, {("duration", "type")}),
    ({"prompt": "p", "duration": 5.0}, {("duration", "type")}),
    ({"prompt": "p", "duration": "5.0"}, {("duration", "type")}),
    ({"prompt": "p", "duration": "abc"}, {("duration", "type")}),
    ({"prompt": "p", "duration": " 5"}, {("duration", "type")}),
    ({"prompt": "p", "duration": "-5"}, {("duration", "type")}),
    ({"prompt": "p", "duration": True}, {("duration", "type")}),
    ({"prompt": "p", "duration": 0}, {("duration", "range")}),
    ({"prompt": "p", "duration": "0"}, {("duration", "range")}),
    ({"prompt": "p", "duration": -5}, {("duration", "range")}),
    ({"prompt": "p", "model_name": "kling-v9", "duration": 3601}, {("duration", "range")}),
    ({"prompt": "p", "model_name": "kling-v9", "duration": 10**5000}, {("duration", "range")}),
    ({"prompt": "p", "model_name": "kling-v9", "duration": "9" * 5000}, {("duration", "type")}),
    ({"prompt": "p", "duration": 7}, {("duration", "model_support")}),
    ({"prompt": "p", "duration": "15"}, {("duration", "model_support")}),
    ({**V3, "prompt": "p", "duration": 2}, {("duration", "model_support")}),
    ({**V3, "prompt": "p", "duration": 16}, {("duration", "model_support")}),
    # camera_control: type, config only with simple (and then needed), six ints, one non-zero
    ({**V1, "camera_control": {"type": "orbit"}}, {("camera_control.type", "enum")}),
    ({**V1, "camera_control": CameraControl(type=5)}, {("camera_control.type", "enum")}),
    ({**V1, "camera_control": CameraControl("simple")}, {("camera_control.config", "required")}),
    (
        {**V1, "camera_control": CameraControl("down_back", CameraConfig(zoom=1))},
        {("camera_control.config", "forbidden")},
    ),
    ({**V1, "camera_control": CameraControl.simple(zoom=11)}, {("camera_control.config.zoom", "range")}),
    ({**V1, "camera_control": CameraControl.simple(pan=-11)}, {("camera_control.config.pan", "range")}),
    ({**V1, "camera_control": CameraControl.simple(zoom=1.5)}, {("camera_control.config.zoom", "type")}),
    ({**V1, "camera_control": CameraControl.simple(roll=True)}, {("camera_control.config.roll", "type")}),
    ({**V1, "camera_control": CameraControl.simple(tilt="1")}, {("camera_control.config.tilt", "type")}),
    ({**V1, "camera_control": CameraControl.simple()}, {("camera_control.config", "exactly_one_nonzero")}),
    (
        {**V1, "camera_control": CameraControl.simple(zoom=1, pan=1)},
        {("camera_control.config", "exactly_one_nonzero")},
    ),
    ({**V1, "camera_control": "simple"}, {("camera_control", "type")}),
    ({**V1, "camera_control": {"config": {"zoom": 1}}}, {("camera_control.type", "required")}),
    (
        {**V1, "camera_control": {"type": "simple", "config": {"zoom": 1}, "speed": 2}},
        {("camera_control.speed", "unknown_field")},
    ),
    (
        {**V1, "camera_control": {"type": "simple", "config": {"zooom": 1}}},
        {("camera_control.config.zooom", "unknown_field")},
    ),
    (
        {**V1, "camera_control": {"type": "orbit", "config": "zoom"}},
        {("camera_control.config", "type"), ("camera_control.type", "enum")},
    ),
    ({"prompt": "p", "camera_control": CameraControl.simple(zoom=1)}, {("camera_control", "model_support")}),
    ({**V1, "mode": "pro", "camera_control": CameraControl.down_back()}, {("camera_control", "model_support")}),
    ({**V1, "duration": 10, "camera_control": CameraControl.down_back()}, {("camera_control", "model_support")}),
    # a duration the model lacks is reported once, not again by each feature that depends on it
    ({**V1, "duration": 7, "camera_control": CameraControl.down_back()}, {("duration", "model_support")}),
    # watermark
    ({"prompt": "p", "watermark": "yes"}, {("watermark", "type")}),
    ({"prompt": "p", "watermark": 1}, {("watermark", "type")}),
    # callback_url: an http(s) URL with a host
    ({"prompt": "p", "callback_url": "ftp://example.com/hook"}, {("callback_url", "url")}),
    ({"prompt": "p", "callback_url": "example.com/hook"}, {("callback_url", "url")}),
    ({"prompt": "p", "callback_url": "https://"}, {("callback_url", "url")}),
    ({"prompt": "p", "callback_url": "https://exa mple.com/"}, {("callback_url", "url")}),
    ({"prompt": "p", "callback_url": "http://[::1/"}, {("callback_url", "url")}),
    ({"prompt": "p", "callback_url": 5}, {("callback_url", "type")}),
    # external_task_id
    ({"prompt": "p", "external_task_id": "  "}, {("external_task_id", "type")}),
    ({"prompt": "p", "external_task_id": 42}, {("external_task_id", "type")}),
    # multi-shot: multi_shot, shot_type and shots must agree; the model must do multi-shot
    ({"prompt": "p", "multi_shot": "yes"}, {("multi_shot", "type")}),
    ({"prompt": "p", "shot_type": "auto"}, {("shot_type", "enum")}),
    ({**V3, "prompt": "p", "multi_shot": True}, {("shot_type", "required")}),
    ({**V3, "prompt": "p", "shot_type": "customize"}, {("multi_prompt", "required")}),
    ({**V3, "shot_type": "intelligence"}, {("prompt", "required")}),
    ({**V3, "prompt": "p", "shot_type": "intelligence", "multi_shot": False}, {("multi_shot", "mixed")}),
    ({**V3, "shots": [Shot("a", 5)], "multi_shot": False}, {("multi_shot", "mixed")}),
    ({**V3, "shots": [Shot("a", 5)], "shot_type": "intelligence"}, {("shot_type", "mixed")}),
    ({**V3, "shots": [Shot("a", 5)], "prompt": "p"}, {("prompt", "mixed")}),
    ({"prompt": "p", "model_name": "kling-v2-6", "shot_type": "intelligence"}, {("multi_shot", "model_support")}),
    ({"model_name": "kling-v1", "shots": [Shot("a", 5)]}, {("multi_shot", "model_support")}),
    # shots: 1 to 6, each a non-blank prompt of at most 512 characters and whole seconds >= 1
    ({"shots": "a fox"}, {("multi_prompt", "type")}),
    ({"shots": {"prompt": "a", "duration": 5}}, {("multi_prompt", "type")}),
    ({"shots": 5}, {("multi_prompt", "type")}),
    ({"shots": []}, {("multi_prompt", "count")}),
    ({"shots": [Shot("a", 2)] * 7}, {("multi_prompt", "count")}),
    ({"shots": [Shot("", 5)]}, {("multi_prompt[0].prompt", "required")}),
    ({"shots": [Shot("a", 2), Shot(" ", 3)]}, {("multi_prompt[1].prompt", "required")}),
    ({"shots": [Shot(None, 5)]}, {("multi_prompt[0].prompt", "required")}),
    ({"shots": [Shot("a" * 513, 5)]}, {("multi_prompt[0].prompt", "max_length")}),
    ({"shots": [Shot(5, 5)]}, {("multi_prompt[0].prompt", "type")}),
    ({"shots": [Shot("a", 5), Shot("b", 0)], "duration": 5}, {("multi_prompt[1].duration", "range")}),
    ({"shots": [Shot("a", "abc")]}, {("multi_prompt[0].duration", "type")}),
    ({"shots": [Shot("a", 2.5)]}, {("multi_prompt[0].duration", "type")}),
    ({"shots": [Shot("a", None)]}, {("multi_prompt[0].duration", "required")}),
    ({"shots": ["a fox"]}, {("multi_prompt[0]", "type")}),
    ({"shots": [{"prompt": "a"}]}, {("multi_prompt[0].duration", "required")}),
    (
        {"shots": [{"prompt": "a" * 513, "duration": "x", "camera": "pan"}]},
        {
            ("multi_prompt[0].camera", "unknown_field"),
            ("multi_prompt[0].prompt", "max_length"),
            ("multi_prompt[0].duration", "type"),
        },
    ),
    # the shots fill the duration exactly, each within it; the sum must suit the model
    ({"shots": [Shot("a", 2), Shot("b", 3)], "duration": 6}, {("multi_prompt", "sum")}),
    (
        {"shots": [Shot("a", 6), Shot("b", 1)], "duration": 5},
        {("multi_prompt[0].duration", "range"), ("multi_prompt", "sum")},
    ),
    ({"shots": [Shot("a", 1), Shot("b", 1)]}, {("duration", "model_support")}),
    ({"shots": [Shot("a", 10), Shot("b", 10)]}, {("duration", "model_support")}),
    # extra_body
    ({"prompt": "p", "extra_body": [("foo", 1)]}, {("extra_body", "type")}),
    ({"prompt": "p", "extra_body": {1: "x"}}, {("extra_body", "type")}),
]

PASSING: list[tuple[dict[str, Any], dict[str, Any]]] = [
    # (kwargs, what the body must contain)
    ({"prompt": "a" * 2500}, {"prompt": "a" * 2500}),
    ({"prompt": "p", "negative_prompt": "a" * 2500}, {"negative_prompt": "a" * 2500}),
    ({"prompt": "p", "negative_prompt": ""}, {"negative_prompt": ""}),
    ({"prompt": "p", "model_name": "kling-v1"}, {"model_name": "kling-v1"}),
    ({**V1, "cfg_scale": 0}, {"cfg_scale": 0.0}),
    ({**V1, "cfg_scale": 1}, {"cfg_scale": 1.0}),
    ({**V1, "cfg_scale": 0.5}, {"cfg_scale": 0.5}),
    ({"prompt": "p", "model_name": "kling-v1-6", "cfg_scale": 0.25}, {"cfg_scale": 0.25}),
    ({**V3, "prompt": "p", "cfg_scale": 0.7}, {"cfg_scale": 0.7}),
    ({"prompt": "p", "mode": "pro"}, {"mode": "pro"}),
    ({"prompt": "p", "sound": "off"}, {"sound": "off"}),
    ({"prompt": "p", "model_name": "kling-v2-6", "mode": "pro", "sound": "on"}, {"sound": "on"}),
    ({**V3, "prompt": "p", "sound": "on"}, {"sound": "on"}),
    ({"prompt": "p", "aspect_ratio": "9:16"}, {"aspect_ratio": "9:16"}),
    ({"prompt": "p", "aspect_ratio": "1:1"}, {"aspect_ratio": "1:1"}),
    ({"prompt": "p", "duration": 10}, {"duration": "10"}),
    ({"prompt": "p", "duration": "10"}, {"duration": "10"}),
    ({"prompt": "p", "duration": "05"}, {"duration": "5"}),
    ({**V3, "prompt": "p", "duration": 3}, {"duration": "3"}),
    ({**V3, "prompt": "p", "duration": "15"}, {"duration": "15"}),
    ({"prompt": "p", "model_name": "kling-v9", "duration": "3600"}, {"duration": "3600"}),
    (
        {**V1, "camera_control": CameraControl.simple(zoom=-10)},
        {"camera_control": {"type": "simple", "config": {**CameraConfig().to_dict(), "zoom": -10}}},
    ),
    (
        {**V1, "camera_control": {"type": "simple", "config": {"horizontal": 10}}},
        {"camera_control": {"type": "simple", "config": {**CameraConfig().to_dict(), "horizontal": 10}}},
    ),
    ({**V1, "camera_control": CameraControl.down_back()}, {"camera_control": {"type": "down_back"}}),
    ({**V1, "camera_control": CameraControl.forward_up()}, {"camera_control": {"type": "forward_up"}}),
    ({**V1, "camera_control": CameraControl.right_turn_forward()}, {"camera_control": {"type": "right_turn_forward"}}),
    ({**V1, "camera_control": {"type": "left_turn_forward"}}, {"camera_control": {"type": "left_turn_forward"}}),
    (
        {**V1, "camera_control": {"type": "left_turn_forward", "config": None}},
        {"camera_control": {"type": "left_turn_forward"}},
    ),
    ({"prompt": "p", "watermark": True}, {"watermark_info": {"enabled": True}}),
    ({"prompt": "p", "watermark": False}, {"watermark_info": {"enabled": False}}),
    ({"prompt": "p", "callback_url": "https://example.com/hook?x=1"}, {"callback_url": "https://example.com/hook?x=1"}),
    ({"prompt": "p", "callback_url": "http://127.0.0.1:8080/cb"}, {"callback_url": "http://127.0.0.1:8080/cb"}),
    ({"prompt": "p", "external_task_id": "order-17"}, {"external_task_id": "order-17"}),
    ({**V3, "prompt": "p", "multi_shot": True, "shot_type": "intelligence"}, {"multi_shot": True}),
    ({"prompt": "p", "multi_shot": False}, {"multi_shot": False}),
    ({**V3, "shots": [Shot("a", 5)], "multi_shot": True, "shot_type": "customize"}, {"shot_type": "customize"}),
    ({"shots": [Shot("a" * 512, 5)]}, {"multi_prompt": [{"index": 1, "prompt": "a" * 512, "duration": "5"}]}),
    ({"shots": [Shot("a", 2)] * 6}, {"duration": "12"}),
    ({"shots": [Shot("a", 2), Shot("b", "3")], "duration": "5"}, {"duration": "5"}),
    ({"shots": (Shot("a", 15),)}, {"duration": "15"}),
    ({**V3, "shots": [Shot("a", 1), Shot("b", 2)]}, {"duration": "3"}),
    ({"shots": [Shot("a", 5)], "prompt": ""}, {"multi_shot": True}),
]


@pytest.mark.parametrize(("kwargs", "expected"), FAILING)
def test_a_broken_rule_is_reported_by_field_and_rule(kwargs, expected):
    assert found(**kwargs) == expected


@pytest.mark.parametrize(("kwargs", "expected"), PASSING)
def test_a_kept_rule_passes_and_is_sent(kwargs, expected):
    sent = body(**kwargs)
    assert {key: sent.get(key) for key in expected} == expected
    assert_schema_accepts(sent)


@pytest.mark.parametrize("value", ["", None])
@pytest.mark.parametrize("field", ["callback_url", "external_task_id"])
def test_an_empty_callback_url_or_external_task_id_is_not_sent(field, value):
    """The vendor's own example sends "" for both, meaning none."""
    assert field not in body(prompt="p", **{field: value})


def test_messages_say_what_is_allowed():
    by_field = {p.field: p.message for p in problems(prompt="p", mode="fast", duration=7, cfg_scale=0.5)}
    assert "'std' or 'pro'" in by_field["mode"]
    assert "kling-v2-5-turbo" in by_field["duration"]
    assert "5 or 10 s" in by_field["duration"]
    assert "kling-v1, kling-v1-6, kling-v3" in by_field["cfg_scale"]
    (shots,) = problems(shots=[Shot("a", 1), Shot("b", 1)])
    assert "the shots add up to 2 s" in shots.message
    assert "3 to 15 s" in shots.message
    (camera,) = problems(**V1, mode="pro", camera_control=CameraControl.down_back())
    assert camera.message == "kling-v1 takes camera_control only with mode 'std' and duration 5 s"


# --- all problems at once -------------------------------------------------------------------------


def test_every_problem_is_listed_not_only_the_first():
    with pytest.raises(ValidationError) as caught:
        build_create_request(
            prompt="a" * 3000,
            negative_prompt=7,
            model_name="kling-v2-master",
            cfg_scale=0.5,
            mode="fast",
            sound="on",
            aspect_ratio="4:3",
            duration=5.5,
            camera_control=CameraControl.simple(),
            watermark="yes",
            callback_url="ftp://x",
            external_task_id=" ",
            extra_body=[1],
        )
    error = caught.value
    assert {(p.field, p.rule) for p in error.problems} == {
        ("prompt", "max_length"),
        ("negative_prompt", "type"),
        ("cfg_scale", "model_support"),
        ("mode", "enum"),
        ("aspect_ratio", "enum"),
        ("duration", "type"),
        ("camera_control.config", "exactly_one_nonzero"),
        ("camera_control", "model_support"),
        ("sound", "model_support"),
        ("watermark", "type"),
        ("callback_url", "url"),
        ("external_task_id", "type"),
        ("extra_body", "type"),
    }
    assert str(error).count("\n  - ") == len(error.problems)
    assert isinstance(error, ValueError)


def test_every_broken_shot_is_listed():
    fields = [p.field for p in problems(shots=[Shot("", 1), Shot("ok", "x"), "shot", Shot("a" * 600, 0)])]
    assert fields == [
        "multi_prompt[0].prompt",
        "multi_prompt[1].duration",
        "multi_prompt[2]",
        "multi_prompt[3].prompt",
        "multi_prompt[3].duration",
    ]


# --- dict inputs ----------------------------------------------------------------------------------


def test_shots_may_be_dicts_and_their_index_is_ignored():
    shots = [{"index": 7, "prompt": "b", "duration": "3"}, {"prompt": "a", "duration": 2}, Shot("c", 1)]
    assert body(shots=shots)["multi_prompt"] == [
        {"index": 1, "prompt": "b", "duration": "3"},
        {"index": 2, "prompt": "a", "duration": "2"},
        {"index": 3, "prompt": "c", "duration": "1"},
    ]


def test_shot_from_value():
    assert Shot.from_value({"prompt": "a", "duration": 2, "index": 1}) == Shot("a", 2)
    shot = Shot("a", "2")
    assert Shot.from_value(shot) is shot
    with pytest.raises(ValidationError) as caught:
        Shot.from_value({"duration": 2, "seconds": 3})
    assert [(p.field, p.rule) for p in caught.value.problems] == [
        ("prompt", "required"),
        ("seconds", "unknown_field"),
    ]
    with pytest.raises(ValidationError, match="not a tuple"):
        Shot.from_value(("a", 2))


def test_camera_control_from_value():
    api = {"type": "simple", "config": {"zoom": 5}}
    assert CameraControl.from_value(api) == CameraControl.simple(zoom=5)
    assert CameraControl.from_value({"type": "forward_up"}) == CameraControl.forward_up()
    assert CameraControl.from_value(CameraControl("simple", {"pan": 2})) == CameraControl.simple(pan=2)
    assert CameraControl.simple(zoom=5).to_dict() == {"type": "simple", "config": CameraConfig(zoom=5).to_dict()}
    assert CameraControl.down_back().to_dict() == {"type": "down_back"}
    with pytest.raises(ValidationError) as caught:
        CameraControl.from_value({"config": {"zoom": 1, "speed": 2}})
    assert {(p.field, p.rule) for p in caught.value.problems} == {
        ("type", "required"),
        ("config.speed", "unknown_field"),
    }


def test_a_camera_preset_is_sent_without_config():
    request = build_create_request(**V1, camera_control=CameraControl.left_turn_forward())
    assert request.to_dict()["camera_control"] == {"type": "left_turn_forward"}


# --- extra_body -----------------------------------------------------------------------------------


def test_extra_body_adds_unknown_fields_as_they_are():
    extra = {"new_field": {"nested": [1, 2]}, "another": None}
    request = build_create_request(prompt="p", extra_body=extra)
    assert request.to_dict() == body(prompt="p") | extra
    assert request.additional_properties == extra
    assert extra == {"new_field": {"nested": [1, 2]}, "another": None}  # the caller's dict is untouched


@pytest.mark.parametrize(
    "extra",
    [
        {"mode": "4k"},
        {"duration": 7},
        {"multi_shot": None},
        {"prompt": None},
        {"cfg_scale": "high"},
        {"watermark_info": True},
        {"camera_control": {"type": "orbit", "config": {"speed": 3}}},
        {"multi_prompt": "all at once"},
    ],
)
def test_extra_body_is_laid_over_the_body_last_and_sent_unchecked(extra):
    kwargs = {**V1, "camera_control": CameraControl.simple(zoom=1), "watermark": True, "cfg_scale": 0.5}
    assert body(**kwargs, extra_body=extra) == body(**kwargs) | extra


# --- models the table does not know ----------------------------------------------------------------


def test_an_unknown_model_passes_the_universal_rules_with_a_warning(caplog):
    caplog.set_level(logging.WARNING, logger="kling_video")
    sent = body(
        prompt="p",
        model_name="kling-v9",
        duration=42,
        cfg_scale=0.5,
        sound="on",
        camera_control=CameraControl.down_back(),
        mode="pro",
    )
    assert sent["model_name"] == "kling-v9"
    assert sent["duration"] == "42"
    (record,) = caplog.records
    assert record.name == "kling_video"
    assert record.levelno == logging.WARNING
    assert "kling-v9" in record.getMessage()


def test_an_unknown_model_still_gets_the_universal_rules():
    assert found(prompt="p", model_name="kling-v9", duration=0, mode="fast", sound="loud") == {
        ("duration", "range"),
        ("mode", "enum"),
        ("sound", "enum"),
    }


def test_a_known_model_logs_nothing(caplog):
    caplog.set_level(logging.DEBUG, logger="kling_video")
    body(prompt="p", model_name="kling-v1")
    body(prompt="p")
    assert caplog.records == []


def test_a_new_model_is_one_row_of_the_table(monkeypatch):
    row = ModelCapabilities("kling-x", modes=frozenset({"pro"}), durations=frozenset({8}))
    monkeypatch.setattr(model_table, "MODELS", {**MODELS, "kling-x": row})
    assert body(prompt="p", model_name="kling-x", mode="pro", duration=8)["duration"] == "8"
    assert found(prompt="p", model_name="kling-x") == {("mode", "model_support"), ("duration", "model_support")}


def test_a_mode_the_model_lacks_is_reported_once_not_again_by_each_feature(monkeypatch):
    row = ModelCapabilities("kling-x", modes=frozenset({"pro"}), durations=frozenset({5}), sound=only(modes=["pro"]))
    monkeypatch.setattr(model_table, "MODELS", {**MODELS, "kling-x": row})
    assert found(prompt="p", model_name="kling-x", mode="std", sound="on") == {("mode", "model_support")}
    assert found(prompt="p", model_name="kling-x", mode="pro", sound="on", duration=10) == {
        ("duration", "model_support")
    }


# --- garbage in: a ValidationError out, never another exception ------------------------------------

KWARGS = [
    "prompt",
    "shots",
    "model_name",
    "negative_prompt",
    "cfg_scale",
    "mode",
    "sound",
    "aspect_ratio",
    "duration",
    "camera_control",
    "watermark",
    "callback_url",
    "external_task_id",
    "multi_shot",
    "shot_type",
    "extra_body",
]


class Unprintable:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


GARBAGE = [object(), Unprintable(), b"x", 1j, math.nan, -1, 10**5000, [], [None], {}, {"type": None}, set(), Shot, len]


@pytest.mark.parametrize(
    ("name", "value"),
    # any mapping is a valid extra_body: it is sent unchecked
    [(name, value) for name in KWARGS for value in GARBAGE if not (name == "extra_body" and isinstance(value, dict))],
    ids=lambda v: v if isinstance(v, str) else type(v).__name__,
)
def test_any_garbage_in_any_argument_is_a_validation_error(name, value):
    kwargs = {"prompt": "p", name: value}
    if name == "shots":
        del kwargs["prompt"]
    with pytest.raises(ValidationError):
        build_create_request(**kwargs)


def test_the_keyword_list_is_the_whole_signature():
    assert list(inspect.signature(build_create_request).parameters) == KWARGS


junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=8),
    st.binary(max_size=4),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
    st.just(object()),
)
shot_values = st.one_of(
    st.builds(Shot, st.text(max_size=6), st.integers(-1, 16) | st.text("0123456789.", max_size=2)),
    st.fixed_dictionaries(
        {"prompt": st.text(max_size=6) | junk, "duration": st.integers(-1, 16) | junk},
        optional={"index": st.integers(), "other": junk},
    ),
    junk,
)
camera_values = st.one_of(
    st.builds(
        CameraControl,
        st.sampled_from([*C.CAMERA_TYPES, "orbit"]) | junk,
        st.none() | st.builds(CameraConfig, *[st.integers(-11, 11) | junk for _ in C.CAMERA_AXES]),
    ),
    st.fixed_dictionaries(
        {"type": st.sampled_from(C.CAMERA_TYPES) | junk},
        optional={"config": st.dictionaries(st.sampled_from([*C.CAMERA_AXES, "x"]), st.integers(-11, 11) | junk)},
    ),
    junk,
)
PLAUSIBLE: dict[str, st.SearchStrategy[Any]] = {
    "prompt": st.text(max_size=20) | st.just("a" * 2501),
    "shots": st.lists(shot_values, max_size=7) | st.tuples(shot_values),
    "model_name": st.sampled_from([*MODELS, "kling-v9", ""]),
    "negative_prompt": st.text(max_size=20),
    "cfg_scale": st.floats() | st.integers(-1, 2) | st.fractions(),
    "mode": st.sampled_from([*C.MODES, "fast"]),
    "sound": st.sampled_from([*C.SOUND_VALUES, "ON"]),
    "aspect_ratio": st.sampled_from([*C.ASPECT_RATIOS, "4:3"]),
    "duration": st.integers(-1, 17) | st.text("0123456789.-", max_size=3),
    "camera_control": camera_values,
    "watermark": st.booleans(),
    "callback_url": st.sampled_from(["", "https://example.com/cb", "http://[::1]:9/x", "ftp://x", "http://"])
    | st.text(max_size=12),
    "external_task_id": st.text(max_size=12),
    "multi_shot": st.booleans(),
    "shot_type": st.sampled_from([*C.SHOT_TYPES, "auto"]),
}
# extra_body is sent unchecked, so only fields the schema does not know keep the property true
EXTRA_BODY = st.dictionaries(st.text(max_size=6).map("x_".__add__), st.integers() | st.text(max_size=4)) | junk.filter(
    lambda value: not isinstance(value, dict)
)
ANY_VALUE = {name: strategy | junk for name, strategy in PLAUSIBLE.items()} | {"extra_body": EXTRA_BODY}


@st.composite
def create_kwargs(draw: st.DrawFn) -> dict[str, Any]:
    """A request the table allows, with up to four arguments replaced by anything at all.

    Starting from a valid request keeps both outcomes common: with nothing replaced it is
    accepted, and one bad value is enough to be refused.
    """
    kwargs = draw(allowed_requests())
    for name in draw(st.lists(st.sampled_from(KWARGS), max_size=4, unique=True)):
        kwargs[name] = draw(ANY_VALUE[name])
    return kwargs


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(create_kwargs())
def test_any_input_gives_a_schema_valid_request_or_a_validation_error(kwargs):
    try:
        request = build_create_request(**kwargs)
    except ValidationError as error:
        reported = error.problems
    else:
        assert_schema_accepts(request.to_dict())
        return
    assert reported
    assert all(p.field and p.rule and p.message for p in reported)
