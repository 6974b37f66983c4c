"""The outbox relay: publishes rows that handlers committed, in id order, then marks them published.

One relay per publisher holds a transaction-scoped advisory lock while it publishes, so two workers
of a service never interleave one case's events. Every pass reads all unpublished rows, so rows left
behind by a crash, or committed out of id order, are published on the next pass. A crash between
send and mark republishes a few rows: consumers deduplicate by event id (the inbox).
"""

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.errors import InvalidProducerEpoch, OutOfOrderSequenceNumber, ProducerClosed, ProducerFenced, UnknownProducerId

from ind_runtime.db import advisory_lock_id
from ind_runtime.logs import get_logger

log = get_logger(__name__)

# After one of these an idempotent producer sends nothing more (aiokafka's sender stops): seen as
# OutOfOrderSequenceNumber after the broker restarted under load. Only a new producer gets out of it.
PRODUCER_DEAD = (OutOfOrderSequenceNumber, ProducerFenced, InvalidProducerEpoch, UnknownProducerId, ProducerClosed)


class OutboxRelay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        producer: AIOKafkaProducer,
        publisher: str,
        *,
        batch_size: int = 500,
        poll_interval_s: float = 1.0,
        renew_producer: Callable[[], Awaitable[AIOKafkaProducer]] | None = None,
    ) -> None:
        self._pool = pool
        self._producer = producer
        self._renew_producer = renew_producer
        self._publisher = publisher
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._lock_id = advisory_lock_id(f"outbox:{publisher}")
        self._wake = asyncio.Event()

    def wake(self, *_args) -> None:
        self._wake.set()

    async def publish_pending(self) -> int:
        """Publish one batch of unpublished rows; returns how many were published."""
        async with self._pool.acquire() as conn, conn.transaction():
            if not await conn.fetchval("select pg_try_advisory_xact_lock($1)", self._lock_id):
                return 0
            rows = await conn.fetch(
                """select id, topic, key, value, headers from runtime.outbox
                   where publisher = $1 and published_at is null order by id limit $2""",
                self._publisher,
                self._batch_size,
            )
            if not rows:
                return 0
            deliveries = [
                await self._producer.send(
                    row["topic"],
                    value=row["value"],
                    key=row["key"],
                    headers=[(name, value.encode()) for name, value in json.loads(row["headers"])],
                )
                for row in rows
            ]
            await asyncio.gather(*deliveries)
            await conn.execute(
                "update runtime.outbox set published_at = now() where id = any($1::bigint[])",
                [row["id"] for row in rows],
            )
            return len(rows)

    async def run(self) -> None:
        """Publish until cancelled; woken by NOTIFY on commit, and polling for anything missed."""
        listener = await self._pool.acquire()
        try:
            await listener.add_listener("outbox", self._on_notify)
            while True:
                try:
                    while await self.publish_pending() == self._batch_size:
                        pass
                except Exception as exc:  # noqa: BLE001 - the relay outlives any one failed pass
                    log.warning("outbox relay pass failed; retrying", publisher=self._publisher, error=type(exc).__name__)
                    if isinstance(exc, PRODUCER_DEAD) and self._renew_producer is not None:
                        await self._renewed()
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), self._poll_interval_s)
                except TimeoutError:
                    pass
        finally:
            with contextlib.suppress(asyncpg.InterfaceError):  # a connection lost with the database
                await listener.remove_listener("outbox", self._on_notify)
            await self._pool.release(listener)

    async def _renewed(self) -> None:
        assert self._renew_producer is not None
        try:
            self._producer = await self._renew_producer()
            log.warning("outbox relay replaced a producer that could send no more", publisher=self._publisher)
        except Exception as exc:  # noqa: BLE001 - the broker is still away: the next pass tries again
            log.warning("replacing the producer failed; retrying", publisher=self._publisher, error=type(exc).__name__)

    def _on_notify(self, _conn, _pid, _channel, payload: str) -> None:
        if payload == self._publisher:
            self._wake.set()
