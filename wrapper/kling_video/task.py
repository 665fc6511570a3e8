"""The task as users see it: typed, with meaning given to the strings the server sends.

The generated layer keeps ``task_status`` a plain string so a new status never breaks parsing;
here it becomes a ``TaskStatus`` (``UNKNOWN`` for a value we have not met, with the raw string
kept). Gateways are loose with types (a number where the spec says string, seconds where Kling
sends milliseconds), so every field is coerced here, never trusted.
"""

from __future__ import annotations

import enum
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs
from kling_video_api.models import Task as ApiTask
from kling_video_api.types import Unset

__all__ = ["Task", "TaskStatus", "Video"]

# Below this a timestamp is taken as seconds: 1e11 ms is 1973, 1e11 s is the year 5138.
_SECONDS_BELOW = 100_000_000_000


class TaskStatus(str, enum.Enum):
    """Kling's task statuses, plus UNKNOWN for anything a gateway invents."""

    SUBMITTED = "submitted"
    PROCESSING = "processing"
    SUCCEED = "succeed"
    FAILED = "failed"
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, value: object) -> TaskStatus:
        text = str(value).strip().lower() if value is not None else ""
        try:
            return cls(text)
        except ValueError:
            return cls.UNKNOWN

    @property
    def is_finished(self) -> bool:
        return self in (TaskStatus.SUCCEED, TaskStatus.FAILED)


@attrs.frozen
class Video:
    """One result file. URLs are hotlink-protected and deleted after 30 days: download promptly."""

    id: str
    url: str
    watermark_url: str | None = None
    duration: float | None = None


@attrs.frozen
class Task:
    task_id: str
    status: TaskStatus
    raw_status: str = ""
    status_message: str | None = None
    external_task_id: str | None = None
    videos: tuple[Video, ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None
    units_billed: Decimal | None = None
    watermark: bool | None = None

    @property
    def is_finished(self) -> bool:
        return self.status.is_finished

    @property
    def succeeded(self) -> bool:
        return self.status is TaskStatus.SUCCEED

    @classmethod
    def from_api(cls, api: ApiTask) -> Task:
        """Build from the generated model; every field is coerced, nothing is assumed present."""
        info = _value(api.task_info)
        result = _value(api.task_result)
        watermark = _value(api.watermark_info)
        videos: list[Video] = []
        if result is not None:
            for item in _value(result.videos) or []:
                url = _text(_value(item.url))
                if url:
                    videos.append(
                        Video(
                            id=_text(_value(item.id)) or str(len(videos)),
                            url=url,
                            watermark_url=_text(_value(item.watermark_url)),
                            duration=_number(_value(item.duration)),
                        )
                    )
        raw_status = _text(_value(api.task_status)) or ""
        return cls(
            task_id=_text(_value(api.task_id)) or "",
            status=TaskStatus.parse(raw_status),
            raw_status=raw_status,
            status_message=_text(_value(api.task_status_msg)),
            external_task_id=_text(_value(info.external_task_id)) if info is not None else None,
            videos=tuple(videos),
            created_at=_timestamp(_value(api.created_at)),
            updated_at=_timestamp(_value(api.updated_at)),
            units_billed=_decimal(_value(api.final_unit_deduction)),
            watermark=_flag(_value(watermark.enabled)) if watermark is not None else None,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Task:
        """Build from a task object in Kling's shape (as in a callback body or ``data``)."""
        return cls.from_api(ApiTask.from_dict(data))


def _value(value: Any) -> Any:
    return None if isinstance(value, Unset) else value


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _number(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError, OverflowError):
        return None


def _flag(value: Any) -> bool | None:
    """A boolean a gateway may send as a bool, a number or a string ("false" is false)."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "on")
    return None if value is None else bool(value)


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        return None


def _timestamp(value: Any) -> datetime | None:
    number = _number(value)
    if number is None:
        return None
    seconds = number if number < _SECONDS_BELOW else number / 1000
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None
