"""The desk agenda in PostgreSQL: cases, slots and appointments.

Bookings take turns: a booking, or a batch of them, first takes one transaction-scoped advisory
lock and holds it until its transaction ends. While it has the turn nothing else changes a slot's
seats, so it reads the earliest free slots of its candidate locations, gives each booking its seat
in memory (``free_seats``), and writes the seats taken and the appointments with one statement
each. Taking turns also keeps booking workers, whose transactions all want the same earliest slot
rows, from deadlocking on them; the ``slot_within_capacity`` check is the last guard against
overbooking.
"""

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from uuid import UUID

import asyncpg

from ind_runtime.db import advisory_lock_id
from schemas.codes import ApplicationType, AppointmentProduct, LocationCode
from services.biometrics.capacity import capacity_for
from services.biometrics.free_seats import FreeSeats, FreeSlot, SlotsNotRead
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
    document_number: str | None = None  # of the residence document produced for the case, once it is


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
_READ_AHEAD = 32  # slots read beyond what the bookings left in a batch are expected to take at a location


@dataclass(frozen=True)
class Booking:
    """An appointment to book in the booking window after day ``after``: at the preferred location
    when it is a candidate (candidates then start with it), failing that at the earliest of the
    candidates."""

    case: DeskCase
    preferred: LocationCode
    candidates: list[LocationCode]
    after: date
    attempt: int
    persons: int = 1


def _appointment_id(booking: Booking, slot: FreeSlot) -> str:
    return f"{slot.key}-{booking.case.case_number}-{booking.attempt}"


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
        return (await self.cases({case_id})).get(case_id)

    async def cases(self, case_ids: Collection[UUID]) -> dict[UUID, DeskCase]:
        """The cases among ``case_ids`` registered here."""
        rows = await self._conn.fetch("select * from biometrics.cases where case_id = any($1::uuid[])", list(case_ids))
        return {
            row["case_id"]: DeskCase(
                row["case_id"],
                row["case_number"],
                ApplicationType(row["application_type"]),
                LocationCode(row["preferred_location"]),
                LocationCode(row["biometrics_location"]) if row["biometrics_location"] else None,
                row["document_number"],
            )
            for row in rows
        }

    async def set_document_numbers(self, numbers: Mapping[UUID, str]) -> None:
        """Record the residence document produced for each case (a later one replaces an earlier one:
        the latest is the one to collect)."""
        if numbers:
            await self._conn.execute(
                """update biometrics.cases c set document_number = t.number
                   from unnest($1::uuid[], $2::text[]) as t (case_id, number)
                   where c.case_id = any($1::uuid[]) and c.case_id = t.case_id""",
                list(numbers),
                list(numbers.values()),
            )

    async def set_attended(self, appointment_ids: Sequence[str], biometrics_locations: Mapping[UUID, LocationCode]) -> None:
        """Mark appointments attended, and record where each case's biometrics were taken."""
        if appointment_ids:
            await self._conn.execute(
                "update biometrics.appointments set status = 'attended' where appointment_id = any($1::text[])", list(appointment_ids)
            )
        if biometrics_locations:
            await self._conn.execute(
                """update biometrics.cases c set biometrics_location = t.location
                   from unnest($1::uuid[], $2::text[]) as t (case_id, location)
               where c.case_id = any($1::uuid[]) and c.case_id = t.case_id""",
                list(biometrics_locations),
                [location.value for location in biometrics_locations.values()],
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
        """Book one appointment (see ``book_all``); ``FullyBooked`` when no candidate has room."""
        (appointment,) = await self.book_all(product, [Booking(case, preferred, candidates, after, attempt, persons)])
        if appointment is None:
            raise FullyBooked(
                f"no {product} slot for {persons} at {len(candidates)} locations in {BOOKING_WINDOW_DAYS} working days"
            )
        return appointment

    async def book_all(self, product: AppointmentProduct, bookings: Sequence[Booking]) -> list[Appointment | None]:
        """Book ``bookings`` in order, each in the earliest slot with room in its booking window;
        None for a booking whose candidates have none. One read of free slots per location booked
        at (more only when a location fills up) and one write for all of them."""
        if not bookings:
            return []
        await self.take_booking_turn()
        windows = {after: booking_window(after, BOOKING_WINDOW_DAYS) for after in {booking.after for booking in bookings}}
        span = (min(days[0] for days in windows.values()), max(days[-1] for days in windows.values()))
        seats = FreeSeats()
        ahead = Counter()  # persons still to book, by preferred location: how far to read there
        for booking in bookings:
            ahead[booking.preferred] += booking.persons
        taken: list[tuple[Booking, FreeSlot] | None] = []
        for booking in bookings:
            days = windows[booking.after]
            await self._open_days(booking.candidates, product, days)
            first_choice = [booking.preferred] if booking.candidates[:1] == [booking.preferred] else []
            slot = None
            for locations in (first_choice, booking.candidates):
                if locations and slot is None:
                    slot = await self._take(seats, locations, booking.persons, product, (days[0], days[-1]), span, ahead)
            taken.append((booking, slot) if slot else None)
            ahead[booking.preferred] -= booking.persons
        await self._record([pair for pair in taken if pair], product)
        return [self._appointment(*pair, product) if pair else None for pair in taken]

    async def open_booking_window(self, after: date) -> None:
        """Generate the slots of every location for the booking window after ``after`` now, so that
        the first bookings of the day do not wait while thousands of slots are written."""
        await self.take_booking_turn()
        days = booking_window(after, BOOKING_WINDOW_DAYS)
        for product in BOOKED_PRODUCTS:
            await self._open_days(list(LOCATIONS), product, days)
        # Fresh statistics at once, not at autovacuum's next round: planned against a table it still
        # believes empty, the booking query reads and sorts every free slot of the window (40 ms a
        # booking in a burst) instead of stopping at the first one (under 1 ms). The few days that
        # bookings open later do not change the plan, so they do not pay for an ANALYZE (100 ms).
        await self._conn.execute("analyze biometrics.slots")

    async def take_booking_turn(self) -> None:
        """Wait for the booking turn and hold it until the transaction ends: anything that changes
        seats, or decides what to book from what it read, takes it first."""
        if not self._has_turn:
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

    async def _take(
        self,
        seats: FreeSeats,
        locations: list[LocationCode],
        persons: int,
        product: AppointmentProduct,
        window: tuple[date, date],
        span: tuple[date, date],
        ahead: Counter,
    ) -> FreeSlot | None:
        while True:
            try:
                return seats.take(locations, persons, *window)
            except SlotsNotRead as more:
                await self._read_free(seats, more.location, product, span, ahead)

    async def _read_free(
        self, seats: FreeSeats, location: LocationCode, product: AppointmentProduct, span: tuple[date, date], ahead: Counter
    ) -> None:
        """Read the next free slots at ``location`` in ``span`` (the first to the last day of the
        batch's windows): as many as the bookings ahead that prefer it could take, and some more
        for those that end up there from elsewhere."""
        last = seats.last_read(location)
        after = (last.day, last.start) if last else (span[0] - timedelta(days=1), time.min)
        limit = ahead[location] + _READ_AHEAD
        rows = await self._conn.fetch(FREE_SLOTS_AFTER, product.value, location.value, *span, *after, limit)
        slots = [FreeSlot(r["slot_key"], location, r["day"], r["start_time"], r["end_time"], r["free"]) for r in rows]
        seats.add(location, slots, complete=len(rows) < limit)

    async def _record(self, taken: list[tuple[Booking, FreeSlot]], product: AppointmentProduct) -> None:
        if not taken:
            return
        await self._conn.execute(
            TAKE_SEATS,
            [slot.key for _, slot in taken],
            [booking.persons for booking, _ in taken],
        )
        await self._conn.execute(
            """insert into biometrics.appointments (appointment_id, case_id, product, slot_key, persons, attempt)
               select id, case_id, $3, slot_key, persons, attempt
               from unnest($1::text[], $2::uuid[], $4::text[], $5::int[], $6::int[]) as t (id, case_id, slot_key, persons, attempt)""",
            [_appointment_id(booking, slot) for booking, slot in taken],
            [booking.case.case_id for booking, _ in taken],
            product.value,
            [slot.key for _, slot in taken],
            [booking.persons for booking, _ in taken],
            [booking.attempt for booking, _ in taken],
        )

    @staticmethod
    def _appointment(booking: Booking, slot: FreeSlot, product: AppointmentProduct) -> Appointment:
        return Appointment(
            _appointment_id(booking, slot),
            booking.case.case_id,
            product,
            slot.location,
            slot.day,
            slot.start,
            slot.end,
            booking.persons,
            booking.attempt,
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

    async def appointments(self, appointment_ids: Collection[str]) -> dict[str, Appointment]:
        rows = await self._conn.fetch(
            """select a.*, s.location, s.day, s.start_time, s.end_time from biometrics.appointments a
               join biometrics.slots s using (slot_key) where a.appointment_id = any($1::text[])""",
            list(appointment_ids),
        )
        return {
            row["appointment_id"]: Appointment(
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
            for row in rows
        }

    async def cancel_later(self, corrected: Sequence[Appointment]) -> list[str]:
        """Cancel the appointments still booked for the case and product of each of ``corrected`` that
        were booked after it (its attempt or later ones: booked again because of its no-show), and free
        their seats; returns the ids of those cancelled."""
        if not corrected:
            return []
        await self.take_booking_turn()
        rows = await self._conn.fetch(
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

    async def set_no_show(self, appointment_ids: Sequence[str]) -> None:
        await self._conn.execute(
            "update biometrics.appointments set status = 'no_show' where appointment_id = any($1::text[])", list(appointment_ids)
        )

    async def no_shows(self, case_ids: Collection[UUID]) -> Counter[tuple[UUID, AppointmentProduct]]:
        """How many appointments of each product each of ``case_ids`` missed."""
        rows = await self._conn.fetch(
            """select case_id, product, count(*) as missed from biometrics.appointments
               where case_id = any($1::uuid[]) and status = 'no_show' group by case_id, product""",
            list(case_ids),
        )
        return Counter({(row["case_id"], AppointmentProduct(row["product"])): row["missed"] for row in rows})
