"""Booking desk appointments and saying so on ``ind.case.appointments.v1``.

A booking that a desk has room for is announced with ``AppointmentBooked``. One that no desk which
may receive the applicant has room for in the booking window is not the applicant's fault, so it
does not go to a caseworker: it waits on the waiting list (``AppointmentAwaitingSlot`` tells the
applicant), and a timer's pass over the list (``WaitingListPass``) books it as soon
as a seat frees up (a cancellation, more capacity, a new day entering the window), announcing it
with ``AppointmentBooked`` as any other booking.
"""

from datetime import date

from ind_runtime.logs import get_logger
from schemas.appointments import AppointmentAwaitingSlot, AppointmentBooked, AppointmentData, AwaitingSlotData
from schemas.codes import AppointmentProduct, LocationCode
from schemas.envelope import CloudEvent
from schemas.topics import CASE_APPOINTMENTS
from services.biometrics.appointments import Appointment
from services.biometrics.booking_turn import Booking, book_all
from services.biometrics.cases import DeskCase
from services.biometrics.eligibility import candidate_locations
from services.biometrics.locations import LOCATIONS
from services.biometrics.policy import DeskPolicy
from services.biometrics.slots import BOOKING_WINDOW_DAYS
from services.biometrics.unit_of_work import DeskUnitOfWork
from services.biometrics.waiting_list import WaitingBooking

SOURCE = "urn:ind:biometrics"
WAITING_PAGE = 500  # waiting bookings booked in one transaction

log = get_logger(__name__)


def booking_for(case: DeskCase, preferred: LocationCode, after: date, attempt: int, persons: int = 1) -> Booking:
    return Booking(case, preferred, candidate_locations(case.application_type, preferred), after, attempt, persons)


async def book_or_wait(uow: DeskUnitOfWork, product: AppointmentProduct, bookings: list[Booking]) -> list[Appointment]:
    """Book each of ``bookings`` and say so, or put it on the waiting list and say that (once a case:
    one already waiting for the product waits on as it is); returns the appointments booked."""
    booked: list[Appointment] = []
    full: list[Booking] = []
    for booking, appointment in zip(bookings, await book_all(uow.agenda, product, bookings), strict=True):
        if appointment is None:
            full.append(booking)
        else:
            await _announce_booked(uow, booking.case, appointment)
            booked.append(appointment)
    newly_waiting = await uow.waiting_list.add(product, full)
    for booking in full:
        case = booking.case
        if case.case_id not in newly_waiting:
            log.info(
                "no free slot in the booking window; the case waits for one already",
                case_id=str(case.case_id),
                product=product.value,
            )
            continue
        waiting = AwaitingSlotData(
            case_id=case.case_id,
            case_number=case.case_number,
            product=product,
            attempt=booking.attempt,
            window_days=BOOKING_WINDOW_DAYS,
        )
        await announce(uow, case, AppointmentAwaitingSlot.create(waiting, source=SOURCE, subject=case.case_number))
        log.info(
            "no free slot in the booking window; the booking waits for one", case_id=str(case.case_id), product=product.value
        )
    return booked


async def book_waiting(uow: DeskUnitOfWork, policy: DeskPolicy, after_id: int = 0, limit: int = WAITING_PAGE) -> int | None:
    """Book what a desk now has room for of up to ``limit`` waiting bookings after ``after_id``,
    longest waiting first, each in the booking window after today (or after its own first day, if
    later), and commit. Returns the last waiting id read when there may be more to read, else None."""
    await uow.agenda.take_booking_turn()  # before reading the list: another worker's pass books none of it twice
    page = await uow.waiting_list.oldest(after_id, limit)
    if not page:
        return None
    cases = await uow.cases.get_many({waiting.case_id for waiting in page})
    today = policy.today()
    by_product: dict[AppointmentProduct, list[tuple[WaitingBooking, Booking]]] = {}
    for waiting in page:
        booking = booking_for(
            cases[waiting.case_id], waiting.preferred, max(waiting.after, today), waiting.attempt, waiting.persons
        )
        by_product.setdefault(waiting.product, []).append((waiting, booking))
    booked = []
    for product, entries in by_product.items():
        for (waiting, booking), appointment in zip(
            entries, await book_all(uow.agenda, product, [booking for _, booking in entries]), strict=True
        ):
            if appointment is not None:
                await _announce_booked(uow, booking.case, appointment)
                booked.append(waiting.waiting_id)
    await uow.waiting_list.remove(booked)
    await uow.commit()
    if booked:
        log.info("waiting bookings booked", booked=len(booked), still_waiting=len(page) - len(booked))
    return page[-1].waiting_id if len(page) == limit else None


class WaitingListPass:
    """A pass through the whole waiting list, a page at a time (a timer's job: ``Every``): each call
    books what it can of the next page and says whether a page may follow at once."""

    def __init__(self, policy: DeskPolicy) -> None:
        self._policy = policy
        self._after_id = 0

    async def __call__(self, uow: DeskUnitOfWork) -> int:
        """``WAITING_PAGE`` when the next page follows at once, 0 when the list is through."""
        after_id = await book_waiting(uow, self._policy, self._after_id)
        self._after_id = after_id or 0
        return WAITING_PAGE if after_id is not None else 0


async def announce(uow: DeskUnitOfWork, case: DeskCase, event: CloudEvent) -> None:
    await uow.emit(CASE_APPOINTMENTS.name, str(case.case_id), event)


async def _announce_booked(uow: DeskUnitOfWork, case: DeskCase, appointment: Appointment) -> None:
    await announce(
        uow, case, AppointmentBooked.create(appointment_data(case, appointment), source=SOURCE, subject=case.case_number)
    )
    log.debug(
        "appointment booked", product=appointment.product.value, location=appointment.location.value, attempt=appointment.attempt
    )


def appointment_data(case: DeskCase, appointment: Appointment) -> AppointmentData:
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
