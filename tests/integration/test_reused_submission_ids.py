"""A submission id sent again, through intake's own wiring (app.py) against real PostgreSQL: with other
content it is rejected once per record, with the same content it is a silent duplicate; in a batch
(the batch handler) and one record at a time (the record handler) alike."""

import copy
import itertools
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from harness.applications import encode, submission
from ind_runtime.processing import RecordProcessor, RetryPolicy
from ind_runtime.records import ConsumedRecord
from ind_runtime.unit_of_work import SharedTransaction
from ind_runtime.wiring import handlers_for
from schemas.topics import REJECTIONS, SUBMISSIONS
from services.intake import app as intake_app
from services.intake.settings import IntakeSettings
from services.intake.unit_of_work import IntakeUnitOfWork
from tests.conftest import service_pool

PUBLISHER = "intake-under-test"
MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "intake" / "migrations"
REJECTED = "nl.ind.submission.rejected.v1"


@pytest.fixture
async def intake_pool():
    async with service_pool("intake_reuse", "intake", MIGRATIONS) as pool:
        yield pool


@pytest.fixture(params=["batch", "one by one"])
def deliver(request, intake_pool):
    """Hand records to intake as its worker does: as one batch, or each record on its own."""
    (submissions,) = intake_app.wiring(IntakeSettings(), None).consumes
    handle, handle_batch = handlers_for(submissions, lambda: IntakeUnitOfWork(intake_pool, PUBLISHER))
    one_by_one: list[ConsumedRecord] = []

    async def handle_one(record: ConsumedRecord) -> None:
        one_by_one.append(record)
        await handle(record)

    def no_producer():
        raise AssertionError("nothing here is dead-lettered")

    transaction = lambda **options: SharedTransaction(intake_pool, PUBLISHER, **options)  # noqa: E731
    batch_handler = handle_batch if request.param == "batch" else None
    processor = RecordProcessor(
        "intake", handle_one, no_producer, RetryPolicy(), shared_transaction=transaction, handle_batch=batch_handler
    )

    async def deliver(records: list[ConsumedRecord]) -> None:
        if batch_handler is None:
            for record in records:
                await processor.process_batch([record])
        else:
            await processor.process_batch(records)
            assert one_by_one == [], "the batch handler left valid submissions to the record handler"

    return deliver


_offsets = itertools.count()


def record(document: dict) -> ConsumedRecord:
    """``document`` as read from the next offset of the submissions topic."""
    return ConsumedRecord(SUBMISSIONS.name, 0, next(_offsets), document["id"].encode(), encode(document))


def other_content(document: dict) -> dict:
    changed = copy.deepcopy(document)
    changed["data"]["applicant"]["surname"] += "-Other"
    return changed


async def cases(pool) -> dict[str, str]:
    """Each case's submission id, with the surname its case holds."""
    rows = await pool.fetch("select submission_id, applicant->>'surname' as surname from intake.cases")
    return {row["submission_id"]: row["surname"] for row in rows}


async def rejections(pool) -> list[dict]:
    """The rejections intake published, oldest first, with their key."""
    rows = await pool.fetch(
        "select convert_from(key, 'UTF8') as key, value from runtime.outbox where topic = $1 order by id", REJECTIONS.name
    )
    return [{"key": row["key"], **json.loads(row["value"])} for row in rows]


def origin(record: ConsumedRecord) -> dict:
    return {"topic": record.topic, "partition": record.partition, "offset": record.offset}


async def test_an_id_reused_for_other_content_is_rejected_once_per_record_and_the_first_case_kept(intake_pool, deliver):
    rng = random.Random(21)
    a, b, c = (submission(rng=rng) for _ in range(3))
    first = [record(a), record(b)]
    await deliver(first)
    later = [record(other_content(a)), record(a), record(b), record(c), record(other_content(c)), record(c)]

    await deliver(later)
    await deliver(later)  # the same records again: a replay of the topic

    assert await cases(intake_pool) == {s["id"]: s["data"]["applicant"]["surname"] for s in (a, b, c)}
    found = await rejections(intake_pool)
    assert [(r["key"], r["data"]["submission_id"], r["data"]["origin"]) for r in found] == [
        (a["id"], a["id"], origin(later[0])),
        (c["id"], c["id"], origin(later[4])),
    ]
    for rejection in found:
        assert rejection["type"] == REJECTED
        (problem,) = rejection["data"]["errors"]
        assert problem["field"] == "id"
        assert "already used for another submission" in problem["message"]
    registered = await intake_pool.fetch("select key from runtime.outbox where topic <> $1", REJECTIONS.name)
    assert len(registered) == 3


async def test_the_same_other_content_sent_again_as_a_new_record_is_rejected_again(intake_pool, deliver):
    a = submission(rng=random.Random(22))
    await deliver([record(a)])
    reused = other_content(a)
    offending = [record(reused), record(reused)]

    await deliver(offending)

    assert [r["data"]["origin"] for r in await rejections(intake_pool)] == [origin(offending[0]), origin(offending[1])]


async def test_the_same_submission_sent_again_with_a_new_time_and_subject_is_a_silent_duplicate(intake_pool, deliver):
    a = submission(rng=random.Random(23))
    await deliver([record(a)])
    retried = copy.deepcopy(a)
    retried["time"] = (datetime.now(UTC) - timedelta(days=3)).isoformat()
    retried["subject"] = "a producer's retry"
    retried["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"  # an extension attribute
    retried["data"] = dict(reversed(list(retried["data"].items())))  # key order is no content

    await deliver([record(retried), record(a)])

    assert await rejections(intake_pool) == []
    assert list(await cases(intake_pool)) == [a["id"]]


async def test_an_id_sent_again_from_another_source_is_rejected(intake_pool, deliver):
    a = submission(rng=random.Random(24))
    await deliver([record(a)])
    elsewhere = record({**a, "source": "urn:intake:another-portal"})

    await deliver([elsewhere])

    assert [r["data"]["origin"] for r in await rejections(intake_pool)] == [origin(elsewhere)]


async def test_an_id_of_a_case_registered_before_fingerprints_were_kept_stays_a_silent_duplicate(intake_pool, deliver):
    a = submission(rng=random.Random(25))
    await deliver([record(a)])
    await intake_pool.execute("update intake.cases set submission_fingerprint = null")

    await deliver([record(other_content(a))])

    assert await rejections(intake_pool) == []
    assert await cases(intake_pool) == {a["id"]: a["data"]["applicant"]["surname"]}
