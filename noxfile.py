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
