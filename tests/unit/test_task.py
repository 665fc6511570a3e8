"""task.Task: the server's strings and numbers turned into statuses, datetimes, floats and Decimals."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest
from kling_video.task import Task, TaskStatus, Video


def make(**fields) -> Task:
    return Task.from_dict({"task_id": "831922345719271433", "task_status": "submitted", **fields})


@pytest.mark.parametrize(
    ("raw", "status", "finished"),
    [
        ("submitted", TaskStatus.SUBMITTED, False),
        ("processing", TaskStatus.PROCESSING, False),
        ("succeed", TaskStatus.SUCCEED, True),
        ("failed", TaskStatus.FAILED, True),
        ("SUCCEED", TaskStatus.SUCCEED, True),
        (" processing ", TaskStatus.PROCESSING, False),
        ("succeeded", TaskStatus.UNKNOWN, False),
        ("cancelled", TaskStatus.UNKNOWN, False),
        ("", TaskStatus.UNKNOWN, False),
    ],
)
def test_statuses(raw, status, finished):
    task = make(task_status=raw)
    assert task.status is status
    assert task.is_finished is finished
    assert task.succeeded is (status is TaskStatus.SUCCEED)


def test_unknown_status_keeps_the_raw_string():
    task = make(task_status="paused_by_gateway")
    assert task.status is TaskStatus.UNKNOWN
    assert task.raw_status == "paused_by_gateway"


def test_missing_status_is_unknown_not_an_error():
    task = Task.from_dict({"task_id": "1"})
    assert task.status is TaskStatus.UNKNOWN
    assert task.raw_status == ""
    assert task.is_finished is False


@pytest.mark.parametrize("value", [None, 5, "x"])
def test_status_parse_never_raises(value):
    assert TaskStatus.parse(value) is TaskStatus.UNKNOWN


def test_only_succeed_and_failed_are_finished():
    assert {s for s in TaskStatus if s.is_finished} == {TaskStatus.SUCCEED, TaskStatus.FAILED}


EXPECTED = datetime(2025, 12, 22, 3, 31, 2, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "value",
    [1766374262000, 1766374262, "1766374262000", "1766374262", 1766374262.0],
    ids=["ms", "seconds", "ms-string", "seconds-string", "seconds-float"],
)
def test_timestamps_in_milliseconds_or_seconds_are_aware_utc(value):
    task = make(created_at=value, updated_at=value)
    assert task.created_at == EXPECTED
    assert task.updated_at == EXPECTED
    assert task.created_at.tzinfo is not None
    assert task.created_at.utcoffset().total_seconds() == 0


def test_milliseconds_keep_their_fraction():
    assert make(created_at=1766374262370).created_at == EXPECTED.replace(microsecond=370000)


def test_the_seconds_milliseconds_boundary():
    # Below 1e11 is seconds (1e11 s would be the year 5138); from 1e11 on it is milliseconds (1973).
    assert make(created_at=99_999_999_999).created_at.year == 5138
    assert make(created_at=100_000_000_000).created_at.year == 1973


@pytest.mark.parametrize("value", ["", "yesterday", [], {}, 1e300, float("inf"), float("nan")])
def test_unreadable_timestamps_are_none(value):
    assert make(created_at=value).created_at is None


def test_a_huge_integer_timestamp_is_none():
    assert make(created_at=10**400).created_at is None


def video(**fields) -> dict:
    return {"id": "v1", "url": "https://cdn.example/v1.mp4", **fields}


@pytest.mark.parametrize(("raw", "seconds"), [("5.1", 5.1), ("10", 10.0), (5, 5.0), (9.75, 9.75)])
def test_video_duration_is_a_float(raw, seconds):
    task = make(task_status="succeed", task_result={"videos": [video(duration=raw)]})
    assert task.videos[0].duration == seconds
    assert isinstance(task.videos[0].duration, float)


@pytest.mark.parametrize("raw", ["", "five", None])
def test_unreadable_duration_is_none(raw):
    task = make(task_status="succeed", task_result={"videos": [video(duration=raw)]})
    assert task.videos[0].duration is None


def test_videos_are_typed():
    task = make(
        task_status="succeed",
        task_result={
            "videos": [video(watermark_url="https://cdn.example/w.mp4", duration="5.1"), video(id=2, url="u2")]
        },
    )
    assert task.videos == (
        Video(id="v1", url="https://cdn.example/v1.mp4", watermark_url="https://cdn.example/w.mp4", duration=5.1),
        Video(id="2", url="u2"),
    )


def test_a_video_without_url_is_skipped_and_a_missing_id_is_numbered():
    task = make(task_status="succeed", task_result={"videos": [{"id": "x"}, {"url": "a"}, {"url": "b"}]})
    assert [(v.id, v.url) for v in task.videos] == [("0", "a"), ("1", "b")]


@pytest.mark.parametrize(
    ("raw", "units"),
    [("1.5", Decimal("1.5")), ("0.1", Decimal("0.1")), ("10", Decimal(10)), (2, Decimal(2)), (0.1, Decimal("0.1"))],
)
def test_units_billed_is_an_exact_decimal(raw, units):
    billed = make(final_unit_deduction=raw).units_billed
    assert isinstance(billed, Decimal)
    assert billed == units


@pytest.mark.parametrize("raw", ["", "a lot", None])
def test_unreadable_units_are_none(raw):
    assert make(final_unit_deduction=raw).units_billed is None


def test_external_task_id_and_status_message():
    task = make(task_status="failed", task_status_msg="content moderation", task_info={"external_task_id": "kv-1"})
    assert task.external_task_id == "kv-1"
    assert task.status_message == "content moderation"


def test_empty_status_message_and_task_info():
    task = make(task_status_msg="", task_info={})
    assert task.status_message is None
    assert task.external_task_id is None


@pytest.mark.parametrize(("raw", "expected"), [(True, True), (False, False)])
def test_watermark_flag(raw, expected):
    assert make(watermark_info={"enabled": raw}).watermark is expected


def test_watermark_unknown_when_absent():
    assert make().watermark is None


def test_task_id_number_becomes_a_string():
    assert Task.from_dict({"task_id": 831922345719271433}).task_id == "831922345719271433"


def test_tasks_are_immutable_values():
    a, b = make(), make()
    assert a == b
    with pytest.raises(AttributeError):
        a.task_id = "other"  # type: ignore[misc]
