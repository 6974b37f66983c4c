"""Caseworker commands: each is authenticated, checked against its case and the roster, carried out
or refused with a reason the tool can read, and audited either way."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import structlog

from ind_runtime.logs import get_logger
from ind_runtime.records import ConsumedRecord
from ind_runtime.screening import Unacceptable
from schemas.decisions import DecisionRequested
from schemas.lifecycle import Outcome
from schemas.topics import DECISION_OUTCOMES
from services.decision import answers
from services.decision.audit import AuditEntry
from services.decision.case import Case, CaseStatus, Refusal, decide
from services.decision.caseworkers import Caseworker
from services.decision.claims import claim_refusal
from services.decision.explanations import Explanation
from services.decision.policy import CONSUMER, DecisionPolicy
from services.decision.tool_keys import authenticate
from services.decision.unit_of_work import DecisionUnitOfWork, announce

REFUSALS = f"{CONSUMER}.rejections"
"""Where refusals of commands that cannot be verified are deduplicated, by their record's position."""

log = get_logger(__name__)


async def screened_commands(
    screened: Sequence[tuple[ConsumedRecord, DecisionRequested]], uow: DecisionUnitOfWork, policy: DecisionPolicy
) -> None:
    """The wiring's way in for commands that passed screening, a batch or one: carry out those a
    registered tool signed, refuse the others with a reason the tool can read; audit all; commit.

    The signature is checked before a command's id is marked handled: a forged command reusing a
    real command's id must not make the real one look like a redelivery. A refusal of an unverified
    command is deduplicated by its record's position instead, as an unreadable record's is. Refusals
    are written before the commands carried out, so each case's answers keep their records' order.
    """
    signed: list[DecisionRequested] = []
    for record, command in screened:
        unauthenticated = authenticate(command, policy.tool_keys)
        if unauthenticated is None:
            signed.append(command)
        elif await uow.first_time(REFUSALS, record.position):
            await _refuse(uow, command, unauthenticated)
    await decision_commands(signed, uow, policy)


async def unreadable_command(
    command: Unacceptable, record: ConsumedRecord, uow: DecisionUnitOfWork, policy: DecisionPolicy
) -> None:
    """Answer a record that is no command the tool could have meant (once per record), and audit it."""
    if await uow.first_time(REFUSALS, record.position):
        await _refuse_unreadable(uow, command, record)
        await uow.commit()


async def decision_commands(commands: Sequence[DecisionRequested], uow: DecisionUnitOfWork, policy: DecisionPolicy) -> None:
    """Carry out authenticated commands in order (each once), with one read of their cases and
    one write per kind of change, or refuse those the case's state or the roster do not allow;
    audit every one and commit."""
    commands = await uow.new_events(CONSUMER, commands)
    case_ids = {command.data.case_id for command in commands}
    filed = await uow.cases.get_many(case_ids)
    cases = {case_id: case for case_id, (case, _facts) in filed.items()}
    claims = await uow.claims.of(case_ids)
    caseworkers = await _caseworkers(uow, policy, {command.data.caseworker_id for command in commands})
    changed: dict[UUID, Case] = {}
    documents_due: dict[UUID, datetime] = {}
    for command in commands:
        data = command.data
        with structlog.contextvars.bound_contextvars(event_id=command.id):
            before = cases.get(data.case_id)
            if before is not None and before.case_number != data.case_number:
                before = None
            held = claim_refusal(claims.get(data.case_id), data.caseworker_id, data.claim_id) if before else None
            after = held or decide(before, caseworkers.get(data.caseworker_id), data.action, policy.today(), data.reason)
            if isinstance(after, Refusal):
                await _refuse(uow, command, after)
                continue
            uow.audit_trail.record(AuditEntry.of(command))
            cases[after.case_id] = changed[after.case_id] = after
            claims.pop(after.case_id, None)  # released once decided (below): the next step is anyone's
            uow.cases.note(after.case_id, after.status, data.caseworker_id, _explanation(after, data.reason))
            await announce(uow, after.events)
            if after.status == CaseStatus.DOCUMENT_IN_PRODUCTION:
                documents_due[after.case_id] = policy.now() + policy.document_lead_time
            await uow.emit(DECISION_OUTCOMES.name, str(after.case_id), answers.accepted(command, after))
            log.debug("decision command carried out", action=data.action.value, status=after.status.value)
    await uow.cases.save_many(list(changed.values()), documents_due)
    await uow.claims.end(changed.keys())
    await uow.commit()


async def _caseworkers(uow: DecisionUnitOfWork, policy: DecisionPolicy, ids: set[str]) -> dict[str, Caseworker]:
    """Who the commands' caseworkers are: the roster file's, then the console's staff (active only)."""
    found = {caseworker_id: policy.roster[caseworker_id] for caseworker_id in ids if caseworker_id in policy.roster}
    unknown = ids - found.keys()
    return found | await uow.staff.caseworkers(unknown) if unknown else found


def _explanation(case: Case, reason: str) -> Explanation:
    """What the applicant reads in the case's history about a caseworker's decision."""
    if case.status == CaseStatus.AWAITING_INFORMATION:
        return Explanation("information_requested", {"reason": reason})
    if case.status == CaseStatus.REFUSAL_PROPOSED:
        return Explanation("refusal_proposed")
    if case.status == CaseStatus.CLOSED:
        assert case.outcome is not None  # a case is closed with its outcome
        return Explanation("refused_closed" if case.outcome == Outcome.REFUSED else "granted_closed", {"reason": reason})
    return Explanation("granted_document", {"reason": reason})


async def _refuse(uow: DecisionUnitOfWork, command: DecisionRequested, refusal: Refusal) -> None:
    uow.audit_trail.record(AuditEntry.of(command, refusal))
    await uow.emit(DECISION_OUTCOMES.name, str(command.data.case_id), answers.rejected(command, refusal))
    log.info("decision command rejected", code=refusal.code.value)


async def _refuse_unreadable(uow: DecisionUnitOfWork, command: Unacceptable, record: ConsumedRecord) -> None:
    answer = answers.unreadable(command)
    uow.audit_trail.record(AuditEntry.of_unreadable(command.message_id, answer.data.reason))
    await uow.emit(DECISION_OUTCOMES.name, command.message_id or record.position, answer)
