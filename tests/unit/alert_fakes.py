"""Applicants' alerts for free slots in memory (``slot_alerts.SlotAlerts``), over the desk's tables of
``desk_fakes``: each call answers as its SQL does, so a rule that passes its unit tests here holds
against PostgreSQL too (``tests/integration/test_slot_alerts.py`` tests the SQL itself)."""

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from schemas.codes import AppointmentProduct
from services.biometrics.slot_alerts import FreeSlotNotice, NoticePage, SlotAlert
from services.biometrics.slots import Slot

if TYPE_CHECKING:
    from tests.unit.desk_fakes import DeskTables


@dataclass(frozen=True)
class KeptAlert:
    alert: SlotAlert
    token_hash: bytes
    reference: str
    told: tuple[str, ...] = ()  # the keys of the slots it was told about
    sent_on: date | None = None
    sent_today: int = 0


class FakeSlotAlerts:
    def __init__(self, tables: "DeskTables") -> None:
        self._tables = tables

    async def add(self, alert: SlotAlert, token_hash: bytes, unsubscribe_reference: str) -> None:
        assert all(kept.token_hash != token_hash for kept in self._tables.alerts.values()), "token_hash is unique"
        self._tables.alerts[alert.alert_id] = KeptAlert(alert, token_hash, unsubscribe_reference)

    async def live_of_address(self, email: str, first_day: date) -> int:
        alerts = self._tables.alerts.values()
        return sum(1 for kept in alerts if kept.alert.email.lower() == email.lower() and kept.alert.before > first_day)

    async def remove(self, token_hash: bytes) -> bool:
        found = [alert_id for alert_id, kept in self._tables.alerts.items() if kept.token_hash == token_hash]
        self._forget(found)
        return bool(found)

    async def remove_ended(self, first_day: date) -> int:
        ended = [alert_id for alert_id, kept in self._tables.alerts.items() if kept.alert.before <= first_day]
        self._forget(ended)
        return len(ended)

    async def products_watched(self, first_day: date) -> list[AppointmentProduct]:
        return list({kept.alert.product for kept in self._tables.alerts.values() if kept.alert.before > first_day})

    async def take_pass_turn(self) -> bool:
        return True  # one process: no other worker's pass

    async def notices_due(self, after: UUID, window: tuple[date, date], today: date, per_day: int, limit: int) -> NoticePage:
        due = sorted(
            (
                kept
                for kept in self._tables.alerts.values()
                if kept.alert.alert_id > after
                and kept.alert.before > window[0]
                and (kept.sent_on != today or kept.sent_today < per_day)
            ),
            key=lambda kept: kept.alert.alert_id,
        )[:limit]
        notices = []
        for kept in due:
            slot = self._earliest(kept, window)
            if slot is None:
                continue
            counted = kept.sent_today + 1 if kept.sent_on == today else 1
            self._tables.alerts[kept.alert.alert_id] = replace(
                kept, told=(*kept.told, slot.key), sent_on=today, sent_today=counted
            )
            notices.append(FreeSlotNotice(kept.alert, kept.reference, slot.key, slot.location, slot.date, slot.start, slot.end))
        return NoticePage(notices, due[-1].alert.alert_id if len(due) == limit else None)

    def _earliest(self, kept: KeptAlert, window: tuple[date, date]) -> Slot | None:
        alert = kept.alert
        last = min(alert.before - timedelta(days=1), window[1])
        suiting = [
            slot
            for slot in self._tables.slots.values()
            if slot.product == alert.product
            and slot.location in alert.desks
            and window[0] <= slot.date <= last
            and self._tables.free(slot) >= alert.persons
            and slot.key not in kept.told
        ]
        return min(suiting, key=lambda slot: (slot.date, slot.start, alert.desks.index(slot.location)), default=None)

    def _forget(self, alert_ids: list[UUID]) -> None:
        for alert_id in alert_ids:
            del self._tables.alerts[alert_id]
