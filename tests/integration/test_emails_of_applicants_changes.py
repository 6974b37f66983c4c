"""Notify queues one email per change an applicant makes to an appointment, against real PostgreSQL:
an appointment without a case is emailed at once to the address it was booked with and filed under its
booking's id and code; a change to a case's appointment waits, as every event about a case does, for
the case's registration, and goes to the address the case registered. Each event once."""

import pytest

from schemas.appointments import ApplicantAppointmentBooked, AppointmentCancelled, AppointmentRescheduled
from schemas.examples import EXAMPLES
from services.notify.app import MIGRATIONS
from services.notify.appointment_changes import ManageLinks
from services.notify.handlers import queue_emails
from services.notify.unit_of_work import NotifyUnitOfWork
from tests.conftest import registrations, service_pool

PUBLISHER = "notify-under-test"
LINKS = ManageLinks(b"manage-link-key-for-the-tests-0123456789", "https://oap.ind.example/oap/manage")


@pytest.fixture
async def notify_pool():
    async with service_pool("notify_changes", "notify", MIGRATIONS) as pool:
        yield pool


def _example(cls):
    return next(e for e in EXAMPLES if isinstance(e, cls)).model_copy(update={"id": f"{cls.EVENT_TYPE}-under-test"})


async def _queue(pool, events):
    async with NotifyUnitOfWork(pool, PUBLISHER) as uow:
        return await queue_emails(events, uow, LINKS)


async def test_a_caseless_bookings_changes_queue_one_email_each_filed_under_the_booking(notify_pool):
    events = [_example(ApplicantAppointmentBooked), _example(AppointmentCancelled)]

    first = await _queue(notify_pool, events)
    again = await _queue(notify_pool, events)

    assert (first.emails, first.left, again.emails) == (2, [], 0)
    rows = await notify_pool.fetch("select kind, recipient, case_id, case_number, body from notify.emails order by email_id")
    assert [(r["kind"], r["recipient"]) for r in rows] == [
        ("appointment_confirmed", "ana.silva@example.org"),
        ("appointment_cancelled", "ana.silva@example.org"),
    ]
    booking = events[0].data
    assert {(r["case_id"], r["case_number"]) for r in rows} == {(booking.booking_id, "K7MQ-2XDP")}
    assert "#token=" in rows[0]["body"]


async def test_a_change_to_a_cases_appointment_waits_for_the_registration_and_goes_to_its_address(notify_pool):
    (registration,) = registrations(1, seed=41)
    example = _example(AppointmentRescheduled)
    moved = example.model_copy(
        update={
            "data": example.data.model_copy(
                update={"case_id": registration.data.case_id, "case_number": registration.data.case_number}
            )
        }
    )

    early = await _queue(notify_pool, [moved])
    later = await _queue(notify_pool, [registration, moved])

    assert (early.emails, early.left) == (0, [moved])
    assert (later.emails, later.left) == (2, [])
    kind, recipient = await notify_pool.fetchrow("select kind, recipient from notify.emails order by email_id desc limit 1")
    assert (kind, recipient) == ("appointment_rescheduled", registration.data.applicant.email)
