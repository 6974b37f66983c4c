"""The rules of applicants' alerts for free slots, on the desk's unit of work in memory: an address
has five alerts at most, alerts need the manage key, and the pass tells an alert about a slot once,
keyed by the alert, without holding the booking turn (an alert holds no seat)."""

from datetime import date
from uuid import uuid4

import pytest

from schemas.codes import AppointmentProduct, Language, LocationCode
from schemas.topics import CASE_APPOINTMENTS
from services.biometrics.alert_pass import SlotAlertPass
from services.biometrics.alert_subscriptions import ALERTS_PER_ADDRESS, subscribe, unsubscribe
from services.biometrics.refusals import CONFLICT, NOT_CONFIGURED, NOT_FOUND, Refused
from services.biometrics.slot_alerts import SlotAlert
from tests.unit.desk_fakes import FakeDesk

KEY = b"manage-link-key-for-the-tests-0123456789"
MONDAY = date(2027, 3, 1)


def alert(email: str = "ana.silva@example.org") -> SlotAlert:
    return SlotAlert(
        uuid4(), email, Language.ENGLISH, AppointmentProduct.INFORMATION, 1, (LocationCode.ZWOLLE,), date(2027, 3, 20)
    )


async def test_an_address_has_five_alerts_at_most_whatever_the_case_of_its_letters():
    desk = FakeDesk()
    for _ in range(ALERTS_PER_ADDRESS):
        async with desk.unit_of_work() as uow:
            await subscribe(uow, alert(), KEY, MONDAY)

    async with desk.unit_of_work() as uow:
        with pytest.raises(Refused) as refused:
            await subscribe(uow, alert("ANA.SILVA@example.org"), KEY, MONDAY)

    assert (refused.value.status, refused.value.field) == (CONFLICT, "email")
    assert len(desk.tables.alerts) == ALERTS_PER_ADDRESS


async def test_without_the_manage_key_no_alert_is_kept_and_an_unknown_token_stops_nothing():
    desk = FakeDesk()
    async with desk.unit_of_work() as uow:
        with pytest.raises(Refused) as unconfigured:
            await subscribe(uow, alert(), None, MONDAY)
        with pytest.raises(Refused) as unknown:
            await unsubscribe(uow, "x" * 43)

    assert unconfigured.value.status == NOT_CONFIGURED and unknown.value.status == NOT_FOUND
    assert desk.tables.alerts == {}


async def test_the_pass_tells_an_alert_once_about_a_slot_keyed_by_the_alert_and_takes_no_booking_turn():
    desk = FakeDesk()
    asked = alert()
    async with desk.unit_of_work() as uow:
        await subscribe(uow, asked, KEY, MONDAY)
    alert_pass = SlotAlertPass(lambda: MONDAY)

    async with desk.unit_of_work() as first:
        await alert_pass(first)
    async with desk.unit_of_work() as second:
        await alert_pass(second)

    ((topic, key, event), (_topic, _key, later)) = desk.outbox
    assert (topic, key) == (CASE_APPOINTMENTS.name, str(asked.alert_id))
    assert event.data.slot_key == "INF-ZW-20270302-0900" and later.data.slot_key == "INF-ZW-20270302-0915"
    assert not first.agenda.has_turn and not second.agenda.has_turn
