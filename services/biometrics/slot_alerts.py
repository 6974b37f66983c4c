"""Applicants' alerts for free slots (``biometrics.slot_alerts``).

An alert keeps whom to write to and what suits them; its unsubscribe token only as a hash (the
token is the key to stopping it), and the token's reference, which every event of the alert carries
for notify to derive the token from (``schemas.manage_links``); and the keys of the slots it was
told about.

Finding what to say is one statement for a page of alerts (``NOTICES_DUE``), not one per alert or
per slot: for each alert it walks the partial index of slots with room (``slots_free_at``) at each
of its desks, in day order, and stops at the first slot with room for its persons that it was never
told about, so an alert whose desks have no room before its day costs an index descent a desk. The
same statement records the slot on the alert and counts it, so what it answers is what was recorded.
"""

from dataclasses import dataclass
from datetime import date, time
from uuid import UUID

import asyncpg

from ind_runtime.db import advisory_lock_id
from schemas.codes import AppointmentProduct, Language, LocationCode

FIRST_ALERT = UUID(int=0)
"""Before every alert id: where a pass through the alerts starts."""
_PASS_LOCK = advisory_lock_id("biometrics:slot-alerts")
_ADDRESS_LOCKS = advisory_lock_id("biometrics:slot-alert-addresses") & 0x7FFF_FFFF
"""The first key of the two-key advisory locks of addresses (the second is the address's hash): a key
space that the one-key locks (the booking turn, the pass's turn) never meet."""

# $1 after this alert id; $2, $3 the first and last day of the booking window; $4 today; $5 the
# emails an alert may get a day; $6 the page's size. Each due alert of the page comes back, with the
# slot it is now told about, or nulls. The update checks again that the alert may be told and was not
# told about the slot: a pass of another worker that told it meanwhile (which the pass's turn rules
# out) would leave it unchanged and so untold.
NOTICES_DUE = """
    with due as (
        select alert_id, email, language, product, persons, desks, before, unsubscribe_reference, told
        from biometrics.slot_alerts
        where alert_id > $1 and before > $2 and (sent_on is distinct from $4 or sent_today < $5)
        order by alert_id limit $6),
    found as (
        select d.alert_id, f.slot_key, f.location, f.day, f.start_time, f.end_time
        from due d cross join lateral (
            select s.slot_key, s.location, s.day, s.start_time, s.end_time
            from unnest(d.desks) with ordinality as desk (code, rank) cross join lateral (
                select slot.slot_key, slot.location, slot.day, slot.start_time, slot.end_time from biometrics.slots slot
                where slot.product = d.product and slot.location = desk.code
                  and slot.day between $2 and least(d.before - 1, $3)
                  and slot.booked < slot.capacity and slot.booked + d.persons <= slot.capacity
                  and slot.slot_key <> all(d.told)
                order by slot.day, slot.start_time limit 1) s
            order by s.day, s.start_time, desk.rank limit 1) f),
    recorded as (
        update biometrics.slot_alerts a
        set told = a.told || f.slot_key, sent_on = $4,
            sent_today = case when a.sent_on = $4 then a.sent_today + 1 else 1 end
        from found f
        where a.alert_id = f.alert_id and f.slot_key <> all(a.told) and (a.sent_on is distinct from $4 or a.sent_today < $5)
        returning a.alert_id, f.slot_key, f.location, f.day, f.start_time, f.end_time)
    select d.alert_id, d.email, d.language, d.product, d.persons, d.desks, d.before, d.unsubscribe_reference,
           t.slot_key, t.location, t.day, t.start_time, t.end_time
    from due d left join recorded t on t.alert_id = d.alert_id
    order by d.alert_id"""


@dataclass(frozen=True)
class SlotAlert:
    alert_id: UUID
    email: str
    language: Language
    product: AppointmentProduct
    persons: int
    desks: tuple[LocationCode, ...]  # in the order asked for: among slots at one time, the first desk's is chosen
    before: date  # slots on days before this one suit it


@dataclass(frozen=True)
class FreeSlotNotice:
    """An alert is to be told about a free slot."""

    alert: SlotAlert
    unsubscribe_reference: str
    slot_key: str
    location: LocationCode
    day: date
    start: time
    end: time


@dataclass(frozen=True)
class NoticePage:
    notices: list[FreeSlotNotice]
    last_alert: UUID | None  # the last alert of the page; None when the page was not full (the pass is through)


class SlotAlerts:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def add(self, alert: SlotAlert, token_hash: bytes, unsubscribe_reference: str) -> None:
        await self._connection.execute(
            """insert into biometrics.slot_alerts
                   (alert_id, email, language, product, persons, desks, before, token_hash, unsubscribe_reference)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
            alert.alert_id,
            alert.email,
            alert.language.value,
            alert.product.value,
            alert.persons,
            [desk.value for desk in alert.desks],
            alert.before,
            token_hash,
            unsubscribe_reference,
        )

    async def live_of_address(self, email: str, first_day: date) -> int:
        """How many alerts the address has that may still find a slot (their day is after
        ``first_day``, the booking window's first), counted under the address's lock, which the
        transaction holds until it ends: two requests of one address count one after the other."""
        await self._connection.execute("select pg_advisory_xact_lock($1, hashtext(lower($2)))", _ADDRESS_LOCKS, email)
        return await self._connection.fetchval(
            "select count(*) from biometrics.slot_alerts where lower(email) = lower($1) and before > $2", email, first_day
        )

    async def remove(self, token_hash: bytes) -> bool:
        """Delete the alert the token stops, with its address; False when there is none."""
        return bool(
            await self._connection.fetchval("delete from biometrics.slot_alerts where token_hash = $1 returning 1", token_hash)
        )

    async def remove_ended(self, first_day: date) -> int:
        """Delete the alerts no slot can suit any more (their day is not after ``first_day``, the
        booking window's first), with their addresses; returns how many."""
        return int(
            (await self._connection.execute("delete from biometrics.slot_alerts where before <= $1", first_day)).split()[-1]
        )

    async def products_watched(self, first_day: date) -> list[AppointmentProduct]:
        """The products that alerts still live ask for."""
        rows = await self._connection.fetch("select distinct product from biometrics.slot_alerts where before > $1", first_day)
        return [AppointmentProduct(row["product"]) for row in rows]

    async def take_pass_turn(self) -> bool:
        """The pass's turn until the transaction ends, if no other worker's pass has it (False)."""
        return bool(await self._connection.fetchval("select pg_try_advisory_xact_lock($1)", _PASS_LOCK))

    async def notices_due(self, after: UUID, window: tuple[date, date], today: date, per_day: int, limit: int) -> NoticePage:
        """For each of up to ``limit`` alerts after ``after`` (by id) that may get an email today,
        the earliest slot with room for its persons at its desks, in ``window`` and before its day,
        that it was never told about; recorded as told, on the day ``today``. Reads the slots without
        the booking turn: an alert holds no seat, and the slot may be taken a moment later anyway."""
        # Planned dear enough for PostgreSQL to compile it just in time (80 ms a page), which one pass
        # of a thousand index descents never earns back.
        await self._connection.execute("set local jit = off")
        rows = await self._connection.fetch(NOTICES_DUE, after, *window, today, per_day, limit)
        notices = [_notice(row) for row in rows if row["slot_key"] is not None]
        return NoticePage(notices, rows[-1]["alert_id"] if len(rows) == limit else None)


def _notice(row: asyncpg.Record) -> FreeSlotNotice:
    alert = SlotAlert(
        row["alert_id"],
        row["email"],
        Language(row["language"]),
        AppointmentProduct(row["product"]),
        row["persons"],
        tuple(LocationCode(desk) for desk in row["desks"]),
        row["before"],
    )
    return FreeSlotNotice(
        alert,
        row["unsubscribe_reference"],
        row["slot_key"],
        LocationCode(row["location"]),
        row["day"],
        row["start_time"],
        row["end_time"],
    )
