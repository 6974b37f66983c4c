"""What the applicants' endpoints (``oap_api``, ``manage_api``, ``alerts_api``) are configured with,
and the check every request that changes something passes first: its client's rate limit."""

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from aiohttp import web

from ind_runtime.client_address import client_address
from ind_runtime.guesses import GuessGuard
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
    case_guesses: GuessGuard | None = None  # tries at a case number and date of birth (ind_runtime.guesses)
    max_live_holds: int = 3  # holds one client may have at once (``self_booking.Terms``)

    def terms(self) -> Terms:
        return Terms(self.today(), self.hold_for, self.manage_key, self.max_live_holds)

    async def try_case(self, request: web.Request, case_number: str | None) -> None:
        """Count a try at ``case_number`` with a date of birth (none for a booking without a case),
        or refuse it with a 429 while tries at it, or from this client, are locked."""
        if case_number is None or self.case_guesses is None:
            return
        until = await self.case_guesses.admit(case_number, client_address(request, self.proxy_token))
        if until is not None:
            wait = max(1, math.ceil((until - datetime.now(UTC)).total_seconds()))
            raise Refused(
                TOO_MANY, "caseNumber", f"too many tries; try again in {math.ceil(wait / 60)} minutes", retry_after_s=wait
            )

    async def case_proven(self, request: web.Request, case_number: str | None) -> None:
        """The case number and date of birth were right: forget the tries at it."""
        if case_number is not None and self.case_guesses is not None:
            await self.case_guesses.succeeded(case_number, client_address(request, self.proxy_token))

    def admit(self, request: web.Request, kind: str) -> bytes:
        """The hash of the request's client address, once its rate limit for ``kind`` lets it in
        (else a 429 with the seconds to wait)."""
        address = client_address(request, self.proxy_token) or "unknown"
        wait = self.limits.retry_after(kind, address)
        if wait is not None:
            raise Refused(TOO_MANY, "client", f"too many requests; try again in {wait} seconds", retry_after_s=wait)
        return client_hash(address)
