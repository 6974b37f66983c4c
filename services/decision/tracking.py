"""Case tracking over HTTP (JSON): applicants look up their case, caseworkers read their queue.

    POST /cases/status   {"case_number": "IND-2026-0000042", "date_of_birth": "1994-05-17"}
    GET  /queue          cases waiting for a decision, nearest deadline first

The birth date travels in the request body, never in a URL, so it cannot end up in access logs.
A wrong pair gets the same 404 as an unknown case number: the answer reveals nothing. A request
that cannot be read as the API expects gets a 400 naming the field and the reason.
"""

import json

import asyncpg
from aiohttp import web

from services.decision.case_file import queue, track
from services.decision.tracking_requests import BadRequest, tracking_request, whole_number

NOT_FOUND = {"error": "no case matches this case number and date of birth"}


def tracking_app(pool: asyncpg.Pool) -> web.Application:
    async def status(request: web.Request) -> web.Response:
        try:
            case_number, date_of_birth = tracking_request(await request.read())
        except BadRequest as error:
            return _bad(error)
        async with pool.acquire() as connection:
            found = await track(connection, case_number, date_of_birth)
        return web.json_response(found) if found else web.json_response(NOT_FOUND, status=404)

    async def caseworker_queue(request: web.Request) -> web.Response:
        try:
            limit = whole_number("limit", request.query.get("limit"), default=50, low=1, high=100_000)
        except BadRequest as error:
            return _bad(error)
        async with pool.acquire() as connection:
            rows = await queue(connection, limit)
        return web.json_response(
            [
                {
                    "case_number": r["case_number"],
                    "application_type": r["application_type"],
                    "deadline": r["deadline"].isoformat(),
                    "recommendation": r["recommendation"],
                    "findings": json.loads(r["findings"]),
                }
                for r in rows
            ]
        )

    app = web.Application()
    app.add_routes([web.post("/cases/status", status), web.get("/queue", caseworker_queue)])
    return app


def _bad(error: BadRequest) -> web.Response:
    return web.json_response({"error": str(error), "field": error.field, "reason": error.reason}, status=400)
