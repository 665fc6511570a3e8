"""Which failures to retry, how long to wait, and when a create may have happened anyway.

Plain functions, no I/O: the sync and async clients both ask these, and tests can replace the
policy (``KlingVideo(retry_policy=...)``) or the random source.

The rule of kling-api.md: retry only what is transient (connection errors, codes 1302 and 1303,
5000-5002, and 502/503/504 without an envelope); never another 4xx, nor a 429 carrying
1100-1102 or 1304, which no amount of waiting fixes.
"""

from __future__ import annotations

import email.utils
import random
from collections.abc import Callable
from datetime import datetime, timezone

import attrs
import httpx

from kling_video import _constants as C
from kling_video.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ConcurrencyLimitError,
    KlingError,
)

__all__ = [
    "RetryPolicy",
    "Verdict",
    "backoff_delay",
    "connection_error",
    "judge",
    "parse_retry_after",
]

_RETRYABLE_CODES = frozenset({1302, 1303, 5000, 5001, 5002})
# Kling's documented codes: for these the code decides. Any other code (a gateway's own) is read
# by its HTTP status instead, like an answer without an envelope.
_KLING_CODES = (range(1000, 1005), range(1100, 1104), range(1200, 1204), range(1300, 1305), range(5000, 5003))
# A bare 429 is most likely a proxy's rate limit; a 500 is not in the doc's list (it is looked up,
# as every 5xx on a create is, but not re-sent blindly).
_RETRYABLE_BARE_STATUS = frozenset({429, 502, 503, 504})


@attrs.frozen
class RetryPolicy:
    """How many times and how patiently to retry. ``max_retries=0`` turns retrying off."""

    max_retries: int = C.MAX_RETRIES
    initial_delay: float = C.RETRY_INITIAL_DELAY
    max_delay: float = C.RETRY_MAX_DELAY
    max_retry_after: float = C.RETRY_AFTER_CAP
    concurrency_min_delay: float = C.CONCURRENCY_RETRY_MIN_DELAY


@attrs.frozen
class Verdict:
    """What one failure means: retry it? might the server have acted on the request anyway?"""

    retry: bool
    maybe_done: bool
    reason: str


# Failures that happen before a byte leaves: the request surely did not reach the server.
_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.LocalProtocolError,
    httpx.UnsupportedProtocol,
)
# Failures whose text may quote the request itself (headers included): never copied into a message.
_QUOTES_REQUEST = (httpx.LocalProtocolError, httpx.UnsupportedProtocol, httpx.InvalidURL)


def connection_error(exc: httpx.HTTPError | httpx.InvalidURL) -> APIConnectionError:
    """Wrap an httpx failure; ``request_sent`` says whether the body may have arrived.

    Before a connection exists nothing was sent; afterwards the server may have acted on it (an
    answer that could not be decoded, or a redirect loop, also came from a server that read it).
    """
    sent = not isinstance(exc, _NOT_SENT)
    cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
    what = type(exc).__name__
    detail = f": {exc}" if str(exc) and not isinstance(exc, _QUOTES_REQUEST) else ""
    return cls(
        f"no usable answer from the server ({what}{detail})",
        request_sent=sent,
        retryable=not isinstance(exc, _QUOTES_REQUEST),
    )


def judge(error: KlingError, *, idempotent: bool = False) -> Verdict:
    """Decide about one failed exchange. ``idempotent``: a read, safe to repeat after any 5xx."""
    if isinstance(error, APIConnectionError):
        return Verdict(retry=error.retryable, maybe_done=error.request_sent, reason=f"connection failed: {error}")
    if isinstance(error, APIError):
        status = error.status_code or 0
        # A 5xx (or a 5000-series code) comes after the body was read, and a 2xx whose body made
        # no sense says the server acted: either way the task may exist.
        maybe_done = status >= 500 or 200 <= status < 300 or (error.code is not None and error.code >= 5000)
        if error.code is not None and any(error.code in codes for codes in _KLING_CODES):
            retry = error.code in _RETRYABLE_CODES
            return Verdict(retry=retry, maybe_done=maybe_done, reason=f"code {error.code}: {error.message}")
        retry = status in _RETRYABLE_BARE_STATUS or (idempotent and status >= 500)
        return Verdict(retry=retry, maybe_done=maybe_done, reason=f"HTTP {status} without a Kling code")
    return Verdict(retry=False, maybe_done=False, reason=str(error))


def backoff_delay(
    attempt: int,
    policy: RetryPolicy,
    error: KlingError | None = None,
    retry_after: float | None = None,
    rand: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait before retry number ``attempt`` (0 for the first retry).

    Exponential backoff with full jitter, so many clients hit by one outage do not come back in
    step. A Retry-After from the server is honoured up to ``max_retry_after``; a concurrency
    refusal waits at least ``concurrency_min_delay``, since running tasks take minutes to free.
    """
    attempt = min(attempt, 60)  # 2.0**1024 overflows; the delay is capped long before 2**60
    ceiling = min(policy.max_delay, policy.initial_delay * 2.0**attempt)
    delay = rand() * ceiling
    if isinstance(error, ConcurrencyLimitError):
        cap = max(policy.max_delay, policy.concurrency_min_delay)
        floor = min(policy.concurrency_min_delay * 2.0**attempt, cap)
        delay = max(delay, min(floor * (1 + rand() / 2), cap))
    if retry_after is not None:
        delay = max(delay, min(retry_after, policy.max_retry_after))
    return delay


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header: either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - (now or datetime.now(timezone.utc))).total_seconds()
    return max(0.0, seconds) if seconds == seconds else None  # NaN is not a delay
