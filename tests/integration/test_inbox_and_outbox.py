"""Inbox and outbox against real PostgreSQL and Kafka: redeliveries change nothing, no row is skipped."""

import asyncio
import json
from uuid import uuid4

from aiokafka import AIOKafkaProducer
from aiokafka.errors import OutOfOrderSequenceNumber

from ind_runtime.outbox import OutboxRelay
from ind_runtime.unit_of_work import UnitOfWork
from schemas.examples import EXAMPLES
from schemas.topics import CASES_REGISTERED
from tests.conftest import eventually

EVENT = next(e for e in EXAMPLES if e.type == "nl.ind.case.registered.v1")


async def test_a_redelivered_event_is_seen_only_once(pool):
    event_id = str(uuid4())
    async with UnitOfWork(pool, "test") as uow:
        assert await uow.first_time("inbox-test", event_id)
        await uow.commit()
    async with UnitOfWork(pool, "test") as uow:
        assert not await uow.first_time("inbox-test", event_id)


async def test_new_events_of_a_batch_are_those_not_handled_before_in_order_and_each_once(pool):
    seen, first, second = (EVENT.model_copy(update={"id": str(uuid4())}) for _ in range(3))
    async with UnitOfWork(pool, "test") as uow:
        await uow.first_time("inbox-test", seen.id)
        await uow.commit()
    async with UnitOfWork(pool, "test") as uow:
        assert await uow.new_events("inbox-test", [first, seen, second, first]) == [first, second]
        await uow.commit()
    async with UnitOfWork(pool, "test") as uow:
        assert await uow.new_events("inbox-test", [second, first]) == []


async def test_nothing_is_recorded_without_commit(pool):
    event_id = str(uuid4())
    publisher = f"rollback-{uuid4()}"
    async with UnitOfWork(pool, publisher) as uow:
        await uow.first_time("inbox-test", event_id)
        await uow.emit("some.topic", "k", EVENT)
    async with UnitOfWork(pool, publisher) as uow:
        assert await uow.first_time("inbox-test", event_id)
    assert await pool.fetchval("select count(*) from runtime.outbox where publisher = $1", publisher) == 0


async def test_the_relay_publishes_committed_events_in_order_and_marks_them(pool, topics, read_topic):
    publisher = f"relay-{uuid4()}"
    key = str(uuid4())
    events = [EVENT.model_copy(update={"id": f"{key}-{n}"}) for n in range(5)]
    async with UnitOfWork(pool, publisher) as uow:
        for event in events:
            await uow.emit(CASES_REGISTERED.name, key, event)
        await uow.commit()
    producer = AIOKafkaProducer(bootstrap_servers=topics, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        relay = OutboxRelay(pool, producer, publisher)
        assert await relay.publish_pending() == 5
        assert await relay.publish_pending() == 0
    finally:
        await producer.stop()
    reader = await read_topic(CASES_REGISTERED.name)

    async def published():
        return [r for r in await reader.poll() if r.key == key.encode()]

    records = await eventually(lambda: _at_least(published, 5), message="5 relayed events")
    assert [json.loads(r.value)["id"] for r in records] == [e.id for e in events]
    assert dict(records[0].headers)["ce_type"] == EVENT.type.encode()


async def test_rows_committed_in_reverse_id_order_are_both_published(pool, topics):
    """Transaction A takes the lower id but commits after B: a cursor-based relay would skip A."""
    publisher = f"reverse-{uuid4()}"
    producer = AIOKafkaProducer(bootstrap_servers=topics, acks="all", enable_idempotence=True)
    await producer.start()
    relay = OutboxRelay(pool, producer, publisher)
    try:
        first = await UnitOfWork(pool, publisher).__aenter__()
        await first.emit(CASES_REGISTERED.name, "a", EVENT.model_copy(update={"id": f"{publisher}-a"}))
        async with UnitOfWork(pool, publisher) as second:
            await second.emit(CASES_REGISTERED.name, "b", EVENT.model_copy(update={"id": f"{publisher}-b"}))
            await second.commit()
        assert await relay.publish_pending() == 1
        await first.commit()
        await first.__aexit__(None, None, None)
        assert await relay.publish_pending() == 1
    finally:
        await producer.stop()
    unpublished = await pool.fetchval(
        "select count(*) from runtime.outbox where publisher = $1 and published_at is null", publisher
    )
    assert unpublished == 0


async def test_two_relays_of_one_publisher_never_publish_at_the_same_time(pool, topics):
    publisher = f"pair-{uuid4()}"
    async with UnitOfWork(pool, publisher) as uow:
        for n in range(50):
            await uow.emit(CASES_REGISTERED.name, "k", EVENT.model_copy(update={"id": f"{publisher}-{n}"}))
        await uow.commit()
    producer = AIOKafkaProducer(bootstrap_servers=topics, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        relays = [OutboxRelay(pool, producer, publisher, batch_size=50) for _ in range(2)]
        counts = await asyncio.gather(*(relay.publish_pending() for relay in relays))
    finally:
        await producer.stop()
    assert sorted(counts) == [0, 50]


async def _at_least(fetch, n):
    records = await fetch()
    return records if len(records) >= n else None


async def test_a_relay_whose_producer_can_send_no_more_replaces_it_and_publishes(pool, topics):
    publisher = f"renew-{uuid4()}"
    async with UnitOfWork(pool, publisher) as uow:
        await uow.emit(CASES_REGISTERED.name, str(uuid4()), EVENT.model_copy(update={"id": str(uuid4())}))
        await uow.commit()
    dead = _DeadProducer()
    fresh: list[AIOKafkaProducer] = []

    async def renew() -> AIOKafkaProducer:
        producer = AIOKafkaProducer(bootstrap_servers=topics, acks="all", enable_idempotence=True)
        await producer.start()
        fresh.append(producer)
        return producer

    relay = asyncio.create_task(OutboxRelay(pool, dead, publisher, poll_interval_s=0.1, renew_producer=renew).run())
    try:
        unpublished = "select count(*) from runtime.outbox where publisher = $1 and published_at is null"
        await eventually(lambda: _none_left(pool, unpublished, publisher), message="the row published by the new producer")
    finally:
        relay.cancel()
        await asyncio.gather(relay, return_exceptions=True)
        for producer in fresh:
            await producer.stop()
    assert len(fresh) == 1


class _DeadProducer:
    """What aiokafka's idempotent producer does once its sender has stopped on a fatal error."""

    async def send(self, *args, **kwargs):
        raise OutOfOrderSequenceNumber()


async def _none_left(pool, query: str, publisher: str):
    return (await pool.fetchval(query, publisher)) == 0 or None
