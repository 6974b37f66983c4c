"""Applying the configured desk capacity (``DESK_CAPACITY_FILE``) to the slots opened before it changed.

A day's slots are written once, when the day first enters a booking window, with the capacity
configured then. So that a change of the file takes effect for the days already open too, and not
only for those that open later, a worker applies the configuration to every future slot at
start-up (``apply_configured_capacity``):

- the seats of each future slot become the configured ``desks``, but never fewer than the seats
  already booked in it: such a slot keeps its appointments and stays above its configured capacity,
  and a log line says how many slots do;
- a future day whose slots are cut to another length than the configured ``slot_minutes`` is cut
  anew, unless an appointment was made on it: that day keeps its slots (and its appointments their
  times), and a log line says how many days do.
"""

from collections import Counter
from datetime import date

import asyncpg

from ind_runtime.logs import get_logger
from schemas.codes import AppointmentProduct, LocationCode
from services.biometrics.agenda import DeskAgenda
from services.biometrics.capacity import Capacity, capacity_for
from services.biometrics.locations import LOCATIONS
from services.biometrics.slots import BOOKED_PRODUCTS, slots_on

log = get_logger(__name__)
Configured = dict[tuple[LocationCode, AppointmentProduct], Capacity]

_CONFIGURED = "unnest($1::text[], $2::text[], $3::int[]) as c (location, product, number)"
_CUT_OTHERWISE = f"""
    select s.location, s.product, s.day, bool_or(a.appointment_id is not null) as has_appointments
    from biometrics.slots s join {_CONFIGURED} on s.location = c.location and s.product = c.product
    left join biometrics.appointments a on a.slot_key = s.slot_key
    where s.day > $4 and s.end_time - s.start_time <> make_interval(mins => c.number)
    group by s.location, s.product, s.day"""
_RESEAT = f"""
    update biometrics.slots s set capacity = greatest(c.number, s.booked) from {_CONFIGURED}
    where s.location = c.location and s.product = c.product and s.day > $4 and s.capacity <> greatest(c.number, s.booked)"""
_ABOVE_CAPACITY = f"""
    select s.location, s.product, count(*) as slots from biometrics.slots s join {_CONFIGURED}
      on s.location = c.location and s.product = c.product
    where s.day > $4 and s.booked > c.number group by s.location, s.product order by s.location, s.product"""


async def apply_configured_capacity(connection: asyncpg.Connection, overrides: dict | None, today: date) -> None:
    """Bring the slots of the days after ``today`` to the capacity configured now (see the module)."""
    await DeskAgenda(connection, overrides).take_booking_turn()  # no booking reads seats while they change
    configured = {
        (location, product): capacity_for(location, product, overrides) for location in LOCATIONS for product in BOOKED_PRODUCTS
    }
    await _cut_anew(connection, configured, today)
    await _reseat(connection, configured, today)


async def _cut_anew(connection: asyncpg.Connection, configured: Configured, today: date) -> None:
    rows = await connection.fetch(_CUT_OTHERWISE, *_columns(configured, "slot_minutes"), today)
    kept = Counter((row["location"], row["product"]) for row in rows if row["has_appointments"])
    days = [
        (LocationCode(row["location"]), AppointmentProduct(row["product"]), row["day"])
        for row in rows
        if not row["has_appointments"]
    ]
    if days:
        await connection.execute(
            """delete from biometrics.slots s using unnest($1::text[], $2::text[], $3::date[]) as d (location, product, day)
               where s.location = d.location and s.product = d.product and s.day = d.day""",
            [location.value for location, _, _ in days],
            [product.value for _, product, _ in days],
            [day for _, _, day in days],
        )
        await connection.executemany(
            """insert into biometrics.slots (slot_key, location, product, day, start_time, end_time, capacity)
               values ($1, $2, $3, $4, $5, $6, $7)""",
            [
                (slot.key, slot.location.value, slot.product.value, slot.date, slot.start, slot.end, slot.capacity)
                for location, product, day in days
                for slot in slots_on(location, product, day, configured[(location, product)])
            ],
        )
        log.info("future days cut into slots of the configured length", days=len(days))
    for (location, product), count in sorted(kept.items()):
        log.warning(
            "future days keep slots of another length than configured: appointments were made on them",
            location=location,
            product=product,
            days=count,
        )


async def _reseat(connection: asyncpg.Connection, configured: Configured, today: date) -> None:
    columns = _columns(configured, "desks")
    changed = int((await connection.execute(_RESEAT, *columns, today)).split()[-1])
    if changed:
        log.info("configured seats applied to future slots", slots=changed)
    for row in await connection.fetch(_ABOVE_CAPACITY, *columns, today):
        log.warning(
            "future slots stay above their configured seats: more seats are booked in them",
            location=row["location"],
            product=row["product"],
            slots=row["slots"],
            desks=configured[(LocationCode(row["location"]), AppointmentProduct(row["product"]))].desks,
        )


def _columns(configured: Configured, field: str) -> tuple[list[str], list[str], list[int]]:
    """The configuration as the three arrays the statements unnest: locations, products and ``field``."""
    return (
        [location.value for location, _ in configured],
        [product.value for _, product in configured],
        [getattr(capacity, field) for capacity in configured.values()],
    )
