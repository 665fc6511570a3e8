"""2. Polling: status requests per task and how late the client learns the task ended.

No sleeping and no server: ``kling_video._plans.wait_plan`` is driven with a fake clock. It
yields Sleep (the fake clock moves on) and Fetch (answered with the task as it stands at the fake
time: submitted for 5 s, processing until its run time, then succeed), so every count and delay
is exact. Fixed intervals go through the same plan (``poll_interval=``), which is what a fixed
``sleep(n); get()`` loop does. Run times are a seeded lognormal (median 150 s), clipped to
30 s - 10 min.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence

from kling_video import KlingVideo
from kling_video import _constants as C
from kling_video._plans import Fetch, Notify, Result, Sleep, wait_plan
from kling_video.polling import PollSchedule
from kling_video.task import Task, TaskStatus

from benchmarks._common import Outcome, Row, Table, fmt, median, percentile

SEED = 20240804
MEDIAN_SECONDS = 150.0
SIGMA = 0.5
MIN_SECONDS, MAX_SECONDS = 30.0, 600.0
QUEUE_SECONDS = 5.0
FIXED = (1.0, 5.0, 10.0, 20.0)
WRAPPER = "wrapper schedule"

_TASKS = {
    status: Task(task_id="bench", status=status, raw_status=status.value)
    for status in (TaskStatus.SUBMITTED, TaskStatus.PROCESSING, TaskStatus.SUCCEED)
}


def run_times(count: int, seed: int = SEED) -> list[float]:
    """Seconds from create to done: lognormal around 2.5 min, clipped to 30 s - 10 min."""
    rng = random.Random(seed)  # reproducible test data
    mu = math.log(MEDIAN_SECONDS)
    return [min(MAX_SECONDS, max(MIN_SECONDS, rng.lognormvariate(mu, SIGMA))) for _ in range(count)]


def wait_once(run_time: float, schedule: PollSchedule, fixed: float | None) -> tuple[int, float]:
    """Drive one wait from the create (t=0) to the end; returns (status requests, delay in seconds)."""
    now = 0.0

    def clock() -> float:
        return now

    def task_at(t: float) -> Task:
        if t >= run_time:
            return _TASKS[TaskStatus.SUCCEED]
        return _TASKS[TaskStatus.SUBMITTED if t < QUEUE_SECONDS else TaskStatus.PROCESSING]

    plan = wait_plan(
        "bench",
        first=_TASKS[TaskStatus.SUBMITTED],  # what create answered
        timeout=C.WAIT_TIMEOUT,
        schedule=schedule,
        fixed_interval=fixed,
        clock=clock,
        age=0.0,
    )
    requests = 0
    answer: Result | None = None
    try:
        step = next(plan)
        while True:
            if isinstance(step, Sleep):
                now += step.seconds
                answer = None
            elif isinstance(step, Fetch):
                requests += 1
                answer = Result(value=task_at(now))
            elif isinstance(step, Notify):
                answer = None
            else:
                raise RuntimeError(f"unexpected step {step!r}")
            step = plan.send(answer)
    except StopIteration as stop:
        if not isinstance(stop.value, Task) or not stop.value.succeeded:
            raise RuntimeError("the wait ended without the task") from None
    return requests, now - run_time


def _waiter(schedule: PollSchedule, fixed: float | None) -> Callable[[float], tuple[int, float]]:
    return lambda run_time: wait_once(run_time, schedule, fixed)


def _summary(values: Sequence[float]) -> dict[str, float]:
    return {
        "mean": sum(values) / len(values),
        "median": median(values),
        "p90": percentile(values, 90),
        "max": max(values),
    }


def run(quick: bool) -> Outcome:
    count = 1_000 if quick else 10_000
    times = run_times(count)
    # The schedule a client gets by default, read from a client so the benchmark follows any change.
    schedule = KlingVideo(api_key="sk-bench").options.poll
    alternatives = {WRAPPER: _waiter(schedule, None), **{f"fixed {x:g} s": _waiter(schedule, x) for x in FIXED}}
    requests: dict[str, list[float]] = {name: [] for name in alternatives}
    delays: dict[str, list[float]] = {name: [] for name in alternatives}
    for run_time in times:  # interleaved: every alternative on each task in turn
        for name, wait in alternatives.items():
            n, delay = wait(run_time)
            requests[name].append(n)
            delays[name].append(delay)

    req = {name: _summary(values) for name, values in requests.items()}
    dly = {name: _summary(values) for name, values in delays.items()}
    outcome = Outcome("polling", "2. Polling (fake clock through wait_plan)")
    outcome.rows.append(
        Row(
            benchmark="polling",
            measure="status requests per task (mean)",
            subject=WRAPPER,
            value=req[WRAPPER]["mean"],
            reference="fixed 5 s",
            reference_value=req["fixed 5 s"]["mean"],
            unit="requests",
            target="< fixed 5 s",
            met=req[WRAPPER]["mean"] < req["fixed 5 s"]["mean"],
        )
    )
    outcome.rows.append(
        Row(
            benchmark="polling",
            measure="delay after the task ends (median)",
            subject=WRAPPER,
            value=dly[WRAPPER]["median"],
            reference="fixed 10 s",
            reference_value=dly["fixed 10 s"]["median"],
            unit="s",
            target="≤ fixed 10 s",
            met=dly[WRAPPER]["median"] <= dly["fixed 10 s"]["median"],
        )
    )
    outcome.tables.append(
        Table(
            f"{count:,} tasks; run time median {fmt(median(times))} s, p10 {fmt(percentile(times, 10))} s, "
            f"p90 {fmt(percentile(times, 90))} s, max {fmt(max(times))} s",
            [
                "polling",
                "requests/task mean",
                "median",
                "p90",
                "delay median s",
                "delay p90 s",
                "delay mean s",
                "delay max s",
            ],
            [
                [
                    name,
                    fmt(req[name]["mean"]),
                    fmt(req[name]["median"]),
                    fmt(req[name]["p90"]),
                    fmt(dly[name]["median"]),
                    fmt(dly[name]["p90"]),
                    fmt(dly[name]["mean"]),
                    fmt(dly[name]["max"]),
                ]
                for name in alternatives
            ],
        )
    )
    steps = ", ".join(f"every {interval:g} s until {until:g} s" for until, interval in schedule.steps)
    outcome.notes.append(
        f"The wrapper's schedule: first look at {schedule.first_look:g} s, then {steps}, then every "
        f"{schedule.tail_interval:g} s. Delay = when the client's query first shows the task finished minus when "
        "it finished (no network latency)."
    )
    outcome.data = {
        "tasks": count,
        "seed": SEED,
        "run_time": {"median": median(times), "p10": percentile(times, 10), "p90": percentile(times, 90)},
        "requests": req,
        "delay_s": dly,
    }
    return outcome
