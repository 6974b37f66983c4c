"""Notify queues one email per free slot an alert found, against real PostgreSQL: at once (an alert
waits for no case), to the address the alert was asked for with, filed under the alert's id and the
slot's key, and once per event however often the event comes."""

import pytest

from schemas.examples import EXAMPLES
from schemas.slot_alerts import SlotAvailable
from services.notify.app import MIGRATIONS
from services.notify.appointment_changes import ManageLinks
from services.notify.handlers import queue_emails
from services.notify.unit_of_work import NotifyUnitOfWork
from tests.conftest import service_pool

pytestmark = pytest.mark.integration

PUBLISHER = "notify-under-test"
LINKS = ManageLinks(b"manage-link-key-for-the-tests-0123456789", "unused", "http://portal.example")
FREE: SlotAvailable = next(e for e in EXAMPLES if isinstance(e, SlotAvailable))


@pytest.fixture
async def notify_pool():
    async with service_pool("notify_slot_alerts", "notify", MIGRATIONS) as pool:
        yield pool


async def _queue(pool, events):
    async with NotifyUnitOfWork(pool, PUBLISHER) as uow:
        return await queue_emails(events, uow, LINKS)


async def test_each_free_slot_is_emailed_once_filed_under_the_alert_and_the_slot(notify_pool):
    later = FREE.model_copy(
        update={"id": "evt-later-slot", "data": FREE.data.model_copy(update={"slot_key": "BIO-AM-20260312-1000"})}
    )

    first = await _queue(notify_pool, [FREE, FREE])
    again = await _queue(notify_pool, [FREE, later])

    assert (first.emails, first.left, again.emails, again.left) == (1, [], 1, [])
    rows = await notify_pool.fetch("select kind, recipient, case_id, case_number, body from notify.emails order by email_id")
    assert [(r["kind"], r["recipient"], r["case_id"], r["case_number"]) for r in rows] == [
        ("slot_available", "ana.silva@example.org", FREE.data.alert_id, "BIO-AM-20260311-1000"),
        ("slot_available", "ana.silva@example.org", FREE.data.alert_id, "BIO-AM-20260312-1000"),
    ]
    assert all("http://portal.example/en/alerts/stop#token=" in r["body"] for r in rows)
