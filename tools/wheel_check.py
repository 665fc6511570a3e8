"""Check that a built wheel holds exactly what a user of kling-video should get.

    python -m tools.wheel_check dist/*.whl

Why a check of our own: hatch packs whatever pyproject.toml points at, and a slip there (a
renamed folder, a stray include, a data file that is not package data, a repository folder such
as tests/ swept in) still gives a wheel that installs. Such a wheel fails only on a user's
machine: a missing py.typed silently turns the types off, a missing sample video breaks the
simulator, and a top-level ``tests`` package collides with other projects' files. So the wheel is
opened and its file list judged before it can be uploaded.
"""

from __future__ import annotations

import sys
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

# The only top-level import packages the distribution ships: the generated layer and the wrapper.
PACKAGES = ("kling_video_api", "kling_video")

# Files whose absence makes the installed package wrong without making it fail to install.
REQUIRED_FILES = (
    "kling_video_api/__init__.py",
    "kling_video_api/py.typed",  # PEP 561: without it type checkers ignore the inline types
    "kling_video/__init__.py",
    "kling_video/py.typed",
    "kling_video/testing/media/sample.mp4",  # what the simulator serves as a finished video
)
SAMPLE_VIDEO = "kling_video/testing/media/sample.mp4"

# Repository folders that are build-time or test-time only; none of their files may ship.
FORBIDDEN_FOLDERS = ("tests", "tools")


def check_wheel(path: Path) -> list[str]:
    """Every problem with the wheel at ``path``, one sentence each; empty when it is fit to ship."""
    try:
        with zipfile.ZipFile(path) as wheel:
            names = [info.filename for info in wheel.infolist() if not info.is_dir()]
            sample_head = wheel.read(SAMPLE_VIDEO)[:12] if SAMPLE_VIDEO in names else None
    except (OSError, zipfile.BadZipFile) as exc:
        return [f"{path.name}: cannot be read as a wheel: {exc}"]
    return content_problems(names, sample_head=sample_head)


def content_problems(names: Iterable[str], *, sample_head: bytes | None) -> list[str]:
    """The judgement on a wheel's file list, kept apart from the zip reading so it reads as rules.

    ``sample_head`` is the first bytes of the sample video, or None when it is absent.
    """
    files = sorted(set(names))
    problems: list[str] = []

    dist_infos = sorted({_top(name) for name in files if _top(name).endswith(".dist-info")})
    if len(dist_infos) != 1:
        problems.append(f"expected exactly one .dist-info folder, found {dist_infos or 'none'}")
    allowed_tops = {*PACKAGES, *dist_infos}
    for top in sorted({_top(name) for name in files} - allowed_tops):
        shown = f"{top}/" if any(name.startswith(f"{top}/") for name in files) else top
        problems.append(
            f"unexpected top-level entry {shown}: the wheel may hold only "
            f"{', '.join(f'{p}/' for p in PACKAGES)} and its .dist-info"
        )

    for required in REQUIRED_FILES:
        if required not in files:
            problems.append(f"missing {required}")
    if sample_head is not None and sample_head[4:8] != b"ftyp":
        problems.append(
            f"{SAMPLE_VIDEO} is not an MP4 (no 'ftyp' box at its start): a Git LFS pointer or a truncated file?"
        )

    if dist_infos and not any(name.startswith(f"{dist_infos[0]}/licenses/LICENSE") for name in files):
        problems.append(f"missing the licence: {dist_infos[0]}/licenses/LICENSE")

    for name in files:
        parts = PurePosixPath(name).parts
        if parts[0] not in allowed_tops:
            continue  # already reported with its top-level folder
        if any(part in FORBIDDEN_FOLDERS for part in parts[1:-1]):
            problems.append(f"{name} comes from a folder named like the repository's tests/ or tools/")
        elif "__pycache__" in parts or name.endswith((".pyc", ".pyo")):
            problems.append(f"{name} is compiled bytecode, which is built on install, never shipped")
    return problems


def _top(name: str) -> str:
    return PurePosixPath(name).parts[0]


def main(argv: list[str] | None = None) -> int:
    wheels = [Path(arg) for arg in (sys.argv[1:] if argv is None else argv)]
    if not wheels:
        print("usage: python -m tools.wheel_check WHEEL...", file=sys.stderr)
        return 2
    failed = False
    for wheel in wheels:
        problems = check_wheel(wheel)
        if problems:
            failed = True
            print(f"{wheel.name}: {len(problems)} problem(s):", file=sys.stderr)
            for problem in problems:
                print(f"  - {problem}", file=sys.stderr)
        else:
            print(f"{wheel.name}: contents as expected ({', '.join(PACKAGES)}, py.typed, sample video, licence)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
