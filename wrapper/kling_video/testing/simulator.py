"""The simulator's lifecycle: a real HTTP server on loopback, in a background thread.

A real server, not a mocked transport, so every client path is exercised as it will be in
production: connection pooling, timeouts, dropped sockets, streamed downloads, callbacks.
"""

from __future__ import annotations

import asyncio
import random
import socket
import threading
import time
from collections.abc import Iterable
from types import TracebackType
from typing import Any

import uvicorn

from kling_video.testing.app import build_app
from kling_video.testing.callbacks import CallbackSender
from kling_video.testing.clock import Clock
from kling_video.testing.downloads import VideoSource
from kling_video.testing.faults import Fault, FaultQueue
from kling_video.testing.interceptor import Interceptor
from kling_video.testing.recording import RecordedRequest, RequestLog
from kling_video.testing.store import FailureRule, RunSeconds, TaskStore, Transition

DEFAULT_API_KEY = "sk-simulator"
START_TIMEOUT = 10.0


class Simulator:
    """A local, faithful stand-in for the anyapi Kling gateway.

    Use it as a context manager (``with Simulator() as sim:``) or with ``start()``/``stop()``,
    and point a client at ``sim.base_url`` with ``sim.api_key``. It answers create, query (by
    task id or external_task_id) and list exactly in Kling's shape, refuses what the gateway
    refuses (auth 1000/1001, invalid bodies 1200/1201, unknown tasks 1203, duplicate
    external_task_id 1201, concurrency 1303), moves tasks submitted -> processing -> succeed on a
    simulated clock, serves the result video with byte ranges, and POSTs callbacks.

    Time: ``speed`` simulated seconds pass per real second (0: only ``advance()`` moves the
    clock). A task is ``submitted`` for ``queue_seconds``, then ``processing`` until
    ``run_seconds`` after its creation (a number, or a function of the create body).

    Failure: a task fails (``task_status`` failed, with a content-moderation style
    ``task_status_msg``) when its prompt or any shot prompt contains ``simulate-failure``.
    ``failure=`` replaces that rule with a function of the create body returning the failure
    message, or None for success.

    Faults: ``faults=`` and ``inject()`` script misbehaviour; see ``Fault``.

    Callbacks go to a task's ``callback_url`` on each status change, signed by the Standard
    Webhooks scheme when ``callback_secret`` (``whsec_<base64>``) is given.

    ``video_bytes``: None serves the shipped sample MP4; a number serves a generated payload of
    that many bytes (``kling_video.testing.downloads.generated_bytes`` reproduces it). ``seed``
    makes task ids and fault rates reproducible.
    """

    def __init__(
        self,
        *,
        api_key: str = DEFAULT_API_KEY,
        host: str = "127.0.0.1",
        port: int = 0,
        speed: float = 60.0,
        queue_seconds: float = 5.0,
        run_seconds: RunSeconds = 60.0,
        concurrency_limit: int = 10,
        callback_secret: str | None = None,
        faults: Iterable[Fault] = (),
        video_bytes: int | None = None,
        seed: int | None = None,
        failure: FailureRule | None = None,
    ) -> None:
        if not api_key:
            raise ValueError("api_key must not be empty")
        self.api_key = api_key
        self.host = host
        self._requested_port = port
        self._clock = Clock(speed)
        # Reproducible ids and fault draws, not secrets: the stdlib generator is what is wanted.
        seeds = random.Random(seed)  # noqa: S311
        self._callbacks = CallbackSender(callback_secret)
        self._store = TaskStore(
            self._clock,
            rng=random.Random(seeds.getrandbits(64)),  # noqa: S311
            queue_seconds=queue_seconds,
            run_seconds=run_seconds,
            concurrency_limit=concurrency_limit,
            failure=failure,
            on_transition=self._on_transition,
        )
        self._initial_faults = tuple(faults)
        self._faults = FaultQueue(random.Random(seeds.getrandbits(64)))  # noqa: S311
        for fault in self._initial_faults:
            self._faults.add(fault)
        self._log = RequestLog()
        self._video = VideoSource.from_option(video_bytes)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None
        self._stopped = False

    # Lifecycle

    def start(self) -> Simulator:
        """Listen and serve in a background thread; returns once the server accepts connections."""
        if self._server is not None:
            raise RuntimeError("the simulator is already running")
        if self._stopped:
            raise RuntimeError("a stopped simulator cannot be started again; make a new one")
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # IPPROTO_TCP spelled out: asyncio sets TCP_NODELAY on accepted sockets only when the
        # protocol says TCP, and without it every answer waits 40 ms for a delayed ACK.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self._requested_port))
            sock.listen(128)
        except OSError:
            sock.close()
            raise
        self._port = sock.getsockname()[1]
        self._store.media_base = self.base_url
        app = Interceptor(
            build_app(store=self._store, api_key=self.api_key, video=self._video),
            faults=self._faults,
            log=self._log,
        )
        config = uvicorn.Config(
            app,
            log_config=None,
            log_level="warning",
            access_log=False,
            http="h11",
            ws="none",
            lifespan="on",
            proxy_headers=False,
            timeout_graceful_shutdown=1,
        )
        server = uvicorn.Server(config)
        self._server = server
        self._callbacks.start()
        errors: list[BaseException] = []

        def serve() -> None:
            try:
                asyncio.run(server.serve(sockets=[sock]))
            except BaseException as exc:  # reported to start(), which re-raises it
                errors.append(exc)
            finally:
                sock.close()

        self._thread = threading.Thread(target=serve, name=f"kling-simulator-{self._port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not server.started:
            if not self._thread.is_alive() or errors:
                self._shutdown()
                raise RuntimeError("the simulator failed to start") from (errors[0] if errors else None)
            if time.monotonic() > deadline:
                self._shutdown()
                raise RuntimeError("the simulator did not start in time")
            self._thread.join(0.005)
        return self

    def stop(self) -> None:
        """Stop serving and delivering callbacks. Safe to call twice."""
        self._shutdown()

    def _shutdown(self) -> None:
        self._stopped = True
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None
        self._server = None
        self._callbacks.stop()

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # Where it listens

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the simulator is not started")
        return self._port

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    # What tests steer and inspect

    @property
    def speed(self) -> float:
        return self._clock.speed

    def now(self) -> float:
        """Simulated seconds since the simulator was made."""
        return self._clock.now()

    def advance(self, seconds: float) -> None:
        """Move the simulated clock forward; tasks due by then change status (and call back) now."""
        self._clock.advance(seconds)
        self._store.refresh()

    def inject(self, fault: Fault) -> None:
        """Add a fault, behind those already in play."""
        self._faults.add(fault)

    @property
    def faults(self) -> list[Fault]:
        """Faults that can still hit."""
        return self._faults.pending()

    @property
    def tasks(self) -> list[dict[str, Any]]:
        """Every task as the query call shows it now, oldest first (a snapshot)."""
        return [self._store.render(record) for record in self._store.all()]

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, in order (a snapshot)."""
        return self._log.snapshot()

    def flush_callbacks(self, timeout: float = 5.0) -> bool:
        """Wait until every callback due so far was attempted; False when time ran out first."""
        self._store.refresh()
        return self._callbacks.flush(timeout)

    def reset(self) -> None:
        """Forget tasks, recorded requests and injected faults; re-arm the constructor's faults.

        The clock keeps running: time never goes back.
        """
        self._store.clear()
        self._log.clear()
        self._faults.clear()
        for fault in self._initial_faults:
            self._faults.add(fault)

    def _on_transition(self, transition: Transition) -> None:
        url = transition.record.callback_url
        if url is not None:
            self._callbacks.send(url, transition.task)

    def __repr__(self) -> str:
        where = self.base_url if self._port is not None else "not started"
        return f"<Simulator {where} speed={self.speed:g}>"
