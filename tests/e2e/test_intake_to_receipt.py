"""Submissions on the real broker become cases and receipt emails; bad input becomes rejections."""

import json

import pytest

from harness.applications import bad_submissions, encode, submission
from schemas.codes import Language
from schemas.topics import REJECTIONS, SUBMISSIONS
from tests.conftest import committed_past, eventually


async def _case(pool, submission_id: str):
    return await pool.fetchrow("select * from intake.cases where submission_id = $1", submission_id)


async def _send(producer, document_or_bytes, key: bytes):
    value = document_or_bytes if isinstance(document_or_bytes, bytes) else encode(document_or_bytes)
    return await producer.send_and_wait(SUBMISSIONS.name, value, key=key)


async def test_one_valid_submission_gives_one_case_and_one_receipt(pipeline, producer, pool, smtp_server):
    document = submission(language=Language.DUTCH)
    await _send(producer, document, document["id"].encode())
    case = await eventually(lambda: _case(pool, document["id"]), message="the case")
    assert case["case_number"].startswith("IND-")
    recipient = document["data"]["applicant"]["email"]

    async def receipt():
        return _receipts(smtp_server, recipient)

    (email,) = await eventually(receipt, message="the receipt email")
    assert case["case_number"] in email["Subject"]
    assert email["Subject"].startswith("Wij hebben uw aanvraag ontvangen")
    body = email.get_content()
    assert document["data"]["applicant"]["passport_number"] not in body
    assert document["data"]["applicant"]["date_of_birth"] not in body


async def test_the_same_submission_sent_three_times_gives_one_case_and_one_email(pipeline, producer, pool, smtp_server, topics):
    document = submission()
    sent = [await _send(producer, document, document["id"].encode()) for _ in range(3)]
    last = sent[-1]
    await eventually(
        lambda: committed_past(topics, "ind-intake", SUBMISSIONS.name, last.partition, last.offset),
        message="intake to move past the third copy",
    )
    assert await pool.fetchval("select count(*) from intake.cases where submission_id = $1", document["id"]) == 1
    recipient = document["data"]["applicant"]["email"]

    async def receipts():
        return _receipts(smtp_server, recipient)

    await eventually(receipts, message="the receipt")
    case_id = (await _case(pool, document["id"]))["case_id"]
    await eventually(lambda: _notify_done(pool, case_id), message="notify to handle the case event")
    assert len(_receipts(smtp_server, recipient)) == 1


def _receipts(smtp_server, recipient: str):
    return [m for m in smtp_server.to(recipient) if m["X-IND-Email-Kind"] == "application_received"]


async def _notify_done(pool, case_id):
    return await pool.fetchval(
        "select status = 'sent' from notify.emails where case_id = $1 and kind = 'application_received'", case_id
    )


@pytest.mark.parametrize("kind", sorted(bad_submissions()))
async def test_bad_input_gets_one_specific_rejection_and_the_next_submission_still_flows(
    kind, pipeline, producer, pool, read_topic
):
    value, field = bad_submissions()[kind]
    key = f"bad-{kind}".encode()
    bad = await _send(producer, value, key)
    good = submission()
    await _send(producer, good, key)  # same key, same partition: queued right behind the bad record

    await eventually(lambda: _case(pool, good["id"]), message="the valid submission sent after the bad one")
    reader = await read_topic(REJECTIONS.name)

    async def rejections():
        return [
            r
            for r in await reader.poll()
            if json.loads(r.value)["data"]["origin"]
            == {"topic": SUBMISSIONS.name, "partition": bad.partition, "offset": bad.offset}
        ]

    (rejection,) = await eventually(rejections, message=f"the rejection of {kind}")
    data = json.loads(rejection.value)["data"]
    assert field in [error["field"] for error in data["errors"]]
    assert all(error["message"] for error in data["errors"])
