"""What every applicant's booking, hold and move checks before it changes a seat, and the tokens it
hands out. Every check here runs under the booking turn (``DeskAgenda.take_booking_turn``): the seats
it reads then stay as they are until the transaction ends, so a seat it finds free is the caller's.
"""

from collections.abc import Sequence
from datetime import date

from schemas.codes import AppointmentProduct, LocationCode
from schemas.manage_links import manage_token, new_reference, token_hash
from services.biometrics.agenda import SlotSeats
from services.biometrics.appointments import Appointment
from services.biometrics.booking_codes import hold_hash, new_booking_code
from services.biometrics.cases import DeskCase
from services.biometrics.eligibility import needs_desk_biometrics, serves
from services.biometrics.locations import LOCATIONS, LocationKind, offers
from services.biometrics.refusals import BAD_REQUEST, CONFLICT, NOT_CONFIGURED, NOT_FOUND, Refused
from services.biometrics.slots import BOOKING_WINDOW_DAYS, booking_window
from services.biometrics.unit_of_work import DeskUnitOfWork

CASE_PRODUCTS = frozenset(
    {AppointmentProduct.BIOMETRICS, AppointmentProduct.DOCUMENT_PICKUP, AppointmentProduct.ENDORSEMENT_STICKER}
)
"""Products booked for an existing case; the others (SUB, INF) belong to none."""
EXPIRED_PER_LOOK = 100
"""Expired holds a hold or booking releases before it looks at seats (the timer's pass does the rest)."""
_IND_DESKS = ", ".join(code.value for code in LOCATIONS if LOCATIONS[code].kind == LocationKind.IND_DESK)


async def bookable_slot(
    uow: DeskUnitOfWork, slot_key: str, today: date, field: str, desk: LocationCode | None = None
) -> SlotSeats:
    """The slot ``slot_key`` (at ``desk``, when one is named) with its seats, if an applicant may
    book it: at a desk that offers its product, in the booking window. Takes the booking turn and
    releases expired holds first, so the seats read are the real ones."""
    await uow.agenda.take_booking_turn()
    await uow.holds.release_expired(EXPIRED_PER_LOOK)
    seats = await uow.agenda.slot(slot_key)
    if seats is None or (desk is not None and seats.slot.location != desk):
        where = f" at desk {desk.value}" if desk is not None else ""
        raise Refused(NOT_FOUND, field, f"there is no slot {slot_key!r}{where}")
    slot = seats.slot
    if not offers(slot.location, slot.product):
        raise Refused(NOT_FOUND, field, f"desk {slot.location.value} does not offer {slot.product.value} appointments")
    window = booking_window(today, BOOKING_WINDOW_DAYS)
    if not window[0] <= slot.date <= window[-1]:
        raise Refused(CONFLICT, field, f"slot {slot_key} is not in the booking window ({window[0]} to {window[-1]})")
    return seats


async def take_seat(uow: DeskUnitOfWork, seats: SlotSeats, persons: int, client: bytes, hold_id: str | None, field: str) -> None:
    """Make room for ``persons`` in the slot: the hold named by ``hold_id`` (or else the client's hold
    of the slot for as many persons) gives its seats up for them; without one, they must be free.
    The caller then takes the seats (``take_seats``, ``move``) in the same transaction."""
    hold = await uow.holds.claim(seats.slot.key, persons, client, hold_hash(hold_id) if hold_id else None)
    free = seats.free + (hold.persons if hold else 0)
    if free < persons:
        held = " (the hold named is not a live hold of this slot: expired, or never placed)" if hold_id and hold is None else ""
        raise Refused(CONFLICT, field, f"slot {seats.slot.key} has {free} free seats for {persons} persons{held}")


async def proven_case(uow: DeskUnitOfWork, case_number: str, date_of_birth: date, field: str) -> DeskCase:
    """The case with ``case_number`` whose applicant was born on ``date_of_birth``. An unknown
    number and a date that does not fit get the same answer, so neither can be probed for."""
    case = await uow.cases.by_number(case_number)
    if case is None or case.date_of_birth is None or case.date_of_birth != date_of_birth:
        raise Refused(NOT_FOUND, field, "there is no case with this case number and date of birth")
    return case


def check_case_may_book(
    case: DeskCase, history: Sequence[Appointment], product: AppointmentProduct, location: LocationCode, field: str
) -> None:
    """Refuse a desk that does not receive the case's applicants, and a product the case has no
    use for (``history``: the case's appointments of ``product``)."""
    if not serves(location, case.application_type):
        raise Refused(
            BAD_REQUEST,
            field,
            f"desk {location.value} does not receive {case.application_type.value} applicants; choose one of {_IND_DESKS}",
        )
    if any(appointment.status == "attended" for appointment in history):
        raise Refused(CONFLICT, "appointment.productKey", f"the case's {product.value} appointment was attended already")
    if product == AppointmentProduct.BIOMETRICS and not needs_desk_biometrics(case.application_type):
        raise Refused(
            CONFLICT, "appointment.productKey", f"a {case.application_type.value} application needs no biometrics at a desk"
        )
    if product == AppointmentProduct.DOCUMENT_PICKUP and case.document_number is None:
        raise Refused(CONFLICT, "appointment.productKey", "no residence document has been produced for the case yet")


def live(history: Sequence[Appointment]) -> Appointment | None:
    """The one appointment of ``history`` still to come (a case holds at most one a product)."""
    return next((appointment for appointment in history if appointment.status == "booked"), None)


def issue_token(manage_key: bytes | None) -> tuple[str, str, bytes]:
    """A new manage token: (its reference for the event, the token for the applicant, its hash to keep)."""
    if manage_key is None:
        raise Refused(NOT_CONFIGURED, "appointment", "booking is not configured here (MANAGE_LINK_KEY)")
    reference = new_reference()
    token = manage_token(manage_key, reference)
    return reference, token, token_hash(token)


async def new_code(uow: DeskUnitOfWork) -> str:
    """A booking code no booking has (under the booking turn, no other booking takes it meanwhile)."""
    while True:
        code = new_booking_code()
        if not await uow.bookings.code_taken(code):
            return code
