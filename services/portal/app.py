"""The portal's routes: ``/en/...`` and ``/nl/...``, the same pages in either language."""

import aiohttp
from aiohttp import web

from services.portal import alert_pages, booking_pages, case_pages, manage_pages
from services.portal.backends import Backend
from services.portal.calendar_links import CalendarLinks
from services.portal.settings import PortalSettings
from services.portal.state import PORTAL, Portal
from services.portal.web import STATIC, pages, render, see_other


async def home(request: web.Request) -> web.StreamResponse:
    return render(request, "home.html", {})


async def health(_request: web.Request) -> web.Response:
    return web.json_response({"service": "portal"})


def portal_app(settings: PortalSettings) -> web.Application:
    app = web.Application(middlewares=[pages], client_max_size=64 * 1024)
    token = settings.portal_proxy_token.get_secret_value() if settings.portal_proxy_token else None
    key = settings.portal_key.get_secret_value().encode() if settings.portal_key else None

    async def clients(app: web.Application):
        session = aiohttp.ClientSession()
        app[PORTAL] = Portal(
            decision=Backend(settings.decision_url.rstrip("/"), token, session),
            biometrics=Backend(settings.biometrics_url.rstrip("/"), token, session),
            calendars=CalendarLinks(key),
        )
        yield
        await session.close()

    app.cleanup_ctx.append(clients)
    app.add_routes(
        [
            web.get("/", root),
            web.get("/health", health),
            web.get("/{language}/", home),
            web.get("/{language}/case", case_pages.follow_form),
            web.post("/{language}/case", case_pages.follow),
            web.get("/{language}/calendar/{token}", case_pages.calendar),
            web.post("/{language}/case/move", manage_pages.move_for_case),
            web.get("/{language}/book", booking_pages.start),
            web.get("/{language}/book/desks", booking_pages.desks),
            web.get("/{language}/book/slots", booking_pages.slots),
            web.post("/{language}/book/hold", booking_pages.hold),
            web.post("/{language}/book/confirm", booking_pages.confirm),
            web.get("/{language}/manage", manage_pages.page),
            web.post("/{language}/manage", manage_pages.show),
            web.post("/{language}/manage/{change:cancel|reschedule}", manage_pages.change),
            web.get("/{language}/alerts", alert_pages.form),
            web.post("/{language}/alerts", alert_pages.subscribe),
            web.get("/{language}/alerts/stop", alert_pages.stop_page),
            web.post("/{language}/alerts/stop", alert_pages.stop),
            web.static("/static", STATIC),
        ]
    )
    return app


async def root(_request: web.Request) -> web.Response:
    return see_other("/en/")
