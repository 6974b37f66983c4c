"""The desk agenda in PostgreSQL: cases, slots and appointments.

Booking takes the earliest slot with room among the candidate locations with one UPDATE whose
sub-select locks the slot it picks (``for update``). A concurrent booker of the same slot waits for
that lock and then re-checks the room left, so bookers fill a slot's seats in turn instead of
skipping to a later day; the ``slot_within_capacity`` check is the last guard against overbooking.
When the re-check finds the slot full, the sub-select returns nothing: the booking then tries again,
and says fully booked only when no slot with room is left at all.

Every booker wants the earliest slots, so the transactions of several workers that book would lock
the same few slot rows, each in the order its own bookings came, and deadlock. A booking therefore
first takes one transaction-scoped advisory lock: bookers in different transactions take turns (as
they would anyway, on the slot rows) instead of deadlocking.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time
from uuid import UUID

import asyncpg

from ind_runtime.db import advisory_lock_id
from schemas.codes import ApplicationType, AppointmentProduct, LocationCode
from services.biometrics.capacity import capacity_for
from services.biometrics.locations import LOCATIONS
from services.biometrics.slots import booking_window, slots_on

BOOKING_WINDOW_DAYS = 40
BOOKED_PRODUCTS = (AppointmentProduct.BIOMETRICS, AppointmentProduct.ENDORSEMENT_STICKER, AppointmentProduct.DOCUMENT_PICKUP)
_BOOKING_LOCK = advisory_lock_id("biometrics:booking")


@dataclass(frozen=True)
class DeskCase:
    case_id: UUID
    case_number: str
    application_type: ApplicationType
    preferred_location: LocationCode
    biometrics_location: LocationCode | None


@dataclass(frozen=True)
class Appointment:
    appointment_id: str
    case_id: UUID
    product: AppointmentProduct
    location: LocationCode
    day: date
    start: time
    end: time
    persons: int
    attempt: int
    status: str


# "booked < capacity" is implied by "booked + persons <= capacity", but the planner needs it written
# out to walk the partial index of slots with room (slots_free) in day order instead of scanning
# every slot: 0.2 ms instead of 9 ms per booking once the agenda holds 50,000 slots.
_EARLIEST_WITH_ROOM = """
    select slot_key from biometrics.slots
    where product = $1 and location = any($2::text[]) and day between $3 and $4
      and booked < capacity and booked + $5 <= capacity
    order by day, start_time, array_position($2::text[], location) limit 1"""


class FullyBooked(Exception):
    """No candidate location has a free slot in the booking window."""


class DeskAgenda:
    """The agenda as one transaction sees it: made per unit of work, so that the bookings of a
    batch take the booking turn once and check which days are open once."""

    def __init__(self, connection: asyncpg.Connection, capacity_overrides: dict | None = None) -> None:
        self._conn = connection
        self._overrides = capacity_overrides
        self._has_turn = False
        self._open: set[tuple[LocationCode, AppointmentProduct, date]] = set()  # (location, product, first day) of
        # booking windows seen open, every day of them: days never close

    async def add_cases(self, cases: Sequence[DeskCase]) -> None:
        await self._conn.execute(
            """insert into biometrics.cases (case_id, case_number, application_type, preferred_location)
               select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) on conflict (case_id) do nothing""",
            [case.case_id for case in cases],
            [case.case_number for case in cases],
            [case.application_type.value for case in cases],
            [case.preferred_location.value for case in cases],
        )

    async def case(self, case_id: UUID) -> DeskCase | None:
        row = await self._conn.fetchrow("select * from biometrics.cases where case_id = $1", case_id)
        if row is None:
            return None
        return DeskCase(
            row["case_id"],
            row["case_number"],
            ApplicationType(row["application_type"]),
            LocationCode(row["preferred_location"]),
            LocationCode(row["biometrics_location"]) if row["biometrics_location"] else None,
        )

    async def set_biometrics_location(self, case_id: UUID, location: LocationCode) -> None:
        await self._conn.execute(
            "update biometrics.cases set biometrics_location = $2 where case_id = $1", case_id, location.value
        )

    async def book(
        self,
        case: DeskCase,
        product: AppointmentProduct,
        preferred: LocationCode,
        candidates: list[LocationCode],
        after: date,
        attempt: int,
        persons: int = 1,
    ) -> Appointment:
        """Book the earliest slot at the preferred location when it is a candidate (it comes first);
        failing that, the earliest slot at any candidate."""
        await self._take_booking_turn()
        days = booking_window(after, BOOKING_WINDOW_DAYS)
        await self._open_days(candidates, product, days)
        first_choice = [preferred] if candidates[:1] == [preferred] else []
        for locations in (first_choice, candidates):
            if not locations:
                continue
            slot = await self._take_earliest(locations, product, days[0], days[-1], persons)
            if slot is not None:
                return await self._record(case, product, slot, persons, attempt)
        raise FullyBooked(f"no {product} slot for {persons} at {len(candidates)} locations in {BOOKING_WINDOW_DAYS} working days")

    async def open_booking_window(self, after: date) -> None:
        """Generate the slots of every location for the booking window after ``after`` now, so that
        the first bookings of the day do not wait while thousands of slots are written."""
        await self._take_booking_turn()
        days = booking_window(after, BOOKING_WINDOW_DAYS)
        for product in BOOKED_PRODUCTS:
            await self._open_days(list(LOCATIONS), product, days)
        # Fresh statistics at once, not at autovacuum's next round: planned against a table it still
        # believes empty, the booking query reads and sorts every free slot of the window (40 ms a
        # booking in a burst) instead of stopping at the first one (under 1 ms). The few days that
        # bookings open later do not change the plan, so they do not pay for an ANALYZE (100 ms).
        await self._conn.execute("analyze biometrics.slots")

    async def _take_booking_turn(self) -> None:
        if not self._has_turn:  # held until the transaction ends
            await self._conn.execute("select pg_advisory_xact_lock($1)", _BOOKING_LOCK)
            self._has_turn = True

    async def _open_days(self, locations: list[LocationCode], product: AppointmentProduct, days: list[date]) -> None:
        unknown = [loc for loc in locations if (loc, product, days[0]) not in self._open]
        if not unknown:
            return
        # only the days not open yet come back: usually none, where all of them would be hundreds of rows
        missing = [
            (LocationCode(r["location"]), r["day"])
            for r in await self._conn.fetch(
                """select location, day from unnest($2::text[]) as location, unnest($3::date[]) as day
                   except select location, day from biometrics.slot_days
                   where product = $1 and location = any($2::text[]) and day = any($3::date[])""",
                product.value,
                [loc.value for loc in unknown],
                days,
            )
        ]
        if missing:
            rows = [
                (s.key, s.location.value, s.product.value, s.date, s.start, s.end, s.capacity)
                for loc, day in missing
                for s in slots_on(loc, product, day, capacity_for(loc, product, self._overrides))
            ]
            await self._conn.executemany(
                """insert into biometrics.slots (slot_key, location, product, day, start_time, end_time, capacity)
                   values ($1, $2, $3, $4, $5, $6, $7) on conflict (slot_key) do nothing""",
                rows,
            )
            await self._conn.executemany(
                "insert into biometrics.slot_days (location, product, day) values ($1, $2, $3) on conflict do nothing",
                [(loc.value, product.value, day) for loc, day in missing],
            )
        self._open.update((loc, product, days[0]) for loc in unknown)

    async def _take_earliest(self, locations, product, first: date, last: date, persons: int):
        args = (product.value, [loc.value for loc in locations], first, last, persons)
        while True:
            slot = await self._conn.fetchrow(
                f"""update biometrics.slots set booked = booked + $5
                    where slot_key = ({_EARLIEST_WITH_ROOM} for update) returning *""",
                *args,
            )
            if slot is not None or await self._conn.fetchval(_EARLIEST_WITH_ROOM, *args) is None:
                return slot

    async def _record(self, case: DeskCase, product: AppointmentProduct, slot, persons: int, attempt: int) -> Appointment:
        appointment_id = f"{slot['slot_key']}-{case.case_number}-{attempt}"
        await self._conn.execute(
            """insert into biometrics.appointments (appointment_id, case_id, product, slot_key, persons, attempt)
               values ($1, $2, $3, $4, $5, $6)""",
            appointment_id,
            case.case_id,
            product.value,
            slot["slot_key"],
            persons,
            attempt,
        )
        return Appointment(
            appointment_id,
            case.case_id,
            product,
            LocationCode(slot["location"]),
            slot["day"],
            slot["start_time"],
            slot["end_time"],
            persons,
            attempt,
            "booked",
        )

    async def free_slots(
        self, location: LocationCode, product: AppointmentProduct, persons: int, after: date, limit: int
    ) -> list[asyncpg.Record]:
        """Slots with room for ``persons`` at one location, earliest first (as the IND's desk agenda)."""
        days = booking_window(after, BOOKING_WINDOW_DAYS)
        await self._open_days([location], product, days)
        return await self._conn.fetch(
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

    async def appointment(self, appointment_id: str) -> Appointment | None:
        row = await self._conn.fetchrow(
            """select a.*, s.location, s.day, s.start_time, s.end_time from biometrics.appointments a
               join biometrics.slots s using (slot_key) where a.appointment_id = $1""",
            appointment_id,
        )
        if row is None:
            return None
        return Appointment(
            row["appointment_id"],
            row["case_id"],
            AppointmentProduct(row["product"]),
            LocationCode(row["location"]),
            row["day"],
            row["start_time"],
            row["end_time"],
            row["persons"],
            row["attempt"],
            row["status"],
        )

    async def set_status(self, appointment_id: str, status: str) -> None:
        await self._conn.execute(
            "update biometrics.appointments set status = $2 where appointment_id = $1", appointment_id, status
        )

    async def no_shows(self, case_id: UUID, product: AppointmentProduct) -> int:
        return await self._conn.fetchval(
            "select count(*) from biometrics.appointments where case_id = $1 and product = $2 and status = 'no_show'",
            case_id,
            product.value,
        )
