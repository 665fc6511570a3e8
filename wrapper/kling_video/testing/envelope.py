"""Kling's answer envelope, in one place: every JSON answer, success or error, is built here.

``{"code": 0, "message": "SUCCEED", "request_id": ..., "data": ...}`` on success; a non-zero
business code and a message, without data, on error (kling-api.md, Errors).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

# Business codes the simulator answers with, named once. Kling's own table: 1000 authentication
# failed (in general), 1001 Authorization is empty, 1002 Authorization is invalid.
AUTH_MISSING = 1001
AUTH_INVALID = 1002
WRONG_METHOD = 1202
NOT_FOUND = 1203
CONCURRENCY_LIMIT = 1303

MESSAGES = {
    1000: "Authentication failed",
    1001: "Authentication failed: Authorization is empty",
    1002: "Authentication failed: Authorization is invalid",
    1100: "Account exception",
    1101: "Account in arrears",
    1102: "Resource pack exhausted or expired",
    1103: "No permission to access this API or model",
    1200: "Invalid request",
    1201: "Invalid request parameter",
    1202: "Invalid request method",
    1203: "The requested resource does not exist",
    1300: "Trigger platform policy",
    1301: "Trigger content security policy",
    1302: "Requests are too frequent, exceeding the platform rate limit",
    1303: "Concurrency limit exceeded: too many running tasks for this account",
    1304: "Request IP is not in the allow list",
    5000: "Internal server error",
    5001: "Service temporarily unavailable, under maintenance",
    5002: "Server internal timeout",
}


def request_id() -> str:
    return str(uuid.uuid4())


def success(data: Any) -> dict[str, Any]:
    return {"code": 0, "message": "SUCCEED", "request_id": request_id(), "data": data}


def error(code: int, message: str | None = None) -> dict[str, Any]:
    return {"code": code, "message": message or MESSAGES.get(code, "Error"), "request_id": request_id()}


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
