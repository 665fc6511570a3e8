"""A faithful local simulator of the anyapi Kling gateway, for tests, demos and benchmarks.

    from kling_video.testing import Simulator, Fault

    with Simulator() as sim:
        client = KlingVideo(api_key=sim.api_key, base_url=sim.base_url)

The server needs the ``simulator`` extra (starlette, uvicorn). It is imported on first use of
``Simulator``, so ``Fault`` and the pytest plugin load without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kling_video.testing.faults import Fault
from kling_video.testing.recording import RecordedRequest

if TYPE_CHECKING:
    from kling_video.testing.simulator import Simulator

__all__ = ["Fault", "RecordedRequest", "Simulator"]


def __getattr__(name: str) -> Any:
    if name == "Simulator":
        from kling_video.testing.simulator import Simulator

        return Simulator
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
