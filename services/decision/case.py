"""A case as the decision service sees it, and the rules for moving it from status to status.

Pure: every function takes the case as it is and returns the case as it becomes (or why not), so
the state machine is tested without a database. The case a move returns carries the lifecycle
events that move implies (``Case.events``), for the handler to emit: no handler builds one. Statuses
an applicant sees are listed in ``CaseStatus``; ``TRANSITIONS`` is the whole map of what may follow
what.
"""

from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from uuid import UUID

from schemas.codes import ApplicationType, LocationCode
from schemas.decision_outcomes import RejectionCode
from schemas.decisions import DecisionAction
from schemas.envelope import CloudEvent
from schemas.lifecycle import (
    CaseAssessed,
    CaseClosed,
    CaseDecided,
    CaseResumed,
    DeadlineApproaching,
    DeadlineExceeded,
    DocumentProduced,
    InformationRequested,
    Outcome,
    RefusalProposed,
)
from services.decision.assessment import Assessment
from services.decision.caseworkers import Caseworker, may_decide
from services.decision.deadlines import days_left, days_suspended, statutory_deadline

SOURCE = "urn:ind:decision"
"""The CloudEvents source of every event the decision service makes."""


class CaseStatus(StrEnum):
    AWAITING_BIOMETRICS = "awaiting_biometrics"
    AWAITING_DECISION = "awaiting_decision"
    AWAITING_INFORMATION = "awaiting_information"
    REFUSAL_PROPOSED = "refusal_proposed"
    DOCUMENT_IN_PRODUCTION = "document_in_production"
    AWAITING_PICKUP = "awaiting_pickup"
    CLOSED = "closed"


TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.AWAITING_BIOMETRICS: frozenset({CaseStatus.AWAITING_DECISION}),
    CaseStatus.AWAITING_DECISION: frozenset(
        {CaseStatus.AWAITING_INFORMATION, CaseStatus.REFUSAL_PROPOSED, CaseStatus.DOCUMENT_IN_PRODUCTION, CaseStatus.CLOSED}
    ),
    CaseStatus.AWAITING_INFORMATION: frozenset({CaseStatus.AWAITING_DECISION}),
    CaseStatus.REFUSAL_PROPOSED: frozenset({CaseStatus.DOCUMENT_IN_PRODUCTION, CaseStatus.CLOSED}),  # overturned or confirmed
    CaseStatus.DOCUMENT_IN_PRODUCTION: frozenset({CaseStatus.AWAITING_PICKUP}),
    CaseStatus.AWAITING_PICKUP: frozenset({CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset(),
}
DECIDED = frozenset({CaseStatus.DOCUMENT_IN_PRODUCTION, CaseStatus.AWAITING_PICKUP, CaseStatus.CLOSED})


def document_required(application_type: ApplicationType) -> bool:
    """Residence permits and asylum end with a residence document to collect at a desk. An MVV is a
    sticker issued by the embassy abroad and naturalisation ends at the municipality's ceremony,
    so neither passes an IND desk again (a simplification of the model)."""
    return application_type not in (ApplicationType.MVV, ApplicationType.NATURALISATION)


@dataclass(frozen=True)
class Case:
    case_id: UUID
    case_number: str
    application_type: ApplicationType
    status: CaseStatus
    received_on: date
    deadline: date
    pickup_location: LocationCode
    suspended_days: int = 0
    suspended_on: date | None = None
    refusal_proposed_by: str | None = None
    outcome: Outcome | None = None
    events: tuple[CloudEvent, ...] = field(default=(), compare=False, repr=False)
    """The lifecycle events the move that made this case implies, oldest first; none on a case as
    it was opened or read from its file. Not part of the case's state: two cases that differ only
    in these are equal."""

    def moved_to(self, status: CaseStatus, **changes) -> "Case":
        if status not in TRANSITIONS[self.status]:
            raise InvalidTransition(f"a case cannot go from {self.status} to {status}")
        return replace(self, status=status, events=(), **changes)

    def implying(self, *events: CloudEvent) -> "Case":
        return replace(self, events=events)


class InvalidTransition(ValueError):
    """A bug or an out-of-order event, never a caseworker mistake (those are ``Refusal``s)."""


def _require(case: Case, status: CaseStatus, step: str) -> None:
    """Guard steps whose target status is also reachable from elsewhere in ``TRANSITIONS``."""
    if case.status != status:
        raise InvalidTransition(f"{step} needs a case in {status}, not {case.status}")


def _event(kind: type[CloudEvent], case: Case, **data) -> CloudEvent:
    """A new event of ``kind`` about ``case``, whose payload holds the case's id and number and ``data``."""
    payload_model = kind.model_fields["data"].annotation
    assert payload_model is not None  # every event pins its payload's model
    payload = payload_model(case_id=case.case_id, case_number=case.case_number, **data)
    return kind.create(payload, source=SOURCE, subject=case.case_number)


@dataclass(frozen=True)
class Refusal:
    code: RejectionCode
    reason: str


def open_case(
    case_id: UUID,
    case_number: str,
    application_type: ApplicationType,
    received_on: date,
    pickup_location: LocationCode,
) -> Case:
    return Case(
        case_id=case_id,
        case_number=case_number,
        application_type=application_type,
        status=CaseStatus.AWAITING_BIOMETRICS,
        received_on=received_on,
        deadline=statutory_deadline(application_type, received_on),
        pickup_location=pickup_location,
    )


def ready_for_decision(case: Case, assessment: Assessment, biometrics_location: LocationCode | None = None) -> Case:
    """Biometrics are done (or not needed, or flagged): the case joins the caseworker queue with its
    assessment (``CaseAssessed``)."""
    _require(case, CaseStatus.AWAITING_BIOMETRICS, "joining the caseworker queue")
    queued = case.moved_to(CaseStatus.AWAITING_DECISION, pickup_location=biometrics_location or case.pickup_location)
    return queued.implying(
        _event(
            CaseAssessed,
            queued,
            recommendation=assessment.recommendation,
            findings=list(assessment.findings),
            deadline=queued.deadline,
        )
    )


def resume(case: Case, today: date) -> Case:
    """The applicant supplied the information: the clock runs again, the deadline moves day for day
    (``CaseResumed``, with the days of this suspension)."""
    _require(case, CaseStatus.AWAITING_INFORMATION, "resuming")
    assert case.suspended_on is not None
    suspended = case.suspended_days + days_suspended(case.suspended_on, today)
    resumed = case.moved_to(
        CaseStatus.AWAITING_DECISION,
        suspended_days=suspended,
        suspended_on=None,
        deadline=statutory_deadline(case.application_type, case.received_on, suspended),
    )
    return resumed.implying(
        _event(CaseResumed, resumed, suspended_days=suspended - case.suspended_days, deadline=resumed.deadline)
    )


def decide(case: Case | None, caseworker: Caseworker | None, action: DecisionAction, today: date, reason: str) -> Case | Refusal:
    """Apply a caseworker's command (``reason``: why, in their words), or say precisely why it cannot
    be applied."""
    if case is None:
        return Refusal(RejectionCode.UNKNOWN_CASE, "there is no case with this id")
    if caseworker is None:
        return Refusal(RejectionCode.UNKNOWN_CASEWORKER, "this caseworker is not on the roster")
    if not may_decide(caseworker):
        return Refusal(RejectionCode.NOT_AUTHORISED, f"the role {caseworker.role} may not decide on cases")
    if case.status in DECIDED:
        return Refusal(RejectionCode.ALREADY_DECIDED, f"the case was already decided ({case.outcome})")
    if case.status == CaseStatus.AWAITING_BIOMETRICS:
        return Refusal(RejectionCode.CASE_NOT_READY, "the applicant's biometrics have not been captured yet")
    if case.status == CaseStatus.AWAITING_INFORMATION:
        return Refusal(RejectionCode.CASE_NOT_READY, "the case waits for information from the applicant")
    if case.status == CaseStatus.REFUSAL_PROPOSED:
        return _confirm_refusal(case, caseworker, action, today, reason)
    worker = caseworker.caseworker_id
    if action == DecisionAction.GRANT:
        status = CaseStatus.DOCUMENT_IN_PRODUCTION if document_required(case.application_type) else CaseStatus.CLOSED
        return _decided(case.moved_to(status, outcome=Outcome.GRANTED), [worker], today, reason)
    if action == DecisionAction.REFUSE:
        proposed = case.moved_to(CaseStatus.REFUSAL_PROPOSED, refusal_proposed_by=worker)
        return proposed.implying(_event(RefusalProposed, proposed, caseworker_id=worker, reason=reason))
    suspended = case.moved_to(CaseStatus.AWAITING_INFORMATION, suspended_on=today)
    return suspended.implying(_event(InformationRequested, suspended, caseworker_id=worker, requested=reason, suspended_on=today))


def _confirm_refusal(case: Case, caseworker: Caseworker, action: DecisionAction, today: date, reason: str) -> Case | Refusal:
    """A second caseworker's review of a proposed refusal: refuse to confirm it, grant to overturn it.
    Either needs someone other than the proposer (four eyes)."""
    if action == DecisionAction.REQUEST_INFORMATION:
        return Refusal(
            RejectionCode.CASE_NOT_READY,
            f"a refusal proposed by {case.refusal_proposed_by} awaits review; it can only be confirmed (refuse) or overturned (grant)",
        )
    if caseworker.caseworker_id == case.refusal_proposed_by:
        return Refusal(
            RejectionCode.SAME_CASEWORKER,
            "a proposed refusal must be confirmed or overturned by a different caseworker than the one who proposed it",
        )
    assert case.refusal_proposed_by is not None  # a proposed refusal names who proposed it
    if action == DecisionAction.GRANT:
        status = CaseStatus.DOCUMENT_IN_PRODUCTION if document_required(case.application_type) else CaseStatus.CLOSED
        overturned = case.moved_to(status, outcome=Outcome.GRANTED, refusal_proposed_by=None)
        return _decided(overturned, [caseworker.caseworker_id], today, reason)
    refused = case.moved_to(CaseStatus.CLOSED, outcome=Outcome.REFUSED)
    return _decided(refused, [case.refusal_proposed_by, caseworker.caseworker_id], today, reason)


def _decided(case: Case, decided_by: list[str], today: date, reason: str) -> Case:
    """``CaseDecided`` by the caseworkers who decided (one for a grant, two for a refusal), and
    ``CaseClosed`` when nothing follows the decision."""
    document = case.outcome == Outcome.GRANTED and document_required(case.application_type)
    decided = _event(
        CaseDecided,
        case,
        outcome=case.outcome,
        decided_by=decided_by,
        reason=reason,
        decided_on=today,
        document_required=document,
    )
    return case.implying(decided, *_closing(case, today))


def _closing(case: Case, today: date) -> tuple[CloudEvent, ...]:
    if case.status != CaseStatus.CLOSED:
        return ()
    return (_event(CaseClosed, case, outcome=case.outcome, closed_on=today),)


def document_produced(case: Case) -> Case:
    """The residence document is ready at the case's pickup location (``DocumentProduced``)."""
    produced = case.moved_to(CaseStatus.AWAITING_PICKUP)
    document_number = "NL" + case.case_id.hex[:7].upper()
    return produced.implying(
        _event(DocumentProduced, produced, document_number=document_number, pickup_location=produced.pickup_location)
    )


def document_collected(case: Case, today: date) -> Case:
    """The applicant collected the residence document: the case is closed (``CaseClosed``)."""
    _require(case, CaseStatus.AWAITING_PICKUP, "collecting the document")
    closed = case.moved_to(CaseStatus.CLOSED)
    return closed.implying(*_closing(closed, today))


def deadline_approaching(case: Case, today: date) -> tuple[CloudEvent, ...]:
    """The warning for caseworkers that ``case``'s deadline is near; none once it has passed (the
    exceeded event then says all there is to say)."""
    if case.deadline < today:
        return ()
    return (_event(DeadlineApproaching, case, deadline=case.deadline, days_left=days_left(case.deadline, today)),)


def deadline_exceeded(case: Case, today: date) -> tuple[CloudEvent, ...]:
    """The announcement that ``case``'s deadline passed without a decision, with the days since."""
    return (_event(DeadlineExceeded, case, deadline=case.deadline, days_left=days_left(case.deadline, today)),)
