"""What the tracking API reads from a request, checked, or a ``BadRequest`` naming the field and why.

Every value read becomes a parameter of a PostgreSQL query, so anything that would fail there
(text with a NUL or a lone surrogate, a number Python will not parse) must be refused here instead:
it would otherwise end in an HTTP 500 that tells the caller nothing. A reason never repeats the
value sent: a request body holds a date of birth.
"""

import json
import re
from datetime import date

from schemas.codes import Language

ASK = "send JSON with case_number and date_of_birth (YYYY-MM-DD)"
MAX_CASE_NUMBER = 100
"""Characters; a case number has 16 (``IND-2026-0000042``), a few more once its sequence outgrows 7 digits."""

_DIGITS = re.compile(r"[0-9]+")  # str.isdigit() also takes '²' and '٣', which int() refuses or reads


class BadRequest(Exception):
    """The request cannot be answered as sent: ``field`` says where (empty: the whole body), ``reason`` why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}" if field else reason)
        self.field = field
        self.reason = reason


def whole_number(name: str, raw: str | None, default: int, low: int, high: int) -> int:
    """The query parameter ``name`` as a whole number from ``low`` to ``high`` (``default`` when absent)."""
    if raw is None:
        return default
    expected = f"a whole number from {low} to {high}"
    if not _DIGITS.fullmatch(raw):
        raise BadRequest(name, f"must be {expected}, written in the digits 0-9" if raw else f"is empty; expected {expected}")
    if len(raw.lstrip("0")) > len(str(high)) or not low <= int(raw) <= high:  # the length first: int() refuses 4,300 digits
        raise BadRequest(name, f"must be {expected}")
    return int(raw)


def tracking_request(body: bytes) -> tuple[str, date, Language]:
    """The case number, date of birth and language (``en`` when left out) a tracking request's JSON
    body holds (JSON is UTF-8, whatever charset the request claims)."""
    try:
        document = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadRequest("", f"the body is not UTF-8 text; {ASK}") from None
    except json.JSONDecodeError:
        raise BadRequest("", f"the body is not JSON; {ASK}") from None
    except ValueError:  # an integer literal longer than Python will parse
        raise BadRequest("", f"the body holds a number too long to read; {ASK}") from None
    except RecursionError:
        raise BadRequest("", f"the body nests too deeply; {ASK}") from None
    if not isinstance(document, dict):
        raise BadRequest("", f"the body is not a JSON object; {ASK}")
    return _case_number(document.get("case_number")), _date_of_birth(document.get("date_of_birth")), _language(document)


def _language(document: dict) -> Language:
    value = document.get("language", Language.ENGLISH.value)
    if value not in {language.value for language in Language}:
        raise BadRequest("language", "must be en or nl")
    return Language(value)


def _case_number(value: object) -> str:
    if value is None:
        raise BadRequest("case_number", f"is missing; {ASK}")
    if not isinstance(value, str):
        raise BadRequest("case_number", f"must be a string such as IND-2026-0000042; {ASK}")
    if len(value) > MAX_CASE_NUMBER:
        raise BadRequest("case_number", f"is longer than {MAX_CASE_NUMBER} characters, which no case number is; {ASK}")
    if "\x00" in value:
        raise BadRequest("case_number", f"holds a NUL character, which no case number does; {ASK}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise BadRequest("case_number", f"holds an unpaired UTF-16 surrogate, which is not text; {ASK}") from None
    return value


def _date_of_birth(value: object) -> date:
    if value is None:
        raise BadRequest("date_of_birth", f"is missing; {ASK}")
    if not isinstance(value, str):
        raise BadRequest("date_of_birth", f"must be a string; {ASK}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest("date_of_birth", f"is not a date in the form YYYY-MM-DD; {ASK}") from None
