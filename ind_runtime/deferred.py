"""Records set aside, until the event they wait for has been handled or until their handler is
tried again after a failure: a narrow store over ``runtime.deferred_records``, one queue per
(consumer, topic), oldest first."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from ind_runtime.records import ConsumedRecord, headers_from_json


@dataclass(frozen=True)
class DeferredRecord:
    id: int
    record: ConsumedRecord
    deferred_at: datetime
    attempts: int
    retry_at: datetime


class DeferredRecords:
    def __init__(self, consumer: str, topic: str) -> None:
        self.consumer = consumer
        self.topic = topic

    async def add(
        self, connection: asyncpg.Connection, record: ConsumedRecord, reason: str, attempts: int = 0, retry_in_s: float = 0.0
    ) -> None:
        """Set ``record`` aside (after ``attempts`` failed tries, to be tried again in ``retry_in_s``);
        a redelivered record that is already waiting is not added twice."""
        await connection.execute(
            """insert into runtime.deferred_records
                   (consumer, topic, partition, "offset", key, value, headers, reason, attempts, retry_at)
               values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, now() + $10::interval) on conflict do nothing""",
            self.consumer,
            *record.row(),
            reason[:500],
            attempts,
            timedelta(seconds=retry_in_s),
        )

    async def failed_again(self, connection: asyncpg.Connection, deferred_id: int, reason: str, retry_in_s: float) -> None:
        """Count one more failed try of a record set aside, and when to try it next."""
        await connection.execute(
            """update runtime.deferred_records set attempts = attempts + 1, reason = $2, retry_at = now() + $3::interval
               where id = $1""",
            deferred_id,
            reason[:500],
            timedelta(seconds=retry_in_s),
        )

    async def waiting_keys(self, connection: asyncpg.Connection) -> set[bytes | None]:
        rows = await connection.fetch(
            "select distinct key from runtime.deferred_records where consumer = $1 and topic = $2", self.consumer, self.topic
        )
        return {row["key"] for row in rows}

    async def oldest(self, connection: asyncpg.Connection, limit: int) -> list[DeferredRecord]:
        """The oldest records set aside, locked until the caller's transaction ends."""
        rows = await connection.fetch(
            # skip locked: a second worker of the service passes over what this one is retrying
            """select * from runtime.deferred_records where consumer = $1 and topic = $2
               order by id limit $3 for update skip locked""",
            self.consumer,
            self.topic,
            limit,
        )
        return [DeferredRecord(row["id"], _record(row), row["deferred_at"], row["attempts"], row["retry_at"]) for row in rows]

    async def remove(self, connection: asyncpg.Connection, deferred_ids: list[int]) -> None:
        if deferred_ids:
            await connection.execute("delete from runtime.deferred_records where id = any($1::bigint[])", deferred_ids)


def _record(row) -> ConsumedRecord:
    return ConsumedRecord(
        row["topic"], row["partition"], row["offset"], row["key"], row["value"], headers_from_json(row["headers"])
    )
