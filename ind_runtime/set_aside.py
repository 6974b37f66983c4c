"""Records set aside, and the background pass that tries them again, oldest first.

A record is set aside when it waits for another topic's event (``NotReady``) or when its handler
failed on its own: waiting for it in line would stall every topic of the worker (Faust feeds every
agent through one loop, which stops at the first full stream buffer). A later record with the same
key is set aside behind it, so one case's events keep their order. The store is
``runtime.deferred_records`` (``DeferredRecords``); this module keeps the keys that wait in memory,
so that a batch asks the database only once, and runs the pass.
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

import structlog

from ind_runtime.deferred import DeferredRecord, DeferredRecords
from ind_runtime.failures import NotReady, RetryPolicy, Verdict, verdict
from ind_runtime.logs import get_logger
from ind_runtime.parking import Parking
from ind_runtime.records import ConsumedRecord
from ind_runtime.unit_of_work import SharedTransaction

log = get_logger(__name__)

OfferBatch = Callable[[Sequence[ConsumedRecord]], Awaitable[Sequence[ConsumedRecord]]]


class SetAside:
    def __init__(
        self,
        consumer: str,
        store: DeferredRecords,
        policy: RetryPolicy,
        handle: Callable[[ConsumedRecord], Awaitable[None]],
        offer_batch: OfferBatch | None,
        parking: Parking,
        shared_transaction: Callable[..., SharedTransaction],
    ) -> None:
        """``offer_batch``: the batch handler, which takes what it can of a pass's records first."""
        self.consumer = consumer
        self._store = store
        self._policy = policy
        self._handle = handle
        self._offer_batch = offer_batch
        self._parking = parking
        self._shared_transaction = shared_transaction
        self._waiting: set[bytes | None] | None = None  # keys with records set aside; None: not read yet

    async def waiting_keys(self, connection) -> set[bytes | None]:
        if self._waiting is None:
            self._waiting = await self._store.waiting_keys(connection)
        return self._waiting

    async def behind_its_key(self, connection, record: ConsumedRecord) -> bool:
        """Set ``record`` aside if an earlier record with its key is set aside; True if it was."""
        if record.key not in await self.waiting_keys(connection):
            return False
        await self._store.add(connection, record, "waits behind an earlier record with its key")
        return True

    async def add(self, connection, record: ConsumedRecord, reason: str) -> None:
        """Set aside ``record``, which waits for another topic's event."""
        await self._store.add(connection, record, reason)
        (await self.waiting_keys(connection)).add(record.key)
        log.debug("record set aside until what it waits for is handled", reason=reason[:200])

    async def failed(self, record: ConsumedRecord, error: BaseException) -> bool:
        """Set aside, in a transaction of its own, a record whose handler failed once; False if
        that failed too (an outage: the caller tries again in line)."""
        try:
            async with self._shared_transaction() as transaction:
                await self._store.add(
                    transaction.connection, record, _reason(error), attempts=1, retry_in_s=self._policy.delay(1)
                )
                await transaction.commit()
        except asyncio.CancelledError:
            raise
        except Exception as failure:  # noqa: BLE001 - tried again in line, like the handler
            log.warning("setting a failed record aside failed", error=type(failure).__name__)
            return False
        if self._waiting is not None:
            self._waiting.add(record.key)
        log.warning("handler failed; record set aside to be tried again", error=type(error).__name__)
        return True

    async def retry(self, limit: int = 500) -> int:
        """One pass over the records set aside, oldest first; returns how many were settled
        (handled, or parked as ``failures.verdict`` says). A record not due for its next try, and
        every later one with its key, waits for a later pass."""
        settled: list[int] = []
        # appends written per unit of work: one failing at commit would roll back every record
        # settled here, over and over (parked ones too, so they would be parked again each pass)
        async with self._shared_transaction(defer_appends=False) as transaction:
            connection = transaction.connection
            items = await self._store.oldest(connection, limit)
            now = datetime.now(UTC)
            blocked: set[bytes | None] = {item.record.key for item in items if item.retry_at > now}
            items = [item for item in items if item.record.key not in blocked]
            if items and self._offer_batch is not None:
                left = {id(record) for record in await self._offer_batch([item.record for item in items])}
                settled.extend(item.id for item in items if id(item.record) not in left)
                items = [item for item in items if id(item.record) in left]
            for item in items:
                if item.record.key in blocked:
                    continue
                if await self._settle(connection, item, now):
                    settled.append(item.id)
                else:
                    blocked.add(item.record.key)
            await self._store.remove(connection, settled)
            self._waiting = await self._store.waiting_keys(connection)
            await transaction.commit()
        return len(settled)

    async def _settle(self, connection, item: DeferredRecord, now: datetime) -> bool:
        """Try ``item`` once more; True once it is handled or parked."""
        record = item.record
        with structlog.contextvars.bound_contextvars(
            consumer=self.consumer, topic=record.topic, partition=record.partition, offset=record.offset
        ):
            try:
                await self._handle(record)
                return True
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - failures.verdict decides
                attempts = item.attempts + 1
                decided = verdict(error, attempts, (now - item.deferred_at).total_seconds(), self._policy)
                if decided is Verdict.WAIT_OUT:
                    raise
                if decided is Verdict.PARK:
                    await self._parking.park(record, error, attempts)
                    return True
                if not isinstance(error, NotReady):
                    await self._store.failed_again(connection, item.id, _reason(error), self._policy.delay(attempts))
                return False

    async def retry_forever(self, interval_s: float = 0.5) -> None:
        while True:
            try:
                if settled := await self.retry():
                    log.info("set-aside records settled", consumer=self.consumer, records=settled)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - the pass outlives an outage; the rows stay
                log.warning("retrying set-aside records failed; will try again", error=type(error).__name__)
            await asyncio.sleep(interval_s)


def _reason(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"
