"""Pages from jinja2 templates (autoescaped), with what every page shows: who is signed in, and the
CSRF token its forms carry."""

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import web

from ind_runtime.pages import page_templates
from services.decision.console.sessions import CURRENT_SESSION
from services.decision.console.state import STAFF

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
NETHERLANDS = ZoneInfo("Europe/Amsterdam")

_environment = page_templates(TEMPLATES)


def _when(value: datetime | None) -> str:
    return value.astimezone(NETHERLANDS).strftime("%d %b %Y %H:%M") if value else ""


def _day(value: date | None) -> str:
    return value.strftime("%a %d %b %Y") if value else ""


def _words(value: str | None) -> str:
    return (value or "").replace("_", " ")


_environment.filters.update(when=_when, day=_day, words=_words)


def render(request: web.Request, template: str, context: dict, status: int = 200) -> web.Response:
    session = request.get(CURRENT_SESSION)
    page = _environment.get_template(template).render(staff=request.get(STAFF), csrf=session.csrf if session else "", **context)
    return web.Response(text=page, content_type="text/html", status=status)
