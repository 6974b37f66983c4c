"""One database transaction around a handler: its effects, its inbox mark and its outbox rows.

The transaction rolls back unless ``commit()`` is called, so a handler that returns early or raises
leaves nothing behind. Events are published only after commit (by the outbox relay), so nothing is
ever announced that the database does not hold.
"""

import json
from collections.abc import Sequence

import asyncpg

from schemas.envelope import CloudEvent

Headers = Sequence[tuple[str, bytes]]


class UnitOfWork:
    def __init__(self, pool: asyncpg.Pool, publisher: str) -> None:
        self._pool = pool
        self._publisher = publisher
        self._committed = False
        self.emitted: list[CloudEvent] = []

    async def __aenter__(self) -> "UnitOfWork":
        self.connection: asyncpg.Connection = await self._pool.acquire()
        self._transaction = self.connection.transaction()
        await self._transaction.start()
        return self

    async def __aexit__(self, *exc_info) -> None:
        try:
            if not self._committed:
                await self._transaction.rollback()
        finally:
            await self._pool.release(self.connection)

    async def first_time(self, consumer: str, event_id: str) -> bool:
        """Record that ``consumer`` handles ``event_id``; False when it already did."""
        inserted = await self.connection.fetchval(
            "insert into runtime.inbox (consumer, event_id) values ($1, $2) on conflict do nothing returning true",
            consumer,
            event_id,
        )
        return bool(inserted)

    async def emit(self, topic: str, key: str, event: CloudEvent) -> None:
        headers = [["ce_type", event.type], ["ce_id", event.id]]
        await self.connection.execute(
            "insert into runtime.outbox (publisher, topic, key, value, headers) values ($1, $2, $3, $4, $5::jsonb)",
            self._publisher,
            topic,
            key.encode(),
            event.to_json(),
            json.dumps(headers),
        )
        self.emitted.append(event)

    async def commit(self) -> None:
        if self.emitted:
            # Delivered only if the transaction commits: wakes the relays listening for this publisher.
            await self.connection.execute("select pg_notify('outbox', $1)", self._publisher)
        await self._transaction.commit()
        self._committed = True
