"""Intake makes cases of a batch of submissions with a few statements, against real PostgreSQL:
one case per submission id however often it arrives, numbers in arrival order, passport kept out
of the event."""

import itertools
import json
import random
from pathlib import Path

import pytest

from harness.applications import submission
from ind_runtime.records import ConsumedRecord
from schemas.submissions import ApplicationSubmitted
from schemas.topics import SUBMISSIONS
from services.intake.handlers import case_id_for, register_cases
from services.intake.unit_of_work import IntakeUnitOfWork
from tests.conftest import service_pool

PUBLISHER = "intake-under-test"
MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "intake" / "migrations"
_offsets = itertools.count()


@pytest.fixture
async def intake_pool():
    async with service_pool("intake", "intake", MIGRATIONS) as pool:
        yield pool


def _submissions(count: int, seed: int) -> list[ApplicationSubmitted]:
    rng = random.Random(seed)
    return [ApplicationSubmitted.model_validate(submission(rng=rng)) for _ in range(count)]


async def _register(pool, submissions):
    """Each submission as read from the next offset of the submissions topic."""
    submitted = [
        (ConsumedRecord(SUBMISSIONS.name, 0, next(_offsets), s.id.encode(), s.model_dump_json().encode()), s) for s in submissions
    ]
    async with IntakeUnitOfWork(pool, PUBLISHER) as uow:
        return await register_cases(submitted, uow)


async def test_a_batch_of_submissions_becomes_one_case_each_numbered_in_arrival_order(intake_pool):
    submissions = _submissions(5, seed=1)
    registered = await _register(intake_pool, submissions)

    assert [e.data.submission_id for e in registered] == [s.id for s in submissions]
    numbers = [e.data.case_number for e in registered]
    assert numbers == sorted(numbers) and len(set(numbers)) == 5
    rows = await intake_pool.fetch("select submission_id, case_id, case_number from intake.cases")
    assert {(r["submission_id"], r["case_id"], r["case_number"]) for r in rows} == {
        (e.data.submission_id, e.data.case_id, e.data.case_number) for e in registered
    }
    assert all(e.data.case_id == case_id_for(e.data.submission_id) for e in registered)
    outbox = await intake_pool.fetch("select key, value from runtime.outbox where publisher = $1 order by id", PUBLISHER)
    assert [json.loads(r["value"])["data"]["submission_id"] for r in outbox] == [s.id for s in submissions]
    assert all(b"passport_number" not in r["value"] for r in outbox)


async def test_a_submission_seen_before_or_twice_in_one_batch_gets_one_case(intake_pool):
    a, b, c = _submissions(3, seed=2)
    first = await _register(intake_pool, [a, b, a])
    second = await _register(intake_pool, [b, c])

    assert [e.data.submission_id for e in first] == [a.id, b.id]
    assert [e.data.submission_id for e in second] == [c.id]
    assert await intake_pool.fetchval("select count(*) from intake.cases") == 3
    assert await intake_pool.fetchval("select count(*) from runtime.outbox where publisher = $1", PUBLISHER) == 3


async def test_a_batch_of_nothing_but_duplicates_writes_nothing(intake_pool):
    submissions = _submissions(2, seed=3)
    await _register(intake_pool, submissions)
    assert await _register(intake_pool, submissions + submissions) == []
    assert await intake_pool.fetchval("select count(*) from intake.cases") == 2
