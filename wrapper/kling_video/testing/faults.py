"""Scripted misbehaviour: what a flaky network, an overloaded gateway or a proxy does to a client.

A client's retry, idempotency and resume logic only runs when something goes wrong, so the
simulator can be told to go wrong on purpose, per request (``times``) or at random (``rate``,
drawn from the simulator's seeded generator so a failing run can be replayed).
"""

from __future__ import annotations

import random
import threading
from dataclasses import KW_ONLY, dataclass, field
from typing import Literal

FaultKind = Literal["drop_after_create", "drop", "error", "bare_status", "html", "slow", "cut_download"]
FaultTarget = Literal["create", "get", "list", "download", "any"]

KINDS: frozenset[str] = frozenset({"drop_after_create", "drop", "error", "bare_status", "html", "slow", "cut_download"})
TARGETS: frozenset[str] = frozenset({"create", "get", "list", "download", "any"})

# The answer each kind gives when the caller does not choose one: the most common real case.
_DEFAULT_STATUS = {"error": 500, "bare_status": 502, "html": 502}
# Kling's business code for an error status, when the caller gives only the status.
_DEFAULT_CODE = {500: 5000, 503: 5001, 504: 5002, 429: 1302, 401: 1001, 403: 1103, 400: 1201, 404: 1203}


@dataclass(frozen=True)
class Fault:
    """One scripted misbehaviour of the simulator.

    ``kind`` is one of:

    - ``"drop_after_create"``: the create is processed (the task exists and counts against the
      concurrency limit), then the connection is closed after the status line and headers,
      before the body. The client sees a dropped connection and cannot know whether the task
      was created: the case idempotent creation exists for. Applies to creates only.
    - ``"drop"``: the connection is closed without a single byte of response; the request is
      not processed.
    - ``"error"``: an error answer in Kling's envelope, ``status`` (default 500) with business
      ``code`` (default: the usual one for the status, e.g. 500/5000, 503/5001, 429/1302), and a
      ``Retry-After`` header when ``retry_after`` is given. Not processed.
    - ``"bare_status"``: ``status`` (default 502) with an empty body and no envelope, as a load
      balancer answers. Not processed.
    - ``"html"``: an nginx-style HTML error page with ``status`` (default 502) and content type
      text/html, as a proxy in front of the API answers. Not processed.
    - ``"slow"``: waits ``delay`` real seconds (default 1), then answers normally; for client
      timeouts.
    - ``"cut_download"``: a result download sends its headers with the full Content-Length,
      then about half the body, then closes the connection; for resumable downloads. Applies
      to downloads only.

    ``on`` chooses the requests it applies to: ``"create"``, ``"get"``, ``"list"``,
    ``"download"`` (result files) or ``"any"`` (default: any request the kind can apply to).
    ``times`` is how many requests it hits before it is spent (``None``: never spent);
    ``rate`` makes each matching request a hit only with that probability, so a flaky server
    is ``Fault("error", status=503, rate=0.2, times=None)``. ``delay`` (real seconds) is also
    honoured by every other kind, before it strikes: a drop after a long silence is a timeout.
    Faults are tried in the order they were injected; the first one that hits wins.
    """

    kind: FaultKind
    _: KW_ONLY
    on: FaultTarget = "any"
    times: int | None = 1
    rate: float | None = None
    status: int | None = None
    code: int | None = None
    retry_after: float | None = None
    delay: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {sorted(KINDS)}")
        if self.on not in TARGETS:
            raise ValueError(f"unknown fault target {self.on!r}; one of {sorted(TARGETS)}")
        if self.kind == "drop_after_create" and self.on not in ("create", "any"):
            raise ValueError("drop_after_create applies to creates only")
        if self.kind == "cut_download" and self.on not in ("download", "any"):
            raise ValueError("cut_download applies to downloads only")
        if self.times is not None and self.times < 1:
            raise ValueError("times must be >= 1, or None for a fault that is never spent")
        if self.rate is not None and not 0.0 <= self.rate <= 1.0:
            raise ValueError("rate is a probability, from 0 to 1")
        if self.status is not None and not 100 <= self.status <= 599:
            raise ValueError("status must be an HTTP status code")
        if self.delay is not None and self.delay < 0:
            raise ValueError("delay must be >= 0 seconds")
        if self.retry_after is not None and self.retry_after < 0:
            raise ValueError("retry_after must be >= 0 seconds")

    def applies_to(self, operation: str) -> bool:
        if self.kind == "drop_after_create":
            return operation == "create"
        if self.kind == "cut_download":
            return operation == "download"
        return self.on in ("any", operation)

    @property
    def effective_status(self) -> int:
        return self.status if self.status is not None else _DEFAULT_STATUS.get(self.kind, 500)

    @property
    def effective_code(self) -> int:
        if self.code is not None:
            return self.code
        return _DEFAULT_CODE.get(self.effective_status, 5000)

    @property
    def effective_delay(self) -> float:
        if self.delay is not None:
            return self.delay
        return 1.0 if self.kind == "slow" else 0.0


@dataclass
class _Armed:
    fault: Fault
    remaining: int | None


@dataclass
class FaultQueue:
    """The faults in play, in injection order, each with what is left of its ``times``.

    A Fault is a frozen value the caller may reuse; the count-down lives here instead.
    """

    rng: random.Random
    _armed: list[_Armed] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._armed.append(_Armed(fault, fault.times))

    def clear(self) -> None:
        with self._lock:
            self._armed.clear()

    def take(self, operation: str) -> Fault | None:
        """The fault that hits this request, spending one of its ``times``; None when none does."""
        with self._lock:
            for armed in self._armed:
                if armed.remaining == 0 or not armed.fault.applies_to(operation):
                    continue
                if armed.fault.rate is not None and self.rng.random() >= armed.fault.rate:
                    continue
                if armed.remaining is not None:
                    armed.remaining -= 1
                return armed.fault
            return None

    def pending(self) -> list[Fault]:
        """Faults that can still hit."""
        with self._lock:
            return [armed.fault for armed in self._armed if armed.remaining != 0]
