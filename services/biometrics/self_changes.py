"""Applicants look up, move and cancel their appointments (``manage_api``).

An appointment an applicant booked is found by its manage token (by the token's hash: the token is
not kept). One the service booked for a case is found by the case number, the applicant's date of
birth and the appointment's id, and may be moved, not cancelled: the case needs it. Whatever does
not fit (an unknown token, a case number with another date of birth, an appointment of another case)
is a 404 alike, so nothing can be probed. A move keeps the appointment's id (the desk reports on it,
the calendar entry is named by it) and frees its seat in the old slot; a cancellation frees it too.
Each change is one event (``appointment_events``) in the same transaction.
"""

from dataclasses import dataclass, replace
from datetime import date

from schemas.manage_links import token_hash
from services.biometrics import appointment_events
from services.biometrics.applicant_bookings import ApplicantBooking
from services.biometrics.appointment_events import Owner
from services.biometrics.appointments import Appointment
from services.biometrics.cases import DeskCase
from services.biometrics.refusals import BAD_REQUEST, CONFLICT, NOT_FOUND, Refused
from services.biometrics.self_booking import Terms
from services.biometrics.self_checks import bookable_slot, check_case_may_book, proven_case, take_seat
from services.biometrics.unit_of_work import DeskUnitOfWork

_NOT_TO_COME = {
    "cancelled": "the appointment was cancelled",
    "attended": "the appointment was attended",
    "no_show": "the appointment was missed",
}


@dataclass(frozen=True)
class Managed:
    appointment: Appointment
    owner: Owner


@dataclass(frozen=True)
class Move:
    slot_key: str
    hold_id: str | None
    client: bytes


async def look_up(uow: DeskUnitOfWork, token: str) -> Managed:
    booking = await uow.bookings.by_token(token_hash(token))
    if booking is None:
        raise Refused(NOT_FOUND, "token", "there is no appointment for this token")
    return await _managed(uow, booking)


async def cancel(uow: DeskUnitOfWork, token: str) -> Managed:
    """Cancel the appointment the token manages and free its seats."""
    await uow.agenda.take_booking_turn()  # before reading it: no other change of it comes in between
    managed = await look_up(uow, token)
    _check_to_come(managed.appointment)
    sequence = await uow.agenda.cancel(managed.appointment.appointment_id)
    if sequence is None:
        raise Refused(CONFLICT, "token", "the appointment is no longer booked")
    cancelled = replace(managed.appointment, status="cancelled", sequence=sequence)
    await appointment_events.cancelled(uow, managed.owner, cancelled)
    await uow.commit()
    return Managed(cancelled, managed.owner)


async def reschedule(uow: DeskUnitOfWork, token: str, move: Move, terms: Terms) -> Managed:
    """Move the appointment the token manages to another slot."""
    await uow.agenda.take_booking_turn()
    managed = await look_up(uow, token)
    return await _move(uow, managed, move, terms)


async def reschedule_for_case(
    uow: DeskUnitOfWork, case_number: str, date_of_birth: date, appointment_id: str, move: Move, terms: Terms
) -> Managed:
    """Move the case's appointment ``appointment_id`` (one the service booked, or the applicant)."""
    await uow.agenda.take_booking_turn()
    case = await proven_case(uow, case_number, date_of_birth, "caseNumber")
    appointment = (await uow.appointments.get_many({appointment_id})).get(appointment_id)
    if appointment is None or appointment.case_id != case.case_id:
        raise Refused(NOT_FOUND, "caseNumber", "there is no case with this case number and date of birth")
    booking = await uow.bookings.of_appointment(appointment_id)
    return await _move(uow, Managed(appointment, Owner(case, booking)), move, terms)


async def _move(uow: DeskUnitOfWork, managed: Managed, move: Move, terms: Terms) -> Managed:
    current = managed.appointment
    _check_to_come(current)
    seats = await bookable_slot(uow, move.slot_key, terms.today, "slot")
    slot = seats.slot
    if slot.product != current.product:
        raise Refused(
            BAD_REQUEST, "slot", f"slot {slot.key} is a {slot.product.value} slot; the appointment is {current.product.value}"
        )
    if (slot.location, slot.date, slot.start) == (current.location, current.day, current.start):
        raise Refused(CONFLICT, "slot", "the appointment is in this slot already")
    case = managed.owner.case
    if case is not None:
        check_case_may_book(case, [], current.product, slot.location, "slot")
    await take_seat(uow, seats, current.persons, move.client, move.hold_id, "slot")
    sequence = await uow.agenda.move(current.appointment_id, slot.key, current.persons)
    if sequence is None:
        raise Refused(CONFLICT, "token", "the appointment is no longer booked")
    moved = replace(current, location=slot.location, day=slot.date, start=slot.start, end=slot.end, sequence=sequence)
    await appointment_events.rescheduled(uow, managed.owner, moved, appointment_events.place_of(current))
    await uow.commit()
    return Managed(moved, managed.owner)


async def _managed(uow: DeskUnitOfWork, booking: ApplicantBooking) -> Managed:
    appointment = (await uow.appointments.get_many({booking.appointment_id}))[booking.appointment_id]
    case: DeskCase | None = None
    if appointment.case_id is not None:
        case = await uow.cases.get(appointment.case_id)
    return Managed(appointment, Owner(case, booking))


def _check_to_come(appointment: Appointment) -> None:
    why = _NOT_TO_COME.get(appointment.status)
    if why is not None:
        raise Refused(CONFLICT, "appointment", why)
