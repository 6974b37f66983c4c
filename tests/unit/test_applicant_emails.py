"""Every email after the receipt: the applicant's language, the case number, the right kind, and no
passport number or birth date anywhere, calendar file included."""

from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from schemas.appointments import AppointmentAwaitingSlot, AppointmentBooked
from schemas.cases import CaseRegistered
from schemas.codes import AppointmentProduct, Language
from schemas.examples import APPLICANT, EXAMPLES
from schemas.lifecycle import CaseClosed, CaseDecided, DeadlineExceeded, InformationRequested, Outcome
from services.notify.calendar import appointment_ics
from services.notify.messages import (
    Email,
    Recipient,
    appointment_awaiting_slot,
    appointment_booked,
    case_closed,
    case_decided,
    deadline_exceeded,
    information_requested,
    recipient_of,
)

CASE_NUMBER = "IND-2026-0000042"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _example(cls):
    return next(e for e in EXAMPLES if isinstance(e, cls))


def _with(event, **changes):
    return event.model_copy(update={"data": event.data.model_copy(update=changes)})


BOOKED: AppointmentBooked = _example(AppointmentBooked)
DECIDED: CaseDecided = _example(CaseDecided)
REFUSED = _with(DECIDED, outcome=Outcome.REFUSED, decided_by=["cw-0193", "cw-0201"], reason="Salary below the threshold.")
ENGLISH = recipient_of(_example(CaseRegistered))
DUTCH = replace(ENGLISH, language=Language.DUTCH)


def _booked(product: AppointmentProduct) -> AppointmentBooked:
    return _with(BOOKED, product=product, appointment_id=f"{product.value}-XC-AMS-20260310-0930-{CASE_NUMBER}-1")


def _awaiting(product: AppointmentProduct) -> AppointmentAwaitingSlot:
    return _with(_example(AppointmentAwaitingSlot), product=product)


def _calendar(email: Email) -> Calendar:
    (attachment,) = email.attachments
    return Calendar.from_ical(attachment.data)


EVERY_EMAIL = {
    "biometrics_appointment": lambda to: appointment_booked(_booked(AppointmentProduct.BIOMETRICS), to),
    "sticker_appointment": lambda to: appointment_booked(_booked(AppointmentProduct.ENDORSEMENT_STICKER), to),
    "document_ready": lambda to: appointment_booked(_booked(AppointmentProduct.DOCUMENT_PICKUP), to),
    "appointment_awaiting_slot": lambda to: appointment_awaiting_slot(_awaiting(AppointmentProduct.BIOMETRICS), to),
    "information_requested": lambda to: information_requested(_example(InformationRequested), to),
    "decision_granted": lambda to: case_decided(DECIDED, to),
    "decision_refused": lambda to: case_decided(REFUSED, to),
    "case_closed": lambda to: case_closed(_example(CaseClosed), to),
    "deadline_exceeded": lambda to: deadline_exceeded(_example(DeadlineExceeded), to),
}

SUBJECT_OPENINGS = {
    "biometrics_appointment": ("Your biometrics appointment on 10-03-2026", "Uw afspraak voor biometrie op 10-03-2026"),
    "sticker_appointment": (
        "Your appointment for a residence endorsement sticker",
        "Uw afspraak voor een verblijfsaantekening (sticker)",
    ),
    "document_ready": ("Your residence document is ready", "Uw verblijfsdocument ligt klaar"),
    "appointment_awaiting_slot": (
        "We will book your appointment as soon as a place is free",
        "Wij maken uw afspraak zodra er plaats is",
    ),
    "information_requested": ("We need more information", "Wij hebben meer informatie nodig"),
    "decision_granted": ("Your application has been granted", "Uw aanvraag is ingewilligd"),
    "decision_refused": ("Your application has been refused", "Uw aanvraag is afgewezen"),
    "case_closed": ("Your case has been closed", "Uw zaak is afgesloten"),
    "deadline_exceeded": ("We have not decided on your application in time", "Wij hebben niet op tijd beslist"),
}

BIRTH_DATE_SPELLINGS = ("17-05-1994", "1994-05-17", "19940517", "17/05/1994", "17.05.1994", "17 May 1994", "17 mei 1994")


def test_recipient_is_the_registered_applicant_without_passport_or_birth_date():
    assert ENGLISH == Recipient("priya.raman@example.org", Language.ENGLISH, "Priya", "Raman")


@pytest.mark.parametrize("kind", EVERY_EMAIL)
@pytest.mark.parametrize("to", [ENGLISH, DUTCH], ids=["en", "nl"])
def test_each_email_is_of_its_kind_in_the_applicants_language_and_names_the_case(kind, to):
    email = EVERY_EMAIL[kind](to)
    english, dutch = SUBJECT_OPENINGS[kind]
    assert email.kind == kind
    assert email.recipient == to.email
    assert email.subject.startswith(english if to.language is Language.ENGLISH else dutch)
    assert CASE_NUMBER in email.subject and CASE_NUMBER in email.body
    assert email.body.startswith(("Dear " if to.language is Language.ENGLISH else "Beste ") + "Priya Raman,")


@pytest.mark.parametrize("kind", EVERY_EMAIL)
@pytest.mark.parametrize("to", [ENGLISH, DUTCH], ids=["en", "nl"])
def test_no_email_carries_the_passport_number_or_birth_date(kind, to):
    email = EVERY_EMAIL[kind](to)
    # Unfolded, so a birth date split across the calendar file's 75-octet lines is still found.
    texts = [email.subject, email.body] + [a.data.replace(b"\r\n ", b"").decode() for a in email.attachments]
    for text in texts:
        assert APPLICANT.passport_number not in text
        assert not [spelling for spelling in BIRTH_DATE_SPELLINGS if spelling in text]


@pytest.mark.parametrize(
    "product, kind",
    [
        (AppointmentProduct.BIOMETRICS, "biometrics_appointment"),
        (AppointmentProduct.ENDORSEMENT_STICKER, "sticker_appointment"),
        (AppointmentProduct.DOCUMENT_PICKUP, "document_ready"),
    ],
)
def test_appointment_email_kind_follows_the_product(product, kind):
    assert appointment_booked(_booked(product), ENGLISH).kind == kind


@pytest.mark.parametrize("product", [AppointmentProduct.SUBMISSION, AppointmentProduct.INFORMATION])
def test_appointments_the_applicant_books_themselves_get_no_email(product):
    with pytest.raises(ValueError):
        appointment_booked(_booked(product), ENGLISH)


@pytest.mark.parametrize(
    "product, english, dutch",
    [
        (AppointmentProduct.BIOMETRICS, "biometric data", "biometrische gegevens"),
        (AppointmentProduct.ENDORSEMENT_STICKER, "residence endorsement sticker", "verblijfsaantekening (sticker)"),
        (AppointmentProduct.DOCUMENT_PICKUP, "collect your residence document", "verblijfsdocument op te halen"),
    ],
)
def test_the_wait_for_a_slot_names_the_appointment_the_window_and_that_nothing_is_asked_of_the_applicant(product, english, dutch):
    in_english = appointment_awaiting_slot(_awaiting(product), ENGLISH).body
    in_dutch = appointment_awaiting_slot(_awaiting(product), DUTCH).body
    assert english in in_english and "next 40 working days" in in_english and "You do not need to do anything" in in_english
    assert dutch in in_dutch and "komende 40 werkdagen" in in_dutch and "U hoeft niets te doen" in in_dutch


@pytest.mark.parametrize("product", [AppointmentProduct.SUBMISSION, AppointmentProduct.INFORMATION])
def test_no_email_about_the_wait_for_an_appointment_the_applicant_books_themselves(product):
    with pytest.raises(ValueError):
        appointment_awaiting_slot(_awaiting(product), ENGLISH)


@pytest.mark.parametrize("to", [ENGLISH, DUTCH], ids=["en", "nl"])
def test_appointment_body_gives_place_day_hours_and_appointment_id(to):
    email = appointment_booked(BOOKED, to)
    details = ("IN Amsterdam", "Zuiderzeeweg 2, 1095 KJ Amsterdam", "10-03-2026", "09:30", "09:45")
    for detail in (*details, BOOKED.data.appointment_id):
        assert detail in email.body


def test_document_email_says_where_to_collect_the_document():
    english = appointment_booked(_booked(AppointmentProduct.DOCUMENT_PICKUP), ENGLISH).body
    dutch = appointment_booked(_booked(AppointmentProduct.DOCUMENT_PICKUP), DUTCH).body
    assert "is ready" in english and "collect it at IN Amsterdam" in english
    assert "ligt klaar" in dutch and "ophalen bij IN Amsterdam" in dutch


@pytest.mark.parametrize("to", [ENGLISH, DUTCH], ids=["en", "nl"])
def test_appointment_calendar_file_holds_the_appointment_in_amsterdam_time(to):
    email = appointment_booked(BOOKED, to)
    (attachment,) = email.attachments
    assert (attachment.filename, attachment.content_type) == ("appointment.ics", "text/calendar")
    calendar = _calendar(email)
    assert str(calendar["METHOD"]) == "PUBLISH" and str(calendar["VERSION"]) == "2.0"
    (event,) = calendar.events
    assert event["DTSTART"].params["TZID"] == event["DTEND"].params["TZID"] == "Europe/Amsterdam"
    assert event.start == datetime(2026, 3, 10, 9, 30, tzinfo=AMSTERDAM)
    assert event.end == datetime(2026, 3, 10, 9, 45, tzinfo=AMSTERDAM)
    assert str(event["UID"]) == f"{BOOKED.data.appointment_id}@ind.example"
    assert str(event["LOCATION"]) == "IN Amsterdam, Zuiderzeeweg 2, 1095 KJ Amsterdam"
    assert CASE_NUMBER in str(event["SUMMARY"]) and BOOKED.data.appointment_id in str(event["DESCRIPTION"])


def test_calendar_summary_is_in_the_applicants_language_and_names_no_one():
    english = _calendar(appointment_booked(BOOKED, ENGLISH)).events[0]
    dutch = _calendar(appointment_booked(BOOKED, DUTCH)).events[0]
    assert "biometrics" in str(english["SUMMARY"]) and "biometrie" in str(dutch["SUMMARY"])
    for event in (english, dutch):
        assert "Raman" not in str(event["SUMMARY"]) + str(event["DESCRIPTION"])


def test_calendar_file_differs_only_in_its_timestamp():
    def without_stamp(ics: bytes) -> list[bytes]:
        return [line for line in ics.splitlines() if not line.startswith(b"DTSTAMP")]

    first, second = (appointment_ics(BOOKED.data, "summary", "description") for _ in range(2))
    assert b"DTSTAMP:" in first
    assert without_stamp(first) == without_stamp(second)


@pytest.mark.parametrize("to, suspended", [(ENGLISH, "suspended"), (DUTCH, "opgeschort")], ids=["en", "nl"])
def test_information_request_quotes_the_request_and_says_the_clock_stops(to, suspended):
    body = information_requested(_example(InformationRequested), to).body
    assert '"Please send your employment contract."' in body
    assert suspended in body and "20-03-2026" in body


@pytest.mark.parametrize("to, objection", [(ENGLISH, "within 4 weeks"), (DUTCH, "binnen 4 weken")], ids=["en", "nl"])
def test_refusal_gives_the_reason_and_the_objection_period(to, objection):
    body = case_decided(REFUSED, to).body
    assert "Salary below the threshold." in body
    assert "bezwaar" in body and objection in body


@pytest.mark.parametrize(
    "to, follows, none",
    [
        (ENGLISH, "producing your residence document", "do not need to collect a residence document"),
        (DUTCH, "verblijfsdocument maken", "geen verblijfsdocument op te halen"),
    ],
    ids=["en", "nl"],
)
def test_grant_says_whether_a_residence_document_follows(to, follows, none):
    with_document = case_decided(DECIDED, to).body
    without_document = case_decided(_with(DECIDED, document_required=False), to).body
    assert follows in with_document and none not in with_document
    assert none in without_document and follows not in without_document


def test_closure_states_the_outcome():
    closed = _example(CaseClosed)
    assert "was granted" in case_closed(closed, ENGLISH).body
    assert "was refused" in case_closed(_with(closed, outcome=Outcome.REFUSED), ENGLISH).body
    assert "is afgewezen" in case_closed(_with(closed, outcome=Outcome.REFUSED), DUTCH).body


@pytest.mark.parametrize(
    "to, apology, remedy",
    [(ENGLISH, "We are sorry", "notice of default"), (DUTCH, "Het spijt ons", "ingebrekestelling")],
    ids=["en", "nl"],
)
def test_missed_deadline_apologises_names_the_date_and_the_notice_of_default(to, apology, remedy):
    body = deadline_exceeded(_example(DeadlineExceeded), to).body
    assert apology in body and "01-06-2026" in body and remedy in body


@pytest.mark.parametrize("day", [date(2026, 3, 10), date(2027, 11, 2)], ids=["2026", "2027"])
def test_calendar_file_is_the_one_icalendar_writes_with_the_desks_timezone_for_the_appointments_year(day):
    appointment = BOOKED.data.model_copy(update={"date": day})
    ics = appointment_ics(appointment, "summary", "description")

    reference = Calendar.from_ical(ics)
    reference.subcomponents = [c for c in reference.subcomponents if c.name != "VTIMEZONE"]
    reference.add_missing_timezones(date(day.year, 1, 1), date(day.year + 1, 1, 1))
    assert ics == reference.to_ical()
    assert [tz.tz_name for tz in Calendar.from_ical(ics).timezones] == ["Europe/Amsterdam"]
