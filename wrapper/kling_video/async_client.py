"""``AsyncKlingVideo``: the async client, a module of its own so ``import kling_video`` does not
pay for ``asyncio`` until the async client is first used (``nox -s bench``, import time).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from types import TracebackType

import httpx

from kling_video import _logging
from kling_video._async_io import AsyncIO
from kling_video._options import ClientOptions, resolve_options
from kling_video.client import _Client
from kling_video.polling import PollSchedule
from kling_video.retry import RetryPolicy
from kling_video.text2video import AsyncText2Video

__all__ = ["AsyncKlingVideo"]


class AsyncKlingVideo(_Client):
    """The async client: the same methods as coroutines, on one ``httpx.AsyncClient``."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        http_client: httpx.AsyncClient | None = None,
        retry_policy: RetryPolicy | None = None,
        poll_schedule: PollSchedule | None = None,
        wait_timeout: float | None = None,
        max_connections: int = 100,
        _options: ClientOptions | None = None,
        _sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
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
        # Keep-alive stays at httpx's default 20: httpcore's pool bookkeeping grows with every idle
        # connection it holds, and at 100 it cost more CPU than it saved (nox -s bench, fan-out).
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=min(20, max_connections))
        self._http = http_client or httpx.AsyncClient(follow_redirects=True, limits=limits)
        self._sleep, self._rand = _sleep, _rand
        self._io = AsyncIO(self._options, self._http, sleep=_sleep, rand=_rand)
        self.text2video = AsyncText2Video(self._io)

    def _copy(self, options: ClientOptions) -> AsyncKlingVideo:
        return AsyncKlingVideo(http_client=self._http, _options=options, _sleep=self._sleep, _rand=self._rand)

    async def close(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncKlingVideo:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
