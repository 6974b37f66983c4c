"""Reading an applicant's request for an alert (``POST /alerts``), each field refused (400) by name with
the reason, so that no request that cannot be an alert reaches the database.

An alert must be one that a slot could suit:

- ``before`` after the booking window's first day (the first day an applicant can book; there is no
  slot before it), and at most ``BEFORE_MARGIN_DAYS`` after its last, since the window moves on a day
  each working day and an alert may wait for it;
- each desk named offers the product and seats the persons in one slot (as its capacity is now);
  none named is every desk that does. A desk that cannot seat them would never suit, and the pass
  would read every one of its free slots in vain, every time.
"""

from datetime import date, timedelta
from uuid import uuid4

from schemas.codes import AppointmentProduct, Language, LocationCode
from services.biometrics.capacity import Overrides, capacity_for
from services.biometrics.locations import LOCATIONS, desks_offering, offers
from services.biometrics.refusals import BAD_REQUEST, Refused
from services.biometrics.request_fields import DESKS, day, email, persons, product
from services.biometrics.slot_alerts import SlotAlert
from services.biometrics.slots import BOOKING_WINDOW_DAYS, booking_window

BEFORE_MARGIN_DAYS = 31
"""How far beyond the booking window's last day an alert's ``before`` may lie."""
LANGUAGES = ", ".join(language.value for language in Language)


def alert_request(body: dict, today: date, overrides: Overrides) -> SlotAlert:
    """The alert ``body`` asks for (a new id), as it will be kept, at desks of ``overrides``'s capacity."""
    address = email(body, "email", "email", required=True)
    assert address is not None
    wanted = product(body.get("productKey"), "productKey")
    count = persons(body.get("persons"), "persons")
    desks = _desks(body.get("desks"), wanted, count, overrides)
    return SlotAlert(uuid4(), address, _language(body.get("language")), wanted, count, desks, _before(body, today))


def _language(value: object) -> Language:
    try:
        if not isinstance(value, str):
            raise ValueError
        return Language(value.lower())
    except ValueError:
        raise Refused(BAD_REQUEST, "language", f"is required: the language of our emails, one of {LANGUAGES}") from None


def _desks(value: object, wanted: AppointmentProduct, count: int, overrides: Overrides) -> tuple[LocationCode, ...]:
    """The desks named (once each, in the order named), or for none every desk that offers ``wanted``
    and seats ``count`` persons."""
    if value is None or value == []:
        seating = tuple(desk for desk in desks_offering(wanted) if _seats(desk, wanted, overrides) >= count)
        if not seating:
            raise Refused(BAD_REQUEST, "persons", f"no desk takes {count} persons in one {wanted.value} appointment")
        return seating
    if not isinstance(value, list) or len(value) > len(LOCATIONS) or not all(isinstance(code, str) for code in value):
        raise Refused(BAD_REQUEST, "desks", f"must be a list of at most {len(LOCATIONS)} desk codes")
    chosen: list[LocationCode] = []
    for code in dict.fromkeys(code.strip().upper() for code in value):
        try:
            desk = LocationCode(code)
        except ValueError:
            raise Refused(BAD_REQUEST, "desks", f"{code[:20]!r} is not a desk; use {DESKS}") from None
        if not offers(desk, wanted):
            raise Refused(BAD_REQUEST, "desks", f"desk {desk.value} does not offer {wanted.value} appointments")
        seats = _seats(desk, wanted, overrides)
        if seats < count:
            raise Refused(
                BAD_REQUEST, "desks", f"desk {desk.value} takes at most {seats} persons in one {wanted.value} appointment"
            )
        chosen.append(desk)
    return tuple(chosen)


def _seats(desk: LocationCode, wanted: AppointmentProduct, overrides: Overrides) -> int:
    return capacity_for(desk, wanted, overrides).desks


def _before(body: dict, today: date) -> date:
    before = day(body, "before", "before", required=True)
    assert before is not None
    window = booking_window(today, BOOKING_WINDOW_DAYS)
    latest = window[-1] + timedelta(days=BEFORE_MARGIN_DAYS)
    if before <= window[0]:
        raise Refused(BAD_REQUEST, "before", f"must be after {window[0].isoformat()}, the first day that can be booked")
    if before > latest:
        raise Refused(
            BAD_REQUEST,
            "before",
            f"must be on or before {latest.isoformat()}; appointments are booked {BOOKING_WINDOW_DAYS} working days ahead",
        )
    return before
