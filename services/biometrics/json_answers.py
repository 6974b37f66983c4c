"""The JSON answers of the applicants' endpoints outside the OAP dialect (``manage_api``,
``alerts_api``): a document that no cache keeps, and every refusal as ``{"error": {"field",
"reason"}}`` with its status (``refusals``), never a 500 for what a request says."""

import json

import asyncpg
from aiohttp import hdrs, web
from aiohttp.typedefs import Handler, Middleware

from services.biometrics.refusals import CONFLICT, NOT_FOUND, Refused


def json_answer(document: dict, status: int = 200, headers: dict | None = None) -> web.Response:
    response = web.Response(
        text=json.dumps(document, ensure_ascii=False), status=status, content_type="application/json", headers=headers
    )
    response.headers[hdrs.CACHE_CONTROL] = "no-store"
    return response


def refusals(endpoints: str) -> Middleware:
    """A middleware that answers every refusal in JSON: a ``Refused``, a seat the database's capacity
    check refused (the booking turn should have seen it taken: the check is the last word), and a
    path (not one of ``endpoints``) or method not served."""

    @web.middleware
    async def refused_in_json(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except Refused as refused:
            headers = {hdrs.RETRY_AFTER: str(refused.retry_after_s)} if refused.retry_after_s is not None else None
            return json_answer({"error": {"field": refused.field, "reason": refused.reason}}, refused.status, headers)
        except asyncpg.CheckViolationError:
            return json_answer({"error": {"field": "slot", "reason": "the slot is fully booked"}}, CONFLICT)
        except web.HTTPNotFound:
            return json_answer({"error": {"field": "path", "reason": f"is not one of {endpoints}"}}, NOT_FOUND)
        except web.HTTPMethodNotAllowed as error:
            return json_answer({"error": {"field": "method", "reason": "use POST"}}, error.status)

    return refused_in_json
