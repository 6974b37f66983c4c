"""Events the notify service raises for operators (internal)."""

from typing import Literal
from uuid import UUID

from pydantic import Field

from schemas.envelope import CloudEvent, Payload


class ParkedEmailData(Payload):
    case_id: UUID
    case_number: str
    kind: str = Field(description="Which email, e.g. application_received.")
    event_id: str = Field(description="The event that called for the email.")
    attempts: int
    error: str = Field(description="The last SMTP error; never contains the recipient's address.")


class EmailParked(CloudEvent[ParkedEmailData]):
    """An email could not be delivered after every retry; an operator must act."""

    type: Literal["nl.ind.email.parked.v1"]
