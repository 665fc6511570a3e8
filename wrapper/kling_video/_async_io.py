"""The async client's I/O: the twin of ``_sync_io``, awaiting where that one blocks."""

from __future__ import annotations

import asyncio
import inspect
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from kling_video import _wire
from kling_video._options import ClientOptions
from kling_video._plans import Fetch, LookUp, Notify, Plan, Result, Send, Sleep, request_plan
from kling_video.errors import KlingError
from kling_video.task import Task

__all__ = ["AsyncIO"]


class AsyncIO:
    def __init__(
        self,
        options: ClientOptions,
        http: httpx.AsyncClient,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.options = options
        self.http = http
        self.sleep = sleep
        self.clock = clock
        self.rand = rand

    async def exchange(self, generated_kwargs: dict[str, Any], parse: _wire.Parser) -> Result:
        args = _wire.request_args(generated_kwargs, self.options)
        try:
            response = await self.http.request(**args)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            return _wire.failure(exc)
        return _wire.answer(response, parse)

    async def call(self, generated_kwargs: dict[str, Any], parse: _wire.Parser, *, what: str) -> Any:
        plan = request_plan(self.options.retry, what=what, rand=self.rand)
        return await self.drive(plan, send=lambda: self.exchange(generated_kwargs, parse))

    async def attempt(self, call: Callable[[], Awaitable[Any]], *, lookup: bool = False) -> Result:
        try:
            return Result(value=await call())
        except KlingError as error:
            return _wire.lookup_result(error) if lookup else Result(error=error)

    async def drive(
        self,
        plan: Plan,
        *,
        send: Callable[[], Awaitable[Result]] | None = None,
        lookup: Callable[[], Awaitable[Result]] | None = None,
        fetch: Callable[[], Awaitable[Result]] | None = None,
        notify: Callable[[Task], object] | None = None,
    ) -> Any:
        answer: Result | None = None
        try:
            step = next(plan)
            while True:
                if isinstance(step, Sleep):
                    await self.sleep(step.seconds)
                    answer = None
                elif isinstance(step, Send) and send is not None:
                    answer = await send()
                elif isinstance(step, LookUp) and lookup is not None:
                    answer = await lookup()
                elif isinstance(step, Fetch) and fetch is not None:
                    answer = await fetch()
                elif isinstance(step, Notify):
                    if notify is not None:
                        outcome = notify(step.task)
                        if inspect.isawaitable(outcome):
                            await outcome
                    answer = None
                else:
                    raise RuntimeError(f"no handler for {step!r}")
                step = plan.send(answer)
        except StopIteration as stop:
            return stop.value
