"""A booking no desk has room for waits for a seat, against real PostgreSQL: the applicant is told
(``nl.ind.appointment.awaiting_slot.v1``, once), the booking is kept in biometrics' own tables, and
a pass over the waiting list books it as soon as a seat frees up (a new day entering the booking
window, more capacity), announcing it as any other booking."""

import asyncio
from datetime import date

import pytest

from ind_runtime.wiring import Every, run_every
from schemas.codes import ApplicationType, LocationCode
from services.biometrics.app import MIGRATIONS, SERVICE
from services.biometrics.booking import WAITING_PAGE, WaitingListPass, book_or_wait, book_waiting
from services.biometrics.booking_turn import Booking
from services.biometrics.capacity import Capacity
from services.biometrics.capacity_changes import apply_configured_capacity
from services.biometrics.cases import DeskCase
from services.biometrics.slots import BOOKING_WINDOW_DAYS, booking_window
from tests.conftest import eventually, registrations, service_pool
from tests.integration.desk_stage import AM, BIO, MONDAY, policy, published, published_documents, take_on, unit_of_work

TUESDAY = date(2027, 3, 2)
ONE_SEAT_A_DAY = {code: {BIO: Capacity(slot_minutes=480, desks=1)} for code in LocationCode}
SEATS_IN_THE_WINDOW = 4 * BOOKING_WINDOW_DAYS  # a family case may go to the four IND desks only
AWAITING, BOOKED = "nl.ind.appointment.awaiting_slot.v1", "nl.ind.appointment.booked.v1"


@pytest.fixture
async def desk_pool():
    async with service_pool("waiting_list", SERVICE, MIGRATIONS) as pool:
        yield pool


async def _fill_the_agenda_and_wait(pool, waiting: int) -> list:
    """Registrations for every seat of the booking window and ``waiting`` more; returns those that wait."""
    events = registrations(SEATS_IN_THE_WINDOW + waiting, 41, ApplicationType.FAMILY, location=AM)
    await take_on(pool, events, ONE_SEAT_A_DAY)
    return events[SEATS_IN_THE_WINDOW:]


async def _pass(pool, today: date, overrides: dict = ONE_SEAT_A_DAY, after_id: int = 0, limit: int = 500) -> int | None:
    async with unit_of_work(pool, overrides) as uow:
        return await book_waiting(uow, policy(today), after_id, limit)


async def _waiting(pool) -> list:
    return [r["case_id"] for r in await pool.fetch("select case_id from biometrics.waiting_bookings order by waiting_id")]


async def test_the_applicant_is_told_the_booking_waits_for_a_slot_of_which_product_and_attempt(desk_pool):
    (late,) = await _fill_the_agenda_and_wait(desk_pool, 1)

    told = (await published_documents(desk_pool))[-1]
    assert told["type"] == AWAITING
    assert told["data"] == {
        "case_id": str(late.data.case_id),
        "case_number": late.data.case_number,
        "product": "BIO",
        "attempt": 1,
        "window_days": BOOKING_WINDOW_DAYS,
    }


async def test_a_waiting_booking_is_booked_by_a_pass_once_a_new_day_enters_the_booking_window(desk_pool):
    (late,) = await _fill_the_agenda_and_wait(desk_pool, 1)
    before = len(await published(desk_pool))

    assert await _pass(desk_pool, MONDAY) is None  # still full: it waits on, and nothing is said
    assert await _waiting(desk_pool) == [late.data.case_id]
    assert len(await published(desk_pool)) == before

    await _pass(desk_pool, TUESDAY)  # the window now ends a working day later
    assert await _waiting(desk_pool) == []
    booked = (await published_documents(desk_pool))[before:]
    assert [(b["type"], b["data"]["case_id"], b["data"]["attempt"]) for b in booked] == [(BOOKED, str(late.data.case_id), 1)]
    assert booked[0]["data"]["date"] == booking_window(TUESDAY, BOOKING_WINDOW_DAYS)[-1].isoformat()
    assert await desk_pool.fetchval("select count(*) from biometrics.appointments where case_id = $1", late.data.case_id) == 1
    assert await desk_pool.fetchval("select count(*) from biometrics.slots where booked > capacity") == 0


async def test_a_waiting_booking_gets_a_seat_that_more_capacity_frees(desk_pool):
    (late,) = await _fill_the_agenda_and_wait(desk_pool, 1)
    two_seats_a_day = {code: {BIO: Capacity(slot_minutes=480, desks=2)} for code in LocationCode}
    async with desk_pool.acquire() as connection, connection.transaction():
        await apply_configured_capacity(connection, two_seats_a_day, MONDAY)

    await _pass(desk_pool, MONDAY, two_seats_a_day)
    assert await _waiting(desk_pool) == []
    day = await desk_pool.fetchval(
        "select s.day from biometrics.appointments a join biometrics.slots s using (slot_key) where a.case_id = $1",
        late.data.case_id,
    )
    assert day == booking_window(MONDAY, 1)[0]  # the earliest seat, now that every day has two


async def test_a_pass_books_the_longest_waiting_first_a_page_at_a_time(desk_pool):
    late = await _fill_the_agenda_and_wait(desk_pool, 6)  # the new day has four seats: two wait on

    last = await _pass(desk_pool, TUESDAY, limit=4)
    assert last is not None  # a full page: there may be more
    assert await _pass(desk_pool, TUESDAY, after_id=last, limit=4) is None
    assert await _waiting(desk_pool) == [e.data.case_id for e in late[4:]]


async def test_the_timers_pass_books_what_waits_while_the_worker_runs(desk_pool):
    (late,) = await _fill_the_agenda_and_wait(desk_pool, 1)
    timer = Every(0.05, WaitingListPass(policy(TUESDAY)), batch=WAITING_PAGE)
    running = asyncio.create_task(run_every(timer, lambda: unit_of_work(desk_pool, ONE_SEAT_A_DAY)))
    try:
        await eventually(
            lambda: desk_pool.fetchval("select count(*) = 0 from biometrics.waiting_bookings"), timeout=10, message="the booking"
        )
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    assert (await published(desk_pool))[-1] == (str(late.data.case_id), BOOKED)


async def test_a_case_waits_once_for_a_product_however_often_no_seat_is_found_for_it(desk_pool):
    (registration,) = registrations(1, 42, ApplicationType.FAMILY, location=AM)
    await take_on(desk_pool, [registration])
    case = DeskCase(registration.data.case_id, registration.data.case_number, ApplicationType.FAMILY, AM, None)
    nowhere = Booking(case, AM, [], MONDAY, 1)  # no candidate desk: never a seat
    before = len(await published(desk_pool))

    for _ in range(2):
        async with unit_of_work(desk_pool) as uow:
            assert await book_or_wait(uow, BIO, [nowhere]) == []
            await uow.commit()

    assert (await published(desk_pool))[before:] == [(str(case.case_id), AWAITING)]
    assert await _waiting(desk_pool) == [case.case_id]
