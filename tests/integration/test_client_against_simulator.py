"""The wrapper against the simulator over loopback: the paths users take, and every fault.

Each fault test checks what matters to a paying user: how many tasks exist on the server
afterwards (exactly one per call), what is on disk (the served bytes, exactly), and which
error surfaced when the server refused for good.
"""

from __future__ import annotations

import logging
from importlib import resources

import pytest
from kling_video import TaskStatus, errors
from kling_video.testing import Fault, Simulator

from tests.conftest import FAST_RETRIES, POLL

pytestmark = pytest.mark.integration

SAMPLE = resources.files("kling_video.testing").joinpath("media/sample.mp4").read_bytes()


def creates(sim) -> list:
    return [r for r in sim.requests if r.method == "POST"]


def test_generate_writes_the_served_video(client, sim, tmp_path):
    updates = []
    result = client.text2video.generate(
        prompt="a fox in the snow", dest=tmp_path, poll_interval=POLL, on_update=updates.append
    )
    assert result.task.status is TaskStatus.SUCCEED
    assert result.paths == (tmp_path / f"{result.task.task_id}.mp4",)
    assert result.path.read_bytes() == SAMPLE
    assert [t.status for t in updates][-1] is TaskStatus.SUCCEED
    assert len({t.raw_status for t in updates}) == len(updates)  # one call per change, no repeats
    assert len(sim.tasks) == 1
    assert not list(tmp_path.glob(".*.part"))


def test_create_sends_defaults_and_an_external_id(client, sim):
    task = client.text2video.create(prompt="a harbour at dawn")
    body = creates(sim)[0].json
    assert body["model_name"]
    assert body["mode"] == "std"
    assert body["duration"] == "5"
    assert body["multi_shot"] is False
    assert body["external_task_id"] == task.external_task_id
    assert task.task_id.isdigit()


def test_a_callers_external_id_is_kept_and_can_be_looked_up(client):
    task = client.text2video.create(prompt="a harbour", external_task_id="order-42")
    assert task.external_task_id == "order-42"
    again = client.text2video.get(external_task_id="order-42")
    assert again.task_id == task.task_id


def test_multi_shot_with_shots_alone(client, sim, tmp_path):
    from kling_video import Shot

    result = client.text2video.generate(
        shots=[Shot("wide shot of a harbour", 2), {"prompt": "close-up of a gull", "duration": 3}],
        dest=tmp_path,
        poll_interval=POLL,
    )
    body = creates(sim)[0].json
    assert body["multi_shot"] is True
    assert body["shot_type"] == "customize"
    assert body["duration"] == "5"
    assert [s["index"] for s in body["multi_prompt"]] == [1, 2]
    assert result.path.read_bytes() == SAMPLE


def test_invalid_input_sends_nothing(client, sim):
    with pytest.raises(errors.ValidationError) as caught:
        client.text2video.create(prompt="x" * 2501, duration=7, mode="ultra")
    assert {"prompt", "duration", "mode"} <= set(caught.value.fields)
    assert sim.requests == []


def test_failed_task_raises_with_the_task(client):
    with pytest.raises(errors.TaskFailedError) as caught:
        client.text2video.generate(prompt="simulate-failure please", poll_interval=POLL)
    assert caught.value.task.status is TaskStatus.FAILED
    assert caught.value.task.status_message


def test_wait_deadline_raises_with_the_task_id(tmp_path):
    with Simulator(speed=0) as frozen, _client(frozen) as client:  # the clock never moves
        task = client.text2video.create(prompt="a slow one")
        with pytest.raises(errors.WaitTimeoutError) as caught:
            client.text2video.wait(task, timeout=0.3, poll_interval=0.05)
        assert caught.value.task_id == task.task_id
        frozen.advance(3600)  # the caller can resume later with the id
        assert client.text2video.wait(caught.value.task_id, poll_interval=0.01).status is TaskStatus.SUCCEED


def test_list_and_iterate_all_pages(client):
    made = {client.text2video.create(prompt=f"clip {n}").task_id for n in range(5)}
    page = client.text2video.list(page=1, page_size=2)
    assert len(page) == 2
    assert {t.task_id for t in client.text2video.iter_all(page_size=2)} == made


def test_wrong_key_is_an_authentication_error(sim):
    with _client(sim, api_key="sk-wrong") as client, pytest.raises(errors.AuthenticationError) as caught:
        client.text2video.create(prompt="x")
    assert caught.value.code == 1002
    assert caught.value.status_code == 401
    assert sim.tasks == []


def test_missing_key_is_clear_and_sends_nothing(sim, monkeypatch):
    monkeypatch.delenv("KLING_API_KEY", raising=False)
    with _client(sim, api_key="") as client, pytest.raises(errors.ConfigurationError, match="KLING_API_KEY"):
        client.text2video.create(prompt="x")
    assert sim.requests == []


# --- faults ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [
        Fault("drop_after_create", on="create"),
        Fault("drop", on="create"),
        Fault("error", on="create", status=500, code=5000),
        Fault("error", on="create", status=503, code=5001),
        Fault("bare_status", on="create", status=502),
        Fault("bare_status", on="create", status=504),
        Fault("html", on="create", status=502),
        Fault("error", on="create", status=429, code=1302),
        Fault("error", on="create", status=429, code=1303, retry_after=0.05),
    ],
    ids=lambda f: f"{f.kind}-{f.status or ''}-{f.code or ''}",
)
def test_a_transient_create_failure_still_makes_exactly_one_task(client, sim, fault, tmp_path):
    sim.inject(fault)
    result = client.text2video.generate(prompt="a lighthouse", dest=tmp_path, poll_interval=POLL)
    assert len(sim.tasks) == 1
    assert result.task.task_id == sim.tasks[0]["task_id"]
    assert result.path.read_bytes() == SAMPLE


def test_a_drop_after_create_is_resolved_by_lookup_not_by_resending(client, sim):
    sim.inject(Fault("drop_after_create", on="create"))
    task = client.text2video.create(prompt="a lighthouse")
    assert len(creates(sim)) == 1  # looked up by external_task_id, never sent twice
    assert task.task_id == sim.tasks[0]["task_id"]


def test_a_slow_create_that_times_out_is_not_created_twice(sim):
    sim.inject(Fault("slow", on="create", delay=0.6))
    with _client(sim, timeout=0.3) as client:
        task = client.text2video.create(prompt="a lighthouse")
    assert len(sim.tasks) == 1
    assert task.task_id == sim.tasks[0]["task_id"]


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [
        (429, 1102, errors.AccountError),
        (429, 1101, errors.AccountError),
        (429, 1304, errors.PermissionDeniedError),
        (400, 1301, errors.ContentPolicyError),
        (403, 1103, errors.PermissionDeniedError),
    ],
)
def test_a_refusal_for_good_is_raised_at_once(client, sim, status, code, error):
    sim.inject(Fault("error", on="create", status=status, code=code))
    with pytest.raises(error) as caught:
        client.text2video.create(prompt="x")
    assert caught.value.code == code
    assert len(creates(sim)) == 1
    assert sim.tasks == []


def test_an_html_page_becomes_an_api_error_with_the_raw_text(sim):
    sim.inject(Fault("html", on="get", status=502, times=None))
    with _client(sim, max_retries=1) as client:
        task = client.text2video.create(prompt="x")
        with pytest.raises(errors.ServerError) as caught:
            client.text2video.get(task.task_id)
    assert caught.value.status_code == 502
    assert "<html" in (caught.value.body or "").lower()


def test_persistent_5xx_gives_up_after_max_retries(sim):
    sim.inject(Fault("error", on="get", status=500, code=5000, times=None))
    with _client(sim, max_retries=2) as client, pytest.raises(errors.ServerError):
        client.text2video.get("123")
    assert len([r for r in sim.requests if r.method == "GET"]) == 3


def test_wait_rides_out_a_flaky_server(client, sim):
    task = client.text2video.create(prompt="x")
    sim.inject(Fault("error", on="get", status=503, code=5001, times=6))
    assert client.text2video.wait(task, poll_interval=POLL).status is TaskStatus.SUCCEED


def test_a_cut_download_is_resumed_and_byte_exact(client, sim, tmp_path):
    sim.inject(Fault("cut_download", on="download", times=2))
    result = client.text2video.generate(prompt="x", dest=tmp_path, poll_interval=POLL)
    assert result.path.read_bytes() == SAMPLE
    ranges = [r.headers.get("range") for r in sim.requests if r.path.startswith("/media")]
    assert ranges[0] is None
    assert all(r and r.startswith("bytes=") for r in ranges[1:])


def test_a_download_that_never_completes_leaves_nothing(client, sim, tmp_path):
    task = client.text2video.wait(client.text2video.create(prompt="x"), poll_interval=POLL)
    sim.inject(Fault("cut_download", on="download", times=None))
    with pytest.raises(errors.DownloadError):
        client.with_options().text2video.download(task, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_download_refuses_to_overwrite_unless_asked(client, tmp_path):
    result = client.text2video.generate(prompt="x", dest=tmp_path, poll_interval=POLL)
    with pytest.raises(errors.DestinationExistsError):
        client.text2video.download(result.task, tmp_path)
    result.path.write_bytes(b"old")
    assert client.text2video.download(result.task, tmp_path, overwrite=True) == [result.path]
    assert result.path.read_bytes() == SAMPLE


def test_a_batch_on_a_flaky_server_makes_exactly_one_task_per_call(tmp_path):
    flaky = [
        Fault("drop_after_create", on="create", rate=0.2, times=None),
        Fault("error", on="create", status=503, code=5001, rate=0.15, times=None),
        Fault("html", on="any", status=502, rate=0.1, times=None),
        Fault("error", on="get", status=429, code=1302, rate=0.1, times=None),
        Fault("cut_download", on="download", rate=0.3, times=None),
    ]
    with Simulator(speed=1200, seed=7, faults=flaky) as sim, _client(sim, max_retries=8) as client:
        results = [client.text2video.generate(prompt=f"clip {n}", dest=tmp_path, poll_interval=POLL) for n in range(12)]
        assert len(sim.tasks) == 12
        assert len({r.task.task_id for r in results}) == 12
        for result in results:
            assert result.path.read_bytes() == SAMPLE


# --- secrets --------------------------------------------------------------------------------


def test_the_key_appears_in_no_log_repr_or_error(sim, caplog, tmp_path):
    secret = "sk-very-secret-key-0123456789"
    caplog.set_level(logging.DEBUG)  # every logger, httpx and httpcore included
    with Simulator(speed=1200, api_key=secret) as keyed:
        keyed.inject(Fault("drop_after_create", on="create"))
        keyed.inject(Fault("error", on="get", status=500, code=5000))
        with _client(keyed, api_key=secret) as client:
            result = client.text2video.generate(prompt="x", dest=tmp_path, poll_interval=POLL)
            texts = [repr(client), repr(client.options), repr(result), repr(result.task)]
        with _client(keyed, api_key=secret + "-wrong") as wrong, pytest.raises(errors.APIError) as caught:
            wrong.text2video.get("1")
        texts += [str(caught.value), repr(caught.value), caught.value.body or ""]
    assert "retry" in caplog.text  # the decisions were logged ...
    for text in [caplog.text, *texts]:
        assert secret not in text  # ... and the key never was


# --- async ----------------------------------------------------------------------------------


async def test_async_generate_and_faults(async_client, sim, tmp_path):
    sim.inject(Fault("drop_after_create", on="create"))
    sim.inject(Fault("cut_download", on="download"))
    result = await async_client.text2video.generate(prompt="a fox", dest=tmp_path, poll_interval=POLL)
    assert result.path.read_bytes() == SAMPLE
    assert len(sim.tasks) == 1
    listed = [t async for t in async_client.text2video.iter_all(page_size=10)]
    assert [t.task_id for t in listed] == [result.task.task_id]


async def test_async_failed_task_and_refusal(async_client, sim):
    with pytest.raises(errors.TaskFailedError):
        await async_client.text2video.generate(prompt="simulate-failure", poll_interval=POLL)
    sim.inject(Fault("error", on="create", status=429, code=1102))
    with pytest.raises(errors.AccountError):
        await async_client.text2video.create(prompt="x")


def _client(sim, **overrides):
    """A sync client on ``sim`` with fast retries; ``max_retries=`` and others override."""
    from kling_video import KlingVideo

    settings = {"api_key": sim.api_key, "base_url": sim.base_url, "retry_policy": FAST_RETRIES, "timeout": 5}
    return KlingVideo(**{**settings, **overrides})
