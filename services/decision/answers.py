"""What a caseworker tool reads back about a command (``ind.decision.outcomes.v1``): carried out,
with the case's status after it, or refused, with a code and a reason in words. Pure."""

from ind_runtime.screening import Unacceptable
from schemas.decision_outcomes import CommandAccepted, CommandAcceptedData, CommandRejected, CommandRejectedData, RejectionCode
from schemas.decisions import DecisionRequested
from services.decision.case import SOURCE, Case, Refusal


def accepted(command: DecisionRequested, case: Case) -> CommandAccepted:
    data = command.data
    answer = CommandAcceptedData(
        command_id=command.id,
        case_id=case.case_id,
        case_number=case.case_number,
        caseworker_id=data.caseworker_id,
        action=data.action.value,
        status=case.status.value,
    )
    return CommandAccepted.create(answer, source=SOURCE, subject=case.case_number)


def rejected(command: DecisionRequested, refusal: Refusal) -> CommandRejected:
    data = command.data
    answer = CommandRejectedData(
        command_id=command.id,
        case_id=data.case_id,
        case_number=data.case_number,
        caseworker_id=data.caseworker_id,
        code=refusal.code,
        reason=refusal.reason,
    )
    return CommandRejected.create(answer, source=SOURCE, subject=data.case_number)


def unreadable(command: Unacceptable) -> CommandRejected:
    """The answer to a record that is no valid command: every problem with it, in one reason."""
    reason = "; ".join(f"{problem.field or 'record'}: {problem.message}" for problem in command.problems)
    answer = CommandRejectedData(command_id=command.message_id, code=RejectionCode.INVALID_COMMAND, reason=reason)
    return CommandRejected.create(answer, source=SOURCE)
