"""polling: when to ask again about a running task, never past the deadline."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from kling_video.polling import PollSchedule, next_poll_delay

DEFAULT = PollSchedule()
FAR = 10_000.0  # a deadline far enough not to matter


def test_default_schedule_matches_the_documented_timing():
    # kling-api.md, Timing: first look after about 10 s, every 5-10 s, 15-30 s on the long tail.
    assert DEFAULT.first_look == 10.0
    assert all(5.0 <= interval <= 30.0 for _, interval in DEFAULT.steps)
    assert 15.0 <= DEFAULT.tail_interval <= 30.0


@pytest.mark.parametrize(("elapsed", "delay"), [(0.0, 10.0), (3.0, 7.0), (9.5, 0.5)])
def test_first_look_is_at_ten_seconds(elapsed, delay):
    assert next_poll_delay(elapsed, remaining=FAR, schedule=DEFAULT) == pytest.approx(delay)


@pytest.mark.parametrize(
    ("elapsed", "delay"),
    [
        (10.0, 10.0),
        (59.9, 10.0),
        (60.0, 8.0),
        (150.0, 8.0),
        (299.9, 8.0),
        (300.0, 15.0),
        (599.0, 15.0),
        (600.0, 30.0),
        (5_000.0, 30.0),
    ],
)
def test_steps_then_tail_interval(elapsed, delay):
    assert next_poll_delay(elapsed, remaining=FAR, schedule=DEFAULT) == delay


def test_a_custom_schedule_is_followed():
    schedule = PollSchedule(first_look=2.0, steps=((5.0, 1.0),), tail_interval=4.0)
    assert next_poll_delay(0.0, remaining=FAR, schedule=schedule) == 2.0
    assert next_poll_delay(3.0, remaining=FAR, schedule=schedule) == 1.0
    assert next_poll_delay(5.0, remaining=FAR, schedule=schedule) == 4.0


def test_an_empty_step_list_goes_straight_to_the_tail():
    schedule = PollSchedule(first_look=0.0, steps=(), tail_interval=12.0)
    assert next_poll_delay(1.0, remaining=FAR, schedule=schedule) == 12.0


@pytest.mark.parametrize("elapsed", [0.0, 5.0, 100.0, 1000.0])
def test_never_past_the_deadline(elapsed):
    assert next_poll_delay(elapsed, remaining=2.5, schedule=DEFAULT) == 2.5


@pytest.mark.parametrize("remaining", [0.0, -1.0, -1000.0])
def test_no_time_left_means_no_sleep(remaining):
    assert next_poll_delay(100.0, remaining=remaining, schedule=DEFAULT) == 0.0


@pytest.mark.parametrize("elapsed", [0.0, 4.0, 65.0, 400.0, 900.0])
def test_fixed_interval_overrides_the_schedule_including_the_first_look(elapsed):
    assert next_poll_delay(elapsed, remaining=FAR, schedule=DEFAULT, fixed=3.0) == 3.0


def test_fixed_interval_is_still_capped_by_the_deadline():
    assert next_poll_delay(0.0, remaining=1.25, schedule=DEFAULT, fixed=3.0) == 1.25


schedules = st.builds(
    PollSchedule,
    first_look=st.floats(0.0, 100.0),
    steps=st.lists(st.tuples(st.floats(0.0, 1e4), st.floats(0.0, 100.0)), max_size=4).map(
        lambda steps: tuple(sorted(steps))
    ),
    tail_interval=st.floats(0.0, 100.0),
)


@given(
    elapsed=st.floats(0.0, 1e6),
    remaining=st.floats(0.0, 1e6),
    schedule=st.one_of(st.just(DEFAULT), schedules),
    fixed=st.one_of(st.none(), st.floats(0.0, 1e3)),
)
def test_delay_is_always_within_zero_and_remaining(elapsed, remaining, schedule, fixed):
    delay = next_poll_delay(elapsed, remaining=remaining, schedule=schedule, fixed=fixed)
    assert 0.0 <= delay <= remaining


@given(elapsed=st.floats(DEFAULT.first_look, 1e6))
def test_after_the_first_look_the_default_interval_is_between_5_and_30_seconds(elapsed):
    assert 5.0 <= next_poll_delay(elapsed, remaining=FAR, schedule=DEFAULT) <= 30.0


@given(a=st.floats(10.0, 1e5), b=st.floats(10.0, 1e5))
def test_the_default_interval_never_shrinks_much_as_time_passes(a, b):
    # 10 s then 8 s is the one step down (the busiest minutes); after that it only grows.
    early, late = sorted((a, b))
    d_early = next_poll_delay(early, remaining=FAR, schedule=DEFAULT)
    d_late = next_poll_delay(late, remaining=FAR, schedule=DEFAULT)
    assert d_late >= d_early or (early < 60.0 <= late and d_late == 8.0)
