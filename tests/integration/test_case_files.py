"""Decision opens the case files of a batch of registrations with two statements, against real
PostgreSQL: one file per case however often its registration arrives, with the applicant's facts
the assessment needs and the first status the applicant can look up; and it follows a batch of the
desk stage's reports on those cases, and of documents collected at the desk, with one read and
one write."""

from datetime import date, timedelta

import pytest

from ind_runtime.records import ConsumedRecord, Unprocessable
from ind_runtime.wiring import handlers_for
from schemas.appointments import AppointmentAwaitingSlot, AppointmentBooked, BiometricsCompleted, CaseFlagged
from schemas.codes import LocationCode
from schemas.desk import DocumentCollected
from schemas.topics import CASE_APPOINTMENTS
from services.decision import flow
from services.decision.app import MIGRATIONS, wiring
from services.decision.policy import DecisionPolicy
from services.decision.settings import DecisionSettings
from services.decision.unit_of_work import DecisionUnitOfWork
from tests.conftest import registrations, service_pool
from tests.decision_events import about

PUBLISHER = "decision-under-test"
AM = LocationCode.AMSTERDAM
TODAY = date(2026, 12, 2)
POLICY = DecisionPolicy(
    roster={}, tool_keys={}, today=lambda: TODAY, now=lambda: None, document_lead_time=timedelta(0), deadline_warning_days=14
)


@pytest.fixture
async def decision_pool():
    async with service_pool("case_files", "decision", MIGRATIONS) as pool:
        yield pool


async def _open(pool, events) -> None:
    async with DecisionUnitOfWork(pool, PUBLISHER) as uow:
        await flow.cases_registered(events, uow, POLICY)


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


async def _reported(pool, events) -> list:
    async with DecisionUnitOfWork(pool, PUBLISHER) as uow:
        return await flow.desk_stage_reports(events, uow, POLICY)


async def test_a_batch_of_desk_reports_moves_each_case_on_once_and_leaves_those_of_cases_not_filed_yet(decision_pool):
    a, b, not_yet = registrations(3, seed=3)
    await _open(decision_pool, [a, b])
    booked, completed = about(AppointmentBooked, a), about(BiometricsCompleted, a, captured=True, location=AM)
    flagged = about(CaseFlagged, b, reason="no-show at 2 BIO appointments", no_shows=2)
    early, later = about(BiometricsCompleted, not_yet, captured=False, location=None), about(AppointmentBooked, not_yet)

    left = await _reported(decision_pool, [booked, early, completed, flagged, completed, later])

    assert left == [early, later]
    cases = {r["case_id"]: r for r in await decision_pool.fetch("select * from decision.cases")}
    assert {case_id: r["status"] for case_id, r in cases.items()} == {
        a.data.case_id: "awaiting_decision",
        b.data.case_id: "awaiting_decision",
    }
    assert cases[a.data.case_id]["pickup_location"] == AM.value  # where the biometrics were taken
    assert "desk_stage_incomplete" in cases[b.data.case_id]["findings"]
    assert cases[b.data.case_id]["recommendation"] is not None
    history = await decision_pool.fetch(
        "select case_id, set_by from decision.status_history where set_by <> 'intake' order by id"
    )
    assert [(h["case_id"], h["set_by"]) for h in history] == [
        (a.data.case_id, "biometrics"),
        (a.data.case_id, "decision"),
        (b.data.case_id, "decision"),
    ]
    assessed = await decision_pool.fetch(
        "select key from runtime.outbox where publisher = $1 and convert_from(value, 'utf8') like '%case.assessed%' order by id",
        PUBLISHER,
    )
    assert [r["key"].decode() for r in assessed] == [str(a.data.case_id), str(b.data.case_id)]

    await _open(decision_pool, [not_yet])
    assert await _reported(decision_pool, [early, later]) == []
    assert (
        await decision_pool.fetchval("select status from decision.cases where case_id = $1", not_yet.data.case_id)
        == "awaiting_decision"
    )


async def test_a_booking_waiting_for_a_desk_slot_neither_assesses_the_case_nor_finds_against_it(decision_pool):
    (registration,) = registrations(1, seed=7)
    await _open(decision_pool, [registration])
    (appointments,) = [source for source in wiring(DecisionSettings(), None).consumes if source.topic == CASE_APPOINTMENTS.name]
    _record_handler, router = handlers_for(appointments, lambda: DecisionUnitOfWork(decision_pool, PUBLISHER))
    waiting = about(AppointmentAwaitingSlot, registration)
    record = ConsumedRecord(CASE_APPOINTMENTS.name, 0, 0, str(registration.data.case_id).encode(), waiting.to_json())

    assert await router([record]) == []

    case = await decision_pool.fetchrow("select status, findings, recommendation from decision.cases")
    assert (case["status"], case["findings"], case["recommendation"]) == ("awaiting_biometrics", "[]", None)
    assert await decision_pool.fetchval("select count(*) from runtime.outbox where publisher = $1", PUBLISHER) == 0


async def _collected(pool, events) -> None:
    async with DecisionUnitOfWork(pool, PUBLISHER) as uow:
        await flow.documents_collected(events, uow, POLICY)


async def test_a_batch_of_collected_documents_closes_each_case_awaiting_pickup_once(decision_pool):
    waiting, too_early = registrations(2, seed=5)
    await _open(decision_pool, [waiting, too_early])
    await decision_pool.execute(
        "update decision.cases set status = 'awaiting_pickup', outcome = 'granted' where case_id = $1", waiting.data.case_id
    )
    collected, early = about(DocumentCollected, waiting), about(DocumentCollected, too_early)

    await _collected(decision_pool, [collected, early, collected])
    await _collected(decision_pool, [collected])  # redelivered

    statuses = {r["case_id"]: r["status"] for r in await decision_pool.fetch("select case_id, status from decision.cases")}
    assert statuses == {waiting.data.case_id: "closed", too_early.data.case_id: "awaiting_biometrics"}
    notes = await decision_pool.fetch(
        "select case_id, set_by from decision.status_history where explanation like 'Residence document%'"
    )
    assert [(n["case_id"], n["set_by"]) for n in notes] == [(waiting.data.case_id, collected.data.desk_officer)]
    closed = await decision_pool.fetch(
        "select key from runtime.outbox where publisher = $1 and convert_from(value, 'utf8') like '%case.closed%'", PUBLISHER
    )
    assert [r["key"] for r in closed] == [str(waiting.data.case_id).encode()]


async def test_a_collected_document_naming_a_case_by_another_number_fails_its_batch_as_unprocessable(decision_pool):
    (registered,) = registrations(1, seed=6)
    await _open(decision_pool, [registered])
    misnamed = about(DocumentCollected, registered, case_number="IND-2026-0000000")

    with pytest.raises(Unprocessable, match="no case IND-2026-0000000"):
        await _collected(decision_pool, [misnamed])
    assert await decision_pool.fetchval("select count(*) from runtime.inbox where event_id = $1", misnamed.id) == 0
