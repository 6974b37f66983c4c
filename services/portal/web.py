"""What every portal page needs: its language, rendering in it, security headers, and a CSRF token.

The portal has no sessions. A form's CSRF token is the double of a random cookie (``SameSite=Strict``,
``HttpOnly``) that the page sets, so another site can neither read it nor send it. Every page allows
no script and no framing, is not cached (a case page shows personal data), and sends no referrer (a
link to manage an appointment carries its token).
"""

import hmac
import secrets
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
from aiohttp import web

from schemas.codes import Language
from services.portal.words import words

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
NETHERLANDS = ZoneInfo("Europe/Amsterdam")
CSRF_COOKIE = "portal_csrf"
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
LANGUAGE = web.RequestKey("portal_language", Language)
CSRF = web.RequestKey("portal_csrf", str)

_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters["day"] = lambda value: (date.fromisoformat(value) if isinstance(value, str) else value).strftime("%d-%m-%Y")
_environment.filters["when"] = lambda value: datetime.fromisoformat(value).astimezone(NETHERLANDS).strftime("%d-%m-%Y %H:%M")


def language_of(request: web.Request) -> Language:
    try:
        return Language(request.match_info.get("language", "en"))
    except ValueError:
        raise web.HTTPNotFound() from None


def render(request: web.Request, template: str, context: dict, status: int = 200) -> web.Response:
    language = request.get(LANGUAGE, Language.ENGLISH)
    other = Language.DUTCH if language == Language.ENGLISH else Language.ENGLISH
    page = _environment.get_template(template).render(
        w=words(language),
        lang=language.value,
        other_lang=other.value,
        other_path=request.path.replace(f"/{language.value}/", f"/{other.value}/", 1)
        if request.method == "GET"
        else f"/{other.value}/",
        csrf=request.get(CSRF, ""),
        **context,
    )
    return web.Response(text=page, content_type="text/html", status=status)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    if "language" in request.match_info:
        request[LANGUAGE] = language_of(request)
    token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    request[CSRF] = token
    if request.method == "POST" and not _csrf_ok(request, token, await request.post()):
        response: web.StreamResponse = render(request, "problem.html", {"message": "csrf"}, status=403)
    else:
        try:
            response = await handler(request)
        except web.HTTPException as error:
            if error.status < 400:
                raise
            response = render(
                request, "problem.html", {"message": "not_found" if error.status == 404 else "bad"}, status=error.status
            )
    if CSRF_COOKIE not in request.cookies and not response.prepared:
        response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="Strict", path="/")
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _csrf_ok(request: web.Request, token: str, form) -> bool:
    origin = request.headers.get("Origin")
    if origin is not None and origin not in ("null", f"{request.scheme}://{request.host}"):
        return False
    sent = form.get("csrf")
    return CSRF_COOKIE in request.cookies and isinstance(sent, str) and hmac.compare_digest(sent, token)


def see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})
