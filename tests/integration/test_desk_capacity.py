"""The desk agenda against real PostgreSQL: capacity holds under concurrent bookings, the database refuses
overbooking, and a booking lands at the preferred desk first, else at the earliest free candidate.

Slots persist for the whole session (the database is shared by every integration test), so each test
books in a booking window of its own, years in the future, and sets its own capacity overrides there.
"""

import asyncio
from collections import Counter
from datetime import date, time
from uuid import uuid4

import asyncpg
import pytest

from ind_runtime.db import migrate
from schemas.codes import ApplicationType, AppointmentProduct, LocationCode
from services.biometrics import booking_turn
from services.biometrics.agenda import DeskAgenda
from services.biometrics.app import MIGRATIONS, SERVICE
from services.biometrics.appointments import Appointment
from services.biometrics.booking_turn import FullyBooked
from services.biometrics.capacity import Capacity
from services.biometrics.cases import DeskCase, DeskCases
from services.biometrics.eligibility import candidate_locations
from services.biometrics.locations import LOCATIONS, LocationKind
from services.biometrics.slots import BOOKING_WINDOW_DAYS, booking_window, slots_on

BIO = AppointmentProduct.BIOMETRICS
AM = LocationCode.AMSTERDAM
DB = LocationCode.DEN_BOSCH
DH = LocationCode.THE_HAGUE_RIJNSTRAAT
ZW = LocationCode.ZWOLLE
IND_DESKS = [code for code, location in LOCATIONS.items() if location.kind == LocationKind.IND_DESK]

# One slot a day (an IND desk opens 09:00-17:00, 480 minutes) with this many seats.
ONE_SLOT_OF_TWO = Capacity(slot_minutes=480, desks=2)
ONE_SLOT_OF_ONE = Capacity(slot_minutes=480, desks=1)


@pytest.fixture(scope="module")
async def desk_pool(pool):
    await migrate(pool, SERVICE, MIGRATIONS)
    return pool


def new_case(application_type: ApplicationType = ApplicationType.FAMILY, preferred: LocationCode = AM) -> DeskCase:
    unique = uuid4()
    return DeskCase(unique, f"IND-T-{unique.hex[:16]}", application_type, preferred, None)


async def register(pool: asyncpg.Pool, cases: list[DeskCase]) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await DeskCases(conn).add(cases)


async def book(
    pool: asyncpg.Pool,
    overrides: dict,
    case: DeskCase,
    candidates: list[LocationCode],
    after: date,
    preferred: LocationCode | None = None,
    persons: int = 1,
    product: AppointmentProduct = BIO,
) -> Appointment:
    async with pool.acquire() as conn, conn.transaction():
        return await booking_turn.book(
            DeskAgenda(conn, overrides), case, product, preferred or candidates[0], candidates, after, attempt=1, persons=persons
        )


async def book_many(pool, overrides, count: int, candidates: list[LocationCode], after: date) -> list[Appointment]:
    """``count`` bookings one after another, each in its own transaction."""
    cases = [new_case(preferred=candidates[0]) for _ in range(count)]
    await register(pool, cases)
    return [await book(pool, overrides, case, candidates, after) for case in cases]


async def booked_per_day(pool, location: LocationCode, days: list[date], product=BIO) -> dict[date, int]:
    rows = await pool.fetch(
        """select day, sum(booked)::int as booked from biometrics.slots
           where location = $1 and product = $2 and day = any($3::date[]) group by day""",
        location.value,
        product.value,
        days,
    )
    return {r["day"]: r["booked"] for r in rows}


# --- capacity under concurrency -------------------------------------------------------------------------

CONCURRENT_AFTER = date(2061, 1, 7)
CONCURRENT_BOOKINGS = 30


def test_one_480_minute_slot_of_two_seats_per_working_day_at_an_ind_desk():
    day = booking_window(CONCURRENT_AFTER, 1)[0]
    (slot,) = slots_on(AM, BIO, day, ONE_SLOT_OF_TWO)
    assert (slot.start, slot.end, slot.capacity) == (time(9, 0), time(17, 0), 2)
    assert slots_on(AM, BIO, date(2061, 1, 8), ONE_SLOT_OF_TWO) == []  # a Saturday


@pytest.fixture(scope="module")
async def concurrent_bookings(desk_pool, database_url):
    """30 cases booked at once, each in its own connection and transaction, for 2 seats a working day."""
    overrides = {AM: {BIO: ONE_SLOT_OF_TWO}}
    cases = [new_case(preferred=AM) for _ in range(CONCURRENT_BOOKINGS)]
    await register(desk_pool, cases)
    # A pool of its own, large enough that every booker holds a connection at the same time.
    async with asyncpg.create_pool(database_url, min_size=CONCURRENT_BOOKINGS, max_size=CONCURRENT_BOOKINGS) as wide:
        start = asyncio.Event()

        async def one(case: DeskCase) -> Appointment:
            async with wide.acquire() as conn:
                await start.wait()
                async with conn.transaction():
                    return await booking_turn.book(DeskAgenda(conn, overrides), case, BIO, AM, [AM], CONCURRENT_AFTER, attempt=1)

        tasks = [asyncio.create_task(one(case)) for case in cases]
        await asyncio.sleep(0.2)
        start.set()
        results = await asyncio.gather(*tasks, return_exceptions=True)
    return cases, results


async def test_concurrent_bookings_all_succeed_and_never_exceed_a_slots_capacity(desk_pool, concurrent_bookings):
    cases, results = concurrent_bookings
    failures = [r for r in results if isinstance(r, BaseException)]
    assert failures == []
    assert sorted(a.case_id for a in results) == sorted(c.case_id for c in cases)

    window = booking_window(CONCURRENT_AFTER, BOOKING_WINDOW_DAYS)
    slots = await desk_pool.fetch(
        "select * from biometrics.slots where location = $1 and product = $2 and day = any($3::date[])",
        AM.value,
        BIO.value,
        window,
    )
    assert len(slots) == BOOKING_WINDOW_DAYS  # one slot per working day, capacity 2
    assert {s["capacity"] for s in slots} == {2}
    assert [s for s in slots if s["booked"] > s["capacity"]] == []
    assert sum(s["booked"] for s in slots) == CONCURRENT_BOOKINGS


async def test_each_concurrently_booked_appointment_row_points_at_the_slot_it_was_given(desk_pool, concurrent_bookings):
    cases, results = concurrent_bookings
    rows = await desk_pool.fetch(
        """select a.appointment_id, a.case_id, a.persons, a.status, s.slot_key, s.location, s.day, s.start_time
           from biometrics.appointments a join biometrics.slots s using (slot_key)
           where a.case_id = any($1::uuid[])""",
        [c.case_id for c in cases],
    )
    assert len(rows) == CONCURRENT_BOOKINGS
    by_id = {r["appointment_id"]: r for r in rows}
    for appointment in results:
        row = by_id[appointment.appointment_id]
        assert row["case_id"] == appointment.case_id
        slot = (row["location"], row["day"], row["start_time"])
        assert slot == (appointment.location.value, appointment.day, appointment.start)
        assert appointment.appointment_id.startswith(row["slot_key"] + "-")
        assert (row["persons"], row["status"]) == (1, "booked")
    # Seats taken per slot are exactly the appointments pointing at it.
    per_slot = Counter(r["slot_key"] for r in rows)
    slots = await desk_pool.fetch(
        "select slot_key, booked from biometrics.slots where slot_key = any($1::text[])", list(per_slot)
    )
    booked = {r["slot_key"]: r["booked"] for r in slots}
    assert booked == dict(per_slot)


async def test_concurrent_bookings_fill_the_earliest_days_first_two_per_day(desk_pool, concurrent_bookings):
    _, results = concurrent_bookings
    window = booking_window(CONCURRENT_AFTER, BOOKING_WINDOW_DAYS)
    first_15 = window[: CONCURRENT_BOOKINGS // 2]
    per_day = Counter(a.day for a in results)
    # Seats taken per working day of the window, in order: "222222222222222000..." when earliest first.
    taken = "".join(str(per_day.get(day, 0)) for day in window)
    assert taken == "2" * len(first_15) + "0" * (BOOKING_WINDOW_DAYS - len(first_15))
    assert await booked_per_day(desk_pool, AM, first_15) == {day: 2 for day in first_15}


async def _book_while_another_transaction_holds_its_seat(pool, overrides, holder: DeskCase, waiter: DeskCase, location, after):
    """``holder`` books in a transaction left open while ``waiter`` books; then ``holder`` commits."""
    async with pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            held = await booking_turn.book(DeskAgenda(conn, overrides), holder, BIO, location, [location], after, attempt=1)
            waiting = asyncio.create_task(book(pool, overrides, waiter, [location], after))
            await asyncio.sleep(0.5)
        finally:
            await transaction.commit()
    return held, await asyncio.gather(waiting, return_exceptions=True)


async def test_a_booker_gets_the_earliest_seat_left_in_a_slot_another_open_transaction_is_booking(desk_pool):
    after = date(2069, 2, 2)
    overrides = {AM: {BIO: Capacity(slot_minutes=480, desks=4)}}
    window = booking_window(after, BOOKING_WINDOW_DAYS)
    await book_many(desk_pool, overrides, 1, [AM], after)  # opens the window; day 1: 1 of 4 seats taken
    holder, waiter = new_case(preferred=AM), new_case(preferred=AM)
    await register(desk_pool, [holder, waiter])
    held, (got,) = await _book_while_another_transaction_holds_its_seat(desk_pool, overrides, holder, waiter, AM, after)
    assert held.day == window[0]
    assert not isinstance(got, BaseException), got
    assert got.day == window[0], f"booked {got.day} while day 1 ({window[0]}) still had 2 of 4 seats free"
    assert await booked_per_day(desk_pool, AM, window[:2]) == {window[0]: 3, window[1]: 0}


async def test_a_booker_is_not_told_fully_booked_while_another_open_transaction_books_a_slot_with_seats_left(desk_pool):
    after = date(2068, 2, 2)
    overrides = {DH: {BIO: ONE_SLOT_OF_TWO}}
    window = booking_window(after, BOOKING_WINDOW_DAYS)
    await book_many(desk_pool, overrides, 2 * (BOOKING_WINDOW_DAYS - 1), [DH], after)  # all but the last day full
    holder, waiter = new_case(preferred=DH), new_case(preferred=DH)
    await register(desk_pool, [holder, waiter])
    held, (got,) = await _book_while_another_transaction_holds_its_seat(desk_pool, overrides, holder, waiter, DH, after)
    assert held.day == window[-1]
    assert not isinstance(got, FullyBooked), "told fully booked while the last day's slot had a seat left"
    assert got.day == window[-1]
    assert await booked_per_day(desk_pool, DH, window[-1:]) == {window[-1]: 2}


# --- the database is the last word ----------------------------------------------------------------------


async def test_the_database_refuses_to_book_a_slot_beyond_its_capacity(desk_pool):
    after = date(2062, 3, 2)
    (appointment,) = await book_many(desk_pool, {DB: {BIO: ONE_SLOT_OF_TWO}}, 1, [DB], after)
    slot_key = await desk_pool.fetchval(
        "select slot_key from biometrics.appointments where appointment_id = $1", appointment.appointment_id
    )
    async with desk_pool.acquire() as conn:
        with pytest.raises(asyncpg.CheckViolationError):
            await conn.execute("update biometrics.slots set booked = capacity + 1 where slot_key = $1", slot_key)
        with pytest.raises(asyncpg.CheckViolationError):
            await conn.execute("update biometrics.slots set booked = -1 where slot_key = $1", slot_key)
    assert await desk_pool.fetchval("select booked from biometrics.slots where slot_key = $1", slot_key) == 1


# --- where a booking lands ------------------------------------------------------------------------------


async def test_a_booking_lands_at_the_preferred_desk_when_it_has_room_even_if_elsewhere_is_earlier(desk_pool):
    after = date(2063, 2, 2)
    overrides = {loc: {BIO: ONE_SLOT_OF_ONE} for loc in IND_DESKS}
    window = booking_window(after, BOOKING_WINDOW_DAYS)
    await book_many(desk_pool, overrides, 5, [DB], after)  # Den Bosch is full on days 1-5
    case = new_case(preferred=DB)
    await register(desk_pool, [case])
    appointment = await book(desk_pool, overrides, case, candidate_locations(case.application_type, DB), after)
    assert (appointment.location, appointment.day) == (DB, window[5])


async def test_a_fully_booked_preferred_desk_sends_the_booking_to_the_candidate_with_the_earliest_free_slot(desk_pool):
    after = date(2064, 2, 2)
    overrides = {loc: {BIO: ONE_SLOT_OF_ONE} for loc in IND_DESKS}
    window = booking_window(after, BOOKING_WINDOW_DAYS)
    candidates = candidate_locations(ApplicationType.FAMILY, DB)
    assert candidates == [DB, AM, DH, ZW]  # a family case may go to IND desks only
    await book_many(desk_pool, overrides, BOOKING_WINDOW_DAYS, [DB], after)  # the whole window at Den Bosch
    assert await booked_per_day(desk_pool, DB, window) == {day: 1 for day in window}
    await book_many(desk_pool, overrides, 3, [AM], after)  # Amsterdam full on days 1-3
    await book_many(desk_pool, overrides, 2, [DH], after)  # The Hague full on days 1-2
    await book_many(desk_pool, overrides, 1, [ZW], after)  # Zwolle full on day 1

    first, second, third = (new_case(preferred=DB) for _ in range(3))
    await register(desk_pool, [first, second, third])
    landed = [await book(desk_pool, overrides, case, candidates, after) for case in (first, second, third)]
    # Zwolle is free on day 2, The Hague on day 3 (ahead of Zwolle, being earlier among the candidates),
    # then Zwolle again on day 3.
    assert [(a.location, a.day) for a in landed] == [(ZW, window[1]), (DH, window[2]), (ZW, window[2])]
    assert await booked_per_day(desk_pool, DB, window) == {day: 1 for day in window}


async def test_a_preferred_expat_centre_that_does_not_serve_asylum_is_skipped_for_an_ind_desk(desk_pool):
    after = date(2065, 2, 2)
    window = booking_window(after, BOOKING_WINDOW_DAYS)
    candidates = candidate_locations(ApplicationType.ASYLUM, LocationCode.XC_AMSTERDAM)
    assert LocationCode.XC_AMSTERDAM not in candidates
    assert set(candidates) == set(IND_DESKS)
    case = new_case(ApplicationType.ASYLUM, LocationCode.XC_AMSTERDAM)
    await register(desk_pool, [case])
    appointment = await book(desk_pool, {}, case, candidates, after, preferred=LocationCode.XC_AMSTERDAM)
    assert appointment.location in IND_DESKS
    assert (appointment.location, appointment.day) == (candidates[0], window[0])
    opened_at_expat_centre = await desk_pool.fetchval(
        "select count(*) from biometrics.slots where location = $1 and day = any($2::date[])",
        LocationCode.XC_AMSTERDAM.value,
        window,
    )
    assert opened_at_expat_centre == 0


async def test_fully_booked_is_raised_when_no_candidate_has_room_in_the_window_and_nothing_is_booked(desk_pool):
    after = date(2066, 2, 2)
    overrides = {loc: {BIO: ONE_SLOT_OF_ONE} for loc in (DH, ZW)}
    window = booking_window(after, BOOKING_WINDOW_DAYS)
    await book_many(desk_pool, overrides, BOOKING_WINDOW_DAYS, [DH], after)
    await book_many(desk_pool, overrides, BOOKING_WINDOW_DAYS, [ZW], after)
    case = new_case(preferred=DH)
    await register(desk_pool, [case])
    with pytest.raises(FullyBooked):
        await book(desk_pool, overrides, case, [DH, ZW], after)
    assert await desk_pool.fetchval("select count(*) from biometrics.appointments where case_id = $1", case.case_id) == 0
    for location in (DH, ZW):
        assert await booked_per_day(desk_pool, location, window) == {day: 1 for day in window}
    # The day after the window still has room: the window, not the calendar, is what is full.
    later = await book(desk_pool, overrides, case, [DH, ZW], window[0])
    assert later.day == booking_window(window[-1], 1)[0]


# --- persons --------------------------------------------------------------------------------------------


async def test_a_booking_for_three_persons_takes_three_seats_and_skips_a_slot_with_two_free(desk_pool):
    after = date(2067, 2, 2)
    overrides = {ZW: {BIO: Capacity(slot_minutes=480, desks=4)}}
    window = booking_window(after, BOOKING_WINDOW_DAYS)
    await book_many(desk_pool, overrides, 2, [ZW], after)  # day 1: 2 of 4 seats taken
    family = new_case(preferred=ZW)
    couple = new_case(preferred=ZW)
    await register(desk_pool, [family, couple])

    three = await book(desk_pool, overrides, family, [ZW], after, persons=3)
    assert (three.day, three.persons) == (window[1], 3)
    assert await booked_per_day(desk_pool, ZW, window[:2]) == {window[0]: 2, window[1]: 3}
    row = await desk_pool.fetchrow("select persons from biometrics.appointments where appointment_id = $1", three.appointment_id)
    assert row["persons"] == 3

    two = await book(desk_pool, overrides, couple, [ZW], after, persons=2)  # fits the 2 seats left on day 1
    assert two.day == window[0]
    assert await booked_per_day(desk_pool, ZW, window[:2]) == {window[0]: 4, window[1]: 3}
