"""Handling consumed records so that each always ends somewhere: handled, set aside, or parked.

Faust acks a record whose agent raised and never offers it again, so no exception may reach Faust.
What a failure leads to depends on its kind (``ind_runtime.failures.verdict``, the one place that decides):
- an outage of the database or the broker is retried in line for as long as it lasts (every record
  would fail alike, so parking them would only move the outage into the dead-letter topic);
- a record that breaks its contract is parked at once: a retry cannot change its bytes;
- any other error is retried a bounded number of times, then the record is parked (``parking``:
  its dead-letter topic, or PostgreSQL when that topic will not take it) and the partition moves on.

Nothing but an outage waits in line: Faust feeds every agent of a worker through one loop that stops
at the first full stream buffer, so one agent waiting would stall the worker's other topics,
possibly the very one it waits for. An event that waits for another topic's event (``NotReady``),
and a record whose handler failed, are set aside instead (``set_aside``), later records with their
key behind them, and a background pass tries them again. Without a store for them (unit tests),
both are tried again in line.

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

import structlog
from aiokafka import AIOKafkaProducer

from ind_runtime.deferred import DeferredRecords
from ind_runtime.failures import NotReady, RetryPolicy, Verdict, is_outage, verdict
from ind_runtime.kept_records import KeptRecords
from ind_runtime.logs import get_logger
from ind_runtime.parking import Parking
from ind_runtime.records import ConsumedRecord
from ind_runtime.set_aside import SetAside
from ind_runtime.unit_of_work import SharedTransaction

log = get_logger(__name__)
__all__ = ["BatchHandler", "NotReady", "RecordHandler", "RecordProcessor", "RetryPolicy", "is_outage"]

RecordHandler = Callable[[ConsumedRecord], Awaitable[None]]
# Handles what it can of a batch in one unit of work and returns the records it left, in their
# order; all or nothing: if it raises, every record goes to the record handler instead. The records
# it leaves are handled after those it took, so it may take a record that follows one it leaves
# only where the two need no order (intake: a rejection and a case are independent).
BatchHandler = Callable[[Sequence[ConsumedRecord]], Awaitable[Sequence[ConsumedRecord]]]


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
        """``kept``: where a record goes that its dead-letter topic will not take (see ``parking``).
        Without ``shared_transaction`` (unit tests) every record is handled on its own, in line."""
        self.consumer = consumer
        self._handle = handle
        self._handle_batch = handle_batch if shared_transaction is not None else None
        self._parking = Parking(consumer, producer, policy.delay, kept)
        self._policy = policy
        self._shared_transaction = shared_transaction
        self._set_aside = (
            SetAside(
                consumer,
                deferred,
                policy,
                handle,
                self._offer_batch if self._handle_batch is not None else None,
                self._parking,
                shared_transaction,
            )
            if deferred is not None and shared_transaction is not None
            else None
        )

    async def retry_deferred(self, limit: int = 500) -> int:
        """One pass over the records set aside (see ``SetAside.retry``)."""
        assert self._set_aside is not None
        return await self._set_aside.retry(limit)

    async def retry_deferred_forever(self, interval_s: float = 0.5) -> None:
        assert self._set_aside is not None
        await self._set_aside.retry_forever(interval_s)

    async def process_batch(self, records: Sequence[ConsumedRecord]) -> None:
        """Handle ``records`` (in consumption order) so that each ends handled, set aside or parked."""
        one_by_one: Sequence[ConsumedRecord] = records
        if self._shared_transaction is not None:
            try:
                one_by_one = await self._in_one_transaction(records)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - the one-by-one path below handles or parks each
                log.warning(
                    "batch rolled back; handling its records one by one", error=type(error).__name__, records=len(records)
                )
        for record in one_by_one:
            await self.process(record)

    async def _in_one_transaction(self, records: Sequence[ConsumedRecord]) -> list[ConsumedRecord]:
        """Handle ``records`` in one transaction; returns those held back for the one-by-one path."""
        assert self._shared_transaction is not None
        one_by_one: list[ConsumedRecord] = []
        held_back: set[tuple[str, int]] = set()  # partitions with a record held back: the rest waits behind it
        async with self._shared_transaction() as transaction:
            connection = transaction.connection
            if self._handle_batch is not None:
                records = await self._batch_first(connection, records)
            for record in records:
                partition = (record.topic, record.partition)
                if partition in held_back:
                    one_by_one.append(record)
                    continue
                with structlog.contextvars.bound_contextvars(
                    consumer=self.consumer, topic=record.topic, partition=record.partition, offset=record.offset
                ):
                    if self._set_aside is not None and await self._set_aside.behind_its_key(connection, record):
                        continue
                    try:
                        await self._handle(record)
                    except asyncio.CancelledError:
                        raise
                    except Exception as error:  # noqa: BLE001 - failures.verdict decides
                        if verdict(error, 1, 0.0, self._policy) is Verdict.WAIT_OUT:
                            raise  # the whole batch goes one by one, where outages are waited out
                        if isinstance(error, NotReady) and self._set_aside is not None:
                            await self._set_aside.add(connection, record, str(error))
                        else:  # tried again on its own, outside the batch that may be the cause
                            held_back.add(partition)
                            one_by_one.append(record)
            await transaction.commit()
        return one_by_one

    async def _batch_first(self, connection, records: Sequence[ConsumedRecord]) -> Sequence[ConsumedRecord]:
        """Hand ``records`` to the batch handler (but those whose key waits behind a record set
        aside: they stay in line for the loop); returns what is left for the record handler."""
        waiting = await self._set_aside.waiting_keys(connection) if self._set_aside is not None else set()
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
            log.warning(
                "batch handler failed; its records go to the record handler",
                consumer=self.consumer,
                error=type(error).__name__,
                records=len(records),
            )
            return records

    async def process(self, record: ConsumedRecord) -> None:
        """Handle ``record`` on its own: tried again in line only while an outage lasts (or, without
        a store to set it aside in, until ``failures.verdict`` says to park it)."""
        with structlog.contextvars.bound_contextvars(
            consumer=self.consumer, topic=record.topic, partition=record.partition, offset=record.offset
        ):
            attempts = 0
            started = time.monotonic()
            while True:
                try:
                    await self._handle_or_set_aside(record)
                    return
                except asyncio.CancelledError:
                    raise
                except Exception as error:  # noqa: BLE001 - every failure must end handled, set aside or parked
                    attempts += 1
                    decided = verdict(error, attempts, time.monotonic() - started, self._policy)
                    if decided is Verdict.PARK:
                        await self._parking.park(record, error, attempts)
                        return
                    if (
                        decided is Verdict.TRY_AGAIN
                        and self._set_aside is not None
                        and await self._set_aside.failed(record, error)
                    ):
                        return
                    log.warning("handler failed; retrying", error=type(error).__name__, attempt=attempts)
                    await asyncio.sleep(self._policy.delay(attempts))

    async def _handle_or_set_aside(self, record: ConsumedRecord) -> None:
        if self._set_aside is None or self._shared_transaction is None:
            await self._handle(record)
            return
        async with self._shared_transaction() as transaction:
            if not await self._set_aside.behind_its_key(transaction.connection, record):
                try:
                    await self._handle(record)
                except NotReady as error:
                    await self._set_aside.add(transaction.connection, record, str(error))
            await transaction.commit()
