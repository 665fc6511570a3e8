"""What the CLI tests share besides fixtures: running the CLI, and reading what the server saw."""

from __future__ import annotations

import os
import shutil
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from kling_video.cli.app import cli
from kling_video.testing import Simulator
from kling_video.testing.downloads import sample_mp4

POLL = "0.02"  # seconds between looks: the fixture's tasks end in about 0.1 s
SAMPLE = sample_mp4()
USER_ENV = ("KLING_API_KEY", "KLING_BASE_URL", "KLING_LOG")

Run = Callable[..., Result]


def runner_for(base_url: str | None, api_key: str | None) -> Run:
    """Invoke the CLI in-process with this gateway and key in the environment, as a user sets them."""

    def run(*args: str, env: dict[str, str | None] | None = None) -> Result:
        environment: dict[str, str | None] = {"KLING_BASE_URL": base_url, "KLING_API_KEY": api_key}
        environment.update(env or {})
        return CliRunner(env=environment).invoke(cli, list(args), catch_exceptions=False)

    return run


def creates(sim: Simulator) -> list[Any]:
    return [r for r in sim.requests if r.operation == "create"]


def free_port() -> int:
    """A port nothing listens on: bound, then released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def console_script() -> str:
    """The installed ``kling-video`` entry point of the interpreter running the tests."""
    beside = Path(sys.executable).with_name("kling-video")
    found = str(beside) if beside.exists() else shutil.which("kling-video")
    if found is None:
        pytest.skip("the kling-video console script is not installed (pip install -e .)")
    return found


def subprocess_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in USER_ENV}
    env.update(extra)
    return env


def no_traceback(result: Result) -> None:
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout
