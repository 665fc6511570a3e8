"""Print a command from the README's Quick start: `demo` (the first line) or `tests` (the second).

CI runs the README's commands from here rather than a copy of them, so the README cannot drift
from what is proved to work.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path


def quick_start_commands(readme: str) -> list[str]:
    section = readme.split("## Quick start", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    if block is None:
        raise SystemExit("README.md: no ```sh block under ## Quick start")
    return [line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]


if __name__ == "__main__":
    commands = quick_start_commands(Path("README.md").read_text(encoding="utf-8"))
    which = sys.argv[1] if len(sys.argv) > 1 else "tests"
    print(commands[-1] if which == "tests" else commands[0])
