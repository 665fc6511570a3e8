"""The simulator in a process of its own, steered over stdin/stdout.

Its own process, so the server's CPU (and the GIL it holds) never counts against the client being
measured, and the client's memory is its own. Prints ``READY <base_url> <api_key>``, then answers
one line per command: ``counts`` (requests received by operation, as JSON), ``reset`` (forget
tasks and requests), and stops at ``quit`` or end of input.

    python -m benchmarks._server --speed 2000 --video-bytes 65536 --spread
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Mapping
from typing import Any

from kling_video.testing import Simulator

from benchmarks.polling import run_times

_INDEX = re.compile(r"#(\d+)")
_SPREAD = run_times(4096, seed=7)


def spread_run_seconds(body: Mapping[str, Any]) -> float:
    """The realistic spread of run times, picked by the ``#N`` in the prompt (the same for every client)."""
    match = _INDEX.search(str(body.get("prompt", "")))
    return _SPREAD[int(match.group(1)) % len(_SPREAD)] if match else 150.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--speed", type=float, default=1000.0)
    parser.add_argument("--run-seconds", type=float, default=60.0)
    parser.add_argument("--spread", action="store_true", help="run times from the polling benchmark's spread")
    parser.add_argument("--video-bytes", type=int, default=65536)
    parser.add_argument("--concurrency-limit", type=int, default=1_000_000)
    args = parser.parse_args()
    sim = Simulator(
        speed=args.speed,
        queue_seconds=min(5.0, args.run_seconds),
        run_seconds=spread_run_seconds if args.spread else args.run_seconds,
        concurrency_limit=args.concurrency_limit,
        video_bytes=args.video_bytes,
        seed=1,
    )
    with sim:
        print(f"READY {sim.base_url} {sim.api_key}", flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "counts":
                requests = sim.requests
                counts = Counter(r.operation or "other" for r in requests)
                counts["total"] = len(requests)
                counts["faults"] = sum(1 for r in requests if r.fault)
                print(json.dumps(counts), flush=True)
            elif command == "reset":
                sim.reset()
                print("ok", flush=True)
            elif command == "quit":
                break
            else:
                print(json.dumps({"error": f"unknown command {command!r}"}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
