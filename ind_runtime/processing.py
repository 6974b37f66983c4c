"""Handling consumed records so that each always ends somewhere: handled, set aside, or parked.

Faust acks a record whose agent raised and never offers it again, so no exception may reach Faust.
What a failure leads to depends on its kind (``ind_runtime.failures``):
- an outage of the database or the broker is retried in line for as long as it lasts (every record
  would fail alike, so parking them would only move the outage into the dead-letter topic);
- a record that breaks its contract is parked at once: a retry cannot change its bytes;
- any other error is retried a bounded number of times, then the record is parked (``parking``:
  its dead-letter topic, or PostgreSQL when that topic will not take it) and the partition moves on.

Nothing but an outage waits in line: Faust feeds every agent of a worker through one loop that stops
at the first full stream buffer, so one agent waiting would stall the worker's other topics,
possibly the very one it waits for. An event that waits for another topic's event (``NotReady``),
and a record whose handler failed, are set aside in ``runtime.deferred_records`` instead; later
records with their key are set aside behind them (one case's events keep their order), and a
background pass retries them, oldest first: a waiting event until it is handled or has waited
``not_ready_max_s``, a failing one until its ``max_attempts``-th try; then it is parked. Without a
store for them (unit tests), both are retried in line.

Records arrive in batches. A batch is first handled in one shared transaction (each handler a
savepoint in it), which is where the throughput comes from. A service can also hand the whole batch
to a batch handler first (``BatchHandler``), which does with a few set-based statements what the
record handler does with several statements per record; what it leaves, or everything if it
fails, goes to the record handler as below. A record whose handler fails there is
held back with every later record of its partition, so a partition's order holds, and those go
through the one-by-one path above after the batch commits. Anything that breaks the batch itself
(an outage) rolls it back whole, and then every record of it takes the one-by-one path. The pass
over the records set aside offers them to the batch handler too: in a burst they are thousands,
and one by one each cost about nine times what it costs in a batch.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

import structlog
from aiokafka import AIOKafkaProducer

from ind_runtime.deferred import DeferredRecords
from ind_runtime.failures import MALFORMED, NotReady, is_outage
from ind_runtime.kept_records import KeptRecords
from ind_runtime.logs import get_logger
from ind_runtime.parking import Parking
from ind_runtime.records import ConsumedRecord
from ind_runtime.unit_of_work import SharedTransaction

log = get_logger(__name__)
__all__ = ["BatchHandler", "NotReady", "RecordHandler", "RecordProcessor", "RetryPolicy", "is_outage"]

RecordHandler = Callable[[ConsumedRecord], Awaitable[None]]
# Handles what it can of a batch in one unit of work and returns the records it left, in their
# order; all or nothing: if it raises, every record goes to the record handler instead. The records
# it leaves are handled after those it took, so it may take a record that follows one it leaves
# only where the two need no order (intake: a rejection and a case are independent).
BatchHandler = Callable[[Sequence[ConsumedRecord]], Awaitable[Sequence[ConsumedRecord]]]


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    backoff_s: float = 0.2
    backoff_max_s: float = 10.0
    not_ready_max_s: float = 600.0

    def delay(self, attempt: int) -> float:
        return min(self.backoff_s * 2 ** (attempt - 1), self.backoff_max_s)


class RecordProcessor:
    def __init__(
        self,
        consumer: str,
        handle: RecordHandler,
        producer: Callable[[], AIOKafkaProducer],
        policy: RetryPolicy,
        shared_transaction: Callable[..., SharedTransaction] | None = None,
        deferred: DeferredRecords | None = None,
        handle_batch: BatchHandler | None = None,
        kept: KeptRecords | None = None,
    ) -> None:
        """``kept``: where a record goes that its dead-letter topic will not take (see ``parking``)."""
        self.consumer = consumer
        self._handle = handle
        self._handle_batch = handle_batch if shared_transaction is not None else None
        self._parking = Parking(consumer, producer, policy.delay, kept)
        self._policy = policy
        self._shared_transaction = shared_transaction
        self._deferred = deferred if shared_transaction is not None else None
        self._waiting: set[bytes | None] | None = None  # keys with records set aside; None: not read yet

    async def process_batch(self, records: Sequence[ConsumedRecord]) -> None:
        """Handle ``records`` (in consumption order) so that each ends handled or parked."""
        one_by_one: Sequence[ConsumedRecord] = records
        if self._shared_transaction is not None:
            try:
                one_by_one = await self._in_one_transaction(records)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - the one-by-one path below handles or parks each
                log.warning("batch rolled back; handling its records one by one", error=type(error).__name__, records=len(records))
        for record in one_by_one:
            await self.process(record)

    async def _in_one_transaction(self, records: Sequence[ConsumedRecord]) -> list[ConsumedRecord]:
        """Handle ``records`` in one transaction; returns those held back for the one-by-one path."""
        one_by_one: list[ConsumedRecord] = []
        held_back: set[tuple[str, int]] = set()  # partitions with a record held back: the rest waits behind it
        async with self._shared_transaction() as transaction:
            if self._handle_batch is not None:
                records = await self._batch_first(transaction.connection, records)
            for record in records:
                partition = (record.topic, record.partition)
                if partition in held_back:
                    one_by_one.append(record)
                    continue
                with structlog.contextvars.bound_contextvars(
                    consumer=self.consumer, topic=record.topic, partition=record.partition, offset=record.offset
                ):
                    if await self._waits_behind_its_key(transaction.connection, record):
                        continue
                    try:
                        await self._handle(record)
                    except asyncio.CancelledError:
                        raise
                    except NotReady as error:
                        if self._deferred is None:
                            held_back.add(partition)
                            one_by_one.append(record)
                        else:
                            await self._defer(transaction.connection, record, str(error))
                    except Exception as error:
                        if is_outage(error):
                            raise
                        held_back.add(partition)
                        one_by_one.append(record)
            await transaction.commit()
        return one_by_one

    async def _batch_first(self, connection, records: Sequence[ConsumedRecord]) -> Sequence[ConsumedRecord]:
        """Hand ``records`` to the batch handler (but those whose key waits behind a record set
        aside: they stay in line for the loop); returns what is left for the record handler."""
        assert self._handle_batch is not None
        if self._deferred is not None and self._waiting is None:
            self._waiting = await self._deferred.waiting_keys(connection)
        waiting = self._waiting or set()
        offered = [record for record in records if record.key not in waiting]
        if not offered:
            return records
        handled = {id(record) for record in offered} - {id(record) for record in await self._offer_batch(offered)}
        return [record for record in records if id(record) not in handled]

    async def _offer_batch(self, records: Sequence[ConsumedRecord]) -> Sequence[ConsumedRecord]:
        """What the batch handler leaves of ``records``; all of them if it fails (but an outage)."""
        assert self._handle_batch is not None
        try:
            return await self._handle_batch(records)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            if is_outage(error):
                raise
            log.warning("batch handler failed; its records go to the record handler", consumer=self.consumer, error=type(error).__name__, records=len(records))
            return records

    async def _waits_behind_its_key(self, connection, record: ConsumedRecord) -> bool:
        """Set ``record`` aside if an earlier record with its key is set aside; True if it was."""
        if self._deferred is None:
            return False
        if self._waiting is None:
            self._waiting = await self._deferred.waiting_keys(connection)
        if record.key not in self._waiting:
            return False
        await self._deferred.add(connection, record, "waits behind an earlier record with its key")
        return True

    async def _defer(self, connection, record: ConsumedRecord, reason: str) -> None:
        assert self._deferred is not None and self._waiting is not None
        await self._deferred.add(connection, record, reason)
        self._waiting.add(record.key)
        log.debug("record set aside until what it waits for is handled", reason=reason[:200])

    async def retry_deferred(self, limit: int = 500) -> int:
        """One pass over the records set aside, oldest first; returns how many were settled
        (handled, or parked after waiting ``not_ready_max_s`` or failing ``max_attempts`` times).
        The batch handler, if any, takes what it can of them first, as it does in line; the record
        handler gets the rest. A failed record not due for its next try yet, and every later one
        with its key, waits for a later pass."""
        assert self._deferred is not None and self._shared_transaction is not None
        settled: list[int] = []
        # appends written per unit of work: one failing at commit would roll back every record
        # settled here, over and over (parked ones too, so they would be parked again each pass)
        async with self._shared_transaction(defer_appends=False) as transaction:
            connection = transaction.connection
            items = await self._deferred.oldest(connection, limit)
            now = datetime.now(timezone.utc)
            blocked: set[bytes | None] = {item.record.key for item in items if item.retry_at > now}
            items = [item for item in items if item.record.key not in blocked]
            if items and self._handle_batch is not None:
                left = {id(record) for record in await self._offer_batch([item.record for item in items])}
                settled.extend(item.id for item in items if id(item.record) not in left)
                items = [item for item in items if id(item.record) in left]
            for item in items:
                record = item.record
                if record.key in blocked:
                    continue
                with structlog.contextvars.bound_contextvars(
                    consumer=self.consumer, topic=record.topic, partition=record.partition, offset=record.offset
                ):
                    try:
                        await self._handle(record)
                    except asyncio.CancelledError:
                        raise
                    except Exception as error:
                        if is_outage(error):
                            raise
                        if not self._gives_up_waiting(error, item.attempts + 1, item.deferred_at):
                            blocked.add(record.key)
                            if not isinstance(error, NotReady):
                                await self._deferred.failed_again(connection, item.id, _reason(error), self._policy.delay(item.attempts + 1))
                            continue
                        await self._parking.park(record, error, item.attempts + 1)
                settled.append(item.id)
            await self._deferred.remove(connection, settled)
            self._waiting = await self._deferred.waiting_keys(connection)
            await transaction.commit()
        return len(settled)

    async def retry_deferred_forever(self, interval_s: float = 0.5) -> None:
        while True:
            try:
                if settled := await self.retry_deferred():
                    log.info("set-aside records settled", consumer=self.consumer, records=settled)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - the pass outlives an outage; the rows stay
                log.warning("retrying set-aside records failed; will try again", error=type(error).__name__)
            await asyncio.sleep(interval_s)

    async def process(self, record: ConsumedRecord) -> None:
        with structlog.contextvars.bound_contextvars(
            consumer=self.consumer, topic=record.topic, partition=record.partition, offset=record.offset
        ):
            failures = 0
            started = time.monotonic()
            while True:
                try:
                    await self._handle_or_set_aside(record)
                    return
                except asyncio.CancelledError:
                    raise
                except Exception as error:  # noqa: BLE001 - every failure must end handled, set aside or parked
                    failures += 1
                    if self._gives_up(error, failures, time.monotonic() - started):
                        await self._parking.park(record, error, failures)
                        return
                    if self._deferred is not None and not is_outage(error) and await self._set_aside_failed(record, error):
                        return
                    log.warning("handler failed; retrying", error=type(error).__name__, attempt=failures)
                    await asyncio.sleep(self._policy.delay(failures))

    async def _handle_or_set_aside(self, record: ConsumedRecord) -> None:
        if self._deferred is None:
            await self._handle(record)
            return
        async with self._shared_transaction() as transaction:
            if not await self._waits_behind_its_key(transaction.connection, record):
                try:
                    await self._handle(record)
                except NotReady as error:
                    await self._defer(transaction.connection, record, str(error))
            await transaction.commit()

    async def _set_aside_failed(self, record: ConsumedRecord, error: BaseException) -> bool:
        """Set aside a record whose handler failed once, for the background pass to try again;
        False if that failed too (an outage: the caller retries in line)."""
        assert self._deferred is not None and self._shared_transaction is not None
        try:
            async with self._shared_transaction() as transaction:
                await self._deferred.add(transaction.connection, record, _reason(error), attempts=1, retry_in_s=self._policy.delay(1))
                await transaction.commit()
        except asyncio.CancelledError:
            raise
        except Exception as failure:  # noqa: BLE001 - retried in line like the handler
            log.warning("setting a failed record aside failed", error=type(failure).__name__)
            return False
        if self._waiting is not None:
            self._waiting.add(record.key)
        log.warning("handler failed; record set aside to be tried again", error=type(error).__name__)
        return True

    def _gives_up_waiting(self, error: BaseException, attempts: int, deferred_at: datetime) -> bool:
        """Whether a record set aside is parked now, after its ``attempts``-th try failed with ``error``."""
        if isinstance(error, MALFORMED):
            return True
        if isinstance(error, NotReady):
            return (datetime.now(timezone.utc) - deferred_at).total_seconds() >= self._policy.not_ready_max_s
        return attempts >= self._policy.max_attempts

    def _gives_up(self, error: BaseException, failures: int, waited_s: float) -> bool:
        if isinstance(error, MALFORMED):
            return True
        if isinstance(error, NotReady):
            return waited_s >= self._policy.not_ready_max_s
        return not is_outage(error) and failures >= self._policy.max_attempts


def _reason(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"
