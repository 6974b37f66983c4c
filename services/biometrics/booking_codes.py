"""The identifiers an applicant's booking hands out, and what is kept of them.

- The **booking code** is for people: eight characters in two groups (``K7MQ-2XDP``) from an alphabet
  without the look-alikes 0/O and 1/I/L, so it reads well over a desk or the phone. It is a name,
  not a key: 31^8 codes are not hard enough to guess to manage a booking with.
- The **manage token** is the key (``schemas.manage_links``: 256 bits, derived from a reference with
  the key shared with notify); only its SHA-256 is kept.
- A **hold id** is 192 random bits, kept as its SHA-256 for its few minutes.
- A **client's address** is kept only as a SHA-256, with its hold, to find the hold of a client that
  books without naming it.
"""

import hashlib
import secrets

from schemas.manage_links import token_hash

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_booking_code() -> str:
    letters = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{letters[:4]}-{letters[4:]}"


def new_hold_id() -> str:
    return secrets.token_urlsafe(24)


def hold_hash(hold_id: str) -> bytes:
    return token_hash(hold_id)


def client_hash(address: str) -> bytes:
    return hashlib.sha256(b"biometrics.client\n" + address.encode("utf-8", "surrogatepass")).digest()


def caseless_appointment_id(slot_key: str, booking_code: str) -> str:
    """The id the desk reports back for an appointment without a case: its first slot's key and the
    booking code (``SUB-AM-20270302-0930-K7MQ2XDP``); it stays the same when the appointment moves."""
    return f"{slot_key}-{booking_code.replace('-', '')}"
