"""The client's conversations with the server, written once, without I/O.

Each plan is a generator that *yields* what it needs done (send the request, look the task up,
fetch the task, tell the caller, sleep) and is *sent* the outcome. The sync and async clients
drive the same plans with their own I/O (``_sync_io`` and ``_async_io``), so the rules that keep
users' money safe exist exactly once and are tested without a network.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Generator
from typing import Any

import attrs

from kling_video.errors import (
    InvalidRequestError,
    KlingError,
    TaskFailedError,
    WaitTimeoutError,
)
from kling_video.polling import PollSchedule, next_poll_delay
from kling_video.retry import RetryPolicy, backoff_delay, judge
from kling_video.task import Task, TaskStatus

__all__ = [
    "FETCH",
    "LOOKUP",
    "SEND",
    "Fetch",
    "LookUp",
    "Notify",
    "Result",
    "Send",
    "Sleep",
    "Step",
    "create_plan",
    "request_plan",
    "wait_plan",
]

log = logging.getLogger("kling_video")


@attrs.frozen
class Send:
    """Send the request once; answer with a ``Result``."""


@attrs.frozen
class LookUp:
    """Look the task up by its external_task_id; answer with a ``Result`` (value: Task or None)."""


@attrs.frozen
class Fetch:
    """Query the task (with the usual retries); answer with a ``Result``."""


@attrs.frozen
class Notify:
    """Tell the caller about a status change; answer with None."""

    task: Task


@attrs.frozen
class Sleep:
    """Wait this many seconds; answer with None."""

    seconds: float


Step = Send | LookUp | Fetch | Notify | Sleep
SEND, LOOKUP, FETCH = Send(), LookUp(), Fetch()


@attrs.frozen
class Result:
    """The outcome of one step: a value, or the error that stopped it."""

    value: Any = None
    error: KlingError | None = None
    retry_after: float | None = None


Plan = Generator[Step, Any, Any]


def request_plan(policy: RetryPolicy, *, what: str, rand: Callable[[], float] = random.random) -> Plan:
    """Send until it works, retrying only what is transient. For reads: a repeat is harmless."""
    attempt = 0
    while True:
        result: Result = yield SEND
        if result.error is None:
            return result.value
        verdict = judge(result.error, idempotent=True)
        if not verdict.retry or attempt >= policy.max_retries:
            log.debug("%s: giving up after %d attempt(s): %s", what, attempt + 1, verdict.reason)
            raise result.error
        delay = backoff_delay(attempt, policy, result.error, result.retry_after, rand)
        log.debug("%s: retry %d/%d in %.2f s: %s", what, attempt + 1, policy.max_retries, delay, verdict.reason)
        yield Sleep(delay)
        attempt += 1


def create_plan(policy: RetryPolicy, *, external_task_id: str, rand: Callable[[], float] = random.random) -> Plan:
    """Create a task at most once.

    Every create carries an external_task_id. When a failure leaves it unclear whether the server
    acted (a timeout, a dropped connection, a 5xx after the body was sent), the task is looked up
    by that id before anything is sent again; after any failure of a re-send it is looked up
    again (the re-send may have been refused *because* the first one worked). The lookup is best
    effort (not every gateway supports it), so the server's uniqueness check on
    external_task_id remains the final guard against a second paid task.
    """
    attempt = 0
    while True:
        result: Result = yield SEND
        if result.error is None:
            return result.value
        error = result.error
        verdict = judge(error)
        if verdict.maybe_done or attempt > 0:
            log.debug("create %s: %s; looking the task up before sending again", external_task_id, verdict.reason)
            found: Result = yield LOOKUP
            if _is_our_task(found.value, external_task_id):
                log.debug("create %s: the task exists (%s); not sending again", external_task_id, found.value.task_id)
                return found.value
            if found.error is not None:
                log.debug("create %s: lookup failed (%s)", external_task_id, found.error)
        if not verdict.retry or attempt >= policy.max_retries:
            log.debug("create %s: giving up after %d attempt(s): %s", external_task_id, attempt + 1, verdict.reason)
            if attempt > 0 and isinstance(error, InvalidRequestError):
                hint = (
                    f" (a previous attempt with external_task_id {external_task_id} may have created the "
                    "task: look it up before creating again)"
                )
                error.message += hint
                error.args = (f"{error.args[0]}{hint}", *error.args[1:])
            error.external_task_id = external_task_id
            raise error
        delay = backoff_delay(attempt, policy, error, result.retry_after, rand)
        log.debug(
            "create %s: retry %d/%d in %.2f s: %s",
            external_task_id,
            attempt + 1,
            policy.max_retries,
            delay,
            verdict.reason,
        )
        yield Sleep(delay)
        attempt += 1


def _is_our_task(value: object, external_task_id: str) -> bool:
    """A lookup hit counts only if it is a real task carrying our id (or no id at all to compare)."""
    return isinstance(value, Task) and bool(value.task_id) and value.external_task_id in (None, external_task_id)


def wait_plan(
    task_id: str,
    *,
    first: Task | None,
    timeout: float,
    schedule: PollSchedule,
    fixed_interval: float | None,
    clock: Callable[[], float],
    age: float = 0.0,
) -> Plan:
    """Poll until the task ends or the deadline passes.

    ``age`` is how old the task already was when waiting began, so the schedule fits the task,
    not the wait. A transient failure of one query does not end the wait while time remains: the
    server being briefly unwell says nothing about the task.
    """
    start = clock()
    deadline = start + timeout
    task = first
    seen: str | None = None
    while True:
        if task is not None:
            if task.raw_status != seen:
                seen = task.raw_status
                yield Notify(task)
            if task.status is TaskStatus.SUCCEED:
                return task
            if task.status is TaskStatus.FAILED:
                raise TaskFailedError(task)
        now = clock()
        remaining = deadline - now
        if remaining <= 0:
            raise WaitTimeoutError(task_id, timeout, task)
        if task is not None:
            delay = next_poll_delay(age + now - start, remaining=remaining, schedule=schedule, fixed=fixed_interval)
            yield Sleep(delay)
        fetched: Result = yield FETCH
        if fetched.error is not None:
            verdict = judge(fetched.error, idempotent=True)
            if not verdict.retry:
                raise fetched.error
            log.debug("wait %s: query failed, will ask again: %s", task_id, verdict.reason)
            if task is None:  # nothing to show yet; still honour the schedule before asking again
                yield Sleep(next_poll_delay(age, remaining=deadline - clock(), schedule=schedule, fixed=fixed_interval))
            continue
        task = fetched.value
