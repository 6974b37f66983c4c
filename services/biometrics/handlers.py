"""The desk service's handlers: book appointments, and act on what the desks report."""

from collections.abc import Sequence
from dataclasses import replace
from uuid import UUID

from ind_runtime.logs import get_logger
from ind_runtime.records import Unprocessable
from ind_runtime.routing import NotReady, split_by_case
from schemas.applicant import EndorsementStickerRequested
from schemas.appointments import BiometricsCompleted, BiometricsCompletedData, CaseFlagged, CaseFlaggedData
from schemas.cases import CaseRegistered
from schemas.codes import AppointmentProduct, LocationCode
from schemas.desk import AppointmentNoShow, BiometricsCaptured, DocumentCollected
from schemas.lifecycle import DocumentProduced
from services.biometrics.appointments import Appointment
from services.biometrics.booking import SOURCE, announce, book_or_wait, booking_for
from services.biometrics.booking_turn import Booking
from services.biometrics.cases import DeskCase
from services.biometrics.eligibility import needs_desk_biometrics
from services.biometrics.policy import DeskPolicy
from services.biometrics.unit_of_work import DeskUnitOfWork

CONSUMER = "biometrics"
STICKER = AppointmentProduct.ENDORSEMENT_STICKER

log = get_logger(__name__)


async def cases_registered(events: Sequence[CaseRegistered], uow: DeskUnitOfWork, policy: DeskPolicy) -> None:
    """Take on each new case (each registration once, however often it comes): book its biometrics
    appointment, or say that none is needed at a desk. A batch's cases are added and booked together,
    with a few statements for all of them."""
    registered = [event.data for event in await uow.new_events(CONSUMER, events)]
    cases = [
        DeskCase(
            data.case_id,
            data.case_number,
            data.application_type,
            data.preferred_location,
            None,
            date_of_birth=data.applicant.date_of_birth,
        )
        for data in registered
    ]
    if not cases:
        return
    await uow.cases.add(cases)
    for case in cases:
        if not needs_desk_biometrics(case.application_type):
            completed = BiometricsCompletedData(case_id=case.case_id, case_number=case.case_number, captured=False)
            await announce(uow, case, BiometricsCompleted.create(completed, source=SOURCE, subject=case.case_number))
    today = policy.today()
    bookings = [
        booking_for(case, case.preferred_location, today, 1) for case in cases if needs_desk_biometrics(case.application_type)
    ]
    await book_or_wait(uow, AppointmentProduct.BIOMETRICS, bookings)
    await uow.commit()


async def documents_produced(
    events: Sequence[DocumentProduced], uow: DeskUnitOfWork, policy: DeskPolicy
) -> list[DocumentProduced]:
    """Record each produced document, for its collection to be checked against, and book its pickup
    (each event once), in one booking turn for them all. Returns the events about a case not
    registered here yet, with every later one about it, to wait for its registration."""
    cases = await uow.cases.get_many({event.data.case_id for event in events})
    taken, left = split_by_case(events, cases)
    produced = [event.data for event in await uow.new_events(CONSUMER, taken)]
    if produced:
        await uow.cases.set_document_numbers({document.case_id: document.document_number for document in produced})
        today = policy.today()
        bookings = [booking_for(cases[document.case_id], document.pickup_location, today, 1) for document in produced]
        await book_or_wait(uow, AppointmentProduct.DOCUMENT_PICKUP, bookings)
        await uow.commit()
    return left


DeskReport = BiometricsCaptured | AppointmentNoShow | DocumentCollected
_REPORTED_PRODUCT = {BiometricsCaptured: AppointmentProduct.BIOMETRICS, DocumentCollected: AppointmentProduct.DOCUMENT_PICKUP}


async def desk_reports(events: Sequence[DeskReport], uow: DeskUnitOfWork, policy: DeskPolicy) -> None:
    """Act on what the desks report (each report once): a capture completes the biometrics, a
    no-show books again or, after ``no_show_limit`` of them, hands the case to a caseworker, a
    collection ends the pickup. A visit reported for an appointment marked a no-show corrects the
    desk's own report: the appointment was attended after all, and the one booked again because of
    the no-show is cancelled (or no longer waits for a slot). A batch's appointments and cases are
    read at once, its attended appointments written at once, and its no-shows acted on together
    (before any later report about one of their cases, so that each case's events keep their order).
    A report about an appointment the case does not have, or a collection of another document than
    the one produced for the case, is unprocessable; any other report that changes nothing says why
    in the log."""
    reports = await uow.new_events(CONSUMER, events)
    if not reports:
        return
    appointments = await uow.appointments.get_many({event.data.appointment_id for event in reports})
    cases = await uow.cases.get_many({event.data.case_id for event in reports})
    attended: list[str] = []
    captured_at: dict[UUID, LocationCode] = {}
    corrected: list[Appointment] = []  # marked no-shows that were attended after all
    missed: dict[UUID, tuple[DeskCase, Appointment]] = {}  # no-shows not acted on yet, by case
    for event in reports:
        data = event.data
        if data.case_id in missed:
            booked_again = await _missed(uow, list(missed.values()), policy)
            appointments.update((appointment.appointment_id, appointment) for appointment in booked_again)
            missed.clear()
        product = event.data.product if isinstance(event, AppointmentNoShow) else _REPORTED_PRODUCT[type(event)]
        appointment = appointments.get(data.appointment_id)
        if appointment is None or appointment.case_id != data.case_id or appointment.product != product:
            raise Unprocessable(f"no {product.value} appointment {data.appointment_id!r} for case {data.case_id}")
        case = cases[data.case_id]
        if isinstance(event, DocumentCollected):
            _check_collected_document(case, event)
        unchanged = _why_unchanged(event, appointment)
        if unchanged:
            log.info("desk report changes nothing", why=unchanged, report=event.type, appointment_id=appointment.appointment_id)
            continue
        if isinstance(event, AppointmentNoShow):
            appointments[appointment.appointment_id] = replace(appointment, status="no_show")
            missed[case.case_id] = (case, appointment)
            continue
        if appointment.status == "no_show":
            corrected.append(appointment)
            log.info(
                "the desk corrects a no-show: the appointment was attended",
                report=event.type,
                appointment_id=appointment.appointment_id,
            )
        attended.append(appointment.appointment_id)
        appointments[appointment.appointment_id] = replace(appointment, status="attended")
        if isinstance(event, BiometricsCaptured):
            if case.biometrics_location is not None or case.case_id in captured_at:
                log.info(
                    "biometrics were completed before; the capture is recorded and nothing announced",
                    appointment_id=appointment.appointment_id,
                )
                continue
            captured_at[case.case_id] = appointment.location
            completed = BiometricsCompletedData(
                case_id=case.case_id, case_number=case.case_number, captured=True, location=appointment.location
            )
            await announce(uow, case, BiometricsCompleted.create(completed, source=SOURCE, subject=case.case_number))
    await _missed(uow, list(missed.values()), policy)
    await uow.appointments.set_attended(attended)
    await uow.cases.set_biometrics_locations(captured_at)
    await _undo_bookings_again(uow, corrected)
    await uow.commit()


def _why_unchanged(event: DeskReport, appointment: Appointment) -> str | None:
    """Why ``event`` changes nothing about ``appointment``, or None when it does."""
    if appointment.status == "attended":
        return "the appointment was reported attended before"
    if appointment.status == "cancelled":
        return "the appointment was cancelled: an earlier one of the case, marked a no-show, was attended after all"
    if isinstance(event, AppointmentNoShow) and appointment.status == "no_show":
        return "the no-show was reported before"
    return None


def _check_collected_document(case: DeskCase, event: DocumentCollected) -> None:
    """A desk may hand out only the document produced for the case: a report naming another one is
    parked for a person to look at, never taken as the collection."""
    if case.document_number is None:
        # produced before biometrics kept document numbers: there is nothing to check it against
        log.warning(
            "collection reported for a document not recorded here; accepted unchecked", appointment_id=event.data.appointment_id
        )
    elif event.data.document_number != case.document_number:
        raise Unprocessable(
            f"collection reported of another document than the one produced for case {case.case_number} "
            f"(appointment {event.data.appointment_id!r})"
        )


async def _undo_bookings_again(uow: DeskUnitOfWork, corrected: list[Appointment]) -> None:
    """Cancel the appointments booked again because of a no-show that the desk has corrected, freeing
    their seats, and take such bookings that still wait for a slot off the waiting list."""
    if not corrected:
        return
    cancelled = await uow.agenda.cancel_later(corrected)
    dropped = await uow.waiting_list.drop_later(corrected)
    if cancelled or dropped:
        log.info("bookings made after a corrected no-show undone", cancelled=cancelled, no_longer_waiting=dropped)


async def _missed(uow: DeskUnitOfWork, missed: list[tuple[DeskCase, Appointment]], policy: DeskPolicy) -> list[Appointment]:
    """Book again after each no-show (at most one a case), in the window after the missed day;
    after ``no_show_limit`` of them, hand the case to a caseworker. Returns the appointments
    booked: one booking turn a product for all of them."""
    if not missed:
        return []
    await uow.appointments.set_no_show([appointment.appointment_id for _, appointment in missed])  # first: the count reads it
    counts = await uow.appointments.no_shows([case.case_id for case, _ in missed])
    again: dict[AppointmentProduct, list[Booking]] = {}
    for case, appointment in missed:
        count = counts[(case.case_id, appointment.product)]
        if count >= policy.no_show_limit:
            await _flag(uow, case, f"no-show at {count} {appointment.product.value} appointments", count)
        else:
            after = max(policy.today(), appointment.day)
            again.setdefault(appointment.product, []).append(booking_for(case, appointment.location, after, count + 1))
    return [appointment for product, bookings in again.items() for appointment in await book_or_wait(uow, product, bookings)]


async def stickers_requested(events: Sequence[EndorsementStickerRequested], uow: DeskUnitOfWork, policy: DeskPolicy) -> None:
    """The wiring's way in: one request at a time (each books in a unit of work of its own)."""
    (event,) = events
    await sticker_requested(event, uow, policy)


async def sticker_requested(event: EndorsementStickerRequested, uow: DeskUnitOfWork, policy: DeskPolicy) -> None:
    """Book the residence endorsement sticker appointment the applicant asked for (each request once),
    unless the case has one to come already. A request about a case whose registration is not read here yet waits for it (``NotReady``): the
    portal only knows cases that were registered, so the registration is on its way."""
    case = await uow.cases.get(event.data.case_id)
    if case is None:
        raise NotReady(f"registration of case {event.data.case_id} not read yet")
    if case.case_number != event.data.case_number:
        raise Unprocessable(f"no case {event.data.case_number} with id {event.data.case_id}")
    if not await uow.first_time(CONSUMER, event.id):
        return
    if any(appointment.status == "booked" for appointment in await uow.appointments.of_case(case.case_id, STICKER)):
        # a case holds one appointment of a product to come: the one it has (the applicant may have booked it) stands
        log.info("sticker requested while the case has a sticker appointment to come; none booked")
        await uow.commit()
        return
    booking = booking_for(case, event.data.preferred_location, policy.today(), 1)
    await book_or_wait(uow, STICKER, [booking])
    await uow.commit()


async def _flag(uow: DeskUnitOfWork, case: DeskCase, reason: str, no_shows: int) -> None:
    flagged = CaseFlaggedData(case_id=case.case_id, case_number=case.case_number, reason=reason, no_shows=no_shows)
    await announce(uow, case, CaseFlagged.create(flagged, source=SOURCE, subject=case.case_number))
    log.info("case flagged for a caseworker", reason=reason)
