"""Regressions for what a review of the wrapper found: each test failed before its fix.

Single decisions against ``httpx.MockTransport``: hostile or odd server answers, keys copied
badly, and the paths where a paid task could be made twice or lost track of.
"""

from __future__ import annotations

import json
import logging
import math

import httpx
import pytest
from kling_video import KlingVideo, RetryPolicy, errors
from kling_video.retry import backoff_delay

FAST = RetryPolicy(max_retries=2, initial_delay=0.0, max_delay=0.0, concurrency_min_delay=0.0)
BASE = "https://gateway.test"


def envelope(data: object, code: int = 0) -> dict:
    return {"code": code, "message": "SUCCEED" if code == 0 else "error", "request_id": "r-1", "data": data}


def task(task_id: str = "42", status: str = "submitted", external: str | None = None) -> dict:
    return {"task_id": task_id, "task_status": status, "task_info": {"external_task_id": external} if external else {}}


class Gateway:
    """Answers from a script, one function per request, and remembers every request."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return answer(request)

    def posts(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == "POST"]


def client_for(gateway: Gateway, **options) -> KlingVideo:
    http = httpx.Client(transport=httpx.MockTransport(gateway))
    settings = {
        "api_key": "sk-test",
        "base_url": BASE,
        "http_client": http,
        "retry_policy": FAST,
        "_sleep": lambda s: None,
    }
    return KlingVideo(**{**settings, **options})


def sent_external_id(request: httpx.Request) -> str:
    return json.loads(request.content)["external_task_id"]


# --- keys ------------------------------------------------------------------------------------


def test_a_key_read_from_a_file_with_its_newline_still_works():
    gateway = Gateway(lambda r: httpx.Response(200, json=envelope(task())))
    client_for(gateway, api_key="sk-from-file\n").text2video.get("42")
    assert gateway.requests[0].headers["authorization"] == "Bearer sk-from-file"


@pytest.mark.parametrize("key", ["sk-two words", "sk-no\u00a0break", "sk-curly\u2019", "sk-tab\there"])
def test_a_key_no_header_can_carry_is_refused_without_showing_it(key):
    with pytest.raises(errors.ConfigurationError) as caught:
        KlingVideo(api_key=key, base_url=BASE)
    assert key.strip() not in str(caught.value)
    assert "sk-" not in str(caught.value)


def test_the_package_logger_redacts_bearer_tokens_under_any_logging_setup(caplog):
    caplog.set_level(logging.DEBUG, logger="kling_video")
    logging.getLogger("kling_video").debug("sent %s", "Authorization: Bearer sk-leaked-123")
    assert "sk-leaked-123" not in caplog.text
    assert "Bearer ****" in caplog.text


# --- create at most once, and never lose track ----------------------------------------------


def test_a_create_that_fails_for_good_names_the_external_id_it_sent():
    gateway = Gateway(
        lambda r: httpx.Response(503, text="") if r.method == "POST" else httpx.Response(404, json=envelope(None, 1203))
    )
    with pytest.raises(errors.ServerError) as caught:
        client_for(gateway).text2video.create(prompt="a fox")
    assert caught.value.external_task_id == sent_external_id(gateway.posts()[0])
    assert {sent_external_id(p) for p in gateway.posts()} == {caught.value.external_task_id}


def test_an_empty_task_from_a_lookup_is_not_taken_for_the_created_one():
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json=envelope({}))  # a gateway that answers unknown ids so
        if len([r for r in gateway.requests if r.method == "POST"]) == 1:
            raise httpx.ReadError("connection dropped")
        return httpx.Response(200, json=envelope(task("777", external=sent_external_id(request))))

    gateway = Gateway(answer)
    created = client_for(gateway).text2video.create(prompt="a fox")
    assert created.task_id == "777"


def test_a_lookup_hit_with_another_external_id_is_not_ours():
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json=envelope(task("999", external="someone-else")))
        if len(gateway.posts()) == 1:
            raise httpx.ReadError("connection dropped")
        return httpx.Response(200, json=envelope(task("777", external=sent_external_id(request))))

    gateway = Gateway(answer)
    assert client_for(gateway).text2video.create(prompt="a fox").task_id == "777"


def test_a_success_answer_that_cannot_be_read_is_looked_up_not_resent():
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(200, json=envelope(None))  # code 0, but no task in it
        external = request.url.path.rsplit("/", 1)[1]
        return httpx.Response(200, json=envelope(task("555", external=external)))

    gateway = Gateway(answer)
    assert client_for(gateway).text2video.create(prompt="a fox").task_id == "555"
    assert len(gateway.posts()) == 1


def test_extra_body_cannot_carry_the_external_id():
    gateway = Gateway(lambda r: httpx.Response(200, json=envelope(task())))
    with pytest.raises(errors.ValidationError) as caught:
        client_for(gateway).text2video.create(prompt="a fox", extra_body={"external_task_id": None})
    assert caught.value.fields == ["extra_body.external_task_id"]
    assert gateway.requests == []


def test_a_redirect_is_never_followed_by_an_api_call():
    gateway = Gateway(lambda r: httpx.Response(307, headers={"location": str(r.url)}))
    following = httpx.Client(transport=httpx.MockTransport(gateway), follow_redirects=True)  # as the client's own
    with pytest.raises(errors.APIError):
        client_for(gateway, http_client=following).text2video.create(prompt="a fox")
    assert len(gateway.posts()) == 1


@pytest.mark.parametrize(
    "answer",
    [
        lambda r: httpx.Response(200, headers={"content-encoding": "gzip"}, content=b"not gzip at all"),
        lambda r: httpx.Response(200, content=b"[" * 100_000 + b"]" * 100_000),
    ],
    ids=["undecodable-gzip", "deeply-nested-json"],
)
def test_hostile_answers_become_kling_errors(answer):
    with pytest.raises(errors.KlingError):
        client_for(Gateway(answer), max_retries=0).text2video.get("42")


# --- reads and waits ---------------------------------------------------------------------------


def test_a_bare_500_on_a_read_is_retried():
    gateway = Gateway(
        lambda r: httpx.Response(500, text="<html>oops</html>"), lambda r: httpx.Response(200, json=envelope(task()))
    )
    assert client_for(gateway).text2video.get("42").task_id == "42"
    assert len(gateway.requests) == 2


def test_wait_asks_once_per_look_and_keeps_its_deadline():
    clock = [0.0]
    gateway = Gateway(lambda r: httpx.Response(429, headers={"retry-after": "60"}, json=envelope(None, 1302)))
    client = client_for(gateway, _sleep=lambda s: clock.__setitem__(0, clock[0] + s))
    client._io.clock = lambda: clock[0]
    with pytest.raises(errors.WaitTimeoutError):
        client.text2video.wait("42", timeout=30, poll_interval=10)
    assert clock[0] <= 30
    assert len(gateway.requests) <= 4  # one look at 0, 10, 20, 30 s: no hidden retries in between


@pytest.mark.parametrize("bad", [math.nan, math.inf, -1.0, 0.0])
def test_timeouts_and_intervals_must_be_finite_and_positive(bad):
    gateway = Gateway(lambda r: httpx.Response(200, json=envelope(task())))
    with pytest.raises(errors.ConfigurationError):
        client_for(gateway).text2video.wait("42", timeout=bad)
    with pytest.raises(errors.ConfigurationError):
        client_for(gateway).text2video.wait("42", poll_interval=bad)
    with pytest.raises(errors.ConfigurationError):
        KlingVideo(api_key="k", base_url=BASE, timeout=bad)
    with pytest.raises(errors.ConfigurationError):
        KlingVideo(api_key="k", base_url=BASE, wait_timeout=bad)
    assert gateway.requests == []


def test_backoff_survives_absurd_retry_counts():
    assert 0 <= backoff_delay(5000, RetryPolicy(max_retries=10_000)) <= RetryPolicy().max_delay


# --- downloads ---------------------------------------------------------------------------------


def finished(url: str = "https://cdn.test/v.mp4") -> dict:
    return {**task("42", "succeed"), "task_result": {"videos": [{"id": "v", "url": url}]}}


@pytest.mark.parametrize(
    "media",
    [
        lambda r: httpx.Response(
            200, headers={"content-type": "text/html"}, text="<html>hotlinking not allowed</html>"
        ),
        lambda r: httpx.Response(200, content=b""),
    ],
    ids=["a-web-page", "an-empty-file"],
)
def test_a_download_that_is_not_a_video_leaves_nothing(tmp_path, media):
    def answer(request: httpx.Request) -> httpx.Response:
        return media(request) if request.url.host == "cdn.test" else httpx.Response(200, json=envelope(finished()))

    with pytest.raises(errors.DownloadError):
        client_for(Gateway(answer)).text2video.download("42", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_bad_url_from_the_server_is_a_download_error(tmp_path):
    gateway = Gateway(lambda r: httpx.Response(200, json=envelope(finished("https://cdn.test:bad/v.mp4"))))
    with pytest.raises(errors.DownloadError):
        client_for(gateway).text2video.download("42", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_cdn_that_caps_each_range_answer_still_delivers_the_whole_file(tmp_path):
    video = bytes(range(256)) * 40  # 10,240 bytes, served 1,000 at a time

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host != "cdn.test":
            return httpx.Response(200, json=envelope(finished()))
        start = int(request.headers.get("range", "bytes=0-")[6:].rstrip("-"))
        piece = video[start : start + 1000]
        headers = {"content-length": str(len(video)), "content-type": "video/mp4"}
        if start:
            headers = {"content-range": f"bytes {start}-{len(video) - 1}/{len(video)}", "content-type": "video/mp4"}

        def cut():  # announce everything, send a thousand bytes, hang up
            yield piece
            raise httpx.RemoteProtocolError("peer closed connection")

        return httpx.Response(206 if start else 200, headers=headers, stream=_Cut(cut))

    (path,) = client_for(Gateway(answer)).text2video.download("42", tmp_path)
    assert path.read_bytes() == video


class _Cut(httpx.SyncByteStream):
    def __init__(self, chunks):
        self.chunks = chunks

    def __iter__(self):
        yield from self.chunks()


def test_the_sync_client_refuses_a_coroutine_callback_instead_of_dropping_it():
    async def on_update(task):  # pragma: no cover - never awaited, by design
        pass

    gateway = Gateway(lambda r: httpx.Response(200, json=envelope(task(status="succeed"))))
    with pytest.raises(errors.ConfigurationError, match="coroutine"):
        client_for(gateway).text2video.wait("42", on_update=on_update)
