"""The audit trail of caseworker commands: inserted, never changed (see migrations)."""

from dataclasses import dataclass
from uuid import UUID

from ind_runtime.unit_of_work import UnitOfWork
from schemas.decision_outcomes import RejectionCode
from schemas.decisions import DecisionRequested
from services.decision.case import Refusal


@dataclass(frozen=True)
class AuditEntry:
    """A caseworker command as the trail keeps it: who asked for what on which case and why, and for
    a command that was refused, why not. An unreadable command leaves most of it unknown."""

    command_id: str | None
    caseworker_id: str | None
    action: str | None
    case_id: UUID | None
    case_number: str | None
    reason: str | None
    rejection_code: str | None = None
    rejection_reason: str | None = None

    @property
    def accepted(self) -> bool:
        return self.rejection_code is None

    @classmethod
    def of(cls, command: DecisionRequested, refusal: Refusal | None = None) -> "AuditEntry":
        """The entry for ``command``, carried out, or refused for ``refusal``."""
        data = command.data
        return cls(
            command_id=command.id,
            caseworker_id=data.caseworker_id,
            action=data.action.value,
            case_id=data.case_id,
            case_number=data.case_number,
            reason=data.reason,
            rejection_code=refusal.code.value if refusal else None,
            rejection_reason=refusal.reason if refusal else None,
        )

    @classmethod
    def of_unreadable(cls, command_id: str | None, reason: str) -> "AuditEntry":
        """The entry for a record that is no valid command: its id, when it could be read, and why."""
        unknown = None
        return cls(
            command_id=command_id,
            caseworker_id=unknown,
            action=unknown,
            case_id=unknown,
            case_number=unknown,
            reason=unknown,
            rejection_code=RejectionCode.INVALID_COMMAND.value,
            rejection_reason=reason,
        )


class AuditTrail:
    """Every caseworker command, carried out or refused."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def record(self, entry: AuditEntry) -> None:
        """Keep ``entry`` once the unit of work commits (nothing reads the trail back before then)."""
        self._uow.append(
            """insert into decision.audit_trail (command_id, caseworker_id, action, case_id, case_number, reason,
                   accepted, rejection_code, rejection_reason)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
            entry.command_id,
            entry.caseworker_id,
            entry.action,
            entry.case_id,
            entry.case_number,
            entry.reason,
            entry.accepted,
            entry.rejection_code,
            entry.rejection_reason,
        )
