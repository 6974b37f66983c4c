"""Caseworker commands over the real broker: each is carried out or refused with a reason the tool
reads on ind.decision.outcomes.v1, and every one of them is in the audit trail. Commands are signed
by the simulated caseworker tool, whose development key the decision worker reads by default."""

import json

from harness.applications import encode, submission
from harness.caseworker_tool import signed_by_simulated_tool
from schemas.codes import ApplicationType
from schemas.decisions import DecisionAction, DecisionRequestData, DecisionRequested
from schemas.signing import signed
from schemas.topics import DECISION_COMMANDS, DECISION_OUTCOMES, SUBMISSIONS
from tests.conftest import eventually


async def case_in_the_queue(producer, pool):
    """A new MVV application's case (no desk visit: straight to the caseworker queue)."""
    document = submission(ApplicationType.MVV)
    await producer.send_and_wait(SUBMISSIONS.name, encode(document), key=document["id"].encode())

    async def queued():
        return await pool.fetchrow(
            """select d.case_id, d.case_number from decision.cases d join intake.cases i using (case_id)
               where i.submission_id = $1 and d.status = 'awaiting_decision'""",
            document["id"],
        )

    return await eventually(queued, message="the case in the caseworker queue")


def command_for(case, caseworker: str, action: DecisionAction, reason: str) -> DecisionRequested:
    data = DecisionRequestData(
        case_id=case["case_id"], case_number=case["case_number"], caseworker_id=caseworker, action=action, reason=reason
    )
    return DecisionRequested.create(data, source="urn:caseworker-tool:test")


async def test_four_eyes_roles_and_state_are_enforced_and_audited(pipeline, producer, pool, read_topic):
    case = await case_in_the_queue(producer, pool)
    plan = [
        ("desk-001", DecisionAction.GRANT, "nl.ind.decision.command_rejected.v1", "not_authorised"),
        ("cw-999", DecisionAction.GRANT, "nl.ind.decision.command_rejected.v1", "unknown_caseworker"),
        ("cw-002", DecisionAction.REFUSE, "nl.ind.decision.command_accepted.v1", "refusal_proposed"),
        ("cw-002", DecisionAction.REFUSE, "nl.ind.decision.command_rejected.v1", "same_caseworker"),
        # a proposed refusal is confirmed or overturned, nothing else
        ("cw-001", DecisionAction.REQUEST_INFORMATION, "nl.ind.decision.command_rejected.v1", "case_not_ready"),
        ("sr-001", DecisionAction.REFUSE, "nl.ind.decision.command_accepted.v1", "closed"),
        ("cw-001", DecisionAction.GRANT, "nl.ind.decision.command_rejected.v1", "already_decided"),
    ]
    commands = []
    for caseworker, action, _, _ in plan:
        signed_command = signed_by_simulated_tool(command_for(case, caseworker, action, f"{action} by {caseworker}"))
        commands.append(signed_command)
        await producer.send_and_wait(DECISION_COMMANDS.name, signed_command.to_json(), key=str(case["case_id"]).encode())
    unreadable = await producer.send_and_wait(DECISION_COMMANDS.name, b'{"type": "nl.ind.decision.requested.v1"', key=b"junk")

    reader = await read_topic(DECISION_OUTCOMES.name)
    ids = {c.id for c in commands}

    async def outcomes():
        found = {}
        for record in await reader.poll():
            event = json.loads(record.value)
            if event["data"].get("command_id") in ids:
                found[event["data"]["command_id"]] = event
            elif record.key == f"{DECISION_COMMANDS.name}-{unreadable.partition}-{unreadable.offset}".encode():
                found["unreadable"] = event
        return found if len(found) == len(ids) + 1 else None

    found = await eventually(outcomes, message="an outcome for every command")
    for command, (_, _, outcome_type, detail) in zip(commands, plan, strict=True):
        event = found[command.id]
        assert event["type"] == outcome_type
        assert detail in (event["data"].get("code"), event["data"].get("status"))
        if outcome_type.endswith("rejected.v1"):
            assert len(event["data"]["reason"].split()) >= 4, "a reason a caseworker can read"
    assert found["unreadable"]["data"]["reason"].startswith("record: the record is not valid JSON")

    audit = await pool.fetch("select * from decision.audit_trail where case_id = $1 order by id", case["case_id"])
    assert [(a["caseworker_id"], a["accepted"], a["rejection_code"]) for a in audit] == [
        (caseworker, outcome_type.endswith("accepted.v1"), None if outcome_type.endswith("accepted.v1") else detail)
        for caseworker, _, outcome_type, detail in plan
    ]
    assert all(a["reason"] and a["at"] and a["action"] for a in audit)
    final = await pool.fetchrow("select status, outcome from decision.cases where case_id = $1", case["case_id"])
    assert (final["status"], final["outcome"]) == ("closed", "refused")


async def test_unsigned_foreign_and_tampered_commands_are_refused_as_unauthenticated_and_audited(
    pipeline, producer, pool, read_topic
):
    case = await case_in_the_queue(producer, pool)
    real = signed_by_simulated_tool(command_for(case, "cw-001", DecisionAction.GRANT, "All conditions for the MVV are met."))
    forgeries = [
        command_for(case, "cw-001", DecisionAction.GRANT, "Unsigned, so nobody can tell who sent it."),
        signed(
            command_for(case, "cw-001", DecisionAction.GRANT, "Signed by a tool the IND never registered."),
            "caseworker-tool-rogue",
            b"rogue" * 8,
        ),
        real.model_copy(
            update={"data": real.data.model_copy(update={"caseworker_id": "cw-002", "action": DecisionAction.REFUSE})}
        ),
    ]
    for sent in (*forgeries, real):  # the tampered copy reuses the real command's id and arrives first
        await producer.send_and_wait(DECISION_COMMANDS.name, sent.to_json(), key=str(case["case_id"]).encode())

    reader = await read_topic(DECISION_OUTCOMES.name)

    async def outcomes():
        events = [json.loads(r.value) for r in await reader.poll()]
        ours = [e for e in events if e["data"].get("case_id") == str(case["case_id"])]
        return ours if len(ours) == 4 else None

    found = await eventually(outcomes, message="an outcome for every command")
    rejected, accepted = "nl.ind.decision.command_rejected.v1", "nl.ind.decision.command_accepted.v1"
    assert [(e["type"], e["data"]["command_id"], e["data"].get("code")) for e in found] == [
        (rejected, forgeries[0].id, "unauthenticated"),
        (rejected, forgeries[1].id, "unauthenticated"),
        (rejected, real.id, "unauthenticated"),
        (accepted, real.id, None),
    ]
    assert all(len(e["data"]["reason"].split()) >= 4 for e in found[:3]), "a reason a caseworker can read"

    audit = await pool.fetch("select * from decision.audit_trail where case_id = $1 order by id", case["case_id"])
    assert [(a["command_id"], a["caseworker_id"], a["accepted"], a["rejection_code"]) for a in audit] == [
        (forgeries[0].id, "cw-001", False, "unauthenticated"),
        (forgeries[1].id, "cw-001", False, "unauthenticated"),
        (real.id, "cw-002", False, "unauthenticated"),
        (real.id, "cw-001", True, None),
    ]
    final = await pool.fetchrow("select status, outcome from decision.cases where case_id = $1", case["case_id"])
    assert (final["status"], final["outcome"]) == ("closed", "granted")
