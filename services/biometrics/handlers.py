"""The desk service's handlers: book appointments, and act on what the desks report."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from uuid import UUID

from ind_runtime.logs import get_logger
from ind_runtime.records import Unprocessable
from ind_runtime.routing import split_by_case
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
    cases = [
        DeskCase(e.data.case_id, e.data.case_number, e.data.application_type, e.data.preferred_location, None)
        for e in await uow.new_events(CONSUMER, events)
    ]
    if not cases:
        return
    agenda = DeskAgenda(uow.connection, policy.capacity_overrides)
    await agenda.add_cases(cases)
    for case in cases:
        if not needs_desk_biometrics(case.application_type):
            completed = BiometricsCompletedData(case_id=case.case_id, case_number=case.case_number, captured=False)
            await _emit(uow, case, BiometricsCompleted.create(completed, source=SOURCE, subject=case.case_number))
    today = policy.today()
    bookings = [_booking(case, case.preferred_location, today, 1) for case in cases if needs_desk_biometrics(case.application_type)]
    await _book_all(uow, agenda, AppointmentProduct.BIOMETRICS, bookings)
    await uow.commit()


async def documents_produced(events: Sequence[DocumentProduced], uow: UnitOfWork, policy: DeskPolicy) -> list[DocumentProduced]:
    """Book each produced document's pickup (each event once), in one booking turn for them all.
    Returns the events about a case not registered here yet, with every later one about it, to
    wait for its registration."""
    agenda = DeskAgenda(uow.connection, policy.capacity_overrides)
    cases = await agenda.cases({event.data.case_id for event in events})
    taken, left = split_by_case(events, cases)
    today = policy.today()
    bookings = [_booking(cases[e.data.case_id], e.data.pickup_location, today, 1) for e in await uow.new_events(CONSUMER, taken)]
    if bookings:
        await _book_all(uow, agenda, AppointmentProduct.DOCUMENT_PICKUP, bookings)
        await uow.commit()
    return left


DeskReport = BiometricsCaptured | AppointmentNoShow | DocumentCollected
_REPORTED_PRODUCT = {BiometricsCaptured: AppointmentProduct.BIOMETRICS, DocumentCollected: AppointmentProduct.DOCUMENT_PICKUP}


async def desk_reports(events: Sequence[DeskReport], uow: UnitOfWork, policy: DeskPolicy) -> None:
    """Act on what the desks report (each report once): a capture completes the biometrics, a
    no-show books again or, after ``no_show_limit`` of them, hands the case to a caseworker, a
    collection ends the pickup. A batch's appointments and cases are read at once, its attended
    appointments written at once, and its no-shows acted on together (before any later report
    about one of their cases, so that each case's events keep their order); a report about an
    appointment the case does not have is unprocessable."""
    reports = await uow.new_events(CONSUMER, events)
    if not reports:
        return
    agenda = DeskAgenda(uow.connection, policy.capacity_overrides)
    appointments = await agenda.appointments({event.data.appointment_id for event in reports})
    cases = await agenda.cases({event.data.case_id for event in reports})
    attended: list[str] = []
    captured_at: dict[UUID, LocationCode] = {}
    missed: dict[UUID, tuple[DeskCase, Appointment]] = {}  # no-shows not acted on yet, by case
    for event in reports:
        data = event.data
        if data.case_id in missed:
            appointments.update((a.appointment_id, a) for a in await _missed(uow, agenda, list(missed.values()), policy))
            missed.clear()
        product = data.product if isinstance(event, AppointmentNoShow) else _REPORTED_PRODUCT[type(event)]
        appointment = appointments.get(data.appointment_id)
        if appointment is None or appointment.case_id != data.case_id or appointment.product != product:
            raise Unprocessable(f"no {product.value} appointment {data.appointment_id!r} for case {data.case_id}")
        case = cases[data.case_id]
        if isinstance(event, DocumentCollected):
            attended.append(appointment.appointment_id)
            appointments[appointment.appointment_id] = replace(appointment, status="attended")
        elif appointment.status != "booked":
            continue  # reported before, under another id
        elif isinstance(event, BiometricsCaptured):
            attended.append(appointment.appointment_id)
            appointments[appointment.appointment_id] = replace(appointment, status="attended")
            captured_at[case.case_id] = appointment.location
            completed = BiometricsCompletedData(
                case_id=case.case_id, case_number=case.case_number, captured=True, location=appointment.location
            )
            await _emit(uow, case, BiometricsCompleted.create(completed, source=SOURCE, subject=case.case_number))
        else:
            appointments[appointment.appointment_id] = replace(appointment, status="no_show")
            missed[case.case_id] = (case, appointment)
    await _missed(uow, agenda, list(missed.values()), policy)
    await agenda.set_attended(attended, captured_at)
    await uow.commit()


async def _missed(
    uow: UnitOfWork, agenda: DeskAgenda, missed: list[tuple[DeskCase, Appointment]], policy: DeskPolicy
) -> list[Appointment]:
    """Book again after each no-show (at most one a case), in the window after the missed day;
    after ``no_show_limit`` of them, hand the case to a caseworker. Returns the appointments
    booked: one booking turn a product for all of them."""
    if not missed:
        return []
    await agenda.set_no_show([appointment.appointment_id for _, appointment in missed])  # first: the count reads it
    counts = await agenda.no_shows([case.case_id for case, _ in missed])
    again: dict[AppointmentProduct, list[Booking]] = {}
    for case, appointment in missed:
        count = counts[(case.case_id, appointment.product)]
        if count >= policy.no_show_limit:
            await _flag(uow, case, f"no-show at {count} {appointment.product.value} appointments", count)
        else:
            after = max(policy.today(), appointment.day)
            again.setdefault(appointment.product, []).append(_booking(case, appointment.location, after, count + 1))
    return [appointment for product, bookings in again.items() for appointment in await _book_all(uow, agenda, product, bookings)]


async def sticker_requested(event: EndorsementStickerRequested, uow: UnitOfWork, policy: DeskPolicy) -> None:
    if not await uow.first_time(CONSUMER, event.id):
        return
    agenda = DeskAgenda(uow.connection, policy.capacity_overrides)
    case = await agenda.case(event.data.case_id)
    if case is None or case.case_number != event.data.case_number:
        raise Unprocessable(f"no case {event.data.case_number} with id {event.data.case_id}")
    booking = _booking(case, event.data.preferred_location, policy.today(), 1)
    await _book_all(uow, agenda, AppointmentProduct.ENDORSEMENT_STICKER, [booking])
    await uow.commit()


async def _book_all(uow: UnitOfWork, agenda: DeskAgenda, product: AppointmentProduct, bookings: list[Booking]) -> list[Appointment]:
    """Book each of ``bookings`` and say so, or flag its case for a caseworker when no desk has room;
    returns the appointments booked."""
    booked = []
    for booking, appointment in zip(bookings, await agenda.book_all(product, bookings)):
        case = booking.case
        if appointment is None:
            reason = f"no {product} slot at any desk serving {case.application_type} in {BOOKING_WINDOW_DAYS} working days"
            await _flag(uow, case, reason, 0)
        else:
            await _emit(uow, case, AppointmentBooked.create(_appointment_data(case, appointment), source=SOURCE, subject=case.case_number))
            log.debug("appointment booked", product=product.value, location=appointment.location.value, attempt=appointment.attempt)
            booked.append(appointment)
    return booked


def _booking(case: DeskCase, preferred: LocationCode, after: date, attempt: int) -> Booking:
    return Booking(case, preferred, candidate_locations(case.application_type, preferred), after, attempt)


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
