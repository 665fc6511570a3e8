"""Fixtures for the command line: simulators, and a runner that points the CLI at one.

Most tests run the click group in-process with CliRunner (fast, and stdout and stderr are kept
apart); a few run the installed console script in a subprocess, as a user would.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from kling_video.testing import Simulator

from tests.cli.helpers import USER_ENV, Run, runner_for

CLI_LOGGERS = ("kling_video", "httpx")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A developer's own key or gateway must never leak into a test, nor a video into the repo:
    the default --out is the current folder, so each test runs in an empty one."""
    for name in USER_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """The CLI sets up the package's and httpx's loggers; in-process runs must not leave that to
    the rest of the suite."""
    loggers = [logging.getLogger(name) for name in CLI_LOGGERS]
    saved = [(logger, logger.level, list(logger.handlers)) for logger in loggers]
    yield
    for logger, level, handlers in saved:
        logger.setLevel(level)
        logger.handlers[:] = handlers


@pytest.fixture
def make_sim() -> Iterator[Callable[..., Simulator]]:
    """Start simulators with options of the test's choosing; all are stopped afterwards."""
    started: list[Simulator] = []

    def make(**options: Any) -> Simulator:
        options.setdefault("speed", 600.0)  # the default 60 s task takes 0.1 s
        options.setdefault("seed", 7)
        sim = Simulator(**options).start()
        started.append(sim)
        return sim

    yield make
    for sim in started:
        sim.stop()


@pytest.fixture
def sim(make_sim: Callable[..., Simulator]) -> Simulator:
    return make_sim()


@pytest.fixture
def run(sim: Simulator) -> Run:
    """Invoke the CLI against ``sim``; its key and URL come in through the environment."""
    return runner_for(sim.base_url, sim.api_key)
