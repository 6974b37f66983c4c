"""Seats held for a few minutes while an applicant fills in their details (``biometrics.holds``).

A hold takes its seats in the slot's ``booked`` as a booking does, so the slot's check constraint is
the last word on holds too, and the slot search (which reads ``booked < capacity``) stops offering
a seat somebody holds. A hold's id is known to its client alone: the table keeps its SHA-256, and
that of the client's address, for a client that books without naming its hold.

Every statement here changes seats, so it runs under the booking turn (``DeskAgenda.take_booking_turn``),
which the caller takes first: what a booking read of a slot then stays true until it commits.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

PLACE = """
    with seats as (update biometrics.slots set booked = booked + $3 where slot_key = $2 returning slot_key)
    insert into biometrics.holds (hold_hash, slot_key, persons, client_hash, expires_at)
    select $1, slot_key, $3, $4, now() + $5::interval from seats returning expires_at"""
CLAIM = """
    with claimed as (
             delete from biometrics.holds where hold_hash = (
                 select hold_hash from biometrics.holds
                 where slot_key = $1 and expires_at > now()
                   and (hold_hash = $4::bytea or ($4::bytea is null and client_hash = $2 and persons = $3))
                 order by expires_at limit 1)
             returning slot_key, persons, expires_at),
         freed as (update biometrics.slots s set booked = s.booked - c.persons from claimed c where s.slot_key = c.slot_key)
    select slot_key, persons, expires_at from claimed"""
RELEASE_EXPIRED = """
    with gone as (
             delete from biometrics.holds where hold_hash in (
                 select hold_hash from biometrics.holds where expires_at <= now() order by expires_at limit $1)
             returning slot_key, persons),
         freed as (
             update biometrics.slots s set booked = s.booked - g.persons
             from (select slot_key, sum(persons)::int as persons from gone group by slot_key) as g
             where s.slot_key = g.slot_key)
    select count(*) from gone"""


@dataclass(frozen=True)
class Hold:
    slot_key: str
    persons: int
    expires_at: datetime


class Holds:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def place(self, hold_hash: bytes, slot_key: str, persons: int, client_hash: bytes, lasting: timedelta) -> datetime:
        """Hold ``persons`` seats of the slot ``slot_key`` for ``lasting`` (the caller has seen them
        free); returns when the hold expires."""
        return await self._connection.fetchval(PLACE, hold_hash, slot_key, persons, client_hash, lasting)

    async def live_of(self, client_hash: bytes) -> int:
        """How many holds the client has that have not expired."""
        return await self._connection.fetchval(
            "select count(*) from biometrics.holds where client_hash = $1 and expires_at > now()", client_hash
        )

    async def claim(self, slot_key: str, persons: int, client_hash: bytes, hold_hash: bytes | None) -> Hold | None:
        """Take a live hold of the slot ``slot_key`` off the table and free its seats, for the caller
        to book them at once: the hold whose id hashes to ``hold_hash``, or without one, the client's
        hold of the slot for ``persons`` that expires first. None when there is no such hold."""
        row = await self._connection.fetchrow(CLAIM, slot_key, client_hash, persons, hold_hash)
        return Hold(row["slot_key"], row["persons"], row["expires_at"]) if row is not None else None

    async def release_expired(self, limit: int) -> int:
        """Delete up to ``limit`` expired holds, earliest first, and free their seats; returns how many."""
        return await self._connection.fetchval(RELEASE_EXPIRED, limit)
