"""Every request the simulator received, as sent, so tests can assert on what a client did.

"Exactly one create went out", "the retry carried the same external_task_id", "the resume
asked for the right Range": these are facts about the wire, not about the client's own
account of itself, so they are recorded at the server.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl


@dataclass(frozen=True)
class RecordedRequest:
    """One request: ``operation`` is create, get, list, download, or None for any other path;
    ``fault`` is the kind of the fault that hit it, if one did."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    json: Any
    body: bytes = field(repr=False)
    operation: str | None
    fault: str | None


def parse_json(body: bytes) -> Any:
    """The parsed body, or None when there is none or it is not JSON."""
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


class RequestLog:
    def __init__(self) -> None:
        self._items: list[RecordedRequest] = []
        self._lock = threading.Lock()

    def record(
        self,
        *,
        method: str,
        path: str,
        query_string: bytes,
        raw_headers: list[tuple[bytes, bytes]],
        body: bytes,
        operation: str | None,
        fault: str | None,
    ) -> None:
        headers: dict[str, str] = {}
        for raw_name, raw_value in raw_headers:
            name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        query = dict(parse_qsl(query_string.decode("latin-1"), keep_blank_values=True))
        item = RecordedRequest(
            method=method,
            path=path,
            query=query,
            headers=headers,
            json=parse_json(body),
            body=body,
            operation=operation,
            fault=fault,
        )
        with self._lock:
            self._items.append(item)

    def snapshot(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
