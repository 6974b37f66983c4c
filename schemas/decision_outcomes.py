"""What a caseworker tool reads back about its commands (public, topic ``ind.decision.outcomes.v1``)."""

from enum import StrEnum
from typing import Literal
from uuid import UUID

from pydantic import Field

from schemas.envelope import CloudEvent, Payload


class CommandAcceptedData(Payload):
    command_id: str
    case_id: UUID
    case_number: str
    caseworker_id: str
    action: str
    status: str = Field(description="The case's status after the command.")


class CommandAccepted(CloudEvent[CommandAcceptedData]):
    """A caseworker command was carried out."""

    type: Literal["nl.ind.decision.command_accepted.v1"]


class RejectionCode(StrEnum):
    INVALID_COMMAND = "invalid_command"
    UNKNOWN_CASE = "unknown_case"
    UNKNOWN_CASEWORKER = "unknown_caseworker"
    NOT_AUTHORISED = "not_authorised"
    CASE_NOT_READY = "case_not_ready"
    ALREADY_DECIDED = "already_decided"
    SAME_CASEWORKER = "same_caseworker"
    UNAUTHENTICATED = "unauthenticated"
    """Not signed, signed by an unknown tool, or the signature does not match (``schemas/signing.py``)."""
    CLAIMED_BY_OTHER = "claimed_by_other"
    """Another caseworker works the case (has claimed it)."""
    CLAIM_CHANGED = "claim_changed"
    """The command names a claim that is no longer the case's: released, or claimed again since."""


class CommandRejectedData(Payload):
    command_id: str | None = Field(description="The command's CloudEvents id, when it could be read.")
    case_id: UUID | None = None
    case_number: str | None = None
    caseworker_id: str | None = None
    code: RejectionCode
    reason: str = Field(description="Why, in words a caseworker understands.")


class CommandRejected(CloudEvent[CommandRejectedData]):
    """A caseworker command was refused and changed nothing."""

    type: Literal["nl.ind.decision.command_rejected.v1"]
