"""The lifecycle events each move of a case implies (``Case.events``): what handlers emit, built by
the pure state machine, never by a handler."""

from dataclasses import replace
from datetime import date
from uuid import UUID

import pytest

from schemas.codes import ApplicationType, LocationCode
from schemas.decisions import DecisionAction
from schemas.lifecycle import Finding, Outcome, Recommendation, Severity
from services.decision.assessment import Assessment
from services.decision.case import (
    SOURCE,
    Case,
    Refusal,
    deadline_approaching,
    deadline_exceeded,
    decide,
    document_collected,
    document_produced,
    open_case,
    ready_for_decision,
    resume,
)
from services.decision.caseworkers import Caseworker, Role

CASE_ID = UUID("00000000-0000-4000-8000-0000000000e1")
RECEIVED = date(2025, 1, 10)
TODAY = date(2025, 2, 3)
ANNA = Caseworker(caseworker_id="cw-anna", name="Anna de Vries", role=Role.CASEWORKER)
BRAM = Caseworker(caseworker_id="cw-bram", name="Bram Jansen", role=Role.CASEWORKER)
FLAGGED = Assessment(
    Recommendation.REFUSE, (Finding(code="desk_stage_incomplete", severity=Severity.BLOCKING, message="Flagged."),)
)


def queued(application_type: ApplicationType = ApplicationType.FAMILY) -> Case:
    opened = open_case(CASE_ID, "IND-2025-000001", application_type, RECEIVED, LocationCode.AMSTERDAM)
    return ready_for_decision(opened, FLAGGED, LocationCode.XC_EINDHOVEN)


def data_of(case: Case) -> list[tuple[str, dict]]:
    """Each event a move implies: its type and its payload, without the case's id and number."""
    return [(event.type, event.data.model_dump(exclude={"case_id", "case_number"})) for event in case.events]


def test_a_case_as_opened_implies_nothing():
    assert open_case(CASE_ID, "IND-2025-000001", ApplicationType.FAMILY, RECEIVED, LocationCode.AMSTERDAM).events == ()


def test_joining_the_caseworker_queue_implies_the_assessment_with_the_deadline():
    case = queued()

    assessed = {
        "recommendation": Recommendation.REFUSE,
        "findings": [FLAGGED.findings[0].model_dump()],
        "deadline": case.deadline,
    }
    assert data_of(case) == [("nl.ind.case.assessed.v1", assessed)]


def test_every_event_is_about_its_case_from_the_decision_service():
    event = queued().events[0]

    assert (event.data.case_id, event.data.case_number, event.subject) == (CASE_ID, "IND-2025-000001", "IND-2025-000001")
    assert event.source == SOURCE


def test_a_grant_with_a_document_to_produce_implies_the_decision_only():
    granted = decide(queued(), ANNA, DecisionAction.GRANT, TODAY, "All conditions are met.")

    decided = {"outcome": Outcome.GRANTED, "decided_by": ["cw-anna"], "reason": "All conditions are met.", "decided_on": TODAY}
    assert data_of(granted) == [("nl.ind.case.decided.v1", decided | {"document_required": True})]


def test_a_grant_without_a_document_implies_the_decision_and_the_closing():
    granted = decide(queued(ApplicationType.MVV), ANNA, DecisionAction.GRANT, TODAY, "All conditions are met.")

    assert [event_type for event_type, _data in data_of(granted)] == ["nl.ind.case.decided.v1", "nl.ind.case.closed.v1"]
    assert data_of(granted)[1][1] == {"outcome": Outcome.GRANTED, "closed_on": TODAY}


def test_a_refusal_implies_its_proposal_and_its_confirmation_the_decision_of_both_caseworkers_and_the_closing():
    proposed = decide(queued(), ANNA, DecisionAction.REFUSE, TODAY, "The salary is too low.")
    refused = decide(proposed, BRAM, DecisionAction.REFUSE, date(2025, 2, 4), "Confirmed.")

    assert data_of(proposed) == [("nl.ind.refusal.proposed.v1", {"caseworker_id": "cw-anna", "reason": "The salary is too low."})]
    decided = {
        "outcome": Outcome.REFUSED,
        "decided_by": ["cw-anna", "cw-bram"],
        "reason": "Confirmed.",
        "decided_on": date(2025, 2, 4),
    }
    assert data_of(refused) == [
        ("nl.ind.case.decided.v1", decided | {"document_required": False}),
        ("nl.ind.case.closed.v1", {"outcome": Outcome.REFUSED, "closed_on": date(2025, 2, 4)}),
    ]


def test_a_refused_command_implies_nothing():
    assert isinstance(decide(queued(), None, DecisionAction.GRANT, TODAY, "Why not."), Refusal)


def test_a_request_for_information_and_the_answer_imply_the_suspension_and_the_days_it_lasted():
    first = resume(decide(queued(), ANNA, DecisionAction.REQUEST_INFORMATION, TODAY, "Send it."), date(2025, 2, 6))  # 3 days
    asked = decide(first, BRAM, DecisionAction.REQUEST_INFORMATION, date(2025, 2, 10), "Send the rest.")
    resumed = resume(asked, date(2025, 2, 14))

    assert data_of(asked) == [
        (
            "nl.ind.information.requested.v1",
            {"caseworker_id": "cw-bram", "requested": "Send the rest.", "suspended_on": date(2025, 2, 10)},
        )
    ]
    assert resumed.suspended_days == 7
    assert data_of(resumed) == [("nl.ind.case.resumed.v1", {"suspended_days": 4, "deadline": resumed.deadline})]


def test_a_produced_document_implies_its_number_and_pickup_location_and_its_collection_the_closing():
    produced = document_produced(decide(queued(), ANNA, DecisionAction.GRANT, TODAY, "All conditions are met."))
    collected = document_collected(produced, date(2025, 3, 1))

    document = {"document_number": "NL0000000", "pickup_location": LocationCode.XC_EINDHOVEN}  # where the biometrics were taken
    assert data_of(produced) == [("nl.ind.document.produced.v1", document)]
    assert data_of(collected) == [("nl.ind.case.closed.v1", {"outcome": Outcome.GRANTED, "closed_on": date(2025, 3, 1)})]


def test_a_case_carries_only_the_events_of_its_latest_move_and_they_are_no_part_of_its_state():
    case = queued()
    granted = decide(case, ANNA, DecisionAction.GRANT, TODAY, "All conditions are met.")
    produced = document_produced(granted)

    assert [event.type for event in produced.events] == ["nl.ind.document.produced.v1"]
    assert replace(case, events=()) == case


@pytest.mark.parametrize("days_before, days_left", [(14, [14]), (0, [0]), (-1, [])])
def test_a_deadline_warning_counts_the_days_left_and_is_not_given_once_the_deadline_passed(days_before, days_left):
    case = queued()
    today = date.fromordinal(case.deadline.toordinal() - days_before)

    warnings = deadline_approaching(case, today)

    assert [(event.type, event.data.days_left) for event in warnings] == [
        ("nl.ind.deadline.approaching.v1", n) for n in days_left
    ]


def test_an_exceeded_deadline_counts_the_days_since_as_negative():
    case = queued()

    [exceeded] = deadline_exceeded(case, date.fromordinal(case.deadline.toordinal() + 3))

    assert (exceeded.type, exceeded.data.deadline, exceeded.data.days_left) == ("nl.ind.deadline.exceeded.v1", case.deadline, -3)
