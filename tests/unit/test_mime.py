"""What the SMTP server receives reads back as the email that was queued, on both building paths."""

import json
from base64 import b64encode
from email import message_from_bytes, policy

import pytest

from services.notify import mime
from services.notify.mime import to_wire

SENDER = "IND <no-reply@ind.example>"
CALENDAR = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nSUMMARY:Biometrie \xc3\xa9\xc3\xa9n afspraak\r\nEND:VCALENDAR\r\n"


def _row(recipient: str, attachments: list | None = None) -> dict:
    return {
        "recipient": recipient,
        "subject": "Uw afspraak voor biometrie: IND-2026-0000042 (één keer, geen ‘extra’ kosten)",
        "body": "Beste Zoë,\n\nUw afspraak is gemaakt. Neem uw paspoort mee.\n" + "Lange regel " * 20 + "\n",
        "message_id": "<biometrics_appointment.e1@notify.ind.example>",
        "case_number": "IND-2026-0000042",
        "kind": "biometrics_appointment",
        "attachments": json.dumps(attachments or []),
    }


def _received(row: dict) -> object:
    wire = to_wire(row, SENDER)
    assert (wire.sender, wire.recipient) == ("no-reply@ind.example", row["recipient"])
    assert all(len(line) <= 998 for line in wire.data.split(b"\r\n"))
    return message_from_bytes(wire.data, policy=policy.default)


@pytest.mark.parametrize("recipient", ["zoe@example.org", "zoë@voorbeeld.nl"], ids=["ascii", "smtputf8"])
def test_headers_and_body_arrive_as_queued(recipient):
    row = _row(recipient)
    received = _received(row)
    assert received["To"] == recipient
    assert received["From"] == SENDER
    assert received["Subject"] == row["subject"]
    assert received["Message-ID"] == row["message_id"]
    assert received["X-IND-Case-Number"] == "IND-2026-0000042"
    assert received["X-IND-Email-Kind"] == "biometrics_appointment"
    assert received["Date"].datetime is not None
    assert received.get_body(("plain",)).get_content().replace("\r\n", "\n") == row["body"]


@pytest.mark.parametrize("recipient", ["zoe@example.org", "zoë@voorbeeld.nl"], ids=["ascii", "smtputf8"])
def test_a_calendar_attachment_arrives_byte_for_byte_with_its_name_and_type(recipient):
    attachment = {"filename": "appointment.ics", "content_type": "text/calendar", "data": b64encode(CALENDAR).decode()}
    received = _received(_row(recipient, [attachment]))
    (part,) = list(received.iter_attachments())
    assert part.get_filename() == "appointment.ics"
    assert part.get_content_type() == "text/calendar"
    assert part.get_payload(decode=True) == CALENDAR
    assert received.get_body(("plain",)).get_content().startswith("Beste Zoë,")


def test_only_an_address_that_is_not_ascii_needs_smtputf8():
    ascii_only, international = to_wire(_row("zoe@example.org"), SENDER), to_wire(_row("zoë@voorbeeld.nl"), SENDER)
    assert ascii_only.data.isascii() and not ascii_only.smtputf8
    assert international.smtputf8


@pytest.mark.parametrize("field", ["subject", "case_number", "kind"])
def test_a_header_value_that_spans_lines_is_refused(field):
    row = {**_row("zoe@example.org"), field: "IND-2026-0000042\r\nBcc: someone@example.org"}
    with pytest.raises(ValueError, match="spans lines"):
        to_wire(row, SENDER)


def test_a_long_non_ascii_subject_is_folded_into_lines_of_at_most_78_characters():
    wire = to_wire(_row("zoe@example.org"), SENDER)
    headers = wire.data.split(b"\r\n\r\n")[0].split(b"\r\n")
    subject = headers[next(i for i, h in enumerate(headers) if h.startswith(b"Subject:")) :][:3]
    assert subject[0].startswith(b"Subject: =?utf-8?q?") and subject[1].startswith(b" =?utf-8?q?")
    assert all(len(line) <= 78 for line in headers if not line.startswith(b"Message-ID:"))


def _without_date(data: bytes) -> bytes:
    return b"\r\n".join(line for line in data.split(b"\r\n") if not line.startswith(b"Date: "))


@pytest.mark.parametrize(
    "subject",
    [
        "Your biometrics appointment on 10-03-2026",
        "Uw afspraak voor biometrie: IND-2026-0000042 (één keer)",
        "A  subject with  runs " * 5,
    ],
    ids=["short ascii", "non-ascii", "long with runs of spaces"],
)
def test_the_ascii_message_is_byte_for_byte_what_compat32_writes(subject, monkeypatch):
    attachment = {"filename": "appointment.ics", "content_type": "text/calendar", "data": b64encode(CALENDAR).decode()}
    rows = [{**row, "subject": subject} for row in (_row("zoe@example.org"), _row("zoe@example.org", [attachment]))]
    written = [to_wire(row, SENDER).data for row in rows]
    monkeypatch.setattr(mime, "_ASCII_WIRE", policy.compat32.clone(linesep="\r\n"))
    assert [_without_date(data) for data in written] == [_without_date(to_wire(row, SENDER).data) for row in rows]


def test_a_resent_email_has_the_same_boundary_and_another_email_another():
    attachment = {"filename": "appointment.ics", "content_type": "text/calendar", "data": b64encode(CALENDAR).decode()}
    first, again = (to_wire(_row("zoe@example.org", [attachment]), SENDER).data for _ in range(2))
    other = to_wire({**_row("zoe@example.org", [attachment]), "message_id": "<other@notify.ind.example>"}, SENDER).data
    assert _without_date(first) == _without_date(again)
    boundary = first.split(b'boundary="', 1)[1].split(b'"', 1)[0]
    assert boundary.startswith(b"==_") and boundary not in other
