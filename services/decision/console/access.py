"""Signing in and out, and who may see what: every console page but the sign-in page needs a
signed-in person whose account is active, whose session was not ended by a password reset, and
whose role the page allows."""

import functools
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from services.decision.caseworkers import Role
from services.decision.console.rendering import render
from services.decision.console.sessions import CURRENT_SESSION, Session
from services.decision.console.state import CONSOLE, STAFF, see_other
from services.decision.signing_in import MAX_NAME, Refused, signed_in_as
from services.decision.staff import StaffDirectory, StaffMember

CASEWORKERS = (Role.CASEWORKER, Role.SENIOR_CASEWORKER)
DESK = (Role.DESK_OFFICER,)
WRONG = "The user name or the password is not right."
LOCKED = "Too many wrong passwords. Sign-in is locked for 15 minutes; try again later or ask an administrator."

StaffHandler = Callable[[web.Request, StaffMember], Awaitable[web.StreamResponse]]


async def signed_in(request: web.Request) -> StaffMember | None:
    session: Session | None = request[CURRENT_SESSION]
    if session is None or not session.staff_id:
        return None
    async with request.app[CONSOLE].pool.acquire() as connection:
        member = await StaffDirectory(connection).get(session.staff_id)
    if member is None or member.disabled or member.session_epoch != session.epoch:
        request[CURRENT_SESSION] = None  # ended: the cookie is removed
        return None
    return member


def staff_only(*roles: Role) -> Callable[[StaffHandler], Callable[[web.Request], Awaitable[web.StreamResponse]]]:
    def wrap(handler: StaffHandler):
        @functools.wraps(handler)
        async def guarded(request: web.Request) -> web.StreamResponse:
            member = await signed_in(request)
            if member is None:
                return see_other("/console/sign-in")
            request[STAFF] = member
            if member.role not in roles:
                return render(request, "refused.html", {"message": "Your role does not give you this page."}, status=403)
            return await handler(request, member)

        return guarded

    return wrap


async def home(request: web.Request) -> web.StreamResponse:
    member = await signed_in(request)
    if member is None:
        return see_other("/console/sign-in")
    return see_other("/console/desk" if member.role == Role.DESK_OFFICER else "/console/queue")


async def sign_in_page(request: web.Request) -> web.StreamResponse:
    if request[CURRENT_SESSION] is None:
        request[CURRENT_SESSION] = Session.start("", 0, time.time())  # anonymous: only carries the form's CSRF token
    return render(request, "sign_in.html", {"error": None, "name": ""})


async def sign_in(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    name, password = str(form.get("name", "")).strip()[:MAX_NAME], str(form.get("password", ""))[:1000]
    console = request.app[CONSOLE]
    if not name or not password:
        return render(request, "sign_in.html", {"error": "Fill in your user name and your password.", "name": name}, status=400)
    member = await signed_in_as(console.pool, console.guard, name, password, console.client(request))
    if member == Refused.LOCKED:
        return render(request, "sign_in.html", {"error": LOCKED, "name": name}, status=429)
    if not isinstance(member, StaffMember):
        return render(request, "sign_in.html", {"error": WRONG, "name": name}, status=401)
    request[CURRENT_SESSION] = Session.start(member.staff_id, member.session_epoch, time.time())  # a new token: no fixation
    return see_other("/console/")


async def sign_out(request: web.Request) -> web.StreamResponse:
    """End every session the person has open, not only this browser's: a copy of the cookie taken
    elsewhere must not outlive the sign-out."""
    member = await signed_in(request)
    if member is not None:
        async with request.app[CONSOLE].pool.acquire() as connection:
            await StaffDirectory(connection).end_sessions(member.staff_id)
    request[CURRENT_SESSION] = None
    return see_other("/console/sign-in")
