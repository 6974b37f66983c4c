"""The audit trail of caseworker commands: inserted, never changed (see migrations)."""

from uuid import UUID

from ind_runtime.unit_of_work import UnitOfWork


def record(
    uow: UnitOfWork,
    *,
    command_id: str | None,
    caseworker_id: str | None,
    action: str | None,
    case_id: UUID | None,
    case_number: str | None,
    reason: str | None,
    rejection_code: str | None = None,
    rejection_reason: str | None = None,
) -> None:
    """Audit a command once ``uow`` commits (nothing reads the trail back before then)."""
    uow.append(
        """insert into decision.audit_trail (command_id, caseworker_id, action, case_id, case_number, reason,
               accepted, rejection_code, rejection_reason)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
        command_id,
        caseworker_id,
        action,
        case_id,
        case_number,
        reason,
        rejection_code is None,
        rejection_code,
        rejection_reason,
    )
