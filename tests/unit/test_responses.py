"""_responses: any HTTP answer becomes a Task or a typed APIError, never a JSON or Key error."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kling_video._responses import parse_task, parse_task_list
from kling_video.errors import (
    AccountError,
    APIError,
    AuthenticationError,
    ConcurrencyLimitError,
    ContentPolicyError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)
from kling_video.task import TaskStatus

TASK = {
    "task_id": "831922345719271433",
    "task_status": "succeed",
    "task_status_msg": "",
    "task_info": {"external_task_id": "kv-abc"},
    "task_result": {
        "videos": [
            {
                "id": "v1",
                "url": "https://cdn.example/v1.mp4",
                "watermark_url": "https://cdn.example/w1.mp4",
                "duration": "5.1",
            }
        ]
    },
    "watermark_info": {"enabled": True},
    "final_unit_deduction": "1.5",
    "created_at": 1766374262370,
    "updated_at": 1766374300000,
}


def envelope(data: object, code: object = 0, message: str = "SUCCEED") -> bytes:
    return json.dumps({"code": code, "message": message, "request_id": "req-42", "data": data}).encode()


def error_body(code: object, message: str = "nope", request_id: str = "req-err") -> bytes:
    return json.dumps({"code": code, "message": message, "request_id": request_id}).encode()


# --- Kling's envelope ----------------------------------------------------------------------------------


def test_kling_envelope_success():
    task = parse_task(200, envelope(TASK))
    assert task.task_id == "831922345719271433"
    assert task.status is TaskStatus.SUCCEED
    assert task.external_task_id == "kv-abc"
    assert task.videos[0].url == "https://cdn.example/v1.mp4"
    assert task.videos[0].watermark_url == "https://cdn.example/w1.mp4"
    assert task.videos[0].duration == 5.1
    assert task.units_billed == Decimal("1.5")
    assert task.watermark is True
    assert task.created_at == datetime(2025, 12, 22, 3, 31, 2, 370000, tzinfo=timezone.utc)


def test_create_answer_from_the_vendor_document():
    body = (
        b'{"code": 0, "message": "SUCCEED", "request_id": "5a1e", "data": {"task_id": "831922345719271433", '
        b'"task_status": "submitted", "task_info": {}, "created_at": 1766374262370, "updated_at": 1766374262370}}'
    )
    task = parse_task(200, body)
    assert task.status is TaskStatus.SUBMITTED
    assert task.external_task_id is None
    assert task.videos == ()


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (401, 1000, AuthenticationError),
        (401, 1004, AuthenticationError),
        (429, 1100, AccountError),
        (429, 1102, AccountError),
        (403, 1103, PermissionDeniedError),
        (400, 1201, InvalidRequestError),
        (404, 1203, NotFoundError),
        (400, 1301, ContentPolicyError),
        (429, 1302, RateLimitError),
        (429, 1303, ConcurrencyLimitError),
        (429, 1304, PermissionDeniedError),
        (500, 5000, ServerError),
        (503, 5001, ServerError),
        (504, 5002, ServerError),
    ],
)
def test_error_envelope_becomes_the_right_error(status, code, cls):
    raw = error_body(code, "something is wrong")
    with pytest.raises(APIError) as caught:
        parse_task(status, raw)
    error = caught.value
    assert type(error) is cls
    assert error.status_code == status
    assert error.code == code
    assert error.message == "something is wrong"
    assert error.request_id == "req-err"
    assert error.body == raw.decode()


def test_a_failure_code_on_http_200_is_still_an_error():
    with pytest.raises(ConcurrencyLimitError) as caught:
        parse_task(200, error_body(1303))
    assert caught.value.status_code == 200


def test_error_code_as_a_string_is_read_as_a_number():
    with pytest.raises(ConcurrencyLimitError) as caught:
        parse_task(429, error_body("1303"))
    assert caught.value.code == 1303


def test_msg_is_accepted_for_message():
    with pytest.raises(AuthenticationError) as caught:
        parse_task(401, b'{"code": 1001, "msg": "invalid key"}')
    assert caught.value.message == "invalid key"


def test_an_error_without_message_still_says_something():
    with pytest.raises(RateLimitError) as caught:
        parse_task(429, b'{"code": 1302}')
    assert "1302" in caught.value.message


def test_the_list_reads_the_same_errors():
    with pytest.raises(AuthenticationError):
        parse_task_list(401, error_body(1002))


# --- bodies that are not the envelope ---------------------------------------------------------------------

NGINX_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


@pytest.mark.parametrize("parse", [parse_task, parse_task_list])
def test_nginx_html_502_is_a_server_error_with_the_raw_text(parse):
    with pytest.raises(ServerError) as caught:
        parse(502, NGINX_502)
    error = caught.value
    assert error.status_code == 502
    assert error.code is None
    assert error.body == NGINX_502.decode()
    assert "502" in str(error)


@pytest.mark.parametrize(("status", "cls"), [(502, ServerError), (504, ServerError), (200, APIError)])
@pytest.mark.parametrize("content", [b"", b"   \n"])
def test_empty_body(status, cls, content):
    with pytest.raises(APIError) as caught:
        parse_task(status, content)
    assert type(caught.value) is cls
    assert caught.value.status_code == status
    assert "empty" in caught.value.message


@pytest.mark.parametrize(
    "content",
    [b"[1, 2, 3]", b'"text"', b"42", b"null", b"{not json", b"\xff\xfe\x00garbage", b'[{"task_id": "1"}]'],
    ids=["list", "string", "number", "null", "broken", "not-utf8", "list-of-tasks"],
)
def test_json_that_is_not_an_object_is_an_api_error(content):
    with pytest.raises(APIError) as caught:
        parse_task(200, content)
    assert caught.value.body is not None


def test_a_very_long_html_page_is_kept_only_in_part():
    page = b"<html>" + b"x" * 100_000 + b"</html>"
    with pytest.raises(ServerError) as caught:
        parse_task(503, page)
    assert 0 < len(caught.value.body) <= 2000
    assert caught.value.body.startswith("<html>")


def test_a_json_object_that_is_not_an_envelope_on_an_error_status():
    with pytest.raises(InvalidRequestError) as caught:
        parse_task(400, b'{"error": {"message": "bad"}}')
    assert caught.value.body == '{"error": {"message": "bad"}}'


def test_a_bare_task_object_on_an_error_status_is_an_error():
    with pytest.raises(ServerError):
        parse_task(500, b'{"task_id": "1", "task_status": "failed"}')


@pytest.mark.parametrize("data", [None, [], "text", 5])
def test_envelope_without_a_task_object(data):
    with pytest.raises(APIError):
        parse_task(200, envelope(data))


# --- loose types -----------------------------------------------------------------------------------------


def test_numbers_where_strings_are_expected():
    data = {
        "task_id": 831922345719271433,
        "task_status": "succeed",
        "task_info": {"external_task_id": 77},
        "task_result": {"videos": [{"id": 1, "url": "https://cdn.example/a.mp4", "duration": 5}]},
        "final_unit_deduction": 2,
        "created_at": "1766374262370",
    }
    task = parse_task(200, envelope(data))
    assert task.task_id == "831922345719271433"
    assert task.external_task_id == "77"
    assert task.videos[0].id == "1"
    assert task.videos[0].duration == 5.0
    assert task.units_billed == Decimal(2)
    assert task.created_at is not None
    assert task.created_at.year == 2025


def test_missing_fields():
    task = parse_task(200, envelope({"task_id": "9"}))
    assert task.task_id == "9"
    assert task.status is TaskStatus.UNKNOWN
    assert task.videos == ()
    assert task.created_at is None
    assert task.units_billed is None
    assert task.external_task_id is None


def test_null_nested_objects():
    data = {
        "task_id": "9",
        "task_status": "processing",
        "task_info": None,
        "task_result": None,
        "watermark_info": None,
        "task_status_msg": None,
        "created_at": None,
    }
    task = parse_task(200, envelope(data))
    assert task.status is TaskStatus.PROCESSING
    assert task.external_task_id is None
    assert task.watermark is None


@pytest.mark.parametrize("field", ["task_info", "task_result", "watermark_info"])
@pytest.mark.parametrize("value", [[], ["x"], "text", 3])
def test_nested_objects_of_the_wrong_type_are_ignored(field, value):
    task = parse_task(200, envelope({"task_id": "9", "task_status": "submitted", field: value}))
    assert task.task_id == "9"
    assert task.status is TaskStatus.SUBMITTED


@pytest.mark.parametrize("videos", [None, "x", {}, [None, 3, "u"], [{"id": "1"}]])
def test_odd_video_lists(videos):
    task = parse_task(200, envelope({"task_id": "9", "task_status": "succeed", "task_result": {"videos": videos}}))
    assert task.videos == ()


def test_odd_entries_beside_good_videos_are_dropped():
    videos = [None, {"id": "a", "url": "https://cdn.example/a.mp4"}, "junk", {"url": ""}]
    task = parse_task(200, envelope({"task_id": "9", "task_status": "succeed", "task_result": {"videos": videos}}))
    assert [v.url for v in task.videos] == ["https://cdn.example/a.mp4"]


@pytest.mark.parametrize("field", ["created_at", "updated_at", "duration"])
def test_a_huge_integer_does_not_crash(field):
    data = {"task_id": "9", "task_status": "succeed", field: 10**400}
    if field == "duration":
        data = {**data, "task_result": {"videos": [{"url": "https://cdn.example/a.mp4", "duration": 10**400}]}}
    try:
        task = parse_task(200, envelope(data))
    except APIError:
        return
    assert task.task_id == "9"


def test_an_infinite_error_code_is_an_api_error():
    with pytest.raises(APIError) as caught:
        parse_task(502, b'{"code": 1e400, "message": "upstream"}')
    assert caught.value.code is None


json_values = st.recursive(
    # Finite numbers only: infinities and huge integers are the xfailed overflow bugs above.
    st.none()
    | st.booleans()
    | st.integers(-(10**15), 10**15)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "code",
                    "data",
                    "message",
                    "task_id",
                    "task_status",
                    "status",
                    "task_info",
                    "task_result",
                    "videos",
                    "url",
                    "result_url",
                    "watermark_url",
                    "duration",
                    "created_at",
                    "final_unit_deduction",
                    "watermark_info",
                    "external_task_id",
                    "list",
                    "error",
                    "fail_reason",
                ]
            ),
            inner,
            max_size=6,
        )
    ),
    max_leaves=20,
)


def _outcome(parse, status: int, content: bytes) -> str:
    """'value', or 'APIError <status>' for an APIError that kept the status and the raw body."""
    try:
        parse(status, content)
    except APIError as error:
        kept = error.status_code if error.body is not None else "no body"
        return f"APIError {kept}"
    return "value"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=json_values, status=st.sampled_from([200, 201, 400, 404, 429, 500, 502]))
def test_any_json_is_a_task_or_an_api_error(doc, status):
    content = json.dumps(doc).encode()
    for parse in (parse_task, parse_task_list):
        assert _outcome(parse, status, content) in ("value", f"APIError {status}")


@settings(max_examples=200, deadline=None)
@given(content=st.binary(max_size=200), status=st.sampled_from([200, 400, 500, 502, 504]))
def test_any_bytes_are_a_task_or_an_api_error(content, status):
    assert _outcome(parse_task, status, content) in ("value", f"APIError {status}")


# --- other gateways' shapes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("queued", TaskStatus.SUBMITTED),
        ("in_progress", TaskStatus.PROCESSING),
        ("completed", TaskStatus.SUCCEED),
        ("failed", TaskStatus.FAILED),
    ],
)
def test_flat_gateway_shape(raw, status):
    body = {"task_id": "task_abc123", "status": raw, "url": "https://cdn.example/v.mp4" if raw == "completed" else None}
    task = parse_task(200, json.dumps(body).encode())
    assert task.task_id == "task_abc123"
    assert task.status is status
    if raw == "completed":
        assert [v.url for v in task.videos] == ["https://cdn.example/v.mp4"]


def test_flat_gateway_failure_reason():
    body = b'{"task_id": "task_x", "status": "failed", "error": "moderation"}'
    task = parse_task(200, body)
    assert task.status is TaskStatus.FAILED
    assert task.status_message == "moderation"


@pytest.mark.parametrize(
    ("raw", "status"),
    [("SUCCESS", TaskStatus.SUCCEED), ("IN_PROGRESS", TaskStatus.PROCESSING), ("NOT_START", TaskStatus.SUBMITTED)],
)
def test_code_success_gateway_shape(raw, status):
    data = {"task_id": "abc", "status": raw, "result_url": "https://cdn.example/r.mp4", "fail_reason": None}
    task = parse_task(200, json.dumps({"code": "success", "data": data}).encode())
    assert task.status is status
    assert task.task_id == "abc"
    assert [v.url for v in task.videos] == ["https://cdn.example/r.mp4"]


def test_code_success_gateway_failure():
    data = {"task_id": "abc", "status": "FAILURE", "fail_reason": "bad prompt"}
    task = parse_task(200, json.dumps({"code": "success", "data": data}).encode())
    assert task.status is TaskStatus.FAILED
    assert task.status_message == "bad prompt"


def test_an_id_field_is_taken_as_the_task_id_in_the_flat_shape():
    task = parse_task(200, b'{"id": "task_9", "status": "queued"}')
    assert task.task_id == "task_9"


def test_kling_shape_is_never_reinterpreted():
    data = {
        "task_id": "1",
        "task_status": "processing",
        "status": "completed",
        "url": "https://elsewhere.example/x.mp4",
        "error": "ignored",
    }
    task = parse_task(200, envelope(data))
    assert task.status is TaskStatus.PROCESSING
    assert task.raw_status == "processing"
    assert task.videos == ()
    assert task.status_message is None


def test_kling_status_spelling_is_kept_as_sent():
    task = parse_task(200, envelope({"task_id": "1", "task_status": "queued"}))
    assert task.status is TaskStatus.UNKNOWN  # "queued" is not Kling's word: it is not guessed at
    assert task.raw_status == "queued"


# --- lists -------------------------------------------------------------------------------------------------


def test_task_list():
    second = {**TASK, "task_id": "2", "task_status": "failed"}
    tasks = parse_task_list(200, envelope([TASK, second]))
    assert [t.task_id for t in tasks] == ["831922345719271433", "2"]
    assert tasks[1].status is TaskStatus.FAILED


def test_empty_task_list():
    assert parse_task_list(200, envelope([])) == []


@pytest.mark.parametrize("key", ["list", "tasks", "items"])
def test_a_wrapped_page_of_tasks(key):
    tasks = parse_task_list(200, envelope({key: [TASK], "total": 1}))
    assert [t.task_id for t in tasks] == [TASK["task_id"]]


def test_entries_of_a_list_that_are_not_objects_are_skipped():
    tasks = parse_task_list(200, envelope([None, 5, "x", TASK]))
    assert len(tasks) == 1


@pytest.mark.parametrize("data", [None, {"total": 0}, "x", 3])
def test_a_list_answer_without_a_list(data):
    with pytest.raises(APIError):
        parse_task_list(200, envelope(data))


def test_a_success_envelope_on_an_error_status_is_not_a_task():
    with pytest.raises(ServerError) as caught:
        parse_task(500, envelope(TASK))
    assert caught.value.status_code == 500
