"""What every console response and form needs: security headers, the session, CSRF checks.

Every page is sent with a Content-Security-Policy that allows no script at all and no framing, and
with ``Cache-Control: no-store``, so a case page is never left in a shared cache or in the browser's
history cache. A POST is accepted only with the session's CSRF token in its form (synchronizer
token), and only from this origin when the browser says where it came from.
"""

import hmac
from collections.abc import Awaitable, Callable

from aiohttp import web

from ind_runtime.logs import get_logger
from ind_runtime.pages import PAGE_HEADERS
from services.decision.console.rendering import render
from services.decision.console.sessions import COOKIE, CURRENT_SESSION, Session, SessionCookies

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

HEADERS = {
    **PAGE_HEADERS,
    "Referrer-Policy": "same-origin",  # "no-referrer" would make Chromium send "Origin: null" with our own forms
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}

log = get_logger(__name__)
SESSION = web.AppKey("console_session_cookies", SessionCookies)


def security_middleware(secure_cookie: bool, expected_origin: str | None = None):
    """``expected_origin``: the console's address as browsers see it (``CONSOLE_ORIGIN``), when a
    proxy in front of it terminates TLS; otherwise this request's own scheme and host."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        cookies = request.app[SESSION]
        request[CURRENT_SESSION] = cookies.load(request.cookies.get(COOKIE))
        try:
            if request.method == "POST" and not _csrf_ok(request, await request.post(), expected_origin):
                response: web.StreamResponse = await _refused(request)
            else:
                response = await handler(request)
        except web.HTTPException as error:  # a 404 or 400 raised on the way: a page like any other
            if error.status < 400:
                raise
            response = render(request, "refused.html", {"message": error.text or error.reason}, status=error.status)
        except (ValueError, LookupError):  # a form aiohttp cannot read (no multipart boundary, an unknown charset)
            response = render(request, "refused.html", {"message": "This form could not be read."}, status=400)
        except Exception:  # noqa: BLE001 - a page, with the headers, instead of aiohttp's bare 500
            log.exception("console page failed")
            response = render(request, "refused.html", {"message": "Something went wrong on our side."}, status=500)
        session: Session | None = request.get(CURRENT_SESSION)
        if session is not None and not response.prepared:
            response.set_cookie(
                COOKIE, cookies.dump(session), httponly=True, samesite="Strict", secure=secure_cookie, path="/console"
            )
        elif request.cookies.get(COOKIE) and not response.prepared:
            response.del_cookie(COOKIE, path="/console")
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return middleware


def _csrf_ok(request: web.Request, form, expected_origin: str | None) -> bool:
    origin = request.headers.get("Origin")
    if origin is not None and origin != (expected_origin or f"{request.scheme}://{request.host}"):
        return False
    session: Session | None = request[CURRENT_SESSION]
    sent = form.get("csrf")
    return session is not None and isinstance(sent, str) and hmac.compare_digest(sent, session.csrf)


async def _refused(request: web.Request) -> web.Response:
    return render(
        request,
        "refused.html",
        {"message": "This form has expired or did not come from this console. Go back, reload the page and try again."},
        status=403,
    )
