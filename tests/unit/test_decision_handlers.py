"""The decision service's handler rules, on the in-memory unit of work (``decision_fakes``): no
PostgreSQL, no Kafka. ``tests/integration/test_decision_timers.py`` and ``test_case_files.py`` run
the same handlers against real PostgreSQL."""

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from uuid import uuid4

import pytest

from ind_runtime.records import ConsumedRecord, Unprocessable
from ind_runtime.screening import Unacceptable
from schemas.applicant import InformationSupplied
from schemas.appointments import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentPlace,
    AppointmentRescheduled,
    BiometricsCompleted,
    CaseFlagged,
)
from schemas.cases import CaseRegistered
from schemas.codes import ApplicationType, LocationCode
from schemas.decisions import DecisionAction, DecisionRequested
from schemas.desk import DocumentCollected
from schemas.examples import EXAMPLES
from schemas.lifecycle import Outcome, Recommendation
from schemas.signing import signed
from schemas.submissions import Problem
from schemas.topics import CASE_LIFECYCLE, DECISION_COMMANDS, DECISION_OUTCOMES
from services.decision import commands, flow, timers
from services.decision.case import CaseStatus
from services.decision.caseworkers import DEFAULT_ROSTER, Role, load_roster
from services.decision.deadlines import statutory_deadline
from services.decision.policy import DecisionPolicy
from services.decision.staff import StaffMember
from tests.decision_events import SIMULATED_TOOL, TOOL_KEYS, about, command_for, record_of
from tests.unit.decision_fakes import DecisionDatabase, FakeDecisionUnitOfWork

HSM = ApplicationType.HIGHLY_SKILLED_MIGRANT
RECEIVED = date(2026, 3, 2)
DEADLINE = statutory_deadline(HSM, RECEIVED)
DECIDING_DAY = date(2026, 3, 20)
LEAD_TIME = timedelta(hours=2)
WARNING_DAYS = 14
GRANTED_BECAUSE = "The salary and the sponsor meet every condition."

REGISTERED = next(e for e in EXAMPLES if isinstance(e, CaseRegistered))


def policy_on(day: date, now: datetime | None = None) -> DecisionPolicy:
    return DecisionPolicy(
        roster=load_roster(DEFAULT_ROSTER),
        tool_keys=TOOL_KEYS,
        today=lambda: day,
        now=lambda: now or datetime(day.year, day.month, day.day, 9, 0, tzinfo=timezone.utc),
        document_lead_time=LEAD_TIME,
        deadline_warning_days=WARNING_DAYS,
    )


async def in_unit(database: DecisionDatabase, work) -> FakeDecisionUnitOfWork:
    """Run ``work(uow)`` in a unit of work of its own, as the worker does; the unit, to read what it did."""
    async with database.unit_of_work() as uow:
        await work(uow)
    return uow


def registration(application_type: ApplicationType = HSM) -> CaseRegistered:
    case_id = uuid4()
    data = REGISTERED.data.model_copy(
        update={"case_id": case_id, "case_number": f"IND-2026-{case_id.int % 10**7:07d}", "application_type": application_type}
    )
    return REGISTERED.model_copy(update={"id": f"evt-{uuid4()}", "subject": data.case_number, "data": data})


async def registered(database: DecisionDatabase, application_type: ApplicationType = HSM) -> CaseRegistered:
    case = registration(application_type)
    await in_unit(database, lambda uow: flow.cases_registered([case], uow, policy_on(RECEIVED)))
    return case


async def awaiting_decision(database: DecisionDatabase, application_type: ApplicationType = HSM) -> CaseRegistered:
    case = await registered(database, application_type)
    done = about(BiometricsCompleted, case, captured=False, location=None)
    await in_unit(database, lambda uow: flow.desk_stage_reports([done], uow, policy_on(RECEIVED + timedelta(days=7))))
    return case


async def send(database: DecisionDatabase, command: DecisionRequested, policy: DecisionPolicy) -> FakeDecisionUnitOfWork:
    """Hand ``command`` to its handler as the worker does, as read from the next record of its topic."""
    return await in_unit(database, lambda uow: commands.screened_commands([(record_of(command), command)], uow, policy))


def kinds(uow: FakeDecisionUnitOfWork) -> list[tuple[str, str, str]]:
    """What a unit emitted: topic, key and the event's class, in order."""
    return [(topic, key, type(event).__name__) for topic, key, event in uow.emitted]


def status_of(database: DecisionDatabase, case: CaseRegistered) -> CaseStatus:
    return database.cases.cases[case.data.case_id].status


# --- the case's flow -----------------------------------------------------------------------------


async def test_a_registration_opens_a_case_awaiting_biometrics_with_its_statutory_deadline_once():
    database, case = DecisionDatabase(), registration()

    first = await in_unit(database, lambda uow: flow.cases_registered([case, case], uow, policy_on(RECEIVED)))
    again = await in_unit(database, lambda uow: flow.cases_registered([case], uow, policy_on(RECEIVED)))

    filed = database.cases.cases[case.data.case_id]
    assert (filed.status, filed.received_on, filed.deadline) == (CaseStatus.AWAITING_BIOMETRICS, RECEIVED, DEADLINE)
    assert database.cases.facts[case.data.case_id].date_of_birth == case.data.applicant.date_of_birth
    assert database.cases.history == [
        (
            case.data.case_id,
            CaseStatus.AWAITING_BIOMETRICS,
            "intake",
            "Application received on 02-03-2026; the decision is due by 01-06-2026.",
        )
    ]
    assert (first.committed, first.emitted, again.committed) == (True, [], False)


async def test_a_completed_desk_stage_queues_the_case_for_a_caseworker_with_its_assessment():
    database = DecisionDatabase()
    case = await registered(database)
    booked, done = (
        about(AppointmentBooked, case),
        about(BiometricsCompleted, case, captured=True, location=LocationCode.XC_EINDHOVEN),
    )

    uow = await in_unit(database, lambda uow: flow.desk_stage_reports([booked, done, done], uow, policy_on(date(2026, 3, 10))))

    filed = database.cases.cases[case.data.case_id]
    assert (filed.status, filed.pickup_location) == (CaseStatus.AWAITING_DECISION, LocationCode.XC_EINDHOVEN)
    assert database.cases.assessments[case.data.case_id].recommendation == Recommendation.GRANT
    assert kinds(uow) == [(CASE_LIFECYCLE.name, str(case.data.case_id), "CaseAssessed")]
    assessed = uow.emitted[0][2].data
    assert (assessed.recommendation, assessed.findings, assessed.deadline) == (Recommendation.GRANT, [], DEADLINE)
    assert [(set_by, text) for _id, _status, set_by, text in database.cases.history[1:]] == [
        ("biometrics", "BIO appointment on 10-03-2026 at 09:30 at IN Amsterdam."),
        ("decision", "Biometrics captured; the application waits for a caseworker's decision."),
    ]


async def test_a_case_the_desk_flags_is_queued_with_a_blocking_finding_and_a_later_flag_is_only_noted():
    database = DecisionDatabase()
    case = await registered(database)
    flagged, again = about(CaseFlagged, case), about(CaseFlagged, case, reason="no-show at 4 biometrics appointments")

    first = await in_unit(database, lambda uow: flow.desk_stage_reports([flagged], uow, policy_on(date(2026, 3, 30))))
    later = await in_unit(database, lambda uow: flow.desk_stage_reports([again], uow, policy_on(date(2026, 3, 31))))

    assessment = database.cases.assessments[case.data.case_id]
    assert assessment.recommendation == Recommendation.REFUSE
    assert [finding.code for finding in assessment.findings] == ["desk_stage_incomplete"]
    assert database.cases.cases[case.data.case_id].pickup_location == case.data.preferred_location
    assert (kinds(first), kinds(later)) == ([(CASE_LIFECYCLE.name, str(case.data.case_id), "CaseAssessed")], [])
    assert database.cases.history[-1][2:] == (
        "biometrics",
        "The desk flagged the application for a caseworker: no-show at 4 biometrics appointments.",
    )


async def test_an_appointment_the_applicant_moves_or_cancels_is_kept_as_it_is_now_and_told_in_the_history():
    database = DecisionDatabase()
    case = await registered(database)
    booked = about(AppointmentBooked, case, appointment_id="BIO-AM-1")
    previous = AppointmentPlace(**booked.data.model_dump(include=set(AppointmentPlace.model_fields)))
    later = previous.model_copy(update={"date": previous.date + timedelta(days=7)})
    moved = about(
        AppointmentRescheduled, case, appointment_id="BIO-AM-1", previous=previous, current=later, booking_id=None, contact=None
    )
    cancelled = about(AppointmentCancelled, case, appointment_id="BIO-AM-1", place=later, booking_id=None, contact=None)
    today = policy_on(RECEIVED)

    await in_unit(database, lambda uow: flow.desk_stage_reports([booked, moved], uow, today))
    kept = database.cases.appointments["BIO-AM-1"].date
    await in_unit(database, lambda uow: flow.desk_stage_reports([cancelled], uow, today))

    assert kept == later.date
    assert "BIO-AM-1" not in database.cases.appointments
    assert [entry[3].split(" ")[2] for entry in database.cases.history[-2:]] == ["moved", "on"]
    assert database.cases.history[-2][3].startswith(f"BIO appointment moved to {later.date:%d-%m-%Y}")
    assert database.cases.history[-1][3].endswith("cancelled.")


async def test_a_booking_without_a_case_is_not_decisions_business():
    database = DecisionDatabase()
    case = await registered(database)
    caseless = next(e for e in EXAMPLES if isinstance(e, AppointmentCancelled) and e.data.case_id is None)

    uow = await in_unit(database, lambda uow: flow.desk_stage_reports([caseless], uow, policy_on(RECEIVED)))

    assert (uow.emitted, len(database.cases.history)) == ([], 1)  # the registration's entry only
    assert case.data.case_id in database.cases.cases


async def test_reports_about_a_case_not_registered_yet_wait_for_its_registration():
    database, case = DecisionDatabase(), registration()
    early, later = about(BiometricsCompleted, case, captured=False, location=None), about(AppointmentBooked, case)
    left: list = []

    async def report(uow):
        left.extend(await flow.desk_stage_reports([early, later], uow, policy_on(RECEIVED)))

    await in_unit(database, report)

    assert left == [early, later]
    assert database.inbox == set()
    await in_unit(database, lambda uow: flow.cases_registered([case], uow, policy_on(RECEIVED)))
    await in_unit(database, lambda uow: flow.desk_stage_reports([early, later], uow, policy_on(RECEIVED)))
    assert status_of(database, case) == CaseStatus.AWAITING_DECISION


# --- caseworker commands -------------------------------------------------------------------------


async def test_a_grant_puts_the_document_in_production_and_answers_the_tool_once():
    database = DecisionDatabase()
    case = await awaiting_decision(database)
    grant, policy = command_for(case, "cw-001", DecisionAction.GRANT, GRANTED_BECAUSE), policy_on(DECIDING_DAY)

    uow = await send(database, grant, policy)
    again = await send(database, grant, policy)

    key = str(case.data.case_id)
    assert kinds(uow) == [(CASE_LIFECYCLE.name, key, "CaseDecided"), (DECISION_OUTCOMES.name, key, "CommandAccepted")]
    decided, answer = uow.emitted[0][2].data, uow.emitted[1][2].data
    assert (decided.outcome, decided.decided_by, decided.reason) == (Outcome.GRANTED, ["cw-001"], GRANTED_BECAUSE)
    assert decided.document_required is True
    assert (answer.command_id, answer.status) == (grant.id, "document_in_production")
    assert status_of(database, case) == CaseStatus.DOCUMENT_IN_PRODUCTION
    assert database.cases.document_due_at[case.data.case_id] == policy.now() + LEAD_TIME
    assert [(entry.command_id, entry.accepted) for entry in database.audit_trail.entries] == [(grant.id, True)]
    assert (again.emitted, len(database.audit_trail.entries)) == ([], 1)


async def test_a_proposed_refusal_closes_the_case_once_a_second_caseworker_confirms_it():
    database = DecisionDatabase()
    case = await awaiting_decision(database)

    proposal = await send(
        database, command_for(case, "cw-001", DecisionAction.REFUSE, "The salary is too low."), policy_on(DECIDING_DAY)
    )
    assert (kinds(proposal)[0][2], status_of(database, case)) == ("RefusalProposed", CaseStatus.REFUSAL_PROPOSED)
    confirmation = await send(database, command_for(case, "cw-002", DecisionAction.REFUSE, "Confirmed."), policy_on(DECIDING_DAY))

    assert [kind for _topic, _key, kind in kinds(confirmation)] == ["CaseDecided", "CaseClosed", "CommandAccepted"]
    decided, closed = confirmation.emitted[0][2].data, confirmation.emitted[1][2].data
    assert (decided.outcome, decided.decided_by, decided.document_required) == (Outcome.REFUSED, ["cw-001", "cw-002"], False)
    assert (closed.outcome, closed.closed_on) == (Outcome.REFUSED, DECIDING_DAY)
    filed = database.cases.cases[case.data.case_id]
    assert (filed.status, filed.outcome) == (CaseStatus.CLOSED, Outcome.REFUSED)
    assert database.cases.history[-1][1:] == (CaseStatus.CLOSED, "cw-002", "Application refused: Confirmed. The case is closed.")


async def test_the_caseworker_who_proposed_a_refusal_may_not_confirm_it():
    database = DecisionDatabase()
    case = await awaiting_decision(database)
    await send(database, command_for(case, "cw-001", DecisionAction.REFUSE), policy_on(DECIDING_DAY))
    own = command_for(case, "cw-001", DecisionAction.REFUSE, "Confirming my own proposal.")

    uow = await send(database, own, policy_on(DECIDING_DAY))

    assert (kinds(uow), uow.committed) == ([(DECISION_OUTCOMES.name, str(case.data.case_id), "CommandRejected")], True)
    assert (uow.emitted[0][2].data.command_id, uow.emitted[0][2].data.code) == (own.id, "same_caseworker")
    assert [(entry.accepted, entry.rejection_code) for entry in database.audit_trail.entries] == [
        (True, None),
        (False, "same_caseworker"),
    ]
    assert status_of(database, case) == CaseStatus.REFUSAL_PROPOSED


@pytest.mark.parametrize(
    "caseworker_id, stage, code",
    [
        ("cw-001", "registered", "case_not_ready"),
        ("desk-001", "awaiting_decision", "not_authorised"),
        ("cw-999", "awaiting_decision", "unknown_caseworker"),
        ("cw-001", "another number", "unknown_case"),
        ("cw-001", "granted", "already_decided"),
    ],
)
async def test_a_command_the_case_or_the_roster_does_not_allow_is_refused_audited_and_changes_nothing(caseworker_id, stage, code):
    database = DecisionDatabase()
    case = await (registered(database) if stage == "registered" else awaiting_decision(database))
    if stage == "granted":
        await send(database, command_for(case, "cw-002", DecisionAction.GRANT), policy_on(DECIDING_DAY))
    if stage == "another number":
        case = case.model_copy(update={"data": case.data.model_copy(update={"case_number": "IND-2026-9999999"})})
    before = database.cases.cases[case.data.case_id]

    uow = await send(database, command_for(case, caseworker_id, DecisionAction.GRANT), policy_on(DECIDING_DAY))

    assert [(type(event).__name__, event.data.code) for _topic, _key, event in uow.emitted] == [("CommandRejected", code)]
    assert (database.audit_trail.entries[-1].accepted, database.audit_trail.entries[-1].rejection_code) == (False, code)
    assert database.cases.cases[case.data.case_id] == before


# --- who works the case --------------------------------------------------------------------------


async def claimed(database: DecisionDatabase, case: CaseRegistered, staff_id: str):
    async with database.unit_of_work() as uow:
        claim = await uow.claims.claim(case.data.case_id, staff_id)
        await uow.commit()
    assert claim is not None
    return claim


def under(command: DecisionRequested, claim_id) -> DecisionRequested:
    """``command`` sent under ``claim_id``, signed again as the console signs what it sends."""
    command = command.model_copy(update={"data": command.data.model_copy(update={"claim_id": claim_id})})
    return signed(command, SIMULATED_TOOL, TOOL_KEYS[SIMULATED_TOOL])


async def test_a_case_claimed_by_one_caseworker_cannot_be_decided_by_another():
    database = DecisionDatabase()
    case = await awaiting_decision(database)
    await claimed(database, case, "cw-001")

    uow = await send(database, command_for(case, "cw-002", DecisionAction.GRANT), policy_on(DECIDING_DAY))

    assert [event.data.code for _topic, _key, event in uow.emitted] == ["claimed_by_other"]
    assert status_of(database, case) == CaseStatus.AWAITING_DECISION


async def test_a_command_under_a_claim_that_was_released_and_taken_again_is_refused_as_claim_changed():
    database = DecisionDatabase()
    case = await awaiting_decision(database)
    first = await claimed(database, case, "cw-001")
    async with database.unit_of_work() as uow:
        assert await uow.claims.release(case.data.case_id, first.claim_id)
        await uow.commit()
    await claimed(database, case, "cw-001")  # the same person, in another tab

    uow = await send(database, under(command_for(case, "cw-001", DecisionAction.GRANT), first.claim_id), policy_on(DECIDING_DAY))

    assert [event.data.code for _topic, _key, event in uow.emitted] == ["claim_changed"]
    assert status_of(database, case) == CaseStatus.AWAITING_DECISION


async def test_a_decision_under_the_current_claim_is_carried_out_and_releases_the_case():
    database = DecisionDatabase()
    case = await awaiting_decision(database)
    claim = await claimed(database, case, "cw-001")

    uow = await send(database, under(command_for(case, "cw-001", DecisionAction.REFUSE), claim.claim_id), policy_on(DECIDING_DAY))

    assert kinds(uow)[-1][2] == "CommandAccepted"
    assert database.claims.held == {}
    assert await claimed(database, case, "cw-002")  # the proposed refusal waits for a second caseworker


async def test_console_staff_decide_as_themselves_and_a_desk_officer_may_not():
    database = DecisionDatabase()
    case = await awaiting_decision(database)
    await database.staff.add(StaffMember("anna", "Anna", Role.CASEWORKER, None, 1, False), "a long enough password")
    await database.staff.add(
        StaffMember("dirk", "Dirk", Role.DESK_OFFICER, LocationCode.AMSTERDAM, 1, False), "another long password"
    )

    desk = await send(database, command_for(case, "dirk", DecisionAction.GRANT), policy_on(DECIDING_DAY))
    anna = await send(database, command_for(case, "anna", DecisionAction.GRANT), policy_on(DECIDING_DAY))

    assert [event.data.code for _topic, _key, event in desk.emitted] == ["not_authorised"]
    assert kinds(anna)[-1][2] == "CommandAccepted"


async def test_an_unreadable_command_is_refused_once_by_its_record_position():
    database = DecisionDatabase()
    unreadable = Unacceptable("cmd-broken", [Problem(field="data.action", message="not a known action")])
    record = ConsumedRecord(DECISION_COMMANDS.name, 0, 1, None, b"{}")

    uow = await in_unit(database, lambda uow: commands.unreadable_command(unreadable, record, uow, policy_on(DECIDING_DAY)))
    again = await in_unit(database, lambda uow: commands.unreadable_command(unreadable, record, uow, policy_on(DECIDING_DAY)))

    assert kinds(uow) == [(DECISION_OUTCOMES.name, "cmd-broken", "CommandRejected")]
    assert (uow.emitted[0][2].data.code, uow.emitted[0][2].data.reason) == ("invalid_command", "data.action: not a known action")
    assert [(entry.command_id, entry.rejection_code) for entry in database.audit_trail.entries] == [
        ("cmd-broken", "invalid_command")
    ]
    assert (again.emitted, again.committed) == ([], False)


async def test_an_unsigned_command_is_refused_without_keeping_the_real_one_with_its_id_from_being_carried_out():
    database = DecisionDatabase()
    case = await awaiting_decision(database)
    real = command_for(case, "cw-001", DecisionAction.GRANT)
    forged = real.model_copy(update={"signature": None})

    refused = await send(database, forged, policy_on(DECIDING_DAY))
    carried_out = await send(database, real, policy_on(DECIDING_DAY))

    assert (refused.emitted[0][2].data.command_id, refused.emitted[0][2].data.code) == (real.id, "unauthenticated")
    assert kinds(carried_out)[-1][2] == "CommandAccepted"
    assert status_of(database, case) == CaseStatus.DOCUMENT_IN_PRODUCTION


async def test_in_a_batch_an_unverified_command_is_refused_and_each_cases_answers_keep_their_records_order():
    database = DecisionDatabase()
    first, second = await awaiting_decision(database), await awaiting_decision(database)
    signed_first, unsigned = (
        command_for(first, "cw-001", DecisionAction.GRANT),
        command_for(second, "cw-001", DecisionAction.GRANT),
    )
    unsigned = unsigned.model_copy(update={"toolid": None})
    behind = command_for(second, "cw-002", DecisionAction.GRANT)
    batch = [(record_of(command), command) for command in (signed_first, unsigned, behind)]

    uow = await in_unit(database, lambda uow: commands.screened_commands(batch, uow, policy_on(DECIDING_DAY)))

    answers_about_second = [
        (event.data.command_id, type(event).__name__)
        for topic, key, event in uow.emitted
        if topic == DECISION_OUTCOMES.name and key == str(second.data.case_id)
    ]
    assert answers_about_second == [(unsigned.id, "CommandRejected"), (behind.id, "CommandAccepted")]
    assert status_of(database, first) == status_of(database, second) == CaseStatus.DOCUMENT_IN_PRODUCTION


# --- information requested and supplied ----------------------------------------------------------


async def test_supplied_information_resumes_the_clock_and_moves_the_deadline_by_the_days_it_stood_still():
    database = DecisionDatabase()
    case = await awaiting_decision(database)
    request = command_for(case, "cw-003", DecisionAction.REQUEST_INFORMATION, "Please send your contract.")
    asked = await send(database, request, policy_on(DECIDING_DAY))
    requested = asked.emitted[0][2].data
    assert (type(asked.emitted[0][2]).__name__, requested.requested, requested.suspended_on) == (
        "InformationRequested",
        "Please send your contract.",
        DECIDING_DAY,
    )
    database.cases.warned_on[case.data.case_id] = DECIDING_DAY
    supplied = about(InformationSupplied, case)

    five_days_later = policy_on(DECIDING_DAY + timedelta(days=5))
    uow = await in_unit(database, lambda uow: flow.information_supplied([supplied, supplied], uow, five_days_later))

    new_deadline = statutory_deadline(HSM, RECEIVED, 5)
    assert kinds(uow) == [(CASE_LIFECYCLE.name, str(case.data.case_id), "CaseResumed")]
    assert (uow.emitted[0][2].data.suspended_days, uow.emitted[0][2].data.deadline) == (5, new_deadline)
    filed = database.cases.cases[case.data.case_id]
    assert (filed.status, filed.suspended_days, filed.suspended_on, filed.deadline) == (
        CaseStatus.AWAITING_DECISION,
        5,
        None,
        new_deadline,
    )
    assert database.cases.warned_on[case.data.case_id] is None  # warned again before the new deadline
    assert list(database.supplied_information.kept) == [supplied.id]
    assert database.cases.history[-1][2:] == ("applicant", "Information received; the decision is now due by 05-06-2026.")


async def test_information_nobody_asked_for_is_kept_on_file_and_changes_nothing_else():
    database = DecisionDatabase()
    case = await awaiting_decision(database)
    before = (database.cases.cases[case.data.case_id], list(database.cases.history))
    supplied = about(InformationSupplied, case)

    uow = await in_unit(database, lambda uow: flow.information_supplied([supplied], uow, policy_on(DECIDING_DAY)))

    assert (uow.emitted, list(database.supplied_information.kept)) == ([], [supplied.id])
    assert (database.cases.cases[case.data.case_id], database.cases.history) == before


async def test_information_for_a_case_by_another_number_is_unprocessable_and_leaves_nothing_behind():
    database = DecisionDatabase()
    case = await awaiting_decision(database)
    misnamed = about(InformationSupplied, case, case_number="IND-2026-9999999")

    with pytest.raises(Unprocessable, match="no case IND-2026-9999999"):
        await in_unit(database, lambda uow: flow.information_supplied([misnamed], uow, policy_on(DECIDING_DAY)))

    assert (database.supplied_information.kept, ("decision", misnamed.id) in database.inbox) == ({}, False)


# --- timers --------------------------------------------------------------------------------------


async def watch(database: DecisionDatabase, day: date) -> FakeDecisionUnitOfWork:
    return await in_unit(database, lambda uow: timers.watch_deadlines(uow, policy_on(day)))


async def test_a_deadline_warning_and_an_overdue_mark_are_each_announced_once():
    database = DecisionDatabase()
    case = await awaiting_decision(database)
    warning_day, key = DEADLINE - timedelta(days=WARNING_DAYS), str(case.data.case_id)

    assert (await watch(database, warning_day - timedelta(days=1))).emitted == []
    warned = await watch(database, warning_day)
    assert kinds(warned) == [(CASE_LIFECYCLE.name, key, "DeadlineApproaching")]
    assert (warned.emitted[0][2].data.days_left, database.cases.warned_on[case.data.case_id]) == (WARNING_DAYS, warning_day)
    assert (await watch(database, warning_day)).emitted == []
    assert (await watch(database, DEADLINE)).emitted == []

    overdue = await watch(database, DEADLINE + timedelta(days=3))
    assert kinds(overdue) == [(CASE_LIFECYCLE.name, key, "DeadlineExceeded")]
    assert (overdue.emitted[0][2].data.days_left, database.cases.exceeded_on[case.data.case_id]) == (
        -3,
        DEADLINE + timedelta(days=3),
    )
    assert database.cases.history[-1][2:] == (
        "decision",
        "The decision period ended on 01-06-2026 without a decision; we apologise.",
    )
    assert (await watch(database, DEADLINE + timedelta(days=4))).emitted == []


async def test_a_case_first_seen_past_its_deadline_gets_only_the_overdue_mark():
    database = DecisionDatabase()
    case = await awaiting_decision(database)

    uow = await watch(database, DEADLINE + timedelta(days=1))

    assert [kind for _topic, _key, kind in kinds(uow)] == ["DeadlineExceeded"]
    assert database.cases.warned_on[case.data.case_id] == DEADLINE + timedelta(days=1)


async def test_a_case_waiting_for_information_gets_no_deadline_events():
    database = DecisionDatabase()
    case = await awaiting_decision(database)
    await send(
        database, command_for(case, "cw-003", DecisionAction.REQUEST_INFORMATION, "Please send it."), policy_on(DECIDING_DAY)
    )

    assert (await watch(database, DEADLINE + timedelta(days=30))).emitted == []


async def test_a_document_is_produced_after_its_lead_time_and_its_collection_closes_the_case():
    database = DecisionDatabase()
    case = await awaiting_decision(database)
    decided_at = datetime(2026, 3, 20, 10, 0, tzinfo=timezone.utc)
    await send(database, command_for(case, "cw-001", DecisionAction.GRANT), policy_on(DECIDING_DAY, decided_at))

    async def produce(at: datetime) -> FakeDecisionUnitOfWork:
        return await in_unit(database, lambda uow: timers.produce_due_documents(uow, policy_on(at.date(), at)))

    assert (await produce(decided_at + LEAD_TIME - timedelta(seconds=1))).emitted == []
    produced = await produce(decided_at + LEAD_TIME)
    assert kinds(produced) == [(CASE_LIFECYCLE.name, str(case.data.case_id), "DocumentProduced")]
    document = produced.emitted[0][2].data
    assert (document.document_number, document.pickup_location) == (
        "NL" + case.data.case_id.hex[:7].upper(),
        case.data.preferred_location,
    )
    assert status_of(database, case) == CaseStatus.AWAITING_PICKUP
    assert (await produce(decided_at + 2 * LEAD_TIME)).emitted == []

    collected = about(DocumentCollected, case)
    closing = await in_unit(
        database, lambda uow: flow.documents_collected([collected, collected], uow, policy_on(date(2026, 4, 2)))
    )

    assert [kind for _topic, _key, kind in kinds(closing)] == ["CaseClosed"]
    assert (closing.emitted[0][2].data.outcome, closing.emitted[0][2].data.closed_on) == (Outcome.GRANTED, date(2026, 4, 2))
    assert status_of(database, case) == CaseStatus.CLOSED
    closing_note = (CaseStatus.CLOSED, collected.data.desk_officer, "Residence document collected; the case is closed.")
    assert database.cases.history[-1][1:] == closing_note


async def test_a_document_collected_before_it_was_produced_changes_nothing():
    database = DecisionDatabase()
    case = await awaiting_decision(database)
    before = database.cases.cases[case.data.case_id]

    uow = await in_unit(
        database, lambda uow: flow.documents_collected([about(DocumentCollected, case)], uow, policy_on(DECIDING_DAY))
    )

    assert (uow.emitted, database.cases.cases[case.data.case_id]) == ([], before)


async def test_a_unit_of_work_that_does_not_commit_leaves_the_fake_database_as_it_was():
    """The fake keeps the real one's promise, so the tests above could see a handler's missing commit."""
    database = DecisionDatabase()
    case = await registered(database)
    before = (dict(database.cases.cases), list(database.cases.history), set(database.inbox))

    async def forgets_to_commit(uow):
        await uow.new_events("decision", [about(BiometricsCompleted, case)])
        await uow.cases.save_many([replace(database.cases.cases[case.data.case_id], status=CaseStatus.CLOSED)])

    await in_unit(database, forgets_to_commit)

    assert (database.cases.cases, database.cases.history, database.inbox) == before
