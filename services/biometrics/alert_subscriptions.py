"""Applicants start and stop alerts for free slots (``alerts_api``).

An address may have ``ALERTS_PER_ADDRESS`` alerts that can still find a slot: anyone can ask for an
alert with any address, so the limit (with ``ALERTS_A_DAY`` emails an alert at most, and the
unsubscribe link in each) is what keeps an address from being flooded. Two requests of one address
are counted one after the other (``SlotAlerts.live_of_address``), so together they cannot pass it.

Stopping an alert deletes it and its address. An unknown token and one whose alert is gone (stopped,
or deleted once its day came) get the same 404, so nothing can be learnt by trying tokens.
"""

from datetime import date

from schemas.manage_links import new_reference, token_hash, unsubscribe_token
from services.biometrics.refusals import CONFLICT, NOT_CONFIGURED, NOT_FOUND, Refused
from services.biometrics.slot_alerts import SlotAlert
from services.biometrics.slots import BOOKING_WINDOW_DAYS, booking_window
from services.biometrics.unit_of_work import DeskUnitOfWork

ALERTS_PER_ADDRESS = 5
"""Alerts one email address may have at a time."""
ALERTS_A_DAY = 3
"""Emails one alert may bring in a day (Europe/Amsterdam)."""


async def subscribe(uow: DeskUnitOfWork, alert: SlotAlert, manage_key: bytes | None, today: date) -> None:
    """Keep ``alert`` unless its address has as many as it may (409)."""
    if manage_key is None:
        raise Refused(NOT_CONFIGURED, "alert", "alerts are not configured here (MANAGE_LINK_KEY)")
    first_day = booking_window(today, BOOKING_WINDOW_DAYS)[0]
    if await uow.alerts.live_of_address(alert.email, first_day) >= ALERTS_PER_ADDRESS:
        raise Refused(CONFLICT, "email", f"this address has {ALERTS_PER_ADDRESS} alerts already; stop one to ask for another")
    reference = new_reference()
    await uow.alerts.add(alert, token_hash(unsubscribe_token(manage_key, reference)), reference)
    await uow.commit()


async def unsubscribe(uow: DeskUnitOfWork, token: str) -> None:
    """Stop the alert ``token`` stops, or refuse (404)."""
    if not await uow.alerts.remove(token_hash(token)):
        raise Refused(NOT_FOUND, "token", "there is no alert for this token")
    await uow.commit()
