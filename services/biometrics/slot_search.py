"""The free slots an applicant may choose from, read for the OAP dialect (``oap_api``): reads only,
on a connection of their own, with no booking turn (what they answer may be taken a moment later;
the hold or booking that follows checks again under the turn)."""

from datetime import date

import asyncpg

from schemas.codes import AppointmentProduct, LocationCode
from services.biometrics.agenda import DeskAgenda
from services.biometrics.slots import BOOKING_WINDOW_DAYS, booking_window

MAX_SLOTS = 2000
"""The most slots one desk's list answers: every slot of the booking window at the busiest desk."""
# The earliest slot with room for the persons at any of the desks: one statement, which walks the
# partial index of slots with room (slots_free_at) at each desk; among slots at the same time, the
# desk named first wins.
EARLIEST = """
    select slot_key, location, day, start_time, end_time from biometrics.slots
    where product = $1 and location = any($2::text[]) and day between $3 and $4
      and booked < capacity and booked + $5 <= capacity
    order by day, start_time, array_position($2::text[], location) limit 1"""


async def free_slots(
    pool: asyncpg.Pool, overrides: dict, desk: LocationCode, product: AppointmentProduct, persons: int, today: date
) -> list[asyncpg.Record]:
    """The slots at ``desk`` with room for ``persons`` in the booking window, earliest first."""
    async with pool.acquire() as connection, connection.transaction():
        return await DeskAgenda(connection, overrides).free_slots(desk, product, persons, today, MAX_SLOTS)


async def earliest(
    pool: asyncpg.Pool, overrides: dict, desks: list[LocationCode], product: AppointmentProduct, persons: int, today: date
) -> asyncpg.Record | None:
    """The earliest slot with room for ``persons`` at any of ``desks`` in the booking window."""
    days = booking_window(today, BOOKING_WINDOW_DAYS)
    async with pool.acquire() as connection, connection.transaction():
        await DeskAgenda(connection, overrides).open_days(desks, product, days)
        return await connection.fetchrow(EARLIEST, product.value, [desk.value for desk in desks], days[0], days[-1], persons)
