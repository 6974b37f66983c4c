"""Property-based fuzzing of every consumed topic against the running pipeline.

Per consumed topic, about forty explicit examples (one of every kind of bad input, so that none
depends on what hypothesis happens to draw) and sixty records drawn by hypothesis: bytes that are
not JSON or not UTF-8, tombstones, JSON that is not an object, nesting deeper than any parser
allows, strings of hundreds of kilobytes, records exactly as large as their topic accepts (one
with a 500 KB key and 400 KB of headers), integers too long for Python's parser, odd unicode
(escaped and CESU-8 lone surrogates, RTL marks, NUL, emoji, BOMs, UTF-16), envelopes with fields
missing or of the wrong type, another ``specversion``, types of other topics or none at all,
duplicate ``type`` keys, forged ``dlq.*`` headers, and well-formed events (signed commands too)
naming cases that do not exist. The drawing is derandomized: every run sends the same records.
They are published in one batch, round robin over the partitions so that each gets its share;
then the test waits once and accounts for every record, for each consumer group that reads its
topic, by (topic, partition, offset):

- **processed**: intake made a case of it (``intake.cases``), or the consumer's handler committed
  (its ``runtime.inbox`` row), or decision accepted the command;
- **answered**: intake published one ``nl.ind.submission.rejected.v1`` whose origin names it, or
  decision published one ``nl.ind.decision.command_rejected.v1`` about it on
  ``ind.decision.outcomes.v1`` (by its id, or keyed by its position when it had none);
- **dead-lettered**: a record on ``<topic>.dlq`` from that consumer whose ``dlq.source.*`` headers
  name it, carrying the original key, bytes and headers (here every one must fit: a record kept in
  PostgreSQL because its dead-letter topic refused it fails the test; test_records_at_the_limits
  makes a dead-letter topic refuse on purpose);
- **skipped by design**: the consumer group committed past it, and it is a record the event
  router skips (``ind_runtime/routing.py``): a JSON object whose string ``type`` the consumer has
  no handler for (notify handles its seven types on each of its three topics, biometrics and
  decision only the types wired to that topic), or an ``nl.ind.appointment.booked.v1`` or
  ``nl.ind.appointment.awaiting_slot.v1`` for a product notify emails nobody about (``SUB``,
  ``INF``: notify returns before its inbox).
  intake and decision's command consumer screen every record, so they never skip one; JSON that
  is not an object, or has no string ``type``, is dead-lettered by the router.

Beyond that every consumer group must have committed past the fuzz on every partition (a stuck
partition cannot hide behind the others), valid submissions sent right behind fuzzed ones with the
same key must become cases, every worker must still run, and no worker log may show a traceback.

Two further tests pin what the fuzz once found broken:
- a well-formed event on a stage topic about a case nobody registered waits for that registration
  (``NotReady``) only up to ``HANDLER_NOT_READY_MAX_S`` and is then parked, so its partition moves
  on; the test then publishes the registrations, and later tests find every partition moving;
- every record that intake or decision's command consumer cannot accept (a NUL, a lone surrogate,
  an integer too long to parse, a time out of range) is answered with a rejection, not parked.
"""

import asyncio
import copy
import dataclasses
import json
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from harness.applications import encode, submission
from harness.caseworker_tool import SIMULATED_TOOL, signed_by_simulated_tool
from harness.limits import filling
from schemas.codes import ApplicationType
from schemas.decisions import DecisionRequested
from schemas.examples import EXAMPLE_TOOL, EXAMPLE_TOOL_KEY, EXAMPLES
from schemas.signing import signed
from schemas.topics import (
    APPLICANT_REQUESTS,
    CASE_APPOINTMENTS,
    CASE_LIFECYCLE,
    CASES_REGISTERED,
    CATALOGUE,
    DECISION_COMMANDS,
    DECISION_OUTCOMES,
    DESK_EVENTS,
    REJECTIONS,
    SUBMISSIONS,
)
from tests.conftest import committed_past

RECORDS_PER_TOPIC = 60
WAIT_S = 90.0
STALL_WINDOW_S = 12.0  # longer than HANDLER_BACKOFF_MAX_S: a waiting record has been retried by then
# A Faust agent reads all partitions of its topic as one stream, so orphans wait one after another:
# six of them, each up to the pipeline's HANDLER_NOT_READY_MAX_S (15 s) plus the backoff around it.
ORPHAN_WINDOW_S = 6 * 30.0
MAX_RECORD_BYTES = 900_000  # the drawn records; the explicit ones "to the limit" are as large as their topic takes

MODELS = {event.type: type(event) for event in EXAMPLES}
TEMPLATES = {event.type: json.loads(event.to_json()) for event in EXAMPLES}
ALL_TYPES = sorted({t for topic in CATALOGUE for t in topic.event_types})
ENVELOPE = ("specversion", "id", "source", "type", "time", "data")


# --- who reads what: the wiring in services/*/app.py ----------------------------------------------


@dataclass(frozen=True)
class Consumer:
    service: str
    handles: frozenset[str] | None = None  # None: screens every record itself (never skips one)

    @property
    def group(self) -> str:
        return f"ind-{self.service}"


def _types(*event_types: str) -> frozenset[str]:
    return frozenset(event_types)


(REGISTERED,) = CASES_REGISTERED.event_types
CAPTURED, NO_SHOW, COLLECTED = DESK_EVENTS.event_types
SUPPLIED, STICKER = APPLICANT_REQUESTS.event_types
BOOKED, COMPLETED, FLAGGED, AWAITING_SLOT, APPLICANT_BOOKED, RESCHEDULED, CANCELLED, SLOT_AVAILABLE = (
    CASE_APPOINTMENTS.event_types
)
ASSESSED, INFO_REQUESTED, RESUMED, REFUSAL_PROPOSED, DECIDED, PRODUCED, CLOSED, APPROACHING, EXCEEDED = CASE_LIFECYCLE.event_types
NOTIFY_SILENT_PRODUCTS = ("SUB", "INF")  # services/notify/handlers.py (calls_for_email): no email, nothing recorded

# notify routes all of its types on each of its three topics (services/notify/app.py); biometrics and
# decision route per topic.
NOTIFY = Consumer(
    "notify",
    _types(
        REGISTERED,
        BOOKED,
        AWAITING_SLOT,
        APPLICANT_BOOKED,
        RESCHEDULED,
        CANCELLED,
        SLOT_AVAILABLE,
        INFO_REQUESTED,
        DECIDED,
        CLOSED,
        EXCEEDED,
    ),
)
READERS: dict[str, tuple[Consumer, ...]] = {
    SUBMISSIONS.name: (Consumer("intake"),),
    DESK_EVENTS.name: (
        Consumer("biometrics", _types(CAPTURED, NO_SHOW, COLLECTED)),
        Consumer("decision", _types(COLLECTED)),
    ),
    APPLICANT_REQUESTS.name: (Consumer("biometrics", _types(STICKER)), Consumer("decision", _types(SUPPLIED))),
    DECISION_COMMANDS.name: (Consumer("decision"),),
    CASES_REGISTERED.name: (
        Consumer("biometrics", _types(REGISTERED)),
        Consumer("decision", _types(REGISTERED)),
        NOTIFY,
    ),
    CASE_APPOINTMENTS.name: (Consumer("decision", _types(BOOKED, COMPLETED, FLAGGED, RESCHEDULED, CANCELLED)), NOTIFY),
    CASE_LIFECYCLE.name: (Consumer("biometrics", _types(PRODUCED)), NOTIFY),
}
TOPICS = {topic.name: topic for topic in CATALOGUE}
# On the stage topics every handler but the registration's waits for the case's registration (NotReady).
WAITING_TOPICS = (CASES_REGISTERED.name, CASE_APPOINTMENTS.name, CASE_LIFECYCLE.name)


def test_the_fuzz_covers_every_consumed_topic_and_every_consumer():
    consumed = {topic.name: set(topic.consumers) for topic in CATALOGUE if topic.consumers}
    assert {name: {c.service for c in READERS[name]} for name in READERS} == consumed


# --- strategies -------------------------------------------------------------------------------------

ODD = [
    "\u202e",  # right-to-left override
    "\u200f",  # right-to-left mark
    "\u200b",  # zero width space
    "\x00",
    "\ufeff",
    "\ud800",  # lone high surrogate (escaped in JSON, or CESU-8 when not)
    "\udfff",  # lone low surrogate
    "\U0001f4a5",
    "\U0001f469\u200d\U0001f4bb",
    "e\u0301",
    "\u2028",
    "\r\n",
    "\uffff",
    "\U0010ffff",
    "\u0661\u0662\u0663",
    "\uff29\uff2e\uff24",  # fullwidth IND
    "\\",
    '"',
    "%s%n",
    "${jndi:ldap://127.0.0.1/a}",
    "'; drop table intake.cases; --",
    "<script>alert(1)</script>",
]
odd_text = st.lists(st.one_of(st.sampled_from(ODD), st.text(max_size=6)), max_size=5).map("".join)
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), odd_text)
json_values = st.recursive(
    json_scalars, lambda kids: st.lists(kids, max_size=4) | st.dictionaries(odd_text, kids, max_size=4), max_leaves=10
)


@st.composite
def huge_strings(draw) -> str:
    """A few hundred kilobytes, whatever the encoding: sized by its JSON-escaped form."""
    unit = draw(st.one_of(st.sampled_from(ODD), st.text(min_size=1, max_size=4))) or "x"
    target = draw(st.integers(20_000, 400_000))
    return unit * max(1, target // len(json.dumps(unit)))


NESTED = "__nested__"  # replaced in the encoded record by ``Draft.nesting``


def _nested(kind: str, depth: int) -> str:
    if kind == "digits":
        return "9" * depth
    return "[" * depth + "]" * depth if kind == "array" else '{"a":' * depth + "1" + "}" * depth


# Depths a parser either always takes (whatever the worker's stack) or never does.
nestings = st.tuples(st.sampled_from(["array", "object"]), st.sampled_from([30, 120, 200, 5_000, 100_000]))

BROKEN = [
    b"{",
    b"}",
    b"{this is not json",
    b'{"specversion": "1.0",',
    b'{"a": }',
    b"nul",
    b"\xff\xfe\xfd",
    b"\xc0\xaf",  # overlong encoding
    b"\xed\xa0\x80",  # a CESU-8 surrogate on its own
    b'"unterminated',
    b"\x00\x00\x00\x00",
    b"   ",
    b'{"type": "nl.ind.case.registered.v1", "data": ',
    b"[1, 2, 3]",
    b"null",
    b"0",
    b'"a string"',
    b'{"specversion": ' + b"9" * 5_000 + b"}",  # valid JSON, beyond Python's int-digit limit
    b'{"id": 1e999999}',
]


@dataclass
class Draft:
    """What hypothesis drew; ``finish`` makes it the record that is sent."""

    kind: str
    document: object = None  # a JSON-able document, encoded by ``encoding``
    raw: bytes | None = b""  # used when ``document`` is None
    encoding: str = "utf8"
    cut: float = 0.5
    key: bytes | None = None
    headers: tuple[tuple[str, bytes], ...] = ()
    signing: str = "none"
    nesting: tuple[str, int] | None = None
    to_the_limit: bool = False  # padded with 0xff bytes until the record is as large as its topic accepts


@st.composite
def keys(draw) -> bytes | None:
    return draw(st.one_of(st.none(), st.binary(max_size=40), st.uuids().map(lambda u: str(u).encode())))


@st.composite
def headers(draw) -> tuple[tuple[str, bytes], ...]:
    forged = draw(st.booleans())
    plain = draw(st.lists(st.tuples(st.text(max_size=12), st.binary(max_size=20)), max_size=2))
    if forged:  # a producer pretending its record was already parked somewhere else
        plain += [("dlq.source.topic", b"elsewhere"), ("dlq.source.partition", b"99"), ("dlq.source.offset", b"-1")]
    return tuple(plain)


encodings = st.sampled_from(
    ["utf8", "utf8", "ascii", "utf16", "bom", "truncated", "trailing-garbage", "decoy-type", "first-type"]
)


@st.composite
def raw_records(draw) -> Draft:
    raw = draw(
        st.one_of(
            st.binary(max_size=300),
            st.sampled_from(BROKEN),
            st.just(None),  # a tombstone
            st.builds(lambda chunk, n: chunk * n, st.binary(min_size=1, max_size=8), st.integers(10_000, 50_000)),
        )
    )
    key = draw(keys())
    if raw is None:  # a tombstone must have a key
        return Draft("tombstone", raw=None, key=key or b"tombstone", headers=draw(headers()))
    return Draft("raw bytes", raw=raw, key=key, headers=draw(headers()))


@st.composite
def non_objects(draw) -> Draft:
    value = draw(json_values.filter(lambda v: not isinstance(v, dict)))
    return Draft("JSON, not an object", document=value, encoding=draw(encodings), key=draw(keys()))


@st.composite
def deep(draw, topic: str) -> Draft:
    kind, depth = draw(nestings)
    where = draw(st.sampled_from(["whole", "data", "type", "extension"]))
    document = copy.deepcopy(TEMPLATES[draw(st.sampled_from(TOPICS[topic].event_types))])
    if where != "whole":
        document[{"data": "data", "type": "type", "extension": "x-nested"}[where]] = NESTED
    return Draft(
        f"nested {depth} deep ({where})",
        document=document if where != "whole" else NESTED,
        nesting=(kind, depth),
        key=draw(keys()),
        headers=draw(headers()),
    )


def _string_paths(document, prefix=()):
    if isinstance(document, dict):
        for name, value in document.items():
            yield from _string_paths(value, (*prefix, name))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from _string_paths(value, (*prefix, index))
    elif isinstance(document, str):
        yield prefix


def _paths(document, prefix=()):
    if isinstance(document, dict):
        for name, value in document.items():
            yield (*prefix, name)
            yield from _paths(value, (*prefix, name))


def _set(document, path, value) -> None:
    target = document
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


@st.composite
def mutated_envelopes(draw, topic: str) -> Draft:
    """A valid event of the topic (or a neighbour's), then one to four things wrong with it."""
    own = TOPICS[topic].event_types
    event_type = draw(st.one_of(st.sampled_from(own), st.sampled_from(ALL_TYPES)))
    document = copy.deepcopy(TEMPLATES[event_type])
    document["type"] = own[0] if topic == SUBMISSIONS.name and draw(st.booleans()) else document["type"]
    done = []
    for _ in range(draw(st.integers(1, 4))):
        mutation = draw(
            st.sampled_from(
                [
                    "drop envelope field",
                    "drop data field",
                    "wrong type at a path",
                    "odd string",
                    "huge string",
                    "specversion",
                    "event type",
                    "time",
                    "data not an object",
                    "extension",
                ]
            )
        )
        paths = list(_paths(document))
        if mutation == "drop envelope field" and document:
            del document[draw(st.sampled_from(sorted(document)))]
        elif mutation == "drop data field" and isinstance(document.get("data"), dict) and document["data"]:
            del document["data"][draw(st.sampled_from(sorted(document["data"])))]
        elif mutation == "wrong type at a path" and paths:
            _set(document, draw(st.sampled_from(paths)), draw(json_values))
        elif mutation in ("odd string", "huge string"):
            strings = list(_string_paths(document))
            if strings:
                text = draw(odd_text if mutation == "odd string" else huge_strings())
                _set(document, draw(st.sampled_from(strings)), text)
        elif mutation == "specversion":
            document["specversion"] = draw(
                st.sampled_from(["0.3", "1", "1.0.0", " 1.0", "1.0\x00", "\uff11.\uff10", 1.0, 1, None, ["1.0"], {"v": "1.0"}])
            )
        elif mutation == "event type":
            document["type"] = draw(
                st.one_of(
                    st.sampled_from(ALL_TYPES),
                    st.sampled_from(
                        [
                            "nl.ind.application.withdrawn.v1",
                            own[0].upper(),
                            own[0] + " ",
                            "\u202e" + own[0],
                            own[0] + "\x00",
                            own[0].replace(".v1", ".v2"),
                            "",
                            None,
                            42,
                            True,
                            [own[0]],
                            {"type": own[0]},
                        ]
                    ),
                )
            )
        elif mutation == "time":
            document["time"] = draw(
                st.sampled_from(
                    [
                        "2026-13-40T00:00:00Z",
                        "2026-03-02T09:30:00",
                        "0001-01-01T00:00:00+14:00",
                        "9999-12-31T23:59:59-14:00",
                        "",
                        1_700_000_000,
                        "yesterday",
                        "2026-03-02T09:30:00\u202eZ",
                    ]
                )
            )
        elif mutation == "data not an object":
            document["data"] = draw(json_values.filter(lambda v: not isinstance(v, dict)))
        elif mutation == "extension":
            document[draw(odd_text)] = draw(json_values)
        done.append(mutation)
    return Draft(
        "broken envelope: " + ", ".join(sorted(set(done))),
        document=document,
        encoding=draw(encodings),
        cut=draw(st.floats(0.05, 0.95)),
        key=draw(keys()),
        headers=draw(headers()),
        signing=draw(st.sampled_from(["none", "valid", "bad", "unknown tool"])),
    )


@st.composite
def well_formed(draw, topic: str, event_types: tuple[str, ...] | None = None) -> Draft:
    """An event that validates, about a case no service has heard of; free text made odd."""
    document = copy.deepcopy(TEMPLATES[draw(st.sampled_from(event_types or TOPICS[topic].event_types))])
    data = document["data"]  # its case id and number are made new by finish()
    for name in ("appointment_id", "desk_officer", "reason", "requested", "caseworker_id", "document_number"):
        if name in data and draw(st.booleans()):
            data[name] = (draw(odd_text) or "x")[:20]
    if "documents" in data:
        data["documents"] = draw(st.lists(odd_text.filter(bool), min_size=1, max_size=3))
    if "product" in data:
        data["product"] = draw(st.sampled_from(["BIO", "DOC", "VAA", "SUB", "INF"]))
    if document["type"] == REGISTERED:
        applicant = data["applicant"]
        names = st.one_of(odd_text, st.text(st.characters(exclude_characters="\x00"), max_size=30)).filter(bool)
        applicant["given_names"], applicant["surname"] = draw(names), draw(names)
        data["application_type"] = draw(st.sampled_from([t.value for t in ApplicationType]))
    document["source"] = draw(st.sampled_from(["urn:desk:XC-AMS", "urn:portal:\u202emijn-ind", "x", "\U0001f4a5"]))
    return Draft(
        "well-formed, unknown case",
        document=document,
        encoding=draw(st.sampled_from(["utf8", "ascii", "bom"])),
        key=draw(keys()),
        headers=draw(headers()),
        signing=draw(st.sampled_from(["none", "valid", "bad", "unknown tool"])),
    )


def fuzzed_records(topic: str) -> st.SearchStrategy[Draft]:
    drafts = st.one_of(
        raw_records(),
        non_objects(),
        deep(topic),
        mutated_envelopes(topic),
        mutated_envelopes(topic),
        mutated_envelopes(topic),
        well_formed(topic),
    )
    if topic in WAITING_TOPICS:  # those are for the last test, which shows they stop the partition
        drafts = drafts.filter(lambda draft: not _waits_for_registration(topic, _encode(draft)))
    if topic == CASES_REGISTERED.name:
        drafts = drafts.filter(lambda draft: not _poisoned_registration(_encode(draft)))
    return drafts


FREE_TEXT = ("applicant.surname", "reason", "desk_officer", "requested", "documents.0", "location_name", "case_number")


def _with_text(document: dict, text: str) -> dict:
    """The document with ``text`` in its first free-text field (a name, a reason, ...)."""
    document = copy.deepcopy(document)
    for dotted in FREE_TEXT:
        *parents, leaf = dotted.split(".")
        target = document["data"]
        try:
            for part in parents:
                target = target[part]
            if isinstance(target, list):
                leaf = int(leaf)
            target[leaf]  # noqa: B018 - present?
        except (KeyError, IndexError, TypeError):
            continue
        target[leaf] = text
        return document
    raise AssertionError(f"no free text in {document['type']}")


def explicit_drafts(topic: str) -> list[Draft]:
    """Every kind of bad input the fuzz must cover, whatever hypothesis happens to draw."""
    own = TOPICS[topic].event_types
    template = TEMPLATES[own[0]]
    elsewhere = next(t for t in ALL_TYPES if t not in own)

    def changed(**fields) -> dict:
        document = copy.deepcopy(template)
        for name, value in fields.items():
            if value is ...:
                del document[name]
            else:
                document[name] = value
        return document

    drafts = [
        Draft("tombstone", raw=None, key=b"tombstone"),
        Draft("empty record", raw=b""),
        Draft("broken JSON", raw=b'{"specversion": "1.0", "type": "' + own[0].encode()),
        Draft("not UTF-8", raw=b"\xff\xfe\xfd{}"),
        Draft("a CESU-8 surrogate", raw=b'{"type": "' + own[0].encode() + b'", "id": "\xed\xa0\x80"}'),
        Draft("JSON array", raw=b"[1, 2, 3]"),
        Draft("JSON string", raw=json.dumps(own[0]).encode()),
        Draft("integer beyond Python's 4300 digits", raw=b'{"specversion": ' + b"9" * 5_000 + b', "type": "x"}'),
        Draft(
            "integer beyond Python's 4300 digits in a valid event",
            document=changed(extension=NESTED),
            nesting=("digits", 5_000),
        ),
        Draft("nested 100000 deep", document=NESTED, nesting=("array", 100_000)),
        Draft("nested 200 deep", document=NESTED, nesting=("object", 200)),
        Draft("data nested 5000 deep", document=changed(data=NESTED), nesting=("array", 5_000)),
        Draft("type an array nested 150 deep", document=changed(type=NESTED), nesting=("array", 150)),
        Draft(
            "300 KB string in the data",
            document=_with_text(template, "\u202e\U0001f4a5" * 25_000),
            encoding="ascii",
        ),
        Draft("500 KB of binary", raw=b"\x00\xff" * 250_000),
        Draft("not JSON, exactly as large as the topic accepts", raw=b"\xff", to_the_limit=True),
        Draft(
            "a 500 KB key and 400 KB of headers, and the record exactly as large as the topic accepts",
            raw=b'{"specversion": "1.0", "type": "' + own[0].encode(),
            key=b"k" * 500_000,
            headers=(("traceparent", b"00-abc-def-01"), ("bulk", b"v" * 400_000)),
            to_the_limit=True,
        ),
        Draft("lone surrogate, escaped", document=_with_text(template, "Ra\ud800man"), encoding="ascii"),
        Draft("lone surrogate, CESU-8", document=_with_text(template, "Ra\udfffman"), encoding="utf8"),
        Draft("lone surrogate in the id", document=changed(id="cmd-\ud800"), encoding="ascii"),
        Draft("NUL in the data", document=_with_text(template, "Ra\x00man")),
        Draft("NUL in the id", document=changed(id="id-\x00-1")),
        Draft("RTL marks and emoji", document=_with_text(template, "\u202e\u200fnamR\U0001f469\u200d\U0001f4bb")),
        Draft("UTF-16", document=template, encoding="utf16"),
        Draft("byte order mark", document=template, encoding="bom"),
        *(Draft(f"no {name}", document=changed(**{name: ...})) for name in ENVELOPE),
        Draft("specversion 0.3", document=changed(specversion="0.3")),
        Draft("specversion a number", document=changed(specversion=1.0)),
        Draft("time in year 1, east of UTC", document=changed(time="0001-01-01T00:00:00+14:00")),
        Draft("time without a zone", document=changed(time="2026-03-02T09:30:00")),
        Draft("data an array", document=changed(data=[])),
        Draft("data null", document=changed(data=None)),
        Draft("case id a number", document=changed(data={**template["data"], "case_id": 42})),
        Draft("type of another topic", document=changed(type=elsewhere)),
        Draft("unknown type", document=changed(type="nl.ind.application.withdrawn.v1")),
        Draft("type behind an RTL mark", document=changed(type="\u202e" + own[0])),
        Draft("type an object", document=changed(type={"type": own[0]})),
        Draft("type null", document=changed(type=None)),
        Draft("decoy type after the real one", document=template, encoding="decoy-type"),
        Draft(
            "forged dlq headers",
            document=changed(data=[]),
            key=b"forged",
            headers=(("dlq.source.topic", b"elsewhere"), ("dlq.source.partition", b"99"), ("dlq.source.offset", b"-1")),
        ),
        *(Draft(f"well-formed {event_type}", document=TEMPLATES[event_type]) for event_type in own),
    ]
    if topic == DECISION_COMMANDS.name:
        drafts += [Draft(f"well-formed, {how}", document=template, signing=how) for how in ("valid", "bad", "unknown tool")]
    if topic in WAITING_TOPICS:
        drafts = [d for d in drafts if not _waits_for_registration(topic, _encode(d))]
    if topic == CASES_REGISTERED.name:
        drafts = [d for d in drafts if not _poisoned_registration(_encode(d))]
    return [dataclasses.replace(d, kind="explicit: " + d.kind) for d in drafts]


def draw(strategy: st.SearchStrategy, n: int, explicit: list = ()) -> list:
    """The ``explicit`` examples, then ``n`` drawn from ``strategy``: the same ones on every run."""
    drawn = []

    def collect(value):
        drawn.append(value)

    for value in reversed(explicit):
        collect = example(value)(collect)
    settings(
        max_examples=n,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )(given(strategy)(collect))()
    return drawn


# --- from a draft to the bytes that are sent --------------------------------------------------------


def _encode(draft: Draft) -> bytes | None:
    if draft.document is None:
        return draft.raw[:MAX_RECORD_BYTES] if draft.raw is not None else None
    document = draft.document
    text = json.dumps(document, ensure_ascii=draft.encoding == "ascii", allow_nan=True)
    if draft.nesting is not None:
        text = text.replace(json.dumps(NESTED), _nested(*draft.nesting))
    if draft.encoding == "decoy-type" and isinstance(document, dict) and text.endswith("}") and len(text) > 2:
        text = text[:-1] + ', "type": "nl.ind.decoy.v1"}'  # Python keeps the last of duplicate keys
    if draft.encoding == "first-type" and isinstance(document, dict) and text.startswith("{") and len(text) > 2:
        text = '{"type": "nl.ind.decoy.v1", ' + text[1:]
    if draft.encoding == "utf16":
        value = text.encode("utf-16", "surrogatepass")
    else:
        value = text.encode("utf-8", "surrogatepass")  # lone surrogates become CESU-8 bytes
    if draft.encoding == "bom":
        value = b"\xef\xbb\xbf" + value
    elif draft.encoding == "truncated":
        value = value[: int(len(value) * draft.cut)]
    elif draft.encoding == "trailing-garbage":
        value += b'}\x00{"'
    return value[:MAX_RECORD_BYTES]


def _parse(value: bytes | None):
    """What the event router reads (ind_runtime/routing.py); raises what it would raise."""
    return json.loads(value or b"")


def _validates(value: bytes | None, event_types) -> object | None:
    try:
        document = _parse(value)
    except (ValueError, RecursionError):
        return None
    if not isinstance(document, dict) or not isinstance(document.get("type"), str):
        return None
    if document["type"] not in event_types:
        return None
    try:
        return MODELS[document["type"]].model_validate(document)
    except ValidationError:
        return None


def _waits_for_registration(topic: str, value: bytes | None) -> bool:
    handled = frozenset().union(*(c.handles for c in READERS[topic])) - {REGISTERED}
    return _validates(value, handled) is not None


def _storable(text: str) -> bool:
    """Whether PostgreSQL can hold it as text (no NUL, no lone surrogate)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _poisoned_registration(value: bytes | None) -> bool:
    """A valid registration that one consumer may park while another handles it (see the last test)."""
    event = _validates(value, {REGISTERED})
    if event is None:
        return False
    strings = list(_all_strings(_parse(value)["data"]))
    return not all(_storable(s) and len(s) <= 200 for s in strings) or not date(2000, 1, 1) <= event.data.received_on <= date(
        2100, 1, 1
    )


def _all_strings(document):
    if isinstance(document, dict):
        for name, value in document.items():
            yield str(name)
            yield from _all_strings(value)
    elif isinstance(document, list):
        for value in document:
            yield from _all_strings(value)
    elif isinstance(document, str):
        yield document


@dataclass
class Sent:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]
    kind: str
    event_id: str | None  # the CloudEvents id as a consumer reads it, when it is a string

    @property
    def spot(self) -> tuple[str, int, int]:
        return self.topic, self.partition, self.offset

    @property
    def position(self) -> str:
        return f"{self.topic}-{self.partition}-{self.offset}"

    def short(self) -> str:
        shown = repr(self.value[:80]) if self.value is not None else "None"
        return f"{self.position} [{self.kind}] {shown}"


def finish(draft: Draft, run: str, index: int) -> Draft:
    """Ids unique to this run (so the inbox tells records apart), a fresh case id, then the signature."""
    draft = copy.deepcopy(draft)
    document = draft.document
    if isinstance(document, dict):
        if isinstance(document.get("id"), str) and document["id"]:  # longer only: never valid when it was not
            document["id"] = f"{document['id']}#{run}-{index}"
        data = document.get("data")
        if isinstance(data, dict):
            for name in ("case_id",):
                if isinstance(data.get(name), str):
                    try:
                        UUID(data[name])
                    except ValueError:
                        continue
                    data[name] = str(uuid4())
            if isinstance(data.get("case_number"), str) and data["case_number"].startswith("IND-"):
                data["case_number"] = f"IND-{run}-{index}"
            if document.get("type") == REGISTERED and isinstance(data.get("submission_id"), str):
                data["submission_id"] = f"sub-{run}-{index}"
        if document.get("type") == DecisionRequested.EVENT_TYPE and draft.signing != "none":
            try:
                command = DecisionRequested.model_validate(document)
            except ValidationError:
                command = None
            if command is not None:
                stamped = {
                    "valid": lambda: signed_by_simulated_tool(command),
                    "bad": lambda: signed(command, SIMULATED_TOOL, b"not the key"),
                    "unknown tool": lambda: signed(command, EXAMPLE_TOOL, EXAMPLE_TOOL_KEY),
                }[draft.signing]()
                document["toolid"], document["signature"] = stamped.toolid, stamped.signature
    return draft


def _event_id(value: bytes | None) -> str | None:
    try:
        document = _parse(value)
    except (ValueError, RecursionError):
        return None
    return document.get("id") if isinstance(document, dict) and isinstance(document.get("id"), str) else None


async def publish(producer, topic: str, drafts: list[Draft], run: str, follow_with_valid: int = 0):
    """Send every draft, round robin over the partitions; after every ``follow_with_valid``-th one (and
    after each partition's last) a valid submission with the same key on the same partition.
    Returns the drafts as ``Sent`` and the valid ones as (partition, offset, submission id)."""
    partitions = TOPICS[topic].partitions
    pending, followers = [], []
    for index, draft in enumerate(drafts):
        draft = finish(draft, f"{run}-{topic.split('.')[2]}", index)  # ids unique across topics too
        value = _encode(draft)
        if draft.to_the_limit:
            padding = filling(TOPICS[topic].max_record_bytes, draft.key, draft.headers)
            value = (value + padding)[: len(padding)]
        partition = index % partitions
        future = await producer.send(topic, value, key=draft.key, partition=partition, headers=list(draft.headers))
        pending.append((future, draft, value))
        if follow_with_valid and (index % follow_with_valid == 0 or index >= len(drafts) - partitions):
            document = submission()
            follower = await producer.send(topic, encode(document), key=draft.key, partition=partition)
            followers.append((follower, document["id"]))
    sent = []
    for future, draft, value in pending:
        meta = await future
        event_id = _event_id(value)
        sent.append(Sent(topic, meta.partition, meta.offset, draft.key, value, draft.headers, draft.kind, event_id))
    valid = []
    for future, submission_id in followers:
        meta = await future
        valid.append((meta.partition, meta.offset, submission_id))
    return sent, valid


# --- what became of each record ---------------------------------------------------------------------

SKIP, PARK, HANDLE, ANSWER = "skipped by design", "dead-lettered", "handled", "answered"
KEPT = "kept in PostgreSQL"  # parked where its dead-letter topic would not take it (ind_runtime/kept_records.py)


def expectation(consumer: Consumer, record: Sent) -> str:
    """What the consumer must do with the record, as far as its bytes decide it."""
    if consumer.handles is None:
        return ANSWER  # screened: a case or accepted command, a rejection, or (failing that) a dead letter
    try:
        document = _parse(record.value)
    except (ValueError, RecursionError):  # not JSON, not UTF-*, or an integer Python will not parse
        return PARK
    if not isinstance(document, dict) or not isinstance(document.get("type"), str):
        return PARK  # not a CloudEvents object with a type: Unprocessable
    event_type = document["type"]
    if event_type not in consumer.handles:
        return SKIP
    if consumer.service == "notify" and event_type in (BOOKED, AWAITING_SLOT):
        event = _validates(record.value, {event_type})
        booked_by_applicant = event is not None and getattr(event.data, "booking_code", None) is not None
        if event is not None and event.data.product.value in NOTIFY_SILENT_PRODUCTS and not booked_by_applicant:
            return SKIP
    if consumer.service == "decision" and event_type in (RESCHEDULED, CANCELLED):
        event = _validates(record.value, {event_type})
        if event is not None and event.data.case_id is None:
            return SKIP  # a booking without a case is not decision's (services/decision/flow.py)
    return HANDLE


def _header(headers, name: str) -> str | None:
    found = None
    for key, value in headers:
        if key == name:
            found = value.decode(errors="replace") if value is not None else None
    return found  # the last one: dead_letters.py appends its own after the original headers


@dataclass
class Ledger:
    """Everything the pipeline did that names one of our records."""

    servers: list
    pool: object
    readers: dict
    dead_letters: dict = field(default_factory=lambda: defaultdict(list))
    rejections: Counter = field(default_factory=Counter)
    command_outcomes: dict = field(default_factory=lambda: defaultdict(list))
    cases: set = field(default_factory=set)
    inbox: set = field(default_factory=set)
    kept: set = field(default_factory=set)  # (consumer, topic, partition, offset) kept in PostgreSQL
    passed: set = field(default_factory=set)
    _seen: dict = field(default_factory=lambda: defaultdict(int))

    async def refresh(self, records: list[Sent], progress: dict) -> None:
        for name, reader in self.readers.items():
            polled = await reader.poll()
            for record in polled[self._seen[name] :]:
                self._take(name, record)
            self._seen[name] = len(polled)
        ids = sorted({r.event_id for r in records if r.event_id and _storable(r.event_id)})
        if ids:
            rows = await self.pool.fetch("select submission_id from intake.cases where submission_id = any($1::text[])", ids)
            self.cases |= {row["submission_id"] for row in rows}
            rows = await self.pool.fetch("select consumer, event_id from runtime.inbox where event_id = any($1::text[])", ids)
            self.inbox |= {(row["consumer"], row["event_id"]) for row in rows}
        rows = await self.pool.fetch('select consumer, topic, partition, "offset" from runtime.kept_records')
        self.kept = {(row["consumer"], row["topic"], row["partition"], row["offset"]) for row in rows}
        waiting = [spot for spot in progress if spot not in self.passed]
        limit = asyncio.Semaphore(8)

        async def check(spot):
            group, topic, partition = spot
            async with limit:
                if await committed_past(self.servers, group, topic, partition, progress[spot]):
                    self.passed.add(spot)

        await asyncio.gather(*(check(spot) for spot in waiting))

    def _take(self, reader: str, record) -> None:
        if reader == REJECTIONS.name:
            origin = json.loads(record.value)["data"]["origin"]
            self.rejections[(origin["topic"], origin["partition"], origin["offset"])] += 1
        elif reader == DECISION_OUTCOMES.name:
            event = json.loads(record.value)
            self.command_outcomes[record.key].append(event)
            if event["data"].get("command_id"):
                self.command_outcomes[("id", event["data"]["command_id"])].append(event)
        else:
            source = (
                _header(record.headers, "dlq.consumer"),
                _header(record.headers, "dlq.source.topic"),
                int(_header(record.headers, "dlq.source.partition")),
                int(_header(record.headers, "dlq.source.offset")),
            )
            self.dead_letters[source].append(record)

    def outcomes(self, consumer: Consumer, record: Sent) -> list[str]:
        found = []
        if self.dead_letters.get((consumer.service, *record.spot)):
            found.append(PARK)
        if (consumer.service, *record.spot) in self.kept:
            found.append(KEPT)
        if consumer.service == "intake":
            if self.rejections.get(record.spot):
                found.append("rejected")
            if record.event_id in self.cases:
                found.append("case")
        elif consumer.handles is None:  # decision's commands
            answers = self.command_outcomes.get(record.position.encode(), [])
            if record.event_id:
                answers = answers + self.command_outcomes.get(("id", record.event_id), [])
            found += [a["type"].rsplit(".", 2)[-2] for a in answers]
        elif (consumer.service, record.event_id) in self.inbox:
            found.append("processed")
        if (consumer.group, record.topic, record.partition) in self.passed:
            found.append("consumed past")
        return found

    def accounted(self, consumer: Consumer, record: Sent) -> bool:
        found = set(self.outcomes(consumer, record))
        expected = expectation(consumer, record)
        if expected == SKIP:
            return found == {"consumed past"}
        if expected == PARK:
            return bool(found & {PARK, KEPT})
        if expected == HANDLE:
            return bool(found & {PARK, KEPT, "processed"})
        return bool(found & {PARK, KEPT, "rejected", "case", "command_rejected", "command_accepted"})


def progress_marks(records: list[Sent]) -> dict:
    marks = {}
    for record in records:
        for consumer in READERS[record.topic]:
            spot = (consumer.group, record.topic, record.partition)
            marks[spot] = max(marks.get(spot, -1), record.offset)
    return marks


async def open_readers(read_topic, topics: list[str]) -> dict:
    names = [REJECTIONS.name, DECISION_OUTCOMES.name, *(TOPICS[t].dead_letter for t in topics)]
    return {name: await read_topic(name) for name in names}


async def settle(ledger: Ledger, records: list[Sent], progress: dict, timeout: float):
    """Refresh until every record is accounted for and every partition moved past; return what is not."""
    deadline = time.monotonic() + timeout
    while True:
        await ledger.refresh(records, progress)
        missing = [(c, r) for r in records for c in READERS[r.topic] if not ledger.accounted(c, r)]
        stuck = sorted(spot for spot in progress if spot not in ledger.passed)
        if (not missing and not stuck) or time.monotonic() > deadline:
            return missing, stuck
        await asyncio.sleep(0.5)


def _log_marks(pipeline) -> dict:
    return {worker.name: worker.log_path.stat().st_size for worker in pipeline}


CRASH = re.compile(r"Traceback \(most recent call last\)|Logging error|[Cc]rashed")


def check_workers(pipeline, marks: dict) -> list[str]:
    problems = [f"{worker.name} is not running" for worker in pipeline if not worker.running]
    for worker in pipeline:
        with worker.log_path.open("rb") as log:
            log.seek(marks[worker.name])
            text = log.read().decode(errors="replace")
        for line in text.splitlines():
            if CRASH.search(line):
                problems.append(f"{worker.name}: {line[:300]}")
    return problems


def report(ledger: Ledger, records: list[Sent]) -> str:
    lines = []
    by_topic = defaultdict(list)
    for record in records:
        by_topic[record.topic].append(record)
    for topic, sent in by_topic.items():
        lines.append(f"{topic}: {len(sent)} records on partitions {sorted(Counter(r.partition for r in sent).items())}")
        for consumer in READERS[topic]:
            tally = Counter()
            for record in sent:
                found = set(ledger.outcomes(consumer, record)) - {"consumed past"}
                tally[" + ".join(sorted(found)) or expectation(consumer, record)] += 1
            lines.append(f"  {consumer.service}: " + ", ".join(f"{n} {what}" for what, n in sorted(tally.items())))
            for record in sent:
                found = set(ledger.outcomes(consumer, record)) - {"consumed past"}
                if len(found) > 1 or (consumer.handles is None and PARK in found):
                    letters = ledger.dead_letters.get((consumer.service, *record.spot), [])
                    why = [_header(letter.headers, "dlq.error.message") for letter in letters]
                    lines.append(f"    {' + '.join(sorted(found))}: {record.short()} {why}")
    return "\n".join(lines)


def _dead_letters_keep_the_record(ledger: Ledger, records: list[Sent]) -> list[str]:
    wrong = []
    for record in records:
        for consumer in READERS[record.topic]:
            parked = ledger.dead_letters.get((consumer.service, *record.spot), [])
            if len(parked) > 1:
                wrong.append(f"{consumer.service} parked {record.short()} {len(parked)} times")
            for letter in parked:
                if letter.value != record.value or letter.key != record.key:
                    wrong.append(f"{consumer.service} parked {record.short()} with other key or bytes")
                if list(letter.headers[: len(record.headers)]) != [(k, v) for k, v in record.headers]:
                    wrong.append(f"{consumer.service} parked {record.short()} without its original headers")
    return wrong


# --- the tests --------------------------------------------------------------------------------------

PUBLIC = [SUBMISSIONS.name, DESK_EVENTS.name, APPLICANT_REQUESTS.name, DECISION_COMMANDS.name]
INTERNAL = [CASES_REGISTERED.name, CASE_APPOINTMENTS.name, CASE_LIFECYCLE.name]


async def _reached_every_stage(pool, submission_ids: list[str]) -> bool:
    return await pool.fetchval(
        """select count(*) = cardinality($1::text[]) from intake.cases i
           where i.submission_id = any($1::text[])
             and exists (select 1 from decision.cases d where d.case_id = i.case_id)
             and exists (select 1 from biometrics.cases b where b.case_id = i.case_id)
             and exists (select 1 from notify.recipients n where n.case_id = i.case_id)""",
        submission_ids,
    )


def _describe(missing, stuck, ledger) -> str:
    lines = [f"{len(missing)} (consumer, record) pairs unaccounted for; partitions not moved past: {stuck}"]
    for consumer, record in missing[:40]:
        found = ledger.outcomes(consumer, record)
        lines.append(f"  {consumer.service} expected {expectation(consumer, record)}, found {found}: {record.short()}")
    return "\n".join(lines)


@pytest.mark.parametrize("topic_names", [PUBLIC, INTERNAL], ids=["public topics", "internal topics"])
async def test_every_fuzzed_record_is_processed_answered_parked_or_skipped_and_no_partition_stops(
    topic_names, pipeline, producer, pool, topics, read_topic
):
    run = uuid4().hex[:8]
    marks = _log_marks(pipeline)
    readers = await open_readers(read_topic, topic_names)
    records, valid = [], []
    for topic in topic_names:
        explicit = explicit_drafts(topic)
        drafts = draw(fuzzed_records(topic), RECORDS_PER_TOPIC, explicit)
        assert len(drafts) == len(explicit) + RECORDS_PER_TOPIC, f"hypothesis drew {len(drafts)} for {topic}"
        follow = 3 if topic == SUBMISSIONS.name else 0  # every third fuzzed submission, and each partition's last
        sent, followers = await publish(producer, topic, drafts, run, follow_with_valid=follow)
        records += sent
        valid += followers
    if not valid:  # the stage topics: new applications must still flow through them
        for _ in range(TOPICS[SUBMISSIONS.name].partitions):
            document = submission()
            meta = await producer.send_and_wait(SUBMISSIONS.name, encode(document), key=document["id"].encode())
            valid.append((meta.partition, meta.offset, document["id"]))
    ids = [r.event_id for r in records if r.event_id and _storable(r.event_id)]  # the ids the inbox can hold
    assert len(ids) == len(set(ids)), "every record's id is its own, so the inbox tells them apart"
    progress = progress_marks(records)
    for partition, offset, _ in valid:
        spot = ("ind-intake", SUBMISSIONS.name, partition)
        progress[spot] = max(progress.get(spot, -1), offset)

    ledger = Ledger(topics, pool, readers)
    missing, stuck = await settle(ledger, records, progress, WAIT_S)
    summary = report(ledger, records)
    print(summary)
    assert not missing and not stuck, _describe(missing, stuck, ledger) + "\n" + summary

    submission_ids = [submission_id for _, _, submission_id in valid]
    deadline = time.monotonic() + WAIT_S
    while not await _reached_every_stage(pool, submission_ids):
        assert time.monotonic() < deadline, "valid applications sent with or after the fuzz did not reach every stage"
        await asyncio.sleep(0.5)
    assert check_workers(pipeline, marks) == []
    assert _dead_letters_keep_the_record(ledger, records) == []
    kept = [r.short() for r in records for c in READERS[r.topic] if (c.service, *r.spot) in ledger.kept]
    assert kept == [], "a record its topic accepted did not fit its dead-letter topic"
    assert [spot for spot, n in ledger.rejections.items() if n > 1] == [], "a record rejected more than once"
    for record in (r for r in records if r.topic == DECISION_COMMANDS.name):
        answers = ledger.outcomes(READERS[DECISION_COMMANDS.name][0], record)
        assert answers.count("command_rejected") + answers.count("command_accepted") <= 1, record.short()


def _registration(case_id: str, case_number: str, run: str, given_names: str = "Ann", kind: str = "mvv") -> bytes:
    document = copy.deepcopy(TEMPLATES[REGISTERED])
    document["id"] = f"registration-{run}-{uuid4()}"
    data = document["data"]
    data.update(case_id=case_id, case_number=case_number, submission_id=f"sub-{case_id}", application_type=kind)
    data["applicant"].update(given_names=given_names, email=f"fuzz-{uuid4().hex[:12]}@example.org")
    return json.dumps(document).encode()


ORPHAN_TYPES = {
    CASE_APPOINTMENTS.name: (BOOKED, COMPLETED, FLAGGED, AWAITING_SLOT),
    CASE_LIFECYCLE.name: (PRODUCED, INFO_REQUESTED, DECIDED, CLOSED, EXCEEDED),
}


async def test_well_formed_stage_events_about_unregistered_cases_do_not_stop_their_partitions(
    pipeline, producer, pool, topics, read_topic
):
    run = uuid4().hex[:8]
    marks = _log_marks(pipeline)
    readers = await open_readers(read_topic, [CASES_REGISTERED.name, *ORPHAN_TYPES])
    appointments = await read_topic(CASE_APPOINTMENTS.name)
    records = []
    for topic, event_types in ORPHAN_TYPES.items():
        orphans = well_formed(topic, event_types).filter(lambda d, t=topic: _waits_for_registration(t, _encode(d)))
        records += (await publish(producer, topic, draw(orphans, TOPICS[topic].partitions), run))[0]
    # A valid registration that notify alone cannot store (a NUL in a name): notify parks it, biometrics
    # books the applicant's desk appointment, and notify then waits for the registration it parked.
    poisoned, number = str(uuid4()), f"IND-{run}-poisoned"
    value = _registration(poisoned, number, run, given_names="An\x00n", kind="residence.study")
    meta = await producer.send_and_wait(CASES_REGISTERED.name, value, key=poisoned.encode())
    key, event_id = poisoned.encode(), _event_id(value)
    records.append(Sent(CASES_REGISTERED.name, meta.partition, meta.offset, key, value, (), "poisoned", event_id))
    progress = progress_marks(records)

    async def desk_stage_of_poisoned():
        for record in await appointments.poll():
            if record.value and poisoned.encode() in record.value:
                return record
        return None

    deadline = time.monotonic() + WAIT_S
    while (desk_stage := await desk_stage_of_poisoned()) is None:
        if time.monotonic() > deadline:
            pytest.fail("biometrics did nothing with the poisoned registration")
        await asyncio.sleep(0.5)
    if json.loads(desk_stage.value)["type"] in (BOOKED, AWAITING_SLOT):  # notify emails about either
        spot = ("ind-notify", CASE_APPOINTMENTS.name, desk_stage.partition)
        progress[spot] = max(progress.get(spot, -1), desk_stage.offset)

    ledger = Ledger(topics, pool, readers)
    missing, stuck = await settle(ledger, records, progress, ORPHAN_WINDOW_S)
    summary = report(ledger, records)
    print(summary)
    stopped = _describe(missing, stuck, ledger) + "\n" + summary  # before the registrations change it

    # Release the partitions for the tests that follow: publish the registrations they wait for.
    for record in records[:-1]:
        data = _parse(record.value)["data"]
        registration = _registration(data["case_id"], data["case_number"], run)
        await producer.send(CASES_REGISTERED.name, registration, key=data["case_id"].encode())
    await producer.send_and_wait(CASES_REGISTERED.name, _registration(poisoned, number, run), key=poisoned.encode())
    released, still_stuck = await settle(ledger, records, progress, WAIT_S)
    if released or still_stuck:
        not_released = _describe(released, still_stuck, ledger)
        pytest.fail(f"partitions did not move after the registrations arrived:\n{not_released}")
    assert check_workers(pipeline, marks) == []

    assert not missing and not stuck, f"within {ORPHAN_WINDOW_S:.0f}s:\n{stopped}"


# What intake and decision's command consumer park instead of answering (found by the fuzz above).
UNANSWERED = (
    "a CESU-8 surrogate",
    "lone surrogate in the id",
    "integer beyond Python's 4300 digits",
    "integer beyond Python's 4300 digits in a valid event",
    "NUL in the data",
    "NUL in the id",
    "time in year 1, east of UTC",
)


async def test_intake_and_decision_answer_every_record_they_cannot_accept_rather_than_park_it(
    pipeline, producer, pool, topics, read_topic
):
    run = uuid4().hex[:8]
    readers = await open_readers(read_topic, [SUBMISSIONS.name, DECISION_COMMANDS.name])
    records = []
    for topic in (SUBMISSIONS.name, DECISION_COMMANDS.name):
        drafts = [d for d in explicit_drafts(topic) if d.kind.removeprefix("explicit: ") in UNANSWERED]
        assert len(drafts) == len(UNANSWERED)
        records += (await publish(producer, topic, drafts, run))[0]
    ledger = Ledger(topics, pool, readers)
    missing, stuck = await settle(ledger, records, progress_marks(records), WAIT_S)
    assert not missing and not stuck, _describe(missing, stuck, ledger)
    parked = []
    for record in records:
        (consumer,) = READERS[record.topic]
        for letter in ledger.dead_letters.get((consumer.service, *record.spot), []):
            parked.append(f"{record.short()}: {_header(letter.headers, 'dlq.error.message')[:160]}")
    assert parked == [], f"{len(parked)} of {len(records)} dead-lettered instead of answered:\n" + "\n".join(parked)
