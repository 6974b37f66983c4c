"""What the OAP dialect's requests say, read into what the booking takes (``self_booking``).

A booking's body is the IND's: ``bookableSlot`` (the slot as the slots list gave it, ``booked``
ignored, plus the ``holdId`` a hold answered, if the client keeps it) and ``appointment``
(``productKey``, ``email``, ``phone``, ``language`` and ``customers``: ``firstName``, ``lastName``,
``vNumber``; a ``bsn`` is accepted and not kept). A case's booking (BIO, DOC, VAA) also names
``caseNumber`` and the applicant's ``dateOfBirth`` (YYYY-MM-DD) in ``appointment``. Persons are the
slot's ``parts``, or else the number of customers; the two must agree.
"""

import re

from schemas.codes import Language, LocationCode
from services.biometrics.applicant_bookings import Contact, Customer
from services.biometrics.refusals import BAD_REQUEST, Refused
from services.biometrics.request_fields import clock, day, email, persons, product, section, text
from services.biometrics.self_booking import BookingRequest
from services.biometrics.self_checks import CASE_PRODUCTS

_V_NUMBER = re.compile(r"[0-9]{1,10}")
_BSN = re.compile(r"[0-9]{8,9}")
_PHONE = re.compile(r"\+?[0-9][0-9 ()-]{5,19}")
_SLOT_KEY = re.compile(r"[A-Za-z0-9_.:-]{1,100}")
SLOT_KEY = _SLOT_KEY  # also for a key in a path (``oap_api.hold``)
_LANGUAGES = ", ".join(language.value for language in Language)


def hold_persons(body: dict, default: int) -> int:
    """Persons a hold is for: the ``parts`` of the slot the client sends, or else ``default``."""
    return default if body.get("parts") is None else persons(body["parts"], "parts")


def booking_request(desk: LocationCode, body: dict) -> BookingRequest:
    slot = section(body, "bookableSlot")
    appointment = section(body, "appointment")
    key = text(slot, "key", "bookableSlot.key", pattern=_SLOT_KEY, hint="is not a slot key")
    assert key is not None
    booked_product = product(appointment.get("productKey"), "appointment.productKey")
    customers = _customers(appointment)
    count = persons(slot["parts"], "bookableSlot.parts") if slot.get("parts") is not None else len(customers)
    if len(customers) != count:
        raise Refused(BAD_REQUEST, "appointment.customers", f"names {len(customers)} customers for a slot for {count} persons")
    for_case = booked_product in CASE_PRODUCTS
    return BookingRequest(
        desk=desk,
        product=booked_product,
        slot_key=key,
        persons=count,
        hold_id=text(slot, "holdId", "bookableSlot.holdId", required=False),
        contact=None if for_case else _contact(appointment, customers),
        case_number=text(appointment, "caseNumber", "appointment.caseNumber") if for_case else None,
        date_of_birth=day(appointment, "dateOfBirth", "appointment.dateOfBirth", required=True) if for_case else None,
        slot_times=(
            day(slot, "date", "bookableSlot.date", required=False),
            clock(slot, "startTime", "bookableSlot.startTime"),
            clock(slot, "endTime", "bookableSlot.endTime"),
        ),
    )


def _customers(appointment: dict) -> tuple[Customer, ...]:
    listed = appointment.get("customers")
    if not isinstance(listed, list) or not 1 <= len(listed) <= 6:
        raise Refused(BAD_REQUEST, "appointment.customers", "is required: a list of 1 to 6 customers")
    customers = []
    for n, customer in enumerate(listed):
        field = f"appointment.customers[{n}]"
        if not isinstance(customer, dict):
            raise Refused(BAD_REQUEST, field, "must be an object with firstName and lastName")
        first = text(customer, "firstName", f"{field}.firstName")
        last = text(customer, "lastName", f"{field}.lastName")
        v_number = _digits(customer, "vNumber", f"{field}.vNumber", _V_NUMBER, "must be a V-number: up to 10 digits")
        _digits(customer, "bsn", f"{field}.bsn", _BSN, "must be a BSN: 8 or 9 digits")  # checked, never kept
        assert first is not None and last is not None
        customers.append(Customer(first, last, v_number))
    return tuple(customers)


def _digits(customer: dict, name: str, field: str, pattern: re.Pattern, hint: str) -> str | None:
    value = customer.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return text({name: value}, name, field, required=False, pattern=pattern, hint=hint)


def _contact(appointment: dict, customers: tuple[Customer, ...]) -> Contact:
    address = email(appointment, "email", "appointment.email", required=True)
    phone = text(
        appointment,
        "phone",
        "appointment.phone",
        pattern=_PHONE,
        hint="must be a phone number: digits, spaces, ( ) - and a leading +",
    )
    language = appointment.get("language")
    if not isinstance(language, str) or language not in {member.value for member in Language}:
        raise Refused(BAD_REQUEST, "appointment.language", f"must be one of {_LANGUAGES}")
    assert address is not None and phone is not None
    return Contact(customers, address, phone, Language(language))
