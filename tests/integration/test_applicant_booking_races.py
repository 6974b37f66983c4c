"""Applicants after the last seats, against real PostgreSQL over HTTP: 50 bookers (or holders) at once,
each request on a connection of its own, for a slot with 3 seats left; exactly 3 get one, the others a
409, and the slot's ``booked`` never passes its capacity while they race. Holds take seats as bookings
do, their seats are freed once they expire (by the next hold or booking, and by the timer's pass), and
a hold is booked by the client that names it, or that placed it.

The module has a database of its own; each test races on a day of its own.
"""

import asyncio
from collections import Counter
from datetime import timedelta

import pytest

from ind_runtime.db import RUNTIME_MIGRATIONS, create_pool, migrate
from schemas.codes import AppointmentProduct, Language, LocationCode
from services.biometrics import self_booking
from services.biometrics.app import MIGRATIONS, SERVICE
from services.biometrics.applicant_bookings import Contact, Customer
from services.biometrics.booking_codes import client_hash
from services.biometrics.capacity import Capacity
from services.biometrics.refusals import Refused
from services.biometrics.self_booking import BookingRequest, Terms
from tests.conftest import fresh_database
from tests.integration.applicant_desk import MANAGE_KEY, booking, oap, outbox, serve
from tests.integration.desk_stage import MONDAY, unit_of_work

BOOKERS = 50
CAPACITY = 5
ZW, SUB = LocationCode.ZWOLLE, AppointmentProduct.SUBMISSION
OVERRIDES = {ZW: {SUB: Capacity(slot_minutes=480, desks=CAPACITY)}}  # one slot a day at Zwolle, five seats


@pytest.fixture(scope="module")
async def wide_pool():
    """A database of its own, and a pool wide enough that every racer holds a connection at once."""
    async with fresh_database("applicant_races") as url:
        pool = await create_pool(url, BOOKERS + 10)
        try:
            await migrate(pool, "runtime", RUNTIME_MIGRATIONS)
            await migrate(pool, SERVICE, MIGRATIONS)
            async with serve(pool, OVERRIDES) as client:  # as a client would: the slots are read before one is taken
                assert (await client.get("/oap/api/desks/ZW/slots/?productKey=SUB")).status == 200
            yield pool
        finally:
            await pool.close()


def _slot(day: str) -> dict:
    return {"key": f"SUB-ZW-{day.replace('-', '')}-0900", "date": day, "startTime": "09:00", "endTime": "17:00", "parts": 1}


async def _with_three_seats_left(client, slot: dict) -> None:
    for _ in range(CAPACITY - 3):
        status, document = await oap(await client.post("/oap/api/desks/ZW/appointments", json=booking(slot)))
        assert status == 200, document


async def _race(client, pool, slot: dict, request) -> list[tuple[int, dict]]:
    """``request()`` by ``BOOKERS`` at once, while a watcher reads the slot's seats; (status, document) of each."""
    start = asyncio.Event()
    seen: list[tuple[int, int]] = []

    async def one():
        await start.wait()
        return await oap(await request())

    async def watch():
        while not start.is_set() or len(seen) < 200:
            seen.append(
                tuple(await pool.fetchrow("select booked, capacity from biometrics.slots where slot_key = $1", slot["key"]))
            )
            await asyncio.sleep(0.001)

    tasks = [asyncio.create_task(one()) for _ in range(BOOKERS)]
    watcher = asyncio.create_task(watch())
    await asyncio.sleep(0.1)
    start.set()
    results = await asyncio.gather(*tasks)
    await watcher
    assert [pair for pair in seen if pair[0] > pair[1]] == [], "booked passed capacity while they raced"
    return results


async def test_fifty_bookers_on_the_last_three_seats_three_get_one_and_the_others_a_409(wide_pool):
    slot = _slot("2027-03-02")
    async with serve(wide_pool, OVERRIDES) as client:
        await _with_three_seats_left(client, slot)
        results = await _race(client, wide_pool, slot, lambda: client.post("/oap/api/desks/ZW/appointments", json=booking(slot)))

    assert Counter(status for status, _ in results) == {200: 3, 409: BOOKERS - 3}
    assert {document["error"]["field"] for status, document in results if status == 409} == {"bookableSlot.key"}
    assert len({document["data"]["code"] for status, document in results if status == 200}) == 3
    row = await wide_pool.fetchrow("select booked, capacity from biometrics.slots where slot_key = $1", slot["key"])
    assert (row["booked"], row["capacity"]) == (CAPACITY, CAPACITY)
    assert await wide_pool.fetchval("select count(*) from biometrics.appointments where slot_key = $1", slot["key"]) == CAPACITY
    booked_here = [e for _key, e in await outbox(wide_pool) if e["data"].get("appointment_id", "").startswith(slot["key"])]
    assert len(booked_here) == CAPACITY  # one event a booking, none for a refusal


async def test_fifty_holders_on_the_last_three_seats_three_hold_one_and_the_others_get_a_409(wide_pool):
    slot = _slot("2027-03-03")
    async with serve(wide_pool, OVERRIDES) as client:
        await _with_three_seats_left(client, slot)
        results = await _race(client, wide_pool, slot, lambda: client.post(f"/oap/api/desks/ZW/slots/{slot['key']}", json=slot))

    assert Counter(status for status, _ in results) == {200: 3, 409: BOOKERS - 3}
    assert len({document["data"]["holdId"] for status, document in results if status == 200}) == 3
    assert await wide_pool.fetchval("select booked from biometrics.slots where slot_key = $1", slot["key"]) == CAPACITY
    assert await wide_pool.fetchval("select count(*) from biometrics.holds where slot_key = $1", slot["key"]) == 3


async def test_an_expired_hold_frees_its_seats_for_the_next_hold_or_booking(wide_pool):
    slot = _slot("2027-03-04")
    async with serve(wide_pool, OVERRIDES, hold_for=timedelta(0)) as fleeting:
        status, held = await oap(await fleeting.post(f"/oap/api/desks/ZW/slots/{slot['key']}", json={**slot, "parts": CAPACITY}))
    assert status == 200
    assert await wide_pool.fetchval("select booked from biometrics.slots where slot_key = $1", slot["key"]) == CAPACITY

    async with serve(wide_pool, OVERRIDES) as client:
        status, document = await oap(await client.post("/oap/api/desks/ZW/appointments", json=booking(slot)))

    assert status == 200, document
    assert await wide_pool.fetchval("select booked from biometrics.slots where slot_key = $1", slot["key"]) == 1
    assert await wide_pool.fetchval("select count(*) from biometrics.holds where slot_key = $1", slot["key"]) == 0


async def test_the_timers_pass_frees_expired_holds_and_leaves_live_ones(wide_pool):
    expiring, live = _slot("2027-03-05"), _slot("2027-03-08")
    async with serve(wide_pool, OVERRIDES) as client:
        status, _held = await oap(await client.post(f"/oap/api/desks/ZW/slots/{live['key']}", json={**live, "parts": 3}))
        assert status == 200
    async with serve(wide_pool, OVERRIDES, hold_for=timedelta(0)) as fleeting:  # after it: no later hold looks at it
        status, _held = await oap(
            await fleeting.post(f"/oap/api/desks/ZW/slots/{expiring['key']}", json={**expiring, "parts": 2})
        )
        assert status == 200

    async with unit_of_work(wide_pool, OVERRIDES) as uow:
        released = await self_booking.sweep_expired_holds(uow)

    assert released == 1
    seats = dict(
        await wide_pool.fetch(
            "select slot_key, booked from biometrics.slots where slot_key = any($1::text[])", [expiring["key"], live["key"]]
        )
    )
    assert seats == {expiring["key"]: 0, live["key"]: 3}


async def test_a_hold_is_booked_by_the_client_that_names_it_or_placed_it_and_by_no_other(wide_pool):
    named_slot, placed_slot = _slot("2027-03-09"), _slot("2027-03-10")
    terms = Terms(MONDAY, timedelta(minutes=10), MANAGE_KEY)
    holder, other = client_hash("192.0.2.10"), client_hash("198.51.100.20")
    async with unit_of_work(wide_pool, OVERRIDES) as uow:
        held = await self_booking.hold(uow, ZW, named_slot["key"], CAPACITY, holder, terms)
    async with unit_of_work(wide_pool, OVERRIDES) as uow:
        await self_booking.hold(uow, ZW, placed_slot["key"], CAPACITY, holder, terms)

    with pytest.raises(Refused) as refused:  # another client, not naming the hold: every seat is held
        async with unit_of_work(wide_pool, OVERRIDES) as uow:
            await self_booking.book(uow, _request(named_slot["key"], None), other, terms)
    assert (refused.value.status, refused.value.field) == (409, "bookableSlot.key")
    async with unit_of_work(wide_pool, OVERRIDES) as uow:  # another client naming it
        await self_booking.book(uow, _request(named_slot["key"], held.hold_id), other, terms)
    async with unit_of_work(wide_pool, OVERRIDES) as uow:  # the client that placed it, not naming it
        await self_booking.book(uow, _request(placed_slot["key"], None), holder, terms)

    for slot in (named_slot, placed_slot):  # the held seats became the booking's: none taken twice
        assert await wide_pool.fetchval("select booked from biometrics.slots where slot_key = $1", slot["key"]) == CAPACITY
        assert await wide_pool.fetchval("select count(*) from biometrics.holds where slot_key = $1", slot["key"]) == 0
        assert await wide_pool.fetchval("select count(*) from biometrics.appointments where slot_key = $1", slot["key"]) == 1


def _request(slot_key: str, hold_id: str | None) -> BookingRequest:
    customers = tuple(Customer("Ana", f"Silva {n}") for n in range(CAPACITY))
    return BookingRequest(
        desk=ZW,
        product=SUB,
        slot_key=slot_key,
        persons=CAPACITY,
        hold_id=hold_id,
        contact=Contact(customers, "ana.silva@example.org", "+31612345678", Language.ENGLISH),
        case_number=None,
        date_of_birth=None,
        slot_times=(None, None, None),
    )


async def test_one_client_holds_at_most_three_times_at_once(wide_pool):
    """Three live holds of one client at a time: the fourth is refused until one is booked or expires."""
    await wide_pool.execute("delete from biometrics.holds")  # the races' holds, of this same address
    slots = [_slot(day) for day in ("2027-03-15", "2027-03-16", "2027-03-17", "2027-03-18")]
    async with serve(wide_pool, OVERRIDES, max_live_holds=3) as client:
        answers = [
            await oap(await client.post(f"/oap/api/desks/ZW/slots/{slot['key']}", json={**slot, "parts": 1})) for slot in slots
        ]

    assert [status for status, _document in answers] == [200, 200, 200, 429]
    assert answers[3][1]["error"]["field"] == "key"
