"""Booking desk appointments and saying so on ``ind.case.appointments.v1``.

A booking that a desk has room for is announced with ``AppointmentBooked``. One that no desk which
may receive the applicant has room for in the booking window is not the applicant's fault, so it
does not go to a caseworker: it waits on the waiting list (``AppointmentAwaitingSlot`` tells the
applicant), and a pass over the list in the background (``book_waiting_forever``) books it as soon
as a seat frees up (a cancellation, more capacity, a new day entering the window), announcing it
with ``AppointmentBooked`` as any other booking.
"""

import asyncio
from collections.abc import Callable
from datetime import date

from ind_runtime.logs import get_logger
from ind_runtime.unit_of_work import UnitOfWork
from schemas.appointments import AppointmentAwaitingSlot, AppointmentBooked, AppointmentData, AwaitingSlotData
from schemas.codes import AppointmentProduct, LocationCode
from schemas.envelope import CloudEvent
from schemas.topics import CASE_APPOINTMENTS
from services.biometrics.appointments import BOOKING_WINDOW_DAYS, Appointment, Booking, DeskAgenda, DeskCase
from services.biometrics.eligibility import candidate_locations
from services.biometrics.locations import LOCATIONS
from services.biometrics.policy import DeskPolicy
from services.biometrics.waiting_list import WaitingBooking, WaitingList

SOURCE = "urn:ind:biometrics"
WAITING_PAGE = 500  # waiting bookings booked in one transaction

log = get_logger(__name__)


def booking_for(case: DeskCase, preferred: LocationCode, after: date, attempt: int, persons: int = 1) -> Booking:
    return Booking(case, preferred, candidate_locations(case.application_type, preferred), after, attempt, persons)


async def book_or_wait(uow: UnitOfWork, agenda: DeskAgenda, product: AppointmentProduct, bookings: list[Booking]) -> list[Appointment]:
    """Book each of ``bookings`` and say so, or put it on the waiting list and say that (once a case:
    one already waiting for the product waits on as it is); returns the appointments booked."""
    booked: list[Appointment] = []
    full: list[Booking] = []
    for booking, appointment in zip(bookings, await agenda.book_all(product, bookings)):
        if appointment is None:
            full.append(booking)
        else:
            await _announce_booked(uow, booking.case, appointment)
            booked.append(appointment)
    newly_waiting = await WaitingList(uow.connection).add(product, full)
    for booking in full:
        case = booking.case
        if case.case_id not in newly_waiting:
            log.info("no free slot in the booking window; the case waits for one already", case_id=str(case.case_id), product=product.value)
            continue
        waiting = AwaitingSlotData(
            case_id=case.case_id, case_number=case.case_number, product=product, attempt=booking.attempt, window_days=BOOKING_WINDOW_DAYS
        )
        await announce(uow, case, AppointmentAwaitingSlot.create(waiting, source=SOURCE, subject=case.case_number))
        log.info("no free slot in the booking window; the booking waits for one", case_id=str(case.case_id), product=product.value)
    return booked


async def book_waiting(uow: UnitOfWork, policy: DeskPolicy, after_id: int = 0, limit: int = WAITING_PAGE) -> int | None:
    """Book what a desk now has room for of up to ``limit`` waiting bookings after ``after_id``,
    longest waiting first, each in the booking window after today (or after its own first day, if
    later), and commit. Returns the last waiting id read when there may be more to read, else None."""
    agenda = DeskAgenda(uow.connection, policy.capacity_overrides)
    await agenda.take_booking_turn()  # before reading the list: another worker's pass books none of it twice
    waiting_list = WaitingList(uow.connection)
    page = await waiting_list.oldest(after_id, limit)
    if not page:
        return None
    cases = await agenda.cases({waiting.case_id for waiting in page})
    today = policy.today()
    by_product: dict[AppointmentProduct, list[tuple[WaitingBooking, Booking]]] = {}
    for waiting in page:
        booking = booking_for(cases[waiting.case_id], waiting.preferred, max(waiting.after, today), waiting.attempt, waiting.persons)
        by_product.setdefault(waiting.product, []).append((waiting, booking))
    booked = []
    for product, entries in by_product.items():
        for (waiting, booking), appointment in zip(entries, await agenda.book_all(product, [booking for _, booking in entries])):
            if appointment is not None:
                await _announce_booked(uow, booking.case, appointment)
                booked.append(waiting.waiting_id)
    await waiting_list.remove(booked)
    await uow.commit()
    if booked:
        log.info("waiting bookings booked", booked=len(booked), still_waiting=len(page) - len(booked))
    return page[-1].waiting_id if len(page) == limit else None


async def book_waiting_forever(unit_of_work: Callable[[], UnitOfWork], policy: DeskPolicy, interval_s: float) -> None:
    """Go through the whole waiting list every ``interval_s``, for as long as the worker runs."""
    while True:
        try:
            after_id: int | None = 0
            while after_id is not None:
                async with unit_of_work() as uow:
                    after_id = await book_waiting(uow, policy, after_id)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - the pass outlives an outage; the list stays
            log.warning("booking waiting appointments failed; will try again", error=type(error).__name__)
        await asyncio.sleep(interval_s)


async def announce(uow: UnitOfWork, case: DeskCase, event: CloudEvent) -> None:
    await uow.emit(CASE_APPOINTMENTS.name, str(case.case_id), event)


async def _announce_booked(uow: UnitOfWork, case: DeskCase, appointment: Appointment) -> None:
    await announce(uow, case, AppointmentBooked.create(_appointment_data(case, appointment), source=SOURCE, subject=case.case_number))
    log.debug("appointment booked", product=appointment.product.value, location=appointment.location.value, attempt=appointment.attempt)


def _appointment_data(case: DeskCase, appointment: Appointment) -> AppointmentData:
    location = LOCATIONS[appointment.location]
    return AppointmentData(
        case_id=case.case_id,
        case_number=case.case_number,
        appointment_id=appointment.appointment_id,
        product=appointment.product,
        location=appointment.location,
        location_name=location.name,
        address=location.address,
        date=appointment.day,
        start_time=appointment.start,
        end_time=appointment.end,
        persons=appointment.persons,
        attempt=appointment.attempt,
    )
