"""A client's settings, resolved once from arguments and the environment, and copied cheaply.

The key is held in ``APIKey``, whose repr and str never show it, so it cannot reach a log line,
an exception or a traceback's locals by accident.
"""

from __future__ import annotations

import ipaddress
import math
import os
from urllib.parse import urlsplit

import attrs
import httpx

from kling_video import _constants as C
from kling_video.errors import ConfigurationError, MissingAPIKeyError
from kling_video.polling import PollSchedule
from kling_video.retry import RetryPolicy

__all__ = ["APIKey", "ClientOptions", "resolve_options"]


class APIKey:
    """The secret, hidden from repr/str; ``reveal()`` is the one place it is read."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "APIKey('****')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, APIKey) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@attrs.frozen
class ClientOptions:
    api_key: APIKey | None
    base_url: str
    timeout: httpx.Timeout
    retry: RetryPolicy
    poll: PollSchedule
    wait_timeout: float

    def require_key(self) -> APIKey:
        if self.api_key is None:
            raise MissingAPIKeyError(
                f"no API key: pass api_key= or set {C.API_KEY_ENV} "
                "(or run against the local simulator: kling-video demo)"
            )
        return self.api_key


def resolve_options(
    *,
    api_key: str | None,
    base_url: str | None,
    timeout: float | httpx.Timeout | None,
    max_retries: int | None,
    retry_policy: RetryPolicy | None,
    poll_schedule: PollSchedule | None,
    wait_timeout: float | None,
) -> ClientOptions:
    key = api_key if api_key is not None else os.environ.get(C.API_KEY_ENV)
    url = (base_url or os.environ.get(C.BASE_URL_ENV) or C.BASE_URL).rstrip("/")
    check_base_url(url)
    policy = retry_policy or RetryPolicy()
    if max_retries is not None:
        if max_retries < 0:
            raise ConfigurationError("max_retries must be 0 or more")
        policy = attrs.evolve(policy, max_retries=max_retries)
    return ClientOptions(
        api_key=api_key_from(key),
        base_url=url,
        timeout=as_timeout(timeout),
        retry=policy,
        poll=poll_schedule or PollSchedule(),
        wait_timeout=C.WAIT_TIMEOUT if wait_timeout is None else positive_seconds("wait_timeout", wait_timeout),
    )


def api_key_from(value: str | None) -> APIKey | None:
    """The key, trimmed; refused (without echoing it) if it holds what no header may carry.

    A key read from a file often ends in a newline: h11 would then refuse the header and quote
    it, key included, in its error text.
    """
    key = (value or "").strip()
    if not key:
        return None
    if not all("!" <= ch <= "~" for ch in key):
        raise ConfigurationError(
            "the API key holds a space, a control or a non-ASCII character: check how it was copied "
            f"(the key is not shown; it has {len(key)} characters)"
        )
    return APIKey(key)


def positive_seconds(name: str, value: float) -> float:
    """A finite number of seconds above zero: NaN would make a deadline that never comes."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise ConfigurationError(f"{name} must be a finite number of seconds above 0, not {value!r}")
    return float(value)


def as_timeout(timeout: float | httpx.Timeout | None) -> httpx.Timeout:
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if timeout is None:
        return httpx.Timeout(C.TIMEOUT, connect=C.CONNECT_TIMEOUT)
    seconds = positive_seconds("timeout", timeout)
    return httpx.Timeout(seconds, connect=min(seconds, C.CONNECT_TIMEOUT))


def check_base_url(url: str) -> None:
    """Refuse plain http except on loopback: the key travels in every request's headers."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"base_url must be an http(s) URL, got {url!r}")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigurationError(
            f"base_url {url!r} uses plain http: the API key would cross the network unencrypted. "
            "Use https (plain http is allowed only for localhost)."
        )


def is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
