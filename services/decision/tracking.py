"""Case tracking over HTTP (JSON): applicants look up their case, caseworkers read their queue.

    POST /cases/status   {"case_number": "IND-2026-0000042", "date_of_birth": "1994-05-17", "language": "nl"}
    GET  /queue          cases waiting for a decision, nearest deadline first (a caseworker's
                         user name and password, by HTTP Basic authentication)

The birth date travels in the request body, never in a URL, so it cannot end up in access logs.
A wrong pair gets the same 404 as an unknown case number: the answer reveals nothing. Wrong pairs
are counted per case number and per client address (``ind_runtime.guesses``: 5 and 20
within 15 minutes, counted before the look-up); either limit locks look-ups for 15 minutes, answered with 429 and Retry-After,
whether or not the case exists. A right pair forgets the case number's count. A request
that cannot be read as the API expects gets a 400 naming the field and the reason.
"""

import base64
import binascii
import json
import math
from datetime import datetime, timezone

import asyncpg
from aiohttp import web

from ind_runtime.client_address import client_address
from ind_runtime.guesses import CASE_LOOK_UP, SIGN_IN, GuessGuard, Limits
from services.decision.case_file import queue, track
from services.decision.signing_in import Refused, signed_in_as
from services.decision.staff import StaffMember
from services.decision.tracking_requests import BadRequest, tracking_request, whole_number

NOT_FOUND = {"error": "no case matches this case number and date of birth"}
NO_STORE = {"Cache-Control": "no-store"}  # an answer about a case holds personal data
GUESSES = "decision.failed_guesses"


def tracking_app(
    pool: asyncpg.Pool, guard_secret: bytes, look_ups: Limits = CASE_LOOK_UP, proxy_token: str | None = None
) -> web.Application:
    guard = GuessGuard(pool, guard_secret, "sign-in", SIGN_IN, GUESSES)
    looking_up = GuessGuard(pool, guard_secret, "case", look_ups, GUESSES)

    async def status(request: web.Request) -> web.Response:
        try:
            case_number, date_of_birth, language = tracking_request(await request.read())
        except BadRequest as error:
            return _bad(error)
        client = client_address(request, proxy_token)
        until = await looking_up.admit(case_number, client)
        if until is not None:
            return _too_many(until)
        async with pool.acquire() as connection:
            found = await track(connection, case_number, date_of_birth, language)
        if found is None:
            return web.json_response(NOT_FOUND, status=404, headers=NO_STORE)
        await looking_up.succeeded(case_number, client)
        return web.json_response(found, headers=NO_STORE)

    async def caseworker_queue(request: web.Request) -> web.Response:
        refused = await _caseworker_only(request, pool, guard, client_address(request, proxy_token))
        if refused is not None:
            return refused
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


def _too_many(until: datetime) -> web.Response:
    """The answer while look-ups of a case number, or from a client, are locked: the same whether
    or not the case exists."""
    wait = max(1, math.ceil((until - datetime.now(timezone.utc)).total_seconds()))
    return web.json_response(
        {"error": f"too many tries; try again in {math.ceil(wait / 60)} minutes", "retry_after_s": wait},
        status=429,
        headers={"Retry-After": str(wait)},
    )


def _bad(error: BadRequest) -> web.Response:
    return web.json_response({"error": str(error), "field": error.field, "reason": error.reason}, status=400)


async def _caseworker_only(request: web.Request, pool: asyncpg.Pool, guard: GuessGuard, client: str) -> web.Response | None:
    """None when the request carries a caseworker's user name and password (HTTP Basic); otherwise
    the 401, 403 or 429 to answer. Every try counts towards the console's lockout."""
    challenge = {"WWW-Authenticate": 'Basic realm="IND caseworkers", charset="UTF-8"'}
    credentials = _basic_credentials(request.headers.get("Authorization", ""))
    if credentials is None:
        return web.json_response({"error": "sign in with a caseworker's user name and password"}, status=401, headers=challenge)
    member = await signed_in_as(pool, guard, *credentials, client)
    if member == Refused.LOCKED:
        return web.json_response({"error": "too many wrong passwords; try again in 15 minutes"}, status=429)
    if not isinstance(member, StaffMember):
        return web.json_response({"error": "the user name or the password is not right"}, status=401, headers=challenge)
    if not member.may_decide:
        return web.json_response({"error": "only caseworkers may read the queue"}, status=403)
    return None


def _basic_credentials(header: str) -> tuple[str, str] | None:
    """User name and password from an ``Authorization: Basic`` header (RFC 7617), or None."""
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        login, colon, password = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (login, password) if colon and login else None
