"""What intake systems publish, and what the intake service answers when it cannot accept it."""

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from schemas.codes import ApplicationType, Language, LocationCode
from schemas.email import EmailAddress
from schemas.envelope import CloudEvent, Payload

MAX_SUBMISSION_BYTES = 64 * 1024
"""A submission is a few hundred bytes; anything far larger is a broken or hostile producer."""

_NATIONALITY = re.compile(r"^[A-Z]{3}$")
_PASSPORT = re.compile(r"^[A-Z0-9]{6,9}$")


def _born_in_the_past(value: date) -> date:
    if value >= date.today():
        raise ValueError("the date of birth must lie in the past")
    if value.year < 1900:
        raise ValueError("the date of birth must not be before 1900")
    return value


def _iso_alpha3(value: str) -> str:
    if not _NATIONALITY.match(value):
        raise ValueError("nationality must be an ISO 3166-1 alpha-3 code such as 'NLD' or 'IND'")
    return value


def _passport(value: str) -> str:
    if not _PASSPORT.match(value):
        raise ValueError("a passport number has 6 to 9 capital letters and digits")
    return value


class Applicant(Payload):
    given_names: str = Field(min_length=1, max_length=200)
    surname: str = Field(min_length=1, max_length=200)
    date_of_birth: Annotated[date, AfterValidator(_born_in_the_past)] = Field(
        description="YYYY-MM-DD; personal data, never logged."
    )
    nationality: Annotated[str, AfterValidator(_iso_alpha3)] = Field(
        description="ISO 3166-1 alpha-3.", examples=["IND"], json_schema_extra={"pattern": _NATIONALITY.pattern}
    )
    email: EmailAddress
    language: Language = Field(description="Language of every message to the applicant.")
    passport_number: Annotated[str, AfterValidator(_passport)] = Field(
        description="Personal data: stored by intake, never logged, never emailed, never forwarded.",
        json_schema_extra={"pattern": _PASSPORT.pattern},
    )


class SubmissionData(Payload):
    application_type: ApplicationType
    applicant: Applicant
    preferred_location: LocationCode = Field(description="Where the applicant would like to go.")
    sponsor_id: str | None = Field(
        default=None,
        max_length=50,
        description="Recognised sponsor (employer, university, family member) where the type has one.",
    )
    fee_paid: bool = Field(default=False, description="Whether the application fee has been paid.")


class ApplicationSubmitted(CloudEvent[SubmissionData]):
    """An application handed in by an intake system; ``id`` is the idempotency key."""

    type: Literal["nl.ind.application.submitted.v1"]


class Problem(Payload):
    field: str = Field(description="Dotted path of the offending field; empty for the whole record.")
    message: str = Field(description="What is wrong, in words a person understands.")


class RecordOrigin(Payload):
    """Where a rejected record was read from, so its producer can find it."""

    topic: str
    partition: int
    offset: int


class RejectionData(Payload):
    submission_id: str | None = Field(description="The submission's id, when one could be read.")
    errors: list[Problem] = Field(min_length=1)
    origin: RecordOrigin


class SubmissionRejected(CloudEvent[RejectionData]):
    """The intake service could not accept a record from the submissions topic."""

    type: Literal["nl.ind.submission.rejected.v1"]
