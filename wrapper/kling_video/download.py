"""Saving a finished task's videos: streamed, resumable, verified, and atomic.

Each file streams into a hidden ``.NAME.part`` beside its target, resumes with ``Range`` after a
cut, is checked against the length the server announced, and is renamed into place only when
complete, so a crash of the process or a cut never leaves a truncated MP4 under the final name.
There is no fsync before the rename: it cost a quarter of the throughput (``nox -s bench``), and
what it adds, surviving a power loss in the seconds after a download, is not worth that here. Names come from
the task id, never from the URL (a URL is the server's to choose, and may hold ``..``).
"""

from __future__ import annotations

import logging
import os
import re
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import BinaryIO

import attrs
import httpx

from kling_video import _constants as C
from kling_video.errors import DestinationExistsError, DownloadError
from kling_video.retry import RetryPolicy, backoff_delay
from kling_video.task import Task

__all__ = ["DownloadTarget", "download_async", "download_sync", "plan_downloads"]

log = logging.getLogger("kling_video")

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
_NOT_VIDEO = frozenset({"text/html", "application/json", "text/plain", "application/xml", "text/xml"})
_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)")


@attrs.frozen
class DownloadTarget:
    url: str
    path: Path
    # Unique per download: two downloads to one target must never write into the same file.
    partial: Path = attrs.field(
        default=attrs.Factory(
            lambda self: self.path.with_name(f".{self.path.name}.{uuid.uuid4().hex[:12]}.part"), takes_self=True
        ),
        eq=False,
    )


def plan_downloads(
    task: Task, dest: str | os.PathLike[str], *, watermark: bool, overwrite: bool
) -> list[DownloadTarget]:
    """Where each video of ``task`` goes. Refuses before any byte moves if a target exists."""
    if not task.succeeded:
        raise DownloadError(f"task {task.task_id} has no videos to download (status: {task.status.value})")
    if not task.videos:
        raise DownloadError(f"task {task.task_id} succeeded but lists no videos")
    directory = Path(dest)
    stem = _UNSAFE.sub("_", task.task_id).strip("._") or "task"
    targets = []
    for number, video in enumerate(task.videos, start=1):
        url = video.watermark_url if watermark else video.url
        if not url:
            raise DownloadError(
                f"task {task.task_id} has no watermarked copy of video {video.id}: "
                "create the task with watermark=True to get one"
            )
        name = stem if len(task.videos) == 1 else f"{stem}_{number}"
        targets.append(DownloadTarget(url, directory / f"{name}{'_watermark' if watermark else ''}.mp4"))
    existing = [t.path for t in targets if t.path.exists()]
    if existing and not overwrite:
        raise DestinationExistsError(existing)
    return targets


class _Cut(Exception):
    """The transfer stopped early; resumable."""


@attrs.define
class _Transfer:
    """Bytes written so far and the total the server announced: the resume decisions, shared by
    the sync and async loops so only the I/O exists twice."""

    out: BinaryIO
    offset: int = 0
    total: int | None = None
    name: str = "the video"
    policy: RetryPolicy = attrs.Factory(RetryPolicy)
    resumes: int = C.DOWNLOAD_RESUMES
    failures: int = 0  # cuts in a row that brought no new byte
    attempt_start: int = 0

    def request_headers(self) -> dict[str, str]:
        """The next attempt's headers; marks where it starts, to tell progress from a stall."""
        self.attempt_start = self.offset
        # identity: the length check and Range offsets count the bytes on the wire.
        headers = {"Accept-Encoding": "identity"}
        if self.offset:
            headers["Range"] = f"bytes={self.offset}-"
        return headers

    def accept(self, response: httpx.Response) -> bool:
        """Check one answer before its body is read. False: nothing more to read (already complete)."""
        status = response.status_code
        if status == 416 and self.total is not None and self.offset >= self.total:
            return False
        if status >= 500 or status == 429:
            raise _Cut(f"HTTP {status}")
        kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if status in (200, 206) and kind in _NOT_VIDEO:
            # Hotlink protection and expired links answer 200 with a page; never save it as .mp4.
            raise DownloadError(f"the server sent {kind}, not the video (an expired or protected link?)")
        if status == 206:
            match = _CONTENT_RANGE.match(response.headers.get("content-range", ""))
            if match is None or int(match.group(1)) != self.offset:
                raise DownloadError(f"the server resumed at the wrong place ({response.headers.get('content-range')})")
            if match.group(3) != "*":
                self.total = int(match.group(3))
            return True
        if status == 200:
            if self.offset:  # the server ignored Range: start again from the first byte
                log.debug("download: server ignored Range; restarting from 0")
                self.out.seek(0)
                self.out.truncate()
                self.offset = 0
            length = response.headers.get("content-length")
            self.total = int(length) if length and length.isdigit() else self.total
            return True
        raise DownloadError(f"HTTP {status} for the video (expired or removed? results are kept 30 days)")

    def write(self, chunk: bytes) -> None:
        self.out.write(chunk)
        self.offset += len(chunk)

    @property
    def complete(self) -> bool:
        return self.total is not None and self.offset == self.total > 0

    def after_cut(self, exc: Exception) -> float | None:
        """None if every announced byte arrived before the hang-up; else seconds to wait before
        resuming. Only cuts without progress count against ``resumes``, so a CDN that caps each
        range answer still gets there."""
        if self.complete:
            return None
        self.failures = self.failures + 1 if self.offset == self.attempt_start else 1
        if self.failures > self.resumes:
            raise DownloadError(f"download of {self.name} failed after {self.failures} attempts: {exc}") from exc
        delay = backoff_delay(self.failures - 1, self.policy)
        log.debug("download %s: cut (%s); resuming in %.2f s", self.name, exc, delay)
        return delay

    def failed(self, exc: Exception) -> DownloadError:
        """A failure no resume mends: a bad URL, a redirect loop, bytes that cannot be decoded."""
        return DownloadError(f"download of {self.name} failed: {type(exc).__name__}: {exc}")

    def finish(self) -> None:
        if self.offset == 0 and not self.total:
            raise DownloadError("the server sent an empty file")
        if self.total is not None and self.offset < self.total:
            raise _Cut(f"got {self.offset} of {self.total} bytes")
        if self.total is not None and self.offset > self.total:
            raise DownloadError(f"got {self.offset} bytes, more than the {self.total} announced")


def download_sync(
    http: httpx.Client,
    target: DownloadTarget,
    *,
    timeout: httpx.Timeout,
    policy: RetryPolicy,
    resumes: int = C.DOWNLOAD_RESUMES,
    sleep: Callable[[float], None],
) -> Path:
    target.path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(target.partial, "wb") as out:
            transfer = _Transfer(out, name=target.path.name, policy=policy, resumes=resumes)
            while True:
                try:
                    with http.stream(
                        "GET", target.url, headers=transfer.request_headers(), timeout=timeout, follow_redirects=True
                    ) as r:
                        # Chunks as they arrive (no chunk_size): a re-chunking buffer would lose
                        # what it held when the connection is cut, and the resume would start earlier.
                        if transfer.accept(r):
                            for chunk in r.iter_bytes():
                                transfer.write(chunk)
                    transfer.finish()
                    break
                except (httpx.TransportError, _Cut) as exc:
                    delay = transfer.after_cut(exc)
                    if delay is None:
                        break
                    sleep(delay)
                except (httpx.HTTPError, httpx.InvalidURL) as exc:
                    raise transfer.failed(exc) from None
        os.replace(target.partial, target.path)
    except BaseException:
        target.partial.unlink(missing_ok=True)
        raise
    return target.path


async def download_async(
    http: httpx.AsyncClient,
    target: DownloadTarget,
    *,
    timeout: httpx.Timeout,
    policy: RetryPolicy,
    resumes: int = C.DOWNLOAD_RESUMES,
    sleep: Callable[[float], Awaitable[None]],
) -> Path:
    target.path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(target.partial, "wb") as out:
            transfer = _Transfer(out, name=target.path.name, policy=policy, resumes=resumes)
            while True:
                try:
                    async with http.stream(
                        "GET", target.url, headers=transfer.request_headers(), timeout=timeout, follow_redirects=True
                    ) as r:
                        if transfer.accept(r):
                            async for chunk in r.aiter_bytes():
                                transfer.write(chunk)
                    transfer.finish()
                    break
                except (httpx.TransportError, _Cut) as exc:
                    delay = transfer.after_cut(exc)
                    if delay is None:
                        break
                    await sleep(delay)
                except (httpx.HTTPError, httpx.InvalidURL) as exc:
                    raise transfer.failed(exc) from None
        os.replace(target.partial, target.path)
    except BaseException:
        target.partial.unlink(missing_ok=True)
        raise
    return target.path
