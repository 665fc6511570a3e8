"""The sync client's I/O: one HTTP exchange, one sleep, and the loop that drives a plan."""

from __future__ import annotations

import inspect
import random
import time
from collections.abc import Callable
from typing import Any

import httpx

from kling_video import _wire
from kling_video._options import ClientOptions
from kling_video._plans import Fetch, LookUp, Notify, Plan, Result, Send, Sleep, request_plan
from kling_video.errors import ConfigurationError, KlingError
from kling_video.task import Task

__all__ = ["SyncIO"]


class SyncIO:
    def __init__(
        self,
        options: ClientOptions,
        http: httpx.Client,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.options = options
        self.http = http
        self.sleep = sleep
        self.clock = clock
        self.rand = rand

    def exchange(self, generated_kwargs: dict[str, Any], parse: _wire.Parser) -> Result:
        args = _wire.request_args(generated_kwargs, self.options)
        try:
            response = self.http.request(**args)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            return _wire.failure(exc)
        return _wire.answer(response, parse)

    def call(self, generated_kwargs: dict[str, Any], parse: _wire.Parser, *, what: str) -> Any:
        plan = request_plan(self.options.retry, what=what, rand=self.rand)
        return self.drive(plan, send=lambda: self.exchange(generated_kwargs, parse))

    def attempt(self, call: Callable[[], Any], *, lookup: bool = False) -> Result:
        """Run a whole call (with its retries) and report its outcome instead of raising it."""
        try:
            return Result(value=call())
        except KlingError as error:
            return _wire.lookup_result(error) if lookup else Result(error=error)

    def drive(
        self,
        plan: Plan,
        *,
        send: Callable[[], Result] | None = None,
        lookup: Callable[[], Result] | None = None,
        fetch: Callable[[], Result] | None = None,
        notify: Callable[[Task], object] | None = None,
    ) -> Any:
        answer: Result | None = None
        try:
            step = next(plan)
            while True:
                if isinstance(step, Sleep):
                    self.sleep(step.seconds)
                    answer = None
                elif isinstance(step, Send) and send is not None:
                    answer = send()
                elif isinstance(step, LookUp) and lookup is not None:
                    answer = lookup()
                elif isinstance(step, Fetch) and fetch is not None:
                    answer = fetch()
                elif isinstance(step, Notify):
                    if notify is not None:
                        outcome = notify(step.task)
                        if inspect.isawaitable(outcome):
                            if inspect.iscoroutine(outcome):
                                outcome.close()
                            raise ConfigurationError(
                                "on_update returned a coroutine, which the sync client cannot await: "
                                "pass a plain function, or use AsyncKlingVideo"
                            )
                    answer = None
                else:
                    raise RuntimeError(f"no handler for {step!r}")
                step = plan.send(answer)
        except StopIteration as stop:
            return stop.value
