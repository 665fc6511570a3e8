"""``client.text2video``: create, get, list, wait, download, generate; sync and async.

The two classes are thin: validation, the retry and create-once rules and the polling schedule
are plain functions and plans shared by both (``validation``, ``_plans``, ``polling``); only
the calls to the I/O layer differ.
"""

from __future__ import annotations

import builtins
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from kling_video_api.api.text2video import create_task, get_task, list_tasks
from kling_video_api.models import Text2VideoRequest

from kling_video import _constants as C
from kling_video._options import positive_seconds
from kling_video._plans import create_plan, wait_plan
from kling_video._responses import parse_task, parse_task_list
from kling_video._sync_io import SyncIO
from kling_video.download import download_async, download_sync, plan_downloads
from kling_video.errors import KlingError, Problem, ValidationError
from kling_video.generation import Generation
from kling_video.task import Task
from kling_video.validation import build_create_request

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from kling_video._async_io import AsyncIO
    from kling_video._params import CreateParams

__all__ = ["AsyncText2Video", "Text2Video"]

OnUpdate = Callable[[Task], object]
_LIST_MAX_PAGE = 1000


def new_external_task_id() -> str:
    return f"kv-{uuid.uuid4().hex}"


def prepare_create(prompt: str | None, fields: CreateParams) -> tuple[Text2VideoRequest, str]:
    """Validate and build the body; every create gets an external_task_id (the caller's, untouched)."""
    external_task_id = fields.get("external_task_id") or new_external_task_id()
    request = build_create_request(prompt=prompt, **{**fields, "external_task_id": external_task_id})
    return request, external_task_id


@contextlib.contextmanager
def remembering(external_task_id: str) -> Iterator[None]:
    """Whatever ends a create (an error, Ctrl-C, a cancelled coroutine) names the id the task would have.

    Without it a caller cannot tell whether a task was made, and creating again would mint a new
    id that the server's uniqueness check cannot match.
    """
    try:
        yield
    except KlingError as error:
        error.external_task_id = external_task_id
        raise
    except BaseException as exc:
        if hasattr(exc, "add_note"):  # Python 3.11+
            exc.add_note(f"kling-video: the task may exist: look it up with external_task_id={external_task_id!r}")
        raise


def task_id_of(task_or_id: Task | str) -> str:
    task_id = task_or_id.task_id if isinstance(task_or_id, Task) else task_or_id
    if not isinstance(task_id, str) or not task_id.strip():
        raise ValidationError([Problem("task_id", "required", "a task id is required")])
    return task_id


def get_kwargs(task_id: str | None, external_task_id: str | None) -> dict[str, Any]:
    if (task_id is None) == (external_task_id is None):
        raise ValidationError(
            [Problem("task_id", "exactly_one", "give either a task id or external_task_id=, not both or neither")]
        )
    return get_task._get_kwargs(task_id_of(task_id or external_task_id or ""))


def list_kwargs(page: int, page_size: int) -> dict[str, Any]:
    problems = []
    if not isinstance(page, int) or isinstance(page, bool) or not 1 <= page <= _LIST_MAX_PAGE:
        problems.append(Problem("page", "range", f"page must be a whole number from 1 to {_LIST_MAX_PAGE}"))
    if not isinstance(page_size, int) or isinstance(page_size, bool) or not 1 <= page_size <= 500:
        problems.append(Problem("page_size", "range", "page_size must be a whole number from 1 to 500"))
    if problems:
        raise ValidationError(problems)
    return list_tasks._get_kwargs(page_num=page, page_size=page_size)


def wait_settings(timeout: float | None, poll_interval: float | None, default_timeout: float) -> float:
    if poll_interval is not None:
        positive_seconds("poll_interval", poll_interval)
    return default_timeout if timeout is None else positive_seconds("timeout", timeout)


def task_age(task: Task | None) -> float:
    """Seconds since the task was created, so re-attaching keeps the schedule's place."""
    if task is None or task.created_at is None:
        return 0.0
    age = (datetime.now(timezone.utc) - task.created_at).total_seconds()
    return age if 0 <= age < 86_400 else 0.0


class Text2Video:
    def __init__(self, io: SyncIO) -> None:
        self._io = io

    def create(self, prompt: str | None = None, **fields: Unpack[CreateParams]) -> Task:
        """Create one task, validated first, never twice (see ``_plans.create_plan``)."""
        request, external_task_id = prepare_create(prompt, fields)
        kwargs = create_task._get_kwargs(body=request)
        plan = create_plan(self._io.options.retry, external_task_id=external_task_id, rand=self._io.rand)
        with remembering(external_task_id):
            return self._io.drive(  # type: ignore[no-any-return]
                plan,
                send=lambda: self._io.exchange(kwargs, parse_task),
                lookup=lambda: self._io.attempt(lambda: self.get(external_task_id=external_task_id), lookup=True),
            )

    def get(self, task_id: str | None = None, *, external_task_id: str | None = None) -> Task:
        kwargs = get_kwargs(task_id, external_task_id)
        return self._io.call(kwargs, parse_task, what=f"get {task_id or external_task_id}")  # type: ignore[no-any-return]

    def list(self, page: int = 1, page_size: int = 30) -> list[Task]:
        return self._io.call(list_kwargs(page, page_size), parse_task_list, what=f"list page {page}")  # type: ignore[no-any-return]

    def iter_all(self, page_size: int = 100) -> Iterator[Task]:
        """Every task, page after page, until a short page (newest first, as the server lists)."""
        for page in range(1, _LIST_MAX_PAGE + 1):
            tasks = self.list(page=page, page_size=page_size)
            yield from tasks
            if len(tasks) < page_size:
                return

    def wait(
        self,
        task_or_id: Task | str,
        *,
        timeout: float | None = None,
        poll_interval: float | None = None,
        on_update: OnUpdate | None = None,
    ) -> Task:
        """Poll until the task ends; raises TaskFailedError or WaitTimeoutError (task id attached)."""
        task_id = task_id_of(task_or_id)
        first = task_or_id if isinstance(task_or_id, Task) else None
        plan = wait_plan(
            task_id,
            first=first,
            timeout=wait_settings(timeout, poll_interval, self._io.options.wait_timeout),
            schedule=self._io.options.poll,
            fixed_interval=poll_interval,
            clock=self._io.clock,
            age=task_age(first),
        )
        query = get_task._get_kwargs(task_id)
        return self._io.drive(  # type: ignore[no-any-return]
            plan, fetch=lambda: self._io.exchange(query, parse_task), notify=on_update
        )

    def download(
        self,
        task_or_id: Task | str,
        dest: str | os.PathLike[str] = ".",
        *,
        watermark: bool = False,
        overwrite: bool = False,
    ) -> builtins.list[Path]:
        """Save every video of a finished task under ``dest``; returns the paths."""
        task = task_or_id if isinstance(task_or_id, Task) and task_or_id.is_finished else None
        task = task or self.get(task_id_of(task_or_id))
        targets = plan_downloads(task, dest, watermark=watermark, overwrite=overwrite)
        timeout = _download_timeout(self._io.options.timeout)
        return [
            download_sync(self._io.http, t, timeout=timeout, policy=self._io.options.retry, sleep=self._io.sleep)
            for t in targets
        ]

    def generate(
        self,
        prompt: str | None = None,
        *,
        dest: str | os.PathLike[str] = ".",
        timeout: float | None = None,
        poll_interval: float | None = None,
        on_update: OnUpdate | None = None,
        overwrite: bool = False,
        **fields: Unpack[CreateParams],
    ) -> Generation:
        """Create, wait and download in one call."""
        task = self.create(prompt, **fields)
        task = self.wait(task, timeout=timeout, poll_interval=poll_interval, on_update=on_update)
        paths = self.download(task, dest, overwrite=overwrite)
        return Generation(task=task, paths=tuple(paths))


class AsyncText2Video:
    def __init__(self, io: AsyncIO) -> None:
        self._io = io

    async def create(self, prompt: str | None = None, **fields: Unpack[CreateParams]) -> Task:
        request, external_task_id = prepare_create(prompt, fields)
        kwargs = create_task._get_kwargs(body=request)
        plan = create_plan(self._io.options.retry, external_task_id=external_task_id, rand=self._io.rand)

        async def lookup() -> Any:
            return await self._io.attempt(lambda: self.get(external_task_id=external_task_id), lookup=True)

        with remembering(external_task_id):
            return await self._io.drive(  # type: ignore[no-any-return]
                plan, send=lambda: self._io.exchange(kwargs, parse_task), lookup=lookup
            )

    async def get(self, task_id: str | None = None, *, external_task_id: str | None = None) -> Task:
        kwargs = get_kwargs(task_id, external_task_id)
        return await self._io.call(kwargs, parse_task, what=f"get {task_id or external_task_id}")  # type: ignore[no-any-return]

    async def list(self, page: int = 1, page_size: int = 30) -> list[Task]:
        return await self._io.call(list_kwargs(page, page_size), parse_task_list, what=f"list page {page}")  # type: ignore[no-any-return]

    async def iter_all(self, page_size: int = 100) -> AsyncIterator[Task]:
        for page in range(1, _LIST_MAX_PAGE + 1):
            tasks = await self.list(page=page, page_size=page_size)
            for task in tasks:
                yield task
            if len(tasks) < page_size:
                return

    async def wait(
        self,
        task_or_id: Task | str,
        *,
        timeout: float | None = None,
        poll_interval: float | None = None,
        on_update: OnUpdate | None = None,
    ) -> Task:
        task_id = task_id_of(task_or_id)
        first = task_or_id if isinstance(task_or_id, Task) else None
        plan = wait_plan(
            task_id,
            first=first,
            timeout=wait_settings(timeout, poll_interval, self._io.options.wait_timeout),
            schedule=self._io.options.poll,
            fixed_interval=poll_interval,
            clock=self._io.clock,
            age=task_age(first),
        )

        query = get_task._get_kwargs(task_id)
        return await self._io.drive(  # type: ignore[no-any-return]
            plan, fetch=lambda: self._io.exchange(query, parse_task), notify=on_update
        )

    async def download(
        self,
        task_or_id: Task | str,
        dest: str | os.PathLike[str] = ".",
        *,
        watermark: bool = False,
        overwrite: bool = False,
    ) -> builtins.list[Path]:
        task = task_or_id if isinstance(task_or_id, Task) and task_or_id.is_finished else None
        task = task or await self.get(task_id_of(task_or_id))
        targets = plan_downloads(task, dest, watermark=watermark, overwrite=overwrite)
        timeout = _download_timeout(self._io.options.timeout)
        return [
            await download_async(self._io.http, t, timeout=timeout, policy=self._io.options.retry, sleep=self._io.sleep)
            for t in targets
        ]

    async def generate(
        self,
        prompt: str | None = None,
        *,
        dest: str | os.PathLike[str] = ".",
        timeout: float | None = None,
        poll_interval: float | None = None,
        on_update: OnUpdate | None = None,
        overwrite: bool = False,
        **fields: Unpack[CreateParams],
    ) -> Generation:
        task = await self.create(prompt, **fields)
        task = await self.wait(task, timeout=timeout, poll_interval=poll_interval, on_update=on_update)
        paths = await self.download(task, dest, overwrite=overwrite)
        return Generation(task=task, paths=tuple(paths))


def _download_timeout(api_timeout: httpx.Timeout) -> httpx.Timeout:
    """Videos are large: a longer read timeout than the API's, the same connect timeout."""
    return httpx.Timeout(C.DOWNLOAD_TIMEOUT, connect=api_timeout.connect)
