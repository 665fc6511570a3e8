"""``KlingVideo``, and what it shares with ``AsyncKlingVideo`` (in ``async_client``).

A client owns the httpx client it made and closes it; one you pass in (``http_client=``) is
yours to close. ``with_options()`` returns a copy with some settings changed that shares the
same connections, so it is cheap to make per call site.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

import attrs
import httpx

from kling_video import _logging
from kling_video._options import (
    ClientOptions,
    api_key_from,
    as_timeout,
    check_base_url,
    positive_seconds,
    resolve_options,
)
from kling_video._sync_io import SyncIO
from kling_video.errors import ConfigurationError
from kling_video.polling import PollSchedule
from kling_video.retry import RetryPolicy
from kling_video.text2video import Text2Video

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["KlingVideo"]


class NotGiven:
    """The default of ``with_options`` arguments: "keep this setting" (None may be a value)."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()


def _evolve(
    options: ClientOptions,
    *,
    api_key: str | NotGiven | None,
    base_url: str | NotGiven,
    timeout: float | httpx.Timeout | NotGiven | None,
    max_retries: int | NotGiven,
    retry_policy: RetryPolicy | NotGiven,
    poll_schedule: PollSchedule | NotGiven,
    wait_timeout: float | NotGiven,
) -> ClientOptions:
    """A copy of ``options`` with the settings that were given changed, checked as on creation."""
    updates: dict[str, Any] = {}
    if not isinstance(api_key, NotGiven):
        updates["api_key"] = api_key_from(api_key)
    if not isinstance(base_url, NotGiven):
        check_base_url(base_url)
        updates["base_url"] = base_url.rstrip("/")
    if not isinstance(timeout, NotGiven):
        updates["timeout"] = as_timeout(timeout)
    policy = options.retry if isinstance(retry_policy, NotGiven) else retry_policy
    if not isinstance(max_retries, NotGiven):
        if max_retries < 0:
            raise ConfigurationError("max_retries must be 0 or more")
        policy = attrs.evolve(policy, max_retries=max_retries)
    updates["retry"] = policy
    if not isinstance(poll_schedule, NotGiven):
        updates["poll"] = poll_schedule
    if not isinstance(wait_timeout, NotGiven):
        updates["wait_timeout"] = positive_seconds("wait_timeout", wait_timeout)
    return attrs.evolve(options, **updates)


class _Client:
    """What both clients share: settings resolved once, with_options(), a repr without the key."""

    _options: ClientOptions

    @property
    def base_url(self) -> str:
        return self._options.base_url

    @property
    def options(self) -> ClientOptions:
        return self._options

    def with_options(
        self,
        *,
        api_key: str | NotGiven | None = NOT_GIVEN,
        base_url: str | NotGiven = NOT_GIVEN,
        timeout: float | httpx.Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        retry_policy: RetryPolicy | NotGiven = NOT_GIVEN,
        poll_schedule: PollSchedule | NotGiven = NOT_GIVEN,
        wait_timeout: float | NotGiven = NOT_GIVEN,
    ) -> Self:
        """A copy with some settings changed, sharing this client's connections (closing it does not)."""
        options = _evolve(
            self._options,
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
            poll_schedule=poll_schedule,
            wait_timeout=wait_timeout,
        )
        return self._copy(options)

    def _copy(self, options: ClientOptions) -> Self:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._options.base_url!r}, api_key={self._options.api_key!r})"


class KlingVideo(_Client):
    """The sync client. ``KlingVideo()`` reads KLING_API_KEY and KLING_BASE_URL."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        http_client: httpx.Client | None = None,
        retry_policy: RetryPolicy | None = None,
        poll_schedule: PollSchedule | None = None,
        wait_timeout: float | None = None,
        _options: ClientOptions | None = None,
        _sleep: Callable[[float], None] = time.sleep,
        _rand: Callable[[], float] = random.random,
    ) -> None:
        _logging.configure_from_env()
        self._options = _options or resolve_options(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
            poll_schedule=poll_schedule,
            wait_timeout=wait_timeout,
        )
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(follow_redirects=True)
        self._sleep, self._rand = _sleep, _rand
        self._io = SyncIO(self._options, self._http, sleep=_sleep, rand=_rand)
        self.text2video = Text2Video(self._io)

    def _copy(self, options: ClientOptions) -> KlingVideo:
        return KlingVideo(http_client=self._http, _options=options, _sleep=self._sleep, _rand=self._rand)

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> KlingVideo:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
