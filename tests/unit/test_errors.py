"""errors: the class is chosen by Kling's code first, then by HTTP status; messages say what happened."""

from __future__ import annotations

import pytest
from kling_video.errors import (
    AccountError,
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    ConcurrencyLimitError,
    ConfigurationError,
    ContentPolicyError,
    DestinationExistsError,
    DownloadError,
    InvalidRequestError,
    KlingError,
    NotFoundError,
    PermissionDeniedError,
    Problem,
    RateLimitError,
    ServerError,
    TaskFailedError,
    ValidationError,
    WaitTimeoutError,
    error_for,
)
from kling_video.task import Task, TaskStatus

BY_CODE = [
    *((code, AuthenticationError) for code in range(1000, 1005)),
    *((code, AccountError) for code in (1100, 1101, 1102)),
    (1103, PermissionDeniedError),
    *((code, InvalidRequestError) for code in (1200, 1201, 1202)),
    (1203, NotFoundError),
    (1300, ContentPolicyError),
    (1301, ContentPolicyError),
    (1302, RateLimitError),
    (1303, ConcurrencyLimitError),
    (1304, PermissionDeniedError),
    (5000, ServerError),
    (5001, ServerError),
    (5002, ServerError),
]


@pytest.mark.parametrize(("code", "cls"), BY_CODE)
@pytest.mark.parametrize("status", [200, 400, 429, 500, None])
def test_the_code_decides_whatever_the_status(code, cls, status):
    assert type(error_for(status_code=status, code=code, message="m")) is cls


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, InvalidRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (422, InvalidRequestError),
        (429, RateLimitError),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (504, ServerError),
        (599, ServerError),
        (409, APIError),
        (418, APIError),
        (200, APIError),
        (None, APIError),
    ],
)
def test_without_a_code_the_status_decides(status, cls):
    assert type(error_for(status_code=status, code=None, message="m")) is cls


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (429, 1100, AccountError),
        (429, 1304, PermissionDeniedError),
        (400, 5000, ServerError),
        (500, 1201, InvalidRequestError),
    ],
)
def test_the_code_beats_a_contradicting_status(status, code, cls):
    assert type(error_for(status_code=status, code=code, message="m")) is cls


@pytest.mark.parametrize(
    ("status", "code", "cls"), [(400, 1299, InvalidRequestError), (503, 42, ServerError), (429, 7, RateLimitError)]
)
def test_an_unknown_code_falls_back_to_the_status(status, code, cls):
    error = error_for(status_code=status, code=code, message="m")
    assert type(error) is cls
    assert error.code == code


def test_error_carries_every_detail():
    error = error_for(status_code=429, code=1303, message="too many running tasks", request_id="req-7", body="{...}")
    assert error.status_code == 429
    assert error.code == 1303
    assert error.message == "too many running tasks"
    assert error.request_id == "req-7"
    assert error.body == "{...}"


def test_message_carries_status_code_and_request_id():
    text = str(error_for(status_code=429, code=1303, message="too many running tasks", request_id="req-7"))
    assert "429" in text
    assert "1303" in text
    assert "too many running tasks" in text
    assert "req-7" in text


def test_message_without_status_or_request_id():
    assert str(error_for(status_code=None, code=1303, message="busy")) == "code 1303: busy"
    assert str(error_for(status_code=None, code=None, message="plain")) == "plain"
    assert "request_id" not in str(error_for(status_code=502, code=None, message="bad gateway"))


def test_hierarchy():
    for cls in (
        AuthenticationError,
        AccountError,
        PermissionDeniedError,
        InvalidRequestError,
        ContentPolicyError,
        RateLimitError,
        ConcurrencyLimitError,
        ServerError,
    ):
        assert issubclass(cls, APIError)
    assert issubclass(NotFoundError, InvalidRequestError)
    assert issubclass(APITimeoutError, APIConnectionError)
    assert issubclass(ValidationError, ValueError)
    assert issubclass(ConfigurationError, ValueError)
    assert issubclass(DestinationExistsError, DownloadError)
    assert issubclass(DestinationExistsError, FileExistsError)
    for cls in (
        APIError,
        APIConnectionError,
        ValidationError,
        ConfigurationError,
        TaskFailedError,
        WaitTimeoutError,
        DownloadError,
    ):
        assert issubclass(cls, KlingError)
    # Rate limits and account problems are different families: one is retried, the other never.
    assert not issubclass(AccountError, RateLimitError)


def test_connection_error_defaults_to_maybe_sent():
    assert APIConnectionError("reset").request_sent is True
    assert APITimeoutError("slow", request_sent=False).request_sent is False


def test_validation_error_lists_every_problem():
    problems = [Problem("prompt", "max_length", "at most 2500 characters"), Problem("duration", "choice", "5 or 10")]
    error = ValidationError(problems)
    assert error.fields == ["prompt", "duration"]
    assert "prompt: at most 2500 characters" in str(error)
    assert "duration: 5 or 10" in str(error)


def test_validation_error_with_one_problem():
    error = ValidationError([Problem("cfg_scale", "range", "between 0 and 1")])
    assert str(error) == "invalid request: cfg_scale: between 0 and 1"


def test_validation_error_needs_a_problem():
    with pytest.raises(ValueError):
        ValidationError([])


def test_task_failed_error_carries_the_task_and_the_reason():
    task = Task(task_id="9", status=TaskStatus.FAILED, raw_status="failed", status_message="content moderation")
    error = TaskFailedError(task)
    assert error.task is task
    assert "9" in str(error)
    assert "content moderation" in str(error)
    bare = TaskFailedError(Task(task_id="9", status=TaskStatus.FAILED, raw_status="failed"))
    assert "no reason given" in str(bare)


def test_wait_timeout_error_carries_the_task_id():
    task = Task(task_id="9", status=TaskStatus.PROCESSING, raw_status="processing")
    error = WaitTimeoutError("9", 900.0, task)
    assert error.task_id == "9"
    assert error.timeout == 900.0
    assert error.task is task
    assert "900" in str(error)
    assert "processing" in str(error)
    assert WaitTimeoutError("9", 1.5).task is None
    assert "1.5" in str(WaitTimeoutError("9", 1.5))
