"""Screening a submission turns every kind of bad submission into specific problems, and good ones into events."""

import json

import pytest

from harness.applications import bad_submissions, encode, submission
from ind_runtime.screening import Unacceptable
from ind_runtime.screening import screen as screen_record
from schemas.submissions import MAX_SUBMISSION_BYTES, ApplicationSubmitted


def screen(value):
    return screen_record(ApplicationSubmitted, value, MAX_SUBMISSION_BYTES)


def test_a_valid_submission_becomes_an_application_submitted_event():
    document = submission()
    outcome = screen(encode(document))
    assert isinstance(outcome, ApplicationSubmitted)
    assert outcome.id == document["id"]


@pytest.mark.parametrize("kind", sorted(bad_submissions()))
def test_each_kind_of_bad_input_names_the_offending_field(kind):
    value, field = bad_submissions()[kind]
    outcome = screen(value)
    assert isinstance(outcome, Unacceptable)
    assert field in [problem.field for problem in outcome.problems]
    assert all(problem.message for problem in outcome.problems)


def test_a_future_birth_date_is_explained_in_words():
    value, _ = bad_submissions()["birth date in the future"]
    (problem,) = screen(value).problems
    assert problem.message == "the date of birth must lie in the past"


def test_the_submission_id_is_kept_when_it_can_be_read():
    document = submission()
    document["data"]["preferred_location"] = "XX"
    assert screen(encode(document)).message_id == document["id"]


def test_unreadable_records_have_no_submission_id():
    assert screen(b"\xff\xfe garbage").message_id is None


def test_deeply_nested_json_is_rejected_not_crashed_on():
    outcome = screen(b"[" * 50_000 + b"]" * 50_000)
    assert isinstance(outcome, Unacceptable)


def test_unknown_event_type_is_reported_before_field_errors():
    document = submission()
    document["type"] = "nl.ind.something.else.v1"
    del document["data"]
    (problem,) = screen(encode(document)).problems
    assert problem.field == "type"
    assert "nl.ind.something.else.v1" in problem.message


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda d: d["data"]["applicant"].update(surname="Ra\u0000man"), "NUL"),
        (lambda d: d.update(id="sub-\ud800"), "surrogate"),
        (lambda d: d.update(time="0001-01-01T00:00:00+14:00"), "between the years"),
    ],
    ids=["NUL in a name", "lone surrogate in the id", "time out of range"],
)
def test_text_and_times_no_database_could_hold_are_rejected_with_a_reason(change, words):
    document = submission()
    change(document)
    (problem,) = screen(encode(document)).problems
    assert words in problem.message


def test_an_integer_too_long_to_parse_is_rejected_not_crashed_on():
    (problem,) = screen(b'{"id": ' + b"9" * 5000 + b"}").problems
    assert "number too long" in problem.message


def test_a_nul_escaped_in_json_written_as_utf16_is_rejected_too():
    document = submission()
    document["data"]["applicant"]["surname"] = "Ra\u0000man"
    (problem,) = screen(json.dumps(document).encode("utf-16")).problems
    assert "NUL" in problem.message


def test_a_surrogate_written_raw_in_utf8_is_rejected_too():
    (problem,) = screen(b'{"type": "nl.ind.application.submitted.v1", "id": "\xed\xa0\x80"}').problems
    assert "surrogate" in problem.message
