"""The caseworkers' pages: the queue, a case, and what they do with it (claim, release, reassign,
note, decide). A decision is sent as a signed command and the page shows the decision service's
answer once it has one."""

import time
from datetime import date
from enum import StrEnum
from urllib.parse import urlencode
from uuid import UUID

from aiohttp import web

from schemas.codes import ApplicationType, LocationCode
from schemas.decisions import DecisionAction
from schemas.lifecycle import Recommendation
from services.decision.caseworkers import Role
from services.decision.claims import Claim, Claims
from services.decision.console.access import CASEWORKERS, staff_only
from services.decision.console.case_page import case_view, command_answer
from services.decision.console.queue import QueueFilter, View, queue_page
from services.decision.console.rendering import render
from services.decision.console.state import CONSOLE, see_other
from services.decision.staff import StaffDirectory, StaffMember

MAX_REASON = 2000
MAX_NOTE = 4000


class BadInput(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _choice(query, name: str, choices: type[StrEnum]) -> str | None:
    value = query.get(name) or None
    if value is not None and value not in {choice.value for choice in choices}:
        raise BadInput(name, f"{value!r} is not one of the choices")
    return value


def _queue_filter(query) -> QueueFilter:
    after = None
    if query.get("after"):
        day, _, number = query["after"].partition("~")
        try:
            after = (date.fromisoformat(day), number)
        except ValueError:
            raise BadInput("after", "not a page of this queue") from None
    return QueueFilter(
        view=View(_choice(query, "view", View) or View.ALL),
        application_type=_choice(query, "type", ApplicationType),
        location=_choice(query, "location", LocationCode),
        recommendation=_choice(query, "recommendation", Recommendation),
        after=after,
    )


@staff_only(*CASEWORKERS)
async def queue(request: web.Request, member: StaffMember) -> web.StreamResponse:
    console = request.app[CONSOLE]
    try:
        chosen = _queue_filter(request.query)
    except BadInput as error:
        return render(request, "refused.html", {"message": f"The filter {error.field}: {error}."}, status=400)
    today = console.today()
    async with console.pool.acquire() as connection:
        page = await queue_page(connection, chosen, member.staff_id, today, console.deadline_warning_days)
    return render(
        request,
        "queue.html",
        {
            "page": page,
            "chosen": chosen,
            "today": today,
            "types": list(ApplicationType),
            "locations": list(LocationCode),
            "recommendations": list(Recommendation),
            "next_query": _next_query(request.query, page.next_after),
        },
    )


def _next_query(query, after: tuple[date, str] | None) -> str | None:
    if after is None:
        return None
    kept = {name: value for name, value in query.items() if name != "after" and value}
    kept["after"] = f"{after[0].isoformat()}~{after[1]}"
    return urlencode(kept)


ANSWER_WAIT_S = 120
"""How long the page keeps refreshing for the decision service's answer; after that it says so and stops."""


def _sent(query) -> tuple[str, bool] | None:
    """The command the page waits for the answer to (a command id: a UUID), and whether it still
    waits; None for a query without one, or with something else in its place."""
    try:
        command_id, at = str(UUID(query.get("sent", ""))), int(query.get("at", "0"))
    except ValueError:
        return None
    return command_id, time.time() - at < ANSWER_WAIT_S


def _case_id(request: web.Request) -> UUID:
    try:
        return UUID(request.match_info["case_id"])
    except ValueError:
        raise web.HTTPNotFound() from None


async def _case_page(
    request: web.Request,
    member: StaffMember,
    case_id: UUID,
    *,
    errors: dict | None = None,
    message: str | None = None,
    status: int = 200,
) -> web.StreamResponse:
    console = request.app[CONSOLE]
    async with console.pool.acquire() as connection:
        view = await case_view(connection, case_id, console.today())
        if view is None:
            return render(request, "refused.html", {"message": "There is no such case."}, status=404)
        sent = _sent(request.query)
        answer = await command_answer(connection, case_id, sent[0]) if sent else None
        colleagues = (
            [m for m in await StaffDirectory(connection).everyone() if m.role in CASEWORKERS and not m.disabled]
            if member.may_reassign
            else []
        )
    return render(
        request,
        "case.html",
        {
            "view": view,
            "case": view.case,
            "today": console.today(),
            "mine": view.case["claimed_by"] == member.staff_id,
            "sent": sent,
            "answer": answer,
            "colleagues": colleagues,
            "errors": errors or {},
            "message": message,
            "form": dict(await request.post()) if request.method == "POST" else {},
        },
        status=status,
    )


@staff_only(*CASEWORKERS)
async def case(request: web.Request, member: StaffMember) -> web.StreamResponse:
    return await _case_page(request, member, _case_id(request))


async def _case_number(request: web.Request, case_id: UUID) -> str:
    number = await request.app[CONSOLE].pool.fetchval("select case_number from decision.cases where case_id = $1", case_id)
    if number is None:
        raise web.HTTPNotFound()
    return number


@staff_only(*CASEWORKERS)
async def claim(request: web.Request, member: StaffMember) -> web.StreamResponse:
    case_id = _case_id(request)
    taken = await request.app[CONSOLE].work.claim(case_id, await _case_number(request, case_id), member.staff_id)
    if taken is None:
        message = "Someone else took this case first, or it no longer waits for a caseworker."
        return await _case_page(request, member, case_id, message=message, status=409)
    return see_other(f"/console/cases/{case_id}")


def _claim_id(form) -> UUID:
    try:
        return UUID(str(form.get("claim_id", "")))
    except ValueError:
        raise BadInput("claim_id", "the form does not say under which claim you work this case") from None


@staff_only(*CASEWORKERS)
async def release(request: web.Request, member: StaffMember) -> web.StreamResponse:
    case_id = _case_id(request)
    form = await request.post()
    try:
        claim_id = _claim_id(form)
    except BadInput as error:
        return await _case_page(request, member, case_id, message=str(error), status=400)
    if not await request.app[CONSOLE].work.release(case_id, await _case_number(request, case_id), member.staff_id, claim_id):
        message = "You no longer hold this case: it was released or given to someone else after you opened this page."
        return await _case_page(request, member, case_id, message=message, status=409)
    return see_other("/console/queue?view=mine")


@staff_only(Role.SENIOR_CASEWORKER)
async def reassign(request: web.Request, member: StaffMember) -> web.StreamResponse:
    case_id = _case_id(request)
    to = str((await request.post()).get("to", ""))
    console = request.app[CONSOLE]
    async with console.pool.acquire() as connection:
        colleague = await StaffDirectory(connection).get(to)
    if colleague is None or colleague.disabled or colleague.role not in CASEWORKERS:
        return await _case_page(request, member, case_id, errors={"to": "Choose an active caseworker."}, status=400)
    if await console.work.reassign(case_id, await _case_number(request, case_id), member.staff_id, to) is None:
        return await _case_page(request, member, case_id, message="This case no longer waits for a caseworker.", status=409)
    return see_other(f"/console/cases/{case_id}")


@staff_only(*CASEWORKERS)
async def note(request: web.Request, member: StaffMember) -> web.StreamResponse:
    case_id = _case_id(request)
    text = str((await request.post()).get("note", "")).strip()
    if not 1 <= len(text) <= MAX_NOTE:
        return await _case_page(
            request, member, case_id, errors={"note": f"Write a note of 1 to {MAX_NOTE} characters."}, status=400
        )
    await request.app[CONSOLE].work.add_note(case_id, await _case_number(request, case_id), member.staff_id, text)
    return see_other(f"/console/cases/{case_id}")


@staff_only(*CASEWORKERS)
async def decide(request: web.Request, member: StaffMember) -> web.StreamResponse:
    case_id = _case_id(request)
    form = await request.post()
    errors = {}
    try:
        action = DecisionAction(str(form.get("action", "")))
    except ValueError:
        errors["action"] = "Choose what you decide."
    reason = str(form.get("reason", "")).strip()
    if not 1 <= len(reason) <= MAX_REASON:
        errors["reason"] = f"Give the reason for your decision (1 to {MAX_REASON} characters); it goes on the case's record."
    try:
        claim_id = _claim_id(form)
    except BadInput as error:
        errors["claim_id"] = str(error)
    if errors:
        return await _case_page(request, member, case_id, errors=errors, status=400)
    console = request.app[CONSOLE]
    async with console.pool.acquire() as connection:
        held = (await Claims(connection).of([case_id])).get(case_id)
    if held != Claim(claim_id, member.staff_id):
        message = (
            "Not sent: this case was released, reassigned or claimed by someone else after you opened this page. "
            "Nothing was decided; see below who works it now."
        )
        return await _case_page(request, member, case_id, message=message, status=409)
    command_id = await console.sender.decision(
        case_id, await _case_number(request, case_id), member.staff_id, action, reason, claim_id
    )
    return see_other(f"/console/cases/{case_id}?{urlencode({'sent': command_id, 'at': int(time.time())})}")
