"""Injected faults, as a client meets them on the wire.

Each test asserts what the client actually sees (a dropped socket, an HTML page, an empty 502)
and what the server did (whether the request was processed), since the difference between
"failed before" and "failed after" the task was created is the whole point of each fault.
"""

from __future__ import annotations

import contextlib
import ssl
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from kling_video.testing import Fault, Simulator

pytestmark = pytest.mark.integration

PATH = "/kling/v1/videos/text2video"
TLS = ssl.create_default_context()  # shared: each new one costs 40 ms, and loopback is plain http
BODY = {"model_name": "kling-v1", "mode": "std", "duration": "5", "multi_shot": False, "prompt": "a fox"}
DROPPED = (httpx.RemoteProtocolError, httpx.ReadError)


def client_for(sim: Simulator, **options: Any) -> httpx.Client:
    headers = {"Authorization": f"Bearer {sim.api_key}"}
    return httpx.Client(base_url=sim.base_url, headers=headers, verify=TLS, timeout=5, **options)


@pytest.fixture(scope="module")
def shared() -> Iterator[Simulator]:
    with Simulator(speed=0, seed=21) as sim:
        yield sim


@pytest.fixture
def simulator(shared: Simulator) -> Simulator:
    shared.reset()
    return shared


@pytest.fixture
def api(simulator: Simulator) -> Iterator[httpx.Client]:
    with client_for(simulator) as client:
        yield client


def finished_video_url(simulator: Simulator, api: httpx.Client) -> str:
    task_id = api.post(PATH, json=BODY).json()["data"]["task_id"]
    simulator.advance(3600)
    url: str = api.get(f"{PATH}/{task_id}").json()["data"]["task_result"]["videos"][0]["url"]
    return url


# drop_after_create


def test_drop_after_create_creates_the_task_then_hangs_up(simulator, api):
    simulator.inject(Fault("drop_after_create"))
    with pytest.raises(DROPPED):
        api.post(PATH, json={**BODY, "external_task_id": "ambiguous-1"})

    (task,) = simulator.tasks
    assert task["task_info"] == {"external_task_id": "ambiguous-1"}
    # The client's way out: look the task up by its own id before sending again.
    found = api.get(f"{PATH}/ambiguous-1")
    assert found.status_code == 200
    assert found.json()["data"]["task_id"] == task["task_id"]
    again = api.post(PATH, json={**BODY, "external_task_id": "ambiguous-1"})
    assert again.json()["code"] == 1201  # a blind re-send is refused, not duplicated
    assert simulator.requests[0].fault == "drop_after_create"


def test_drop_after_create_leaves_other_calls_alone(simulator, api):
    simulator.inject(Fault("drop_after_create", on="any"))
    assert api.get(PATH).status_code == 200
    assert api.get(f"{PATH}/123").status_code == 404
    with pytest.raises(DROPPED):
        api.post(PATH, json=BODY)


def test_drop_after_create_sends_headers_but_no_body(simulator, api):
    simulator.inject(Fault("drop_after_create"))
    with pytest.raises(httpx.RemoteProtocolError, match=r"incomplete|without sending complete message body"):
        api.post(PATH, json=BODY)


# drop


def test_drop_hangs_up_without_processing(simulator, api):
    simulator.inject(Fault("drop", on="create"))
    with pytest.raises(DROPPED, match=r"without sending a response|disconnected|reset"):
        api.post(PATH, json=BODY)
    assert simulator.tasks == []
    assert api.post(PATH, json=BODY).status_code == 200  # spent after one hit
    assert len(simulator.tasks) == 1


def test_drop_after_a_delay_looks_like_a_stalled_server(simulator, api):
    simulator.inject(Fault("drop", on="get", delay=0.3))
    started = time.monotonic()
    with pytest.raises(DROPPED):
        api.get(f"{PATH}/123")
    assert time.monotonic() - started >= 0.3


# error


@pytest.mark.parametrize(
    ("status", "code"),
    [(500, 5000), (503, 5001), (504, 5002), (429, 1302), (429, 1303), (429, 1102)],
)
def test_error_answers_in_the_envelope(simulator, api, status, code):
    simulator.inject(Fault("error", on="create", status=status, code=code))
    response = api.post(PATH, json=BODY)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    answer = response.json()
    assert answer["code"] == code
    assert answer["message"]
    assert answer["request_id"]
    assert "retry-after" not in response.headers
    assert simulator.tasks == []  # not processed


def test_error_defaults_to_500_5000_and_can_say_retry_after(simulator, api):
    simulator.inject(Fault("error"))
    simulator.inject(Fault("error", status=429, code=1302, retry_after=3))
    simulator.inject(Fault("error", status=503, retry_after=0.25))
    first, second, third = (api.get(PATH) for _ in range(3))
    assert (first.status_code, first.json()["code"]) == (500, 5000)
    assert (second.status_code, second.json()["code"]) == (429, 1302)
    assert second.headers["retry-after"] == "3"
    assert (third.status_code, third.json()["code"]) == (503, 5001)
    assert third.headers["retry-after"] == "0.25"
    assert api.get(PATH).status_code == 200


# bare_status and html


@pytest.mark.parametrize("status", [502, 503, 504])
def test_bare_status_has_no_envelope(simulator, api, status):
    simulator.inject(Fault("bare_status", on="get", status=status))
    response = api.get(f"{PATH}/123")
    assert response.status_code == status
    assert response.content == b""
    assert "content-type" not in response.headers


def test_html_is_a_proxy_error_page(simulator, api):
    simulator.inject(Fault("html", on="create"))
    response = api.post(PATH, json=BODY)
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    assert "<title>502 Bad Gateway</title>" in response.text
    assert "nginx" in response.text
    with pytest.raises(ValueError):  # what a client that trusts the body would hit
        response.json()
    assert simulator.tasks == []


def test_html_takes_the_status_given(simulator, api):
    simulator.inject(Fault("html", status=504))
    response = api.get(PATH)
    assert response.status_code == 504
    assert "504 Gateway Time-out" in response.text or "504 Gateway Timeout" in response.text


# slow


def test_slow_answers_normally_after_the_delay(simulator, api):
    simulator.inject(Fault("slow", on="create", delay=0.3))
    started = time.monotonic()
    response = api.post(PATH, json=BODY)
    assert time.monotonic() - started >= 0.3
    assert response.status_code == 200
    assert len(simulator.tasks) == 1


def test_slow_create_still_creates_after_the_client_gave_up(simulator):
    simulator.inject(Fault("slow", on="create", delay=0.4))
    with client_for(simulator) as impatient, pytest.raises(httpx.ReadTimeout):
        impatient.post(PATH, json=BODY, timeout=0.1)
    deadline = time.monotonic() + 3
    while not simulator.tasks:  # the server carries on, as a real one does
        assert time.monotonic() < deadline, "the slow create was never processed"
        time.sleep(0.02)


# cut_download


def download(api: httpx.Client, url: str, **options: Any) -> tuple[httpx.Response, bytes, Exception | None]:
    """Whatever arrived before the connection ended, and how it ended."""
    received = bytearray()
    try:
        with api.stream("GET", url, **options) as response:
            for chunk in response.iter_raw():
                received.extend(chunk)
    except DROPPED as dropped:
        return response, bytes(received), dropped
    return response, bytes(received), None


def test_cut_download_sends_about_half_then_closes(simulator, api):
    url = finished_video_url(simulator, api)
    full = api.get(url).content
    simulator.inject(Fault("cut_download"))

    response, received, dropped = download(api, url)
    assert isinstance(dropped, DROPPED)
    assert response.status_code == 200
    assert int(response.headers["content-length"]) == len(full)  # the full length is promised
    assert len(received) == len(full) // 2
    assert received == full[: len(received)]

    # The rest can be fetched with a Range, and the pieces make the file.
    rest = api.get(url, headers={"Range": f"bytes={len(received)}-"})
    assert rest.status_code == 206
    assert received + rest.content == full


def test_cut_download_cuts_a_range_answer_too(simulator, api):
    url = finished_video_url(simulator, api)
    size = len(api.get(url).content)
    simulator.inject(Fault("cut_download"))
    response, received, dropped = download(api, url, headers={"Range": "bytes=1000-"})
    assert isinstance(dropped, DROPPED)
    assert response.status_code == 206
    assert len(received) == (size - 1000) // 2
    assert download(api, url)[2] is None  # spent


def test_cut_download_leaves_api_calls_alone(simulator, api):
    simulator.inject(Fault("cut_download", on="any"))
    assert api.get(PATH).status_code == 200
    assert simulator.faults == [Fault("cut_download", on="any")]


# How faults are chosen


def test_times_counts_down(simulator, api):
    simulator.inject(Fault("error", on="get", status=503, times=2))
    statuses = [api.get(f"{PATH}/123").status_code for _ in range(3)]
    assert statuses == [503, 503, 404]
    assert simulator.faults == []


def test_unlimited_faults_never_run_out(simulator, api):
    simulator.inject(Fault("bare_status", on="list", times=None))
    assert {api.get(PATH).status_code for _ in range(5)} == {502}
    assert api.get(f"{PATH}/123").status_code == 404  # other operations untouched


def test_faults_apply_in_injection_order(simulator, api):
    simulator.inject(Fault("error", status=500, code=5000))
    simulator.inject(Fault("html", status=502))
    simulator.inject(Fault("bare_status", status=504))
    responses = [api.get(PATH) for _ in range(4)]
    assert [r.status_code for r in responses] == [500, 502, 504, 200]
    assert [r.fault for r in simulator.requests] == ["error", "html", "bare_status", None]


def test_on_targets_one_operation(simulator, api):
    simulator.inject(Fault("error", on="list", status=503, times=None))
    assert api.post(PATH, json=BODY).status_code == 200
    task_id = simulator.tasks[0]["task_id"]
    assert api.get(f"{PATH}/{task_id}").status_code == 200
    assert api.get(PATH).status_code == 503


def test_a_rate_hits_some_requests_and_the_seed_replays_them():
    def pattern(seed: int) -> list[int]:
        with (
            Simulator(speed=0, seed=seed, faults=[Fault("error", rate=0.5, times=None)]) as sim,
            client_for(sim) as api,
        ):
            return [api.get(PATH).status_code for _ in range(40)]

    first = pattern(5)
    assert first == pattern(5)
    assert 5 < first.count(500) < 35  # some, not all: a probability, not a switch
    assert first.count(500) + first.count(200) == 40
    assert first != pattern(6)


def test_a_rate_that_misses_lets_a_later_fault_hit(simulator, api):
    simulator.inject(Fault("error", status=500, rate=0.0, times=None))
    simulator.inject(Fault("html"))
    assert api.get(PATH).status_code == 502


def test_constructor_faults_come_back_after_reset():
    with Simulator(speed=0, faults=[Fault("bare_status", on="list")]) as sim, client_for(sim) as api:
        assert api.get(PATH).status_code == 502
        assert api.get(PATH).status_code == 200
        sim.inject(Fault("html", on="get"))
        sim.reset()
        assert sim.faults == [Fault("bare_status", on="list")]
        assert api.get(PATH).status_code == 502
        assert api.get(f"{PATH}/1").status_code == 404


def test_the_server_survives_every_fault(simulator, api):
    for fault in [
        Fault("drop"),
        Fault("drop_after_create"),
        Fault("error"),
        Fault("bare_status"),
        Fault("html"),
        Fault("slow", delay=0.01),
    ]:
        simulator.inject(fault)
        with contextlib.suppress(DROPPED):
            api.post(PATH, json=BODY)
    assert api.get(PATH).status_code == 200
    assert [r.fault for r in simulator.requests][:6] == [
        "drop",
        "drop_after_create",
        "error",
        "bare_status",
        "html",
        "slow",
    ]


@pytest.mark.parametrize(
    ("kind", "options"),
    [
        ("explode", {}),
        ("drop_after_create", {"on": "get"}),
        ("cut_download", {"on": "create"}),
        ("error", {"on": "everything"}),
        ("error", {"rate": 1.5}),
        ("error", {"times": 0}),
        ("error", {"status": 99}),
        ("slow", {"delay": -1}),
    ],
)
def test_nonsense_faults_are_refused(kind, options):
    with pytest.raises(ValueError):
        Fault(kind, **options)
