"""callbacks: reading the bare task Kling POSTs, and verifying its Standard Webhooks signature.

The signatures here are computed independently, from the Standard Webhooks spec: base64 of
HMAC-SHA256 over ``{webhook-id}.{webhook-timestamp}.{body}``, keyed with the base64-decoded part
of the ``whsec_`` secret, sent as space-separated ``v1,<signature>`` entries.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from kling_video.callbacks import WebhookVerificationError, parse_callback, verify_callback
from kling_video.errors import KlingError
from kling_video.task import TaskStatus

KEY = bytes(range(32))
SECRET = "whsec_" + base64.b64encode(KEY).decode()
MSG_ID = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"
NOW = 1_766_374_262
BODY = json.dumps(
    {
        "task_id": "831922345719271433",
        "task_status": "succeed",
        "task_info": {"external_task_id": "kv-1"},
        "task_result": {"videos": [{"id": "v", "url": "https://cdn.example/v.mp4", "duration": "5.1"}]},
        "updated_at": 1766374262370,
    }
).encode()


def sign(body: bytes, *, msg_id: str = MSG_ID, timestamp: int = NOW, key: bytes = KEY) -> str:
    content = f"{msg_id}.{timestamp}.".encode() + body
    return base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()


def headers(body: bytes = BODY, *, timestamp: int = NOW, signature: str | None = None) -> dict[str, str]:
    return {
        "webhook-id": MSG_ID,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature if signature is not None else f"v1,{sign(body, timestamp=timestamp)}",
    }


# --- parse_callback ----------------------------------------------------------------------------------


@pytest.mark.parametrize("as_type", [bytes, lambda b: b.decode(), json.loads], ids=["bytes", "str", "mapping"])
def test_parse_callback_of_a_bare_task(as_type):
    task = parse_callback(as_type(BODY))
    assert task.task_id == "831922345719271433"
    assert task.status is TaskStatus.SUCCEED
    assert task.external_task_id == "kv-1"
    assert task.videos[0].duration == 5.1


def test_parse_callback_tolerates_an_envelope():
    wrapped = {"code": 0, "message": "SUCCEED", "data": json.loads(BODY)}
    assert parse_callback(json.dumps(wrapped)).task_id == "831922345719271433"


def test_parse_callback_tolerates_nulls_and_wrong_types():
    task = parse_callback(b'{"task_id": 5, "task_status": "processing", "task_info": null, "task_result": []}')
    assert task.task_id == "5"
    assert task.status is TaskStatus.PROCESSING


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'"x"', b"", b"\xff\xfe"])
def test_parse_callback_of_something_else_raises_kling_error(body):
    with pytest.raises(KlingError):
        parse_callback(body)


# --- verify_callback -----------------------------------------------------------------------------------


def test_a_correct_signature_is_accepted():
    task = verify_callback(BODY, headers(), SECRET, now=NOW)
    assert task.task_id == "831922345719271433"
    assert task.status is TaskStatus.SUCCEED


def test_a_str_body_is_verified_as_its_utf8_bytes():
    assert verify_callback(BODY.decode(), headers(), SECRET, now=NOW).task_id == "831922345719271433"


def test_header_names_are_case_insensitive():
    mixed = {k.title(): v for k, v in headers().items()}
    assert "Webhook-Signature" in mixed
    assert verify_callback(BODY, mixed, SECRET, now=NOW).status is TaskStatus.SUCCEED


def test_a_wrong_signature_is_refused():
    bad = f"v1,{sign(BODY, key=b'another key entirely')}"
    with pytest.raises(WebhookVerificationError, match="signature"):
        verify_callback(BODY, headers(signature=bad), SECRET, now=NOW)


def test_a_tampered_body_is_refused():
    tampered = BODY.replace(b"succeed", b"failed!")
    with pytest.raises(WebhookVerificationError):
        verify_callback(tampered, headers(BODY), SECRET, now=NOW)


def test_a_signature_for_another_message_id_is_refused():
    other = f"v1,{sign(BODY, msg_id='msg_other')}"
    with pytest.raises(WebhookVerificationError):
        verify_callback(BODY, headers(signature=other), SECRET, now=NOW)


def test_a_signature_for_another_timestamp_is_refused():
    # Signed at NOW, but the header claims NOW + 1: the timestamp is part of what is signed.
    sig = f"v1,{sign(BODY, timestamp=NOW)}"
    with pytest.raises(WebhookVerificationError):
        verify_callback(BODY, headers(timestamp=NOW + 1, signature=sig), SECRET, now=NOW)


def test_the_right_value_under_another_version_is_refused():
    with pytest.raises(WebhookVerificationError):
        verify_callback(BODY, headers(signature=f"v1a,{sign(BODY)}"), SECRET, now=NOW)


def test_several_signatures_one_valid():
    header = f"v1,{sign(BODY, key=b'old key')} v1a,AAAA v1,{sign(BODY)} v2,zzzz"
    assert verify_callback(BODY, headers(signature=header), SECRET, now=NOW).task_id == "831922345719271433"


def test_several_signatures_none_valid():
    header = f"v1,{sign(BODY, key=b'old key')} v1,{sign(BODY, key=b'older key')}"
    with pytest.raises(WebhookVerificationError):
        verify_callback(BODY, headers(signature=header), SECRET, now=NOW)


@pytest.mark.parametrize("skew", [301, 3600, -301, -3600], ids=["stale", "very-stale", "future", "far-future"])
def test_a_timestamp_outside_five_minutes_is_refused(skew):
    stamped = NOW - skew
    with pytest.raises(WebhookVerificationError, match="tolerance"):
        verify_callback(BODY, headers(timestamp=stamped), SECRET, now=NOW)


@pytest.mark.parametrize("skew", [0, 299, 300, -300])
def test_a_timestamp_within_five_minutes_is_accepted(skew):
    stamped = NOW - skew
    assert verify_callback(BODY, headers(timestamp=stamped), SECRET, now=NOW).task_id


def test_the_clock_defaults_to_now(monkeypatch):
    monkeypatch.setattr("kling_video.callbacks.time.time", lambda: NOW + 10_000)
    with pytest.raises(WebhookVerificationError):
        verify_callback(BODY, headers(), SECRET)
    monkeypatch.setattr("kling_video.callbacks.time.time", lambda: NOW + 10)
    assert verify_callback(BODY, headers(), SECRET).task_id


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_a_missing_header_is_refused(missing):
    partial = {k: v for k, v in headers().items() if k != missing}
    with pytest.raises(WebhookVerificationError, match=missing):
        verify_callback(BODY, partial, SECRET, now=NOW)


def test_no_headers_at_all_is_refused():
    with pytest.raises(WebhookVerificationError):
        verify_callback(BODY, {}, SECRET, now=NOW)


@pytest.mark.parametrize("stamp", ["soon", "", "1766374262.5"])
def test_a_timestamp_that_is_not_a_whole_number_is_refused(stamp):
    h = {**headers(), "webhook-timestamp": stamp}
    with pytest.raises(WebhookVerificationError):
        verify_callback(BODY, h, SECRET, now=NOW)


def test_a_secret_that_is_not_base64_is_refused_cleanly():
    with pytest.raises(WebhookVerificationError, match="whsec_"):
        verify_callback(BODY, headers(), "whsec_not*base64!", now=NOW)


def test_the_wrong_secret_is_refused():
    other = "whsec_" + base64.b64encode(b"x" * 32).decode()
    with pytest.raises(WebhookVerificationError):
        verify_callback(BODY, headers(), other, now=NOW)


def test_a_valid_signature_over_a_body_that_is_not_a_task_is_still_not_a_task():
    body = b"[]"
    with pytest.raises(KlingError):
        verify_callback(body, headers(body), SECRET, now=NOW)


def test_verification_errors_are_kling_errors():
    assert issubclass(WebhookVerificationError, KlingError)
