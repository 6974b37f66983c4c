"""What an applicant's own booking adds to its appointment (``biometrics.applicant_bookings``).

The booking code is for people (the applicant quotes it, a desk officer reads it); the manage token
is the applicant's key to look the booking up, move or cancel it, and is kept only as its SHA-256,
so a copy of the table manages nothing. A booking without a case keeps whom to write to and who
comes; a case's booking keeps no contact: its emails go to the address the case registered.
"""

import json
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from schemas.codes import Language


@dataclass(frozen=True)
class Customer:
    first_name: str
    last_name: str
    v_number: str | None = None


@dataclass(frozen=True)
class Contact:
    customers: tuple[Customer, ...]
    email: str
    phone: str
    language: Language


@dataclass(frozen=True)
class ApplicantBooking:
    appointment_id: str
    booking_id: UUID  # the Kafka key of a caseless booking's events (a case's are keyed by the case)
    booking_code: str
    contact: Contact | None  # None for a case's appointment


class ApplicantBookings:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def add(self, booking: ApplicantBooking, token_hash: bytes) -> None:
        await self._connection.execute(
            """insert into biometrics.applicant_bookings (appointment_id, booking_id, booking_code, token_hash, contact)
               values ($1, $2, $3, $4, $5::jsonb)""",
            booking.appointment_id,
            booking.booking_id,
            booking.booking_code,
            token_hash,
            _contact_json(booking.contact),
        )

    async def code_taken(self, booking_code: str) -> bool:
        return bool(
            await self._connection.fetchval("select 1 from biometrics.applicant_bookings where booking_code = $1", booking_code)
        )

    async def by_token(self, token_hash: bytes) -> ApplicantBooking | None:
        row = await self._connection.fetchrow("select * from biometrics.applicant_bookings where token_hash = $1", token_hash)
        return _booking(row) if row is not None else None

    async def of_appointment(self, appointment_id: str) -> ApplicantBooking | None:
        row = await self._connection.fetchrow(
            "select * from biometrics.applicant_bookings where appointment_id = $1", appointment_id
        )
        return _booking(row) if row is not None else None

    async def renew_token(self, appointment_id: str, token_hash: bytes) -> None:
        """Give the booking a new manage token: the old one manages nothing from now on."""
        await self._connection.execute(
            "update biometrics.applicant_bookings set token_hash = $2 where appointment_id = $1", appointment_id, token_hash
        )


def _contact_json(contact: Contact | None) -> str | None:
    if contact is None:
        return None
    return json.dumps(
        {
            "customers": [{"firstName": c.first_name, "lastName": c.last_name, "vNumber": c.v_number} for c in contact.customers],
            "email": contact.email,
            "phone": contact.phone,
            "language": contact.language.value,
        }
    )


def _booking(row: asyncpg.Record) -> ApplicantBooking:
    contact = None
    if row["contact"] is not None:
        document = json.loads(row["contact"])
        customers = tuple(Customer(c["firstName"], c["lastName"], c["vNumber"]) for c in document["customers"])
        contact = Contact(customers, document["email"], document["phone"], Language(document["language"]))
    return ApplicantBooking(row["appointment_id"], row["booking_id"], row["booking_code"], contact)
