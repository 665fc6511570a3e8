"""The gateway's routes: create, query, list, and the result files (kling-api.md).

Everything a route says is decided elsewhere (rules, store, envelope, downloads); this module
only puts those decisions in the order the real gateway applies them: authentication, then the
body, then the account's limits.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from kling_video.testing import envelope, rules
from kling_video.testing.downloads import Unsatisfiable, VideoSource, parse_range
from kling_video.testing.interceptor import API_PATH
from kling_video.testing.store import (
    SUCCEED,
    WATERMARK_SUFFIX,
    ConcurrencyLimitReached,
    DuplicateExternalId,
    TaskStore,
)

TICK_SECONDS = 0.05


def _answer(status: int, payload: dict[str, Any], headers: Mapping[str, str] | None = None) -> Response:
    return Response(envelope.encode(payload), status, headers=headers, media_type="application/json")


def _refuse(status: int, code: int, message: str | None = None) -> Response:
    return _answer(status, envelope.error(code, message))


class MediaResponse(Response):
    """A byte range of a result file, streamed without holding the file in memory."""

    def __init__(self, source: VideoSource, start: int, stop: int, status: int, headers: dict[str, str]) -> None:
        super().__init__(status_code=status, headers=headers, media_type="video/mp4")
        self._source, self._start, self._stop = source, start, stop

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        if scope["method"] == "HEAD":
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        # A client that hangs up must stop the stream: the server would otherwise go on
        # generating, say, a gigabyte that nobody reads.
        gone = asyncio.Event()

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            gone.set()

        watcher = asyncio.create_task(watch())
        try:
            async for chunk in self._source.stream(self._start, self._stop):
                if gone.is_set():
                    return
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
                # Writes that fit the socket buffer never suspend: yield, so other requests and
                # the news of a hang-up get their turn.
                await asyncio.sleep(0)
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher


class Gateway:
    """The route handlers, bound to one simulator's store, key and result file."""

    def __init__(self, *, store: TaskStore, api_key: str, video: VideoSource) -> None:
        self.store = store
        self.api_key = api_key
        self.video = video

    def _authenticate(self, request: Request) -> Response | None:
        header = request.headers.get("authorization", "").strip()
        scheme, _, token = header.partition(" ")
        if not header or (scheme.lower() == "bearer" and not token.strip()):
            return _refuse(401, envelope.AUTH_MISSING)
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            token.strip().encode("utf-8"), self.api_key.encode("utf-8")
        ):
            return _refuse(401, envelope.AUTH_INVALID)
        return None

    async def collection(self, request: Request) -> Response:
        # One route for both methods, so a 405 on this path lists both in Allow.
        if request.method == "POST":
            return await self.create(request)
        return await self.list_tasks(request)

    async def create(self, request: Request) -> Response:
        refused = self._authenticate(request)
        if refused is not None:
            return refused
        try:
            body = json.loads(await request.body())
        except (ValueError, RecursionError):
            return _refuse(400, rules.INVALID_REQUEST, "the request body is not valid JSON")
        violation = rules.check_create(body)
        if violation is not None:
            return _refuse(400, violation.code, violation.message)
        try:
            record = self.store.create(body)
        except DuplicateExternalId as duplicate:
            return _refuse(400, rules.INVALID_PARAMETER, f"external_task_id {duplicate.args[0]!r} already exists")
        except ConcurrencyLimitReached:
            return _refuse(429, envelope.CONCURRENCY_LIMIT)
        return _answer(200, envelope.success(self.store.render_created(record)))

    async def get(self, request: Request) -> Response:
        refused = self._authenticate(request)
        if refused is not None:
            return refused
        record = self.store.find(request.path_params["task_id"])
        if record is None:
            return _refuse(404, envelope.NOT_FOUND, "task not found")
        return _answer(200, envelope.success(self.store.render(record)))

    async def list_tasks(self, request: Request) -> Response:
        refused = self._authenticate(request)
        if refused is not None:
            return refused
        query: dict[str, Sequence[str]] = {key: request.query_params.getlist(key) for key in request.query_params}
        page = rules.check_page(query)
        if isinstance(page, rules.Violation):
            return _refuse(400, page.code, page.message)
        tasks = [self.store.render(record) for record in self.store.page(*page)]
        return _answer(200, envelope.success(tasks))

    async def download(self, request: Request) -> Response:
        """No authentication: real result URLs are CDN links anyone holding them can fetch."""
        record = self.store.by_task_id(request.path_params["task_id"])
        name = request.path_params["name"]
        names = {f"{record.video_id}.mp4", f"{record.video_id}{WATERMARK_SUFFIX}.mp4"} if record else set()
        if record is None or record.status != SUCCEED or name not in names:
            return PlainTextResponse("Not Found", 404)
        if name.endswith(f"{WATERMARK_SUFFIX}.mp4") and not record.watermark:
            return PlainTextResponse("Not Found", 404)
        size = self.video.size
        etag = f'"{record.task_id}-{record.video_id}-{size}"'
        headers = {"accept-ranges": "bytes", "etag": etag, "cache-control": "public, max-age=2592000"}
        if_range = request.headers.get("if-range")
        try:
            wanted = parse_range(request.headers.get("range"), size) if if_range in (None, etag) else None
        except Unsatisfiable:
            headers["content-range"] = f"bytes */{size}"
            return Response(b"", 416, headers=headers)
        start, stop = wanted or (0, size)
        headers["content-length"] = str(stop - start)
        if wanted is None:
            return MediaResponse(self.video, 0, size, 200, headers)
        headers["content-range"] = f"bytes {start}-{stop - 1}/{size}"
        return MediaResponse(self.video, start, stop, 206, headers)


async def _not_found(request: Request, exc: Exception) -> Response:
    return _refuse(404, envelope.NOT_FOUND, f"no such resource: {request.url.path}")


async def _wrong_method(request: Request, exc: Exception) -> Response:
    allow = exc.headers.get("Allow", "") if isinstance(exc, HTTPException) and exc.headers else ""
    payload = envelope.error(envelope.WRONG_METHOD, f"method {request.method} is not allowed here")
    return _answer(405, payload, {"Allow": allow} if allow else None)


def build_app(*, store: TaskStore, api_key: str, video: VideoSource) -> Starlette:
    gateway = Gateway(store=store, api_key=api_key, video=video)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Move tasks along even when nobody polls, so callbacks go out on time.
        async def tick() -> None:
            while True:
                store.refresh()
                await asyncio.sleep(TICK_SECONDS)

        ticker = asyncio.create_task(tick())
        try:
            yield
        finally:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker

    routes = [
        Route(API_PATH, gateway.collection, methods=["GET", "POST"]),
        Route(API_PATH + "/{task_id}", gateway.get, methods=["GET"]),
        Route("/media/{task_id}/{name}", gateway.download, methods=["GET", "HEAD"]),
    ]
    return Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={404: _not_found, 405: _wrong_method},
    )
