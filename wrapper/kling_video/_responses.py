"""Read an HTTP answer into a value or a typed error, whatever the body holds.

The generated ``_parse_response`` calls ``response.json()`` unguarded, so a proxy's HTML page or
an empty 502 would surface as a JSONDecodeError. The wrapper reads the raw answer here instead:
anything that is not the envelope becomes an ``APIError`` carrying the raw text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from kling_video_api.models import Task as ApiTask

from kling_video._shapes import normalise_task
from kling_video.errors import APIError, error_for
from kling_video.task import Task

__all__ = ["parse_task", "parse_task_list"]

_RAW_TEXT_LIMIT = 2000
_SUCCESS_CODES = (0, "0", "success", "SUCCESS")


def parse_task(status_code: int, content: bytes) -> Task:
    data = _data(status_code, content)
    if not isinstance(data, Mapping):
        raise _not_envelope(status_code, content, "the answer holds no task object")
    return _task(data, status_code, content)


def parse_task_list(status_code: int, content: bytes) -> list[Task]:
    data = _data(status_code, content)
    if isinstance(data, Mapping):  # some gateways wrap the page: {"list": [...]} or {"tasks": [...]}
        data = next((v for k, v in data.items() if k in ("list", "tasks", "items")), None)
    if not isinstance(data, list):
        raise _not_envelope(status_code, content, "the answer holds no list of tasks")
    return [_task(item, status_code, content) for item in data if isinstance(item, Mapping)]


def _data(status_code: int, content: bytes) -> Any:
    """The envelope's ``data`` on success; raises the typed error otherwise."""
    try:
        body = json.loads(content) if content.strip() else None
    except (ValueError, UnicodeDecodeError, RecursionError):
        body = None
    if not isinstance(body, Mapping):
        reason = "empty answer" if not content.strip() else "the answer is not a JSON object"
        raise _not_envelope(status_code, content, reason)
    if "code" not in body:
        if 200 <= status_code < 300 and ("task_status" in body or "status" in body):
            return body  # a gateway that answers with the bare task object
        raise _not_envelope(status_code, content, "the answer is not Kling's envelope")
    code = body.get("code")
    request_id = _optional_text(body.get("request_id"))
    message = _optional_text(body.get("message")) or _optional_text(body.get("msg")) or ""
    if code in _SUCCESS_CODES and 200 <= status_code < 300:
        return body.get("data")
    raise error_for(
        status_code=status_code,
        code=_int_or_none(code),
        message=message or f"the server refused the request (code {code})",
        request_id=request_id,
        body=_raw_text(content),
    )


def _task(data: Mapping[str, Any], status_code: int, content: bytes) -> Task:
    try:
        task = Task.from_api(ApiTask.from_dict(normalise_task(data)))
    except (TypeError, ValueError, KeyError, AttributeError, OverflowError) as exc:
        raise _not_envelope(status_code, content, f"the task object could not be read ({exc})") from exc
    if not task.task_id:  # a task without an id cannot be followed, and may not exist at all
        raise _not_envelope(status_code, content, "the task object has no task_id")
    return task


def _not_envelope(status_code: int, content: bytes, reason: str) -> APIError:
    return error_for(
        status_code=status_code,
        code=None,
        message=f"unexpected answer from the server: {reason}",
        body=_raw_text(content),
    )


def _raw_text(content: bytes) -> str:
    return content[:_RAW_TEXT_LIMIT].decode("utf-8", errors="replace")


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return None


def _optional_text(value: Any) -> str | None:
    return None if value is None else str(value)
