"""A queued email as the bytes the SMTP server receives, and the envelope they travel in.

Built with the standard library's ``compat32`` classes: ``EmailMessage`` parses every header it is
given through its header registry, which made building a message a third of notify's CPU time in
a burst (0.85 ms a message against 0.06 ms here). Only an address that is not ASCII needs the
modern API, because only it can write the SMTPUTF8 message such an address requires.
"""

import hashlib
from dataclasses import dataclass
from email import policy
from email.charset import QP, Charset
from email.encoders import encode_base64
from email.header import Header
from email.message import EmailMessage, Message
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.utils import formatdate, parseaddr
from typing import Any

from services.notify.emails import attachments_of
from services.notify.messages import Attachment

_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP  # readable in a mailbox, unlike base64, and mostly ASCII anyway
_UTF8_QP.header_encoding = QP


class _Compat32Wire(policy.Compat32):
    """compat32 on the wire, but a header that folding would leave as it is (short, printable
    ASCII, no runs of spaces) is written without running the folding algorithm, which was 40 % of
    building a message; everything else is folded as compat32 folds it."""

    def fold_binary(self, name: str, value) -> bytes:
        if (
            isinstance(value, str)
            and value.isascii()
            and value.isprintable()
            and "  " not in value
            and value == value.strip()
            and (self.max_line_length is None or len(name) + 2 + len(value) <= self.max_line_length)
        ):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


_ASCII_WIRE = _Compat32Wire(linesep="\r\n")
# Raw UTF-8 headers have no encoded words to keep short: lines up to RFC 5322's limit, because
# folding at 78 moves a long subject onto a line of its own and receivers read a leading space.
_SMTPUTF8_WIRE = policy.SMTPUTF8.clone(max_line_length=998)


class _Unfolded:
    """A header value written as it is: compat32 would move a Message-ID, which has no space to
    fold at, onto a line of its own, and receivers would read it with a leading space."""

    def __init__(self, value: str) -> None:
        self._value = value

    def encode(self, linesep: str = "\n", maxlinelen: int | None = None) -> str:
        return self._value

    def __str__(self) -> str:
        return self._value


@dataclass(frozen=True)
class WireMessage:
    sender: str  # the envelope's MAIL FROM address
    recipient: str
    data: bytes
    smtputf8: bool


def to_wire(row, sender: str) -> WireMessage:
    """``row`` is a ``notify.emails`` row: recipient, subject, body, Message-ID, case and kind;
    ``sender`` the From header, e.g. ``IND <no-reply@ind.example>``. ValueError when a header value
    spans lines (it would smuggle in headers of its own)."""
    for name, value in (*_headers(row, sender), ("Subject", row["subject"])):
        if "\r" in value or "\n" in value:
            raise ValueError(f"the {name} header of email {row['message_id']!r} spans lines")
    envelope_sender = parseaddr(sender)[1]
    if row["recipient"].isascii() and sender.isascii():
        data = _message(row, sender).as_bytes(policy=_ASCII_WIRE)
        return WireMessage(envelope_sender, row["recipient"], data, smtputf8=False)
    data = _smtputf8_message(row, sender).as_bytes(policy=_SMTPUTF8_WIRE)
    return WireMessage(envelope_sender, row["recipient"], data, smtputf8=True)


def _message(row, sender: str) -> Message:
    body = MIMENonMultipart("text", "plain", charset=str(_UTF8_QP))  # what MIMEText does, with a Charset
    body.set_payload(row["body"], _UTF8_QP)
    attachments = attachments_of(row)
    message: Message[Any, Any] = (
        body if not attachments else MIMEMultipart("mixed", _boundary(row), [body, *map(_part, attachments)])
    )
    for name, value in _headers(row, sender):
        message[name] = _Unfolded(value) if name == "Message-ID" else value
    subject = row["subject"]
    message["Subject"] = subject if subject.isascii() else Header(subject, _UTF8_QP, header_name="Subject")
    return message


def _boundary(row) -> str:
    """From the Message-ID, so a resent email is the same. The generator would otherwise draw one
    and compile a pattern to search every part for it (a fifth of building a message); none is
    needed: every part is quoted-printable or base64, which never writes "==" after "--"."""
    return "==_" + hashlib.blake2s(row["message_id"].encode(), digest_size=16).hexdigest()


def _part(attachment: Attachment) -> Message:
    maintype, subtype = attachment.content_type.split("/", 1)
    part = MIMENonMultipart(maintype, subtype)
    part.set_payload(attachment.data)
    encode_base64(part)
    part.add_header("Content-Disposition", "attachment", filename=attachment.filename)
    return part


def _headers(row, sender: str) -> list[tuple[str, str]]:
    return [
        ("From", sender),
        ("To", row["recipient"]),
        ("Message-ID", row["message_id"]),
        ("Date", formatdate(usegmt=True)),
        ("X-IND-Case-Number", row["case_number"]),
        ("X-IND-Email-Kind", row["kind"]),
    ]


def _smtputf8_message(row, sender: str) -> EmailMessage:
    message = EmailMessage()
    for name, value in _headers(row, sender):
        message[name] = value
    message["Subject"] = row["subject"]
    message.set_content(row["body"])
    for attachment in attachments_of(row):
        maintype, subtype = attachment.content_type.split("/", 1)
        message.add_attachment(attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename)
    return message
