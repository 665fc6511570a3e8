"""``kling-video generate``: a prompt in, the served MP4 out, every request field reachable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kling_video.camera import CameraConfig, CameraControl
from kling_video.cli.options import parse_camera

from tests.cli.helpers import POLL, SAMPLE, creates, no_traceback

pytestmark = pytest.mark.integration


def test_generate_saves_the_served_video_and_prints_its_path(run, sim, tmp_path):
    result = run("generate", "a fox in the snow", "--out", str(tmp_path), "--poll-interval", POLL)
    assert result.exit_code == 0, result.stderr
    task_id = sim.tasks[0]["task_id"]
    saved = tmp_path / f"{task_id}.mp4"
    assert result.stdout == f"{saved.resolve()}\n"  # stdout holds the result and nothing else
    assert saved.read_bytes() == SAMPLE
    # stderr is not a terminal here: one plain line per status change, no animation
    assert f"task {task_id}: submitted" in result.stderr
    assert f"task {task_id}: succeed" in result.stderr
    assert "\x1b[" not in result.stderr
    assert len(creates(sim)) == 1
    no_traceback(result)


def test_generate_json_is_the_task_with_its_paths(run, sim, tmp_path):
    result = run("--json", "generate", "a fox", "--out", str(tmp_path), "--poll-interval", POLL)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["task_id"] == sim.tasks[0]["task_id"]
    assert data["status"] == "succeed"
    assert data["external_task_id"] == creates(sim)[0].json["external_task_id"]
    assert data["videos"][0]["url"].startswith(sim.base_url)
    assert Path(data["paths"][0]).read_bytes() == SAMPLE
    assert result.stderr == ""  # nothing decorative with --json


def test_no_wait_prints_the_task_id_and_sends_only_the_create(run, sim, tmp_path):
    result = run("generate", "a fox", "--no-wait", "--out", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    task_id = sim.tasks[0]["task_id"]
    assert result.stdout == f"{task_id}\n"
    assert f"kling-video wait {task_id}" in result.stderr
    assert [r.operation for r in sim.requests] == ["create"]
    assert list(tmp_path.iterdir()) == []


def test_no_wait_json(run, sim):
    result = run("--json", "generate", "a fox", "--no-wait", "--external-id", "order-7")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["task_id"] == sim.tasks[0]["task_id"]
    assert data["status"] == "submitted"
    assert data["external_task_id"] == "order-7"
    assert "paths" not in data


def test_every_option_reaches_the_request_body(run, sim):
    result = run(
        "generate",
        "a lighthouse",
        "--no-wait",
        "--model",
        "kling-v1",
        "--mode",
        "std",
        "--duration",
        "5",
        "--aspect-ratio",
        "9:16",
        "--negative",
        "blur",
        "--cfg-scale",
        "0.3",
        "--sound",
        "off",
        "--camera",
        "simple:zoom=5",
        "--watermark",
        "--callback-url",
        "https://example.com/hook",
        "--external-id",
        "order-42",
    )
    assert result.exit_code == 0, result.stderr
    body = creates(sim)[0].json
    assert body["prompt"] == "a lighthouse"
    assert body["model_name"] == "kling-v1"
    assert body["mode"] == "std"
    assert body["duration"] == "5"
    assert body["aspect_ratio"] == "9:16"
    assert body["negative_prompt"] == "blur"
    assert body["cfg_scale"] == 0.3
    assert body["sound"] == "off"
    assert body["camera_control"] == {
        "type": "simple",
        "config": {"horizontal": 0, "vertical": 0, "pan": 0, "tilt": 0, "roll": 0, "zoom": 5},
    }
    assert body["watermark_info"] == {"enabled": True}
    assert body["callback_url"] == "https://example.com/hook"
    assert body["external_task_id"] == "order-42"


def test_a_camera_preset_is_sent_without_config(run, sim):
    result = run("generate", "a valley", "--no-wait", "--model", "kling-v1", "--camera", "down_back")
    assert result.exit_code == 0, result.stderr
    assert creates(sim)[0].json["camera_control"] == {"type": "down_back"}


def test_options_not_given_are_left_to_the_wrapper_defaults(run, sim):
    assert run("generate", "a fox", "--no-wait").exit_code == 0
    body = creates(sim)[0].json
    assert body["model_name"] == "kling-v2-5-turbo"
    assert body["duration"] == "5"
    assert body["external_task_id"].startswith("kv-")
    for absent in ("cfg_scale", "sound", "camera_control", "watermark_info", "callback_url", "negative_prompt"):
        assert absent not in body


STORYBOARD_YAML = """\
# a harbour, in two shots
- prompt: wide shot of a harbour at dawn
  duration: 2
- prompt: close-up of a gull taking off
  duration: 3
"""


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("shots.yaml", STORYBOARD_YAML),
        (
            "shots.json",
            json.dumps(
                [
                    {"prompt": "wide shot of a harbour at dawn", "duration": 2},
                    {"prompt": "close-up of a gull taking off", "duration": "3"},
                ]
            ),
        ),
    ],
)
def test_a_storyboard_makes_a_multi_shot_video(run, sim, tmp_path, name, text):
    board = tmp_path / name
    board.write_text(text)
    result = run("generate", "--storyboard", str(board), "--out", str(tmp_path), "--poll-interval", POLL)
    assert result.exit_code == 0, result.stderr
    body = creates(sim)[0].json
    assert body["multi_shot"] is True
    assert body["shot_type"] == "customize"
    assert body["model_name"] == "kling-v3"  # the model the table marks as multi-shot
    assert body["duration"] == "5"  # the sum of the shots
    assert body["multi_prompt"] == [
        {"index": 1, "prompt": "wide shot of a harbour at dawn", "duration": "2"},
        {"index": 2, "prompt": "close-up of a gull taking off", "duration": "3"},
    ]
    assert "prompt" not in body
    assert Path(result.stdout.strip()).read_bytes() == SAMPLE


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("bad.yaml", "- prompt: [unclosed\n", "error: storyboard: "),
        ("bad.json", "[{", "is not valid JSON"),
        ("map.yaml", "prompt: one shot\nduration: 5\n", "must hold a non-empty list of shots"),
        ("empty.yaml", "", "must hold a non-empty list of shots"),
        ("item.yaml", "- just a string\n", "error: storyboard[0]: "),
        ("key.yaml", "- prompt: a\n  seconds: 2\n", "error: multi_prompt[0]"),
        # 2 s in all: kling-v3, the multi-shot model, makes 3 to 15 s
        ("sum.yaml", "- prompt: a\n  duration: 1\n- prompt: b\n  duration: 1\n", "error: duration: "),
    ],
)
def test_a_bad_storyboard_is_one_line_per_problem_and_sends_nothing(run, sim, tmp_path, name, text, expected):
    board = tmp_path / name
    board.write_text(text)
    result = run("generate", "--storyboard", str(board))
    assert result.exit_code == 2
    assert expected in result.stderr
    assert all(line.startswith("error: ") for line in result.stderr.splitlines())
    assert sim.requests == []
    no_traceback(result)


def test_prompt_and_storyboard_together_is_a_usage_error(run, sim, tmp_path):
    board = tmp_path / "shots.yaml"
    board.write_text(STORYBOARD_YAML)
    result = run("generate", "a fox", "--storyboard", str(board))
    assert result.exit_code == 2
    assert "not both" in result.stderr
    assert sim.requests == []


def test_neither_prompt_nor_storyboard_is_a_usage_error(run, sim):
    result = run("generate")
    assert result.exit_code == 2
    assert "give a PROMPT" in result.stderr
    assert sim.requests == []


# --- --camera parsing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("down_back", CameraControl("down_back")),
        ("forward_up", CameraControl("forward_up")),
        ("simple:zoom=5", CameraControl.simple(zoom=5)),
        ("simple:pan=-3", CameraControl.simple(pan=-3)),
        ("Simple: Tilt = +2", CameraControl.simple(tilt=2)),
        # two axes parse; the wrapper, which owns the rule, refuses them (tested below)
        ("simple:zoom=5,pan=2", CameraControl("simple", CameraConfig(zoom=5, pan=2))),
        ("simple:", None),
        ("simple:zoom", None),
        ("simple:zom=5", None),
        ("simple:zoom=five", None),
        ("simple:zoom=1.5", None),
        ("simple:zoom=1,zoom=2", None),
        ("", None),
        ("sim ple", None),
    ],
)
def test_parse_camera(text, expected):
    if expected is None:
        with pytest.raises(ValueError):
            parse_camera(text)
    else:
        assert parse_camera(text) == expected


def test_a_malformed_camera_is_a_usage_error_naming_the_option(run, sim):
    result = run("generate", "a fox", "--camera", "simple:zom=5")
    assert result.exit_code == 2
    assert "--camera" in result.stderr
    assert "unknown axis 'zom'" in result.stderr
    assert sim.requests == []


@pytest.mark.parametrize(
    ("camera", "field"),
    [
        ("simple:zoom=5,pan=2", "camera_control.config"),
        ("simple:zoom=11", "camera_control.config.zoom"),
        ("simple", "camera_control.config"),
        ("orbit", "camera_control.type"),
    ],
)
def test_camera_rules_come_from_the_wrapper(run, sim, camera, field):
    result = run("generate", "a fox", "--model", "kling-v1", "--camera", camera)
    assert result.exit_code == 2
    assert f"error: {field}: " in result.stderr
    assert sim.requests == []
