"""What the applicants' endpoints (``oap_api``, ``manage_api``, ``alerts_api``) are configured with,
and the check every request that changes something passes first: its client's rate limit."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from aiohttp import web

from ind_runtime.client_address import client_address
from services.biometrics.booking_codes import client_hash
from services.biometrics.rate_limits import RateLimits
from services.biometrics.refusals import TOO_MANY, Refused
from services.biometrics.self_booking import Terms
from services.biometrics.unit_of_work import DeskUnitOfWork

HOLD, BOOK, MANAGE, ALERT = "hold", "book", "manage", "alert"
"""The kinds of request limited each on its own: holding a slot, booking, looking up, moving or
cancelling an appointment or stopping an alert (where a token or a date of birth could be guessed
at), and asking for an alert (each may bring emails to an address)."""


@dataclass(frozen=True)
class SelfService:
    unit_of_work: Callable[[], DeskUnitOfWork]  # a unit of work of the service, whose outbox its relay publishes
    overrides: dict  # the desks' capacity (see ``capacity``)
    today: Callable[[], date]
    hold_for: timedelta
    manage_key: bytes | None  # MANAGE_LINK_KEY; None: nothing can be booked (503)
    limits: RateLimits
    proxy_token: str | None = None  # PORTAL_PROXY_TOKEN: the portal's visitors count by their own address

    def terms(self) -> Terms:
        return Terms(self.today(), self.hold_for, self.manage_key)

    def admit(self, request: web.Request, kind: str) -> bytes:
        """The hash of the request's client address, once its rate limit for ``kind`` lets it in
        (else a 429 with the seconds to wait)."""
        address = client_address(request, self.proxy_token) or "unknown"
        wait = self.limits.retry_after(kind, address)
        if wait is not None:
            raise Refused(TOO_MANY, "client", f"too many requests; try again in {wait} seconds", retry_after_s=wait)
        return client_hash(address)
