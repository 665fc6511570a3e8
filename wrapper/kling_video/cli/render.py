"""What the commands print as their result: JSON for programs, aligned text for people.

Results go to stdout and nothing else does, so ``kling-video generate ... > out.txt`` or
``--json | jq`` get exactly the result; progress, hints and errors go to stderr.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from kling_video.task import Task

__all__ = ["echo_json", "task_json", "task_lines", "task_table"]


def task_json(task: Task, paths: Sequence[Path] | None = None) -> dict[str, Any]:
    """The task as plain JSON types; ``paths`` only when something was saved."""
    data: dict[str, Any] = {
        "task_id": task.task_id,
        "status": task.status.value,
        "raw_status": task.raw_status,
        "status_message": task.status_message,
        "external_task_id": task.external_task_id,
        "videos": [
            {"id": v.id, "url": v.url, "watermark_url": v.watermark_url, "duration": v.duration} for v in task.videos
        ],
        "created_at": _iso(task.created_at),
        "updated_at": _iso(task.updated_at),
        # A string, as the server sends it: units are decimal and a float would round them.
        "units_billed": None if task.units_billed is None else str(task.units_billed),
        "watermark": task.watermark,
    }
    if paths is not None:
        data["paths"] = [str(p) for p in paths]
    return data


def echo_json(value: object) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


def task_lines(task: Task, paths: Sequence[Path] = ()) -> list[str]:
    """A task for a person: one fact a line, empty facts left out."""
    rows: list[tuple[str, str | None]] = [
        ("task", task.task_id),
        ("status", task.raw_status or task.status.value),
        ("reason", task.status_message),
        ("external id", task.external_task_id),
        ("created", _local(task.created_at)),
        ("updated", _local(task.updated_at)),
        ("units billed", None if task.units_billed is None else str(task.units_billed)),
    ]
    for number, video in enumerate(task.videos, start=1):
        length = f" ({video.duration:g} s)" if video.duration is not None else ""
        rows.append((f"video {number}", f"{video.url}{length}"))
        if video.watermark_url:
            rows.append((f"watermarked {number}", video.watermark_url))
    rows += [("saved", str(path)) for path in paths]
    width = max(len(label) for label, value in rows if value)
    return [f"{label:<{width}}  {value}" for label, value in rows if value]


def task_table(tasks: Iterable[Task]) -> list[str]:
    """One task a line, columns aligned: what ``list`` shows."""
    header = ("TASK", "STATUS", "CREATED", "EXTERNAL ID")
    rows = [
        (t.task_id, t.raw_status or t.status.value, _local(t.created_at) or "-", t.external_task_id or "-")
        for t in tasks
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    return [
        "  ".join([*(cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)), row[-1]]).rstrip()
        for row in [header, *rows]
    ]


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _local(moment: datetime | None) -> str | None:
    """Local time to the second: what a person compares with their clock."""
    return None if moment is None else moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")
