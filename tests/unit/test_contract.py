"""The public contract: exported JSON Schemas are fresh, examples are valid, the catalogue is whole."""

import json

import pytest
from pydantic import ValidationError

from schemas.envelope import CloudEvent
from schemas.examples import EXAMPLES
from schemas.export import OUT, stale_files
from schemas.topics import CATALOGUE, all_topics


def test_the_committed_json_schema_export_is_up_to_date():
    assert stale_files() == [], "run `make schemas` and commit schemas/json/"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.type)
def test_every_example_round_trips_through_its_model(example: CloudEvent):
    text = (OUT / f"{example.type}.example.json").read_text()
    assert type(example).model_validate_json(text) == example


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.type)
def test_every_event_type_is_carried_by_exactly_one_catalogue_topic(example):
    assert [t.name for t in CATALOGUE if example.type in t.event_types].__len__() == 1


def test_every_consumed_topic_has_a_dead_letter_topic():
    names = {t.name for t in all_topics()}
    for topic in CATALOGUE:
        if topic.consumers:
            assert topic.dead_letter in names


def test_the_public_topics_are_the_fixed_four_plus_the_answers_to_tools_and_applicants():
    assert sorted(t.name for t in CATALOGUE if t.public) == [
        "ind.applicant.requests.v1",
        "ind.decision.commands.v1",
        "ind.decision.outcomes.v1",
        "ind.desk.events.v1",
        "ind.intake.rejections.v1",
        "ind.intake.submissions.v1",
    ]


def test_models_are_frozen():
    event = EXAMPLES[0]
    with pytest.raises(ValidationError):
        event.id = "changed"


def test_cloud_events_extensions_are_tolerated():
    document = json.loads(EXAMPLES[0].to_json())
    document["traceparent"] = "00-abc-def-01"
    assert type(EXAMPLES[0]).model_validate(document).id == EXAMPLES[0].id


def test_an_absent_subject_is_left_out_of_the_wire_form_but_null_payload_fields_are_kept():
    rejection = next(e for e in EXAMPLES if e.type == "nl.ind.submission.rejected.v1")
    unnamed = rejection.model_copy(update={"subject": None, "data": rejection.data.model_copy(update={"submission_id": None})})
    wire = json.loads(unnamed.to_json())
    assert "subject" not in wire
    assert wire["data"]["submission_id"] is None
