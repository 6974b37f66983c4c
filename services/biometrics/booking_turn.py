"""The booking turn: a batch of bookings of one product finds its seats and books them together.

The batch takes the agenda's booking turn (see ``agenda``), so the seats it reads stay as they are
until it commits. It reads each candidate location's earliest free slots, only as far as its
bookings need, hands them out in memory in the bookings' order (``free_seats``), and writes the seats
taken and the appointments with one statement each: a batch of a thousand registrations costs a few
statements, not a few thousand.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

from schemas.codes import AppointmentProduct, LocationCode
from services.biometrics.agenda import DeskAgenda
from services.biometrics.appointments import Appointment
from services.biometrics.cases import DeskCase
from services.biometrics.free_seats import FreeSeats, FreeSlot, SlotsNotRead
from services.biometrics.slots import BOOKING_WINDOW_DAYS, booking_window

# Slots read at a location beyond what the bookings left in the batch that prefer it could take:
# room for those that end up there from elsewhere, without a read for each of them.
_READ_AHEAD = 32


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


class FullyBooked(Exception):
    """No candidate location has a free slot in the booking window."""


async def book(
    agenda: DeskAgenda,
    case: DeskCase,
    product: AppointmentProduct,
    preferred: LocationCode,
    candidates: list[LocationCode],
    after: date,
    attempt: int,
    persons: int = 1,
) -> Appointment:
    """Book one appointment (see ``book_all``); ``FullyBooked`` when no candidate has room."""
    (appointment,) = await book_all(agenda, product, [Booking(case, preferred, candidates, after, attempt, persons)])
    if appointment is None:
        raise FullyBooked(f"no {product} slot for {persons} at {len(candidates)} locations in {BOOKING_WINDOW_DAYS} working days")
    return appointment


async def book_all(agenda: DeskAgenda, product: AppointmentProduct, bookings: Sequence[Booking]) -> list[Appointment | None]:
    """Book ``bookings`` in order, each in the earliest slot with room in its booking window;
    None for a booking whose candidates have none. One read of free slots per location booked
    at (more only when a location fills up) and one write for all of them."""
    if not bookings:
        return []
    await agenda.take_booking_turn()
    turn = _Turn(agenda, product, bookings)
    appointments: list[Appointment | None] = []
    taken: list[tuple[str, Appointment]] = []  # each appointment booked, with the key of its slot
    for booking in bookings:
        slot = await turn.seat(booking)
        if slot is None:
            appointments.append(None)
            continue
        appointment = _appointment(booking, slot, product)
        taken.append((slot.key, appointment))
        appointments.append(appointment)
    await agenda.take_seats(product, taken)
    return appointments


class _Turn:
    """The free seats of one product as a batch of bookings reads and takes them."""

    def __init__(self, agenda: DeskAgenda, product: AppointmentProduct, bookings: Sequence[Booking]) -> None:
        self._agenda = agenda
        self._product = product
        # Bookings of one batch may have windows of their own (one booked again after a no-show
        # starts after the missed day): slots are read from the first to the last day of them all.
        self._windows = {after: booking_window(after, BOOKING_WINDOW_DAYS) for after in {booking.after for booking in bookings}}
        self._span = (min(days[0] for days in self._windows.values()), max(days[-1] for days in self._windows.values()))
        self._seats = FreeSeats()
        self._ahead: Counter[LocationCode] = Counter()  # persons still to seat, by preferred location: how far to read there
        for booking in bookings:
            self._ahead[booking.preferred] += booking.persons

    async def seat(self, booking: Booking) -> FreeSlot | None:
        """The slot whose seats ``booking`` takes: at its preferred location if that is a candidate
        with room in the booking window, else the earliest of its candidates; None when none has room."""
        days = self._windows[booking.after]
        await self._agenda.open_days(booking.candidates, self._product, days)
        slot = None
        if booking.candidates[:1] == [booking.preferred]:
            slot = await self._take([booking.preferred], booking.persons, days[0], days[-1])
        if slot is None and booking.candidates:
            slot = await self._take(booking.candidates, booking.persons, days[0], days[-1])
        self._ahead[booking.preferred] -= booking.persons
        return slot

    async def _take(self, locations: list[LocationCode], persons: int, first: date, last: date) -> FreeSlot | None:
        while True:
            try:
                return self._seats.take(locations, persons, first, last)
            except SlotsNotRead as more:
                await self._read_more(more.location)

    async def _read_more(self, location: LocationCode) -> None:
        """Read the next free slots at ``location``: as many as the bookings ahead that prefer it
        could take, and some more for those that end up there from elsewhere."""
        last = self._seats.last_read(location)
        after = (last.day, last.start) if last else (self._span[0] - timedelta(days=1), time.min)
        limit = self._ahead[location] + _READ_AHEAD
        slots = await self._agenda.read_free_slots(location, self._product, self._span, after, limit)
        self._seats.add(location, slots, complete=len(slots) < limit)


def _appointment(booking: Booking, slot: FreeSlot, product: AppointmentProduct) -> Appointment:
    return Appointment(
        # the slot's key, then what makes the id unique in it: the case and the attempt
        f"{slot.key}-{booking.case.case_number}-{booking.attempt}",
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
