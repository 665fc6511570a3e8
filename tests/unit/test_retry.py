"""retry: which failures are retried, which may have created a task anyway, and how long to wait."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from kling_video import _wire
from kling_video._options import APIKey, ClientOptions, as_timeout
from kling_video._plans import Result
from kling_video._responses import parse_task
from kling_video.errors import (
    APIConnectionError,
    APITimeoutError,
    DownloadError,
    KlingError,
    Problem,
    ValidationError,
    error_for,
)
from kling_video.polling import PollSchedule
from kling_video.retry import RetryPolicy, backoff_delay, connection_error, judge, parse_retry_after


def api_error(status: int | None, code: int | None, message: str = "boom"):
    return error_for(status_code=status, code=code, message=message, request_id="req-1")


# --- judge: retry? -------------------------------------------------------------------------------

RETRIED = [
    pytest.param(429, 1302, id="1302-too-fast"),
    pytest.param(429, 1303, id="1303-concurrency"),
    pytest.param(500, 5000, id="5000"),
    pytest.param(503, 5001, id="5001-maintenance"),
    pytest.param(504, 5002, id="5002-timeout"),
    pytest.param(502, None, id="bare-502"),
    pytest.param(503, None, id="bare-503"),
    pytest.param(504, None, id="bare-504"),
    pytest.param(429, None, id="bare-429-likely-a-proxy-rate-limit"),
]

NOT_RETRIED = [
    *(pytest.param(401, code, id=f"auth-{code}") for code in range(1000, 1005)),
    *(pytest.param(429, code, id=f"account-{code}-despite-429") for code in (1100, 1101, 1102)),
    pytest.param(403, 1103, id="1103-no-access"),
    *(pytest.param(400, code, id=f"invalid-{code}") for code in (1200, 1201, 1202)),
    pytest.param(404, 1203, id="1203-not-found"),
    pytest.param(400, 1300, id="1300-policy"),
    pytest.param(400, 1301, id="1301-content-safety"),
    pytest.param(429, 1304, id="1304-ip-allow-list-despite-429"),
    pytest.param(400, None, id="bare-400"),
    pytest.param(401, None, id="bare-401"),
    pytest.param(403, None, id="bare-403"),
    pytest.param(404, None, id="bare-404"),
    pytest.param(409, None, id="bare-409"),
    pytest.param(422, None, id="bare-422"),
    pytest.param(200, None, id="not-an-envelope-on-200"),
]


@pytest.mark.parametrize(("status", "code"), RETRIED)
def test_transient_failures_are_retried(status, code):
    assert judge(api_error(status, code)).retry is True


@pytest.mark.parametrize(("status", "code"), NOT_RETRIED)
def test_permanent_failures_are_not_retried(status, code):
    assert judge(api_error(status, code)).retry is False


@pytest.mark.parametrize("code", [1302, 1303, 5000])
def test_the_business_code_decides_not_the_status(code):
    # A retryable code is retried even if a gateway puts it on an odd HTTP status.
    assert judge(api_error(400, code)).retry is True


@pytest.mark.parametrize("code", [1100, 1101, 1102, 1304])
def test_a_429_with_an_account_code_is_not_retried(code):
    assert judge(api_error(429, code)).retry is False


@pytest.mark.parametrize("sent", [True, False])
def test_connection_errors_are_retried_whether_or_not_sent(sent):
    assert judge(APIConnectionError("reset", request_sent=sent)).retry is True
    assert judge(APITimeoutError("timed out", request_sent=sent)).retry is True


@pytest.mark.parametrize(
    "error",
    [
        ValidationError([Problem("prompt", "required", "a prompt is required")]),
        DownloadError("cut"),
        KlingError("something"),
    ],
)
def test_errors_that_are_not_exchanges_are_not_retried(error):
    verdict = judge(error)
    assert verdict.retry is False
    assert verdict.maybe_done is False


# --- judge: may the create have happened? ---------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code"),
    [(500, 5000), (503, 5001), (504, 5002), (500, None), (502, None), (503, None), (504, None)],
)
def test_server_errors_may_have_created_the_task(status, code):
    assert judge(api_error(status, code)).maybe_done is True


@pytest.mark.parametrize(
    ("status", "code"),
    [(429, 1302), (429, 1303), (429, 1100), (400, 1201), (401, 1000), (400, 1301), (400, None), (404, None)],
)
def test_refusals_did_not_create_the_task(status, code):
    assert judge(api_error(status, code)).maybe_done is False


def test_a_5xx_with_an_unknown_code_may_have_created_the_task():
    assert judge(api_error(502, 500, "upstream error")).maybe_done is True


@pytest.mark.parametrize(
    ("exc", "sent", "timeout"),
    [
        (httpx.ConnectError("refused"), False, False),
        (httpx.ConnectTimeout("slow connect"), False, True),
        (httpx.PoolTimeout("pool full"), False, True),
        (httpx.ReadTimeout("slow answer"), True, True),
        (httpx.WriteTimeout("slow upload"), True, True),
        (httpx.ReadError("reset"), True, False),
        (httpx.WriteError("broken pipe"), True, False),
        (httpx.RemoteProtocolError("server disconnected"), True, False),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Exception) else str(v),
)
def test_connection_error_knows_whether_the_request_left(exc, sent, timeout):
    error = connection_error(exc)
    assert isinstance(error, APIConnectionError)
    assert isinstance(error, APITimeoutError) is timeout
    assert error.request_sent is sent
    verdict = judge(error)
    assert verdict.retry is True
    assert verdict.maybe_done is sent
    assert type(exc).__name__ in str(error)


def _options() -> ClientOptions:
    return ClientOptions(
        api_key=APIKey("sk-test"),
        base_url="https://api.example",
        timeout=as_timeout(None),
        retry=RetryPolicy(),
        poll=PollSchedule(),
        wait_timeout=60.0,
    )


def _exchange(handler) -> Result:
    args = _wire.request_args({"method": "post", "url": "/kling/v1/videos/text2video", "json": {}}, _options())
    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        try:
            response = http.request(**args)
        except httpx.TransportError as exc:
            return _wire.failure(exc)
        return _wire.answer(response, parse_task)


def test_a_read_timeout_through_httpx_is_an_ambiguous_failure():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("no answer", request=request)

    result = _exchange(handler)
    assert isinstance(result.error, APITimeoutError)
    assert judge(result.error).maybe_done is True


def test_a_refused_connection_through_httpx_surely_did_not_create():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    result = _exchange(handler)
    assert isinstance(result.error, APIConnectionError)
    assert judge(result.error).maybe_done is False
    assert judge(result.error).retry is True


def test_a_429_answer_carries_its_retry_after_to_the_plan():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": "7"}, json={"code": 1303, "message": "busy"})

    result = _exchange(handler)
    assert result.error is not None
    assert result.error.code == 1303
    assert result.retry_after == 7.0
    assert judge(result.error).retry is True


# --- backoff_delay ----------------------------------------------------------------------------------

POLICY = RetryPolicy(max_retries=10, initial_delay=0.5, max_delay=16.0, max_retry_after=60.0, concurrency_min_delay=2.0)


@pytest.mark.parametrize(
    ("attempt", "ceiling"), [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 16.0), (9, 16.0)]
)
def test_full_jitter_ceiling_doubles_up_to_max_delay(attempt, ceiling):
    assert backoff_delay(attempt, POLICY, rand=lambda: 1.0) == pytest.approx(ceiling)
    assert backoff_delay(attempt, POLICY, rand=lambda: 0.0) == 0.0
    assert backoff_delay(attempt, POLICY, rand=lambda: 0.5) == pytest.approx(ceiling / 2)


@given(attempt=st.integers(0, 60), r=st.floats(0.0, 1.0))
def test_full_jitter_stays_within_bounds(attempt, r):
    delay = backoff_delay(attempt, POLICY, api_error(500, 5000), rand=lambda: r)
    assert 0.0 <= delay <= min(POLICY.max_delay, POLICY.initial_delay * 2.0**attempt)


def test_retry_after_is_honoured():
    assert backoff_delay(0, POLICY, api_error(429, 1302), retry_after=7.0, rand=lambda: 0.0) == 7.0


def test_retry_after_is_capped():
    assert backoff_delay(0, POLICY, api_error(429, 1302), retry_after=3600.0, rand=lambda: 1.0) == 60.0


def test_a_short_retry_after_does_not_shorten_the_backoff():
    assert backoff_delay(5, POLICY, api_error(500, 5000), retry_after=0.1, rand=lambda: 1.0) == 16.0


@pytest.mark.parametrize("attempt", [0, 1, 2, 5])
def test_concurrency_refusal_waits_longer_than_plain_backoff(attempt):
    delay = backoff_delay(attempt, POLICY, api_error(429, 1303), rand=lambda: 1.0)
    assert delay >= POLICY.concurrency_min_delay
    assert delay <= max(POLICY.max_delay, POLICY.concurrency_min_delay)


def test_concurrency_refusal_waits_at_least_the_minimum_even_with_low_jitter():
    assert backoff_delay(0, POLICY, api_error(429, 1303), rand=lambda: 0.0) >= POLICY.concurrency_min_delay


def test_concurrency_minimum_above_max_delay_is_still_honoured():
    policy = RetryPolicy(initial_delay=0.1, max_delay=0.5, concurrency_min_delay=3.0)
    assert backoff_delay(0, policy, api_error(429, 1303), rand=lambda: 1.0) == 3.0
    # Only the concurrency code gets the floor.
    assert backoff_delay(0, policy, api_error(429, 1302), rand=lambda: 1.0) == pytest.approx(0.1)


# --- parse_retry_after --------------------------------------------------------------------------------

NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("5", 5.0), (" 12 ", 12.0), ("0", 0.0), ("1.5", 1.5), ("-3", 0.0)],
)
def test_retry_after_in_seconds(value, expected):
    assert parse_retry_after(value, now=NOW) == expected


def test_retry_after_as_an_http_date():
    later = NOW + timedelta(seconds=90)
    header = later.strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert parse_retry_after(header, now=NOW) == pytest.approx(90.0)


def test_retry_after_date_in_the_past_means_no_wait():
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=NOW) == 0.0


@pytest.mark.parametrize("value", [None, "", "   ", "soon", "nan", "Thu, 99 Foo 20xx"])
def test_retry_after_garbage_is_ignored(value):
    assert parse_retry_after(value, now=NOW) is None
