"""The desk service's unit of work and repositories in memory, for unit tests of its handlers' rules
without PostgreSQL (as cosmicpython's ``FakeUnitOfWork``).

Each repository takes every call the real one does (but the slot search API's ``free_slots``, which
no unit of work serves; ``test_desk_fakes.py`` holds them to it) and answers as its SQL does. Slots
are cut by the service's own slot arithmetic and capacity (``slots_on``, ``capacity_for``), and
bookings go through the real booking turn (``booking_turn.book_all``), which only calls the
agenda's methods: what a test books here is what the service would book.

A ``FakeDesk`` is the database: its units of work (``fake_unit_of_work``, with the desk's
repositories on them) see what committed ones left, and one that ends without ``commit()`` leaves
nothing, as a transaction.
"""

import copy
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, time
from operator import attrgetter
from uuid import UUID

from schemas.codes import AppointmentProduct, LocationCode
from services.biometrics.agenda import SlotSeats
from services.biometrics.appointments import Appointment
from services.biometrics.booking_turn import Booking
from services.biometrics.capacity import Overrides, capacity_for
from services.biometrics.cases import DeskCase
from services.biometrics.free_seats import FreeSlot
from services.biometrics.locations import LOCATIONS
from services.biometrics.slots import BOOKED_PRODUCTS, BOOKING_WINDOW_DAYS, Slot, booking_window, slots_on
from services.biometrics.waiting_list import WaitingBooking
from tests.unit.alert_fakes import FakeSlotAlerts, KeptAlert
from tests.unit.fake_unit_of_work import Emitted, FakeUnitOfWork
from tests.unit.self_service_fakes import FakeApplicantBookings, FakeHolds, HeldSeats, KeptBooking, moved, slot_seats


@dataclass
class DeskTables:
    """What the desk service's tables hold. Every value is immutable, so a copy of each collection
    is a snapshot of them all (the rollback of a unit of work), however many slots are open."""

    cases: dict[UUID, DeskCase] = field(default_factory=dict)
    slots: dict[str, Slot] = field(default_factory=dict)
    booked: Counter[str] = field(default_factory=Counter)  # seats taken, by slot key
    open_days: set[tuple[LocationCode, AppointmentProduct, date]] = field(default_factory=set)
    appointments: dict[str, tuple[str, Appointment]] = field(default_factory=dict)  # by id: the slot key and the appointment
    waiting: dict[int, WaitingBooking] = field(default_factory=dict)  # by waiting id, in the order they came
    last_waiting_id: int = 0  # an identity column: an id is never given twice
    holds: dict[bytes, HeldSeats] = field(default_factory=dict)  # by the hold id's hash
    bookings: dict[str, KeptBooking] = field(default_factory=dict)  # applicants' own, by appointment id
    alerts: dict[UUID, KeptAlert] = field(default_factory=dict)  # applicants' alerts for free slots, by alert id

    def snapshot(self) -> "DeskTables":
        return DeskTables(**{name: copy.copy(value) for name, value in vars(self).items()})

    def free(self, slot: Slot) -> int:
        return slot.capacity - self.booked[slot.key]


class FakeDesk:
    """The desk service's database, in memory, for desks with ``capacity_overrides``."""

    def __init__(self, capacity_overrides: Overrides | None = None) -> None:
        self.tables = DeskTables()
        self.capacity_overrides = capacity_overrides or {}
        self.inbox: set[tuple[str, str]] = set()  # (consumer, event id)
        self.outbox: list[Emitted] = []  # what committed units of work emitted, in order

    def unit_of_work(self) -> "FakeDeskUnitOfWork":
        return FakeDeskUnitOfWork(self)

    def snapshot(self) -> tuple[DeskTables, set[tuple[str, str]]]:
        return self.tables.snapshot(), set(self.inbox)

    def restore(self, snapshot: tuple[DeskTables, set[tuple[str, str]]]) -> None:
        self.tables, self.inbox = snapshot

    def appointments_of(self, case_id: UUID, product: AppointmentProduct = AppointmentProduct.BIOMETRICS) -> list[Appointment]:
        """The case's appointments of ``product``, by attempt."""
        of_case = [appointment for _key, appointment in self.tables.appointments.values() if appointment.case_id == case_id]
        return sorted((appointment for appointment in of_case if appointment.product == product), key=attrgetter("attempt"))

    def seats_booked(self) -> int:
        return sum(self.tables.booked.values())


class FakeDeskUnitOfWork(FakeUnitOfWork):
    """``DeskUnitOfWork`` in memory: the desk's repositories over the tables of ``desk``."""

    def __init__(self, desk: FakeDesk) -> None:
        super().__init__(desk)
        self._desk = desk

    async def __aenter__(self) -> "FakeDeskUnitOfWork":
        await super().__aenter__()
        tables = self._desk.tables
        self.cases = FakeDeskCases(tables)
        self.appointments = FakeAppointments(tables)
        self.agenda = FakeDeskAgenda(tables, self._desk.capacity_overrides)
        self.waiting_list = FakeWaitingList(tables)
        self.holds = FakeHolds(tables)
        self.bookings = FakeApplicantBookings(tables)
        self.alerts = FakeSlotAlerts(tables)
        return self


class FakeDeskCases:
    def __init__(self, tables: DeskTables) -> None:
        self._tables = tables

    async def add(self, cases: Sequence[DeskCase]) -> None:
        for case in cases:
            self._tables.cases.setdefault(case.case_id, replace(case, biometrics_location=None, document_number=None))

    async def get(self, case_id: UUID) -> DeskCase | None:
        return self._tables.cases.get(case_id)

    async def get_many(self, case_ids: Collection[UUID]) -> dict[UUID, DeskCase]:
        return {case_id: self._tables.cases[case_id] for case_id in case_ids if case_id in self._tables.cases}

    async def by_number(self, case_number: str) -> DeskCase | None:
        return next((case for case in self._tables.cases.values() if case.case_number == case_number), None)

    async def set_document_numbers(self, numbers: Mapping[UUID, str]) -> None:
        for case_id, number in numbers.items():
            self._tables.cases[case_id] = replace(self._tables.cases[case_id], document_number=number)

    async def set_biometrics_locations(self, locations: Mapping[UUID, LocationCode]) -> None:
        for case_id, location in locations.items():
            self._tables.cases[case_id] = replace(self._tables.cases[case_id], biometrics_location=location)


class FakeAppointments:
    def __init__(self, tables: DeskTables) -> None:
        self._tables = tables

    async def get_many(self, appointment_ids: Collection[str]) -> dict[str, Appointment]:
        found = (self._tables.appointments.get(appointment_id) for appointment_id in appointment_ids)
        return {appointment.appointment_id: appointment for _key, appointment in filter(None, found)}

    async def of_case(self, case_id: UUID, product: AppointmentProduct) -> list[Appointment]:
        of_case = (a for _key, a in self._tables.appointments.values() if (a.case_id, a.product) == (case_id, product))
        return sorted(of_case, key=attrgetter("attempt"))

    async def set_attended(self, appointment_ids: Sequence[str]) -> None:
        self._set_status("attended", appointment_ids)

    async def set_no_show(self, appointment_ids: Sequence[str]) -> None:
        self._set_status("no_show", appointment_ids)

    def _set_status(self, status: str, appointment_ids: Sequence[str]) -> None:
        for appointment_id in appointment_ids:
            key, appointment = self._tables.appointments[appointment_id]
            self._tables.appointments[appointment_id] = (key, replace(appointment, status=status))

    async def no_shows(self, case_ids: Collection[UUID]) -> Counter[tuple[UUID, AppointmentProduct]]:
        return Counter(
            (appointment.case_id, appointment.product)
            for _key, appointment in self._tables.appointments.values()
            if appointment.case_id in case_ids and appointment.status == "no_show"
        )


class FakeDeskAgenda:
    """The agenda in memory; ``has_turn`` says whether the unit of work took the booking turn."""

    def __init__(self, tables: DeskTables, capacity_overrides: Overrides) -> None:
        self._tables = tables
        self._overrides = capacity_overrides
        self.has_turn = False

    async def take_booking_turn(self) -> None:
        self.has_turn = True

    async def open_booking_window(self, after: date) -> None:
        await self.take_booking_turn()
        for product in BOOKED_PRODUCTS:
            await self.open_days(list(LOCATIONS), product, booking_window(after, BOOKING_WINDOW_DAYS))

    async def open_days(self, locations: list[LocationCode], product: AppointmentProduct, days: list[date]) -> None:
        for location in locations:
            for day in days:
                if (location, product, day) not in self._tables.open_days:
                    self._tables.open_days.add((location, product, day))
                    for slot in slots_on(location, product, day, capacity_for(location, product, self._overrides)):
                        self._tables.slots.setdefault(slot.key, slot)

    async def read_free_slots(
        self, location: LocationCode, product: AppointmentProduct, span: tuple[date, date], after: tuple[date, time], limit: int
    ) -> list[FreeSlot]:
        def wanted(slot: Slot) -> bool:
            return (
                (slot.location, slot.product) == (location, product)
                and span[0] <= slot.date <= span[1]
                and (slot.date, slot.start) > after
            )

        free = sorted(
            (slot for slot in self._tables.slots.values() if self._tables.free(slot) > 0 and wanted(slot)),
            key=lambda slot: (slot.date, slot.start),
        )
        return [FreeSlot(slot.key, location, slot.date, slot.start, slot.end, self._tables.free(slot)) for slot in free[:limit]]

    async def take_seats(self, product: AppointmentProduct, booked: Sequence[tuple[str, Appointment]]) -> None:
        for key, appointment in booked:
            # what the check constraint slot_within_capacity refuses: a booking turn never gets this far
            assert appointment.persons <= self._tables.free(self._tables.slots[key]), f"slot {key} overbooked"
            self._tables.booked[key] += appointment.persons
            self._tables.appointments[appointment.appointment_id] = (key, appointment)

    async def slot(self, slot_key: str) -> SlotSeats | None:
        return slot_seats(self._tables, slot_key)

    async def move(self, appointment_id: str, slot_key: str, persons: int) -> int | None:
        await self.take_booking_turn()
        return moved(self._tables, appointment_id, slot_key, persons)

    async def cancel(self, appointment_id: str) -> int | None:
        await self.take_booking_turn()
        key, appointment = self._tables.appointments[appointment_id]
        if appointment.status != "booked":
            return None
        self._tables.booked[key] -= appointment.persons
        self._tables.appointments[appointment_id] = (
            key,
            replace(appointment, status="cancelled", sequence=appointment.sequence + 1),
        )
        return appointment.sequence + 1

    async def cancel_later(self, corrected: Sequence[Appointment]) -> list[str]:
        await self.take_booking_turn()
        cancelled = []
        for key, appointment in list(self._tables.appointments.values()):
            if appointment.status == "booked" and any(_later(appointment, earlier) for earlier in corrected):
                self._tables.appointments[appointment.appointment_id] = (key, replace(appointment, status="cancelled"))
                self._tables.booked[key] -= appointment.persons
                cancelled.append(appointment.appointment_id)
        return cancelled


def _later(booked: Appointment | WaitingBooking, earlier: Appointment) -> bool:
    """Whether ``booked`` is a later attempt at ``earlier``'s case and product (booked again after its no-show)."""
    return (booked.case_id, booked.product) == (earlier.case_id, earlier.product) and booked.attempt > earlier.attempt


class FakeWaitingList:
    def __init__(self, tables: DeskTables) -> None:
        self._tables = tables

    async def add(self, product: AppointmentProduct, bookings: Sequence[Booking]) -> set[UUID]:
        waiting = {(entry.case_id, entry.product) for entry in self._tables.waiting.values()}
        added = set()
        for booking in bookings:
            if (booking.case.case_id, product) not in waiting:  # unique (case_id, product)
                self._tables.last_waiting_id += 1
                entry = WaitingBooking(
                    self._tables.last_waiting_id,
                    booking.case.case_id,
                    product,
                    booking.preferred,
                    booking.after,
                    booking.attempt,
                    booking.persons,
                )
                self._tables.waiting[entry.waiting_id] = entry
                waiting.add((entry.case_id, product))
                added.add(entry.case_id)
        return added

    async def oldest(self, after_id: int, limit: int) -> list[WaitingBooking]:
        return [entry for waiting_id, entry in sorted(self._tables.waiting.items()) if waiting_id > after_id][:limit]

    async def remove(self, waiting_ids: Sequence[int]) -> None:
        for waiting_id in waiting_ids:
            del self._tables.waiting[waiting_id]

    async def withdraw(self, case_id: UUID, product: AppointmentProduct) -> bool:
        found = [
            waiting_id
            for waiting_id, entry in self._tables.waiting.items()
            if (entry.case_id, entry.product) == (case_id, product)
        ]
        await self.remove(found)
        return bool(found)

    async def drop_later(self, corrected: Sequence[Appointment]) -> int:
        dropped = [
            waiting_id
            for waiting_id, entry in self._tables.waiting.items()
            if any(_later(entry, earlier) for earlier in corrected)
        ]
        await self.remove(dropped)
        return len(dropped)
