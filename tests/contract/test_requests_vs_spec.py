"""Every request either layer actually sends is one the spec allows.

Requests are recorded at the transport (an httpx event hook), so this checks the bytes that
leave, not what the code meant to send: create bodies against the pinned vendor schema, and
every request's method, path and query against the effective spec.
"""

from __future__ import annotations

import json
import re

import httpx
import pytest
import yaml
from kling_video import CameraControl, KlingVideo, Shot
from kling_video_api import AuthenticatedClient
from kling_video_api.api.text2video import create_task, get_task, list_tasks
from kling_video_api.models import Text2VideoRequest
from openapi_schema_validator import OAS30Validator

from tools import generate

pytestmark = [pytest.mark.contract, pytest.mark.integration]

PINNED = yaml.safe_load(generate.SPEC.read_text(encoding="utf-8"))
EFFECTIVE = generate.effective_spec()
CREATE_SCHEMA = PINNED["paths"]["/kling/v1/videos/text2video"]["post"]["requestBody"]["content"]["application/json"][
    "schema"
]


def operation_for(request: httpx.Request) -> dict:
    """The effective spec's operation for this request, with its path parameters checked."""
    for template, item in EFFECTIVE["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", r"[^/]+", template) + "$"
        if re.match(pattern, request.url.path) and request.method.lower() in item:
            return item[request.method.lower()]
    raise AssertionError(f"{request.method} {request.url.path} is not an operation of the spec")


def check(request: httpx.Request) -> None:
    operation = operation_for(request)
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "query" and parameter["name"] in request.url.params:
            value = request.url.params[parameter["name"]]
            OAS30Validator(parameter["schema"]).validate(int(value) if value.lstrip("-").isdigit() else value)
    known = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
    assert set(request.url.params) <= known, f"unknown query parameters {set(request.url.params) - known}"
    assert request.headers["authorization"].startswith("Bearer ")
    if request.method == "POST":
        assert request.headers["content-type"] == "application/json"
        OAS30Validator(CREATE_SCHEMA).validate(json.loads(request.content))


@pytest.fixture
def recorded():
    return []


@pytest.fixture
def recording_http(recorded):
    with httpx.Client(event_hooks={"request": [recorded.append]}) as http:
        yield http


def test_every_wrapper_request_matches_the_spec(sim, recorded, recording_http):
    with KlingVideo(api_key=sim.api_key, base_url=sim.base_url, http_client=recording_http) as client:
        plain = client.text2video.create(prompt="a fox in the snow")
        client.text2video.create(
            prompt="a dancer on the beach",
            model_name="kling-v1",
            negative_prompt="blur",
            cfg_scale=0.5,
            mode="std",
            aspect_ratio="9:16",
            duration=5,
            camera_control=CameraControl.simple(zoom=5),
            watermark=True,
            callback_url="http://127.0.0.1:9/hook",
            external_task_id="contract-1",
        )
        client.text2video.create(shots=[Shot("wide", 2), Shot("close", 3)])
        client.text2video.create(prompt="x", model_name="kling-v2-6", mode="pro", sound="on", duration="10")
        client.text2video.get(plain.task_id)
        client.text2video.get(external_task_id="contract-1")
        client.text2video.list(page=2, page_size=3)
    assert len(recorded) == 7
    for request in recorded:
        check(request)


def test_every_generated_layer_request_matches_the_spec(sim, recorded, recording_http):
    api = AuthenticatedClient(base_url=sim.base_url, token=sim.api_key)
    api.set_httpx_client(recording_http)
    recording_http.base_url = sim.base_url
    recording_http.headers["Authorization"] = f"Bearer {sim.api_key}"
    body = Text2VideoRequest.from_dict(
        PINNED["paths"]["/kling/v1/videos/text2video"]["post"]["requestBody"]["content"]["application/json"]["example"]
        | {"multi_shot": False, "callback_url": "http://127.0.0.1:9/", "external_task_id": "generated-1"}
    )
    created = create_task.sync(client=api, body=body)
    task_id = created.data.task_id
    get_task.sync(task_id, client=api)
    list_tasks.sync(client=api, page_num=1, page_size=10)
    assert len(recorded) == 3
    for request in recorded:
        check(request)


def test_the_check_catches_a_body_the_spec_refuses():
    bad = httpx.Request(
        "POST",
        "http://127.0.0.1/kling/v1/videos/text2video",
        json={"prompt": "missing required fields"},
        headers={"Authorization": "Bearer k"},
    )
    with pytest.raises(Exception, match="required"):
        check(bad)
    with pytest.raises(AssertionError, match="not an operation"):
        check(httpx.Request("DELETE", "http://127.0.0.1/kling/v1/videos/text2video/1"))
