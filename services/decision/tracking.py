"""Case tracking over HTTP (JSON): applicants look up their case, caseworkers read their queue.

    POST /cases/status   {"case_number": "IND-2026-0000042", "date_of_birth": "1994-05-17"}
    GET  /queue          cases waiting for a decision, nearest deadline first

The birth date travels in the request body, never in a URL, so it cannot end up in access logs.
A wrong pair gets the same 404 as an unknown case number: the answer reveals nothing.
"""

import json
from datetime import date

import asyncpg
from aiohttp import web

from services.decision.case_file import queue, track

NOT_FOUND = {"error": "no case matches this case number and date of birth"}


def tracking_app(pool: asyncpg.Pool) -> web.Application:
    async def status(request: web.Request) -> web.Response:
        try:
            body = await request.json()
            case_number = str(body["case_number"])
            date_of_birth = date.fromisoformat(str(body["date_of_birth"]))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            return web.json_response(
                {"error": "send JSON with case_number and date_of_birth (YYYY-MM-DD)"}, status=400
            )
        async with pool.acquire() as connection:
            found = await track(connection, case_number, date_of_birth)
        return web.json_response(found) if found else web.json_response(NOT_FOUND, status=404)

    async def caseworker_queue(request: web.Request) -> web.Response:
        limit = request.query.get("limit", "50")
        if not limit.isdigit() or not 1 <= int(limit) <= 100_000:
            return web.json_response({"error": "limit must be a whole number from 1 to 100000"}, status=400)
        async with pool.acquire() as connection:
            rows = await queue(connection, int(limit))
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
