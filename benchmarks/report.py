"""Write the results: ``benchmarks/results.md`` (tables), ``benchmarks/results.json`` (every number), and the
README's ``## Benchmarks`` section (the summary table and the machine)."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks._common import BENCH_DIR, ROOT, Outcome, Row, Table, fmt

README = ROOT / "README.md"
START = "<!-- benchmarks:start (written by `nox -s bench`; edit benchmarks/report.py instead) -->"
END = "<!-- benchmarks:end -->"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _met(row: Row) -> str:
    return "—" if row.met is None else ("yes" if row.met else "**no**")


def summary_table(outcomes: Sequence[Outcome]) -> str:
    rows = []
    for outcome in outcomes:
        for row in outcome.rows:
            rows.append(
                [
                    outcome.title.split(":")[0].split("(")[0].strip(),
                    row.measure,
                    f"{row.subject}: {fmt(row.value)} {row.unit}",
                    f"{row.reference}: {fmt(row.reference_value)} {row.unit}",
                    f"{row.ratio:.2f}×" if row.ratio is not None else "",
                    row.target or "—",
                    _met(row),
                ]
            )
    return _table(["benchmark", "measure", "result", "beside", "ratio", "target", "met?"], rows)


def machine_line(machine: dict[str, str], seconds: float, quick: bool) -> str:
    kind = "quick run (reduced sizes)" if quick else "full run"
    return (
        f"Machine: {machine['nproc']} CPUs (`nproc`), {machine['cpu']}, {machine['python']}, {machine['platform']}; "
        f"{machine['date']}; {kind}, {seconds:.0f} s in all."
    )


def _detail(table: Table) -> str:
    return f"**{table.title}**\n\n{_table(table.headers, table.rows)}"


def markdown(outcomes: Sequence[Outcome], machine: dict[str, str], seconds: float, quick: bool) -> str:
    parts = [
        "# Benchmarks",
        "",
        "Written by `nox -s bench` (`python -m benchmarks`); every number is also in `results.json`. "
        "Alternatives run interleaved in one run (A, B, C, A, B, C, ...; the benchmarks that run each "
        "alternative in its own process permute the order each round); figures are medians unless the table "
        "says otherwise.",
        "",
        machine_line(machine, seconds, quick),
        "",
        "## Summary",
        "",
        summary_table(outcomes),
    ]
    findings = [finding for outcome in outcomes for finding in outcome.findings]
    if findings:
        parts += ["", "## Missed targets: what the profiler says", ""]
        parts += [f"- {finding}" for finding in findings]
    for outcome in outcomes:
        parts += ["", f"## {outcome.title}", "", f"({outcome.seconds:.0f} s)", ""]
        for table in outcome.tables:
            parts += [_detail(table), ""]
        parts += [f"{note}\n" for note in outcome.notes]
    return "\n".join(parts).rstrip() + "\n"


def readme_section(outcomes: Sequence[Outcome], machine: dict[str, str], seconds: float, quick: bool) -> str:
    intro = (
        "`nox -s bench` measures what the client costs beside the alternatives: per-call overhead against raw "
        "httpx, the polling schedule against fixed intervals, a 1,000-task fan-out and a 1 GiB download against "
        "plain httpx scripts, and the import time. It is not part of the test suite (`nox -s bench -- --quick` "
        "runs reduced sizes) and writes `benchmarks/results.md` (every table, and the profiler's account of "
        "each missed target) and `benchmarks/results.json`. The latest run:"
    )
    return "\n".join(
        [
            START,
            "## Benchmarks",
            "",
            textwrap.fill(intro, width=96, break_on_hyphens=False),
            "",
            textwrap.fill(machine_line(machine, seconds, quick), width=96, break_on_hyphens=False),
            "",
            summary_table(outcomes),
            END,
        ]
    )


def update_readme(section: str, path: Path = README) -> None:
    """Replace the marked section, or append it at the end the first time."""
    text = path.read_text(encoding="utf-8")
    if START in text and END in text:
        before = text[: text.index(START)]
        after = text[text.index(END) + len(END) :]
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


def write(
    outcomes: Sequence[Outcome],
    machine: dict[str, str],
    seconds: float,
    *,
    quick: bool,
    readme: bool,
    out: Path = BENCH_DIR,
) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    md_path, json_path = out / "results.md", out / "results.json"
    md_path.write_text(markdown(outcomes, machine, seconds, quick), encoding="utf-8")
    payload: dict[str, Any] = {
        "machine": machine,
        "quick": quick,
        "seconds": seconds,
        "summary": [row.__dict__ | {"benchmark_title": o.title} for o in outcomes for row in o.rows],
        "benchmarks": {o.name: o.to_json() for o in outcomes},
    }
    json_path.write_text(json.dumps(payload, indent=2, default=float) + "\n", encoding="utf-8")
    written = [md_path, json_path]
    if readme:
        update_readme(readme_section(outcomes, machine, seconds, quick))
        written.append(README)
    return written
