"""The event of an applicant's alert for a free desk slot (internal, topic ``ind.case.appointments.v1``).

An applicant asks the desk service (biometrics) to be told when a slot that suits them frees up: a
product, a number of persons, some desks, before a day. When its pass finds such a slot free,
biometrics says so once for that alert and slot, with whom to write to, and notify writes the email.
The event carries the alert's unsubscribe reference, never a token: notify derives the token from it
with the key it shares with biometrics (``schemas.manage_links``), as it does for manage links.
"""

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import Field

from schemas.appointments import AppointmentPlace
from schemas.codes import AppointmentProduct, Language
from schemas.email import RegisteredEmailAddress
from schemas.envelope import CloudEvent

UNSUBSCRIBE_REFERENCE = (
    "Notify derives the alert's unsubscribe token from it with the key it shares with biometrics "
    "(schemas/manage_links.py, unsubscribe_token); without the key it unsubscribes nothing."
)


class SlotAvailableData(AppointmentPlace):
    """Where and when the free slot is (``AppointmentPlace``), and the alert it suits."""

    alert_id: UUID = Field(description="The alert's id; the key of its events.")
    slot_key: str = Field(description="The free slot's key, e.g. BIO-AM-20260310-0930: what a hold or a booking names.")
    product: AppointmentProduct
    persons: int = Field(ge=1, le=6, description="The persons the alert asked for; the slot has room for them.")
    before: date = Field(description="The alert asked for a slot earlier than this day.")
    email: RegisteredEmailAddress = Field(description="Whom to write to: the address the alert was asked for with.")
    language: Language
    unsubscribe_reference: str = Field(description=UNSUBSCRIBE_REFERENCE)


class SlotAvailable(CloudEvent[SlotAvailableData]):
    """A slot that suits an applicant's alert is free. The alert holds no seat, so anyone may book it a
    moment later. Said once for an alert and a slot, and for one alert at most a few times a day.
    Key = the alert's id."""

    type: Literal["nl.ind.appointment.slot_available.v1"]
