"""Biometrics takes on a batch of registered cases with a few statements, against real PostgreSQL:
one booking per case that needs one, a no-desk notice for the others, each registration once, and
the bookings of one batch filling a slot's seats in turn without overbooking it, and those it finds no
seat for waiting for one."""

from collections import Counter
from datetime import date, time

import pytest

from ind_runtime.records import Unprocessable
from schemas.codes import ApplicationType, AppointmentProduct, LocationCode
from schemas.desk import BiometricsCaptured, DeskVisit
from services.biometrics.agenda import FREE_SLOTS_AFTER, TAKE_SEATS
from services.biometrics.app import MIGRATIONS, SERVICE
from services.biometrics.capacity import Capacity
from services.biometrics.handlers import desk_reports, documents_produced
from tests.conftest import registrations, service_pool
from tests.integration.desk_stage import (
    AM,
    BIO,
    MONDAY,
    appointment_of,
    capture,
    no_show,
    policy,
    produced,
    published,
    report,
    take_on,
    unit_of_work,
    visit,
)


@pytest.fixture
async def desk_pool():
    async with service_pool("desk", SERVICE, MIGRATIONS) as pool:
        yield pool


async def test_a_batch_books_a_biometrics_appointment_for_each_case_that_needs_one(desk_pool):
    events = registrations(3, 1, ApplicationType.FAMILY, ApplicationType.MVV, ApplicationType.STUDY, location=AM)
    await take_on(desk_pool, events)

    assert sorted(await published(desk_pool)) == sorted(
        [  # one event per case: no order between cases
            (str(events[0].data.case_id), "nl.ind.appointment.booked.v1"),
            (str(events[1].data.case_id), "nl.ind.biometrics.completed.v1"),
            (str(events[2].data.case_id), "nl.ind.appointment.booked.v1"),
        ]
    )
    booked = await desk_pool.fetch("select case_id, product from biometrics.appointments")
    assert {(r["case_id"], r["product"]) for r in booked} == {(events[0].data.case_id, "BIO"), (events[2].data.case_id, "BIO")}
    assert await desk_pool.fetchval("select count(*) from biometrics.cases") == 3


async def test_a_registration_seen_before_or_twice_in_one_batch_is_taken_on_once(desk_pool):
    a, b = registrations(2, 2, ApplicationType.FAMILY, location=AM)
    await take_on(desk_pool, [a, a])
    await take_on(desk_pool, [b, a])

    assert await desk_pool.fetchval("select count(*) from biometrics.appointments") == 2
    assert [key for key, _type in await published(desk_pool)] == [str(a.data.case_id), str(b.data.case_id)]


async def test_the_bookings_of_one_batch_fill_a_slot_in_turn_and_never_overbook_it(desk_pool):
    one_slot_of_two = {AM: {BIO: Capacity(slot_minutes=480, desks=2)}}
    events = registrations(5, 3, ApplicationType.FAMILY, location=AM)
    await take_on(desk_pool, events, one_slot_of_two)

    rows = await desk_pool.fetch(
        """select s.location, s.day, count(*) as seats from biometrics.appointments a
           join biometrics.slots s using (slot_key) group by s.location, s.day order by s.day"""
    )
    assert [(r["location"], r["seats"]) for r in rows] == [("AM", 2), ("AM", 2), ("AM", 1)]
    assert [r["day"] for r in rows] == sorted({r["day"] for r in rows})


async def _booked_slots(pool) -> list[tuple]:
    rows = await pool.fetch(
        """select a.case_id, a.attempt, s.location, s.day, s.start_time from biometrics.appointments a
           join biometrics.slots s using (slot_key) order by a.case_id, a.attempt"""
    )
    return [tuple(r) for r in rows]


async def test_a_batch_books_every_case_where_booking_its_cases_one_by_one_would(desk_pool):
    # Few seats, so that preferred desks fill up within the batch, bookings spill over to other
    # candidates and the free slots read at a location run out and are read again.
    few_seats = {code: {BIO: Capacity(slot_minutes=120, desks=1)} for code in LocationCode}
    kinds = (ApplicationType.FAMILY, ApplicationType.HIGHLY_SKILLED_MIGRANT, ApplicationType.ASYLUM, ApplicationType.MVV)
    events = registrations(400, 4, *kinds)
    await take_on(desk_pool, events, few_seats)
    async with service_pool("desk_one_by_one", SERVICE, MIGRATIONS) as one_by_one:
        for event in events:
            await take_on(one_by_one, [event], few_seats)
        expected = await _booked_slots(one_by_one)

    booked = await _booked_slots(desk_pool)
    assert len(booked) == 300  # every case but the MVV ones
    assert booked == expected
    spilled = await desk_pool.fetchval(
        """select count(*) from biometrics.appointments a join biometrics.slots s using (slot_key)
           join biometrics.cases c using (case_id) where s.location <> c.preferred_location"""
    )
    assert spilled > 0


async def test_cases_a_batch_finds_no_seat_for_wait_for_one_and_the_others_are_booked_without_overbooking(desk_pool):
    one_seat_a_day = {code: {BIO: Capacity(slot_minutes=480, desks=1)} for code in LocationCode}
    events = registrations(170, 5, ApplicationType.FAMILY, location=AM)  # 4 IND desks x 40 days = 160 seats
    await take_on(desk_pool, events, one_seat_a_day)

    announced = await published(desk_pool)
    assert [kind for _key, kind in announced].count("nl.ind.appointment.booked.v1") == 160
    # the last ten in the batch wait for a slot, and nothing goes to a caseworker: a full agenda is not their fault
    assert announced[160:] == [(str(e.data.case_id), "nl.ind.appointment.awaiting_slot.v1") for e in events[160:]]
    waiting = await desk_pool.fetch("select case_id, product, attempt from biometrics.waiting_bookings order by waiting_id")
    assert [(r["case_id"], r["product"], r["attempt"]) for r in waiting] == [(e.data.case_id, "BIO", 1) for e in events[160:]]
    assert await desk_pool.fetchval("select count(*) from biometrics.slots where booked > capacity") == 0
    assert await desk_pool.fetchval("select sum(booked) from biometrics.slots") == 160


async def test_a_batch_of_produced_documents_books_a_pickup_for_each_and_leaves_those_of_cases_not_registered_yet(desk_pool):
    registered = registrations(2, 6, ApplicationType.FAMILY, location=AM)
    not_yet = registrations(1, 7, ApplicationType.FAMILY, location=AM)[0]
    await take_on(desk_pool, registered)
    first, second = (produced(event, LocationCode.ZWOLLE) for event in registered)
    early, again = produced(not_yet, AM), produced(not_yet, AM)

    async with unit_of_work(desk_pool) as uow:
        left = await documents_produced([first, early, second, first, again], uow, policy())

    assert left == [early, again]  # the case's later event waits behind the one that waits
    pickups = await desk_pool.fetch(
        """select a.case_id, s.location from biometrics.appointments a join biometrics.slots s using (slot_key)
           where a.product = 'DOC' order by a.booked_at"""
    )
    assert sorted((r["case_id"], r["location"]) for r in pickups) == sorted((e.data.case_id, "ZW") for e in registered)
    inbox = await desk_pool.fetchval("select count(*) from runtime.inbox where event_id = any($1::text[])", [early.id, again.id])
    assert inbox == 0  # left events are not marked as handled: they come again

    await take_on(desk_pool, [not_yet])
    async with unit_of_work(desk_pool) as uow:
        assert await documents_produced([early], uow, policy()) == []
    assert await desk_pool.fetchval("select count(*) from biometrics.appointments where product = 'DOC'") == 3


async def _by_case(pool) -> dict[str, list[str]]:
    """What was published about each case, in order: the order that holds on a topic."""
    by_case: dict[str, list[str]] = {}
    for key, kind in await published(pool):
        by_case.setdefault(key, []).append(kind)
    return by_case


async def test_a_batch_of_desk_reports_completes_captured_biometrics_and_books_again_after_a_no_show(desk_pool):
    a, b = registrations(2, 8, ApplicationType.FAMILY, location=AM)
    await take_on(desk_pool, [a, b])
    a_id, _ = await appointment_of(desk_pool, a)
    captured, missed = await capture(desk_pool, a), await no_show(desk_pool, b)

    await report(desk_pool, [captured, missed, captured])

    assert await appointment_of(desk_pool, a) == (a_id, "attended")
    assert await desk_pool.fetchval("select biometrics_location from biometrics.cases where case_id = $1", a.data.case_id) == "AM"
    assert (await appointment_of(desk_pool, b))[1] == "no_show"
    assert (await appointment_of(desk_pool, b, attempt=2))[1] == "booked"
    announced = (await published(desk_pool))[2:]  # after the two first bookings
    assert announced == [
        (str(a.data.case_id), "nl.ind.biometrics.completed.v1"),
        (str(b.data.case_id), "nl.ind.appointment.booked.v1"),
    ]

    # The second no-show reaches the limit (2): the case goes to a caseworker, not to a third booking.
    await report(desk_pool, [await no_show(desk_pool, b, attempt=2)])
    assert (await published(desk_pool))[-1] == (str(b.data.case_id), "nl.ind.case.flagged.v1")
    assert await desk_pool.fetchval("select count(*) from biometrics.appointments where case_id = $1", b.data.case_id) == 2


async def test_a_batch_of_no_shows_books_each_again_after_its_missed_day_where_one_report_at_a_time_would(desk_pool):
    # Two seats a day at every desk, so that the missed appointments lie on many different days
    # and the bookings again start after different days, fill desks up and spill over.
    two_seats_a_day = {code: {BIO: Capacity(slot_minutes=240, desks=1)} for code in LocationCode}
    kinds = (ApplicationType.FAMILY, ApplicationType.HIGHLY_SKILLED_MIGRANT, ApplicationType.ASYLUM)
    events = registrations(60, 10, *kinds)

    async def run(pool, batches) -> None:
        await take_on(pool, events, two_seats_a_day)
        # Latest first, so that no day order is given; every fifth case turns up, the others miss.
        first = [await (capture if n % 5 == 0 else no_show)(pool, e) for n, e in enumerate(reversed(events))]
        for batch in batches(first):
            await report(pool, batch, two_seats_a_day)
        # Of those that missed, every third misses again (the limit: flagged) and the others turn up.
        missed = [e for n, e in enumerate(reversed(events)) if n % 5]
        second = [await (no_show if n % 3 == 0 else capture)(pool, e, attempt=2) for n, e in enumerate(missed)]
        for batch in batches(second):
            await report(pool, batch, two_seats_a_day)

    await run(desk_pool, lambda reports: [reports])
    async with service_pool("desk_one_report_at_a_time", SERVICE, MIGRATIONS) as one_by_one:
        await run(one_by_one, lambda reports: [[one] for one in reports])
        expected_slots, expected_events = await _booked_slots(one_by_one), await _by_case(one_by_one)

    assert await _booked_slots(desk_pool) == expected_slots
    assert await _by_case(desk_pool) == expected_events
    kinds_published = Counter(kind for kinds in expected_events.values() for kind in kinds)
    assert kinds_published["nl.ind.case.flagged.v1"] == 16  # 48 missed, every third again
    assert kinds_published["nl.ind.appointment.booked.v1"] == 60 + 48
    missed_days = await desk_pool.fetchval(
        """select count(distinct s.day) from biometrics.appointments a join biometrics.slots s using (slot_key)
           where a.attempt = 1 and a.status = 'no_show'"""
    )
    assert missed_days > 5  # the bookings of one batch started after as many different days
    assert await desk_pool.fetchval("select count(*) from biometrics.slots where booked > capacity") == 0


async def test_a_batch_of_no_shows_takes_one_booking_turn_and_one_read_of_free_slots_not_one_a_no_show(desk_pool):
    events = registrations(30, 11, ApplicationType.FAMILY, location=AM)
    await take_on(desk_pool, events)
    reports = [await no_show(desk_pool, e) for e in events]
    statements: list[str] = []

    def record(logged) -> None:
        statements.append(logged.query)

    async with unit_of_work(desk_pool) as uow:
        uow.connection.add_query_logger(record)
        try:
            await desk_reports(reports, uow, policy())
        finally:
            uow.connection.remove_query_logger(record)

    assert await desk_pool.fetchval("select count(*) from biometrics.appointments where attempt = 2") == 30
    assert statements.count(FREE_SLOTS_AFTER) == 1
    assert sum("pg_advisory_xact_lock" in statement for statement in statements) == 1
    assert sum("status = 'no_show'" in statement for statement in statements) == 2  # mark them, count them


async def test_a_desk_report_about_an_appointment_the_case_does_not_have_is_unprocessable(desk_pool):
    a, b = registrations(2, 9, ApplicationType.FAMILY, location=AM)
    await take_on(desk_pool, [a, b])
    b_id, _ = await appointment_of(desk_pool, b)
    wrong_case = BiometricsCaptured.create(DeskVisit(**visit(a, b_id)), source="urn:ind:desk")
    with pytest.raises(Unprocessable, match="no BIO appointment"):
        await report(desk_pool, [wrong_case])
    assert await appointment_of(desk_pool, b) == (b_id, "booked")


async def test_a_batch_of_bookings_takes_its_seats_through_the_slots_index_not_a_scan_of_every_slot(desk_pool):
    async with unit_of_work(desk_pool) as uow:
        await uow.agenda.open_booking_window(MONDAY)  # 53,200 slots
        await uow.commit()
    keys = [
        r["slot_key"] for r in await desk_pool.fetch("select slot_key from biometrics.slots order by day, start_time limit 300")
    ]
    async with desk_pool.acquire() as connection, connection.transaction():
        plan = "\n".join(row[0] for row in await connection.fetch(f"explain {TAKE_SEATS}", keys, [1] * len(keys)))
    assert "Index Scan using slots_pkey" in plan, plan
    assert "Seq Scan on slots" not in plan, plan


async def test_a_read_of_free_slots_walks_only_the_free_slots_of_its_location(desk_pool):
    async with unit_of_work(desk_pool) as uow:
        await uow.agenda.open_booking_window(MONDAY)  # 53,200 slots, analysed
        await uow.commit()
    async with desk_pool.acquire() as connection, connection.transaction():
        rows = await connection.fetch(
            f"explain {FREE_SLOTS_AFTER}",
            AppointmentProduct.BIOMETRICS.value,
            AM.value,
            MONDAY,
            date(2027, 4, 30),
            MONDAY,
            time(0, 0),
            40,
        )
    plan = "\n".join(row[0] for row in rows)
    assert "Index Scan using slots_free_at on slots" in plan, plan
    assert "Filter" not in plan, f"a location filtered out row by row walks every other location's slots:\n{plan}"
