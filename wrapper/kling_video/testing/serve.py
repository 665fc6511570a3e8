"""Run the simulator in the foreground, for pointing a client or the CLI at it by hand.

The options and ``serve()`` are separate from ``python -m kling_video.testing`` so the
package's CLI can offer the same command without duplicating them.
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Sequence
from typing import TextIO

from kling_video.testing.simulator import DEFAULT_API_KEY, Simulator


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    parser.add_argument("--api-key", default=DEFAULT_API_KEY, help="the key clients must send (default: %(default)s)")
    parser.add_argument(
        "--speed",
        type=float,
        default=60.0,
        help="simulated seconds per real second (default: %(default)s; 0 freezes time)",
    )
    parser.add_argument("--queue-seconds", type=float, default=5.0, help="simulated time in submitted")
    parser.add_argument("--run-seconds", type=float, default=60.0, help="simulated time from create to done")
    parser.add_argument("--concurrency-limit", type=int, default=10, help="running tasks allowed at once")
    parser.add_argument("--callback-secret", default=None, help="whsec_<base64> secret to sign callbacks")


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    api_key: str = DEFAULT_API_KEY,
    speed: float = 60.0,
    queue_seconds: float = 5.0,
    run_seconds: float = 60.0,
    concurrency_limit: int = 10,
    callback_secret: str | None = None,
    out: TextIO | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Serve until interrupted (Ctrl-C) or until ``stop`` is set, printing where and with what key."""
    out = out or sys.stdout
    simulator = Simulator(
        host=host,
        port=port,
        api_key=api_key,
        speed=speed,
        queue_seconds=queue_seconds,
        run_seconds=run_seconds,
        concurrency_limit=concurrency_limit,
        callback_secret=callback_secret,
    )
    stop = stop or threading.Event()
    with simulator:
        print(f"Kling simulator listening on {simulator.base_url}", file=out)
        print(f"KLING_BASE_URL={simulator.base_url}", file=out)
        print(f"KLING_API_KEY={simulator.api_key}", file=out)
        print("Press Ctrl-C to stop.", file=out, flush=True)
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            print("stopped", file=out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kling_video.testing",
        description="Run a local simulator of the Kling gateway until Ctrl-C; point a client at it.",
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    serve(**vars(args))
    return 0
