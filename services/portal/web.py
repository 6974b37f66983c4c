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

from aiohttp import web

from ind_runtime.logs import get_logger
from ind_runtime.pages import PAGE_HEADERS, page_templates
from schemas.codes import Language
from services.portal.words import words

log = get_logger(__name__)

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
NETHERLANDS = ZoneInfo("Europe/Amsterdam")
CSRF_COOKIE = "portal_csrf"
HEADERS = {**PAGE_HEADERS, "Referrer-Policy": "no-referrer"}
LANGUAGE = web.RequestKey("portal_language", Language)
CSRF = web.RequestKey("portal_csrf", str)

_environment = page_templates(TEMPLATES)
_environment.filters["day"] = lambda value: (date.fromisoformat(value) if isinstance(value, str) else value).strftime("%d-%m-%Y")
_environment.filters["when"] = lambda value: datetime.fromisoformat(value).astimezone(NETHERLANDS).strftime("%d-%m-%Y %H:%M")


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


def _other_path(request: web.Request, language: Language, other: Language) -> str:
    """The same page in the other language: only a path of ours, never one the request made up
    (``//elsewhere.example/en/`` would be a link off the site)."""
    if (
        request.method == "GET"
        and request.path.startswith(f"/{language.value}/")
        and request.match_info.route.resource is not None
    ):
        return f"/{other.value}/" + request.path[len(language.value) + 2 :]
    return f"/{other.value}/"


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    asked_language = request.match_info.get("language")
    if asked_language in {language.value for language in Language}:
        request[LANGUAGE] = Language(asked_language)
    token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    request[CSRF] = token
    try:
        if asked_language is not None and LANGUAGE not in request:
            raise web.HTTPNotFound()  # /de/case, say
        if request.method == "POST" and not _csrf_ok(request, token, await request.post()):
            response: web.StreamResponse = render(request, "problem.html", {"message": "csrf"}, status=403)
        else:
            response = await handler(request)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        response = render(
            request, "problem.html", {"message": "not_found" if error.status == 404 else "bad"}, status=error.status
        )
    except (ValueError, LookupError):  # a form aiohttp cannot read (no multipart boundary, an unknown charset)
        response = render(request, "problem.html", {"message": "bad"}, status=400)
    except Exception:  # noqa: BLE001 - a page, with the headers, instead of aiohttp's bare 500
        log.exception("portal page failed")
        response = render(request, "problem.html", {"message": "unavailable"}, status=500)
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
