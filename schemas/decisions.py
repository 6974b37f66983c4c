"""What caseworker tools send to decide a case (public)."""

from enum import StrEnum
from typing import Literal
from uuid import UUID

from pydantic import Field

from schemas.envelope import CloudEvent, Payload


class DecisionAction(StrEnum):
    GRANT = "grant"
    REFUSE = "refuse"
    """A refusal takes effect only when a second, different caseworker refuses too (four eyes); that
    second caseworker's grant overturns the proposed refusal instead."""
    REQUEST_INFORMATION = "request_information"


class DecisionRequestData(Payload):
    case_id: UUID
    case_number: str
    caseworker_id: str = Field(min_length=1, max_length=100)
    action: DecisionAction
    reason: str = Field(min_length=1, max_length=2000, description="Why; written to the audit trail.")
    claim_id: UUID | None = Field(
        default=None,
        description=(
            "The claim under which the caseworker works the case (the console sends it). When given, the command is "
            "refused unless that claim is still the case's current one, so a page opened before a release or a "
            "reassignment cannot decide. Left out, the command is refused only if someone else holds the case."
        ),
    )


class DecisionRequested(CloudEvent[DecisionRequestData]):
    """A caseworker asks for a decision on a case; it is checked against its signature, state and role.

    ``toolid`` and ``signature`` are CloudEvents extension attributes: see ``schemas/signing.py``.
    """

    type: Literal["nl.ind.decision.requested.v1"]
    toolid: str | None = Field(default=None, max_length=100, description="The signing caseworker tool.")
    signature: str | None = Field(default=None, max_length=128, description="Hex HMAC-SHA256 of the command by the tool's key.")
