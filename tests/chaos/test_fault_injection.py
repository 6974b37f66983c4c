"""The fault-injection scenarios of ``make chaos``, short: fewer applications, outages of seconds.

Each runs the four services as real processes on a Kafka broker and PostgreSQL cluster of its own
(harness.chaos.infrastructure), injects its fault, and the consistency checker must find nothing
lost and nothing duplicated, and the pipeline must catch up afterwards.
"""

import pytest

from harness.chaos.faults import SHORT
from harness.chaos.infrastructure import ChaosStack
from harness.chaos.runner import ALL_SCENARIOS, run_scenario

APPLICATIONS = {"kill-workers": 60}


@pytest.fixture(scope="module")
async def chaos_stack():
    stack = ChaosStack()
    await stack.up("postgres", "kafka")
    yield stack
    await stack.down("kafka", "postgres")


@pytest.mark.parametrize("scenario", ALL_SCENARIOS)
async def test_nothing_is_lost_or_duplicated_and_the_pipeline_recovers(scenario, chaos_stack):
    outcome = await run_scenario(scenario, chaos_stack, APPLICATIONS.get(scenario, 40), SHORT, timeout=300)
    figures = outcome.as_dict()
    assert outcome.report.lost == [], figures
    assert outcome.report.duplicated == [], figures
    assert outcome.recover_s is not None, f"did not catch up in time: {figures}"
    assert outcome.report.completed == outcome.applications
