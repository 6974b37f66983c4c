"""Applicants hold a slot and book it themselves (the OAP dialect's hold and book, ``oap_api``).

Every hold and booking takes the booking turn, as the service's own bookings do (``agenda``): two
people after the last seat are served one after the other, and the second finds it taken. A hold
takes its seats at once (``holds``); booking with one turns its seats into the appointment's, and
booking without one (as the IND's own clients may) takes free seats directly. The slot's check
constraint stays the last word on every seat.

A case holds at most one appointment a product that is still to come: booking BIO, DOC or VAA for a
case that has one already **moves** that appointment to the slot booked (one
``nl.ind.appointment.rescheduled.v1``) instead of booking a second, so a community tool that books an
earlier slot for a case works unchanged; a booking of the case's that waited for a free slot is
taken off the waiting list, since the applicant has booked one.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import uuid4

from schemas.codes import AppointmentProduct, LocationCode
from services.biometrics import appointment_events
from services.biometrics.agenda import SlotSeats
from services.biometrics.applicant_bookings import ApplicantBooking, Contact
from services.biometrics.appointment_events import Owner
from services.biometrics.appointments import Appointment
from services.biometrics.booking_codes import caseless_appointment_id, hold_hash, new_hold_id
from services.biometrics.cases import DeskCase
from services.biometrics.refusals import BAD_REQUEST, CONFLICT, TOO_MANY, Refused
from services.biometrics.self_checks import (
    CASE_PRODUCTS,
    bookable_slot,
    check_case_may_book,
    issue_token,
    live,
    new_code,
    proven_case,
    take_seat,
)
from services.biometrics.unit_of_work import DeskUnitOfWork

HOLD_SWEEP_PAGE = 500


@dataclass(frozen=True)
class Terms:
    """What the applicants' bookings are made with."""

    today: date
    hold_for: timedelta
    manage_key: bytes | None
    max_live_holds: int = 3
    """Holds one client may have at once: enough to choose between times, too few to keep a desk's
    seats out of others' reach (at the rate limit alone, one address could hold a thousand)."""


@dataclass(frozen=True)
class BookingRequest:
    desk: LocationCode
    product: AppointmentProduct
    slot_key: str
    persons: int
    hold_id: str | None
    contact: Contact | None  # for a booking without a case (SUB, INF)
    case_number: str | None  # with date_of_birth, for a case's booking (BIO, DOC, VAA)
    date_of_birth: date | None
    slot_times: tuple[date | None, time | None, time | None]  # the slot's day and times as the client saw them


@dataclass(frozen=True)
class Held:
    seats: SlotSeats
    persons: int
    hold_id: str
    expires_at: datetime


@dataclass(frozen=True)
class Confirmation:
    appointment: Appointment
    booking_code: str
    manage_token: str
    moved: bool  # the case's appointment of the product was moved here


async def hold(uow: DeskUnitOfWork, desk: LocationCode, slot_key: str, persons: int, client: bytes, terms: Terms) -> Held:
    """Hold ``persons`` seats of the slot for ``terms.hold_for``, or refuse (409) when they are not free."""
    seats = await bookable_slot(uow, slot_key, terms.today, "key", desk)
    if seats.free < persons:
        raise Refused(CONFLICT, "key", f"slot {slot_key} has {seats.free} free seats for {persons} persons")
    if await uow.holds.live_of(client) >= terms.max_live_holds:
        raise Refused(
            TOO_MANY, "key", f"you hold {terms.max_live_holds} times already; book one or let them expire first", retry_after_s=60
        )
    hold_id = new_hold_id()
    expires_at = await uow.holds.place(hold_hash(hold_id), slot_key, persons, client, terms.hold_for)
    await uow.commit()
    return Held(seats, persons, hold_id, expires_at)


async def book(uow: DeskUnitOfWork, request: BookingRequest, client: bytes, terms: Terms) -> Confirmation:
    """Book the slot the request names, or move the case's appointment there (see the module)."""
    seats = await bookable_slot(uow, request.slot_key, terms.today, "bookableSlot.key", request.desk)
    slot = seats.slot
    if slot.product != request.product:
        raise Refused(BAD_REQUEST, "appointment.productKey", f"slot {slot.key} is a {slot.product.value} slot")
    _check_times(request, seats)
    case = None
    history: list[Appointment] = []
    if request.product in CASE_PRODUCTS:
        assert request.case_number is not None and request.date_of_birth is not None
        case = await proven_case(uow, request.case_number, request.date_of_birth, "appointment.caseNumber")
        history = await uow.appointments.of_case(case.case_id, request.product)
        check_case_may_book(case, history, request.product, slot.location, "bookableSlot.key")
    await take_seat(uow, seats, request.persons, client, request.hold_id, "bookableSlot.key")
    reference, token, token_hash = issue_token(terms.manage_key)
    current = live(history)
    if case is not None and current is not None:
        confirmation = await _move_case_appointment(uow, case, current, seats, request.persons, reference, token, token_hash)
    else:
        confirmation = await _book_new(uow, request, case, history, seats, reference, token, token_hash)
    await uow.commit()
    return confirmation


async def sweep_expired_holds(uow: DeskUnitOfWork) -> int:
    """A timer's pass (``Every``): free the seats of up to ``HOLD_SWEEP_PAGE`` expired holds."""
    await uow.agenda.take_booking_turn()
    released = await uow.holds.release_expired(HOLD_SWEEP_PAGE)
    await uow.commit()
    return released


async def _book_new(
    uow: DeskUnitOfWork,
    request: BookingRequest,
    case: DeskCase | None,
    history: list[Appointment],
    seats: SlotSeats,
    reference: str,
    token: str,
    token_hash: bytes,
) -> Confirmation:
    slot = seats.slot
    code = await new_code(uow)
    if case is not None:
        attempt = max((appointment.attempt for appointment in history), default=0) + 1
        appointment_id = f"{slot.key}-{case.case_number}-{attempt}"
        await uow.waiting_list.withdraw(case.case_id, request.product)
    else:
        attempt, appointment_id = 1, caseless_appointment_id(slot.key, code)
    appointment = Appointment(
        appointment_id,
        case.case_id if case else None,
        request.product,
        slot.location,
        slot.date,
        slot.start,
        slot.end,
        request.persons,
        attempt,
        "booked",
    )
    await uow.agenda.take_seats(request.product, [(slot.key, appointment)])
    booking = ApplicantBooking(appointment_id, uuid4(), code, None if case else request.contact)
    await uow.bookings.add(booking, token_hash)
    await appointment_events.booked(uow, Owner(case, booking), appointment, reference)
    return Confirmation(appointment, code, token, moved=False)


async def _move_case_appointment(
    uow: DeskUnitOfWork,
    case: DeskCase,
    current: Appointment,
    seats: SlotSeats,
    persons: int,
    reference: str,
    token: str,
    token_hash: bytes,
) -> Confirmation:
    """Move the case's appointment still to come to the slot, and give the applicant a manage token
    for it (a new one, when they had one: the old one manages nothing from now on)."""
    slot = seats.slot
    if (current.location, current.day, current.start) == (slot.location, slot.date, slot.start):
        raise Refused(CONFLICT, "bookableSlot.key", f"the case's {current.product.value} appointment is in this slot already")
    sequence = await uow.agenda.move(current.appointment_id, slot.key, persons)
    assert sequence is not None, "a live appointment under the booking turn stays booked"
    booking = await uow.bookings.of_appointment(current.appointment_id)
    if booking is not None:
        await uow.bookings.renew_token(current.appointment_id, token_hash)
    else:
        booking = ApplicantBooking(current.appointment_id, uuid4(), await new_code(uow), None)
        await uow.bookings.add(booking, token_hash)
    moved = Appointment(
        current.appointment_id,
        case.case_id,
        current.product,
        slot.location,
        slot.date,
        slot.start,
        slot.end,
        persons,
        current.attempt,
        "booked",
        sequence,
    )
    previous = appointment_events.place_of(current)
    await appointment_events.rescheduled(uow, Owner(case, booking), moved, previous, reference)
    return Confirmation(moved, booking.booking_code, token, moved=True)


def _check_times(request: BookingRequest, seats: SlotSeats) -> None:
    """The slot's day and times as the client sent them must be the slot's, if sent at all."""
    slot = seats.slot
    sent_day, sent_start, sent_end = request.slot_times
    if sent_day is not None and sent_day != slot.date:
        raise Refused(BAD_REQUEST, "bookableSlot.date", f"is not the day of slot {slot.key} ({slot.date.isoformat()})")
    for field, sent, actual in (("bookableSlot.startTime", sent_start, slot.start), ("bookableSlot.endTime", sent_end, slot.end)):
        if sent is not None and sent != actual:
            raise Refused(BAD_REQUEST, field, f"is not that of slot {slot.key} ({actual.strftime('%H:%M')})")
