"""The layer in front of the API that records every request and carries out injected faults.

It sits outside the routes, as the network and a proxy sit outside the real gateway: a fault
that is "not processed" never reaches the routes, and a dropped connection is a real one (the
socket is closed under the client), not a status code that pretends to be one.
"""

from __future__ import annotations

import asyncio
import http
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kling_video.testing import envelope
from kling_video.testing.faults import Fault, FaultQueue
from kling_video.testing.recording import RequestLog

API_PATH = "/kling/v1/videos/text2video"
MEDIA_PREFIX = "/media/"

NGINX_PAGE = """<html>
<head><title>{status} {phrase}</title></head>
<body>
<center><h1>{status} {phrase}</h1></center>
<hr><center>nginx</center>
</body>
</html>
"""


def classify(method: str, path: str) -> str | None:
    """Which fault target a request is: create, get, list, download, or None."""
    if path in (API_PATH, API_PATH + "/"):
        return {"POST": "create", "GET": "list"}.get(method)
    if path.startswith(API_PATH + "/") and "/" not in path[len(API_PATH) + 1 :]:
        return "get" if method == "GET" else None
    if path.startswith(MEDIA_PREFIX) and method in ("GET", "HEAD"):
        return "download"
    return None


class _Cut(Exception):
    """Raised through the app to stop a download half-way."""


class Interceptor:
    def __init__(self, app: ASGIApp, *, faults: FaultQueue, log: RequestLog) -> None:
        self.app = app
        self.faults = faults
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        operation = classify(scope["method"], scope["path"])
        fault = self.faults.take(operation) if operation is not None else None
        self.log.record(
            method=scope["method"],
            path=scope["path"],
            query_string=scope.get("query_string", b""),
            raw_headers=list(scope.get("headers", [])),
            body=body,
            operation=operation,
            fault=fault.kind if fault is not None else None,
        )
        replay = _replaying(body, receive)
        if fault is None:
            await self.app(scope, replay, send)
            return
        if fault.effective_delay:
            await asyncio.sleep(fault.effective_delay)
        await self._strike(fault, scope, replay, send)

    async def _strike(self, fault: Fault, scope: Scope, receive: Receive, send: Send) -> None:
        if fault.kind == "slow":
            await self.app(scope, receive, send)
        elif fault.kind == "drop":
            await _drop_connection(send)
        elif fault.kind == "drop_after_create":
            await self._answer_then_drop(scope, receive, send)
        elif fault.kind == "cut_download":
            await self._cut_download(scope, receive, send)
        elif fault.kind == "error":
            payload = envelope.encode(envelope.error(fault.effective_code, _fault_message(fault)))
            await _respond(send, fault, payload, b"application/json")
        elif fault.kind == "html":
            phrase = _phrase(fault.effective_status)
            page = NGINX_PAGE.format(status=fault.effective_status, phrase=phrase).encode()
            await _respond(send, fault, page, b"text/html")
        else:  # bare_status
            await _respond(send, fault, b"", None)

    async def _answer_then_drop(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Process the request in full, then lose the answer after its headers."""
        start: Message | None = None

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message

        await self.app(scope, receive, capture)
        if start is not None:
            await send(start)
        await _drop_connection(send)

    async def _cut_download(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the download through until about half its declared length, then close."""
        remaining: int | None = None

        async def cutting(message: Message) -> None:
            nonlocal remaining
            if message["type"] == "http.response.start":
                length = _content_length(message)
                if 200 <= message["status"] < 300 and length:
                    remaining = length // 2
                await send(message)
                return
            if remaining is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunk: bytes = message.get("body", b"")
            if len(chunk) < remaining:
                remaining -= len(chunk)
                await send(message)
                return
            await send({"type": "http.response.body", "body": chunk[:remaining], "more_body": True})
            raise _Cut

        try:
            await self.app(scope, receive, cutting)
        except _Cut:
            await _drop_connection(send)


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the already-read body to the app, then defers to the server."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _drop_connection(send: Send) -> None:
    """Close the client's socket, whatever was or was not sent on it yet.

    uvicorn hands each request its connection's cycle as ``send.__self__``; closing that
    cycle's transport is the one way to hang up without an answer. Should the server be another
    one, an exception makes it close the connection instead, only more noisily.
    """
    cycle: Any = getattr(send, "__self__", None)
    transport: Any = getattr(cycle, "transport", None)
    if transport is None:
        raise ConnectionAbortedError("the simulator dropped the connection (injected fault)")
    transport.close()
    # Wait until the server notices, so it does not log the unfinished answer as an app error.
    for _ in range(200):
        if getattr(cycle, "disconnected", True):
            return
        await asyncio.sleep(0.005)


async def _respond(send: Send, fault: Fault, body: bytes, content_type: bytes | None) -> None:
    headers = [(b"content-length", str(len(body)).encode())]
    if content_type is not None:
        headers.append((b"content-type", content_type))
    if fault.retry_after is not None:
        headers.append((b"retry-after", f"{fault.retry_after:g}".encode()))
    await send({"type": "http.response.start", "status": fault.effective_status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


def _content_length(message: Message) -> int | None:
    for name, value in message.get("headers", []):
        if name.lower() == b"content-length":
            return int(value)
    return None


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _fault_message(fault: Fault) -> str:
    return f"{envelope.MESSAGES.get(fault.effective_code, 'Error')} (injected fault)"
