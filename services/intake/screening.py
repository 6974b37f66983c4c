"""Screening a raw submission record: either an ``ApplicationSubmitted`` or the problems with it.

Pure functions, no I/O: every way a producer can get a submission wrong ends here as a list of
``Problem``s a person can act on, with the path of the offending field.
"""

import json
from dataclasses import dataclass

from pydantic import ValidationError

from schemas.submissions import MAX_SUBMISSION_BYTES, ApplicationSubmitted, Problem


_JSON_NAMES = {list: "array", str: "string", int: "number", float: "number", bool: "boolean", type(None): "null"}


@dataclass(frozen=True)
class Unacceptable:
    submission_id: str | None
    problems: list[Problem]


def screen(value: bytes | None) -> ApplicationSubmitted | Unacceptable:
    if not value:
        return _whole("the record is empty; expected a CloudEvents JSON object")
    if len(value) > MAX_SUBMISSION_BYTES:
        return _whole(f"the record is {len(value)} bytes; a submission may be at most {MAX_SUBMISSION_BYTES} bytes")
    try:
        document = json.loads(value)
    except UnicodeDecodeError:
        return _whole("the record is not UTF-8 text")
    except json.JSONDecodeError as error:
        return _whole(f"the record is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}")
    except RecursionError:
        return _whole("the record nests too deeply to be a submission")
    if not isinstance(document, dict):
        return _whole(f"expected a CloudEvents JSON object, got a JSON {_JSON_NAMES[type(document)]}")
    submission_id = document.get("id") if isinstance(document.get("id"), str) else None
    event_type = document.get("type")
    if event_type is not None and event_type != ApplicationSubmitted.EVENT_TYPE:
        return Unacceptable(
            submission_id,
            [Problem(field="type", message=f"unknown event type {event_type!r}; this topic accepts only {ApplicationSubmitted.EVENT_TYPE!r}")],
        )
    try:
        return ApplicationSubmitted.model_validate(document)
    except ValidationError as error:
        return Unacceptable(submission_id, problems_from(error))


def problems_from(error: ValidationError) -> list[Problem]:
    return [Problem(field=".".join(str(part) for part in e["loc"]), message=_message(e)) for e in error.errors()]


def _message(error: dict) -> str:
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
