"""The simulator's API over real HTTP: Kling's shapes, codes, rules and task lifecycle.

Plain httpx against a running simulator, so these tests say what any client will see. The clock
is manual (speed 0): a task moves only when a test advances it.
"""

from __future__ import annotations

import re
import ssl
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from kling_video.testing import Simulator

pytestmark = pytest.mark.integration

PATH = "/kling/v1/videos/text2video"
# Building an SSL context costs 40 ms per httpx client; plain-http loopback never uses one.
TLS = ssl.create_default_context()


def client_for(sim: Simulator, *, key: bool = True) -> httpx.Client:
    headers = {"Authorization": f"Bearer {sim.api_key}"} if key else {}
    return httpx.Client(base_url=sim.base_url, headers=headers, verify=TLS, timeout=5)


def body(**fields: Any) -> dict[str, Any]:
    """A create body the gateway accepts, with ``fields`` changed (None removes one)."""
    base: dict[str, Any] = {
        "model_name": "kling-v1",
        "mode": "std",
        "duration": "5",
        "multi_shot": False,
        "prompt": "a fox in the snow",
    }
    base.update(fields)
    return {key: value for key, value in base.items() if value is not None}


@pytest.fixture(scope="module")
def shared() -> Iterator[Simulator]:
    with Simulator(speed=0, queue_seconds=5, run_seconds=60, seed=11) as sim:
        yield sim


@pytest.fixture
def simulator(shared: Simulator) -> Simulator:
    shared.reset()
    return shared


@pytest.fixture(scope="module")
def shared_api(shared: Simulator) -> Iterator[httpx.Client]:
    with client_for(shared) as client:
        yield client


@pytest.fixture(scope="module")
def anonymous(shared: Simulator) -> Iterator[httpx.Client]:
    with client_for(shared, key=False) as client:
        yield client


@pytest.fixture
def api(simulator: Simulator, shared_api: httpx.Client) -> httpx.Client:
    return shared_api


def create(api: httpx.Client, **fields: Any) -> dict[str, Any]:
    response = api.post(PATH, json=body(**fields))
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def get(api: httpx.Client, task_or_external_id: str) -> dict[str, Any]:
    response = api.get(f"{PATH}/{task_or_external_id}")
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


# Shapes


def test_create_answers_the_vendor_example_shape(api):
    before = int(time.time() * 1000)
    response = api.post(PATH, json=body())
    after = int(time.time() * 1000)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    answer = response.json()
    assert set(answer) == {"code", "message", "request_id", "data"}
    assert answer["code"] == 0
    assert answer["message"] == "SUCCEED"
    assert uuid.UUID(answer["request_id"])
    data = answer["data"]
    assert set(data) == {"task_id", "task_status", "task_info", "created_at", "updated_at"}
    assert re.fullmatch(r"[1-9][0-9]{17}", data["task_id"])
    assert data["task_status"] == "submitted"
    assert data["task_info"] == {}
    assert before - 1000 <= data["created_at"] <= after + 1000  # epoch milliseconds, not seconds
    assert data["updated_at"] == data["created_at"]


def test_every_answer_has_its_own_request_id(api):
    ids = {api.post(PATH, json=body()).json()["request_id"] for _ in range(3)}
    ids.add(api.get(f"{PATH}/nope").json()["request_id"])
    assert len(ids) == 4


def test_external_task_id_is_echoed_and_finds_the_task(api):
    created = create(api, external_task_id="order-42")
    assert created["task_info"] == {"external_task_id": "order-42"}

    by_id, by_external = get(api, created["task_id"]), get(api, "order-42")
    assert by_id == by_external
    assert by_id["task_id"] == created["task_id"]
    assert by_id["task_info"] == {"external_task_id": "order-42"}


def test_an_empty_external_task_id_counts_as_none(api):
    first = create(api, external_task_id="")
    second = create(api, external_task_id="")
    assert first["task_info"] == second["task_info"] == {}
    assert first["task_id"] != second["task_id"]


def test_query_shape_while_running(api):
    created = create(api)
    task = get(api, created["task_id"])
    assert task == {
        "task_id": created["task_id"],
        "task_status": "submitted",
        "task_status_msg": "",
        "task_info": {},
        "watermark_info": {"enabled": False},
        "created_at": created["created_at"],
        "updated_at": created["created_at"],
    }


# Lifecycle on the simulated clock


def test_status_moves_only_with_the_clock(simulator, api):
    task_id = create(api)["task_id"]
    created_at = get(api, task_id)["created_at"]

    time.sleep(0.1)
    assert get(api, task_id)["task_status"] == "submitted"  # speed 0: real time changes nothing

    simulator.advance(4.9)
    assert get(api, task_id)["task_status"] == "submitted"
    simulator.advance(0.2)
    processing = get(api, task_id)
    assert processing["task_status"] == "processing"
    assert processing["updated_at"] - created_at == 5000
    assert "task_result" not in processing

    simulator.advance(54.8)
    assert get(api, task_id)["task_status"] == "processing"
    simulator.advance(0.2)
    done = get(api, task_id)
    assert done["task_status"] == "succeed"
    assert done["updated_at"] - created_at == 60_000
    assert done["task_status_msg"] == ""
    assert done["final_unit_deduction"] == "1"


def test_a_succeeded_task_has_one_video_served_by_the_simulator(simulator, api, anonymous):
    task_id = create(api, duration="10", mode="pro")["task_id"]
    simulator.advance(60)
    task = get(api, task_id)

    (video,) = task["task_result"]["videos"]
    assert set(video) == {"id", "url", "duration"}  # no watermark_url unless asked for
    assert video["duration"] == "10.1"
    assert video["url"].startswith(f"{simulator.base_url}/")
    assert task["final_unit_deduction"] == "7"
    assert anonymous.get(video["url"]).status_code == 200  # result URLs need no key


def test_watermark_url_only_when_watermark_is_enabled(simulator, api):
    marked = create(api, watermark_info={"enabled": True})["task_id"]
    plain = create(api, watermark_info={"enabled": False})["task_id"]
    simulator.advance(60)

    (video,) = get(api, marked)["task_result"]["videos"]
    assert get(api, marked)["watermark_info"] == {"enabled": True}
    assert video["watermark_url"] != video["url"]
    assert api.get(video["watermark_url"]).status_code == 200
    assert "watermark_url" not in get(api, plain)["task_result"]["videos"][0]
    assert get(api, plain)["watermark_info"] == {"enabled": False}


def test_run_seconds_can_differ_per_task():
    def run_seconds(request: Any) -> float:
        return 10.0 if "quick" in request["prompt"] else 100.0

    with (
        Simulator(speed=0, queue_seconds=1, run_seconds=run_seconds) as sim,
        client_for(sim) as api,
    ):
        quick = create(api, prompt="a quick one")["task_id"]
        slow = create(api, prompt="a long one")["task_id"]
        sim.advance(10)
        assert get(api, quick)["task_status"] == "succeed"
        assert get(api, slow)["task_status"] == "processing"
        sim.advance(90)
        assert get(api, slow)["task_status"] == "succeed"


def test_a_running_clock_finishes_tasks_without_help():
    with (
        Simulator(speed=600) as sim,  # the default 60 s task takes 0.1 s
        client_for(sim) as api,
    ):
        task_id = create(api)["task_id"]
        deadline = time.monotonic() + 5
        while get(api, task_id)["task_status"] != "succeed":
            assert time.monotonic() < deadline, "the task never finished"
            time.sleep(0.02)


def test_the_failure_trigger_fails_a_task_with_a_reason(simulator, api):
    task_id = create(api, prompt="a fox, simulate-failure please")["task_id"]
    simulator.advance(5)
    assert get(api, task_id)["task_status"] == "processing"  # it fails at the end, like a real one
    simulator.advance(60)
    task = get(api, task_id)
    assert task["task_status"] == "failed"
    assert "moderation" in task["task_status_msg"]
    assert "task_result" not in task
    assert task["final_unit_deduction"] == "0"


def test_the_failure_trigger_works_in_a_shot_prompt(simulator, api):
    shots = [
        {"index": 1, "prompt": "wide shot of a harbour", "duration": "2"},
        {"index": 2, "prompt": "simulate-failure", "duration": "3"},
    ]
    task_id = create(
        api, model_name="kling-v3", prompt=None, multi_shot=True, shot_type="customize", multi_prompt=shots
    )["task_id"]
    simulator.advance(60)
    assert get(api, task_id)["task_status"] == "failed"


def test_a_failure_rule_replaces_the_trigger():
    def failure(request: Any) -> str | None:
        return "out of snow" if "fox" in request["prompt"] else None

    with (
        Simulator(speed=0, failure=failure) as sim,
        client_for(sim) as api,
    ):
        fox = create(api, prompt="a fox")["task_id"]
        trigger = create(api, prompt="simulate-failure")["task_id"]
        sim.advance(60)
        assert get(api, fox)["task_status"] == "failed"
        assert get(api, fox)["task_status_msg"] == "out of snow"
        assert get(api, trigger)["task_status"] == "succeed"


# List


def test_list_is_newest_first_and_paged(simulator, api):
    ids = [create(api, prompt=f"clip {n}")["task_id"] for n in range(5)]
    simulator.advance(60)

    first = api.get(PATH, params={"pageNum": 1, "pageSize": 2}).json()
    assert first["code"] == 0
    assert [task["task_id"] for task in first["data"]] == [ids[4], ids[3]]
    assert all(task["task_status"] == "succeed" for task in first["data"])
    assert "task_result" in first["data"][0]
    third = api.get(PATH, params={"pageNum": 3, "pageSize": 2}).json()["data"]
    assert [task["task_id"] for task in third] == [ids[0]]
    assert api.get(PATH, params={"pageNum": 4, "pageSize": 2}).json()["data"] == []
    assert [task["task_id"] for task in api.get(PATH).json()["data"]] == ids[::-1]  # defaults 1 and 30


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"pageNum": 0}, "pageNum"),
        ({"pageNum": 1001}, "pageNum"),
        ({"pageNum": "two"}, "pageNum"),
        ({"pageSize": 0}, "pageSize"),
        ({"pageSize": 501}, "pageSize"),
        ({"pageSize": "1.5"}, "pageSize"),
    ],
)
def test_list_bounds_are_enforced(api, params, field):
    response = api.get(PATH, params=params)
    assert response.status_code == 400
    assert response.json()["code"] == 1201
    assert field in response.json()["message"]


def test_list_accepts_the_extremes(api):
    assert api.get(PATH, params={"pageNum": 1000, "pageSize": 500}).status_code == 200
    assert api.get(PATH, params={"pageNum": 1, "pageSize": 1}).status_code == 200


# Authentication


@pytest.mark.parametrize(
    ("method", "url"),
    [("POST", PATH), ("GET", f"{PATH}/123456789012345678"), ("GET", PATH)],
)
@pytest.mark.parametrize(
    ("authorization", "code"),
    [(None, 1001), ("", 1001), ("Bearer", 1001), ("Bearer sk-wrong", 1002), ("Basic c2stc2ltdWxhdG9y", 1002)],
)
def test_authentication_codes(simulator, anonymous, method, url, authorization, code):
    headers = {} if authorization is None else {"Authorization": authorization}
    response = anonymous.request(method, url, headers=headers, json=body())
    assert response.status_code == 401
    assert response.json()["code"] == code
    assert not simulator.tasks


def test_a_custom_api_key_is_the_only_one_accepted():
    with Simulator(speed=0, api_key="sk-custom") as sim, client_for(sim, key=False) as anonymous:
        good = anonymous.get(PATH, headers={"Authorization": "Bearer sk-custom"})
        bad = anonymous.get(PATH, headers={"Authorization": "Bearer sk-simulator"})
    assert sim.api_key == "sk-custom"
    assert good.status_code == 200
    assert bad.status_code == 401


def test_an_unknown_task_is_1203(api):
    response = api.get(f"{PATH}/999999999999999999")
    assert response.status_code == 404
    assert response.json()["code"] == 1203


def test_a_wrong_method_is_405_with_allow(api):
    response = api.delete(f"{PATH}/123")
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD"}
    assert response.json()["code"] == 1202


# Server-side rules


V3 = {"model_name": "kling-v3", "prompt": None, "multi_shot": True, "shot_type": "customize"}


def shots(*durations: str, prompt: str = "a shot") -> list[dict[str, Any]]:
    return [{"index": n + 1, "prompt": prompt, "duration": d} for n, d in enumerate(durations)]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"model_name": None}, "model_name"),
        ({"mode": None}, "mode"),
        ({"duration": None}, "duration"),
        ({"multi_shot": None}, "multi_shot"),
        ({"model_name": "kling-v9"}, "model_name"),
        ({"model_name": 1}, "model_name"),
        ({"mode": "turbo"}, "mode"),
        ({"aspect_ratio": "4:3"}, "aspect_ratio"),
        ({"duration": 5}, "duration"),
        ({"duration": "7"}, "duration"),
        ({"duration": "5.5"}, "duration"),
        ({"model_name": "kling-v3", "duration": "16"}, "duration"),
        ({"multi_shot": "false"}, "multi_shot"),
        ({"prompt": None}, "prompt"),
        ({"prompt": ""}, "prompt"),
        ({"prompt": "   "}, "prompt"),
        ({"prompt": "x" * 2501}, "prompt"),
        ({"negative_prompt": "x" * 2501}, "negative_prompt"),
        ({"cfg_scale": 1.5}, "cfg_scale"),
        ({"cfg_scale": "0.5"}, "cfg_scale"),
        ({"model_name": "kling-v2-master", "cfg_scale": 0.5}, "cfg_scale"),
        ({"sound": "loud"}, "sound"),
        ({"sound": "on"}, "sound"),
        ({"model_name": "kling-v2-6", "sound": "on"}, "sound"),
        ({"watermark_info": {"enabled": "yes"}}, "watermark_info"),
        ({"watermark_info": {}}, "watermark_info"),
        ({"callback_url": "ftp://example.com/hook"}, "callback_url"),
        ({"external_task_id": 42}, "external_task_id"),
        ({"camera_control": {"type": "zoom_in"}}, "camera_control.type"),
        ({"camera_control": {"type": "simple"}}, "camera_control.config"),
        (
            {
                "camera_control": {
                    "type": "simple",
                    "config": dict.fromkeys(("horizontal", "vertical", "pan", "tilt", "roll", "zoom"), 0),
                }
            },
            "camera_control.config",
        ),
        (
            {
                "camera_control": {
                    "type": "simple",
                    "config": {"horizontal": 1, "vertical": 1, "pan": 0, "tilt": 0, "roll": 0, "zoom": 0},
                }
            },
            "camera_control.config",
        ),
        (
            {
                "camera_control": {
                    "type": "simple",
                    "config": {"horizontal": 11, "vertical": 0, "pan": 0, "tilt": 0, "roll": 0, "zoom": 0},
                }
            },
            "camera_control.config.horizontal",
        ),
        ({"camera_control": {"type": "down_back", "config": {"horizontal": 1}}}, "camera_control.config"),
        ({"camera_control": {"type": "down_back"}, "mode": "pro"}, "camera_control"),
        ({"camera_control": {"type": "down_back"}, "model_name": "kling-v1-6"}, "camera_control"),
        ({"multi_shot": True}, "multi_shot"),
        ({**V3, "shot_type": None}, "shot_type"),
        ({**V3, "shot_type": "random"}, "shot_type"),
        ({**V3}, "multi_prompt"),
        ({**V3, "multi_prompt": []}, "multi_prompt"),
        ({**V3, "duration": "12", "multi_prompt": shots("2", "2", "2", "2", "2", "1", "1")}, "multi_prompt"),
        ({**V3, "multi_prompt": shots("2", "2")}, "multi_prompt"),
        ({**V3, "multi_prompt": shots("0", "5")}, "multi_prompt[0].duration"),
        ({**V3, "multi_prompt": shots("2", "3", prompt="")}, "multi_prompt[0].prompt"),
        ({**V3, "multi_prompt": shots("2", "3", prompt="x" * 513)}, "multi_prompt[0].prompt"),
        ({**V3, "multi_prompt": [{"index": "1", "prompt": "a", "duration": "5"}]}, "multi_prompt[0].index"),
        ({**V3, "shot_type": "intelligence"}, "prompt"),
    ],
)
def test_invalid_bodies_are_refused_naming_the_field(simulator, api, fields, field):
    response = api.post(PATH, json=body(**fields))
    assert response.status_code == 400, response.text
    answer = response.json()
    assert answer["code"] == 1201
    assert field in answer["message"]
    assert "data" not in answer
    assert not simulator.tasks


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"", b"[1, 2]", b'"a string"', b"null"],
    ids=["broken", "empty", "array", "string", "null"],
)
def test_a_body_that_is_not_a_json_object_is_1200(api, content):
    response = api.post(PATH, content=content, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["code"] == 1200


@pytest.mark.parametrize(
    "fields",
    [
        {
            "multi_shot": True,
            "shot_type": "customize",
            "model_name": "kling-v3",
            "prompt": None,
            "multi_prompt": shots("2", "3"),
        },
        {
            "multi_shot": True,
            "shot_type": "customize",
            "model_name": "kling-v3",
            "prompt": "",
            "multi_prompt": shots("15"),
            "duration": "15",
        },
        {"multi_shot": True, "shot_type": "intelligence", "model_name": "kling-v3", "prompt": "a storm"},
        {"multi_shot": False, "shot_type": "bogus", "multi_prompt": shots("9")},  # ignored when not multi-shot
        {"model_name": "kling-v2-6", "mode": "pro", "sound": "on"},
        {"model_name": "kling-v3", "duration": "3", "sound": "on"},
        {"sound": "off", "cfg_scale": 0, "negative_prompt": "", "aspect_ratio": "9:16"},
        {
            "camera_control": {
                "type": "simple",
                "config": {"horizontal": 0, "vertical": 0, "pan": 0, "tilt": 0, "roll": -10, "zoom": 0},
            }
        },
        {"camera_control": {"type": "forward_up"}},
        {"callback_url": "", "external_task_id": "", "prompt": "x" * 2500, "unknown_field": 1},
        {"model_name": "kling-v2-5-turbo", "duration": "10", "watermark_info": {"enabled": False}},
    ],
)
def test_valid_bodies_are_accepted(api, fields):
    response = api.post(PATH, json=body(**fields))
    assert response.status_code == 200, response.text


def test_the_vendor_example_is_accepted_once_it_has_multi_shot(api):
    example = {
        "model_name": "kling-v1",
        "prompt": "生成一个海边有一个人跳舞的视频",
        "negative_prompt": "",
        "cfg_scale": 0.5,
        "mode": "std",
        "sound": "off",
        "camera_control": {
            "type": "simple",
            "config": {"horizontal": 1, "vertical": 0, "pan": 0, "tilt": 0, "roll": 0, "zoom": 0},
        },
        "aspect_ratio": "16:9",
        "duration": "5",
        "callback_url": "",
        "external_task_id": "",
    }
    assert api.post(PATH, json=example).json()["code"] == 1201  # the vendor's example lacks multi_shot
    assert api.post(PATH, json={**example, "multi_shot": False}).status_code == 200


def test_a_reused_external_task_id_is_refused(simulator, api):
    first = create(api, external_task_id="once")
    response = api.post(PATH, json=body(external_task_id="once", prompt="another"))
    assert response.status_code == 400
    assert response.json()["code"] == 1201
    assert "external_task_id" in response.json()["message"]
    assert "already exists" in response.json()["message"]
    assert [task["task_id"] for task in simulator.tasks] == [first["task_id"]]

    simulator.advance(3600)  # still refused once the first task is done: unique within the account
    assert api.post(PATH, json=body(external_task_id="once")).status_code == 400


# Concurrency


def test_creates_beyond_the_concurrency_limit_get_1303():
    with (
        Simulator(speed=0, concurrency_limit=2, queue_seconds=5, run_seconds=60) as sim,
        client_for(sim) as api,
    ):
        first = create(api)["task_id"]
        create(api, prompt="simulate-failure")
        refused = api.post(PATH, json=body(external_task_id="third"))
        assert refused.status_code == 429
        assert refused.json()["code"] == 1303
        assert len(sim.tasks) == 2
        # Queries and lists do not count against the limit.
        assert api.get(f"{PATH}/{first}").status_code == 200
        assert api.get(PATH).status_code == 200

        sim.advance(30)  # processing still counts as running
        assert api.post(PATH, json=body()).status_code == 429
        sim.advance(30)  # one succeeded, one failed: both slots free
        assert api.post(PATH, json=body(external_task_id="third")).status_code == 200
        assert api.post(PATH, json=body()).status_code == 200
        assert api.post(PATH, json=body()).status_code == 429


# What tests can inspect


def test_requests_are_recorded_as_sent(simulator, api):
    api.post(PATH, json=body(external_task_id="rec-1"))
    api.get(PATH, params={"pageNum": 2, "pageSize": 5})
    api.post(PATH, content=b"{oops", headers={"content-type": "application/json"})

    recorded = simulator.requests
    assert [(r.method, r.path, r.operation) for r in recorded] == [
        ("POST", PATH, "create"),
        ("GET", PATH, "list"),
        ("POST", PATH, "create"),
    ]
    assert recorded[0].json == body(external_task_id="rec-1")
    assert recorded[0].headers["authorization"] == f"Bearer {simulator.api_key}"
    assert recorded[1].query == {"pageNum": "2", "pageSize": "5"}
    assert recorded[1].json is None
    assert recorded[2].json is None
    assert recorded[2].body == b"{oops"
    assert all(r.fault is None for r in recorded)


def test_tasks_is_a_snapshot_in_creation_order(simulator, api):
    ids = [create(api, prompt=f"clip {n}")["task_id"] for n in range(3)]
    snapshot = simulator.tasks
    assert [task["task_id"] for task in snapshot] == ids
    snapshot[0]["task_status"] = "tampered"
    assert simulator.tasks[0]["task_status"] == "submitted"
    simulator.advance(60)
    assert [task["task_status"] for task in simulator.tasks] == ["succeed"] * 3
    assert snapshot[1]["task_status"] == "submitted"


def test_reset_forgets_tasks_and_requests(simulator, api):
    task_id = create(api, external_task_id="again")["task_id"]
    simulator.reset()
    assert simulator.tasks == []
    assert simulator.requests == []
    assert api.get(f"{PATH}/{task_id}").status_code == 404
    assert api.post(PATH, json=body(external_task_id="again")).status_code == 200


def test_the_same_seed_gives_the_same_ids():
    def ids(seed: int) -> list[str]:
        with (
            Simulator(speed=0, seed=seed) as sim,
            client_for(sim) as api,
        ):
            return [create(api)["task_id"] for _ in range(3)]

    assert ids(7) == ids(7)
    assert ids(7) != ids(8)
