"""Records set aside until the event they wait for has been handled: a narrow store over
``runtime.deferred_records``, one queue per (consumer, topic), oldest first."""

import base64
import json
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from ind_runtime.records import ConsumedRecord


@dataclass(frozen=True)
class DeferredRecord:
    id: int
    record: ConsumedRecord
    deferred_at: datetime


class DeferredRecords:
    def __init__(self, consumer: str, topic: str) -> None:
        self.consumer = consumer
        self.topic = topic

    async def add(self, connection: asyncpg.Connection, record: ConsumedRecord, reason: str) -> None:
        """Set ``record`` aside; a redelivered record that is already waiting is not added twice."""
        await connection.execute(
            """insert into runtime.deferred_records (consumer, topic, partition, "offset", key, value, headers, reason)
               values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8) on conflict do nothing""",
            self.consumer,
            record.topic,
            record.partition,
            record.offset,
            record.key,
            record.value,
            json.dumps([[name, base64.b64encode(value).decode()] for name, value in record.headers]),
            reason[:500],
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
        return [DeferredRecord(row["id"], _record(row), row["deferred_at"]) for row in rows]

    async def remove(self, connection: asyncpg.Connection, deferred_ids: list[int]) -> None:
        if deferred_ids:
            await connection.execute("delete from runtime.deferred_records where id = any($1::bigint[])", deferred_ids)


def _record(row) -> ConsumedRecord:
    headers = tuple((name, base64.b64decode(value)) for name, value in json.loads(row["headers"]))
    return ConsumedRecord(row["topic"], row["partition"], row["offset"], row["key"], row["value"], headers)
