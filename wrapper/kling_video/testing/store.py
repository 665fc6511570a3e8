"""The account's tasks and how each one moves through its life on the simulated clock.

A task's whole timeline is fixed when it is created (queued until ``processing_at``, done at
``done_at``), so its status at any instant is a pure function of the clock. ``refresh()``
brings the stored status up to the clock and reports every step it passes through, in order,
so callbacks see each status change even when the clock jumps over several at once.
"""

from __future__ import annotations

import copy
import random
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kling_video.testing.clock import Clock

SUBMITTED = "submitted"
PROCESSING = "processing"
SUCCEED = "succeed"
FAILED = "failed"
RUNNING = frozenset({SUBMITTED, PROCESSING})

FAILURE_TRIGGER = "simulate-failure"
FAILURE_MESSAGE = (
    "Failure to pass the risk control system: the prompt was flagged by content moderation "
    f"(simulated: it contains {FAILURE_TRIGGER!r})"
)

Body = Mapping[str, Any]
RunSeconds = float | Callable[[Body], float]
FailureRule = Callable[[Body], "str | None"]


class DuplicateExternalId(Exception):
    """The account already has a task with this external_task_id."""


class ConcurrencyLimitReached(Exception):
    """The account already runs as many tasks as it may."""


def default_failure(body: Body) -> str | None:
    """A content-moderation failure when any prompt asks for one, so tests can script it."""
    prompts = [body.get("prompt")]
    shots = body.get("multi_prompt")
    if isinstance(shots, list):
        prompts.extend(shot.get("prompt") for shot in shots if isinstance(shot, dict))
    if any(isinstance(prompt, str) and FAILURE_TRIGGER in prompt for prompt in prompts):
        return FAILURE_MESSAGE
    return None


@dataclass
class TaskRecord:
    """One task: what was asked, its fixed timeline, and the last status the server reported."""

    seq: int
    task_id: str
    body: dict[str, Any]
    external_task_id: str | None
    created: float
    processing_at: float
    done_at: float
    failure: str | None
    video_id: str
    status: str = SUBMITTED
    updated: float = 0.0

    def status_at(self, now: float) -> str:
        if now >= self.done_at:
            return FAILED if self.failure is not None else SUCCEED
        if now >= self.processing_at:
            return PROCESSING
        return SUBMITTED

    @property
    def watermark(self) -> bool:
        info = self.body.get("watermark_info")
        return isinstance(info, dict) and info.get("enabled") is True

    @property
    def callback_url(self) -> str | None:
        url = self.body.get("callback_url")
        return url if isinstance(url, str) and url else None

    @property
    def duration(self) -> int:
        return int(self.body["duration"])


@dataclass(frozen=True)
class Transition:
    """A status the task reached, with the task as it stood then (the callback body)."""

    record: TaskRecord
    task: dict[str, Any]


class TaskStore:
    """All tasks of the simulator's one account, safe to use from the server and test threads."""

    def __init__(
        self,
        clock: Clock,
        *,
        rng: random.Random,
        queue_seconds: float,
        run_seconds: RunSeconds,
        concurrency_limit: int,
        failure: FailureRule | None = None,
        on_transition: Callable[[Transition], None] | None = None,
    ) -> None:
        if queue_seconds < 0:
            raise ValueError("queue_seconds must be >= 0")
        if not callable(run_seconds) and run_seconds < 0:
            raise ValueError("run_seconds must be >= 0")
        if concurrency_limit < 1:
            raise ValueError("concurrency_limit must be >= 1")
        self._clock = clock
        self._rng = rng
        self._queue_seconds = queue_seconds
        self._run_seconds = run_seconds
        self._concurrency_limit = concurrency_limit
        self._failure = failure or default_failure
        self._on_transition = on_transition
        # Insertion order is creation order; the running ones are kept apart, so moving tasks
        # along costs time in proportion to the tasks that can still move.
        self._tasks: dict[str, TaskRecord] = {}
        self._running: dict[str, TaskRecord] = {}
        self._by_external: dict[str, TaskRecord] = {}
        self._seq = 0
        self._lock = threading.RLock()
        # Result URLs point back at the simulator, whose address is known only once it listens.
        self.media_base = ""

    @property
    def concurrency_limit(self) -> int:
        return self._concurrency_limit

    def create(self, body: Mapping[str, Any]) -> TaskRecord:
        """Store a task from an already validated body, or raise why the account refuses it."""
        owned: dict[str, Any] = copy.deepcopy(dict(body))
        external = owned.get("external_task_id") or None
        run = self._run_seconds(owned) if callable(self._run_seconds) else self._run_seconds
        if run < 0:
            raise ValueError(f"run_seconds gave {run}, which is negative")
        failure = self._failure(owned)
        self.refresh()
        with self._lock:
            if external is not None and external in self._by_external:
                raise DuplicateExternalId(external)
            if len(self._running) >= self._concurrency_limit:
                raise ConcurrencyLimitReached(self._concurrency_limit)
            now = self._clock.now()
            self._seq += 1
            record = TaskRecord(
                seq=self._seq,
                task_id=self._new_task_id(),
                body=owned,
                external_task_id=external,
                created=now,
                processing_at=now + min(self._queue_seconds, run),
                done_at=now + run,
                failure=failure,
                video_id=str(uuid.UUID(int=self._rng.getrandbits(128), version=4)),
                updated=now,
            )
            self._tasks[record.task_id] = record
            self._running[record.task_id] = record
            if external is not None:
                self._by_external[external] = record
            # Reported under the lock, so callbacks leave in the order the statuses were reached.
            self._emit([Transition(record, self.render(record))])
        return record

    def _new_task_id(self) -> str:
        # Kling's ids are 18-digit numeric strings.
        while True:
            task_id = str(self._rng.randrange(10**17, 10**18))
            if task_id not in self._tasks:
                return task_id

    def find(self, task_or_external_id: str) -> TaskRecord | None:
        """By task id first, then by external_task_id, as Kling's query allows either."""
        self.refresh()
        with self._lock:
            return self._tasks.get(task_or_external_id) or self._by_external.get(task_or_external_id)

    def by_task_id(self, task_id: str) -> TaskRecord | None:
        self.refresh()
        with self._lock:
            return self._tasks.get(task_id)

    def page(self, number: int, size: int) -> list[TaskRecord]:
        """One page of tasks, newest first."""
        self.refresh()
        with self._lock:
            newest_first = list(reversed(self._tasks.values()))
        return newest_first[(number - 1) * size : number * size]

    def all(self) -> list[TaskRecord]:
        """Every task, oldest first."""
        self.refresh()
        with self._lock:
            return list(self._tasks.values())

    def clear(self) -> None:
        with self._lock:
            self._tasks.clear()
            self._running.clear()
            self._by_external.clear()

    def refresh(self) -> None:
        """Bring every task up to the clock, reporting each status it passes through."""
        transitions: list[Transition] = []
        with self._lock:
            now = self._clock.now()
            for record in list(self._running.values()):
                target = record.status_at(now)
                while record.status != target:
                    if record.status == SUBMITTED:
                        record.status, record.updated = PROCESSING, record.processing_at
                    else:
                        record.status, record.updated = target, record.done_at
                    transitions.append(Transition(record, self.render(record)))
                if target not in RUNNING:
                    del self._running[record.task_id]
            self._emit(transitions)

    def _emit(self, transitions: list[Transition]) -> None:
        if self._on_transition is None:
            return
        for transition in transitions:
            self._on_transition(transition)

    def render(self, record: TaskRecord) -> dict[str, Any]:
        """The task as query, list and callbacks show it (kling-api.md, Query)."""
        task: dict[str, Any] = {
            "task_id": record.task_id,
            "task_status": record.status,
            "task_status_msg": record.failure if record.status == FAILED and record.failure else "",
            "task_info": self._task_info(record),
        }
        if record.status == SUCCEED:
            task["task_result"] = {"videos": [self._video(record)]}
        task["watermark_info"] = {"enabled": record.watermark}
        if record.status == SUCCEED:
            task["final_unit_deduction"] = _units(record)
        elif record.status == FAILED:
            task["final_unit_deduction"] = "0"
        task["created_at"] = self._clock.epoch_ms(record.created)
        task["updated_at"] = self._clock.epoch_ms(record.updated)
        return task

    def render_created(self, record: TaskRecord) -> dict[str, Any]:
        """The task as the create call answers it: the vendor example's five fields."""
        return {
            "task_id": record.task_id,
            "task_status": SUBMITTED,
            "task_info": self._task_info(record),
            "created_at": self._clock.epoch_ms(record.created),
            "updated_at": self._clock.epoch_ms(record.created),
        }

    @staticmethod
    def _task_info(record: TaskRecord) -> dict[str, Any]:
        return {"external_task_id": record.external_task_id} if record.external_task_id else {}

    def _video(self, record: TaskRecord) -> dict[str, Any]:
        base = f"{self.media_base}/media/{record.task_id}/{record.video_id}"
        video: dict[str, Any] = {"id": record.video_id, "url": f"{base}.mp4"}
        if record.watermark:
            video["watermark_url"] = f"{base}{WATERMARK_SUFFIX}.mp4"
        # Kling reports the encoded length, a little over the requested one ("5" -> "5.1").
        video["duration"] = f"{record.duration}.1"
        return video


WATERMARK_SUFFIX = "-watermark"


def _units(record: TaskRecord) -> str:
    """A plausible bill (not Kling's price list): 1 unit per 5 s in std, 3.5 in pro."""
    per_five = 3.5 if record.body.get("mode") == "pro" else 1.0
    return f"{per_five * record.duration / 5:g}"
