"""The emails about appointments applicants book, move and cancel themselves: one per change.

- **Booked** (``appointment_confirmed``): the appointment, the booking code, the link to manage it
  and a calendar file (SEQUENCE 0).
- **Moved** (``appointment_rescheduled``): the old and the new time and place, and the calendar
  file again with the same UID and the change's SEQUENCE, so the applicant's calendar replaces its
  entry; the manage link only when the move gave the applicant a new token.
- **Cancelled** (``appointment_cancelled``): a calendar file with ``METHOD:CANCEL``, the same UID
  and a higher SEQUENCE, which removes the entry.

How the manage link is made without a token in any event or table: the booked event carries a
reference, and notify derives the token from it with the key it shares with biometrics
(``MANAGE_LINK_KEY``, ``schemas.manage_links``). The link carries the token after ``#``, which no
browser sends to a server. The email itself holds the link (as any such email must), so
``notify.emails`` keeps it with the message until it is sent, as it keeps every email. Without the
key, notify writes the email without a link (the applicant has the token from the booking's answer).

A case's emails go to the address the case registered; one without a case to the address booked
with (the event carries it, and the first customer's name).
"""

from dataclasses import dataclass

from schemas.appointments import (
    ApplicantAppointmentBooked,
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentPlace,
    AppointmentRescheduled,
    BookingContact,
)
from schemas.codes import AppointmentProduct, Language
from schemas.manage_links import manage_link, manage_token
from services.notify.calendar import calendar_file
from services.notify.messages import Attachment, Email, Recipient, clock_text, day_text, template_blocks, templated_email

PRODUCT_NAMES = {
    Language.ENGLISH: {
        AppointmentProduct.BIOMETRICS: "biometrics (passport photo, fingerprints and signature)",
        AppointmentProduct.DOCUMENT_PICKUP: "collecting your residence document",
        AppointmentProduct.ENDORSEMENT_STICKER: "a residence endorsement sticker",
        AppointmentProduct.SUBMISSION: "submitting an application",
        AppointmentProduct.INFORMATION: "information",
    },
    Language.DUTCH: {
        AppointmentProduct.BIOMETRICS: "biometrie (pasfoto, vingerafdrukken en handtekening)",
        AppointmentProduct.DOCUMENT_PICKUP: "uw verblijfsdocument ophalen",
        AppointmentProduct.ENDORSEMENT_STICKER: "een verblijfssticker",
        AppointmentProduct.SUBMISSION: "een aanvraag indienen",
        AppointmentProduct.INFORMATION: "informatie",
    },
}


DEFAULT_PORTAL_URL = "http://127.0.0.1:6070"


@dataclass(frozen=True)
class ManageLinks:
    """How notify writes the links of applicants' own bookings and alerts: the key shared with
    biometrics, the manage page's address and the portal's (``slot_alerts``)."""

    key: bytes | None
    base_url: str
    portal_url: str = DEFAULT_PORTAL_URL

    def link(self, reference: str | None, language: Language) -> str | None:
        """The link in the applicant's language (``{language}`` in ``MANAGE_URL`` becomes ``en`` or ``nl``)."""
        if self.key is None or reference is None:
            return None
        return manage_link(self.base_url.replace("{language}", language.value), manage_token(self.key, reference))


def contact_recipient(contact: BookingContact) -> Recipient:
    """Who the emails about an appointment without a case go to: the address booked with, and the
    first customer's name."""
    first = contact.customers[0]
    return Recipient(contact.email, contact.language, first.first_name, first.last_name)


def applicant_booked(event: AppointmentBooked | ApplicantAppointmentBooked, to: Recipient, links: ManageLinks) -> Email:
    data = event.data
    place = AppointmentPlace.model_construct(**{name: getattr(data, name) for name in AppointmentPlace.model_fields})
    context = _context(to, data.product, data.appointment_id, place, getattr(data, "case_number", None), data.booking_code)
    context["manage_url"] = links.link(data.manage_reference, to.language)
    return _with_calendar("appointment_confirmed", to, context, data.appointment_id, place, 0)


def rescheduled(event: AppointmentRescheduled, to: Recipient, links: ManageLinks) -> Email:
    data = event.data
    context = _context(to, data.product, data.appointment_id, data.current, data.case_number, data.booking_code)
    previous = data.previous
    context |= {
        "previous_location_name": previous.location_name,
        "previous_date": day_text(previous.date),
        "previous_start_time": clock_text(previous.start_time),
        "manage_url": links.link(data.manage_reference, to.language),
    }
    return _with_calendar("appointment_rescheduled", to, context, data.appointment_id, data.current, data.sequence)


def cancelled(event: AppointmentCancelled, to: Recipient, _links: ManageLinks) -> Email:
    data = event.data
    context = _context(to, data.product, data.appointment_id, data.place, data.case_number, data.booking_code)
    return _with_calendar("appointment_cancelled", to, context, data.appointment_id, data.place, data.sequence, cancelled=True)


def _context(
    to: Recipient,
    product: AppointmentProduct,
    appointment_id: str,
    place: AppointmentPlace,
    case_number: str | None,
    booking_code: str | None,
) -> dict:
    return {
        "product_name": PRODUCT_NAMES[to.language][product],
        "appointment_id": appointment_id,
        "case_number": case_number,
        "booking_code": booking_code,
        "location_name": place.location_name,
        "address": place.address,
        "date": day_text(place.date),
        "start_time": clock_text(place.start_time),
        "end_time": clock_text(place.end_time),
    }


def _with_calendar(
    kind: str,
    to: Recipient,
    context: dict,
    appointment_id: str,
    place: AppointmentPlace,
    sequence: int,
    *,
    cancelled: bool = False,
) -> Email:
    # Rendered without the applicant's name or the manage link: calendars get shared and synced.
    calendar_context = {key: value for key, value in context.items() if key != "manage_url"}
    summary, description = template_blocks(kind, to.language, calendar_context, ("calendar_summary", "calendar_description"))
    ics = calendar_file(appointment_id, place, summary.strip(), description.strip(), sequence=sequence, cancelled=cancelled)
    return templated_email(kind, to, context, (Attachment("appointment.ics", "text/calendar", ics),))
