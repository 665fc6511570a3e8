"""Callbacks as a receiver gets them: every status change, the bare task, signed when asked.

The receiver is a separate little HTTP server, and the signature is checked with a verifier
written here from the Standard Webhooks scheme, not with the simulator's own signing code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from kling_video.testing import Simulator

pytestmark = pytest.mark.integration

PATH = "/kling/v1/videos/text2video"
TLS = ssl.create_default_context()  # shared: each new one costs 40 ms, and loopback is plain http
KEY = b"a callback signing key, 32 bytes"
SECRET = "whsec_" + base64.b64encode(KEY).decode()
BODY = {"model_name": "kling-v1", "mode": "std", "duration": "5", "multi_shot": False, "prompt": "a fox"}


@dataclass
class Receiver:
    url: str
    calls: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    gate: threading.Event = field(default_factory=threading.Event)
    status: int = 204

    def wait_for(self, count: int, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.calls) < count:
            assert time.monotonic() < deadline, f"got {len(self.calls)} callbacks, expected {count}"
            time.sleep(0.01)

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.calls]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            state["receiver"].gate.wait(10)
            state["receiver"].calls.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(state["receiver"].status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state["receiver"] = Receiver(f"http://127.0.0.1:{server.server_port}/hook")
    state["receiver"].gate.set()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield state["receiver"]
    state["receiver"].gate.set()
    server.shutdown()
    server.server_close()


def verify(headers: dict[str, str], body: bytes, key: bytes) -> bool:
    """Standard Webhooks verification, as a receiver would write it."""
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        hmac.compare_digest(signature.partition(",")[2], expected)
        for signature in headers["webhook-signature"].split()
        if signature.startswith("v1,")
    )


def client_for(sim: Simulator) -> httpx.Client:
    return httpx.Client(base_url=sim.base_url, headers={"Authorization": f"Bearer {sim.api_key}"}, verify=TLS)


def test_each_status_change_is_posted_as_the_bare_task(receiver):
    with Simulator(speed=0, callback_secret=SECRET) as sim, client_for(sim) as api:
        created = api.post(PATH, json={**BODY, "callback_url": receiver.url, "external_task_id": "cb-1"})
        task_id = created.json()["data"]["task_id"]
        receiver.wait_for(1)
        sim.advance(5)
        receiver.wait_for(2)
        sim.advance(60)
        receiver.wait_for(3)
        final = api.get(f"{PATH}/{task_id}").json()["data"]

    bodies = receiver.bodies()
    assert [b["task_status"] for b in bodies] == ["submitted", "processing", "succeed"]
    assert all("code" not in b and "data" not in b for b in bodies)  # no envelope
    assert all(b["task_id"] == task_id for b in bodies)
    assert all(b["task_info"] == {"external_task_id": "cb-1"} for b in bodies)
    assert bodies[-1] == final
    assert bodies[1]["updated_at"] - bodies[0]["created_at"] == 5000
    assert all(headers["content-type"] == "application/json" for headers, _ in receiver.calls)


def test_callbacks_are_signed_by_standard_webhooks(receiver):
    with Simulator(speed=0, callback_secret=SECRET) as sim, client_for(sim) as api:
        api.post(PATH, json={**BODY, "callback_url": receiver.url})
        sim.advance(60)
        receiver.wait_for(3)

    ids = set()
    for headers, body in receiver.calls:
        assert verify(headers, body, KEY)
        assert not verify(headers, body + b" ", KEY)  # the signature covers the body as sent
        assert not verify(headers, body, b"another key")
        assert abs(int(headers["webhook-timestamp"]) - time.time()) < 300  # within the tolerance
        ids.add(headers["webhook-id"])
    assert len(ids) == 3  # one id per message


def test_jumping_the_clock_still_reports_every_step_in_order(receiver):
    with Simulator(speed=0) as sim, client_for(sim) as api:
        api.post(PATH, json={**BODY, "callback_url": receiver.url, "prompt": "simulate-failure"})
        sim.advance(3600)
        assert sim.flush_callbacks()
    assert [b["task_status"] for b in receiver.bodies()] == ["submitted", "processing", "failed"]
    assert receiver.bodies()[-1]["task_status_msg"]


def test_without_a_secret_there_are_no_signature_headers(receiver):
    with Simulator(speed=0) as sim, client_for(sim) as api:
        api.post(PATH, json={**BODY, "callback_url": receiver.url})
        assert sim.flush_callbacks()
    ((headers, _),) = receiver.calls
    assert not {"webhook-id", "webhook-timestamp", "webhook-signature"} & set(headers)


def test_a_running_clock_calls_back_without_anyone_polling(receiver):
    with Simulator(speed=600) as sim, client_for(sim) as api:  # 60 s task: 0.1 s
        api.post(PATH, json={**BODY, "callback_url": receiver.url})
        receiver.wait_for(3)
    assert receiver.bodies()[-1]["task_status"] == "succeed"


def test_no_callback_url_no_callbacks(receiver):
    with Simulator(speed=0) as sim, client_for(sim) as api:
        api.post(PATH, json=BODY)
        api.post(PATH, json={**BODY, "callback_url": ""})
        sim.advance(60)
        assert sim.flush_callbacks()
    assert receiver.calls == []


def test_a_stuck_receiver_never_holds_up_the_api(receiver):
    receiver.gate.clear()  # the receiver accepts and then sits on every callback
    with Simulator(speed=0) as sim, client_for(sim) as api:
        started = time.monotonic()
        task_id = api.post(PATH, json={**BODY, "callback_url": receiver.url}).json()["data"]["task_id"]
        sim.advance(60)
        assert api.get(f"{PATH}/{task_id}").json()["data"]["task_status"] == "succeed"
        assert time.monotonic() - started < 1.0
        assert not sim.flush_callbacks(timeout=0.1)  # still stuck on the first one
        receiver.gate.set()
        assert sim.flush_callbacks()
    assert [b["task_status"] for b in receiver.bodies()] == ["submitted", "processing", "succeed"]


def test_failed_deliveries_are_ignored(receiver, caplog):
    receiver.status = 500
    with Simulator(speed=0) as sim, client_for(sim) as api:
        dead = "http://127.0.0.1:9/nobody-listens"  # the discard port: connection refused
        first = api.post(PATH, json={**BODY, "callback_url": dead}).json()["data"]["task_id"]
        second = api.post(PATH, json={**BODY, "callback_url": receiver.url}).json()["data"]["task_id"]
        sim.advance(60)
        assert sim.flush_callbacks()
        statuses = {api.get(f"{PATH}/{t}").json()["data"]["task_status"] for t in (first, second)}
    assert statuses == {"succeed"}
    assert len(receiver.calls) == 3  # the 500s did not stop later deliveries
    assert any("callback" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("secret", ["not-a-secret", "whsec_***", "whsec_"])
def test_a_malformed_secret_is_refused_up_front(secret):
    with pytest.raises(ValueError, match="secret"):
        Simulator(callback_secret=secret)
