"""The decision service's timers and caseworker commands against real PostgreSQL.

The real handlers run in real transactions (``DecisionUnitOfWork``); only the clock is ours: every
policy has fixed ``today``/``now`` lambdas, so a test can stand on any day. Cases live in 2040, far
beyond the real date, so a decision worker running in the same session (the e2e pipeline, whose
timers use the real clock) never touches them. Timers scan every case in the session's database, so
each assertion looks only at the test's own case id, and timers run in passes until a batch comes
back short, as the worker does. ``tests/unit/test_decision_handlers.py`` holds the same rules to
account on the in-memory unit of work.
"""

import itertools
import json
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from uuid import UUID, uuid4

import pytest

import services.decision.app
from ind_runtime.db import migrate
from ind_runtime.records import ConsumedRecord, Unprocessable
from schemas.applicant import InformationSupplied
from schemas.appointments import BiometricsCompleted
from schemas.cases import CaseRegistered
from schemas.codes import ApplicationType, LocationCode
from schemas.decisions import DecisionAction, DecisionRequested
from schemas.examples import EXAMPLES
from schemas.signing import signed
from schemas.topics import CASE_LIFECYCLE, DECISION_OUTCOMES
from services.decision import commands, flow, timers
from services.decision.case_file import queue
from services.decision.caseworkers import DEFAULT_ROSTER, load_roster
from services.decision.deadlines import statutory_deadline
from services.decision.policy import DecisionPolicy
from services.decision.settings import DEFAULT_TOOL_KEYS
from services.decision.tool_keys import load_tool_keys
from services.decision.unit_of_work import DecisionUnitOfWork
from tests.decision_events import command_for, record_of

PUBLISHER = "decision-under-test"  # not "decision": a running decision worker would relay these rows
ROSTER = load_roster(DEFAULT_ROSTER)
TOOL_KEYS = load_tool_keys(DEFAULT_TOOL_KEYS)
WARNING_DAYS = 14
LEAD_TIME = timedelta(hours=2)
HSM = ApplicationType.HIGHLY_SKILLED_MIGRANT

REGISTERED = next(e for e in EXAMPLES if isinstance(e, CaseRegistered))
BIOMETRICS = next(e for e in EXAMPLES if isinstance(e, BiometricsCompleted))
SUPPLIED = next(e for e in EXAMPLES if isinstance(e, InformationSupplied))

APPROACHING = "nl.ind.deadline.approaching.v1"
EXCEEDED = "nl.ind.deadline.exceeded.v1"
DEADLINE_TYPES = (APPROACHING, EXCEEDED)

_case_numbers = itertools.count(1)


@pytest.fixture(scope="module", autouse=True)
async def decision_schema(pool):
    await migrate(pool, "decision", services.decision.app.MIGRATIONS)


def policy_on(day: date, now: datetime | None = None) -> DecisionPolicy:
    """A policy whose clock stands still on ``day`` (and at ``now``, by default that day's 09:00 UTC)."""
    moment = now or datetime(day.year, day.month, day.day, 9, 0, tzinfo=timezone.utc)
    return DecisionPolicy(
        roster=ROSTER,
        tool_keys=TOOL_KEYS,
        today=lambda: day,
        now=lambda: moment,
        document_lead_time=LEAD_TIME,
        deadline_warning_days=WARNING_DAYS,
    )


# --- driving the real handlers -------------------------------------------------------------------


async def register(pool, received_on: date, application_type: ApplicationType = HSM) -> CaseRegistered:
    case_id = uuid4()
    data = REGISTERED.data.model_copy(
        update={
            "case_id": case_id,
            "case_number": f"IND-2040-{next(_case_numbers):07d}",
            "submission_id": f"sub-{case_id}",
            "received_on": received_on,
            "application_type": application_type,
        }
    )
    event = REGISTERED.model_copy(update={"id": f"evt-registered-{case_id}", "subject": data.case_number, "data": data})
    async with DecisionUnitOfWork(pool, PUBLISHER) as uow:
        await flow.cases_registered([event], uow, policy_on(received_on))
    return event


async def complete_biometrics(pool, case: CaseRegistered, day: date) -> None:
    data = BIOMETRICS.data.model_copy(
        update={"case_id": case.data.case_id, "case_number": case.data.case_number, "captured": False, "location": None}
    )
    event = BIOMETRICS.model_copy(update={"id": f"evt-biometrics-{uuid4()}", "data": data})
    async with DecisionUnitOfWork(pool, PUBLISHER) as uow:
        assert await flow.desk_stage_reports([event], uow, policy_on(day)) == []


async def awaiting_decision(pool, received_on: date, application_type: ApplicationType = HSM) -> CaseRegistered:
    case = await register(pool, received_on, application_type)
    await complete_biometrics(pool, case, received_on + timedelta(days=7))
    return case


async def send(pool, command: DecisionRequested, policy: DecisionPolicy, record: ConsumedRecord | None = None) -> None:
    """Hand a command to the handler as the worker would: with the record it was read from (a new one
    unless ``record`` is given, which makes this a redelivery of that record)."""
    record = record or record_of(command)
    async with DecisionUnitOfWork(pool, PUBLISHER) as uow:
        await commands.screened_commands([(record, command)], uow, policy)


async def decide(pool, case, caseworker_id, action, policy, reason="Checked against every condition.") -> DecisionRequested:
    command = command_for(case, caseworker_id, action, reason)
    await send(pool, command, policy)
    return command


def information_for(case: CaseRegistered, case_number: str | None = None) -> InformationSupplied:
    data = SUPPLIED.data.model_copy(update={"case_id": case.data.case_id, "case_number": case_number or case.data.case_number})
    return SUPPLIED.model_copy(update={"id": f"portal-info-{uuid4()}", "data": data})


async def supply_information(pool, case: CaseRegistered, day: date) -> None:
    async with DecisionUnitOfWork(pool, PUBLISHER) as uow:
        await flow.information_supplied([information_for(case)], uow, policy_on(day))


async def run_timer(pool, timer, policy: DecisionPolicy) -> None:
    """One timer pass as the worker runs it: batches until one comes back short."""
    while True:
        async with DecisionUnitOfWork(pool, PUBLISHER) as uow:
            if await timer(uow, policy) < timers.TIMER_BATCH:
                return


# --- reading what happened -----------------------------------------------------------------------


async def outbox(pool, case_id: UUID, topic: str | None = None) -> list[dict]:
    """The outbox rows keyed by this case, oldest first, with the CloudEvent decoded."""
    rows = await pool.fetch(
        """select topic, convert_from(key, 'UTF8') as key, convert_from(value, 'UTF8') as value, headers
           from runtime.outbox where key = $1 order by id""",
        str(case_id).encode(),
    )
    return [
        {"topic": r["topic"], "key": r["key"], "event": json.loads(r["value"]), "headers": json.loads(r["headers"])}
        for r in rows
        if topic is None or r["topic"] == topic
    ]


async def events_of(pool, case_id: UUID, *types: str) -> list[dict]:
    return [row["event"] for row in await outbox(pool, case_id) if row["event"]["type"] in types]


async def case_row(pool, case_id: UUID):
    return await pool.fetchrow("select * from decision.cases where case_id = $1", case_id)


async def history(pool, case_id: UUID) -> list:
    return await pool.fetch(
        "select status, set_by, explanation from decision.status_history where case_id = $1 order by id", case_id
    )


async def audit_rows(pool, case_id: UUID) -> list:
    return await pool.fetch("select * from decision.audit_trail where case_id = $1 order by id", case_id)


# --- deadlines -----------------------------------------------------------------------------------


async def test_watch_deadlines_warns_once_on_the_warning_day_and_not_before(pool):
    received = date(2040, 3, 8)
    case = await awaiting_decision(pool, received)
    case_id = case.data.case_id
    deadline = (await case_row(pool, case_id))["deadline"]
    assert deadline == statutory_deadline(HSM, received) == date(2040, 6, 6)
    warning_day = deadline - timedelta(days=WARNING_DAYS)

    await run_timer(pool, timers.watch_deadlines, policy_on(warning_day - timedelta(days=1)))
    assert await events_of(pool, case_id, *DEADLINE_TYPES) == []

    await run_timer(pool, timers.watch_deadlines, policy_on(warning_day))
    [warning] = await events_of(pool, case_id, *DEADLINE_TYPES)
    assert warning["type"] == APPROACHING
    assert warning["subject"] == case.data.case_number
    assert warning["data"] == {
        "case_id": str(case_id),
        "case_number": case.data.case_number,
        "deadline": deadline.isoformat(),
        "days_left": WARNING_DAYS,
    }
    [row] = [r for r in await outbox(pool, case_id) if r["event"]["type"] == APPROACHING]
    assert (row["topic"], row["key"]) == (CASE_LIFECYCLE.name, str(case_id))
    assert ["ce_type", APPROACHING] in row["headers"]
    assert (await case_row(pool, case_id))["warned_on"] == warning_day

    await run_timer(pool, timers.watch_deadlines, policy_on(warning_day))
    await run_timer(pool, timers.watch_deadlines, policy_on(warning_day + timedelta(days=1)))
    assert [e["type"] for e in await events_of(pool, case_id, *DEADLINE_TYPES)] == [APPROACHING]


async def test_watch_deadlines_announces_an_exceeded_deadline_once_the_day_after_it(pool):
    received = date(2040, 3, 9)
    case = await awaiting_decision(pool, received)
    case_id = case.data.case_id
    deadline = (await case_row(pool, case_id))["deadline"]
    assert deadline == date(2040, 6, 7)
    await run_timer(pool, timers.watch_deadlines, policy_on(deadline - timedelta(days=WARNING_DAYS)))
    history_before = await history(pool, case_id)

    await run_timer(pool, timers.watch_deadlines, policy_on(deadline))
    assert [e["type"] for e in await events_of(pool, case_id, *DEADLINE_TYPES)] == [APPROACHING]
    assert await history(pool, case_id) == history_before
    assert (await case_row(pool, case_id))["exceeded_on"] is None

    day_after = deadline + timedelta(days=1)
    await run_timer(pool, timers.watch_deadlines, policy_on(day_after))
    exceeded = (await events_of(pool, case_id, EXCEEDED))[0]
    assert exceeded["data"] == {
        "case_id": str(case_id),
        "case_number": case.data.case_number,
        "deadline": deadline.isoformat(),
        "days_left": -1,
    }
    assert (await case_row(pool, case_id))["exceeded_on"] == day_after
    added = (await history(pool, case_id))[len(history_before) :]
    assert len(added) == 1
    assert added[0]["status"] == "awaiting_decision"
    assert added[0]["set_by"] == "decision"
    assert "07-06-2040" in added[0]["explanation"] and "without a decision" in added[0]["explanation"]

    await run_timer(pool, timers.watch_deadlines, policy_on(day_after))
    await run_timer(pool, timers.watch_deadlines, policy_on(day_after + timedelta(days=10)))
    assert [e["type"] for e in await events_of(pool, case_id, *DEADLINE_TYPES)] == [APPROACHING, EXCEEDED]
    assert len(await history(pool, case_id)) == len(history_before) + 1


async def test_a_deadline_first_seen_days_late_is_announced_once_with_the_days_it_is_late(pool):
    """The timers were down for a while: the next pass still announces the exceeded deadline."""
    case = await awaiting_decision(pool, date(2040, 3, 12))
    deadline = (await case_row(pool, case.data.case_id))["deadline"]

    await run_timer(pool, timers.watch_deadlines, policy_on(deadline + timedelta(days=3)))
    await run_timer(pool, timers.watch_deadlines, policy_on(deadline + timedelta(days=4)))

    [exceeded] = await events_of(pool, case.data.case_id, EXCEEDED)
    assert exceeded["data"]["days_left"] == -3
    assert (await case_row(pool, case.data.case_id))["exceeded_on"] == deadline + timedelta(days=3)


async def test_a_case_awaiting_information_gets_no_deadline_events_even_past_its_deadline(pool):
    received = date(2040, 3, 13)
    case = await awaiting_decision(pool, received)
    asked_on = received + timedelta(days=10)
    await decide(
        pool, case, "cw-001", DecisionAction.REQUEST_INFORMATION, policy_on(asked_on), "Please send your employment contract."
    )
    row = await case_row(pool, case.data.case_id)
    assert row["status"] == "awaiting_information"

    for day in (
        row["deadline"] - timedelta(days=WARNING_DAYS),
        row["deadline"] + timedelta(days=1),
        row["deadline"] + timedelta(days=60),
    ):
        await run_timer(pool, timers.watch_deadlines, policy_on(day))

    assert await events_of(pool, case.data.case_id, *DEADLINE_TYPES) == []
    row = await case_row(pool, case.data.case_id)
    assert (row["warned_on"], row["exceeded_on"]) == (None, None)
    assert not [h for h in await history(pool, case.data.case_id) if "without a decision" in h["explanation"]]


async def test_a_closed_case_gets_no_deadline_events(pool):
    received = date(2040, 3, 14)
    case = await awaiting_decision(pool, received, ApplicationType.MVV)
    await decide(pool, case, "cw-001", DecisionAction.GRANT, policy_on(received + timedelta(days=10)))
    row = await case_row(pool, case.data.case_id)
    assert (row["status"], row["outcome"]) == ("closed", "granted")

    for day in (
        row["deadline"] - timedelta(days=WARNING_DAYS),
        row["deadline"] + timedelta(days=1),
        row["deadline"] + timedelta(days=60),
    ):
        await run_timer(pool, timers.watch_deadlines, policy_on(day))

    assert await events_of(pool, case.data.case_id, *DEADLINE_TYPES) == []
    row = await case_row(pool, case.data.case_id)
    assert (row["warned_on"], row["exceeded_on"]) == (None, None)


# --- documents -----------------------------------------------------------------------------------


async def test_a_granted_residence_permit_is_ready_for_pickup_only_after_the_document_lead_time(pool):
    received = date(2040, 4, 2)
    case = await awaiting_decision(pool, received)
    case_id = case.data.case_id
    decided_at = datetime(2040, 4, 20, 10, 0, tzinfo=timezone.utc)
    await decide(pool, case, "cw-001", DecisionAction.GRANT, policy_on(decided_at.date(), decided_at), "All conditions are met.")

    row = await case_row(pool, case_id)
    assert row["status"] == "document_in_production"
    assert row["document_due_at"] == decided_at + LEAD_TIME
    [decided] = await events_of(pool, case_id, "nl.ind.case.decided.v1")
    assert decided["data"]["outcome"] == "granted"
    assert decided["data"]["document_required"] is True
    assert decided["data"]["decided_by"] == ["cw-001"]

    just_before = decided_at + LEAD_TIME - timedelta(seconds=1)
    await run_timer(pool, timers.produce_due_documents, policy_on(just_before.date(), just_before))
    assert (await case_row(pool, case_id))["status"] == "document_in_production"
    assert await events_of(pool, case_id, "nl.ind.document.produced.v1") == []

    after = decided_at + LEAD_TIME + timedelta(seconds=1)
    await run_timer(pool, timers.produce_due_documents, policy_on(after.date(), after))
    assert (await case_row(pool, case_id))["status"] == "awaiting_pickup"
    [produced] = [r for r in await outbox(pool, case_id) if r["event"]["type"] == "nl.ind.document.produced.v1"]
    assert (produced["topic"], produced["key"]) == (CASE_LIFECYCLE.name, str(case_id))
    assert produced["event"]["data"] == {
        "case_id": str(case_id),
        "case_number": case.data.case_number,
        "document_number": "NL" + case_id.hex[:7].upper(),
        "pickup_location": LocationCode.XC_AMSTERDAM.value,
    }
    assert (await history(pool, case_id))[-1]["status"] == "awaiting_pickup"

    later = after + timedelta(days=3)
    await run_timer(pool, timers.produce_due_documents, policy_on(later.date(), later))
    assert len(await events_of(pool, case_id, "nl.ind.document.produced.v1")) == 1


# --- the caseworker queue ------------------------------------------------------------------------


async def test_the_queue_lists_only_cases_awaiting_decision_nearest_deadline_first(pool):
    base = date(2040, 5, 7)
    later_hsm = await awaiting_decision(pool, base)  # 90 days
    sooner_study = await awaiting_decision(pool, base + timedelta(days=10), ApplicationType.STUDY)  # 60 days
    still_at_desk = await register(pool, base - timedelta(days=20))
    granted = await awaiting_decision(pool, base - timedelta(days=15))
    await decide(pool, granted, "cw-002", DecisionAction.GRANT, policy_on(base))
    waiting_for_applicant = await awaiting_decision(pool, base - timedelta(days=10))
    await decide(pool, waiting_for_applicant, "cw-002", DecisionAction.REQUEST_INFORMATION, policy_on(base))
    refusal = await awaiting_decision(pool, base - timedelta(days=5))
    await decide(pool, refusal, "cw-002", DecisionAction.REFUSE, policy_on(base))

    async with pool.acquire() as connection, connection.transaction(isolation="repeatable_read", readonly=True):
        rows = await queue(connection, limit=100_000)
        listed = await connection.fetch(
            "select status from decision.cases where case_id = any($1::uuid[])", [r["case_id"] for r in rows]
        )

    ours = {c.data.case_number for c in (later_hsm, sooner_study, still_at_desk, granted, waiting_for_applicant, refusal)}
    assert [r["case_number"] for r in rows if r["case_number"] in ours] == [
        sooner_study.data.case_number,
        later_hsm.data.case_number,
    ]
    deadlines = [(r["deadline"], r["case_number"]) for r in rows]
    assert deadlines == sorted(deadlines)
    assert {r["status"] for r in listed} == {"awaiting_decision"}  # read in the queue's own snapshot
    entry = next(r for r in rows if r["case_id"] == later_hsm.data.case_id)
    assert entry["recommendation"] == "grant"
    assert json.loads(entry["findings"]) == []


# --- commands and their audit trail --------------------------------------------------------------


async def test_an_accepted_grant_leaves_one_audit_row_and_one_outcome_and_a_redelivery_changes_nothing(pool):
    received = date(2040, 4, 10)
    case = await awaiting_decision(pool, received)
    case_id = case.data.case_id
    policy = policy_on(received + timedelta(days=20))
    grant = command_for(case, "cw-001", DecisionAction.GRANT, "All conditions for the permit are met.")

    await send(pool, grant, policy)

    [audit] = await audit_rows(pool, case_id)
    assert {k: audit[k] for k in ("command_id", "caseworker_id", "action", "case_id", "case_number", "reason")} == {
        "command_id": grant.id,
        "caseworker_id": "cw-001",
        "action": "grant",
        "case_id": case_id,
        "case_number": case.data.case_number,
        "reason": "All conditions for the permit are met.",
    }
    assert (audit["accepted"], audit["rejection_code"], audit["rejection_reason"]) == (True, None, None)
    assert audit["at"] is not None
    [outcome] = await outbox(pool, case_id, DECISION_OUTCOMES.name)
    assert outcome["key"] == str(case_id)
    assert outcome["event"]["type"] == "nl.ind.decision.command_accepted.v1"
    assert outcome["event"]["data"]["command_id"] == grant.id
    assert outcome["event"]["data"]["status"] == "document_in_production"
    everything = await outbox(pool, case_id)
    state = await case_row(pool, case_id)

    await send(pool, grant, replace(policy, today=lambda: received + timedelta(days=21)))

    assert len(await audit_rows(pool, case_id)) == 1
    assert await outbox(pool, case_id) == everything
    assert await case_row(pool, case_id) == state


async def test_a_caseworker_cannot_confirm_their_own_refusal_and_the_rejection_is_audited_once(pool):
    received = date(2040, 4, 11)
    case = await awaiting_decision(pool, received)
    case_id = case.data.case_id
    policy = policy_on(received + timedelta(days=20))
    await decide(pool, case, "cw-001", DecisionAction.REFUSE, policy, "The salary is below the threshold.")
    own_confirmation = command_for(case, "cw-001", DecisionAction.REFUSE, "Confirming my own proposal.")

    await send(pool, own_confirmation, policy)

    proposal, rejection = await audit_rows(pool, case_id)
    assert (proposal["accepted"], proposal["action"], proposal["rejection_code"]) == (True, "refuse", None)
    columns = ("command_id", "caseworker_id", "action", "case_id", "case_number", "reason", "accepted", "rejection_code")
    assert {k: rejection[k] for k in columns} == {
        "command_id": own_confirmation.id,
        "caseworker_id": "cw-001",
        "action": "refuse",
        "case_id": case_id,
        "case_number": case.data.case_number,
        "reason": "Confirming my own proposal.",
        "accepted": False,
        "rejection_code": "same_caseworker",
    }
    outcomes = await outbox(pool, case_id, DECISION_OUTCOMES.name)
    assert [o["event"]["type"] for o in outcomes] == [
        "nl.ind.decision.command_accepted.v1",
        "nl.ind.decision.command_rejected.v1",
    ]
    rejected = outcomes[1]["event"]["data"]
    assert (rejected["command_id"], rejected["code"], rejected["caseworker_id"]) == (
        own_confirmation.id,
        "same_caseworker",
        "cw-001",
    )
    assert rejected["reason"] == rejection["rejection_reason"]
    assert_readable_sentence(rejected["reason"])
    assert "different caseworker" in rejected["reason"]
    assert (await case_row(pool, case_id))["status"] == "refusal_proposed"
    everything = await outbox(pool, case_id)

    await send(pool, own_confirmation, policy)

    assert len(await audit_rows(pool, case_id)) == 2
    assert await outbox(pool, case_id) == everything

    await decide(pool, case, "cw-002", DecisionAction.REFUSE, policy, "Confirmed: the salary is below the threshold.")
    row = await case_row(pool, case_id)
    assert (row["status"], row["outcome"]) == ("closed", "refused")
    [decided] = await events_of(pool, case_id, "nl.ind.case.decided.v1")
    assert decided["data"]["decided_by"] == ["cw-001", "cw-002"]


async def test_a_desk_officer_may_not_decide_and_the_rejection_is_audited_once(pool):
    received = date(2040, 4, 12)
    case = await awaiting_decision(pool, received)
    case_id = case.data.case_id
    policy = policy_on(received + timedelta(days=20))
    command = command_for(case, "desk-001", DecisionAction.GRANT, "Looks fine to me.")

    await send(pool, command, policy)
    await send(pool, command, policy)

    [audit] = await audit_rows(pool, case_id)
    assert (audit["command_id"], audit["caseworker_id"], audit["action"], audit["case_number"], audit["reason"]) == (
        command.id,
        "desk-001",
        "grant",
        case.data.case_number,
        "Looks fine to me.",
    )
    assert (audit["accepted"], audit["rejection_code"]) == (False, "not_authorised")
    [outcome] = await outbox(pool, case_id, DECISION_OUTCOMES.name)
    assert outcome["event"]["type"] == "nl.ind.decision.command_rejected.v1"
    assert outcome["event"]["data"]["code"] == "not_authorised"
    assert_readable_sentence(outcome["event"]["data"]["reason"])
    assert "may not decide" in outcome["event"]["data"]["reason"]
    assert (await case_row(pool, case_id))["status"] == "awaiting_decision"
    assert await events_of(pool, case_id, "nl.ind.case.decided.v1") == []


def assert_readable_sentence(text: str) -> None:
    words = text.split()
    assert len(words) >= 5, text
    assert text == text.strip() and "{" not in text and "None" not in text, text


# --- only signed commands from registered tools are carried out ---------------------------------

ROGUE_TOOL, ROGUE_KEY = "caseworker-tool-rogue", b"a-key-the-ind-never-registered-0123456789"
FORGERIES = {
    "unsigned": lambda real: real.model_copy(update={"toolid": None, "signature": None}),
    "signed by an unknown tool": lambda real: signed(real, ROGUE_TOOL, ROGUE_KEY),
    "signed for other data": lambda real: real.model_copy(
        update={"data": real.data.model_copy(update={"caseworker_id": "cw-002", "action": DecisionAction.REFUSE})}
    ),
}


@pytest.mark.parametrize("forge", FORGERIES.values(), ids=FORGERIES.keys())
async def test_a_forged_command_is_refused_as_unauthenticated_audited_once_and_does_not_block_the_real_one(pool, forge):
    received = date(2040, 4, 13)
    case = await awaiting_decision(pool, received)
    case_id = case.data.case_id
    policy = policy_on(received + timedelta(days=20))
    real = command_for(case, "cw-001", DecisionAction.GRANT, "All conditions for the permit are met.")
    forged = forge(real)
    assert forged.id == real.id  # the forger reuses the id of a command the tool really sent
    forged_record = record_of(forged)

    await send(pool, forged, policy, forged_record)
    await send(pool, forged, policy, forged_record)  # redelivered

    [audit] = await audit_rows(pool, case_id)
    columns = ("command_id", "caseworker_id", "action", "case_id", "accepted", "rejection_code")
    assert {k: audit[k] for k in columns} == {
        "command_id": real.id,
        "caseworker_id": forged.data.caseworker_id,
        "action": forged.data.action.value,
        "case_id": case_id,
        "accepted": False,
        "rejection_code": "unauthenticated",
    }
    [outcome] = await outbox(pool, case_id, DECISION_OUTCOMES.name)
    rejected = outcome["event"]["data"]
    assert (outcome["event"]["type"], rejected["command_id"], rejected["code"]) == (
        "nl.ind.decision.command_rejected.v1",
        real.id,
        "unauthenticated",
    )
    assert rejected["reason"] == audit["rejection_reason"]
    assert_readable_sentence(rejected["reason"])
    assert (await case_row(pool, case_id))["status"] == "awaiting_decision"

    await send(pool, real, policy)

    outcomes = [o["event"] for o in await outbox(pool, case_id, DECISION_OUTCOMES.name)]
    assert [(o["type"], o["data"]["command_id"]) for o in outcomes] == [
        ("nl.ind.decision.command_rejected.v1", real.id),
        ("nl.ind.decision.command_accepted.v1", real.id),
    ]
    assert [(a["accepted"], a["rejection_code"]) for a in await audit_rows(pool, case_id)] == [
        (False, "unauthenticated"),
        (True, None),
    ]
    assert (await case_row(pool, case_id))["status"] == "document_in_production"


async def test_each_kind_of_forgery_is_refused_with_its_own_reason(pool):
    case = await awaiting_decision(pool, date(2040, 4, 14))
    policy = policy_on(date(2040, 5, 4))
    real = command_for(case, "cw-001", DecisionAction.GRANT, "All conditions for the permit are met.")

    for forge in FORGERIES.values():
        await send(pool, forge(real), policy)

    reasons = [a["rejection_reason"] for a in await audit_rows(pool, case.data.case_id)]
    assert len(set(reasons)) == 3
    assert "not signed" in reasons[0]
    assert ROGUE_TOOL in reasons[1] and "not a registered caseworker tool" in reasons[1]
    assert "does not match" in reasons[2]


# --- information requested and supplied ----------------------------------------------------------


async def test_supplied_information_resumes_the_clock_and_extends_the_deadline_by_the_days_suspended(pool):
    received = date(2040, 3, 1)
    case = await awaiting_decision(pool, received)
    case_id = case.data.case_id
    old_deadline = (await case_row(pool, case_id))["deadline"]
    assert old_deadline == date(2040, 5, 30)
    asked_on = date(2040, 3, 20)
    await decide(
        pool, case, "cw-003", DecisionAction.REQUEST_INFORMATION, policy_on(asked_on), "Please send your employment contract."
    )
    row = await case_row(pool, case_id)
    assert (row["status"], row["suspended_on"]) == ("awaiting_information", asked_on)
    [requested] = await events_of(pool, case_id, "nl.ind.information.requested.v1")
    assert requested["data"]["suspended_on"] == asked_on.isoformat()

    await supply_information(pool, case, asked_on + timedelta(days=5))

    row = await case_row(pool, case_id)
    new_deadline = statutory_deadline(HSM, received, 5)
    assert new_deadline == old_deadline + timedelta(days=5)
    assert (row["status"], row["suspended_days"], row["suspended_on"], row["deadline"]) == (
        "awaiting_decision",
        5,
        None,
        new_deadline,
    )
    [resumed] = await events_of(pool, case_id, "nl.ind.case.resumed.v1")
    assert resumed["data"] == {
        "case_id": str(case_id),
        "case_number": case.data.case_number,
        "suspended_days": 5,
        "deadline": new_deadline.isoformat(),
    }
    last = (await history(pool, case_id))[-1]
    assert (last["status"], last["set_by"]) == ("awaiting_decision", "applicant")
    assert "04-06-2040" in last["explanation"]


async def test_a_second_suspension_adds_to_the_first_and_its_event_counts_only_its_own_days(pool):
    received = date(2040, 3, 2)
    case = await awaiting_decision(pool, received)
    case_id = case.data.case_id
    await decide(
        pool, case, "cw-003", DecisionAction.REQUEST_INFORMATION, policy_on(date(2040, 3, 20)), "Please send your contract."
    )
    await supply_information(pool, case, date(2040, 3, 25))
    await decide(
        pool, case, "cw-004", DecisionAction.REQUEST_INFORMATION, policy_on(date(2040, 4, 1)), "Please send your payslips."
    )
    await supply_information(pool, case, date(2040, 4, 4))

    row = await case_row(pool, case_id)
    assert (row["status"], row["suspended_days"], row["deadline"]) == (
        "awaiting_decision",
        8,
        statutory_deadline(HSM, received, 8),
    )
    resumed = await events_of(pool, case_id, "nl.ind.case.resumed.v1")
    assert [e["data"]["suspended_days"] for e in resumed] == [5, 3]


async def test_information_supplied_when_none_was_requested_changes_nothing(pool):
    case = await awaiting_decision(pool, date(2040, 3, 5))
    before = (
        await case_row(pool, case.data.case_id),
        await history(pool, case.data.case_id),
        await outbox(pool, case.data.case_id),
    )

    await supply_information(pool, case, date(2040, 3, 20))

    after = (
        await case_row(pool, case.data.case_id),
        await history(pool, case.data.case_id),
        await outbox(pool, case.data.case_id),
    )
    assert after == before


async def test_a_batch_of_supplied_information_resumes_each_case_as_the_same_events_one_by_one_do(pool):
    received = date(2040, 6, 1)
    asked_on, supplied_on = date(2040, 6, 20), date(2040, 6, 26)

    async def cases():
        """Two cases waiting for information, the second one warned of its deadline, and one not waiting."""
        waiting = [await awaiting_decision(pool, received) for _ in range(2)]
        for case in waiting:
            await decide(
                pool, case, "cw-003", DecisionAction.REQUEST_INFORMATION, policy_on(asked_on), "Please send your contract."
            )
        await pool.execute("update decision.cases set warned_on = $2 where case_id = $1", waiting[1].data.case_id, asked_on)
        return [*waiting, await awaiting_decision(pool, received)]

    def script(first, second, not_waiting):
        """Events for three cases, interleaved: one delivered twice, a second one for a resumed case."""
        again = information_for(first)
        return [again, information_for(not_waiting), information_for(second), again, information_for(first)]

    def data_of(event: dict) -> dict:
        return {k: v for k, v in event["data"].items() if k not in ("case_id", "case_number", "command_id")}

    async def ended(case):
        row = await case_row(pool, case.data.case_id)
        return (
            (row["status"], row["suspended_days"], row["suspended_on"], row["deadline"], row["warned_on"]),
            [(o["event"]["type"], data_of(o["event"])) for o in await outbox(pool, case.data.case_id)],
            [(h["status"], h["set_by"], h["explanation"]) for h in await history(pool, case.data.case_id)],
        )

    one_by_one = await cases()
    for event in script(*one_by_one):
        async with DecisionUnitOfWork(pool, PUBLISHER) as uow:
            await flow.information_supplied([event], uow, policy_on(supplied_on))
    batched = await cases()
    events = script(*batched)
    for _delivery in range(2):  # the whole batch redelivered
        async with DecisionUnitOfWork(pool, PUBLISHER) as uow:
            await flow.information_supplied(events, uow, policy_on(supplied_on))

    after = [await ended(case) for case in batched]
    assert after == [await ended(case) for case in one_by_one]
    assert [state for state, _events, _notes in after] == [
        ("awaiting_decision", 6, None, statutory_deadline(HSM, received, 6), None),
        ("awaiting_decision", 6, None, statutory_deadline(HSM, received, 6), None),
        ("awaiting_decision", 0, None, statutory_deadline(HSM, received), None),
    ]
    assert [[t for t, _data in events].count("nl.ind.case.resumed.v1") for _state, events, _notes in after] == [1, 1, 0]


async def supplied_on_file(pool, case_id: UUID) -> list[tuple]:
    rows = await pool.fetch(
        """select event_id, case_id, source, supplied_at, documents from decision.supplied_information
           where case_id = $1 order by supplied_at, event_id""",
        case_id,
    )
    return [tuple(row.values()) for row in rows]


def on_file(event: InformationSupplied) -> tuple:
    return (event.id, event.data.case_id, event.source, event.time, list(event.data.documents))


async def test_supplied_information_is_kept_on_file_once_per_event_whether_or_not_it_was_requested(pool):
    received = date(2040, 7, 2)
    asked = await awaiting_decision(pool, received)
    await decide(
        pool, asked, "cw-003", DecisionAction.REQUEST_INFORMATION, policy_on(date(2040, 7, 16)), "Please send your contract."
    )
    unasked = await awaiting_decision(pool, received)
    answer = information_for(asked).model_copy(update={"time": datetime(2040, 7, 20, 8, 15, tzinfo=timezone.utc)})
    answer = answer.model_copy(
        update={"data": answer.data.model_copy(update={"documents": ["employment contract", "payslip June"]})}
    )
    unasked_for = information_for(unasked).model_copy(update={"time": datetime(2040, 7, 21, 17, 0, tzinfo=timezone.utc)})
    later = information_for(asked).model_copy(update={"time": datetime(2040, 7, 22, 9, 30, tzinfo=timezone.utc)})

    for _delivery in range(2):  # the batch redelivered
        async with DecisionUnitOfWork(pool, PUBLISHER) as uow:
            await flow.information_supplied([answer, unasked_for, answer], uow, policy_on(date(2040, 7, 22)))
    for event in (answer, later):  # one by one, the first a redelivery
        async with DecisionUnitOfWork(pool, PUBLISHER) as uow:
            await flow.information_supplied([event], uow, policy_on(date(2040, 7, 22)))

    assert await supplied_on_file(pool, asked.data.case_id) == [on_file(answer), on_file(later)]
    assert await supplied_on_file(pool, unasked.data.case_id) == [on_file(unasked_for)]
    assert (await case_row(pool, asked.data.case_id))["status"] == "awaiting_decision"  # resumed by the first


@pytest.mark.parametrize(
    "name", ["contract\x00.pdf", "contract \ud800.pdf", "\udfff"], ids=["nul", "high-surrogate", "low-surrogate"]
)
async def test_documents_no_column_can_hold_are_unprocessable_and_change_nothing(pool, name):
    case = await awaiting_decision(pool, date(2040, 7, 3))
    await decide(
        pool, case, "cw-003", DecisionAction.REQUEST_INFORMATION, policy_on(date(2040, 7, 10)), "Please send your contract."
    )
    before = await case_row(pool, case.data.case_id)
    fine = information_for(case)
    bad = fine.model_copy(
        update={"id": f"portal-info-{uuid4()}", "data": fine.data.model_copy(update={"documents": ["passport", name]})}
    )

    with pytest.raises(Unprocessable, match=f"case {case.data.case_number} hold a NUL or an unpaired surrogate"):
        async with DecisionUnitOfWork(pool, PUBLISHER) as uow:
            await flow.information_supplied([fine, bad], uow, policy_on(date(2040, 7, 12)))

    assert await case_row(pool, case.data.case_id) == before
    assert await supplied_on_file(pool, case.data.case_id) == []


async def test_a_batch_naming_a_case_by_another_number_is_unprocessable_and_changes_nothing(pool):
    case = await awaiting_decision(pool, date(2040, 6, 3))
    await decide(
        pool, case, "cw-003", DecisionAction.REQUEST_INFORMATION, policy_on(date(2040, 6, 10)), "Please send your contract."
    )
    before = await case_row(pool, case.data.case_id)

    batch = [information_for(case), information_for(case, "IND-2040-9999999")]
    with pytest.raises(Unprocessable, match="no case IND-2040-9999999"):
        async with DecisionUnitOfWork(pool, PUBLISHER) as uow:
            await flow.information_supplied(batch, uow, policy_on(date(2040, 6, 12)))

    assert await case_row(pool, case.data.case_id) == before


# --- a batch of commands -------------------------------------------------------------------------


async def _in_one_batch(pool, records: list[ConsumedRecord], policy: DecisionPolicy) -> None:
    """As the worker takes a batch: every command that passed screening in one unit of work."""
    screened = [(record, DecisionRequested.model_validate_json(record.value)) for record in records]
    async with DecisionUnitOfWork(pool, PUBLISHER) as uow:
        await commands.screened_commands(screened, uow, policy)


async def _what_happened(pool, case: CaseRegistered) -> tuple:
    """A case's end as the outside sees it, without ids and times that differ from case to case."""
    row = await case_row(pool, case.data.case_id)
    events = [(o["event"]["type"], o["event"]["data"].get("code")) for o in await outbox(pool, case.data.case_id)]
    audits = [
        (a["caseworker_id"], a["action"], a["accepted"], a["rejection_code"]) for a in await audit_rows(pool, case.data.case_id)
    ]
    notes = [(h["status"], h["set_by"]) for h in await history(pool, case.data.case_id)]
    return row["status"], row["outcome"], row["document_due_at"], events, audits, notes


async def test_a_batch_of_commands_ends_each_case_as_the_same_commands_one_by_one_do(pool):
    received = date(2040, 5, 4)
    policy = policy_on(received + timedelta(days=20))

    def script(grant, four_eyes, own_refusal, information):
        """Commands for four cases, interleaved, with a redelivery and a forgery among them."""
        granted = command_for(grant, "cw-001", DecisionAction.GRANT, "All conditions for the permit are met.")
        commands = [
            granted,
            command_for(four_eyes, "cw-001", DecisionAction.REFUSE, "The salary is below the threshold."),
            FORGERIES["unsigned"](command_for(own_refusal, "cw-002", DecisionAction.GRANT, "Forged.")),
            command_for(own_refusal, "cw-003", DecisionAction.REFUSE, "The sponsor is not recognised."),
            granted,  # the same command again in the same batch
            command_for(four_eyes, "cw-002", DecisionAction.REFUSE, "Confirmed: the salary is below the threshold."),
            command_for(own_refusal, "cw-003", DecisionAction.REFUSE, "Confirming my own proposal."),
            command_for(information, "cw-004", DecisionAction.REQUEST_INFORMATION, "Please send your employment contract."),
            command_for(information, "desk-001", DecisionAction.GRANT, "A desk officer may not decide."),
        ]
        return [record_of(command) for command in commands]

    one_by_one = [await awaiting_decision(pool, received) for _ in range(4)]
    for record in script(*one_by_one):
        await send(pool, DecisionRequested.model_validate_json(record.value), policy, record)
    batched = [await awaiting_decision(pool, received) for _ in range(4)]
    records = script(*batched)

    await _in_one_batch(pool, records, policy)
    await _in_one_batch(pool, records, policy)  # the whole batch redelivered

    ended = [await _what_happened(pool, case) for case in batched]
    assert ended == [await _what_happened(pool, case) for case in one_by_one]
    assert [(status, outcome) for status, outcome, *_ in ended] == [
        ("document_in_production", "granted"),
        ("closed", "refused"),
        ("refusal_proposed", None),
        ("awaiting_information", None),
    ]
