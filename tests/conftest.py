"""Shared fixtures: a simulator on loopback and clients pointed at it, tuned to run fast.

Integration tests talk to the real simulator over HTTP; only retry waits are shortened (the
policy is injectable precisely so tests need not sleep for real).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from kling_video import AsyncKlingVideo, KlingVideo, RetryPolicy

FAST_RETRIES = RetryPolicy(max_retries=4, initial_delay=0.01, max_delay=0.05, concurrency_min_delay=0.02)
POLL = 0.02  # seconds between looks in integration tests


@pytest.fixture(scope="session")
def _shared_sim() -> Iterator[object]:
    from kling_video.testing import Simulator

    # 1 real second = 20 simulated minutes: a one-minute task ends in about 50 ms. One server for
    # the session (starting and stopping uvicorn costs ~0.2 s), reset before every test.
    with Simulator(speed=1200, seed=1) as simulator:
        yield simulator


@pytest.fixture
def sim(_shared_sim) -> Iterator[object]:
    """The shared simulator with no tasks, requests or faults left by an earlier test."""
    _shared_sim.reset()
    yield _shared_sim
    _shared_sim.reset()


@pytest.fixture
def client(sim) -> Iterator[KlingVideo]:
    with KlingVideo(api_key=sim.api_key, base_url=sim.base_url, retry_policy=FAST_RETRIES, timeout=5) as c:
        yield c


@pytest.fixture
async def async_client(sim) -> AsyncIterator[AsyncKlingVideo]:
    async with AsyncKlingVideo(api_key=sim.api_key, base_url=sim.base_url, retry_policy=FAST_RETRIES, timeout=5) as c:
        yield c
