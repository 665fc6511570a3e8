"""The simulator's notion of time.

Real Kling tasks take minutes. Tests cannot wait that long, and some want no time to pass at all
unless they say so, so the simulator runs on a clock of its own: simulated seconds flow at
``speed`` times real time (0 stops the flow), and ``advance()`` jumps ahead on demand. Task
timestamps are derived from this clock, so ``updated_at - created_at`` tells the simulated
duration, exactly as the real server's would.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Clock:
    """Simulated seconds since the clock was made, flowing at ``speed`` and jumpable by ``advance``."""

    def __init__(
        self,
        speed: float = 60.0,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        if speed < 0:
            raise ValueError("speed must be >= 0 (0 stops the clock; advance() moves it)")
        self._speed = speed
        self._monotonic = monotonic
        self._origin = monotonic()
        # Timestamps are epoch milliseconds, like Kling's; anchoring them at the real time of
        # creation keeps them plausible to anyone who prints them.
        self._epoch_origin_ms = int(wall() * 1000)
        self._offset = 0.0
        self._lock = threading.Lock()

    @property
    def speed(self) -> float:
        return self._speed

    def now(self) -> float:
        with self._lock:
            return (self._monotonic() - self._origin) * self._speed + self._offset

    def advance(self, seconds: float) -> None:
        """Jump ahead; time never runs backwards, so a negative jump is refused."""
        if seconds < 0:
            raise ValueError("the simulated clock only moves forward")
        with self._lock:
            self._offset += seconds

    def epoch_ms(self, simulated: float) -> int:
        """The epoch-millisecond timestamp of a simulated instant."""
        return self._epoch_origin_ms + round(simulated * 1000)
