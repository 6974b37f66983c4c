"""The repositories of applicants' own bookings in memory (``holds``, ``applicant_bookings``), and
the agenda's seat reads and moves they need, over the desk's tables of ``desk_fakes``.

Each answers as its SQL does: a hold takes its seats in the slot as a booking does, an expired one
(by the wall clock, as ``now()``) is released by ``release_expired``, and only a live one is claimed.
"""

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from services.biometrics.agenda import SlotSeats
from services.biometrics.applicant_bookings import ApplicantBooking
from services.biometrics.holds import Hold

if TYPE_CHECKING:
    from tests.unit.desk_fakes import DeskTables


@dataclass(frozen=True)
class HeldSeats:
    slot_key: str
    persons: int
    client: bytes
    expires_at: datetime


@dataclass(frozen=True)
class KeptBooking:
    booking: ApplicantBooking
    token_hash: bytes


def slot_seats(tables: "DeskTables", slot_key: str) -> SlotSeats | None:
    slot = tables.slots.get(slot_key)
    return SlotSeats(slot, tables.booked[slot_key]) if slot is not None else None


def moved(tables: "DeskTables", appointment_id: str, slot_key: str, persons: int) -> int | None:
    """``DeskAgenda.move``: the booked appointment's seats leave its slot and are taken in ``slot_key``."""
    key, appointment = tables.appointments[appointment_id]
    if appointment.status != "booked":
        return None
    slot = tables.slots[slot_key]
    tables.booked[key] -= appointment.persons
    tables.booked[slot_key] += persons
    assert tables.booked[slot_key] <= slot.capacity, f"slot {slot_key} overbooked"  # slot_within_capacity
    changed = replace(
        appointment,
        location=slot.location,
        day=slot.date,
        start=slot.start,
        end=slot.end,
        persons=persons,
        sequence=appointment.sequence + 1,
    )
    tables.appointments[appointment_id] = (slot_key, changed)
    return changed.sequence


class FakeHolds:
    def __init__(self, tables: "DeskTables") -> None:
        self._tables = tables

    async def place(self, hold_hash: bytes, slot_key: str, persons: int, client_hash: bytes, lasting: timedelta) -> datetime:
        self._tables.booked[slot_key] += persons
        assert self._tables.booked[slot_key] <= self._tables.slots[slot_key].capacity, f"slot {slot_key} overbooked"
        expires_at = datetime.now(UTC) + lasting
        self._tables.holds[hold_hash] = HeldSeats(slot_key, persons, client_hash, expires_at)
        return expires_at

    async def live_of(self, client_hash: bytes) -> int:
        now = datetime.now(UTC)
        return sum(1 for held in self._tables.holds.values() if held.client == client_hash and held.expires_at > now)

    async def claim(self, slot_key: str, persons: int, client_hash: bytes, hold_hash: bytes | None) -> Hold | None:
        now = datetime.now(UTC)
        live = sorted(
            (
                (held.expires_at, found)
                for found, held in self._tables.holds.items()
                if held.slot_key == slot_key
                and held.expires_at > now
                and (found == hold_hash if hold_hash is not None else (held.client, held.persons) == (client_hash, persons))
            ),
        )
        if not live:
            return None
        held = self._tables.holds.pop(live[0][1])
        self._tables.booked[held.slot_key] -= held.persons
        return Hold(held.slot_key, held.persons, held.expires_at)

    async def release_expired(self, limit: int) -> int:
        now = datetime.now(UTC)
        expired = sorted((held.expires_at, found) for found, held in self._tables.holds.items() if held.expires_at <= now)[:limit]
        for _at, found in expired:
            held = self._tables.holds.pop(found)
            self._tables.booked[held.slot_key] -= held.persons
        return len(expired)


class FakeApplicantBookings:
    def __init__(self, tables: "DeskTables") -> None:
        self._tables = tables

    async def add(self, booking: ApplicantBooking, token_hash: bytes) -> None:
        assert booking.appointment_id not in self._tables.bookings and not await self.code_taken(booking.booking_code)
        self._tables.bookings[booking.appointment_id] = KeptBooking(booking, token_hash)

    async def code_taken(self, booking_code: str) -> bool:
        return any(kept.booking.booking_code == booking_code for kept in self._tables.bookings.values())

    async def by_token(self, token_hash: bytes) -> ApplicantBooking | None:
        return next((kept.booking for kept in self._tables.bookings.values() if kept.token_hash == token_hash), None)

    async def of_appointment(self, appointment_id: str) -> ApplicantBooking | None:
        kept = self._tables.bookings.get(appointment_id)
        return kept.booking if kept else None

    async def renew_token(self, appointment_id: str, token_hash: bytes) -> None:
        kept = self._tables.bookings.get(appointment_id)
        if kept is not None:
            self._tables.bookings[appointment_id] = KeptBooking(kept.booking, token_hash)
