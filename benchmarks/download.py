"""4. Download: a 1 GiB result file through ``text2video.download``, beside a plain httpx stream.

The simulator (its own process) serves a generated 1 GiB payload; each download runs in a fresh
interpreter, so its RSS high-water mark above its own baseline (taken after imports and the
task lookup, just before the download) is the download's. The alternatives take turns: the
wrapper (streams into a ``.part`` file, checks the length, fsyncs, renames into place), a plain
``httpx.Client().stream()`` written to disk, and the same plain stream followed by ``os.fsync``
(the wrapper's durability, priced alone). Files go to a temporary folder, deleted after each run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._common import (
    Outcome,
    Row,
    ServerProcess,
    Table,
    fmt,
    median,
    rss_now_kib,
    run_worker,
    rusage_kib,
    shuffled_order,
)

PATH = "/kling/v1/videos/text2video"
WRAPPER, PLAIN, PLAIN_FSYNC = "wrapper", "plain httpx stream", "plain httpx stream + fsync"
IMPLS = (WRAPPER, PLAIN, PLAIN_FSYNC)
MIB = 1 << 20
THROUGHPUT_TARGET = 0.9
MEMORY_TARGET_MIB = 64


def worker(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--impl", choices=IMPLS, required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--task-id", required=True)
    parser.add_argument("--dest", required=True)
    args = parser.parse_args(argv)
    dest = Path(args.dest)
    import httpx

    if args.impl == WRAPPER:
        from kling_video import KlingVideo

        with KlingVideo(api_key=args.api_key, base_url=args.base_url) as client:
            task = client.text2video.get(args.task_id)
            base_rss, base_cpu = rss_now_kib(), rusage_kib()[1]
            start = time.perf_counter()
            paths = client.text2video.download(task, dest)
            seconds = time.perf_counter() - start
        path = paths[0]
    else:
        headers = {"Authorization": f"Bearer {args.api_key}"}
        with httpx.Client(headers=headers, timeout=300.0) as http:
            response = http.get(f"{args.base_url}{PATH}/{args.task_id}")
            response.raise_for_status()
            url = response.json()["data"]["task_result"]["videos"][0]["url"]
            path = dest / f"{args.task_id}.mp4"
            base_rss, base_cpu = rss_now_kib(), rusage_kib()[1]
            start = time.perf_counter()
            with http.stream("GET", url) as stream, open(path, "wb") as out:
                stream.raise_for_status()
                for chunk in stream.iter_bytes():
                    out.write(chunk)
                if args.impl == PLAIN_FSYNC:
                    out.flush()
                    os.fsync(out.fileno())
            seconds = time.perf_counter() - start
    peak_rss, cpu = rusage_kib()
    size = path.stat().st_size
    path.unlink()
    result = {"bytes": size, "seconds": seconds, "cpu_s": cpu - base_cpu, "base_rss_kib": base_rss}
    print(json.dumps({**result, "peak_rss_kib": peak_rss}))


def _create_finished_task(server: ServerProcess) -> str:
    import httpx

    headers = {"Authorization": f"Bearer {server.api_key}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=30.0) as http:
        body = {"model_name": "kling-v2-5-turbo", "multi_shot": False, "mode": "std", "duration": "5", "prompt": "x"}
        task_id: str = http.post(PATH, json=body).json()["data"]["task_id"]
        deadline = time.monotonic() + 30
        while http.get(f"{PATH}/{task_id}").json()["data"]["task_status"] != "succeed":
            if time.monotonic() > deadline:
                raise RuntimeError("the benchmark's task did not finish on the simulator")
            time.sleep(0.05)
    return task_id


def run(quick: bool) -> Outcome:
    size = (256 if quick else 1024) * MIB
    rounds = 2 if quick else 5
    outcome = Outcome("download", f"4. Download: {size // MIB:,} MiB through `download` vs a plain httpx stream")
    runs: dict[str, list[dict[str, Any]]] = {impl: [] for impl in IMPLS}
    with ServerProcess("--speed", "1000", "--run-seconds", "1", "--video-bytes", str(size)) as server:
        task_id = _create_finished_task(server)
        for index in range(rounds + 1):  # the first round warms up; not counted
            for impl in shuffled_order(IMPLS, index):
                with tempfile.TemporaryDirectory(prefix="kling-bench-download-") as dest:
                    args = ["--impl", impl, "--base-url", server.base_url, "--api-key", server.api_key]
                    result = run_worker("benchmarks.download", *args, "--task-id", task_id, "--dest", dest)
                if result["bytes"] != size:
                    raise RuntimeError(f"{impl} downloaded {result['bytes']} bytes, not {size}")
                if index > 0:
                    runs[impl].append(result)

    stats = {
        impl: {
            "mib_per_s": median([r["bytes"] / MIB / r["seconds"] for r in results]),
            "seconds": median([r["seconds"] for r in results]),
            "cpu_s": median([r["cpu_s"] for r in results]),
            "rss_growth_mib": max((r["peak_rss_kib"] - r["base_rss_kib"]) / 1024 for r in results),
            "base_rss_mib": median([r["base_rss_kib"] / 1024 for r in results]),
        }
        for impl, results in runs.items()
    }
    w, p, pf = stats[WRAPPER], stats[PLAIN], stats[PLAIN_FSYNC]
    outcome.rows += [
        Row(
            benchmark="download",
            measure=f"{size // MIB:,} MiB: throughput",
            subject=WRAPPER,
            value=w["mib_per_s"],
            reference=PLAIN,
            reference_value=p["mib_per_s"],
            unit="MiB/s",
            target="≥ 0.9× plain",
            met=w["mib_per_s"] >= THROUGHPUT_TARGET * p["mib_per_s"],
        ),
        Row(
            benchmark="download",
            measure=f"{size // MIB:,} MiB: peak RSS above baseline (worst run)",
            subject=WRAPPER,
            value=w["rss_growth_mib"],
            reference=PLAIN,
            reference_value=p["rss_growth_mib"],
            unit="MiB",
            target="< 64 MiB",
            met=w["rss_growth_mib"] < MEMORY_TARGET_MIB,
        ),
        Row(
            benchmark="download",
            measure=f"{size // MIB:,} MiB: throughput",
            subject=WRAPPER,
            value=w["mib_per_s"],
            reference=PLAIN_FSYNC,
            reference_value=pf["mib_per_s"],
            unit="MiB/s",
            target="",
            met=None,
        ),
    ]
    outcome.tables.append(
        Table(
            f"{size // MIB:,} MiB from the simulator over loopback to a temporary folder; medians of {rounds} "
            "interleaved runs (order permuted each round), each in a fresh interpreter (RSS: worst run)",
            ["client", "MiB/s", "seconds", "client CPU s", "× plain", "RSS before MiB", "RSS growth MiB"],
            [
                [
                    impl,
                    fmt(s["mib_per_s"]),
                    fmt(s["seconds"]),
                    fmt(s["cpu_s"]),
                    fmt(s["mib_per_s"] / p["mib_per_s"]),
                    fmt(s["base_rss_mib"]),
                    fmt(s["rss_growth_mib"]),
                ]
                for impl, s in stats.items()
            ],
        )
    )
    outcome.notes.append(
        "Memory is the worker's RSS high-water mark (`ru_maxrss`) minus its RSS (VmRSS) just before the download "
        "began. The wrapper's download fsyncs the file before renaming it into place (a crash never leaves a "
        "truncated video under the final name); the `+ fsync` row prices that step on its own. The simulator's "
        "own generation of the payload (Python, one thread, in its own process) caps every client alike."
    )
    if not outcome.rows[0].met:
        fsync_cost = pf["seconds"] - p["seconds"]
        outcome.findings.append(
            f"Download misses ≥ 0.9×: {w['mib_per_s'] / p['mib_per_s']:.2f}× ({fmt(w['mib_per_s'])} vs "
            f"{fmt(p['mib_per_s'])} MiB/s). The plain stream followed by the same fsync runs at "
            f"{fmt(pf['mib_per_s'])} MiB/s ({pf['mib_per_s'] / p['mib_per_s']:.2f}× plain): fsync adds "
            f"{fmt(fsync_cost)} s to {fmt(p['seconds'])} s, against {fmt(w['seconds'] - p['seconds'])} s for the "
            "wrapper over plain."
        )
    outcome.data = {"bytes": size, "rounds": rounds, "runs": runs, "medians": stats}
    return outcome


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        worker(sys.argv[2:])
    else:
        raise SystemExit("usage: python -m benchmarks.download worker --impl ... (run python -m benchmarks)")
