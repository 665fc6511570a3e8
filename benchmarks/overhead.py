"""1. Overhead per call: ``create`` and ``get`` through the wrapper, the generated layer and raw httpx.

All three talk to the same in-process transport that answers with canned Kling-shaped bytes, so
no network and no server is measured: only what each client does on the caller's CPU. Calls run
in batches, the batches interleaved (wrapper, generated, raw, wrapper, ...); a sample is the
batch's time divided by its calls.
"""

from __future__ import annotations

import cProfile
import json
import pstats
import re
import time
from collections.abc import Callable
from typing import Any

import httpx
from kling_video import KlingVideo
from kling_video._responses import parse_task
from kling_video._wire import request_args
from kling_video.text2video import prepare_create
from kling_video_api.api.text2video import create_task, get_task
from kling_video_api.client import AuthenticatedClient
from kling_video_api.models import Text2VideoRequest

from benchmarks._common import Outcome, Row, Table, fmt, interleave, median

BASE_URL = "https://www.anyapi.vip"
API_KEY = "sk-bench"
PATH = "/kling/v1/videos/text2video"
TASK_ID = "860437371425488955"
PROMPT = "a red fox trotting through fresh snow at dawn, low angle, soft light"
AUTH = {"Authorization": f"Bearer {API_KEY}"}

# What the wrapper sends for a prompt-only create; raw httpx sends the same body.
RAW_BODY: dict[str, Any] = {
    "model_name": "kling-v2-5-turbo",
    "multi_shot": False,
    "mode": "std",
    "duration": "5",
    "prompt": PROMPT,
    "aspect_ratio": "16:9",
    "external_task_id": "kv-0f8fad5bd9cb469fa16570867728950e",
}


def _envelope(data: dict[str, Any]) -> bytes:
    payload = {"code": 0, "message": "SUCCEED", "request_id": "3f1c2b8e-1d4a-4a55-9f0e-6d1b2c3a4e5f", "data": data}
    return json.dumps(payload, separators=(",", ":")).encode()


CREATED = _envelope(
    {
        "task_id": TASK_ID,
        "task_status": "submitted",
        "task_info": {"external_task_id": RAW_BODY["external_task_id"]},
        "created_at": 1_722_769_557_708,
        "updated_at": 1_722_769_557_708,
    }
)
SUCCEEDED = _envelope(
    {
        "task_id": TASK_ID,
        "task_status": "succeed",
        "task_status_msg": "",
        "task_info": {"external_task_id": RAW_BODY["external_task_id"]},
        "task_result": {
            "videos": [
                {
                    "id": "d7a2c1f0-8b9e-4c3d-a2f1-0e9d8c7b6a54",
                    "url": "https://cdn.example.com/kling/860437371425488955/d7a2c1f0.mp4",
                    "duration": "5.1",
                }
            ]
        },
        "watermark_info": {"enabled": False},
        "final_unit_deduction": "1",
        "created_at": 1_722_769_557_708,
        "updated_at": 1_722_769_687_401,
    }
)
JSON_HEADERS = [(b"content-type", b"application/json")]
RAW = "raw httpx + json.loads"
TARGET = 1.3


class CannedTransport(httpx.BaseTransport):
    """Answers a POST with a created task and anything else with a succeeded one; counts requests."""

    def __init__(self) -> None:
        self.requests = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        request.read()
        content = CREATED if request.method == "POST" else SUCCEEDED
        return httpx.Response(200, headers=JSON_HEADERS, content=content, request=request)


def _batch(call: Callable[[], object], calls: int) -> Callable[[], float]:
    def run() -> float:
        start = time.perf_counter_ns()
        for _ in range(calls):
            call()
        return (time.perf_counter_ns() - start) / calls / 1000  # microseconds per call

    return run


class Clients:
    """The three clients, each with its own httpx client on the one shared transport."""

    def __init__(self) -> None:
        self.transport = CannedTransport()
        self.wrapper = KlingVideo(
            api_key=API_KEY, base_url=BASE_URL, http_client=httpx.Client(transport=self.transport)
        )
        self.generated = AuthenticatedClient(base_url=BASE_URL, token=API_KEY, httpx_args={"transport": self.transport})
        self.raw = httpx.Client(transport=self.transport)

    def close(self) -> None:
        self.wrapper.text2video._io.http.close()
        self.generated.get_httpx_client().close()
        self.raw.close()

    # create

    def wrapper_create(self) -> object:
        return self.wrapper.text2video.create(prompt=PROMPT)

    def generated_create(self) -> object:
        body = Text2VideoRequest(
            model_name="kling-v2-5-turbo",
            multi_shot=False,
            mode="std",
            duration="5",
            prompt=PROMPT,
            aspect_ratio="16:9",
            external_task_id=RAW_BODY["external_task_id"],
        )
        return create_task.sync(client=self.generated, body=body)

    def raw_create(self) -> object:
        return json.loads(self.raw.post(BASE_URL + PATH, json=RAW_BODY, headers=AUTH).content)

    # get

    def wrapper_get(self) -> object:
        return self.wrapper.text2video.get(TASK_ID)

    def generated_get(self) -> object:
        return get_task.sync(TASK_ID, client=self.generated)

    def raw_get(self) -> object:
        return json.loads(self.raw.get(f"{BASE_URL}{PATH}/{TASK_ID}", headers=AUTH).content)

    # the wrapper's own steps, for the breakdown

    def raw_post_only(self) -> object:
        return self.raw.post(BASE_URL + PATH, json=RAW_BODY, headers=AUTH)

    def raw_get_only(self) -> object:
        return self.raw.get(f"{BASE_URL}{PATH}/{TASK_ID}", headers=AUTH)

    def wrapper_request_args(self) -> dict[str, Any]:
        """The httpx arguments the wrapper sends for a create (headers, timeout, absolute URL)."""
        request, _ = prepare_create(PROMPT, {})
        return request_args(create_task._get_kwargs(body=request), self.wrapper.options)

    def validate_and_build(self) -> object:
        return prepare_create(PROMPT, {})

    @staticmethod
    def parse_created() -> object:
        return parse_task(200, CREATED)

    @staticmethod
    def parse_succeeded() -> object:
        return parse_task(200, SUCCEEDED)


AREAS = (
    ("kling_video_api", "kling_video_api (generated models)"),
    ("kling_video/validation", "kling_video.validation"),
    ("kling_video/", "kling_video (other)"),
    ("/httpx/", "httpx"),
    ("/attr/", "attrs"),
    ("/json/", "json"),
    ("uuid", "uuid"),
    ("dateutil", "dateutil"),
)


def _area(filename: str) -> str:
    for needle, label in AREAS:
        if needle in filename:
            return label
    if filename.startswith("~") or filename == "":
        return "builtins (C)"
    return "stdlib / other"


Profile = tuple[dict[str, float], list[tuple[str, float, float]], float]


def profile(call: Callable[[], object], calls: int) -> Profile:
    """cProfile ``calls`` calls.

    Returns own time per call by area (µs), the package's own functions by cumulative time per
    call (µs; those holding the HTTP exchange left out, so what remains is the client's own work),
    and the total per call under the profiler (which inflates everything about 2-3×).
    """
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        call()
    profiler.disable()
    stats = pstats.Stats(profiler)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = stats.total_tt / calls * 1e6  # type: ignore[attr-defined]
    areas: dict[str, float] = {}
    own: list[tuple[str, float, float]] = []
    for (filename, line, name), (_cc, ncalls, tottime, cumtime, _callers) in raw.items():
        label = _area(filename)
        areas[label] = areas.get(label, 0.0) + tottime / calls * 1e6
        cum = cumtime / calls * 1e6
        if ("kling_video" in filename or "kling_video_api" in filename) and cum < total / 2:
            where = re.split(r"/wrapper/|/generated/|site-packages/", filename)[-1]
            own.append((f"{where}:{line} {name}", cum, ncalls / calls))
    own.sort(key=lambda item: -item[1])
    return dict(sorted(areas.items(), key=lambda item: -item[1])), own[:14], total


def run(quick: bool) -> Outcome:
    calls = 100 if quick else 200
    rounds = 10 if quick else 40
    clients = Clients()
    outcome = Outcome("overhead", "1. Overhead per call (in-process transport: client CPU only)")
    wrapper_request = clients.wrapper_request_args()
    try:
        # Every alternative once first: the answers parse, the requests reach the transport.
        for call in (clients.wrapper_create, clients.generated_create, clients.raw_create, clients.wrapper_get):
            call()
        samples: dict[str, dict[str, list[float]]] = {}
        for op, alternatives in {
            "create": {
                "wrapper": clients.wrapper_create,
                "generated": clients.generated_create,
                RAW: clients.raw_create,
                "raw httpx POST only (no json.loads)": clients.raw_post_only,
                "raw httpx, the wrapper's exact request (4 headers, timeout)": lambda: clients.raw.request(
                    **wrapper_request
                ),
                "wrapper step: validate + build (prepare_create)": clients.validate_and_build,
                "wrapper step: parse_task (created answer)": clients.parse_created,
            },
            "get": {
                "wrapper": clients.wrapper_get,
                "generated": clients.generated_get,
                RAW: clients.raw_get,
                "raw httpx GET only (no json.loads)": clients.raw_get_only,
                "wrapper step: parse_task (succeeded answer)": clients.parse_succeeded,
            },
        }.items():
            samples[op] = interleave({name: _batch(call, calls) for name, call in alternatives.items()}, rounds)
        profiles = {
            "create": profile(clients.wrapper_create, 3000),
            "get": profile(clients.wrapper_get, 3000),
            "raw create": profile(clients.raw_create, 3000),
        }
    finally:
        clients.close()

    medians = {op: {name: median(values) for name, values in by.items()} for op, by in samples.items()}
    for op in ("create", "get"):
        m = medians[op]
        for subject in ("wrapper", "generated"):
            ratio = m[subject] / m[RAW]
            outcome.rows.append(
                Row(
                    benchmark="overhead",
                    measure=f"`{op}`: µs per call",
                    subject=subject,
                    value=m[subject],
                    reference="raw httpx + json.loads",
                    reference_value=m[RAW],
                    unit="µs",
                    target="≤ 1.3× raw" if subject == "wrapper" else "",
                    met=(ratio <= TARGET) if subject == "wrapper" else None,
                )
            )
        outcome.tables.append(
            Table(
                f"`{op}`: µs per call, median of {rounds} interleaved batches of {calls} calls",
                ["alternative", "median µs", "min µs", "× raw"],
                [[name, fmt(m[name]), fmt(min(samples[op][name])), fmt(m[name] / m[RAW])] for name in samples[op]],
            )
        )
    mc = medians["create"]
    outcome.notes.append(
        "The wrapper's `create` validates the request against the model table, builds the generated request "
        "model, adds an external_task_id (uuid4) for create-once, and parses the answer into a typed Task; "
        f"validate + build alone takes {fmt(mc['wrapper step: validate + build (prepare_create)'])} µs and "
        f"parse_task {fmt(mc['wrapper step: parse_task (created answer)'])} µs, beside "
        f"{fmt(mc['raw httpx POST only (no json.loads)'])} µs for httpx itself to send the request and read the "
        "answer. The generated layer is shown for scale (it builds and parses attrs models, no validation)."
    )
    for op, (areas, own, total) in profiles.items():
        who = "raw httpx" if op == "raw create" else "the wrapper"
        outcome.tables.append(
            Table(
                f"cProfile of {who} `{op.split()[-1]}`: own time per call by area "
                f"(µs under the profiler, which inflates ~2-3×; total {fmt(total)} µs)",
                ["area", "µs per call", "share"],
                [[label, fmt(us), f"{us / total:.0%}"] for label, us in areas.items() if us >= total / 200],
            )
        )
        if own:
            outcome.tables.append(
                Table(
                    f"cProfile of {who} `{op}`: the package's own steps, cumulative µs per call under the profiler",
                    ["function", "cum µs per call", "calls per call"],
                    [[f"`{name}`", fmt(us), fmt(n)] for name, us, n in own[:10]],
                )
            )
        outcome.data.setdefault("profile", {})[op] = {
            "total_us": total,
            "areas_us": areas,
            "own_steps": [{"function": f, "cum_us": us, "calls": n} for f, us, n in own],
        }
    outcome.data["samples_us"] = samples
    outcome.data["medians_us"] = medians
    outcome.data["calls_per_batch"] = calls
    outcome.data["rounds"] = rounds
    outcome.data["transport_requests"] = clients.transport.requests
    _findings(outcome, profiles, medians)
    return outcome


def _findings(outcome: Outcome, profiles: dict[str, Profile], medians: dict[str, dict[str, float]]) -> None:
    for row in outcome.rows:
        if row.met is not False:
            continue
        op = "create" if "create" in row.measure else "get"
        areas, own, total = profiles[op]
        m = medians[op]
        budget = (TARGET - 1) * m[RAW]
        gap = m["wrapper"] - m[RAW]
        steps = "; ".join(f"`{name}` {fmt(us)} µs" for name, us, _ in own[:6])
        share = {label: us / total for label, us in areas.items()}
        outcome.findings.append(
            f"`{op}` misses ≤ 1.3× raw: {row.ratio:.2f}× ({fmt(row.value)} vs {fmt(row.reference_value)} µs). "
            f"The target leaves the wrapper {fmt(budget)} µs of its own per call; it spends {fmt(gap)} µs more "
            f"than raw. Under cProfile httpx is {share.get('httpx', 0):.0%} of the wrapper's {op} and the "
            f"package's code {share.get('kling_video (other)', 0) + share.get('kling_video.validation', 0):.0%} "
            f"(+ generated models {share.get('kling_video_api (generated models)', 0):.0%}). Its heaviest own "
            f"steps (cumulative, profiled): {steps}."
        )
