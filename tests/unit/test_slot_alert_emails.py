"""The email about a free slot an applicant's alert found: one per event, to the address the alert was
asked for with, in its language, with a link to book the slot's desk on the portal and a link that
stops the alert, its token derived from the event's reference and carried after '#' (never the
reference itself, never a manage token of it), and no calendar file: nothing is booked yet."""

from urllib.parse import parse_qs, urlsplit

import pytest

from schemas.codes import Language
from schemas.examples import EXAMPLES
from schemas.manage_links import manage_token, unsubscribe_token
from schemas.slot_alerts import SlotAvailable
from services.notify.appointment_changes import DEFAULT_PORTAL_URL, ManageLinks
from services.notify.handlers import EMAILED_TYPES, calls_for_email, compose
from services.notify.settings import NotifySettings
from services.notify.slot_alerts import alert_recipient

KEY = b"manage-link-key-for-the-tests-0123456789"
LINKS = ManageLinks(KEY, "https://portal.example/{language}/manage", "https://portal.example/")
FREE: SlotAvailable = next(e for e in EXAMPLES if isinstance(e, SlotAvailable))


def _in(language: Language) -> SlotAvailable:
    return FREE.model_copy(update={"data": FREE.data.model_copy(update={"language": language})})


def _email(event: SlotAvailable, links: ManageLinks = LINKS):
    return compose(event, alert_recipient(event), links)


def _links(body: str) -> list[str]:
    return [word for word in body.split() if word.startswith("https://")]


@pytest.mark.parametrize(
    "language, opening, words",
    [
        (Language.ENGLISH, "Dear applicant,", ["A time is free at IND desk Amsterdam", "biometrics", "before 20-03-2026"]),
        (Language.DUTCH, "Beste aanvrager,", ["Er is een tijd vrij bij IND desk Amsterdam", "biometrie", "vóór 20-03-2026"]),
    ],
)
def test_the_email_names_the_free_time_and_links_to_book_it_and_to_stop_the_alert(language, opening, words):
    email = _email(_in(language))

    assert email.kind == "slot_available" and email.recipient == "ana.silva@example.org"
    assert email.body.startswith(opening)
    text = email.subject + email.body
    assert all(word in text for word in words), text
    assert "11-03-2026" in email.subject and "10:00" in email.subject and "10:15" in email.body
    book, stop = _links(email.body)
    place = urlsplit(book)
    assert place.path == f"/{language.value}/book/slots"
    assert parse_qs(place.query) == {"product": ["BIO"], "persons": ["1"], "desk": ["AM"]}
    token = unsubscribe_token(KEY, FREE.data.unsubscribe_reference)
    assert stop == f"https://portal.example/{language.value}/alerts/stop#token={token}"  # after '#': never sent to a server
    assert FREE.data.unsubscribe_reference not in email.body
    assert manage_token(KEY, FREE.data.unsubscribe_reference) not in email.body  # a token for this purpose only
    assert email.attachments == ()


def test_without_the_key_the_email_has_the_booking_link_and_no_stop_link():
    email = _email(FREE, ManageLinks(None, "https://portal.example/{language}/manage", "https://portal.example"))

    assert _links(email.body) == ["https://portal.example/en/book/slots?product=BIO&persons=1&desk=AM"]
    assert "#token=" not in email.body and "alerts/stop" not in email.body


def test_the_free_slot_is_emailed_and_the_portal_is_the_local_one_unless_set():
    assert SlotAvailable in EMAILED_TYPES and calls_for_email(FREE)
    assert NotifySettings.model_fields["portal_url"].default == DEFAULT_PORTAL_URL == "http://127.0.0.1:6070"
    email = _email(FREE, ManageLinks(KEY, "unused"))
    assert f"{DEFAULT_PORTAL_URL}/en/alerts/stop#token=" in email.body
