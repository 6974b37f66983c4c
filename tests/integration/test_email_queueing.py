"""Notify queues the emails of a batch of events with a few statements, against real PostgreSQL:
one email per event however often it arrives, events about a case it knows no applicant of yet
left in order for later, and no email for what the applicant booked themselves."""

from datetime import date, time
from uuid import uuid4

import pytest

from schemas.appointments import AppointmentAwaitingSlot, AppointmentBooked, AppointmentData, AwaitingSlotData
from schemas.codes import AppointmentProduct, LocationCode
from schemas.lifecycle import CaseDecided, CaseDecidedData, Outcome
from services.notify.app import MIGRATIONS
from services.notify.handlers import queue_emails
from services.notify.unit_of_work import NotifyUnitOfWork
from tests.conftest import registrations, service_pool

PUBLISHER = "notify-under-test"


@pytest.fixture
async def notify_pool():
    async with service_pool("notify", "notify", MIGRATIONS) as pool:
        yield pool


def _decided(registration) -> CaseDecided:
    data = CaseDecidedData(
        case_id=registration.data.case_id,
        case_number=registration.data.case_number,
        outcome=Outcome.GRANTED,
        decided_by=["cw-1"],
        reason="All requirements are met.",
        decided_on=date(2026, 12, 2),
        document_required=False,
    )
    return CaseDecided.create(data, source="urn:ind:decision", subject=registration.data.case_number)


def _booked(registration, product: AppointmentProduct) -> AppointmentBooked:
    data = AppointmentData(
        case_id=registration.data.case_id,
        case_number=registration.data.case_number,
        appointment_id=f"{product.value}-{uuid4().hex[:8]}",
        product=product,
        location=LocationCode.AMSTERDAM,
        location_name="IND desk Amsterdam",
        address="Stadsplateau 4, Amsterdam",
        date=date(2026, 12, 10),
        start_time=time(9, 30),
        end_time=time(9, 45),
        persons=1,
        attempt=1,
    )
    return AppointmentBooked.create(data, source="urn:ind:biometrics", subject=registration.data.case_number)


async def _queue(pool, events):
    async with NotifyUnitOfWork(pool, PUBLISHER) as uow:
        return await queue_emails(events, uow)


async def _emails(pool) -> list[tuple[str, str]]:
    rows = await pool.fetch("select kind, recipient from notify.emails order by email_id")
    return [(r["kind"], r["recipient"]) for r in rows]


async def test_a_batch_of_registrations_queues_a_receipt_each_and_keeps_each_applicant(notify_pool):
    events = registrations(4, seed=1)
    queued = await _queue(notify_pool, events)

    addresses = [r.data.applicant.email for r in events]
    assert queued.emails == 4 and queued.left == []
    assert await _emails(notify_pool) == [("application_received", a) for a in addresses]
    kept = await notify_pool.fetch("select case_id, email from notify.recipients")
    assert {(r["case_id"], r["email"]) for r in kept} == {(r.data.case_id, r.data.applicant.email) for r in events}


async def test_events_about_a_case_not_registered_yet_are_left_in_order_and_the_others_queued(notify_pool):
    known, unknown = registrations(2, seed=2)
    await _queue(notify_pool, [known])
    later = [_booked(unknown, AppointmentProduct.BIOMETRICS), _decided(known), _decided(unknown)]

    queued = await _queue(notify_pool, later)

    assert queued.emails == 1
    assert queued.left == [later[0], later[2]]
    assert await _emails(notify_pool) == [
        ("application_received", known.data.applicant.email),
        ("decision_granted", known.data.applicant.email),
    ]
    assert (
        await notify_pool.fetchval("select count(*) from runtime.inbox where event_id = any($1)", [later[0].id, later[2].id]) == 0
    )


async def test_an_event_seen_before_or_twice_in_one_batch_queues_one_email(notify_pool):
    (registration,) = registrations(1, seed=3)
    decided = _decided(registration)
    first = await _queue(notify_pool, [registration, registration, decided])
    again = await _queue(notify_pool, [decided, registration])

    assert (first.emails, again.emails) == (2, 0)
    assert [kind for kind, _to in await _emails(notify_pool)] == ["application_received", "decision_granted"]


async def test_an_appointment_the_applicant_made_queues_no_email_and_is_not_marked(notify_pool):
    (registration,) = registrations(1, seed=4)
    await _queue(notify_pool, [registration])
    submission_slot = _booked(registration, AppointmentProduct.SUBMISSION)

    queued = await _queue(notify_pool, [submission_slot])

    assert (queued.emails, queued.left) == (0, [])
    assert await notify_pool.fetchval("select count(*) from runtime.inbox where event_id = $1", submission_slot.id) == 0


async def test_a_booking_that_waits_for_a_slot_queues_an_email_about_the_wait(notify_pool):
    (registration,) = registrations(1, seed=5)
    await _queue(notify_pool, [registration])
    data = registration.data
    waiting = AppointmentAwaitingSlot.create(
        AwaitingSlotData(
            case_id=data.case_id, case_number=data.case_number, product=AppointmentProduct.BIOMETRICS, attempt=1, window_days=40
        ),
        source="urn:ind:biometrics",
        subject=data.case_number,
    )

    queued = await _queue(notify_pool, [waiting])

    assert (queued.emails, queued.left) == (1, [])
    assert (await _emails(notify_pool))[-1] == ("appointment_awaiting_slot", data.applicant.email)
