"""Events of assessment, decision, deadlines and documents (internal, topic ``ind.case.lifecycle.v1``)."""

from datetime import date
from enum import StrEnum
from typing import Literal
from uuid import UUID

from pydantic import Field

from schemas.codes import LocationCode
from schemas.envelope import CloudEvent, Payload


class Recommendation(StrEnum):
    GRANT = "grant"
    REFUSE = "refuse"
    REQUEST_INFORMATION = "request_information"


class Severity(StrEnum):
    BLOCKING = "blocking"
    NEEDS_INFORMATION = "needs_information"
    NOTE = "note"


class Finding(Payload):
    code: str = Field(description="Stable machine code, e.g. sponsor_missing.")
    severity: Severity
    message: str


class CaseAssessedData(Payload):
    case_id: UUID
    case_number: str
    recommendation: Recommendation
    findings: list[Finding]
    deadline: date = Field(description="Statutory decision deadline as it stands now.")


class CaseAssessed(CloudEvent[CaseAssessedData]):
    """Automated rules assessed the case; it now waits in the caseworker queue."""

    type: Literal["nl.ind.case.assessed.v1"]


class InformationRequestedData(Payload):
    case_id: UUID
    case_number: str
    caseworker_id: str
    requested: str = Field(description="What the applicant must supply, in the caseworker's words.")
    suspended_on: date


class InformationRequested(CloudEvent[InformationRequestedData]):
    """A caseworker asked the applicant for more information; the statutory clock is suspended."""

    type: Literal["nl.ind.information.requested.v1"]


class CaseResumedData(Payload):
    case_id: UUID
    case_number: str
    suspended_days: int = Field(description="Days the clock stood still for this request.")
    deadline: date = Field(description="The deadline, extended day for day.")


class CaseResumed(CloudEvent[CaseResumedData]):
    """The applicant supplied the information; the case is back in the caseworker queue."""

    type: Literal["nl.ind.case.resumed.v1"]


class RefusalProposedData(Payload):
    case_id: UUID
    case_number: str
    caseworker_id: str
    reason: str


class RefusalProposed(CloudEvent[RefusalProposedData]):
    """A caseworker proposed to refuse; a second, different caseworker must confirm (four eyes)."""

    type: Literal["nl.ind.refusal.proposed.v1"]


class Outcome(StrEnum):
    GRANTED = "granted"
    REFUSED = "refused"


class CaseDecidedData(Payload):
    case_id: UUID
    case_number: str
    outcome: Outcome
    decided_by: list[str] = Field(description="One caseworker for a grant, two for a refusal.")
    reason: str
    decided_on: date
    document_required: bool = Field(description="Whether a residence document will be produced for pickup.")


class CaseDecided(CloudEvent[CaseDecidedData]):
    """The decision on the application."""

    type: Literal["nl.ind.case.decided.v1"]


class DocumentProducedData(Payload):
    case_id: UUID
    case_number: str
    document_number: str
    pickup_location: LocationCode


class DocumentProduced(CloudEvent[DocumentProducedData]):
    """The residence document is ready; a pickup appointment follows."""

    type: Literal["nl.ind.document.produced.v1"]


class CaseClosedData(Payload):
    case_id: UUID
    case_number: str
    outcome: Outcome
    closed_on: date


class CaseClosed(CloudEvent[CaseClosedData]):
    """Nothing more happens on this case."""

    type: Literal["nl.ind.case.closed.v1"]


class DeadlineData(Payload):
    case_id: UUID
    case_number: str
    deadline: date
    days_left: int = Field(description="Negative once exceeded.")


class DeadlineApproaching(CloudEvent[DeadlineData]):
    """The statutory deadline is near and the case is still open (a warning for caseworkers)."""

    type: Literal["nl.ind.deadline.approaching.v1"]


class DeadlineExceeded(CloudEvent[DeadlineData]):
    """The statutory deadline passed without a decision."""

    type: Literal["nl.ind.deadline.exceeded.v1"]
