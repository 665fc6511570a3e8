"""The simulator's answers conform to the effective spec, as schemathesis judges them.

Schemathesis sends generated requests (valid and invalid, with and without the key) to the
running simulator and checks every answer: a declared status, the declared content type, a
body that matches the declared schema, no server errors, invalid data refused, auth enforced.
One check is off, deliberately: "positive data acceptance" expects every schema-valid body to
be accepted, but the vendor schema types model_name, mode and duration only as strings, while
the gateway (and so the simulator) refuses a model or mode it does not know.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from kling_video.testing import Simulator
from kling_video.testing.simulator import DEFAULT_API_KEY
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tools.generate import effective_spec

pytestmark = pytest.mark.contract

# A task that exists, so queries are answered with a whole task (result and all) rather than a
# 404 for a made-up id: queries by external_task_id reach it.
KNOWN_TASK = "contract-known-task"

# The key goes in through the spec's own security scheme, not as a fixed header: schemathesis
# then knows when a request lacks it on purpose, and checks that the simulator refuses it.
CONFIG = SchemathesisConfig.from_dict(
    {
        "auth": {"openapi": {"bearer": {"bearer": DEFAULT_API_KEY}}},
        "parameters": {"task_id": KNOWN_TASK},
    }
)
schema = schemathesis.openapi.from_dict(effective_spec(), config=CONFIG)


@pytest.fixture(scope="module")
def simulator() -> Iterator[Simulator]:
    # Generated creates must not run into the concurrency limit: it would hide the body checks.
    with Simulator(speed=0, concurrency_limit=100_000, seed=3) as sim:
        created = httpx.post(
            f"{sim.base_url}/kling/v1/videos/text2video",
            headers={"Authorization": f"Bearer {sim.api_key}"},
            json={
                "model_name": "kling-v1",
                "mode": "std",
                "duration": "5",
                "multi_shot": False,
                "prompt": "a lighthouse at dusk",
                "external_task_id": KNOWN_TASK,
                "watermark_info": {"enabled": True},
            },
        )
        assert created.status_code == 200, created.text
        sim.advance(3600)
        assert sim.tasks[0]["task_status"] == "succeed"
        yield sim


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_simulator_conforms_to_the_effective_spec(case, simulator):
    case.call_and_validate(
        base_url=simulator.base_url,
        excluded_checks=[positive_data_acceptance],
    )
