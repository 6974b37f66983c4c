"""A desk correcting itself, against real PostgreSQL: a capture reported for an appointment the desk
marked a no-show means the applicant came after all. The appointment becomes attended, the
biometrics are completed (unless the case completed them before), and the appointment booked again
because of that no-show is cancelled, its seat freed (or, if it waits for a slot, it waits no more).
Nothing a desk reports is dropped without a log line saying why."""

from uuid import uuid4

import pytest

from schemas.codes import ApplicationType, LocationCode
from services.biometrics import handlers
from services.biometrics.agenda import DeskAgenda
from services.biometrics.app import MIGRATIONS, SERVICE
from services.biometrics.booking_turn import book
from services.biometrics.capacity import Capacity
from services.biometrics.cases import DeskCase, DeskCases
from services.biometrics.eligibility import candidate_locations
from services.biometrics.slots import BOOKING_WINDOW_DAYS, booking_window
from tests.conftest import registrations, service_pool
from tests.integration.desk_stage import (
    AM,
    BIO,
    MONDAY,
    appointment_of,
    capture,
    no_show,
    published,
    report,
    seats_booked,
    take_on,
)

COMPLETED = "nl.ind.biometrics.completed.v1"


@pytest.fixture
async def desk_pool():
    async with service_pool("corrections", SERVICE, MIGRATIONS) as pool:
        yield pool


@pytest.fixture
def logged(monkeypatch) -> list[tuple[str, dict]]:
    lines: list[tuple[str, dict]] = []
    monkeypatch.setattr(handlers.log, "info", lambda event, **fields: lines.append((event, fields)))
    return lines


async def _missed_once(pool, seed: int):
    """A case whose first biometrics appointment was reported a no-show, and booked again."""
    (registration,) = registrations(1, seed, ApplicationType.FAMILY, location=AM)
    await take_on(pool, [registration])
    await report(pool, [await no_show(pool, registration)])
    assert (await appointment_of(pool, registration, attempt=2))[1] == "booked"
    return registration


async def test_a_capture_after_its_no_show_completes_the_biometrics_and_cancels_the_booking_again(desk_pool, logged):
    registration = await _missed_once(desk_pool, 61)
    assert await seats_booked(desk_pool) == 2

    await report(desk_pool, [await capture(desk_pool, registration, attempt=1)])

    assert (await appointment_of(desk_pool, registration, attempt=1))[1] == "attended"
    assert (await appointment_of(desk_pool, registration, attempt=2))[1] == "cancelled"
    assert await seats_booked(desk_pool) == 1  # the seat of the booking again is free for someone else
    assert (await published(desk_pool))[-1] == (str(registration.data.case_id), COMPLETED)
    location = await desk_pool.fetchval(
        "select biometrics_location from biometrics.cases where case_id = $1", registration.data.case_id
    )
    assert location == AM.value
    assert [event for event, _fields in logged] == [
        "the desk corrects a no-show: the appointment was attended",
        "bookings made after a corrected no-show undone",
    ]


async def test_a_no_show_and_its_correction_in_one_batch_end_as_in_two(desk_pool):
    (registration,) = registrations(1, 62, ApplicationType.FAMILY, location=AM)
    await take_on(desk_pool, [registration])
    missed = await no_show(desk_pool, registration)
    came = await capture(desk_pool, registration)

    await report(desk_pool, [missed, came])

    assert (await appointment_of(desk_pool, registration, attempt=1))[1] == "attended"
    assert (await appointment_of(desk_pool, registration, attempt=2))[1] == "cancelled"
    assert [kind for _key, kind in await published(desk_pool)] == [
        "nl.ind.appointment.booked.v1",
        "nl.ind.appointment.booked.v1",
        COMPLETED,
    ]
    assert await seats_booked(desk_pool) == 1


async def test_a_correction_after_the_case_completed_its_biometrics_elsewhere_announces_nothing_again(desk_pool, logged):
    registration = await _missed_once(desk_pool, 63)
    await report(desk_pool, [await capture(desk_pool, registration, attempt=2)])
    before = await published(desk_pool)

    await report(desk_pool, [await capture(desk_pool, registration, attempt=1)])

    assert (await appointment_of(desk_pool, registration, attempt=1))[1] == "attended"
    assert (await appointment_of(desk_pool, registration, attempt=2))[1] == "attended"
    assert await published(desk_pool) == before
    assert "biometrics were completed before; the capture is recorded and nothing announced" in [event for event, _ in logged]


async def test_a_correction_takes_the_booking_again_that_waits_for_a_slot_off_the_waiting_list(desk_pool):
    one_seat_a_day = {code: {BIO: Capacity(slot_minutes=480, desks=1)} for code in LocationCode}
    events = registrations(4 * BOOKING_WINDOW_DAYS, 64, ApplicationType.FAMILY, location=AM)  # every seat of the window
    await take_on(desk_pool, events, one_seat_a_day)
    registration = events[0]  # booked on the window's first day, so it books again in the window after that day
    window = booking_window(MONDAY, BOOKING_WINDOW_DAYS)
    desks = candidate_locations(ApplicationType.FAMILY, AM)
    day_after = [DeskCase(uuid4(), f"IND-T-{desk.value}", ApplicationType.FAMILY, desk, None) for desk in desks]
    async with desk_pool.acquire() as connection, connection.transaction():
        await DeskCases(connection).add(day_after)
        agenda = DeskAgenda(connection, one_seat_a_day)
        for case in day_after:  # the four seats of the one day that window adds
            await book(agenda, case, BIO, case.preferred_location, [case.preferred_location], window[-1], attempt=1)
    await report(desk_pool, [await no_show(desk_pool, registration)], one_seat_a_day)
    assert (
        await desk_pool.fetchval("select attempt from biometrics.waiting_bookings where case_id = $1", registration.data.case_id)
        == 2
    )

    await report(desk_pool, [await capture(desk_pool, registration)], one_seat_a_day)

    assert await desk_pool.fetchval("select count(*) from biometrics.waiting_bookings") == 0
    assert (await published(desk_pool))[-1] == (str(registration.data.case_id), COMPLETED)


@pytest.mark.parametrize(
    "first, then, why",
    [
        ("capture", "capture", "the appointment was reported attended before"),
        ("capture", "no_show", "the appointment was reported attended before"),
        ("no_show", "no_show", "the no-show was reported before"),
    ],
)
async def test_a_report_that_changes_nothing_says_why_in_the_log(desk_pool, logged, first, then, why):
    (registration,) = registrations(1, 65, ApplicationType.FAMILY, location=AM)
    await take_on(desk_pool, [registration])
    reports = {"capture": capture, "no_show": no_show}
    await report(desk_pool, [await reports[first](desk_pool, registration)])
    before = await published(desk_pool)
    logged.clear()

    await report(desk_pool, [await reports[then](desk_pool, registration)])

    assert await published(desk_pool) == before
    ((event, fields),) = logged
    assert (event, fields["why"]) == ("desk report changes nothing", why)
