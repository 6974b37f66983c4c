"""The decision service's handlers: each takes an event and a unit of work, and commits or does nothing."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

import structlog

from ind_runtime.logs import get_logger
from ind_runtime.records import ConsumedRecord, Unprocessable
from ind_runtime.routing import split_by_case
from ind_runtime.screening import Unacceptable
from ind_runtime.unit_of_work import UnitOfWork
from schemas.applicant import InformationSupplied
from schemas.appointments import AppointmentBooked, BiometricsCompleted, CaseFlagged
from schemas.cases import CaseRegistered
from schemas.decision_outcomes import (
    CommandAccepted,
    CommandAcceptedData,
    CommandRejected,
    CommandRejectedData,
    RejectionCode,
)
from schemas.decisions import DecisionRequested
from schemas.desk import DocumentCollected
from schemas.lifecycle import (
    CaseAssessed,
    CaseAssessedData,
    CaseClosed,
    CaseClosedData,
    CaseDecided,
    CaseDecidedData,
    CaseResumed,
    CaseResumedData,
    DeadlineApproaching,
    DeadlineData,
    DeadlineExceeded,
    DocumentProduced,
    DocumentProducedData,
    Finding,
    InformationRequested,
    InformationRequestedData,
    Outcome,
    RefusalProposed,
    RefusalProposedData,
    Severity,
)
from schemas.topics import CASE_LIFECYCLE, DECISION_OUTCOMES
from services.decision import audit, supplied_information
from services.decision.assessment import Assessment, assess, recommend
from services.decision.case import (
    Case,
    CaseStatus,
    Refusal,
    decide,
    document_collected,
    document_produced,
    document_required,
    open_case,
    ready_for_decision,
    resume,
)
from services.decision.case_file import ApplicantFacts, CaseFile, NewCase
from services.decision.caseworkers import Caseworker
from services.decision.deadlines import days_left
from services.decision.tool_keys import authenticate

CONSUMER = "decision"
SOURCE = "urn:ind:decision"
TIMER_BATCH = 200
S = CaseStatus

log = get_logger(__name__)


@dataclass(frozen=True)
class DecisionPolicy:
    roster: dict[str, Caseworker]
    tool_keys: dict[str, bytes]
    today: Callable[[], date]
    now: Callable[[], datetime]
    document_lead_time: timedelta
    deadline_warning_days: int


def _d(day: date) -> str:
    return day.strftime("%d-%m-%Y")


async def cases_registered(events: Sequence[CaseRegistered], uow: UnitOfWork, policy: DecisionPolicy) -> None:
    """Open a case file for each registration (once, however often it comes), with two statements
    for a batch of them and the first status the applicant sees."""
    new_cases = []
    for event in await uow.new_events(CONSUMER, events):
        data = event.data
        case = open_case(data.case_id, data.case_number, data.application_type, data.received_on, data.preferred_location)
        new_cases.append(NewCase(case, data.applicant.date_of_birth, data.applicant.nationality, data.sponsor_id, data.fee_paid))
    if not new_cases:
        return
    files = CaseFile(uow)
    filed = await files.add(new_cases)
    for case in (n.case for n in new_cases if n.case.case_id in filed):
        files.note(
            case.case_id,
            case.status,
            "intake",
            f"Application received on {_d(case.received_on)}; the decision is due by {_d(case.deadline)}.",
        )
    await uow.commit()



DeskStageReport = AppointmentBooked | BiometricsCompleted | CaseFlagged


async def desk_stage_reports(events: Sequence[DeskStageReport], uow: UnitOfWork, policy: DecisionPolicy) -> list[DeskStageReport]:
    """Follow a batch of the desk stage's reports on cases (each report once): note an appointment,
    and queue a case for a caseworker once its biometrics are done or the desk gave up on it, with
    one read of the cases and one write of those that moved. Returns the reports about a case not
    registered here yet, with every later one about it, to wait for its registration."""
    files = CaseFile(uow)
    filed = await files.get_many({event.data.case_id for event in events})
    taken, left = split_by_case(events, filed)
    cases = {case_id: case for case_id, (case, _facts) in filed.items()}
    moved: dict[UUID, tuple[Case, Assessment]] = {}
    for event in await uow.new_events(CONSUMER, taken):
        case, facts = cases[event.data.case_id], filed[event.data.case_id][1]
        if isinstance(event, AppointmentBooked):
            a = event.data
            when = f"{a.product.value} appointment on {_d(a.date)} at {a.start_time:%H:%M} at {a.location_name}."
            files.note(case.case_id, case.status, "biometrics", when)
            continue
        if isinstance(event, BiometricsCompleted):
            if case.status != S.AWAITING_BIOMETRICS:
                continue
            done = "Biometrics captured" if event.data.captured else "No biometrics needed at an IND desk"
            case, extra = ready_for_decision(case, event.data.location), ()
        else:
            flag = Finding(code="desk_stage_incomplete", severity=Severity.BLOCKING, message=f"Flagged by the desk: {event.data.reason}.")
            if case.status != S.AWAITING_BIOMETRICS:
                files.note(case.case_id, case.status, "biometrics", flag.message)
                continue
            done, case, extra = "Flagged by the desk", ready_for_decision(case), (flag,)
        cases[case.case_id] = case
        moved[case.case_id] = (case, await _queue_for_caseworker(uow, files, case, facts, policy, extra, done))
    await files.save_assessed(list(moved.values()))
    await uow.commit()
    return left


async def _queue_for_caseworker(
    uow: UnitOfWork, files: CaseFile, case: Case, facts: ApplicantFacts, policy: DecisionPolicy, extra: tuple, done: str
) -> Assessment:
    """Assess the case for the caseworker queue and say so; returns the assessment, to be saved with the case."""
    assessment = assess(
        case.application_type, facts.date_of_birth, facts.nationality, facts.sponsor_id, facts.fee_paid, policy.today()
    )
    if extra:
        findings = assessment.findings + extra
        assessment = Assessment(recommend(findings), findings)
    files.note(case.case_id, case.status, "decision", f"{done}; the application waits for a caseworker's decision.")
    await _emit(
        uow,
        case,
        CaseAssessed.create(
            CaseAssessedData(
                case_id=case.case_id,
                case_number=case.case_number,
                recommendation=assessment.recommendation,
                findings=list(assessment.findings),
                deadline=case.deadline,
            ),
            source=SOURCE,
            subject=case.case_number,
        ),
    )
    return assessment


async def decision_requested(
    command: DecisionRequested | Unacceptable, record: ConsumedRecord, uow: UnitOfWork, policy: DecisionPolicy
) -> None:
    """Carry out one caseworker's command, or refuse it with a reason the tool can read; audit both.

    The signature is checked before the command's id is marked handled: a forged command reusing a
    real command's id must not make the real one look like a redelivery. A refusal of an unverified
    command is deduplicated by its record's position instead, as an unreadable record's is.
    """
    if isinstance(command, Unacceptable):
        if await uow.first_time(f"{CONSUMER}.rejections", record.position):
            await _reject_unreadable(command, record, uow)
            await uow.commit()
        return
    unauthenticated = authenticate(command, policy.tool_keys)
    if unauthenticated is not None:
        if await uow.first_time(f"{CONSUMER}.rejections", record.position):
            await _reject(uow, command, unauthenticated)
            await uow.commit()
        return
    await decision_commands([command], uow, policy)


def authenticated(
    screened: Sequence[tuple[ConsumedRecord, DecisionRequested | Unacceptable]], policy: DecisionPolicy
) -> tuple[list[DecisionRequested], list[ConsumedRecord]]:
    """For a batch: the commands a registered tool signed, and the records left to
    ``decision_requested`` to refuse (an unreadable or unverified command, with every later record
    with its key, which must wait behind it)."""
    commands: list[DecisionRequested] = []
    left: list[ConsumedRecord] = []
    left_keys: set[bytes | None] = set()
    for record, command in screened:
        if record.key in left_keys or isinstance(command, Unacceptable) or authenticate(command, policy.tool_keys) is not None:
            left_keys.add(record.key)
            left.append(record)
        else:
            commands.append(command)
    return commands, left


async def decision_commands(commands: Sequence[DecisionRequested], uow: UnitOfWork, policy: DecisionPolicy) -> None:
    """Carry out authenticated commands in order (each once), with one read of their cases and
    one write per kind of change, or refuse those the case's state or the roster do not allow;
    audit every one and commit."""
    commands = await uow.new_events(CONSUMER, commands)
    files = CaseFile(uow)
    cases = {case_id: case for case_id, (case, _facts) in (await files.get_many({c.data.case_id for c in commands})).items()}
    timers: dict[UUID, dict] = {}  # of each case changed: the timers its changes set
    for command in commands:
        data = command.data
        with structlog.contextvars.bound_contextvars(event_id=command.id):
            before = cases.get(data.case_id)
            if before is not None and before.case_number != data.case_number:
                before = None
            verdict = decide(before, policy.roster.get(data.caseworker_id), data.action, policy.today())
            if isinstance(verdict, Refusal):
                await _reject(uow, command, verdict)
                continue
            _audit(uow, command)
            cases[verdict.case_id] = verdict
            timers.setdefault(verdict.case_id, {}).update(await _apply_decision(uow, files, before, verdict, command, policy))
            accepted = CommandAcceptedData(
                command_id=command.id,
                case_id=verdict.case_id,
                case_number=verdict.case_number,
                caseworker_id=data.caseworker_id,
                action=data.action.value,
                status=verdict.status.value,
            )
            await uow.emit(
                DECISION_OUTCOMES.name, str(verdict.case_id), CommandAccepted.create(accepted, source=SOURCE, subject=verdict.case_number)
            )
            log.debug("decision command carried out", action=data.action.value, status=verdict.status.value)
    await files.save_many([(cases[case_id], set_timers) for case_id, set_timers in timers.items()])
    await uow.commit()


async def _apply_decision(uow, files: CaseFile, before: Case, after: Case, command: DecisionRequested, policy) -> dict:
    """Note and announce the move from ``before`` to ``after``; returns the timers to save with it."""
    data = command.data
    worker = data.caseworker_id
    if after.status == S.AWAITING_INFORMATION:
        files.note(after.case_id, after.status, worker, f"More information is needed: {data.reason} The decision period is suspended until it arrives.")
        requested = InformationRequestedData(
            case_id=after.case_id, case_number=after.case_number, caseworker_id=worker, requested=data.reason, suspended_on=after.suspended_on
        )
        await _emit(uow, after, InformationRequested.create(requested, source=SOURCE, subject=after.case_number))
        return {}
    if after.status == S.REFUSAL_PROPOSED:
        files.note(after.case_id, after.status, worker, "A proposed decision is being reviewed by a second caseworker.")
        proposed = RefusalProposedData(case_id=after.case_id, case_number=after.case_number, caseworker_id=worker, reason=data.reason)
        await _emit(uow, after, RefusalProposed.create(proposed, source=SOURCE, subject=after.case_number))
        return {}
    decided_by = [before.refusal_proposed_by, worker] if after.outcome == Outcome.REFUSED else [worker]
    document = after.outcome == Outcome.GRANTED and document_required(after.application_type)
    decided = CaseDecidedData(
        case_id=after.case_id,
        case_number=after.case_number,
        outcome=after.outcome,
        decided_by=decided_by,
        reason=data.reason,
        decided_on=policy.today(),
        document_required=document,
    )
    await _emit(uow, after, CaseDecided.create(decided, source=SOURCE, subject=after.case_number))
    if after.status == S.CLOSED:
        files.note(after.case_id, after.status, worker, f"Application {after.outcome.value}: {data.reason} The case is closed.")
        await _emit_closed(uow, after, policy)
    else:
        files.note(after.case_id, after.status, worker, f"Application granted: {data.reason} Your residence document is being produced.")
    return {"document_due_at": policy.now() + policy.document_lead_time} if document else {}


def _audit(uow: UnitOfWork, command: DecisionRequested, refusal: Refusal | None = None) -> None:
    data = command.data
    audit.record(
        uow,
        command_id=command.id,
        caseworker_id=data.caseworker_id,
        action=data.action.value,
        case_id=data.case_id,
        case_number=data.case_number,
        reason=data.reason,
        rejection_code=refusal.code.value if refusal else None,
        rejection_reason=refusal.reason if refusal else None,
    )


async def _reject(uow: UnitOfWork, command: DecisionRequested, refusal: Refusal) -> None:
    data = command.data
    _audit(uow, command, refusal)
    rejected = CommandRejectedData(
        command_id=command.id,
        case_id=data.case_id,
        case_number=data.case_number,
        caseworker_id=data.caseworker_id,
        code=refusal.code,
        reason=refusal.reason,
    )
    await uow.emit(DECISION_OUTCOMES.name, str(data.case_id), CommandRejected.create(rejected, source=SOURCE, subject=data.case_number))
    log.info("decision command rejected", code=refusal.code.value)


async def _reject_unreadable(unacceptable: Unacceptable, record: ConsumedRecord, uow: UnitOfWork) -> None:
    reason = "; ".join(f"{p.field or 'record'}: {p.message}" for p in unacceptable.problems)
    audit.record(
        uow,
        command_id=unacceptable.message_id,
        caseworker_id=None,
        action=None,
        case_id=None,
        case_number=None,
        reason=None,
        rejection_code=RejectionCode.INVALID_COMMAND.value,
        rejection_reason=reason,
    )
    rejected = CommandRejectedData(command_id=unacceptable.message_id, code=RejectionCode.INVALID_COMMAND, reason=reason)
    key = unacceptable.message_id or record.position
    await uow.emit(DECISION_OUTCOMES.name, key, CommandRejected.create(rejected, source=SOURCE))


async def information_supplied(events: Sequence[InformationSupplied], uow: UnitOfWork, policy: DecisionPolicy) -> None:
    """Keep on file what an applicant supplied, and resume each case that was waiting for it (each
    event once), with one read of the cases and one write of those resumed. An event naming a case
    not filed here, or by another number, or supplying names no column can hold, is Unprocessable:
    the batch is then taken one by one and that one parked."""
    files = CaseFile(uow)
    filed = await _named(files, events)
    supplied_information.refuse_unstorable(events)
    resumed: dict[UUID, Case] = {}
    for event in await uow.new_events(CONSUMER, events):
        case = filed[event.data.case_id]
        supplied_information.keep(uow, event)
        if case.status != S.AWAITING_INFORMATION:
            log.info("information supplied while none was requested; kept on file only", status=case.status.value)
            continue
        filed[case.case_id] = resumed[case.case_id] = after = resume(case, policy.today())
        files.note(case.case_id, after.status, "applicant", f"Information received; the decision is now due by {_d(after.deadline)}.")
        data = CaseResumedData(
            case_id=case.case_id,
            case_number=case.case_number,
            suspended_days=after.suspended_days - case.suspended_days,
            deadline=after.deadline,
        )
        await _emit(uow, after, CaseResumed.create(data, source=SOURCE, subject=case.case_number))
    # the deadline moved: warn again before the new one
    await files.save_many([(case, {"warned_on": None}) for case in resumed.values()])
    await uow.commit()


async def documents_collected(events: Sequence[DocumentCollected], uow: UnitOfWork, policy: DecisionPolicy) -> None:
    """Close each case whose residence document the applicant collected (each report once), with
    one read of the cases and one write of those closed. A report naming a case not filed here,
    or by another number, is Unprocessable: the batch is then taken one by one and that one parked."""
    files = CaseFile(uow)
    filed = await _named(files, events)
    closed: dict[UUID, Case] = {}
    for event in await uow.new_events(CONSUMER, events):
        case = filed[event.data.case_id]
        if case.status != S.AWAITING_PICKUP:
            continue
        filed[case.case_id] = closed[case.case_id] = document_collected(case)
        files.note(case.case_id, S.CLOSED, event.data.desk_officer, "Residence document collected; the case is closed.")
        await _emit_closed(uow, closed[case.case_id], policy)
    await files.save_many([(case, {}) for case in closed.values()])
    await uow.commit()


async def produce_due_documents(uow: UnitOfWork, policy: DecisionPolicy) -> int:
    """Timer: documents whose production lead time has passed are ready for pickup."""
    files = CaseFile(uow)
    produced = [document_produced(case) for case in await files.documents_due(policy.now(), TIMER_BATCH)]
    for case in produced:
        files.note(case.case_id, case.status, "decision", "Your residence document is ready; a pickup appointment follows.")
        data = DocumentProducedData(
            case_id=case.case_id,
            case_number=case.case_number,
            document_number="NL" + case.case_id.hex[:7].upper(),
            pickup_location=case.pickup_location,
        )
        await _emit(uow, case, DocumentProduced.create(data, source=SOURCE, subject=case.case_number))
    await files.save_many([(case, {}) for case in produced])
    await uow.commit()
    return len(produced)


async def watch_deadlines(uow: UnitOfWork, policy: DecisionPolicy) -> int:
    """Timer: warn before a statutory deadline, and announce each one that passed without a decision."""
    files = CaseFile(uow)
    today = policy.today()
    warned = await files.clock_running("warned_on", today + timedelta(days=policy.deadline_warning_days), TIMER_BATCH)
    await files.mark([case.case_id for case in warned], "warned_on", today)
    for case in warned:
        if case.deadline < today:
            continue  # past already: the exceeded event below says all there is to say
        data = DeadlineData(case_id=case.case_id, case_number=case.case_number, deadline=case.deadline, days_left=days_left(case.deadline, today))
        await _emit(uow, case, DeadlineApproaching.create(data, source=SOURCE, subject=case.case_number))
    exceeded = await files.clock_running("exceeded_on", today - timedelta(days=1), TIMER_BATCH)
    await files.mark([case.case_id for case in exceeded], "exceeded_on", today)
    for case in exceeded:
        files.note(
            case.case_id, case.status, "decision", f"The decision period ended on {_d(case.deadline)} without a decision; we apologise."
        )
        data = DeadlineData(case_id=case.case_id, case_number=case.case_number, deadline=case.deadline, days_left=days_left(case.deadline, today))
        await _emit(uow, case, DeadlineExceeded.create(data, source=SOURCE, subject=case.case_number))
    await uow.commit()
    return len(warned) + len(exceeded)


async def _emit_closed(uow: UnitOfWork, case: Case, policy: DecisionPolicy) -> None:
    data = CaseClosedData(case_id=case.case_id, case_number=case.case_number, outcome=case.outcome, closed_on=policy.today())
    await _emit(uow, case, CaseClosed.create(data, source=SOURCE, subject=case.case_number))


async def _named(files: CaseFile, events: Sequence[InformationSupplied | DocumentCollected]) -> dict[UUID, Case]:
    """The cases named by outside systems, locked, by id; each event must get both id and number right."""
    filed = {case_id: case for case_id, (case, _facts) in (await files.get_many({e.data.case_id for e in events})).items()}
    for event in events:
        case = filed.get(event.data.case_id)
        if case is None or case.case_number != event.data.case_number:
            raise Unprocessable(f"no case {event.data.case_number} with id {event.data.case_id}")
    return filed


async def _emit(uow: UnitOfWork, case: Case, event) -> None:
    await uow.emit(CASE_LIFECYCLE.name, str(case.case_id), event)
