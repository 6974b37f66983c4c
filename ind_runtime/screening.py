"""Screening raw bytes against a message model: the model, or every problem with the record.

Pure. Producers outside this project get back what is wrong in words they can act on, with the
path of each offending field, instead of a dead letter they cannot read.
"""

import json
from dataclasses import dataclass
from typing import TypeVar

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from schemas.envelope import MAX_ID_LENGTH, CloudEvent
from schemas.submissions import Problem

M = TypeVar("M", bound=CloudEvent)
MAX_PROBLEMS = 50
MAX_FIELD_LENGTH = 200
MAX_MESSAGE_LENGTH = 500
_JSON_NAMES = {list: "array", str: "string", int: "number", float: "number", bool: "boolean", type(None): "null"}


@dataclass(frozen=True)
class Unacceptable:
    message_id: str | None
    problems: list[Problem]


def screen(model: type[M], value: bytes | None, max_bytes: int) -> M | Unacceptable:
    if not value:
        return _whole("the record is empty; expected a CloudEvents JSON object")
    if len(value) > max_bytes:
        return _whole(f"the record is {len(value)} bytes; the limit is {max_bytes} bytes")
    try:
        document = json.loads(value)
    except UnicodeDecodeError:
        return _whole("the record is not UTF-8 text")
    except json.JSONDecodeError as error:
        return _whole(f"the record is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}")
    except ValueError:  # e.g. an integer literal longer than Python will parse
        return _whole("the record holds a number too long to read")
    except RecursionError:
        return _whole("the record nests too deeply")
    if not isinstance(document, dict):
        return _whole(f"expected a CloudEvents JSON object, got a JSON {_JSON_NAMES[type(document)]}")
    # NUL and lone surrogates come in only as \u escapes, as surrogates written in UTF-8 (CESU-8:
    # json reads bytes with "surrogatepass"; their first byte is 0xED), or in JSON written in
    # UTF-16 or UTF-32 (which has NUL bytes): without any of these, no string needs the walk
    if (b"\\u" in value or b"\xed" in value or b"\x00" in value) and (unstorable := _unstorable_text(document)) is not None:
        return _whole(unstorable)
    message_id = _message_id(document.get("id"))
    event_type = document.get("type")
    if event_type is not None and event_type != model.EVENT_TYPE:
        return Unacceptable(
            message_id,
            [Problem(field="type", message=f"unknown event type {event_type!r}; this topic accepts only {model.EVENT_TYPE!r}")],
        )
    try:
        return model.model_validate(document)
    except ValidationError as error:
        return Unacceptable(message_id, problems_from(error))


def _message_id(value) -> str | None:
    """The record's id, if it could be one: a rejection carries it and is keyed by it, so an id of
    a megabyte would make a rejection that no topic accepts."""
    return value if isinstance(value, str) and 0 < len(value) <= MAX_ID_LENGTH else None


def _unstorable_text(value) -> str | None:
    """Text no database column and no email can hold, which valid JSON can still spell."""
    if isinstance(value, dict):
        return next((p for k, v in value.items() for p in (_unstorable_text(k), _unstorable_text(v)) if p), None)
    if isinstance(value, list):
        return next((p for v in value if (p := _unstorable_text(v))), None)
    if isinstance(value, str):
        if "\x00" in value:
            return "the record contains a NUL character (\\u0000), which no field may hold"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "the record contains an unpaired UTF-16 surrogate, which is not text"
    return None


def problems_from(error: ValidationError) -> list[Problem]:
    """Every problem, up to ``MAX_PROBLEMS`` (a list of a hundred thousand bad items would make a
    rejection no topic accepts), each field path and message cut to a readable length."""
    errors = error.errors()
    problems = [
        Problem(
            field=_cut(".".join(str(part) for part in e["loc"]), MAX_FIELD_LENGTH), message=_cut(_message(e), MAX_MESSAGE_LENGTH)
        )
        for e in errors[:MAX_PROBLEMS]
    ]
    if len(errors) > MAX_PROBLEMS:
        problems.append(Problem(field="", message=f"and {len(errors) - MAX_PROBLEMS} more problems"))
    return problems


def _cut(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _message(error: ErrorDetails) -> str:
    kind, message = error["type"], error["msg"]
    if kind == "missing":
        return "this field is required"
    if kind == "value_error":
        return message.removeprefix("Value error, ")
    if kind == "literal_error" and error["loc"] == ("specversion",):
        return "only CloudEvents specversion '1.0' is supported"
    return message[0].lower() + message[1:]


def _whole(message: str) -> Unacceptable:
    return Unacceptable(None, [Problem(field="", message=message)])
