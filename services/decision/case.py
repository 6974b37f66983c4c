"""A case as the decision service sees it, and the rules for moving it from status to status.

Pure: every function takes the case as it is and returns the case as it becomes (or why not), so
the state machine is tested without a database. Statuses an applicant sees are listed in
``CaseStatus``; ``TRANSITIONS`` is the whole map of what may follow what.
"""

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from uuid import UUID

from schemas.codes import ApplicationType, LocationCode
from schemas.decision_outcomes import RejectionCode
from schemas.decisions import DecisionAction
from schemas.lifecycle import Outcome
from services.decision.caseworkers import Caseworker, may_decide
from services.decision.deadlines import days_suspended, statutory_deadline


class CaseStatus(StrEnum):
    AWAITING_BIOMETRICS = "awaiting_biometrics"
    AWAITING_DECISION = "awaiting_decision"
    AWAITING_INFORMATION = "awaiting_information"
    REFUSAL_PROPOSED = "refusal_proposed"
    DOCUMENT_IN_PRODUCTION = "document_in_production"
    AWAITING_PICKUP = "awaiting_pickup"
    CLOSED = "closed"


S = CaseStatus
TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    S.AWAITING_BIOMETRICS: frozenset({S.AWAITING_DECISION}),
    S.AWAITING_DECISION: frozenset({S.AWAITING_INFORMATION, S.REFUSAL_PROPOSED, S.DOCUMENT_IN_PRODUCTION, S.CLOSED}),
    S.AWAITING_INFORMATION: frozenset({S.AWAITING_DECISION}),
    S.REFUSAL_PROPOSED: frozenset({S.CLOSED}),
    S.DOCUMENT_IN_PRODUCTION: frozenset({S.AWAITING_PICKUP}),
    S.AWAITING_PICKUP: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
}
DECIDED = frozenset({S.DOCUMENT_IN_PRODUCTION, S.AWAITING_PICKUP, S.CLOSED})


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

    def moved_to(self, status: CaseStatus, **changes) -> "Case":
        if status not in TRANSITIONS[self.status]:
            raise InvalidTransition(f"a case cannot go from {self.status} to {status}")
        return replace(self, status=status, **changes)


class InvalidTransition(ValueError):
    """A bug or an out-of-order event, never a caseworker mistake (those are ``Refusal``s)."""


def _require(case: Case, status: CaseStatus, step: str) -> None:
    """Guard steps whose target status is also reachable from elsewhere in ``TRANSITIONS``."""
    if case.status != status:
        raise InvalidTransition(f"{step} needs a case in {status}, not {case.status}")


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
        status=S.AWAITING_BIOMETRICS,
        received_on=received_on,
        deadline=statutory_deadline(application_type, received_on),
        pickup_location=pickup_location,
    )


def ready_for_decision(case: Case, biometrics_location: LocationCode | None = None) -> Case:
    """Biometrics are done (or not needed, or flagged): the case joins the caseworker queue."""
    _require(case, S.AWAITING_BIOMETRICS, "joining the caseworker queue")
    return case.moved_to(S.AWAITING_DECISION, pickup_location=biometrics_location or case.pickup_location)


def resume(case: Case, today: date) -> Case:
    """The applicant supplied the information: the clock runs again, the deadline moves day for day."""
    _require(case, S.AWAITING_INFORMATION, "resuming")
    assert case.suspended_on is not None
    suspended = case.suspended_days + days_suspended(case.suspended_on, today)
    return case.moved_to(
        S.AWAITING_DECISION,
        suspended_days=suspended,
        suspended_on=None,
        deadline=statutory_deadline(case.application_type, case.received_on, suspended),
    )


def decide(case: Case | None, caseworker: Caseworker | None, action: DecisionAction, today: date) -> Case | Refusal:
    """Apply a caseworker's command, or say precisely why it cannot be applied."""
    if case is None:
        return Refusal(RejectionCode.UNKNOWN_CASE, "there is no case with this id")
    if caseworker is None:
        return Refusal(RejectionCode.UNKNOWN_CASEWORKER, "this caseworker is not on the roster")
    if not may_decide(caseworker):
        return Refusal(RejectionCode.NOT_AUTHORISED, f"the role {caseworker.role} may not decide on cases")
    if case.status in DECIDED:
        return Refusal(RejectionCode.ALREADY_DECIDED, f"the case was already decided ({case.outcome})")
    if case.status == S.AWAITING_BIOMETRICS:
        return Refusal(RejectionCode.CASE_NOT_READY, "the applicant's biometrics have not been captured yet")
    if case.status == S.AWAITING_INFORMATION:
        return Refusal(RejectionCode.CASE_NOT_READY, "the case waits for information from the applicant")
    if case.status == S.REFUSAL_PROPOSED:
        return _confirm_refusal(case, caseworker, action)
    if action == DecisionAction.GRANT:
        status = S.DOCUMENT_IN_PRODUCTION if document_required(case.application_type) else S.CLOSED
        return case.moved_to(status, outcome=Outcome.GRANTED)
    if action == DecisionAction.REFUSE:
        return case.moved_to(S.REFUSAL_PROPOSED, refusal_proposed_by=caseworker.caseworker_id)
    return case.moved_to(S.AWAITING_INFORMATION, suspended_on=today)


def _confirm_refusal(case: Case, caseworker: Caseworker, action: DecisionAction) -> Case | Refusal:
    if action != DecisionAction.REFUSE:
        return Refusal(
            RejectionCode.CASE_NOT_READY,
            f"a refusal proposed by {case.refusal_proposed_by} awaits confirmation; only a confirming refusal is possible",
        )
    if caseworker.caseworker_id == case.refusal_proposed_by:
        return Refusal(
            RejectionCode.SAME_CASEWORKER,
            "a refusal must be confirmed by a different caseworker than the one who proposed it",
        )
    return case.moved_to(S.CLOSED, outcome=Outcome.REFUSED)


def document_produced(case: Case) -> Case:
    return case.moved_to(S.AWAITING_PICKUP)


def document_collected(case: Case) -> Case:
    _require(case, S.AWAITING_PICKUP, "collecting the document")
    return case.moved_to(S.CLOSED)
