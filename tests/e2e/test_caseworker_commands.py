"""Caseworker commands over the real broker: each is carried out or refused with a reason the tool
reads on ind.decision.outcomes.v1, and every one of them is in the audit trail."""

import json

from harness.applications import encode, submission
from schemas.codes import ApplicationType
from schemas.decisions import DecisionAction, DecisionRequestData, DecisionRequested
from schemas.topics import DECISION_COMMANDS, DECISION_OUTCOMES, SUBMISSIONS
from tests.conftest import eventually


async def test_four_eyes_roles_and_state_are_enforced_and_audited(pipeline, producer, pool, read_topic):
    document = submission(ApplicationType.MVV)  # no desk visit: straight to the caseworker queue
    await producer.send_and_wait(SUBMISSIONS.name, encode(document), key=document["id"].encode())

    async def queued():
        return await pool.fetchrow(
            """select d.case_id, d.case_number from decision.cases d join intake.cases i using (case_id)
               where i.submission_id = $1 and d.status = 'awaiting_decision'""",
            document["id"],
        )

    case = await eventually(queued, message="the case in the caseworker queue")
    plan = [
        ("desk-001", DecisionAction.GRANT, "nl.ind.decision.command_rejected.v1", "not_authorised"),
        ("cw-999", DecisionAction.GRANT, "nl.ind.decision.command_rejected.v1", "unknown_caseworker"),
        ("cw-002", DecisionAction.REFUSE, "nl.ind.decision.command_accepted.v1", "refusal_proposed"),
        ("cw-002", DecisionAction.REFUSE, "nl.ind.decision.command_rejected.v1", "same_caseworker"),
        ("cw-001", DecisionAction.GRANT, "nl.ind.decision.command_rejected.v1", "case_not_ready"),
        ("sr-001", DecisionAction.REFUSE, "nl.ind.decision.command_accepted.v1", "closed"),
        ("cw-001", DecisionAction.GRANT, "nl.ind.decision.command_rejected.v1", "already_decided"),
    ]
    commands = []
    for caseworker, action, _, _ in plan:
        data = DecisionRequestData(
            case_id=case["case_id"], case_number=case["case_number"], caseworker_id=caseworker, action=action, reason=f"{action} by {caseworker}"
        )
        command = DecisionRequested.create(data, source="urn:caseworker-tool:test")
        commands.append(command)
        await producer.send_and_wait(DECISION_COMMANDS.name, command.to_json(), key=str(case["case_id"]).encode())
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
    for command, (_, _, outcome_type, detail) in zip(commands, plan):
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
