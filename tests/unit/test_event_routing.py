"""The router reads a batch for a batch handler: events it handles, and what it must leave to the
record handler (an unreadable record and every later record with its key)."""

import json
import random

from harness.applications import case_registered, submission
from ind_runtime.records import ConsumedRecord
from ind_runtime.routing import EventRouter, split_by_case
from schemas.cases import CaseRegistered


async def _ignored(event, uow) -> None:
    raise AssertionError("events_of calls no handler")


ROUTER = EventRouter(lambda: None, {CaseRegistered: _ignored})


def _record(offset: int, key: bytes, value: bytes) -> ConsumedRecord:
    return ConsumedRecord("ind.case.registered.v1", 0, offset, key, value)


def test_events_of_leaves_an_unreadable_record_and_every_later_one_with_its_key():
    rng = random.Random(5)
    a, b = (case_registered(submission(rng=rng), n) for n in (1, 2))
    records = [
        _record(0, b"case-a", a.to_json()),
        _record(1, b"case-b", b"{not json"),
        _record(2, b"case-b", b.to_json()),
        _record(3, b"case-c", json.dumps({"type": "nl.ind.something.new.v1"}).encode()),
        _record(4, b"case-d", json.dumps({**json.loads(a.to_json()), "data": {}}).encode()),
    ]

    events, left = ROUTER.events_of(records)

    assert [(record.offset, event.id) for record, event in events] == [(0, a.id)]
    assert [record.offset for record in left] == [1, 2, 4]


def test_split_by_case_leaves_an_event_about_an_unknown_case_and_every_later_one_about_it():
    rng = random.Random(6)
    known, unknown = (case_registered(submission(rng=rng), n) for n in (3, 4))
    later_known = case_registered(submission(rng=rng), 5).model_copy(update={"data": known.data})
    later_unknown = case_registered(submission(rng=rng), 6).model_copy(update={"data": unknown.data})

    taken, left = split_by_case([known, unknown, later_known, later_unknown], {known.data.case_id})

    assert taken == [known, later_known]
    assert left == [unknown, later_unknown]
