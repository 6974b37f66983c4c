"""The desk service's handlers: book appointments, and act on what the desks report."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from ind_runtime.logs import get_logger
from ind_runtime.processing import NotReady
from ind_runtime.records import Unprocessable
from ind_runtime.unit_of_work import UnitOfWork
from schemas.applicant import EndorsementStickerRequested
from schemas.appointments import (
    AppointmentBooked,
    AppointmentData,
    BiometricsCompleted,
    BiometricsCompletedData,
    CaseFlagged,
    CaseFlaggedData,
)
from schemas.cases import CaseRegistered
from schemas.codes import AppointmentProduct, LocationCode
from schemas.desk import AppointmentNoShow, BiometricsCaptured, DocumentCollected
from schemas.lifecycle import DocumentProduced
from schemas.topics import CASE_APPOINTMENTS
from services.biometrics.appointments import BOOKING_WINDOW_DAYS, Appointment, Booking, DeskAgenda, DeskCase
from services.biometrics.eligibility import candidate_locations, needs_desk_biometrics
from services.biometrics.locations import LOCATIONS

CONSUMER = "biometrics"
SOURCE = "urn:ind:biometrics"

log = get_logger(__name__)


@dataclass(frozen=True)
class DeskPolicy:
    no_show_limit: int
    capacity_overrides: dict
    today: Callable[[], date]


async def cases_registered(events: Sequence[CaseRegistered], uow: UnitOfWork, policy: DeskPolicy) -> None:
    """Take on each new case (each registration once, however often it comes): book its biometrics
    appointment, or say that none is needed at a desk. A batch's cases are added and booked together,
    with a few statements for all of them."""
    unseen = await uow.first_times(CONSUMER, [event.id for event in events])
    cases = []
    for event in events:
        if event.id in unseen:
            unseen.discard(event.id)  # a second one with this id in the batch is a duplicate
            data = event.data
            cases.append(DeskCase(data.case_id, data.case_number, data.application_type, data.preferred_location, None))
    if not cases:
        return
    agenda = DeskAgenda(uow.connection, policy.capacity_overrides)
    await agenda.add_cases(cases)
    for case in cases:
        if not needs_desk_biometrics(case.application_type):
            completed = BiometricsCompletedData(case_id=case.case_id, case_number=case.case_number, captured=False)
            await _emit(uow, case, BiometricsCompleted.create(completed, source=SOURCE, subject=case.case_number))
    bookings = [_booking(case, case.preferred_location, 1) for case in cases if needs_desk_biometrics(case.application_type)]
    await _book_all(uow, agenda, AppointmentProduct.BIOMETRICS, policy.today(), bookings)
    await uow.commit()


async def biometrics_captured(event: BiometricsCaptured, uow: UnitOfWork, policy: DeskPolicy) -> None:
    if not await uow.first_time(CONSUMER, event.id):
        return
    agenda = DeskAgenda(uow.connection, policy.capacity_overrides)
    case, appointment = await _reported(agenda, event.data.case_id, event.data.appointment_id, AppointmentProduct.BIOMETRICS)
    if appointment.status == "booked":
        await agenda.set_status(appointment.appointment_id, "attended")
        await agenda.set_biometrics_location(case.case_id, appointment.location)
        completed = BiometricsCompletedData(
            case_id=case.case_id, case_number=case.case_number, captured=True, location=appointment.location
        )
        await _emit(uow, case, BiometricsCompleted.create(completed, source=SOURCE, subject=case.case_number))
    await uow.commit()


async def appointment_missed(event: AppointmentNoShow, uow: UnitOfWork, policy: DeskPolicy) -> None:
    """Book again after a no-show; after ``no_show_limit`` of them, hand the case to a caseworker."""
    if not await uow.first_time(CONSUMER, event.id):
        return
    agenda = DeskAgenda(uow.connection, policy.capacity_overrides)
    case, appointment = await _reported(agenda, event.data.case_id, event.data.appointment_id, event.data.product)
    if appointment.status == "booked":
        await agenda.set_status(appointment.appointment_id, "no_show")
        missed = await agenda.no_shows(case.case_id, appointment.product)
        if missed >= policy.no_show_limit:
            await _flag(uow, case, f"no-show at {missed} {appointment.product.value} appointments", missed)
        else:
            after = max(policy.today(), appointment.day)
            await _book(uow, agenda, case, appointment.product, appointment.location, after, missed + 1)
    await uow.commit()


async def document_collected(event: DocumentCollected, uow: UnitOfWork, policy: DeskPolicy) -> None:
    if not await uow.first_time(CONSUMER, event.id):
        return
    agenda = DeskAgenda(uow.connection, policy.capacity_overrides)
    _case, appointment = await _reported(agenda, event.data.case_id, event.data.appointment_id, AppointmentProduct.DOCUMENT_PICKUP)
    await agenda.set_status(appointment.appointment_id, "attended")
    await uow.commit()


async def documents_produced(events: Sequence[DocumentProduced], uow: UnitOfWork, policy: DeskPolicy) -> list[DocumentProduced]:
    """Book each produced document's pickup (each event once), in one booking turn for them all.
    Returns the events about a case not registered here yet, with every later one about it, to
    wait for its registration."""
    agenda = DeskAgenda(uow.connection, policy.capacity_overrides)
    cases = await agenda.cases({event.data.case_id for event in events})
    waiting: set[UUID] = set()
    left, taken = [], []
    for event in events:
        case_id = event.data.case_id
        if case_id in waiting or case_id not in cases:
            waiting.add(case_id)
            left.append(event)
        else:
            taken.append(event)
    unseen = await uow.first_times(CONSUMER, [event.id for event in taken]) if taken else set()
    bookings = []
    for event in taken:
        if event.id in unseen:
            unseen.discard(event.id)  # a second one with this id in the batch is a duplicate
            bookings.append(_booking(cases[event.data.case_id], event.data.pickup_location, 1))
    if bookings:
        await _book_all(uow, agenda, AppointmentProduct.DOCUMENT_PICKUP, policy.today(), bookings)
        await uow.commit()
    return left


async def sticker_requested(event: EndorsementStickerRequested, uow: UnitOfWork, policy: DeskPolicy) -> None:
    if not await uow.first_time(CONSUMER, event.id):
        return
    agenda = DeskAgenda(uow.connection, policy.capacity_overrides)
    case = await agenda.case(event.data.case_id)
    if case is None or case.case_number != event.data.case_number:
        raise Unprocessable(f"no case {event.data.case_number} with id {event.data.case_id}")
    await _book(uow, agenda, case, AppointmentProduct.ENDORSEMENT_STICKER, event.data.preferred_location, policy.today(), 1)
    await uow.commit()


async def _reported(agenda: DeskAgenda, case_id, appointment_id: str, product: AppointmentProduct):
    """The case and appointment a desk reports on; a report about neither is unprocessable."""
    appointment = await agenda.appointment(appointment_id)
    if appointment is None or appointment.case_id != case_id or appointment.product != product:
        raise Unprocessable(f"no {product.value} appointment {appointment_id!r} for case {case_id}")
    case = await agenda.case(case_id)
    assert case is not None
    return case, appointment


async def _book(
    uow: UnitOfWork,
    agenda: DeskAgenda,
    case: DeskCase,
    product: AppointmentProduct,
    preferred: LocationCode,
    after: date,
    attempt: int,
) -> None:
    await _book_all(uow, agenda, product, after, [_booking(case, preferred, attempt)])


async def _book_all(uow: UnitOfWork, agenda: DeskAgenda, product: AppointmentProduct, after: date, bookings: list[Booking]) -> None:
    """Book each of ``bookings`` and say so, or flag its case for a caseworker when no desk has room."""
    for booking, appointment in zip(bookings, await agenda.book_all(product, after, bookings)):
        case = booking.case
        if appointment is None:
            reason = f"no {product} slot at any desk serving {case.application_type} in {BOOKING_WINDOW_DAYS} working days"
            await _flag(uow, case, reason, 0)
        else:
            await _emit(uow, case, AppointmentBooked.create(_appointment_data(case, appointment), source=SOURCE, subject=case.case_number))
            log.debug("appointment booked", product=product.value, location=appointment.location.value, attempt=appointment.attempt)


def _booking(case: DeskCase, preferred: LocationCode, attempt: int) -> Booking:
    return Booking(case, preferred, candidate_locations(case.application_type, preferred), attempt)


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


async def _flag(uow: UnitOfWork, case: DeskCase, reason: str, no_shows: int) -> None:
    flagged = CaseFlaggedData(case_id=case.case_id, case_number=case.case_number, reason=reason, no_shows=no_shows)
    await _emit(uow, case, CaseFlagged.create(flagged, source=SOURCE, subject=case.case_number))
    log.info("case flagged for a caseworker", reason=reason)


async def _emit(uow: UnitOfWork, case: DeskCase, event) -> None:
    await uow.emit(CASE_APPOINTMENTS.name, str(case.case_id), event)
