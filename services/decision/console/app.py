"""The console's routes, under ``/console`` on the decision service's port."""

from collections.abc import Callable
from datetime import date

import aiohttp
import asyncpg
from aiohttp import web

from ind_runtime.guesses import SIGN_IN, GuessGuard
from services.decision.console import access, caseworker_pages, desk_pages
from services.decision.console.desk_day import DeskDayClient
from services.decision.console.rendering import STATIC
from services.decision.console.security import SESSION, security_middleware
from services.decision.console.sending import Sender
from services.decision.console.sessions import SessionCookies
from services.decision.console.state import CONSOLE, Console
from services.decision.console.work import CaseWork
from services.decision.settings import DecisionSettings


def console_app(pool: asyncpg.Pool, settings: DecisionSettings, tool_key: bytes, today: Callable[[], date]) -> web.Application:
    session_key = settings.console_session_key.get_secret_value().encode() if settings.console_session_key else None
    cookies = SessionCookies(session_key, settings.console_session_idle_s, settings.console_session_max_s)
    app = web.Application(
        middlewares=[security_middleware(settings.console_secure_cookie, settings.console_origin)], client_max_size=64 * 1024
    )
    app[SESSION] = cookies
    token = settings.desk_day_token.get_secret_value() if settings.desk_day_token else None

    async def open_client(app: web.Application):
        client = aiohttp.ClientSession()
        app[CONSOLE] = Console(
            pool=pool,
            guard=GuessGuard(pool, tool_key, "sign-in", SIGN_IN, "decision.failed_guesses"),
            work=CaseWork(pool),
            sender=Sender(pool, settings.console_tool_id, tool_key),
            desk_day=DeskDayClient(settings.desk_day_url.rstrip("/"), token, client),
            today=today,
            deadline_warning_days=settings.deadline_warning_days,
        )
        yield
        await client.close()

    app.cleanup_ctx.append(open_client)
    app.add_routes(
        [
            web.get("/", access.home),
            web.get("/sign-in", access.sign_in_page),
            web.post("/sign-in", access.sign_in),
            web.post("/sign-out", access.sign_out),
            web.get("/queue", caseworker_pages.queue),
            web.get("/cases/{case_id}", caseworker_pages.case),
            web.post("/cases/{case_id}/claim", caseworker_pages.claim),
            web.post("/cases/{case_id}/release", caseworker_pages.release),
            web.post("/cases/{case_id}/reassign", caseworker_pages.reassign),
            web.post("/cases/{case_id}/notes", caseworker_pages.note),
            web.post("/cases/{case_id}/decide", caseworker_pages.decide),
            web.get("/desk", desk_pages.desk),
            web.post("/desk/report", desk_pages.report),
            web.static("/static", STATIC),
        ]
    )
    return app
