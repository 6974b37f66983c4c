"""What desk systems at IND desks and expat centres report about appointments (public)."""

from typing import Literal
from uuid import UUID

from pydantic import Field

from schemas.codes import AppointmentProduct, LocationCode
from schemas.envelope import CloudEvent, Payload


class DeskVisit(Payload):
    case_id: UUID
    case_number: str
    appointment_id: str = Field(min_length=1, max_length=100)
    location: LocationCode
    desk_officer: str = Field(min_length=1, max_length=100, description="Staff id of the officer at the desk.")


class BiometricsCaptured(CloudEvent[DeskVisit]):
    """Photo, fingerprints and signature were taken at the desk."""

    type: Literal["nl.ind.biometrics.captured.v1"]


class NoShowData(DeskVisit):
    product: AppointmentProduct


class AppointmentNoShow(CloudEvent[NoShowData]):
    """The applicant did not come to the appointment."""

    type: Literal["nl.ind.appointment.no_show.v1"]


class CollectionData(DeskVisit):
    document_number: str = Field(min_length=1, max_length=20)


class DocumentCollected(CloudEvent[CollectionData]):
    """The applicant collected the residence document."""

    type: Literal["nl.ind.document.collected.v1"]
