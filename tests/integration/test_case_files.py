"""Decision opens the case files of a batch of registrations with two statements, against real
PostgreSQL: one file per case however often its registration arrives, with the applicant's facts
the assessment needs and the first status the applicant can look up."""

from datetime import date, timedelta

import pytest

from ind_runtime.unit_of_work import UnitOfWork
from services.decision import handlers
from services.decision.app import MIGRATIONS
from tests.conftest import registrations, service_pool

PUBLISHER = "decision-under-test"
TODAY = date(2026, 12, 2)
POLICY = handlers.DecisionPolicy(
    roster={}, tool_keys={}, today=lambda: TODAY, now=lambda: None, document_lead_time=timedelta(0), deadline_warning_days=14
)


@pytest.fixture
async def decision_pool():
    async with service_pool("case_files", "decision", MIGRATIONS) as pool:
        yield pool


async def _open(pool, events) -> None:
    async with UnitOfWork(pool, PUBLISHER) as uow:
        await handlers.cases_registered(events, uow, POLICY)


async def test_a_batch_of_registrations_opens_a_case_file_each_with_its_first_status(decision_pool):
    events = registrations(3, seed=1)
    await _open(decision_pool, events)

    rows = await decision_pool.fetch("select case_id, status, date_of_birth, nationality from decision.cases")
    assert {(r["case_id"], r["status"], r["date_of_birth"], r["nationality"]) for r in rows} == {
        (e.data.case_id, "awaiting_biometrics", e.data.applicant.date_of_birth, e.data.applicant.nationality) for e in events
    }
    history = await decision_pool.fetch("select case_id, set_by from decision.status_history order by id")
    assert [(h["case_id"], h["set_by"]) for h in history] == [(e.data.case_id, "intake") for e in events]


async def test_a_registration_seen_before_or_twice_in_one_batch_opens_one_file(decision_pool):
    a, b = registrations(2, seed=2)
    await _open(decision_pool, [a, a])
    await _open(decision_pool, [b, a])

    assert await decision_pool.fetchval("select count(*) from decision.cases") == 2
    assert await decision_pool.fetchval("select count(*) from decision.status_history") == 2
