"""The desk agenda in PostgreSQL: the slots of every location and product, and their seats.

A day's slots are written when the day first enters a booking window (``open_days``), cut from the
location's opening hours with the capacity configured then (``slots``, ``capacity``).

Whatever changes a slot's seats, or decides what to book from the seats it read, first takes the
booking turn (``take_booking_turn``): a transaction-scoped advisory lock, held until its transaction
ends. While a booking, or a batch of them, has the turn, nothing else changes the seats it read, so
it can hand them out in memory (``booking_turn``) and write them with one statement. Taking turns
also keeps booking workers, whose transactions all want the same earliest slot rows, from
deadlocking on them; the ``slot_within_capacity`` check is the last guard against overbooking.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time

import asyncpg

from ind_runtime.db import advisory_lock_id
from schemas.codes import AppointmentProduct, LocationCode
from services.biometrics.appointments import Appointment
from services.biometrics.capacity import capacity_for
from services.biometrics.free_seats import FreeSlot
from services.biometrics.locations import LOCATIONS
from services.biometrics.slots import BOOKED_PRODUCTS, BOOKING_WINDOW_DAYS, Slot, booking_window, slots_on

_BOOKING_LOCK = advisory_lock_id("biometrics:booking")

# Only slots with room, so that the read walks the partial index of them at the location
# (slots_free_at) in day order instead of scanning every slot: 0.2 ms instead of 9 ms once the
# agenda holds 50,000 slots.
FREE_SLOTS_AFTER = """
    select slot_key, day, start_time, end_time, capacity - booked as free from biometrics.slots
    where product = $1 and location = $2 and day between $3 and $4 and booked < capacity
      and (day, start_time) > ($5::date, $6::time)
    order by day, start_time limit $7"""
TAKE_SEATS = """
    update biometrics.slots s set booked = s.booked + seats.persons
    from (select slot_key, sum(persons)::int as persons from unnest($1::text[], $2::int[]) as t (slot_key, persons)
          group by slot_key) as seats
    where s.slot_key = any($1::text[]) and s.slot_key = seats.slot_key"""
# An appointment's seats leave its slot and are taken in another with one statement (a move within
# one slot would update its row twice, which PostgreSQL does not do, so the change is summed first).
MOVE = """
    with old as (select slot_key, persons from biometrics.appointments where appointment_id = $1 and status = 'booked' for update),
         moved as (update biometrics.appointments a set slot_key = $2, persons = $3, sequence = a.sequence + 1
                   from old where a.appointment_id = $1 returning a.sequence),
         seats as (select slot_key, sum(delta)::int as delta
                   from (select slot_key, -persons as delta from old union all select $2, $3 from old) as t group by slot_key),
         changed as (update biometrics.slots s set booked = s.booked + seats.delta from seats where s.slot_key = seats.slot_key)
    select sequence from moved"""
CANCEL = """
    with cancelled as (update biometrics.appointments set status = 'cancelled', sequence = sequence + 1
                       where appointment_id = $1 and status = 'booked' returning slot_key, persons, sequence),
         freed as (update biometrics.slots s set booked = s.booked - c.persons from cancelled c where s.slot_key = c.slot_key)
    select sequence from cancelled"""


@dataclass(frozen=True)
class SlotSeats:
    """A slot and the seats taken in it (by appointments and by holds)."""

    slot: Slot
    booked: int

    @property
    def free(self) -> int:
        return self.slot.capacity - self.booked


class DeskAgenda:
    """The agenda as one transaction sees it: made per unit of work, so that the bookings of a
    batch take the booking turn once and check which days are open once."""

    def __init__(self, connection: asyncpg.Connection, capacity_overrides: dict | None = None) -> None:
        self._connection = connection
        self._overrides = capacity_overrides
        self._has_turn = False
        # (location, product, first day) of the booking windows seen open, every day of them: days never close
        self._open: set[tuple[LocationCode, AppointmentProduct, date]] = set()

    async def take_booking_turn(self) -> None:
        """Wait for the booking turn and hold it until the transaction ends."""
        if not self._has_turn:
            await self._connection.execute("select pg_advisory_xact_lock($1)", _BOOKING_LOCK)
            self._has_turn = True

    async def open_booking_window(self, after: date) -> None:
        """Generate the slots of every location for the booking window after ``after`` now, so that
        the first bookings of the day do not wait while thousands of slots are written."""
        await self.take_booking_turn()
        days = booking_window(after, BOOKING_WINDOW_DAYS)
        for product in BOOKED_PRODUCTS:
            await self.open_days(list(LOCATIONS), product, days)
        # Fresh statistics at once, not at autovacuum's next round: planned against a table it still
        # believes empty, the booking query reads and sorts every free slot of the window (40 ms a
        # booking in a burst) instead of stopping at the first one (under 1 ms). The few days that
        # bookings open later do not change the plan, so they do not pay for an ANALYZE (100 ms).
        await self._connection.execute("analyze biometrics.slots")

    async def open_days(self, locations: list[LocationCode], product: AppointmentProduct, days: list[date]) -> None:
        """Make sure the slots of ``days`` (a booking window) exist at ``locations``."""
        unknown = [location for location in locations if (location, product, days[0]) not in self._open]
        if not unknown:
            return
        # only the days not open yet come back: usually none, where all of them would be hundreds of rows
        missing = [
            (LocationCode(row["location"]), row["day"])
            for row in await self._connection.fetch(
                """select location, day from unnest($2::text[]) as location, unnest($3::date[]) as day
                   except select location, day from biometrics.slot_days
                   where product = $1 and location = any($2::text[]) and day = any($3::date[])""",
                product.value,
                [location.value for location in unknown],
                days,
            )
        ]
        if missing:
            rows = [
                (slot.key, slot.location.value, slot.product.value, slot.date, slot.start, slot.end, slot.capacity)
                for location, day in missing
                for slot in slots_on(location, product, day, capacity_for(location, product, self._overrides))
            ]
            await self._connection.executemany(
                """insert into biometrics.slots (slot_key, location, product, day, start_time, end_time, capacity)
                   values ($1, $2, $3, $4, $5, $6, $7) on conflict (slot_key) do nothing""",
                rows,
            )
            await self._connection.executemany(
                "insert into biometrics.slot_days (location, product, day) values ($1, $2, $3) on conflict do nothing",
                [(location.value, product.value, day) for location, day in missing],
            )
        self._open.update((location, product, days[0]) for location in unknown)

    async def read_free_slots(
        self, location: LocationCode, product: AppointmentProduct, span: tuple[date, date], after: tuple[date, time], limit: int
    ) -> list[FreeSlot]:
        """Up to ``limit`` slots with room at ``location`` from the first to the last day of ``span``
        that start later than ``after`` (a day and a time), earliest first."""
        rows = await self._connection.fetch(FREE_SLOTS_AFTER, product.value, location.value, *span, *after, limit)
        return [FreeSlot(row["slot_key"], location, row["day"], row["start_time"], row["end_time"], row["free"]) for row in rows]

    async def take_seats(self, product: AppointmentProduct, booked: Sequence[tuple[str, Appointment]]) -> None:
        """Record ``booked`` appointments of ``product``, each with the key of the slot whose seats it
        takes: one statement for the seats and one for the appointments."""
        if not booked:
            return
        await self.take_booking_turn()
        await self._connection.execute(TAKE_SEATS, [key for key, _ in booked], [appointment.persons for _, appointment in booked])
        await self._connection.execute(
            """insert into biometrics.appointments (appointment_id, case_id, product, slot_key, persons, attempt)
               select id, case_id, $3, slot_key, persons, attempt
               from unnest($1::text[], $2::uuid[], $4::text[], $5::int[], $6::int[]) as t (id, case_id, slot_key, persons, attempt)""",
            [appointment.appointment_id for _, appointment in booked],
            [appointment.case_id for _, appointment in booked],
            product.value,
            [key for key, _ in booked],
            [appointment.persons for _, appointment in booked],
            [appointment.attempt for _, appointment in booked],
        )

    async def slot(self, slot_key: str) -> SlotSeats | None:
        """The slot with ``slot_key`` and its seats taken, if it exists (read under the booking turn,
        they stay so until the transaction ends)."""
        row = await self._connection.fetchrow("select * from biometrics.slots where slot_key = $1", slot_key)
        if row is None:
            return None
        slot = Slot(
            row["slot_key"],
            LocationCode(row["location"]),
            AppointmentProduct(row["product"]),
            row["day"],
            row["start_time"],
            row["end_time"],
            row["capacity"],
        )
        return SlotSeats(slot, row["booked"])

    async def move(self, appointment_id: str, slot_key: str, persons: int) -> int | None:
        """Move the booked appointment ``appointment_id`` to the slot ``slot_key`` for ``persons``:
        its seats in its slot are freed and taken in the other. Returns its new calendar sequence,
        or None when it is not booked (cancelled, attended, missed)."""
        await self.take_booking_turn()
        return await self._connection.fetchval(MOVE, appointment_id, slot_key, persons)

    async def cancel(self, appointment_id: str) -> int | None:
        """Cancel the booked appointment ``appointment_id`` and free its seats. Returns its new
        calendar sequence, or None when it is not booked."""
        await self.take_booking_turn()
        return await self._connection.fetchval(CANCEL, appointment_id)

    async def cancel_later(self, corrected: Sequence[Appointment]) -> list[str]:
        """Cancel the appointments still booked for the case and product of each of ``corrected`` that
        were booked after it (its attempt or later ones: booked again because of its no-show), and free
        their seats; returns the ids of those cancelled."""
        if not corrected:
            return []
        await self.take_booking_turn()
        rows = await self._connection.fetch(
            """with cancelled as (
                   update biometrics.appointments a set status = 'cancelled'
                   from unnest($1::uuid[], $2::text[], $3::int[]) as t (case_id, product, attempt)
                   where a.case_id = t.case_id and a.product = t.product and a.attempt > t.attempt and a.status = 'booked'
                   returning a.appointment_id, a.slot_key, a.persons),
               freed as (
                   update biometrics.slots s set booked = s.booked - seats.persons
                   from (select slot_key, sum(persons)::int as persons from cancelled group by slot_key) as seats
                   where s.slot_key = seats.slot_key)
               select appointment_id from cancelled""",
            [appointment.case_id for appointment in corrected],
            [appointment.product.value for appointment in corrected],
            [appointment.attempt for appointment in corrected],
        )
        return [row["appointment_id"] for row in rows]

    async def free_slots(
        self, location: LocationCode, product: AppointmentProduct, persons: int, after: date, limit: int
    ) -> list[asyncpg.Record]:
        """Slots with room for ``persons`` at one location, earliest first (as the IND's desk agenda)."""
        days = booking_window(after, BOOKING_WINDOW_DAYS)
        await self.open_days([location], product, days)
        return await self._connection.fetch(
            """select slot_key, day, start_time, end_time, capacity - booked as free from biometrics.slots
               where location = $1 and product = $2 and day between $3 and $4
                 and booked < capacity and booked + $5 <= capacity
               order by day, start_time limit $6""",
            location.value,
            product.value,
            days[0],
            days[-1],
            persons,
            limit,
        )
