"""Reading the task updates Kling POSTs to your ``callback_url``.

The body is the bare task object (no envelope), sent on each status change, possibly repeated or
out of order: compare ``updated_at`` before acting. Since August 2026 Kling signs callbacks by the
Standard Webhooks scheme when the account has a signing secret; verify before trusting the body.
Verification is the stdlib (hmac, constant-time comparison) to keep the package light.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

from kling_video.errors import KlingError
from kling_video.task import Task

__all__ = ["WebhookVerificationError", "parse_callback", "verify_callback"]

TOLERANCE_SECONDS = 5 * 60
_SECRET_PREFIX = "whsec_"  # noqa: S105 -- a format prefix, not a secret


class WebhookVerificationError(KlingError):
    """The callback is not provably from Kling: missing headers, stale, or a bad signature."""


def parse_callback(body: bytes | str | Mapping[str, Any]) -> Task:
    """The task in a callback body; a body that is not a task object raises KlingError."""
    data: Any = body
    if isinstance(body, bytes | str):
        try:
            data = json.loads(body)
        except (ValueError, RecursionError) as exc:
            raise KlingError(f"callback body is not JSON: {type(exc).__name__}") from None
    if not isinstance(data, Mapping):
        raise KlingError("callback body is not a task object")
    if "code" in data and isinstance(data.get("data"), Mapping):  # tolerate an enveloped body
        data = data["data"]
    from kling_video._shapes import normalise_task

    return Task.from_dict(normalise_task(data))


def verify_callback(
    body: bytes | str,
    headers: Mapping[str, str],
    secret: str,
    *,
    now: float | None = None,
    tolerance: float = TOLERANCE_SECONDS,
) -> Task:
    """Verify the Standard Webhooks signature, then parse. Raises WebhookVerificationError."""
    raw = body.encode() if isinstance(body, str) else body
    lower = {k.lower(): v for k, v in headers.items()}
    try:
        msg_id, stamp, signatures = lower["webhook-id"], lower["webhook-timestamp"], lower["webhook-signature"]
    except KeyError as exc:
        raise WebhookVerificationError(f"missing header {exc.args[0]}") from None
    try:
        sent_at = int(stamp)
    except ValueError:
        raise WebhookVerificationError("webhook-timestamp is not a number") from None
    current = time.time() if now is None else now
    if abs(current - sent_at) > tolerance:
        raise WebhookVerificationError("webhook-timestamp is outside the tolerance (replayed or clock skew)")
    expected = base64.b64encode(hmac.new(_key(secret), f"{msg_id}.{stamp}.".encode() + raw, hashlib.sha256).digest())
    for candidate in signatures.split():
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value.encode(), expected):
            return parse_callback(raw)
    raise WebhookVerificationError("no valid signature")


def _key(secret: str) -> bytes:
    encoded = secret[len(_SECRET_PREFIX) :] if secret.startswith(_SECRET_PREFIX) else secret
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise WebhookVerificationError("the signing secret is not whsec_<base64>") from None
