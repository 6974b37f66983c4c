"""The faults, each a coroutine that breaks something during a run and returns once it is over."""

import asyncio
import random
from dataclasses import dataclass
from uuid import uuid4

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from harness.chaos.pipeline import SERVICES, PipelineRun
from harness.limits import filling
from ind_runtime.admin import ensure_topics
from ind_runtime.db import RUNTIME_MIGRATIONS, migrate
from ind_runtime.kafka import admin_client
from ind_runtime.outbox import OutboxRelay
from ind_runtime.unit_of_work import UnitOfWork
from schemas.examples import EXAMPLES
from schemas.topics import CATALOGUE, DEAD_LETTER_MAX_RECORD_BYTES, MAX_RECORD_BYTES, Topic


@dataclass(frozen=True)
class Timing:
    """How long the faults last; the short version inside ``make test`` scales them down."""

    outage_s: float = 30.0
    smtp_outage_s: float = 60.0
    kill_for_s: float = 60.0
    kill_every_s: float = 4.0
    scaled_for_s: float = 30.0


SHORT = Timing(outage_s=5, smtp_outage_s=8, kill_for_s=15, kill_every_s=3, scaled_for_s=10)
"""The version that runs inside ``make test``."""


async def kill_workers(run: PipelineRun, timing: Timing) -> None:
    """SIGKILL (two in three) or SIGTERM a random worker of a random service, and restart it at once."""
    rng = random.Random(run.name)
    loop = asyncio.get_running_loop()
    end = loop.time() + timing.kill_for_s
    while loop.time() < end:
        await asyncio.sleep(rng.uniform(0.5, 1.5) * timing.kill_every_s)
        worker = rng.choice(run.workers[rng.choice(SERVICES)])
        if rng.random() < 2 / 3:
            worker.kill()
        else:
            await asyncio.to_thread(worker.stop)
        run.restart(worker)


async def broker_outage(run: PipelineRun, timing: Timing) -> None:
    await run.stack.down("kafka")
    await asyncio.sleep(timing.outage_s)
    await run.stack.up("kafka")


async def database_outage(run: PipelineRun, timing: Timing) -> None:
    await run.stack.down("postgres")
    await asyncio.sleep(timing.outage_s)
    await run.stack.up("postgres")


async def smtp_outage(run: PipelineRun, timing: Timing) -> None:
    """First connections are refused outright, then the server answers 421 to every message."""
    run.smtp.stop()
    await asyncio.sleep(timing.smtp_outage_s / 2)
    run.smtp.refusing = True
    run.smtp.start()
    await asyncio.sleep(timing.smtp_outage_s / 2)
    run.smtp.refusing = False


async def scale_out_and_in(run: PipelineRun, timing: Timing) -> None:
    """Every service from one worker to three and back: the consumer groups rebalance twice."""
    extra = [run.start_worker(service) for service in SERVICES for _ in range(2)]
    await asyncio.sleep(timing.scaled_for_s)
    await asyncio.gather(*(asyncio.to_thread(worker.stop) for worker in extra))
    for worker in extra:
        run.workers[worker.service].remove(worker)


POISON = (b"\x00\xff not even text", b'{"specversion": "1.0", "type": "', b"[]", b'{"type": 42}')


def _poison(topic: Topic) -> list[tuple[bytes | None, bytes, list[tuple[str, bytes]]]]:
    """(key, value, headers) of the unreadable records for ``topic``: the small ones, one exactly as
    large as the topic accepts, and one with a key and headers as large as the broker allows."""
    small = [(f"poison-{uuid4()}".encode(), value, []) for value in POISON]
    key, headers = f"poison-{uuid4()}".encode(), [("traceparent", b"00-abc-def-01")]
    huge_key, huge_headers = b"k" * 500_000, [("bulk", b"v" * 400_000)]
    return [
        *small,
        (key, filling(topic.max_record_bytes, key, headers), headers),
        (huge_key, filling(topic.max_record_bytes, huge_key, huge_headers), huge_headers),
    ]


async def poison_every_topic(run: PipelineRun, timing: Timing) -> dict[str, int]:
    """Unreadable records on every consumed topic, the largest it accepts among them; returns how
    many went to each."""
    producer = AIOKafkaProducer(
        bootstrap_servers=run.servers, acks="all", enable_idempotence=True, max_request_size=DEAD_LETTER_MAX_RECORD_BYTES
    )
    await producer.start()
    sent = {}
    try:
        for topic in CATALOGUE:
            if topic.consumers:
                records = _poison(topic)
                for key, value, headers in records:
                    await producer.send_and_wait(topic.name, value, key=key, headers=headers)
                sent[topic.name] = len(records)
    finally:
        await producer.stop()
    return sent


async def poison_beyond_the_dead_letter_topics(run: PipelineRun, timing: Timing) -> dict[str, int]:
    """The same poison while every dead-letter topic takes no more than its source (as before the
    dead-letter topics took twice as much): the largest records cannot be parked there and must be
    kept in PostgreSQL, and the small ones behind them still parked; the limits are restored after."""
    await _limit_dead_letter_topics(run.servers, MAX_RECORD_BYTES)
    try:
        return await poison_every_topic(run, timing)
    finally:
        await asyncio.sleep(timing.outage_s)  # the workers park (or keep) it while the limit holds
        await ensure_topics(run.servers)


async def _limit_dead_letter_topics(servers: list[str], limit: int) -> None:
    admin = admin_client(servers)
    await admin.start()
    try:
        await admin.alter_configs(
            [
                ConfigResource(ConfigResourceType.TOPIC, topic.dead_letter, {"max.message.bytes": str(limit)})
                for topic in CATALOGUE
                if topic.consumers
            ]
        )
    finally:
        await admin.close()


async def reset_consumer_groups(run: PipelineRun) -> None:
    """Commit offset 0 on every partition of every consumed topic for every service's group
    (the workers must be stopped): they will read everything again."""
    for service in SERVICES:
        topics = [t for t in CATALOGUE if service in t.consumers]
        consumer = AIOKafkaConsumer(bootstrap_servers=run.servers, group_id=f"ind-{service}", enable_auto_commit=False)
        await consumer.start()
        try:
            partitions = [TopicPartition(t.name, p) for t in topics for p in range(t.partitions)]
            consumer.assign(partitions)
            await consumer.commit({tp: 0 for tp in partitions})
        finally:
            await consumer.stop()


async def outbox_rows_committed_in_reverse_order(run: PipelineRun, topic: Topic) -> bool:
    """Transaction A takes the lower outbox id but commits after B; the relay must publish both."""
    pool = await asyncpg.create_pool(run.database_url, min_size=2, max_size=4)
    producer = AIOKafkaProducer(bootstrap_servers=run.servers, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        await migrate(pool, "runtime", RUNTIME_MIGRATIONS)
        publisher = f"reverse-{uuid4()}"
        event = EXAMPLES[0]
        relay = OutboxRelay(pool, producer, publisher)
        first = await UnitOfWork(pool, publisher).__aenter__()
        await first.emit(topic.name, "a", event.model_copy(update={"id": f"{publisher}-a"}))
        async with UnitOfWork(pool, publisher) as second:
            await second.emit(topic.name, "b", event.model_copy(update={"id": f"{publisher}-b"}))
            await second.commit()
        published = await relay.publish_pending()
        await first.commit()
        await first.__aexit__(None, None, None)
        published += await relay.publish_pending()
        left = await pool.fetchval("select count(*) from runtime.outbox where publisher = $1 and published_at is null", publisher)
        return published == 2 and left == 0
    finally:
        await producer.stop()
        await pool.close()
