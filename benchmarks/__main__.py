"""``python -m benchmarks [--quick] [--only NAME ...] [--no-readme]``: run the benchmarks, write the results."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence

from benchmarks import download, fanout, imports, overhead, polling, report
from benchmarks._common import Outcome, machine

BENCHMARKS: dict[str, Callable[[bool], Outcome]] = {
    "overhead": overhead.run,
    "polling": polling.run,
    "fanout": fanout.run,
    "download": download.run,
    "imports": imports.run,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="reduced sizes: a smoke run, not for the README")
    parser.add_argument("--only", nargs="+", choices=list(BENCHMARKS), help="run only these benchmarks")
    parser.add_argument("--no-readme", action="store_true", help="do not update README.md's Benchmarks section")
    args = parser.parse_args(argv)
    names = args.only or list(BENCHMARKS)
    info = machine()
    print(f"benchmarks: {', '.join(names)}{' (quick)' if args.quick else ''} on {info['nproc']} x {info['cpu']}")
    started = time.perf_counter()
    outcomes: list[Outcome] = []
    for name in names:
        began = time.perf_counter()
        print(f"== {name} ...", flush=True)
        outcome = BENCHMARKS[name](args.quick)
        outcome.seconds = time.perf_counter() - began
        outcomes.append(outcome)
        for row in outcome.rows:
            verdict = "" if row.met is None else ("  [met]" if row.met else "  [MISSED]")
            ratio = f"{row.ratio:.2f}x" if row.ratio is not None else ""
            value, reference = f"{row.value:.4g} {row.unit}", f"{row.reference_value:.4g}"
            print(f"   {row.measure}: {row.subject} {value} vs {reference} {ratio}{verdict}")
        print(f"   ({outcome.seconds:.0f} s)", flush=True)
    seconds = time.perf_counter() - started
    # The README shows full runs of every benchmark only; a quick or partial run writes the results files.
    readme = not (args.no_readme or args.quick or args.only)
    for path in report.write(outcomes, info, seconds, quick=args.quick, readme=readme):
        print(f"wrote {path}")
    print(report.summary_table(outcomes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
