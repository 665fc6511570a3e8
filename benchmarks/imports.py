"""5. Import: ``import kling_video`` beside ``import httpx``, each in a fresh interpreter.

Runs alternate (httpx, kling_video, bare interpreter, ...). Each child times its own import
statement with ``perf_counter`` (the figure the target is judged on: interpreter start-up is the
same for both and would only dilute the ratio), and the parent times the whole process. Then
``python -X importtime`` names the modules ``import kling_video`` loads beyond ``import httpx``.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections import defaultdict
from collections.abc import Callable

from benchmarks._common import PYTHON, Outcome, Row, Table, fmt, interleave, median

MODULES = {"httpx": "import httpx", "kling_video": "import kling_video", "bare interpreter": "pass"}
TARGET = 1.25
_CHILD = "import time; {prefix}; _t = time.perf_counter(); {statement}; print(time.perf_counter() - _t)"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("PYTHONPATH", "KLING_LOG", "PYTHONPROFILEIMPORTTIME"):
        env.pop(name, None)
    return env


def _spawn(statement: str, *flags: str, prefix: str = "pass") -> subprocess.CompletedProcess[str]:
    # cwd "/", so only the installed packages can be imported, never a folder of this repository.
    return subprocess.run(
        [PYTHON, *flags, "-c", _CHILD.format(prefix=prefix, statement=statement)],
        cwd="/",
        env=_env(),
        capture_output=True,
        text=True,
        check=True,
    )


def _timed(statement: str, inner: list[float]) -> float:
    start = time.perf_counter()
    done = _spawn(statement)
    wall = time.perf_counter() - start
    inner.append(float(done.stdout.strip()) * 1000)
    return wall * 1000


def _sampler(statement: str, inner: list[float]) -> Callable[[], float]:
    return lambda: _timed(statement, inner)


def importtime(statement: str) -> dict[str, tuple[int, int]]:
    """Module -> (self µs, cumulative µs) from one ``python -X importtime`` run."""
    done = _spawn(statement, "-X", "importtime")
    modules: dict[str, tuple[int, int]] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, cumulative, name = line.split(":", 1)[1].split("|")
        modules[name.strip()] = (int(own), int(cumulative))
    return modules


_PROFILE_CHILD = """
import cProfile, json, pstats
import httpx
profiler = cProfile.Profile()
profiler.enable()
import kling_video
profiler.disable()
stats = pstats.Stats(profiler)
classes, seconds = 0, 0.0
for (filename, _line, name), value in stats.stats.items():
    if "attr" in filename and filename.endswith("_make.py") and name == "wrap":
        classes, seconds = value[1], value[3]
print(json.dumps({"total_ms": stats.total_tt * 1000, "attrs_classes": classes, "attrs_ms": seconds * 1000}))
"""


def profile_import() -> dict[str, float]:
    """cProfile of ``import kling_video`` after ``import httpx``: how much of it is attrs building classes."""
    done = subprocess.run(
        [PYTHON, "-c", _PROFILE_CHILD], cwd="/", env=_env(), capture_output=True, text=True, check=True
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run(quick: bool) -> Outcome:
    rounds = 10 if quick else 40
    inner: dict[str, list[float]] = {name: [] for name in MODULES}
    wall = interleave({name: _sampler(statement, inner[name]) for name, statement in MODULES.items()}, rounds)
    inner = {name: values[1:] for name, values in inner.items()}  # drop the warm-up round, as interleave did
    med = {name: median(values) for name, values in inner.items()}
    med_wall = {name: median(values) for name, values in wall.items()}
    ratio = med["kling_video"] / med["httpx"]
    outcome = Outcome("imports", "5. Import time (fresh interpreters)")
    outcome.rows.append(
        Row(
            benchmark="imports",
            measure="`import` time, in a fresh interpreter",
            subject="kling_video",
            value=med["kling_video"],
            reference="httpx",
            reference_value=med["httpx"],
            unit="ms",
            target="≤ 1.25× httpx",
            met=ratio <= TARGET,
        )
    )
    outcome.rows.append(
        Row(
            benchmark="imports",
            measure="whole process (`python -c 'import …'`)",
            subject="kling_video",
            value=med_wall["kling_video"],
            reference="httpx",
            reference_value=med_wall["httpx"],
            unit="ms",
            target="",
            met=None,
        )
    )
    outcome.tables.append(
        Table(
            f"median of {rounds} interleaved fresh interpreters",
            ["statement", "import ms", "min ms", "whole process ms", "× httpx (import)"],
            [
                [
                    MODULES[name],
                    fmt(med[name]),
                    fmt(min(inner[name])),
                    fmt(med_wall[name]),
                    fmt(med[name] / med["httpx"]) if name != "bare interpreter" else "",
                ]
                for name in MODULES
            ],
        )
    )
    # -X importtime, a few runs each, medians per module: what kling_video loads that httpx does not.
    runs = 3 if quick else 7
    samples_k: dict[str, list[tuple[int, int]]] = defaultdict(list)
    samples_h: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for _ in range(runs):
        for name, value in importtime("import httpx").items():
            samples_h[name].append(value)
        for name, value in importtime("import kling_video").items():
            samples_k[name].append(value)
    own_k = {name: median([v[0] for v in values]) / 1000 for name, values in samples_k.items()}
    cum_k = {name: median([v[1] for v in values]) / 1000 for name, values in samples_k.items()}
    extra = {name: ms for name, ms in own_k.items() if name not in samples_h}
    by_package: dict[str, float] = defaultdict(float)
    for name, ms in extra.items():
        by_package[_group(name)] += ms
    total_extra = sum(extra.values())
    groups = sorted(by_package.items(), key=lambda item: -item[1])
    outcome.tables.append(
        Table(
            f"`-X importtime`: modules `import kling_video` loads that `import httpx` does not, own time by "
            f"group (ms, median of {runs}; total {fmt(total_extra)} ms, {len(extra)} modules)",
            ["group", "own ms", "share"],
            [[group, fmt(ms), f"{ms / total_extra:.0%}"] for group, ms in groups[:12]],
        )
    )
    top = sorted(extra.items(), key=lambda item: -item[1])[:12]
    outcome.tables.append(
        Table(
            "`-X importtime`: the heaviest of those modules (own ms; cumulative includes what they import)",
            ["module", "own ms", "cumulative ms"],
            [[f"`{name}`", fmt(ms), fmt(cum_k[name])] for name, ms in top],
        )
    )
    asyncio_ms = median([float(_spawn("import asyncio", prefix="import httpx").stdout) * 1000 for _ in range(runs)])
    profiled = [profile_import() for _ in range(3)]
    attrs_ms = median([p["attrs_ms"] for p in profiled])
    attrs_share = median([p["attrs_ms"] / p["total_ms"] for p in profiled])
    classes = int(profiled[0]["attrs_classes"])
    cum_h = {name: median([v[1] for v in values]) / 1000 for name, values in samples_h.items()}
    if "httpx._main" in cum_h:
        outcome.notes.append(
            f"The reference itself is heavier than a bare httpx: `httpx/__init__` imports its command line "
            f"(`httpx._main`: click, rich, pygments) whenever those are installed, and kling-video installs click "
            f"and rich for its own CLI. `httpx._main` is {fmt(cum_h['httpx._main'])} ms (cumulative, importtime) of "
            f"`import httpx`'s {fmt(cum_h.get('httpx', 0.0))} ms here."
        )
    outcome.notes.append(
        f"`import asyncio` after `import httpx` takes {fmt(asyncio_ms)} ms (httpx does not load asyncio; "
        f"kling_video does, at module level). Under cProfile, building {classes} attrs classes is "
        f"{attrs_share:.0%} of `import kling_video` after httpx ({fmt(attrs_ms)} ms profiled)."
    )
    if ratio > TARGET:
        outcome.findings.append(
            f"Import misses ≤ 1.25×: {ratio:.2f}× ({fmt(med['kling_video'])} vs {fmt(med['httpx'])} ms). "
            f"Beyond httpx, `import kling_video` loads {len(extra)} more modules for {fmt(total_extra)} ms of "
            "their own time: "
            + ", ".join(f"{group} {fmt(ms)} ms" for group, ms in groups[:6])
            + f". `import asyncio` alone costs {fmt(asyncio_ms)} ms on top of httpx; it is loaded only because "
            "`kling_video.client` and `kling_video._async_io` import it at module level (for `AsyncKlingVideo` "
            f"and the `asyncio.sleep` default). Creating {classes} attrs classes (wrapper and generated models) "
            f"is {attrs_share:.0%} of the profiled import. The budget is {fmt((TARGET - 1) * med['httpx'])} ms "
            f"over httpx; the wrapper spends {fmt(med['kling_video'] - med['httpx'])} ms."
        )
    outcome.data = {
        "rounds": rounds,
        "import_ms": inner,
        "process_ms": wall,
        "median_import_ms": med,
        "median_process_ms": med_wall,
        "extra_modules_own_ms": dict(sorted(extra.items(), key=lambda item: -item[1])),
        "extra_by_group_ms": dict(groups),
        "asyncio_after_httpx_ms": asyncio_ms,
        "import_profile": profiled,
    }
    return outcome


# Modules asyncio brings that nothing else in `import kling_video` needs.
_ASYNCIO_DEPS = ("selectors", "ssl", "_ssl", "subprocess", "concurrent", "concurrent.futures", "_asyncio")


def _group(module: str) -> str:
    top = module.split(".")[0]
    if top == "kling_video_api":
        return "kling_video_api (generated: models, client, api)"
    if module in ("kling_video.validation", "kling_video.model_table", "kling_video.camera", "kling_video.shot"):
        return "kling_video validation (validation, model_table, camera, shot)"
    if top == "kling_video":
        return "kling_video (other modules)"
    if top in ("asyncio", "_asyncio") or module in _ASYNCIO_DEPS:
        return "asyncio (+ its imports)"
    if top in ("attr", "attrs"):
        return "attrs"
    if top == "dateutil":
        return "dateutil"
    return f"stdlib / other: {top}"
