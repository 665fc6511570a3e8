"""What every benchmark shares: statistics, the result types, the machine, the repository paths."""

from __future__ import annotations

import datetime
import itertools
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "benchmarks"
PYTHON = sys.executable


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else math.nan


def percentile(values: Sequence[float], pct: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * pct / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def interleave(alternatives: Mapping[str, Callable[[], float]], rounds: int, warmup: int = 1) -> dict[str, list[float]]:
    """Run each alternative once per round, in order (A, B, C, A, B, C, ...); the first ``warmup`` rounds are dropped.

    Each callable does its own timing and returns one sample.
    """
    samples: dict[str, list[float]] = {name: [] for name in alternatives}
    for index in range(warmup + rounds):
        for name, run in alternatives.items():
            value = run()
            if index >= warmup:
                samples[name].append(value)
    return samples


def shuffled_order(items: Sequence[str], round_index: int) -> list[str]:
    """The alternatives' order for one round: each permutation in turn (A B C, A C B, B A C, ...).

    Still interleaved, but no alternative always runs right after the same other one: a run can leave
    the machine in a state the next one pays for (a deleted file's pages, say), and rotating alone
    keeps every alternative's predecessor the same.
    """
    orders = list(itertools.permutations(items))
    return list(orders[round_index % len(orders)])


@dataclass
class Row:
    """One line of the summary table: a measure of the client beside its reference, and the target."""

    benchmark: str
    measure: str
    subject: str
    value: float
    reference: str
    reference_value: float
    unit: str
    target: str
    met: bool | None  # None: informational, no target
    ratio: float | None = None

    def __post_init__(self) -> None:
        if self.ratio is None and self.reference_value:
            self.ratio = self.value / self.reference_value


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]]


@dataclass
class Outcome:
    """What one benchmark found: summary rows, detail tables, notes, profiler findings, raw data."""

    name: str
    title: str
    rows: list[Row] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": str(os.cpu_count() or "?"),
        "cpu": cpu,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(terse=True),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def fmt(value: float, digits: int = 3) -> str:
    """A number with ``digits`` significant figures, without exponent noise for usual sizes."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if value == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(0, digits - 1 - magnitude)
    return f"{value:,.{decimals}f}"


def worker_env() -> dict[str, str]:
    """The environment for worker subprocesses: this repository importable, nothing logging."""
    env = dict(os.environ)
    env.pop("KLING_LOG", None)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


class ServerProcess:
    """``benchmarks._server`` running in a subprocess; a context manager."""

    def __init__(self, *args: str) -> None:
        self.args = args
        self.base_url = ""
        self.api_key = ""
        self._proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> ServerProcess:
        self._proc = subprocess.Popen(
            [PYTHON, "-m", "benchmarks._server", *self.args],
            cwd=ROOT,
            env=worker_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        line = self._proc.stdout.readline().split() if self._proc.stdout is not None else []
        if len(line) != 3 or line[0] != "READY":
            self._proc.kill()
            raise RuntimeError(f"the simulator process did not start: {line!r}")
        self.base_url, self.api_key = line[1], line[2]
        return self

    def command(self, text: str) -> str:
        if self._proc is None or self._proc.stdin is None or self._proc.stdout is None:
            raise RuntimeError("the simulator process is not running")
        self._proc.stdin.write(text + "\n")
        self._proc.stdin.flush()
        return self._proc.stdout.readline().strip()

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = json.loads(self.command("counts"))
        return counts

    def reset(self) -> None:
        self.command("reset")

    def __exit__(self, *exc: object) -> None:
        if self._proc is None:
            return
        try:
            if self._proc.stdin is not None:
                self._proc.stdin.write("quit\n")
                self._proc.stdin.close()
            self._proc.wait(20)
        except (OSError, subprocess.TimeoutExpired):
            self._proc.kill()
            self._proc.wait()


def run_worker(module: str, *args: str, timeout: float = 600) -> dict[str, Any]:
    """Run ``python -m MODULE worker ARGS`` in a fresh interpreter; it prints one JSON object last."""
    done = subprocess.run(
        [PYTHON, "-m", module, "worker", *args],
        cwd=ROOT,
        env=worker_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} worker {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def rss_now_kib() -> int:
    """This process's resident set size now (KiB), from /proc; the high-water mark where there is no /proc."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def rusage_kib() -> tuple[int, float]:
    """This process's RSS high-water mark (KiB, Linux) and CPU seconds (user + system) so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_maxrss, usage.ru_utime + usage.ru_stime
