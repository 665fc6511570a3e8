"""Bring a task object from the server into Kling's own shape before the generated model reads it.

The anyapi gateway answers in Kling's shape; this module only (1) drops values whose type would
crash the generated ``from_dict`` (``null`` or a list where an object belongs), and (2) as a
courtesy, recognises the flatter shapes some other gateways use (``status``/``url``/
``fail_reason``). Kling's shape always wins: a payload with ``task_status`` is never reinterpreted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_OBJECT_FIELDS = ("task_info", "task_result", "watermark_info")

_OTHER_STATUS = {
    "queued": "submitted",
    "pending": "submitted",
    "not_start": "submitted",
    "submitted": "submitted",
    "in_progress": "processing",
    "processing": "processing",
    "running": "processing",
    "completed": "succeed",
    "success": "succeed",
    "succeeded": "succeed",
    "succeed": "succeed",
    "failed": "failed",
    "failure": "failed",
    "error": "failed",
}


def normalise_task(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A dict the generated ``Task.from_dict`` can read without raising."""
    data = {key: value for key, value in payload.items() if value is not None}
    if "task_status" not in data and "status" in data:
        data = _from_flat_shape(data)
    for key in _OBJECT_FIELDS:
        if key in data and not isinstance(data[key], Mapping):
            del data[key]
    result = data.get("task_result")
    if isinstance(result, Mapping):
        videos = result.get("videos")
        data["task_result"] = {
            **{k: v for k, v in result.items() if k != "videos"},
            "videos": [dict(v) for v in videos if isinstance(v, Mapping)] if isinstance(videos, list) else [],
        }
    return data


def _from_flat_shape(data: dict[str, Any]) -> dict[str, Any]:
    raw = str(data.pop("status"))
    data["task_status"] = _OTHER_STATUS.get(raw.strip().lower(), raw)
    reason = data.pop("fail_reason", None) or data.pop("error", None)
    if reason is not None:
        data["task_status_msg"] = reason if isinstance(reason, str) else str(reason)
    url = data.pop("result_url", None) or data.pop("url", None)
    if isinstance(url, str) and url and "task_result" not in data:
        data["task_result"] = {"videos": [{"id": "0", "url": url}]}
    if "task_id" not in data and "id" in data:
        data["task_id"] = data.pop("id")
    return data
