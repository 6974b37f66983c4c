"""The pass over applicants' alerts for free slots (a timer's job: ``Every``, ``ALERT_INTERVAL_S``).

Each pass tells each alert, at most once, about the earliest free slot that suits it and that it was
never told about (``SlotAlerts.notices_due``), as ``nl.ind.appointment.slot_available.v1`` keyed by
the alert's id, which notify turns into the email. So a slot freed by a cancellation, a move, a hold
that expired or more capacity is found by the next pass; a slot an alert was told about is never
told again, even when it is taken and freed once more; and an alert at its day's limit
(``ALERTS_A_DAY``) waits for the next day.

Only the slots of the booking window count, the days an applicant can book: from the first working
day after today, so never a slot of today or one that has begun. The pass opens the window's days of
the products alerts ask for, as a booking would (a day no one has looked at yet has its slots
written), and deletes the alerts whose day has come first.

The alerts go a page at a time, ``ALERT_PAGE`` in one statement, each page in a transaction of its
own. Passes of two workers take turns: a worker whose turn is taken leaves its pass for the next
time, so one alert is never told about two slots by two passes at once.

What a pass costs (10,000 alerts of 1 to 13 desks each, the booking window's 53,200 slots): about
0.6 s when no desk has room for any of them (11 statements, each an index descent an alert and desk),
and 2 to 3 s when nearly every alert is told about a slot, most of it making the 10,000 events; an
alert at its day's limit costs nothing until the next day.
"""

from collections.abc import Callable
from datetime import date
from uuid import UUID

from ind_runtime.logs import get_logger
from schemas.slot_alerts import SlotAvailable, SlotAvailableData
from schemas.topics import CASE_APPOINTMENTS
from services.biometrics.alert_subscriptions import ALERTS_A_DAY
from services.biometrics.booking import SOURCE
from services.biometrics.locations import LOCATIONS, desks_offering
from services.biometrics.slot_alerts import FIRST_ALERT, FreeSlotNotice
from services.biometrics.slots import BOOKING_WINDOW_DAYS, booking_window
from services.biometrics.unit_of_work import DeskUnitOfWork

ALERT_PAGE = 1000

log = get_logger(__name__)


class SlotAlertPass:
    """A pass through every alert, a page at a time: each call does the next page and says whether
    another follows at once (``ALERT_PAGE``) or the pass is through (0)."""

    def __init__(self, today: Callable[[], date], page: int = ALERT_PAGE) -> None:
        self._today = today
        self._page = page
        self._after: UUID = FIRST_ALERT

    async def __call__(self, uow: DeskUnitOfWork) -> int:
        if not await uow.alerts.take_pass_turn():
            return 0  # another worker's pass has the turn; this one starts again next time
        today = self._today()
        window = booking_window(today, BOOKING_WINDOW_DAYS)
        if self._after == FIRST_ALERT:
            await uow.alerts.remove_ended(window[0])
            for product in await uow.alerts.products_watched(window[0]):
                await uow.agenda.open_days(desks_offering(product), product, window)
        page = await uow.alerts.notices_due(self._after, (window[0], window[-1]), today, ALERTS_A_DAY, self._page)
        for notice in page.notices:
            await uow.emit(CASE_APPOINTMENTS.name, str(notice.alert.alert_id), slot_available(notice))
        await uow.commit()
        if page.notices:
            log.info("free slots found for alerts", alerts=len(page.notices))
        self._after = page.last_alert or FIRST_ALERT
        return self._page if page.last_alert is not None else 0


def slot_available(notice: FreeSlotNotice) -> SlotAvailable:
    alert = notice.alert
    location = LOCATIONS[notice.location]
    data = SlotAvailableData(
        alert_id=alert.alert_id,
        slot_key=notice.slot_key,
        product=alert.product,
        persons=alert.persons,
        before=alert.before,
        location=notice.location,
        location_name=location.name,
        address=location.address,
        date=notice.day,
        start_time=notice.start,
        end_time=notice.end,
        email=alert.email,
        language=alert.language,
        unsubscribe_reference=notice.unsubscribe_reference,
    )
    return SlotAvailable.create(data, source=SOURCE, subject=str(alert.alert_id))
