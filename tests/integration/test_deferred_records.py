"""A record that waits for another topic's event is set aside instead of stalling its worker: the
batch moves on, later records of its key wait behind it, a background pass settles them in order
once the awaited event is there, and one that waits too long is parked."""

from uuid import uuid4

from aiokafka import AIOKafkaProducer

from ind_runtime.deferred import DeferredRecords
from ind_runtime.processing import NotReady, RecordProcessor, RetryPolicy
from ind_runtime.records import ConsumedRecord
from ind_runtime.unit_of_work import SharedTransaction, UnitOfWork
from schemas.topics import CASES_REGISTERED
from tests.conftest import eventually

TOPIC = CASES_REGISTERED.name


class World:
    """Handles records of keys whose 'registration' has arrived; NotReady for the others."""

    def __init__(self) -> None:
        self.registered: set[bytes] = set()
        self.handled: list[tuple[bytes, int]] = []

    async def handle(self, record: ConsumedRecord) -> None:
        if record.key not in self.registered:
            raise NotReady(f"registration of {record.key!r} not read yet")
        self.handled.append((record.key, record.offset))


def _processor(
    pool, world: World, consumer: str, producer=None, not_ready_max_s: float = 600.0, handle_batch=None
) -> RecordProcessor:
    policy = RetryPolicy(max_attempts=2, backoff_s=0.01, backoff_max_s=0.02, not_ready_max_s=not_ready_max_s)
    return RecordProcessor(
        consumer,
        world.handle,
        lambda: producer,
        policy,
        lambda **options: SharedTransaction(pool, consumer, **options),
        DeferredRecords(consumer, TOPIC),
        handle_batch=handle_batch,
    )


def _record(key: bytes, offset: int, partition: int = 0) -> ConsumedRecord:
    return ConsumedRecord(TOPIC, partition, offset, key, f"value-{offset}".encode(), (("trace", b"t"),))


async def _ledger(pool) -> None:
    await pool.execute("create table if not exists deferral_test_ledger (consumer text not null, position text not null)")


async def _waiting(pool, consumer: str) -> list[tuple[bytes, int]]:
    rows = await pool.fetch('select key, "offset" from runtime.deferred_records where consumer = $1 order by id', consumer)
    return [(r["key"], r["offset"]) for r in rows]


async def test_a_waiting_record_is_set_aside_and_later_records_of_its_key_wait_behind_it(pool):
    consumer = f"deferral-{uuid4()}"
    world = World()
    world.registered.add(b"ready")
    processor = _processor(pool, world, consumer)

    await processor.process_batch([_record(b"late", 0), _record(b"ready", 1), _record(b"late", 2), _record(b"ready", 3)])

    assert world.handled == [(b"ready", 1), (b"ready", 3)], "the batch moved on past the waiting record"
    assert await _waiting(pool, consumer) == [(b"late", 0), (b"late", 2)]

    await processor.process_batch([_record(b"late", 4)])
    assert await _waiting(pool, consumer) == [(b"late", 0), (b"late", 2), (b"late", 4)], "a newcomer waits behind them"

    assert await processor.retry_deferred() == 0, "nothing settles while the registration is missing"
    world.registered.add(b"late")
    assert await processor.retry_deferred() == 3
    assert world.handled[2:] == [(b"late", 0), (b"late", 2), (b"late", 4)], "settled in their order"
    assert await _waiting(pool, consumer) == []

    await processor.process_batch([_record(b"late", 5)])
    assert world.handled[-1] == (b"late", 5), "once nothing waits, the key is handled in line again"


async def test_a_restarted_worker_keeps_new_records_behind_those_set_aside_before(pool):
    consumer = f"deferral-{uuid4()}"
    await _processor(pool, World(), consumer).process_batch([_record(b"case-1", 0)])
    world = World()
    world.registered.add(b"case-1")
    restarted = _processor(pool, world, consumer)

    await restarted.process_batch([_record(b"case-1", 1)])
    assert world.handled == []
    assert await restarted.retry_deferred() == 2
    assert world.handled == [(b"case-1", 0), (b"case-1", 1)]


async def test_a_record_that_waits_too_long_is_parked_with_its_bytes(pool, topics, read_topic):
    consumer = f"deferral-{uuid4()}"
    key = f"never-{uuid4()}".encode()
    producer = AIOKafkaProducer(bootstrap_servers=topics, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        processor = _processor(pool, World(), consumer, producer, not_ready_max_s=0.0)
        await processor.process_batch([_record(key, 7, partition=2)])
        assert await _waiting(pool, consumer) == [(key, 7)]
        assert await processor.retry_deferred() == 1
    finally:
        await producer.stop()
    assert await _waiting(pool, consumer) == []
    reader = await read_topic(CASES_REGISTERED.dead_letter)

    async def parked():
        return [r for r in await reader.poll() if r.key == key]

    (record,) = await eventually(parked, message="the parked record")
    headers = dict(record.headers)
    assert record.value == b"value-7"
    assert headers["trace"] == b"t"
    assert headers["dlq.error.type"] == b"NotReady"
    assert headers["dlq.source.offset"] == b"7"


async def test_a_set_aside_record_whose_row_cannot_be_written_holds_back_only_itself(pool):
    consumer = f"deferral-{uuid4()}"
    await _ledger(pool)
    registered: set[bytes] = set()

    async def handle(record: ConsumedRecord) -> None:
        if record.key not in registered:
            raise NotReady("registration not read yet")
        async with UnitOfWork(pool, consumer) as uow:
            position = None if record.key == b"broken" else record.position  # null: refused when written
            uow.append("insert into deferral_test_ledger (consumer, position) values ($1, $2)", consumer, position)
            await uow.commit()

    policy = RetryPolicy(max_attempts=2, backoff_s=0.01, backoff_max_s=0.02)
    processor = RecordProcessor(
        consumer,
        handle,
        lambda: None,
        policy,
        lambda **options: SharedTransaction(pool, consumer, **options),
        DeferredRecords(consumer, TOPIC),
    )
    await processor.process_batch([_record(b"good-1", 0), _record(b"broken", 1), _record(b"good-2", 2)])
    registered.update({b"good-1", b"broken", b"good-2"})

    assert await processor.retry_deferred() == 2
    ledger = await pool.fetch("select position from deferral_test_ledger where consumer = $1", consumer)
    assert sorted(r["position"] for r in ledger) == [f"{TOPIC}-0-0", f"{TOPIC}-0-2"]
    assert await _waiting(pool, consumer) == [(b"broken", 1)]


class BatchWorld(World):
    """Also a batch handler: writes the records of registered keys in one unit of work, and leaves
    the others with every later record of their key (as the services' batch handlers do)."""

    def __init__(self, pool, consumer: str) -> None:
        super().__init__()
        self._pool = pool
        self._consumer = consumer
        self.fail = False
        self.offered: list[list[tuple[bytes, int]]] = []
        self.one_by_one: list[tuple[bytes, int]] = []

    async def handle(self, record: ConsumedRecord) -> None:
        self.one_by_one.append((record.key, record.offset))
        await super().handle(record)

    async def handle_batch(self, records):
        self.offered.append([(r.key, r.offset) for r in records])
        if self.fail:
            raise RuntimeError("the batch handler failed")
        waiting = {r.key for r in records if r.key not in self.registered}
        taken = [r for r in records if r.key not in waiting]
        async with UnitOfWork(self._pool, self._consumer) as uow:
            for record in taken:
                uow.append(
                    "insert into deferral_test_ledger (consumer, position) values ($1, $2)", self._consumer, record.position
                )
            await uow.commit()
        self.handled.extend((r.key, r.offset) for r in taken)
        return [r for r in records if r.key in waiting]


async def test_the_pass_offers_the_records_set_aside_to_the_batch_handler_and_the_record_handler_gets_what_it_leaves(pool):
    consumer = f"deferral-{uuid4()}"
    await _ledger(pool)
    world = BatchWorld(pool, consumer)
    processor = _processor(pool, world, consumer, handle_batch=world.handle_batch)
    await processor.process_batch([_record(b"a", 0), _record(b"b", 1), _record(b"a", 2), _record(b"c", 3)])
    assert await _waiting(pool, consumer) == [(b"a", 0), (b"b", 1), (b"a", 2), (b"c", 3)]
    world.registered.update({b"a", b"b"})
    world.offered.clear()
    world.one_by_one.clear()

    assert await processor.retry_deferred() == 3
    assert world.offered == [[(b"a", 0), (b"b", 1), (b"a", 2), (b"c", 3)]], "offered all, oldest first"
    assert world.one_by_one == [(b"c", 3)], "the record handler got only what the batch handler left"
    assert world.handled == [(b"a", 0), (b"b", 1), (b"a", 2)]
    ledger = await pool.fetch("select position from deferral_test_ledger where consumer = $1", consumer)
    assert sorted(r["position"] for r in ledger) == [f"{TOPIC}-0-0", f"{TOPIC}-0-1", f"{TOPIC}-0-2"], "its writes committed"
    assert await _waiting(pool, consumer) == [(b"c", 3)]

    await processor.process_batch([_record(b"a", 4), _record(b"c", 5)])
    assert world.handled[-1] == (b"a", 4), "a settled key is handled in line again"
    assert await _waiting(pool, consumer) == [(b"c", 3), (b"c", 5)], "the key still waiting keeps its newcomer behind it"


async def test_when_the_batch_handler_fails_in_the_pass_the_record_handler_settles_every_record_in_order(pool):
    consumer = f"deferral-{uuid4()}"
    await _ledger(pool)
    world = BatchWorld(pool, consumer)
    processor = _processor(pool, world, consumer, handle_batch=world.handle_batch)
    await processor.process_batch([_record(b"a", 0), _record(b"b", 1), _record(b"a", 2)])
    world.registered.update({b"a", b"b"})
    world.one_by_one.clear()
    world.fail = True

    assert await processor.retry_deferred() == 3
    assert world.one_by_one == [(b"a", 0), (b"b", 1), (b"a", 2)]
    assert world.handled == [(b"a", 0), (b"b", 1), (b"a", 2)]
    assert await pool.fetchval("select count(*) from deferral_test_ledger where consumer = $1", consumer) == 0
    assert await _waiting(pool, consumer) == []
