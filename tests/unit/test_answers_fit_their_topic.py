"""Whatever a record holds, what a service says about it fits the topic it says it on: an event the
broker would refuse would sit at the head of the outbox, and every later event wait behind it."""

import json

import pytest
from pydantic import BaseModel, ValidationError

from harness.applications import encode, submission
from ind_runtime.screening import MAX_PROBLEMS, Unacceptable, problems_from, screen
from ind_runtime.unit_of_work import EventTooLarge, UnitOfWork
from schemas.submissions import (
    MAX_SUBMISSION_BYTES,
    ApplicationSubmitted,
    Problem,
    RecordOrigin,
    RejectionData,
    SubmissionRejected,
)
from schemas.topics import MAX_RECORD_BYTES


def test_an_id_longer_than_any_event_id_is_not_taken_for_one():
    document = submission()
    document["id"] = "x" * 1_000_000
    document["data"]["preferred_location"] = "XX"
    outcome = screen(ApplicationSubmitted, json.dumps(document).encode(), 2 * MAX_RECORD_BYTES)
    assert isinstance(outcome, Unacceptable)
    assert outcome.message_id is None
    assert "id" in [problem.field for problem in outcome.problems]


class Listing(BaseModel):
    """A model with the shapes that multiply problems: a list's items and a mapping's keys."""

    items: list[int]
    names: dict[str, int]


def _problems(document: dict) -> list[Problem]:
    try:
        Listing.model_validate(document)
    except ValidationError as error:
        return problems_from(error)
    raise AssertionError("the document was valid")


def test_a_hundred_thousand_problems_are_answered_with_the_first_ones_and_a_count():
    problems = _problems({"items": ["not a number"] * 100_000, "names": {}})
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[-1].message == f"and {100_000 - MAX_PROBLEMS} more problems"
    rejection = SubmissionRejected.create(
        RejectionData(submission_id=None, errors=problems, origin=RecordOrigin(topic="t", partition=0, offset=0)),
        source="urn:test",
    )
    assert len(rejection.to_json()) < 100_000


def test_a_field_path_is_cut_to_a_readable_length():
    (problem,) = _problems({"items": [], "names": {"k" * 100_000: "not a number"}})
    assert problem.field.startswith("names.kkk") and len(problem.field) == 200


def test_a_valid_submission_still_keeps_its_id():
    document = submission()
    outcome = screen(ApplicationSubmitted, encode(document), MAX_SUBMISSION_BYTES)
    assert outcome.id == document["id"]


async def test_an_event_larger_than_its_topic_takes_fails_the_handler_that_made_it():
    rejection = SubmissionRejected.create(
        RejectionData(
            submission_id=None,
            errors=[Problem(field="", message="x" * MAX_RECORD_BYTES)],
            origin=RecordOrigin(topic="t", partition=0, offset=0),
        ),
        source="urn:test",
    )
    uow = UnitOfWork(pool=None, publisher="intake")  # emit touches no database: the row is written at commit
    with pytest.raises(EventTooLarge, match="ind.intake.rejections.v1 takes at most"):
        await uow.emit("ind.intake.rejections.v1", "key", rejection)
    small = SubmissionRejected.create(
        RejectionData(
            submission_id=None, errors=[Problem(field="", message="short")], origin=RecordOrigin(topic="t", partition=0, offset=0)
        ),
        source="urn:test",
    )
    await uow.emit("ind.intake.rejections.v1", "key", small)
