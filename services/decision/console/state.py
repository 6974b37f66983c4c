"""What the console's handlers share: the database, sessions, the sign-in guard, what they send
and where the desk's day comes from."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import asyncpg
from aiohttp import web

from ind_runtime.client_address import client_address
from ind_runtime.guesses import GuessGuard
from services.decision.console.desk_day import DeskDayClient
from services.decision.console.sending import Sender
from services.decision.console.work import CaseWork
from services.decision.staff import StaffMember


@dataclass
class Console:
    pool: asyncpg.Pool
    guard: GuessGuard
    work: CaseWork
    sender: Sender
    desk_day: DeskDayClient
    today: Callable[[], date]
    deadline_warning_days: int

    @staticmethod
    def client(request: web.Request) -> str:
        """Whom the sign-in guard counts a try against: the peer, by its /64 if IPv6."""
        return client_address(request, None)


CONSOLE = web.AppKey("console", Console)
STAFF = web.RequestKey("console_staff", StaffMember)
"""Who is signed in, once a page has checked it."""


def see_other(location: str) -> web.Response:
    """Where to go after a form was handled (303: the browser follows with a GET)."""
    return web.Response(status=303, headers={"Location": location})
