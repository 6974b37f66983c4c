"""What the portal's handlers share."""

from dataclasses import dataclass

from aiohttp import web

from services.portal.backends import Backend
from services.portal.calendar_links import CalendarLinks


@dataclass
class Portal:
    decision: Backend
    biometrics: Backend
    calendars: CalendarLinks

    @staticmethod
    def visitor(request: web.Request) -> str:
        """The visitor's address, forwarded to the services for their per-client limits. The portal
        faces the internet itself; behind a reverse proxy it would take the proxy's header instead."""
        return request.remote or ""


PORTAL = web.AppKey("portal", Portal)
