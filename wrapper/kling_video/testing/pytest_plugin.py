"""The ``kling_simulator`` pytest fixture: a started Simulator on a fast clock, per test.

Register it with ``-p kling_video.testing.pytest_plugin`` (or the package's pytest11 entry
point). Options for one test go on a marker:

    @pytest.mark.kling_simulator(speed=0, concurrency_limit=1)
    def test_something(kling_simulator): ...

starlette and uvicorn are imported only when the fixture is used, so registering the plugin
costs nothing in a test run that never asks for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from kling_video.testing.simulator import Simulator

# 600 simulated seconds per real second: the default 60 s task takes a tenth of a second.
FAST_SPEED = 600.0


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "kling_simulator(**options): Simulator options for the kling_simulator fixture")


@pytest.fixture
def kling_simulator(request: pytest.FixtureRequest) -> Iterator[Simulator]:
    from kling_video.testing.simulator import Simulator

    options: dict[str, Any] = {"speed": FAST_SPEED}
    marker = request.node.get_closest_marker("kling_simulator")
    if marker is not None:
        options.update(marker.kwargs)
    with Simulator(**options) as simulator:
        yield simulator
