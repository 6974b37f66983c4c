"""Reading the fields of an applicant's request, each refused (400) by name with the reason.

Shared by the OAP dialect (``oap_requests``) and the manage endpoints (``manage_api``): a JSON body
read whole (at most ``MAX_BODY_BYTES``, UTF-8, one object), and the few kinds of value they take.
"""

import json
import re
from collections.abc import Callable
from datetime import date, time
from typing import TypeVar

from aiohttp import web
from pydantic.networks import validate_email
from pydantic_core import PydanticCustomError

from schemas.codes import AppointmentProduct, LocationCode
from services.biometrics.refusals import BAD_REQUEST, NOT_FOUND, TOO_LARGE, Refused

T = TypeVar("T")
MAX_BODY_BYTES = 16_384
MAX_TEXT = 100
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CLOCK = re.compile(r"[0-9]{2}:[0-9]{2}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\ud800-\udfff]")
PRODUCTS = ", ".join(product.value for product in AppointmentProduct)
DESKS = ", ".join(code.value for code in LocationCode)


async def json_object(request: web.Request, *, required: bool = True) -> dict:
    """The request's body as a JSON object; an empty one is ``{}`` unless ``required``."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise Refused(TOO_LARGE, "body", f"is larger than {MAX_BODY_BYTES} bytes")
    raw = b""
    while len(raw) <= MAX_BODY_BYTES and not request.content.at_eof():  # a read answers what has come so far
        chunk = await request.content.read(MAX_BODY_BYTES + 1 - len(raw))
        if not chunk:
            break
        raw += chunk
    if len(raw) > MAX_BODY_BYTES:
        raise Refused(TOO_LARGE, "body", f"is larger than {MAX_BODY_BYTES} bytes")
    if not raw.strip():
        if required:
            raise Refused(BAD_REQUEST, "body", "is empty; send a JSON object")
        return {}
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):  # JSONDecodeError is a ValueError, and so is a number too long to read
        raise Refused(BAD_REQUEST, "body", "is not JSON in UTF-8") from None
    if not isinstance(document, dict):
        raise Refused(BAD_REQUEST, "body", "is not a JSON object")
    return document


def section(document: dict, field: str) -> dict:
    value = document.get(field)
    if not isinstance(value, dict):
        raise Refused(BAD_REQUEST, field, "is required, as a JSON object")
    return value


def text(
    document: dict, name: str, field: str, *, required: bool = True, pattern: re.Pattern | None = None, hint: str = ""
) -> str | None:
    """A string of 1 to ``MAX_TEXT`` characters without control characters, stripped."""
    value = document.get(name)
    if value is None or value == "":
        if required:
            raise Refused(BAD_REQUEST, field, "is required")
        return None
    if not isinstance(value, str):
        raise Refused(BAD_REQUEST, field, "must be a string")
    value = value.strip()
    if not value or len(value) > MAX_TEXT or _CONTROL.search(value):
        raise Refused(BAD_REQUEST, field, f"must be 1 to {MAX_TEXT} characters without control characters")
    if pattern is not None and not pattern.fullmatch(value):
        raise Refused(BAD_REQUEST, field, hint or "is not in the expected form")
    return value


def persons(value: object, field: str) -> int:
    """1 to 6 persons, given as a whole number (or, in a query, its digits)."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 3:
        value = int(value)
    if type(value) is not int or not 1 <= value <= 6:
        raise Refused(BAD_REQUEST, field, "must be a whole number from 1 to 6")
    return value


def product(value: object, field: str) -> AppointmentProduct:
    """A product key, in any case (some of the IND's clients send ``doc``)."""
    if value is None or value == "":
        raise Refused(BAD_REQUEST, field, f"is required; one of {PRODUCTS}")
    try:
        if not isinstance(value, str):
            raise ValueError
        return AppointmentProduct(value.upper())
    except ValueError:
        raise Refused(BAD_REQUEST, field, f"is not a product; use one of {PRODUCTS}") from None


def desk(value: str, field: str = "desk") -> LocationCode:
    """A desk's code, in any case."""
    try:
        return LocationCode(value.upper())
    except ValueError:
        raise Refused(NOT_FOUND, field, f"is not a desk; use one of {DESKS}") from None


def day(document: dict, name: str, field: str, *, required: bool) -> date | None:
    value = text(document, name, field, required=required, pattern=_ISO_DATE, hint="must be a date YYYY-MM-DD")
    return _parsed(value, date.fromisoformat, field, "is not a day of the calendar (YYYY-MM-DD)")


def clock(document: dict, name: str, field: str) -> time | None:
    value = text(document, name, field, required=False, pattern=_CLOCK, hint="must be a time HH:MM")
    return _parsed(value, time.fromisoformat, field, "is not a time of day (HH:MM)")


def _parsed(value: str | None, parse: Callable[[str], T], field: str, reason: str) -> T | None:
    """``value`` (of the right shape) read by ``parse``: 2027-02-30 has the shape of a date, not its substance."""
    if value is None:
        return None
    try:
        return parse(value)
    except ValueError:
        raise Refused(BAD_REQUEST, field, reason) from None


def email(document: dict, name: str, field: str, *, required: bool) -> str | None:
    value = document.get(name)
    if value is None or value == "":
        if required:
            raise Refused(BAD_REQUEST, field, "is required")
        return None
    if not isinstance(value, str) or len(value) > 254:
        raise Refused(BAD_REQUEST, field, "must be an email address of at most 254 characters")
    try:
        return validate_email(value.strip())[1]
    except PydanticCustomError:
        raise Refused(BAD_REQUEST, field, "is not a valid email address") from None
