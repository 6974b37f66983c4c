"""The pure case state machine: opening, queueing, deciding, suspending and closing a case."""

import itertools
from dataclasses import replace
from datetime import date
from uuid import UUID

import pytest

from schemas.codes import ApplicationType, LocationCode
from schemas.decision_outcomes import RejectionCode
from schemas.decisions import DecisionAction
from schemas.lifecycle import Outcome, Recommendation
from services.decision.assessment import Assessment
from services.decision.case import (
    DECIDED,
    TRANSITIONS,
    Case,
    CaseStatus,
    InvalidTransition,
    Refusal,
    decide,
    document_collected,
    document_produced,
    open_case,
    ready_for_decision,
    resume,
)
from services.decision.caseworkers import Caseworker, Role
from services.decision.deadlines import statutory_deadline

CASE_ID = UUID("00000000-0000-4000-8000-000000000001")
RECEIVED = date(2025, 1, 10)
TODAY = date(2025, 2, 3)
WHY = "Checked against every condition."
ASSESSED = Assessment(Recommendation.GRANT, ())

ANNA = Caseworker(caseworker_id="cw-anna", name="Anna de Vries", role=Role.CASEWORKER)
BRAM = Caseworker(caseworker_id="cw-bram", name="Bram Jansen", role=Role.CASEWORKER)
SENNA = Caseworker(caseworker_id="cw-senna", name="Senna Bakker", role=Role.SENIOR_CASEWORKER)
DESK = Caseworker(caseworker_id="desk-dirk", name="Dirk Smit", role=Role.DESK_OFFICER)

DOCUMENT_TYPES = [
    ApplicationType.HIGHLY_SKILLED_MIGRANT,
    ApplicationType.STUDY,
    ApplicationType.FAMILY,
    ApplicationType.EU_BLUE_CARD,
    ApplicationType.ASYLUM,
]
NO_DOCUMENT_TYPES = [ApplicationType.MVV, ApplicationType.NATURALISATION]


def new_case(application_type: ApplicationType = ApplicationType.FAMILY) -> Case:
    return open_case(CASE_ID, "IND-2025-000001", application_type, RECEIVED, LocationCode.AMSTERDAM)


def ready_case(application_type: ApplicationType = ApplicationType.FAMILY) -> Case:
    return ready_for_decision(new_case(application_type), ASSESSED)


def case_in(status: CaseStatus, application_type: ApplicationType = ApplicationType.FAMILY) -> Case:
    """A case placed directly in ``status`` with the fields that status implies (setup only)."""
    extra: dict = {}
    if status == CaseStatus.AWAITING_INFORMATION:
        extra["suspended_on"] = TODAY
    if status == CaseStatus.REFUSAL_PROPOSED:
        extra["refusal_proposed_by"] = ANNA.caseworker_id
    if status in (CaseStatus.DOCUMENT_IN_PRODUCTION, CaseStatus.AWAITING_PICKUP, CaseStatus.CLOSED):
        extra["outcome"] = Outcome.GRANTED
    return replace(new_case(application_type), status=status, **extra)


def assert_refused(result, code: RejectionCode) -> None:
    assert isinstance(result, Refusal), f"expected a refusal with {code}, got {result!r}"
    assert result.code == code
    assert result.reason


# --- open_case ------------------------------------------------------------------------------------


@pytest.mark.parametrize("application_type", list(ApplicationType))
def test_open_case_starts_awaiting_biometrics_with_the_statutory_deadline(application_type):
    case = new_case(application_type)

    assert case.status == CaseStatus.AWAITING_BIOMETRICS
    assert case.deadline == statutory_deadline(application_type, RECEIVED)
    assert case.received_on == RECEIVED
    assert case.pickup_location == LocationCode.AMSTERDAM
    assert case.suspended_days == 0
    assert case.suspended_on is None
    assert case.refusal_proposed_by is None
    assert case.outcome is None


# --- ready_for_decision ---------------------------------------------------------------------------


def test_ready_for_decision_moves_a_case_awaiting_biometrics_to_awaiting_decision():
    case = ready_for_decision(new_case(), ASSESSED)

    assert case.status == CaseStatus.AWAITING_DECISION
    assert case.deadline == statutory_deadline(ApplicationType.FAMILY, RECEIVED)


def test_ready_for_decision_makes_the_biometrics_location_the_pickup_location():
    case = ready_for_decision(new_case(), ASSESSED, LocationCode.XC_EINDHOVEN)

    assert case.pickup_location == LocationCode.XC_EINDHOVEN


def test_ready_for_decision_without_a_biometrics_location_keeps_the_pickup_location():
    case = ready_for_decision(new_case(), ASSESSED)

    assert case.pickup_location == LocationCode.AMSTERDAM


@pytest.mark.parametrize("status", [s for s in CaseStatus if s != CaseStatus.AWAITING_BIOMETRICS])
def test_ready_for_decision_from_any_status_but_awaiting_biometrics_raises_invalid_transition(status):
    with pytest.raises(InvalidTransition):
        ready_for_decision(case_in(status), ASSESSED, LocationCode.ZWOLLE)


# --- decide(): every refusal ----------------------------------------------------------------------


@pytest.mark.parametrize("action", list(DecisionAction))
def test_decide_on_an_unknown_case_is_refused_as_unknown_case(action):
    assert_refused(decide(None, ANNA, action, TODAY, WHY), RejectionCode.UNKNOWN_CASE)


def test_decide_with_neither_case_nor_caseworker_reports_the_unknown_case_first():
    assert_refused(decide(None, None, DecisionAction.GRANT, TODAY, WHY), RejectionCode.UNKNOWN_CASE)


@pytest.mark.parametrize("action", list(DecisionAction))
def test_decide_by_an_unknown_caseworker_is_refused_as_unknown_caseworker(action):
    assert_refused(decide(ready_case(), None, action, TODAY, WHY), RejectionCode.UNKNOWN_CASEWORKER)


@pytest.mark.parametrize("action", list(DecisionAction))
def test_decide_by_a_desk_officer_is_refused_as_not_authorised(action):
    assert_refused(decide(ready_case(), DESK, action, TODAY, WHY), RejectionCode.NOT_AUTHORISED)


def test_decide_by_a_desk_officer_on_a_decided_case_reports_not_authorised_before_already_decided():
    assert_refused(decide(case_in(CaseStatus.CLOSED), DESK, DecisionAction.GRANT, TODAY, WHY), RejectionCode.NOT_AUTHORISED)


@pytest.mark.parametrize("action", list(DecisionAction))
@pytest.mark.parametrize("status", [CaseStatus.DOCUMENT_IN_PRODUCTION, CaseStatus.AWAITING_PICKUP, CaseStatus.CLOSED])
def test_decide_on_a_decided_case_is_refused_as_already_decided(status, action):
    assert_refused(decide(case_in(status), BRAM, action, TODAY, WHY), RejectionCode.ALREADY_DECIDED)


def test_decided_statuses_are_exactly_document_in_production_awaiting_pickup_and_closed():
    assert DECIDED == {CaseStatus.DOCUMENT_IN_PRODUCTION, CaseStatus.AWAITING_PICKUP, CaseStatus.CLOSED}


@pytest.mark.parametrize("action", list(DecisionAction))
@pytest.mark.parametrize("status", [CaseStatus.AWAITING_BIOMETRICS, CaseStatus.AWAITING_INFORMATION])
def test_decide_on_a_case_still_waiting_for_the_applicant_is_refused_as_case_not_ready(status, action):
    assert_refused(decide(case_in(status), BRAM, action, TODAY, WHY), RejectionCode.CASE_NOT_READY)


@pytest.mark.parametrize("caseworker", [ANNA, BRAM, SENNA], ids=lambda c: c.caseworker_id)
def test_requesting_information_on_a_proposed_refusal_is_refused_as_case_not_ready(caseworker):
    proposed = case_in(CaseStatus.REFUSAL_PROPOSED)

    assert_refused(decide(proposed, caseworker, DecisionAction.REQUEST_INFORMATION, TODAY, WHY), RejectionCode.CASE_NOT_READY)


def test_overturning_a_refusal_by_the_caseworker_who_proposed_it_is_refused_as_same_caseworker():
    proposed = decide(ready_case(), ANNA, DecisionAction.REFUSE, TODAY, WHY)

    assert_refused(decide(proposed, ANNA, DecisionAction.GRANT, TODAY, WHY), RejectionCode.SAME_CASEWORKER)


@pytest.mark.parametrize("application_type", [ApplicationType.FAMILY, ApplicationType.MVV])
def test_a_second_caseworkers_grant_overturns_a_proposed_refusal(application_type):
    proposed = decide(ready_case(application_type), ANNA, DecisionAction.REFUSE, TODAY, WHY)

    overturned = decide(proposed, BRAM, DecisionAction.GRANT, TODAY, WHY)

    assert isinstance(overturned, Case)
    assert overturned.outcome == Outcome.GRANTED
    assert overturned.status == (
        CaseStatus.DOCUMENT_IN_PRODUCTION if application_type == ApplicationType.FAMILY else CaseStatus.CLOSED
    )
    assert [type(event).__name__ for event in overturned.events][0] == "CaseDecided"
    assert overturned.events[0].data.decided_by == [BRAM.caseworker_id]


def test_confirming_a_refusal_by_the_caseworker_who_proposed_it_is_refused_as_same_caseworker():
    proposed = decide(ready_case(), ANNA, DecisionAction.REFUSE, TODAY, WHY)

    assert_refused(decide(proposed, ANNA, DecisionAction.REFUSE, TODAY, WHY), RejectionCode.SAME_CASEWORKER)


def test_same_caseworker_is_judged_by_id_not_by_role_or_name():
    proposed = decide(ready_case(), ANNA, DecisionAction.REFUSE, TODAY, WHY)
    anna_promoted = Caseworker(caseworker_id=ANNA.caseworker_id, name="A. de Vries", role=Role.SENIOR_CASEWORKER)

    assert_refused(decide(proposed, anna_promoted, DecisionAction.REFUSE, TODAY, WHY), RejectionCode.SAME_CASEWORKER)


# --- decide(): happy paths ------------------------------------------------------------------------


@pytest.mark.parametrize("caseworker", [ANNA, SENNA], ids=lambda c: c.role.value)
@pytest.mark.parametrize("application_type", DOCUMENT_TYPES)
def test_grant_for_residence_and_asylum_puts_the_document_in_production(application_type, caseworker):
    case = ready_case(application_type)

    granted = decide(case, caseworker, DecisionAction.GRANT, TODAY, WHY)

    assert isinstance(granted, Case)
    assert granted.status == CaseStatus.DOCUMENT_IN_PRODUCTION
    assert granted.outcome == Outcome.GRANTED
    assert granted.deadline == case.deadline


@pytest.mark.parametrize("application_type", NO_DOCUMENT_TYPES)
def test_grant_for_mvv_and_naturalisation_closes_the_case(application_type):
    granted = decide(ready_case(application_type), ANNA, DecisionAction.GRANT, TODAY, WHY)

    assert isinstance(granted, Case)
    assert granted.status == CaseStatus.CLOSED
    assert granted.outcome == Outcome.GRANTED


def test_refuse_proposes_a_refusal_recording_who_proposed_it():
    proposed = decide(ready_case(), ANNA, DecisionAction.REFUSE, TODAY, WHY)

    assert isinstance(proposed, Case)
    assert proposed.status == CaseStatus.REFUSAL_PROPOSED
    assert proposed.refusal_proposed_by == ANNA.caseworker_id
    assert proposed.outcome is None


@pytest.mark.parametrize("confirmer", [BRAM, SENNA], ids=lambda c: c.role.value)
@pytest.mark.parametrize("application_type", [ApplicationType.FAMILY, ApplicationType.MVV, ApplicationType.ASYLUM])
def test_refusal_confirmed_by_a_different_caseworker_closes_the_case_as_refused(application_type, confirmer):
    proposed = decide(ready_case(application_type), ANNA, DecisionAction.REFUSE, TODAY, WHY)

    refused = decide(proposed, confirmer, DecisionAction.REFUSE, TODAY, WHY)

    assert isinstance(refused, Case)
    assert refused.status == CaseStatus.CLOSED
    assert refused.outcome == Outcome.REFUSED
    assert refused.refusal_proposed_by == ANNA.caseworker_id


def test_a_refused_case_cannot_be_decided_again():
    proposed = decide(ready_case(), ANNA, DecisionAction.REFUSE, TODAY, WHY)
    refused = decide(proposed, BRAM, DecisionAction.REFUSE, TODAY, WHY)

    assert_refused(decide(refused, SENNA, DecisionAction.GRANT, TODAY, WHY), RejectionCode.ALREADY_DECIDED)


def test_request_information_suspends_the_case_from_today():
    case = ready_case()

    suspended = decide(case, ANNA, DecisionAction.REQUEST_INFORMATION, TODAY, WHY)

    assert isinstance(suspended, Case)
    assert suspended.status == CaseStatus.AWAITING_INFORMATION
    assert suspended.suspended_on == TODAY
    assert suspended.suspended_days == 0
    assert suspended.deadline == case.deadline
    assert suspended.outcome is None


def test_decide_does_not_change_the_case_it_was_given():
    case = ready_case()
    before = replace(case)

    decide(case, ANNA, DecisionAction.GRANT, TODAY, WHY)
    decide(case, ANNA, DecisionAction.REFUSE, TODAY, WHY)
    decide(case, ANNA, DecisionAction.REQUEST_INFORMATION, TODAY, WHY)

    assert case == before


# --- resume ---------------------------------------------------------------------------------------


def test_resume_returns_the_case_to_awaiting_decision_and_clears_the_suspension():
    suspended = decide(ready_case(), ANNA, DecisionAction.REQUEST_INFORMATION, date(2025, 2, 3), WHY)

    resumed = resume(suspended, date(2025, 2, 13))

    assert resumed.status == CaseStatus.AWAITING_DECISION
    assert resumed.suspended_on is None
    assert resumed.suspended_days == 10
    assert resumed.deadline == statutory_deadline(ApplicationType.FAMILY, RECEIVED, 10)


def test_resume_accumulates_suspended_days_over_two_suspensions_and_extends_the_deadline():
    case = ready_case(ApplicationType.FAMILY)
    original_deadline = case.deadline

    first = resume(decide(case, ANNA, DecisionAction.REQUEST_INFORMATION, date(2025, 2, 3), WHY), date(2025, 2, 13))  # 10 days
    second = resume(decide(first, BRAM, DecisionAction.REQUEST_INFORMATION, date(2025, 3, 3), WHY), date(2025, 3, 8))  # 5 days

    assert first.suspended_days == 10
    assert second.suspended_days == 15
    assert second.status == CaseStatus.AWAITING_DECISION
    assert second.deadline == statutory_deadline(ApplicationType.FAMILY, RECEIVED, 15)
    assert second.deadline > first.deadline > original_deadline


def test_resume_with_months_period_extends_from_the_statutory_deadline():
    case = ready_case(ApplicationType.NATURALISATION)

    resumed = resume(decide(case, ANNA, DecisionAction.REQUEST_INFORMATION, date(2025, 3, 1), WHY), date(2025, 4, 30))  # 60 days

    assert resumed.suspended_days == 60
    assert resumed.deadline == statutory_deadline(ApplicationType.NATURALISATION, RECEIVED, 60)


def test_resume_on_the_day_of_suspension_adds_no_days():
    suspended = decide(ready_case(), ANNA, DecisionAction.REQUEST_INFORMATION, TODAY, WHY)

    resumed = resume(suspended, TODAY)

    assert resumed.suspended_days == 0
    assert resumed.deadline == statutory_deadline(ApplicationType.FAMILY, RECEIVED)


def test_resume_recorded_before_the_suspension_adds_no_days():
    suspended = decide(ready_case(), ANNA, DecisionAction.REQUEST_INFORMATION, TODAY, WHY)

    resumed = resume(suspended, date(2025, 1, 20))

    assert resumed.suspended_days == 0


def test_a_resumed_case_can_be_decided_again():
    resumed = resume(decide(ready_case(), ANNA, DecisionAction.REQUEST_INFORMATION, TODAY, WHY), date(2025, 2, 10))

    granted = decide(resumed, ANNA, DecisionAction.GRANT, date(2025, 2, 11), WHY)

    assert isinstance(granted, Case)
    assert granted.status == CaseStatus.DOCUMENT_IN_PRODUCTION
    assert granted.suspended_days == 7


# --- document_produced / document_collected -------------------------------------------------------


def test_document_produced_moves_a_granted_case_to_awaiting_pickup():
    granted = decide(ready_case(), ANNA, DecisionAction.GRANT, TODAY, WHY)

    produced = document_produced(granted)

    assert produced.status == CaseStatus.AWAITING_PICKUP
    assert produced.outcome == Outcome.GRANTED


def test_document_collected_closes_a_case_awaiting_pickup():
    produced = document_produced(decide(ready_case(), ANNA, DecisionAction.GRANT, TODAY, WHY))

    collected = document_collected(produced, TODAY)

    assert collected.status == CaseStatus.CLOSED
    assert collected.outcome == Outcome.GRANTED


def test_document_collected_on_a_document_still_in_production_raises_invalid_transition():
    granted = decide(ready_case(), ANNA, DecisionAction.GRANT, TODAY, WHY)

    with pytest.raises(InvalidTransition):
        document_collected(granted, TODAY)


@pytest.mark.parametrize("status", [s for s in CaseStatus if s != CaseStatus.DOCUMENT_IN_PRODUCTION])
def test_document_produced_from_any_status_but_document_in_production_raises_invalid_transition(status):
    with pytest.raises(InvalidTransition):
        document_produced(case_in(status))


@pytest.mark.parametrize("status", [s for s in CaseStatus if s != CaseStatus.AWAITING_PICKUP])
def test_document_collected_from_any_status_but_awaiting_pickup_raises_invalid_transition(status):
    with pytest.raises(InvalidTransition):
        document_collected(case_in(status), TODAY)


@pytest.mark.parametrize("status", [s for s in CaseStatus if s != CaseStatus.AWAITING_INFORMATION])
def test_resume_from_any_status_but_awaiting_information_raises_invalid_transition(status):
    with pytest.raises(InvalidTransition):
        resume(case_in(status), TODAY)


def test_a_closed_case_is_terminal():
    assert TRANSITIONS[CaseStatus.CLOSED] == frozenset()


def test_every_status_has_an_entry_in_transitions():
    assert set(TRANSITIONS) == set(CaseStatus)


def test_the_full_grant_path_walks_only_allowed_transitions():
    steps = [new_case()]
    steps.append(ready_for_decision(steps[-1], ASSESSED, LocationCode.DEN_BOSCH))
    steps.append(decide(steps[-1], ANNA, DecisionAction.GRANT, TODAY, WHY))
    steps.append(document_produced(steps[-1]))
    steps.append(document_collected(steps[-1], TODAY))

    assert [c.status for c in steps] == [
        CaseStatus.AWAITING_BIOMETRICS,
        CaseStatus.AWAITING_DECISION,
        CaseStatus.DOCUMENT_IN_PRODUCTION,
        CaseStatus.AWAITING_PICKUP,
        CaseStatus.CLOSED,
    ]
    for before, after in itertools.pairwise(steps):
        assert after.status in TRANSITIONS[before.status]
    assert steps[-1].pickup_location == LocationCode.DEN_BOSCH


# --- decide never leaves the map ------------------------------------------------------------------


@pytest.mark.parametrize("caseworker", [ANNA, BRAM, SENNA, DESK], ids=lambda c: c.caseworker_id)
@pytest.mark.parametrize("application_type", [ApplicationType.FAMILY, ApplicationType.MVV, ApplicationType.NATURALISATION])
@pytest.mark.parametrize("action", list(DecisionAction))
@pytest.mark.parametrize("status", list(CaseStatus))
def test_decide_never_returns_a_case_in_a_status_not_allowed_by_transitions(status, action, application_type, caseworker):
    case = case_in(status, application_type)

    result = decide(case, caseworker, action, TODAY, WHY)

    assert isinstance(result, (Case, Refusal))
    if isinstance(result, Case):
        assert result.status in TRANSITIONS[case.status], f"{case.status} -> {result.status} via {action}"
        assert result.case_id == case.case_id
        assert result.received_on == case.received_on
