"""Events about a case's life inside the service (internal stage topics)."""

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import Field

from schemas.codes import ApplicationType, Language, LocationCode
from schemas.email import RegisteredEmailAddress
from schemas.envelope import CloudEvent, Payload


class ApplicantProfile(Payload):
    """What later stages need to know about the applicant; the passport number stays with intake, and
    only its last three characters travel on, for a caseworker to tell documents apart."""

    given_names: str
    surname: str
    date_of_birth: date
    nationality: str
    email: RegisteredEmailAddress
    language: Language
    passport_ending: str | None = Field(
        default=None, min_length=3, max_length=3, description="The passport number's last three characters (intake fills it in)."
    )


class CaseRegisteredData(Payload):
    case_id: UUID
    case_number: str = Field(description="Readable case number, e.g. IND-2026-0000042.", examples=["IND-2026-0000042"])
    submission_id: str
    application_type: ApplicationType
    preferred_location: LocationCode
    received_on: date = Field(description="Day the application was received; statutory periods start here.")
    sponsor_id: str | None = None
    fee_paid: bool = False
    applicant: ApplicantProfile


class CaseRegistered(CloudEvent[CaseRegisteredData]):
    """A valid submission became a case; key = case id."""

    type: Literal["nl.ind.case.registered.v1"]
