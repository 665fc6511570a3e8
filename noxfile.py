"""Every workflow of the project as a nox session. `nox -l` lists them.

The default run (`nox`) is what CI proves: the generated client matches its inputs, the code is
clean and typed, and the tests pass.
"""

from __future__ import annotations

import nox

nox.options.sessions = ["check_generated", "lint", "typecheck", "tests"]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True

PYPROJECT = nox.project.load_toml("pyproject.toml")
GENERATE_REQUIREMENTS = "tools/generate-requirements.txt"


def _group(name: str) -> list[str]:
    return list(nox.project.dependency_groups(PYPROJECT, name))


@nox.session
def generate(session: nox.Session) -> None:
    """Apply the overlay to the pinned spec and rewrite generated/kling_video_api."""
    session.install("-r", GENERATE_REQUIREMENTS)
    session.run("python", "-m", "tools.generate")


@nox.session
def check_generated(session: nox.Session) -> None:
    """Regenerate into a temporary folder and fail, with the diff, if generated/ differs."""
    session.install("-r", GENERATE_REQUIREMENTS)
    session.run("python", "-m", "tools.generate", "--check")


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite: unit, contract, integration (against the local simulator)."""
    session.install("-e", ".[simulator]", *_group("test"))
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: style and common bugs in the hand-written code (generated/ is excluded)."""
    session.install(*_group("lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the wrapper, with the generated layer's types in view."""
    session.install("-e", ".[simulator]", *_group("typecheck"))
    session.run("mypy")


@nox.session
def build(session: nox.Session) -> None:
    """sdist and wheel into dist/ (emptied first), checked by twine check --strict and tools/wheel_check.py."""
    session.install(*_group("publish"))
    session.run("python", "-m", "tools.publish", "build")


@nox.session
def publish(session: nox.Session) -> None:
    """Upload a fresh build to the index in TWINE_REPOSITORY_URL, with TWINE_USERNAME/TWINE_PASSWORD (or a token).

    Refuses first, each with one line: a dirty git tree, a stale generated/, a version the index already has.
    """
    session.install(*_group("publish"), "-r", GENERATE_REQUIREMENTS)
    session.run("python", "-m", "tools.publish", "upload")


@nox.session
def publish_e2e(session: nox.Session) -> None:
    """Publish to a real pypiserver on loopback, install from it into a fresh venv, run the package; ~1-2 min."""
    session.install("-e", ".[simulator]", *_group("test"), *_group("publish"), "-r", GENERATE_REQUIREMENTS)
    session.run("pytest", "tests/publish", "-m", "publish", *session.posargs, env={"KLING_PUBLISH_E2E": "1"})


@nox.session
def update_spec(session: nox.Session) -> None:
    """Bring in a new vendor spec: `nox -s update_spec -- PATH [--diff-only]`. Diffs, pins, regenerates, tests."""
    if not session.posargs:
        session.error("usage: nox -s update_spec -- PATH [--diff-only]  (PATH: the vendor's new OpenAPI YAML or JSON)")
    session.install("-e", ".[simulator]", *_group("test"), "-r", GENERATE_REQUIREMENTS)
    session.run("python", "-m", "tools.update_spec", *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    """Generate a video against the bundled simulator, with live progress: no key, no cost, ~5 s.

    The MP4 goes to demo-output/ (git ignores it); `nox -s demo -- --out DIR` puts it elsewhere.
    """
    session.install(".[simulator]")
    session.run("kling-video", "demo", "--out", "demo-output", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """What the client costs beside the alternatives: writes benchmarks/results.{md,json} and README's table.

    Not part of the test suite; ~4 min on 2 cores. `nox -s bench -- --quick` runs reduced sizes (~1-2 min, no
    README update); `-- --only overhead polling` picks benchmarks. Installed non-editable: what users import.
    """
    session.install(".[simulator]")
    session.run("python", "-m", "benchmarks", *session.posargs)
