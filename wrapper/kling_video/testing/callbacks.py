"""Callback delivery: the task, POSTed to the caller's callback_url on each status change.

Delivery runs on a worker thread of its own, so a slow or dead receiver never delays an API
answer, and in order, one at a time. A failed delivery is logged and dropped: real callbacks are
best effort too, which is why a client must never depend on them alone. With a signing secret,
each delivery is signed by the Standard Webhooks scheme Kling uses (kling-api.md, Callback).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import queue
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

logger = logging.getLogger("kling_video.testing")

SECRET_PREFIX = "whsec_"  # noqa: S105 (the scheme's prefix, not a secret)


def secret_key(secret: str) -> bytes:
    """The HMAC key inside a ``whsec_<base64>`` secret; ValueError when it is not one."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("a callback secret looks like whsec_<base64>")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except binascii.Error as exc:
        raise ValueError("the part of the callback secret after whsec_ must be base64") from exc
    if not key:
        raise ValueError("the callback secret is empty")
    return key


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value: v1 and the base64 HMAC-SHA256 of ``id.timestamp.body``."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


@dataclass(frozen=True)
class _Delivery:
    url: str
    body: bytes


_STOP = object()


class CallbackSender:
    """Delivers callbacks from a background thread, in the order they were queued."""

    def __init__(self, secret: str | None = None, *, timeout: float = 5.0) -> None:
        if secret is not None:
            secret_key(secret)  # refuse a malformed secret now, not at the first delivery
        self._secret = secret
        self._timeout = timeout
        self._queue: queue.Queue[object] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._idle = threading.Condition()
        self._outstanding = 0
        self._stopping = False

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="kling-simulator-callbacks", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop delivering; callbacks still queued are dropped, as a stopping server drops them."""
        if self._thread is not None:
            self._stopping = True
            self._queue.put(_STOP)
            self._thread.join(timeout)
            self._thread = None

    def send(self, url: str, task: dict[str, Any]) -> None:
        """Queue the task for delivery; returns at once."""
        body = json.dumps(task, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        with self._idle:
            self._outstanding += 1
        self._queue.put(_Delivery(url, body))

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every queued callback was attempted; False when time ran out first."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._outstanding:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._idle.wait(remaining)
        return True

    def _run(self) -> None:
        with httpx.Client(timeout=self._timeout, trust_env=False) as client:
            while True:
                item = self._queue.get()
                if item is _STOP:
                    return
                assert isinstance(item, _Delivery)
                try:
                    if not self._stopping:
                        self._deliver(client, item)
                except Exception:  # the worker must outlive any one bad delivery
                    logger.exception("callback to %s failed", item.url)
                finally:
                    with self._idle:
                        self._outstanding -= 1
                        self._idle.notify_all()

    def _deliver(self, client: httpx.Client, delivery: _Delivery) -> None:
        headers = {"content-type": "application/json"}
        if self._secret is not None:
            message_id = f"msg_{uuid.uuid4().hex}"
            # Real time, not simulated: receivers check it against their own clock.
            timestamp = int(time.time())
            headers["webhook-id"] = message_id
            headers["webhook-timestamp"] = str(timestamp)
            headers["webhook-signature"] = sign(self._secret, message_id, timestamp, delivery.body)
        try:
            response = client.post(delivery.url, content=delivery.body, headers=headers)
        except httpx.HTTPError as exc:
            logger.warning("callback to %s failed: %s", delivery.url, exc)
            return
        if response.status_code >= 300:
            logger.warning("callback to %s answered %s", delivery.url, response.status_code)
