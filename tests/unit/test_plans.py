"""The plans, driven by hand: every Send, LookUp, Fetch, Notify and Sleep is scripted and counted.

These are the rules that keep users' money safe (design.md): never create a task twice, look it up
after an ambiguous failure and after any failure of a re-send, retry only what is transient, and
wait with a deadline.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kling_video import KlingVideo
from kling_video._plans import Fetch, LookUp, Notify, Result, Send, Sleep, create_plan, request_plan, wait_plan
from kling_video._wire import lookup_result
from kling_video.errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    ConcurrencyLimitError,
    InvalidRequestError,
    KlingError,
    NotFoundError,
    RateLimitError,
    ServerError,
    TaskFailedError,
    WaitTimeoutError,
    error_for,
)
from kling_video.polling import PollSchedule
from kling_video.retry import RetryPolicy, judge
from kling_video.task import Task, TaskStatus

POLICY = RetryPolicy(max_retries=3, initial_delay=0.5, max_delay=16.0, concurrency_min_delay=2.0)
EXT = "kv-test-1"


def err(status: int | None, code: int | None) -> KlingError:
    return error_for(status_code=status, code=code, message="boom", request_id="req")


def fail(error: KlingError, retry_after: float | None = None) -> Result:
    return Result(error=error, retry_after=retry_after)


def ok(value: object) -> Result:
    return Result(value=value)


def task(status: str = "submitted", task_id: str = "831922345719271433", msg: str | None = None) -> Task:
    return Task(task_id=task_id, status=TaskStatus.parse(status), raw_status=status, status_message=msg)


# Failures by what they mean for a create.
AMBIGUOUS = {
    "dropped-after-send": lambda: APIConnectionError("reset", request_sent=True),
    "read-timeout": lambda: APITimeoutError("no answer", request_sent=True),
    "code-5000": lambda: err(500, 5000),
    "code-5001": lambda: err(503, 5001),
    "bare-502": lambda: err(502, None),
}
NOT_SENT = {
    "connect-error": lambda: APIConnectionError("refused", request_sent=False),
    "connect-timeout": lambda: APITimeoutError("slow connect", request_sent=False),
}
THROTTLED = {"1302": lambda: err(429, 1302), "1303": lambda: err(429, 1303)}
PERMANENT = {
    "1000": lambda: err(401, 1000),
    "1101-on-429": lambda: err(429, 1101),
    "1103": lambda: err(403, 1103),
    "1201": lambda: err(400, 1201),
    "1301": lambda: err(400, 1301),
    "1304-on-429": lambda: err(429, 1304),
    "bare-400": lambda: err(400, None),
    "bare-404": lambda: err(404, None),
}


class Script:
    """Answers a plan's steps from queues, advances a fake clock on Sleep, records every step."""

    def __init__(
        self,
        sends: Iterable[Result] = (),
        lookups: Iterable[Result] = (),
        fetches: Iterable[Result] = (),
        now: float = 1000.0,
    ) -> None:
        self.queues: dict[type, list[Result]] = {Send: list(sends), LookUp: list(lookups), Fetch: list(fetches)}
        self.steps: list[object] = []
        self.now = now

    def clock(self) -> float:
        return self.now

    def run(self, plan, max_steps: int = 1000):
        answer = None
        try:
            step = next(plan)
            for _ in range(max_steps):
                self.steps.append(step)
                if isinstance(step, Sleep):
                    assert step.seconds >= 0
                    self.now += step.seconds
                    answer = None
                elif isinstance(step, Notify):
                    answer = None
                else:
                    queue = self.queues[type(step)]
                    assert queue, f"unexpected {type(step).__name__} after {self.kinds}"
                    answer = queue.pop(0)
                step = plan.send(answer)
            raise AssertionError("the plan did not end")
        except StopIteration as stop:
            return stop.value

    @property
    def kinds(self) -> list[str]:
        return [type(s).__name__ for s in self.steps]

    def count(self, kind: type) -> int:
        return sum(isinstance(s, kind) for s in self.steps)

    @property
    def sleeps(self) -> list[float]:
        return [s.seconds for s in self.steps if isinstance(s, Sleep)]

    @property
    def notified(self) -> list[str]:
        return [s.task.raw_status for s in self.steps if isinstance(s, Notify)]


def create(script: Script, policy: RetryPolicy = POLICY, rand=lambda: 0.5):
    return script.run(create_plan(policy, external_task_id=EXT, rand=rand))


# --- create_plan ----------------------------------------------------------------------------------


def test_create_success_first_time_sends_once_and_never_looks_up():
    created = task()
    script = Script(sends=[ok(created)])
    assert create(script) is created
    assert script.kinds == ["Send"]


@pytest.mark.parametrize("make", AMBIGUOUS.values(), ids=AMBIGUOUS.keys())
def test_ambiguous_failure_looks_up_before_any_second_send(make):
    created = task()
    script = Script(sends=[fail(make()), ok(created)], lookups=[ok(None)])
    assert create(script) is created
    assert script.kinds == ["Send", "LookUp", "Sleep", "Send"]


@pytest.mark.parametrize("make", AMBIGUOUS.values(), ids=AMBIGUOUS.keys())
def test_lookup_that_finds_the_task_returns_it_without_sending_again(make):
    found = task("processing")
    script = Script(sends=[fail(make())], lookups=[ok(found)])
    assert create(script) is found
    assert script.kinds == ["Send", "LookUp"]
    assert script.count(Send) == 1


def test_lookup_that_fails_is_best_effort_and_the_create_is_sent_again():
    created = task()
    script = Script(sends=[fail(err(500, 5000)), ok(created)], lookups=[fail(err(502, None))])
    assert create(script) is created
    assert script.kinds == ["Send", "LookUp", "Sleep", "Send"]


@pytest.mark.parametrize(
    "second",
    [*AMBIGUOUS.values(), *NOT_SENT.values(), *THROTTLED.values()],
    ids=[*AMBIGUOUS.keys(), *NOT_SENT.keys(), *THROTTLED.keys()],
)
def test_any_failure_of_a_resend_is_looked_up_again(second):
    created = task()
    script = Script(sends=[fail(err(500, 5000)), fail(second()), ok(created)], lookups=[ok(None), ok(None)])
    assert create(script) is created
    assert script.kinds == ["Send", "LookUp", "Sleep", "Send", "LookUp", "Sleep", "Send"]


def test_the_second_lookup_can_find_the_task_the_first_missed():
    found = task()
    script = Script(sends=[fail(err(500, 5000)), fail(err(429, 1303))], lookups=[ok(None), ok(found)])
    assert create(script) is found
    assert script.count(Send) == 2
    assert script.kinds[-1] == "LookUp"


@pytest.mark.parametrize("make", PERMANENT.values(), ids=PERMANENT.keys())
def test_permanent_refusal_on_first_attempt_raises_at_once(make):
    error = make()
    script = Script(sends=[fail(error)])
    with pytest.raises(type(error)) as caught:
        create(script)
    assert caught.value is error
    assert script.kinds == ["Send"]


@pytest.mark.parametrize("make", AMBIGUOUS.values(), ids=AMBIGUOUS.keys())
def test_retries_exhausted_raise_the_last_error(make):
    errors = [make() for _ in range(POLICY.max_retries + 1)]
    script = Script(sends=[fail(e) for e in errors], lookups=[ok(None)] * (POLICY.max_retries + 1))
    with pytest.raises(KlingError) as caught:
        create(script)
    assert caught.value is errors[-1]
    assert script.count(Send) == POLICY.max_retries + 1
    # Every failed send, the last included, was looked up before giving up.
    assert script.count(LookUp) == POLICY.max_retries + 1
    assert script.kinds[-1] == "LookUp"


def test_max_retries_zero_sends_once_but_still_looks_up_an_ambiguous_failure():
    script = Script(sends=[fail(err(500, 5000))], lookups=[ok(None)])
    with pytest.raises(ServerError):
        create(script, RetryPolicy(max_retries=0))
    assert script.kinds == ["Send", "LookUp"]


@pytest.mark.parametrize("make", NOT_SENT.values(), ids=NOT_SENT.keys())
def test_a_request_that_never_left_is_resent_without_lookup(make):
    created = task()
    script = Script(sends=[fail(make()), ok(created)])
    assert create(script) is created
    assert script.kinds == ["Send", "Sleep", "Send"]


@pytest.mark.parametrize("make", THROTTLED.values(), ids=THROTTLED.keys())
def test_throttling_is_resent_without_lookup(make):
    created = task()
    script = Script(sends=[fail(make()), ok(created)])
    assert create(script) is created
    assert script.kinds == ["Send", "Sleep", "Send"]


def test_create_waits_the_server_retry_after():
    script = Script(sends=[fail(err(429, 1302), retry_after=9.0), ok(task())])
    create(script)
    assert script.sleeps == [9.0]


def test_create_sleeps_follow_the_backoff():
    script = Script(sends=[fail(err(429, 1302))] * 3 + [ok(task())], lookups=[ok(None)] * 2)
    create(script, rand=lambda: 1.0)
    assert script.sleeps == [0.5, 1.0, 2.0]


def test_a_permanent_refusal_of_a_resend_is_looked_up_then_raised():
    refusal = err(400, 1201)  # e.g. a duplicate external_task_id: the first send may have worked
    script = Script(sends=[fail(err(500, 5000)), fail(refusal)], lookups=[ok(None), ok(None)])
    with pytest.raises(InvalidRequestError) as caught:
        create(script)
    assert caught.value is refusal
    assert script.kinds == ["Send", "LookUp", "Sleep", "Send", "LookUp"]


def test_a_refused_resend_tells_the_user_the_task_may_exist():
    script = Script(sends=[fail(err(500, 5000)), fail(err(400, 1201))], lookups=[ok(None), ok(None)])
    with pytest.raises(InvalidRequestError) as caught:
        create(script)
    assert EXT in caught.value.message
    assert EXT in str(caught.value)


def test_create_plan_never_yields_a_fetch_or_notify():
    script = Script(sends=[fail(err(500, 5000))] * 4, lookups=[ok(None)] * 4)
    with pytest.raises(ServerError):
        create(script)
    assert set(script.kinds) == {"Send", "LookUp", "Sleep"}


ALL_FAILURES = {**AMBIGUOUS, **NOT_SENT, **THROTTLED, **PERMANENT}


@settings(max_examples=150, deadline=None)
@given(
    outcomes=st.lists(st.sampled_from([*ALL_FAILURES, "ok"]), min_size=1, max_size=8),
    finds=st.lists(st.booleans(), min_size=8, max_size=8),
    max_retries=st.integers(0, 5),
)
def test_create_never_sends_twice_without_looking(outcomes, finds, max_retries):
    """Whatever happens, a send after an ambiguous failure or after a failed re-send is preceded by a lookup."""
    policy = RetryPolicy(max_retries=max_retries)
    sends = [ok(task(task_id="created")) if o == "ok" else fail(ALL_FAILURES[o]()) for o in outcomes]
    sends += [fail(err(400, 1201))] * (max_retries + 2)  # so the plan never runs out of answers
    lookups = [ok(task("processing", task_id="found")) if f else ok(None) for f in finds] + [ok(None)] * 10
    script = Script(sends=list(sends), lookups=list(lookups))
    try:
        outcome = create(script, policy)
    except KlingError as error:
        outcome = error
    assert 1 <= script.count(Send) <= max_retries + 1
    # Replay the log against the answers each step was given.
    n_send = n_lookup = 0
    last = len(script.steps) - 1
    for i, step in enumerate(script.steps):
        if isinstance(step, LookUp):
            answer = lookups[n_lookup]
            n_lookup += 1
            if answer.value is not None:  # found: returned at once, nothing sent again
                assert i == last
                assert outcome is answer.value
            continue
        if not isinstance(step, Send):
            continue
        answer = sends[n_send]
        n_send += 1
        following = script.steps[i + 1] if i < last else None
        if answer.error is None:
            assert i == last
            assert outcome is answer.value
            continue
        verdict = judge(answer.error)
        if verdict.maybe_done or n_send > 1:
            assert isinstance(following, LookUp)
        else:
            assert not isinstance(following, LookUp)
        if not verdict.retry or n_send == max_retries + 1:
            assert not any(isinstance(s, Send) for s in script.steps[i + 1 :])
            if following is None or not lookups[n_lookup].value:
                assert outcome is answer.error


# --- request_plan -----------------------------------------------------------------------------------


def request(script: Script, policy: RetryPolicy = POLICY, rand=lambda: 1.0):
    return script.run(request_plan(policy, what="test", rand=rand))


def test_request_retries_transient_failures_then_succeeds():
    value = task()
    script = Script(sends=[fail(err(503, None)), fail(APITimeoutError("slow")), fail(err(429, 1302)), ok(value)])
    assert request(script) is value
    assert script.kinds == ["Send", "Sleep"] * 3 + ["Send"]
    assert script.sleeps == [0.5, 1.0, 2.0]


def test_request_never_looks_up():
    script = Script(sends=[fail(err(500, 5000)), ok("v")])
    assert request(script) == "v"
    assert "LookUp" not in script.kinds


@pytest.mark.parametrize("make", PERMANENT.values(), ids=PERMANENT.keys())
def test_request_raises_a_permanent_failure_at_once(make):
    error = make()
    script = Script(sends=[fail(error)])
    with pytest.raises(type(error)) as caught:
        request(script)
    assert caught.value is error
    assert script.kinds == ["Send"]


def test_request_max_retries_zero_is_one_attempt():
    error = err(503, None)
    script = Script(sends=[fail(error)])
    with pytest.raises(ServerError) as caught:
        request(script, RetryPolicy(max_retries=0))
    assert caught.value is error
    assert script.kinds == ["Send"]


def test_request_raises_the_last_error_when_retries_run_out():
    errors = [err(429, 1303) for _ in range(POLICY.max_retries + 1)]
    script = Script(sends=[fail(e) for e in errors])
    with pytest.raises(ConcurrencyLimitError) as caught:
        request(script)
    assert caught.value is errors[-1]
    assert script.count(Send) == POLICY.max_retries + 1
    assert script.count(Sleep) == POLICY.max_retries


def test_request_honours_retry_after():
    script = Script(sends=[fail(err(429, 1302), retry_after=30.0), ok(1)])
    request(script)
    assert script.sleeps == [30.0]


def test_lookup_result_reads_not_found_as_an_answer():
    assert lookup_result(NotFoundError("no such task", status_code=404)) == Result(value=None)
    other = RateLimitError("slow down", status_code=429, code=1302)
    assert lookup_result(other).error is other
    found = task()
    assert lookup_result(None, found).value is found


# --- wait_plan ----------------------------------------------------------------------------------------


def wait(
    script: Script,
    *,
    first: Task | None = None,
    timeout: float = 900.0,
    schedule: PollSchedule | None = None,
    fixed: float | None = None,
    age: float = 0.0,
    max_steps: int = 1000,
):
    plan = wait_plan(
        "t1",
        first=first,
        timeout=timeout,
        schedule=schedule or PollSchedule(),
        fixed_interval=fixed,
        clock=script.clock,
        age=age,
    )
    return script.run(plan, max_steps)


def test_wait_notifies_every_status_change_and_only_changes():
    done = task("succeed")
    fetches = [ok(task(s)) for s in ("submitted", "submitted", "processing", "processing", "processing")]
    script = Script(fetches=[*fetches, ok(done)])
    assert wait(script) is done
    assert script.notified == ["submitted", "processing", "succeed"]
    assert script.count(Fetch) == 6


def test_wait_returns_a_first_task_that_is_already_done_without_asking():
    done = task("succeed")
    script = Script()
    assert wait(script, first=done) is done
    assert script.kinds == ["Notify"]


def test_wait_without_a_first_task_asks_at_once():
    script = Script(fetches=[ok(task("succeed"))])
    wait(script)
    assert script.kinds[0] == "Fetch"


def test_wait_raises_task_failed_with_the_task():
    failed = task("failed", msg="content moderation")
    script = Script(fetches=[ok(task("processing")), ok(failed)])
    with pytest.raises(TaskFailedError) as caught:
        wait(script, first=task("submitted"))
    assert caught.value.task is failed
    assert "content moderation" in str(caught.value)
    assert script.notified == ["submitted", "processing", "failed"]


def test_wait_raises_wait_timeout_with_the_task_id_at_the_deadline():
    running = task("processing")
    script = Script(fetches=[ok(running)] * 10)
    with pytest.raises(WaitTimeoutError) as caught:
        wait(script, first=running, timeout=25.0)
    assert caught.value.task_id == "t1"
    assert caught.value.timeout == 25.0
    assert caught.value.task is running
    assert script.sleeps == [10.0, 10.0, 5.0]  # the last sleep is cut to the deadline
    assert script.count(Fetch) == 3  # one last look exactly at the deadline


def test_wait_timeout_when_no_query_ever_succeeded_has_no_task():
    script = Script(fetches=[fail(err(503, None))] * 20)
    with pytest.raises(WaitTimeoutError) as caught:
        wait(script, timeout=30.0)
    assert caught.value.task is None
    assert sum(script.sleeps) == pytest.approx(30.0)


def test_a_transient_fetch_failure_does_not_end_the_wait():
    done = task("succeed")
    fetches = [fail(err(500, 5000)), fail(APIConnectionError("reset")), ok(task("processing")), ok(done)]
    script = Script(fetches=fetches)
    assert wait(script, first=task("submitted")) is done
    assert script.count(Fetch) == 4
    assert script.notified == ["submitted", "processing", "succeed"]


def test_a_transient_failure_of_the_first_query_still_waits_before_asking_again():
    script = Script(fetches=[fail(err(502, None)), ok(task("succeed"))])
    wait(script)
    assert script.kinds[:3] == ["Fetch", "Sleep", "Fetch"]
    assert script.sleeps[0] == 10.0


@pytest.mark.parametrize(
    "make",
    [lambda: err(401, 1002), lambda: err(404, 1203), lambda: err(429, 1102), lambda: err(403, 1103)],
    ids=["auth", "not-found", "account", "permission"],
)
def test_a_permanent_fetch_failure_ends_the_wait(make):
    error = make()
    script = Script(fetches=[ok(task("processing")), fail(error), ok(task("succeed"))])
    with pytest.raises(type(error)) as caught:
        wait(script, first=task("submitted"))
    assert caught.value is error
    assert script.count(Fetch) == 2


def test_an_authentication_error_ends_the_wait():
    error = AuthenticationError("bad key", status_code=401, code=1001)
    script = Script(fetches=[fail(error)])
    with pytest.raises(AuthenticationError):
        wait(script)


def test_wait_sleeps_follow_the_default_schedule():
    running = task("processing")
    script = Script(fetches=[ok(running)] * 200)
    with pytest.raises(WaitTimeoutError):
        wait(script, first=running, timeout=900.0)
    sleeps = script.sleeps
    assert sleeps[:8] == [10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 8.0, 8.0]
    elapsed = 0.0
    for seconds in sleeps:
        if 300.0 <= elapsed < 600.0:
            assert seconds == 15.0
        elif elapsed >= 600.0:
            assert seconds == min(30.0, 900.0 - elapsed)
        elapsed += seconds
    assert elapsed == pytest.approx(900.0)


def test_wait_for_an_old_task_keeps_the_schedules_place():
    running = task("processing")
    script = Script(fetches=[ok(running), ok(task("succeed"))])
    wait(script, first=running, age=400.0)
    assert script.sleeps[0] == 15.0


def test_wait_with_a_fixed_interval():
    running = task("processing")
    script = Script(fetches=[ok(running)] * 3 + [ok(task("succeed"))])
    wait(script, first=running, fixed=3.0)
    assert script.sleeps == [3.0, 3.0, 3.0, 3.0]


def test_wait_fixed_interval_is_cut_at_the_deadline():
    running = task("processing")
    script = Script(fetches=[ok(running)] * 10)
    with pytest.raises(WaitTimeoutError):
        wait(script, first=running, fixed=4.0, timeout=10.0)
    assert script.sleeps == [4.0, 4.0, 2.0]


def test_wait_uses_the_custom_schedule():
    schedule = PollSchedule(first_look=1.0, steps=((3.0, 0.5),), tail_interval=2.0)
    running = task("processing")
    script = Script(fetches=[ok(running)] * 6 + [ok(task("succeed"))])
    wait(script, first=running, schedule=schedule)
    assert script.sleeps == [1.0, 0.5, 0.5, 0.5, 0.5, 2.0, 2.0]


@settings(max_examples=100, deadline=None)
@given(
    timeout=st.floats(0.5, 2_000.0),
    age=st.floats(0.0, 2_000.0),
    fixed=st.one_of(st.none(), st.floats(2.0, 60.0)),
    first=st.booleans(),
)
def test_wait_never_sleeps_past_its_deadline(timeout, age, fixed, first):
    running = task("processing")
    script = Script(fetches=[ok(running)] * 5_000)
    with pytest.raises(WaitTimeoutError):
        wait(script, first=running if first else None, timeout=timeout, fixed=fixed, age=age, max_steps=10_000)
    assert all(s >= 0 for s in script.sleeps)
    assert sum(script.sleeps) <= timeout + 1e-6
    assert script.notified == ["processing"]


# --- the plans through the sync client, one decision each (httpx.MockTransport, no network) -------------


def _task_body(task_id: str, external: str, status: str = "submitted") -> dict:
    return {
        "code": 0,
        "message": "SUCCEED",
        "request_id": "r",
        "data": {"task_id": task_id, "task_status": status, "task_info": {"external_task_id": external}},
    }


def test_client_create_after_a_read_timeout_finds_the_task_by_its_external_id():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.method == "POST":
            raise httpx.ReadTimeout("no answer", request=request)
        external = request.url.path.rsplit("/", 1)[-1]
        return httpx.Response(200, json=_task_body("831", external))

    with (
        httpx.Client(transport=httpx.MockTransport(handler)) as http,
        KlingVideo(api_key="sk-test", http_client=http, _sleep=lambda s: None) as client,
    ):
        created = client.text2video.create(prompt="a fox in the snow")
    posts = [r for r in seen if r.method == "POST"]
    assert len(posts) == 1
    external = json.loads(posts[0].content)["external_task_id"]
    assert external
    assert created.task_id == "831"
    assert created.external_task_id == external
    assert [r.method for r in seen] == ["POST", "GET"]


def test_client_create_that_gets_an_html_502_looks_up_then_sends_again():
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        if request.method == "GET":
            return httpx.Response(404, json={"code": 1203, "message": "no such task"})
        if seen.count("POST") == 1:
            return httpx.Response(502, text="<html><body>502 Bad Gateway</body></html>")
        return httpx.Response(200, json=_task_body("832", "x"))

    with (
        httpx.Client(transport=httpx.MockTransport(handler)) as http,
        KlingVideo(api_key="sk-test", http_client=http, _sleep=lambda s: None) as client,
    ):
        created = client.text2video.create(prompt="a fox in the snow")
    assert created.task_id == "832"
    assert seen == ["POST", "GET", "POST"]
