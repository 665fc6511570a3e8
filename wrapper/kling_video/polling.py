"""When to ask again about a running task: a schedule fitted to how long Kling tasks take.

Text-to-video tasks take 1 to 5 minutes, most around 2-3, some past 10 (kling-api.md, Timing).
So: no question before 10 s (nothing finishes that fast); every 10 s while only the quickest
models can be done; every 8 s through the minutes where most tasks end; then backing off on the
long tail, to 30 s at most. Against fixed 5 s polling this sends far fewer requests for a typical
task and learns of the end about as soon (``nox -s bench`` measures both).
"""

from __future__ import annotations

import attrs

from kling_video import _constants as C

__all__ = ["PollSchedule", "next_poll_delay"]


@attrs.frozen
class PollSchedule:
    """``steps`` are (until this many seconds have passed, wait this long between looks)."""

    first_look: float = C.POLL_FIRST_LOOK
    steps: tuple[tuple[float, float], ...] = C.POLL_STEPS
    tail_interval: float = C.POLL_TAIL_INTERVAL

    def interval_at(self, elapsed: float) -> float:
        for until, interval in self.steps:
            if elapsed < until:
                return interval
        return self.tail_interval


def next_poll_delay(
    elapsed: float,
    *,
    remaining: float,
    schedule: PollSchedule,
    fixed: float | None = None,
) -> float:
    """Seconds to sleep before the next look, never past the deadline.

    ``elapsed`` counts from when the task was created (or from when waiting began, if the
    creation time is unknown), so re-attaching to an old task does not restart the slow start.
    """
    if fixed is not None:
        delay = fixed
    elif elapsed < schedule.first_look:
        delay = schedule.first_look - elapsed
    else:
        delay = schedule.interval_at(elapsed)
    return max(0.0, min(delay, remaining))
