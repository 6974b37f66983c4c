"""A change of ``DESK_CAPACITY_FILE`` reaches the days whose slots already exist, against real
PostgreSQL: at start-up every future slot gets the configured seats (never fewer than are booked
in it, and a log line says where that keeps a slot above its capacity), and a future day cut into
slots of another length is cut anew unless an appointment was made on it (a log line says so)."""

import json
from datetime import date, time
from uuid import uuid4

import pytest

from schemas.codes import ApplicationType, LocationCode
from services.biometrics import capacity_changes
from services.biometrics.agenda import DeskAgenda
from services.biometrics.alert_pass import SlotAlertPass
from services.biometrics.app import MIGRATIONS, SERVICE, wiring
from services.biometrics.booking import WaitingListPass
from services.biometrics.booking_turn import book
from services.biometrics.capacity import Capacity
from services.biometrics.capacity_changes import apply_configured_capacity
from services.biometrics.cases import DeskCase, DeskCases
from services.biometrics.self_booking import sweep_expired_holds
from services.biometrics.settings import DeskSettings
from services.biometrics.slots import booking_window
from tests.conftest import service_pool
from tests.integration.desk_stage import AM, BIO

FRIDAY, MONDAY, TUESDAY = date(2027, 2, 26), date(2027, 3, 1), date(2027, 3, 2)
ONE_SLOT_OF = {seats: {AM: {BIO: Capacity(slot_minutes=480, desks=seats)}} for seats in (1, 2, 4, 6)}


@pytest.fixture
async def desk_pool():
    async with service_pool("capacity_changes", SERVICE, MIGRATIONS) as pool:
        yield pool


@pytest.fixture
def logged(monkeypatch) -> list[tuple[str, dict]]:
    lines: list[tuple[str, dict]] = []
    for level in ("info", "warning"):
        monkeypatch.setattr(capacity_changes.log, level, lambda event, **fields: lines.append((event, fields)))
    return lines


class _Resources:
    """What the desk service's wiring reads of a worker's resources: its pool."""

    def __init__(self, pool) -> None:
        self.pool = pool


def _wiring(pool, capacity_file):
    return wiring(DeskSettings(desk_capacity_file=capacity_file), _Resources(pool))


async def _start(pool, capacity_file) -> None:
    """The desk service's start-up, as its wiring declares it."""
    for step in _wiring(pool, capacity_file).before_consuming:
        await step()


async def _seats(pool, location: LocationCode = AM, after: date = date.min) -> set[int]:
    rows = await pool.fetch(
        "select distinct capacity from biometrics.slots where location = $1 and product = 'BIO' and day > $2",
        location.value,
        after,
    )
    return {r["capacity"] for r in rows}


async def test_a_worker_started_with_more_desks_gives_the_days_already_open_the_new_seats(desk_pool, tmp_path):
    capacity_file = tmp_path / "capacity.json"
    capacity_file.write_text(json.dumps({"AM": {"BIO": {"slot_minutes": 15, "desks": 4}}}))
    await _start(desk_pool, capacity_file)
    assert await _seats(desk_pool) == {4}

    capacity_file.write_text(json.dumps({"AM": {"BIO": {"slot_minutes": 15, "desks": 6}}}))
    await _start(desk_pool, capacity_file)

    assert await _seats(desk_pool) == {6}
    assert await _seats(desk_pool, LocationCode.DEN_BOSCH) == {4}  # not in the file: its kind's default, as before
    waiting_list_pass, hold_sweep, alert_pass = _wiring(desk_pool, capacity_file).timers
    assert isinstance(waiting_list_pass.job, WaitingListPass)  # and the pass over the bookings waiting for a slot runs
    assert hold_sweep.job is sweep_expired_holds  # and the pass freeing the seats of expired holds
    assert isinstance(alert_pass.job, SlotAlertPass)  # and the pass over applicants' alerts for free slots


async def _open(pool, overrides: dict, after: date = FRIDAY) -> None:
    async with pool.acquire() as connection, connection.transaction():
        await DeskAgenda(connection, overrides).free_slots(AM, BIO, 1, after, 1)  # opens the window at AM


async def _apply(pool, overrides: dict, today: date) -> None:
    async with pool.acquire() as connection, connection.transaction():
        await apply_configured_capacity(connection, overrides, today)


async def test_only_the_slots_of_days_after_today_change(desk_pool):
    await _open(desk_pool, ONE_SLOT_OF[2])
    await _apply(desk_pool, ONE_SLOT_OF[6], TUESDAY)

    rows = await desk_pool.fetch("select day, capacity from biometrics.slots where day <= $1", TUESDAY)
    assert {(r["day"], r["capacity"]) for r in rows} == {(MONDAY, 2), (TUESDAY, 2)}
    assert await _seats(desk_pool, after=TUESDAY) == {6}


async def _book(pool, overrides: dict, persons: int, after: date = FRIDAY) -> None:
    case = DeskCase(uuid4(), f"IND-T-{uuid4().hex[:12]}", ApplicationType.FAMILY, AM, None)
    async with pool.acquire() as connection, connection.transaction():
        await DeskCases(connection).add([case])
        await book(DeskAgenda(connection, overrides), case, BIO, AM, [AM], after, attempt=1, persons=persons)


async def test_fewer_desks_never_take_seats_already_booked_and_the_log_says_where_a_slot_stays_above(desk_pool, logged):
    await _book(desk_pool, ONE_SLOT_OF[4], persons=3)  # on the window's first day

    await _apply(desk_pool, ONE_SLOT_OF[1], FRIDAY)

    first_day = booking_window(FRIDAY, 1)[0]
    rows = await desk_pool.fetch("select day, capacity, booked from biometrics.slots where location = 'AM' and product = 'BIO'")
    assert {(r["capacity"], r["booked"]) for r in rows if r["day"] == first_day} == {(3, 3)}
    assert {r["capacity"] for r in rows if r["day"] != first_day} == {1}
    assert (
        "future slots stay above their configured seats: more seats are booked in them",
        {"location": "AM", "product": "BIO", "slots": 1, "desks": 1},
    ) in logged


async def test_days_are_cut_anew_into_slots_of_the_configured_length_but_a_day_with_appointments_is_kept(desk_pool, logged):
    await _book(desk_pool, ONE_SLOT_OF[2], persons=1)  # one 09:00-17:00 slot a day; the first day has an appointment
    half_days = {AM: {BIO: Capacity(slot_minutes=240, desks=2)}}

    await _apply(desk_pool, half_days, FRIDAY)

    first_day, second_day = booking_window(FRIDAY, 2)
    rows = await desk_pool.fetch(
        "select day, start_time, end_time from biometrics.slots where location = 'AM' and product = 'BIO'"
    )
    cut = {day: sorted((r["start_time"], r["end_time"]) for r in rows if r["day"] == day) for day in (first_day, second_day)}
    assert cut[first_day] == [(time(9), time(17))]
    assert cut[second_day] == [(time(9), time(13)), (time(13), time(17))]
    assert (
        "future days keep slots of another length than configured: appointments were made on them",
        {"location": "AM", "product": "BIO", "days": 1},
    ) in logged
