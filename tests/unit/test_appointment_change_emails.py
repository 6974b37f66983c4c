"""The emails about appointments applicants book, move and cancel themselves: one per change, in the
applicant's language, with the booking code, a manage link derived from the event's reference (never
a token carried in the event), and a calendar file that keeps the appointment's UID: published when
booked, a higher SEQUENCE when moved, METHOD:CANCEL when cancelled."""

from datetime import time

import pytest
from icalendar import Calendar

from schemas.appointments import (
    ApplicantAppointmentBooked,
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentRescheduled,
)
from schemas.cases import CaseRegistered
from schemas.codes import AppointmentProduct, Language
from schemas.examples import EXAMPLES
from schemas.manage_links import manage_token
from services.notify.appointment_changes import ManageLinks, contact_recipient
from services.notify.handlers import EMAILED_TYPES, calls_for_email, compose
from services.notify.messages import Email, recipient_of

KEY = b"manage-link-key-for-the-tests-0123456789"
LINKS = ManageLinks(KEY, "https://oap.ind.example/oap/manage")


def _example(cls):
    return next(e for e in EXAMPLES if isinstance(e, cls))


BOOKED: ApplicantAppointmentBooked = _example(ApplicantAppointmentBooked)
MOVED: AppointmentRescheduled = _example(AppointmentRescheduled)
CANCELLED: AppointmentCancelled = _example(AppointmentCancelled)
CASE_APPLICANT = recipient_of(_example(CaseRegistered))
CASE_BOOKED: AppointmentBooked = _example(AppointmentBooked).model_copy(
    update={
        "data": _example(AppointmentBooked).data.model_copy(
            update={"booking_code": "R2TW-9KHM", "manage_reference": "case-reference-0123456789"}
        )
    }
)


def _in(language: Language, event):
    """``event`` with its contact (if it has one) writing in ``language``."""
    if getattr(event.data, "contact", None) is None:
        return event
    contact = event.data.contact.model_copy(update={"language": language})
    return event.model_copy(update={"data": event.data.model_copy(update={"contact": contact})})


def _email(event, links: ManageLinks = LINKS, language: Language = Language.ENGLISH) -> Email:
    event = _in(language, event)
    contact = getattr(event.data, "contact", None)
    to = contact_recipient(contact) if contact is not None else CASE_APPLICANT
    return compose(event, to, links)


def _calendar(email: Email):
    (attachment,) = email.attachments
    assert attachment.content_type == "text/calendar"
    calendar = Calendar.from_ical(attachment.data)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


@pytest.mark.parametrize("language, opening", [(Language.ENGLISH, "Dear Ana Silva,"), (Language.DUTCH, "Beste Ana Silva,")])
def test_a_caseless_booking_is_confirmed_to_the_address_booked_with_with_its_code_and_manage_link(language, opening):
    email = _email(BOOKED, language=language)

    assert email.kind == "appointment_confirmed"
    assert email.recipient == "ana.silva@example.org"
    assert email.body.startswith(opening)
    assert "K7MQ-2XDP" in email.subject and "K7MQ-2XDP" in email.body
    token = manage_token(KEY, BOOKED.data.manage_reference)
    assert f"https://oap.ind.example/oap/manage#token={token}" in email.body  # after '#': never sent to a server
    assert BOOKED.data.manage_reference not in email.body


def test_the_confirmations_calendar_file_is_published_under_the_appointments_uid_without_name_or_link():
    email = _email(BOOKED)
    calendar, event = _calendar(email)
    token = manage_token(KEY, BOOKED.data.manage_reference)

    assert calendar["method"] == "PUBLISH"
    assert str(event["uid"]) == "SUB-AM-20260311-1000-K7MQ2XDP@ind.example"
    assert event.get("sequence", 0) == 0
    assert event.decoded("dtstart").time() == time(10, 0)
    text = email.attachments[0].data.replace(b"\r\n ", b"").decode()
    assert "Silva" not in text and token not in text and "K7MQ-2XDP" in text


def test_without_the_key_the_confirmation_goes_without_a_link():
    email = _email(BOOKED, links=ManageLinks(None, "https://oap.ind.example/oap/manage"))

    assert "#token=" not in email.body
    assert "manage token" in email.body


def test_a_case_booking_the_applicant_made_is_confirmed_to_the_cases_applicant_with_its_code():
    assert calls_for_email(CASE_BOOKED)
    email = _email(CASE_BOOKED)

    assert email.kind == "appointment_confirmed"
    assert email.recipient == CASE_APPLICANT.email
    assert "R2TW-9KHM" in email.body and "IND-2026-0000042" in email.body
    assert manage_token(KEY, "case-reference-0123456789") in email.body
    _calendar_, event = _calendar(email)
    assert str(event["uid"]) == "BIO-XC-AMS-20260310-0930-IND-2026-0000042-1@ind.example"  # as the system's booking email


@pytest.mark.parametrize("language", [Language.ENGLISH, Language.DUTCH])
def test_a_move_names_the_old_and_new_time_and_updates_the_same_calendar_entry(language):
    email = _email(MOVED, language=language)
    calendar, event = _calendar(email)

    assert email.kind == "appointment_rescheduled"
    assert "10-03-2026" in email.body and "09:30" in email.body  # where it was
    assert "11-03-2026" in email.body and "IND desk Amsterdam" in email.body  # where it is now
    assert calendar["method"] == "PUBLISH"
    assert str(event["uid"]) == "BIO-XC-AMS-20260310-0930-IND-2026-0000042-1@ind.example"
    assert event["sequence"] == 1
    assert event.decoded("dtstart").time() == time(9, 0)
    assert "#token=" not in email.body  # no new token came with this move


@pytest.mark.parametrize("language", [Language.ENGLISH, Language.DUTCH])
def test_a_cancellation_sends_a_cancelling_calendar_file_with_the_same_uid_and_a_higher_sequence(language):
    email = _email(CANCELLED, language=language)
    calendar, event = _calendar(email)

    assert email.kind == "appointment_cancelled"
    assert email.recipient == "ana.silva@example.org"
    assert calendar["method"] == "CANCEL"
    assert event["status"] == "CANCELLED"
    assert str(event["uid"]) == "SUB-AM-20260311-1000-K7MQ2XDP@ind.example"
    assert event["sequence"] == 1


def test_every_change_is_emailed_and_a_submission_the_service_booked_still_is_not():
    for event in (BOOKED, MOVED, CANCELLED):
        assert type(event) in EMAILED_TYPES
        assert calls_for_email(event)
    system_booked = _example(AppointmentBooked)
    submission = system_booked.model_copy(
        update={"data": system_booked.data.model_copy(update={"product": AppointmentProduct.SUBMISSION})}
    )
    assert not calls_for_email(submission)


@pytest.mark.parametrize("language", list(Language))
def test_the_manage_link_opens_the_portal_in_the_applicants_language(language):
    email = _email(BOOKED, links=ManageLinks(KEY, "https://portal.example/{language}/manage"), language=language)

    token = manage_token(KEY, BOOKED.data.manage_reference)
    assert f"https://portal.example/{language.value}/manage#token={token}" in email.body
