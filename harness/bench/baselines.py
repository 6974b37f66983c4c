"""What this machine manages without the pipeline: a plain aiokafka consume -> JSON transform ->
produce loop, and plain asyncpg transactions (one row per commit, and 100 rows per commit)."""

import asyncio
import json
import random
import time
from uuid import uuid4

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from harness.applications import encode, submission
from harness.databases import fresh_database

LOOP_IN, LOOP_OUT = "bench.loop.in", "bench.loop.out"
PARTITIONS = 6


def sample_payloads(count: int = 64) -> list[bytes]:
    """CloudEvents submissions like the pipeline's (about 0.6-0.8 kB each)."""
    rng = random.Random(5)
    return [encode(submission(rng=rng)) for _ in range(count)]


def transformed(value: bytes) -> bytes:
    """The loop's work on an event, and the Faust republishing baseline's: decode, add a field, encode."""
    document = json.loads(value)
    document["data"]["transformed"] = True
    return json.dumps(document).encode()


async def _fresh_topics(servers: list[str]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics()) & {LOOP_IN, LOOP_OUT}
        if existing:
            await admin.delete_topics(sorted(existing))
            for _ in range(100):
                if not set(await admin.list_topics()) & existing:
                    break
                await asyncio.sleep(0.2)
        await admin.create_topics([NewTopic(t, PARTITIONS, 1) for t in (LOOP_IN, LOOP_OUT)])
    finally:
        await admin.close()


async def kafka_loop(servers: list[str], events: int) -> dict:
    """Fill a 6-partition topic with ``events`` records, then time one consumer that reads them,
    transforms each (json loads, add a field, dumps) and produces it (acks=all, idempotent, as the
    relays do), committing offsets after each batch. Events/s from first poll to last ack."""
    await _fresh_topics(servers)
    payloads = sample_payloads()
    producer = AIOKafkaProducer(bootstrap_servers=servers, acks="all", enable_idempotence=True, linger_ms=5)
    await producer.start()
    try:
        for i in range(events):
            await producer.send(LOOP_IN, payloads[i % len(payloads)], key=str(uuid4()).encode())
        await producer.flush()
        consumer = AIOKafkaConsumer(
            LOOP_IN,
            bootstrap_servers=servers,
            group_id=f"bench-loop-{uuid4()}",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        try:
            done, started, size = 0, None, 0
            while done < events:
                batches = await consumer.getmany(timeout_ms=1000, max_records=2000)
                if started is None and batches:
                    started = time.perf_counter()
                futures = []
                for records in batches.values():
                    for record in records:
                        value = transformed(record.value)
                        size += len(value)
                        futures.append(await producer.send(LOOP_OUT, value, key=record.key))
                await asyncio.gather(*futures)
                if batches:
                    await consumer.commit()
                done += sum(len(r) for r in batches.values())
            seconds = time.perf_counter() - (started or time.perf_counter())
        finally:
            await consumer.stop()
    finally:
        await producer.stop()
    return {
        "events": events,
        "partitions": PARTITIONS,
        "seconds": seconds,
        "events_per_s": events / seconds,
        "mean_bytes": size / max(events, 1),
    }


async def postgres(admin_url: str, connections: int = 4, seconds: float = 5.0, batch: int = 100) -> dict:
    """Single-row insert+commit transactions/s, then rows/s in transactions of ``batch`` rows, each
    over ``connections`` connections for ``seconds``, on a database of the benchmark's own."""
    url = await fresh_database(admin_url, "bench_baseline")
    setup = await asyncpg.connect(url)
    await setup.execute("create table rows (id bigserial primary key, event_id uuid not null unique, payload jsonb not null)")
    await setup.close()
    payload = sample_payloads(1)[0].decode()

    async def single(connection) -> int:
        n, deadline = 0, time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            async with connection.transaction():
                await connection.execute("insert into rows (event_id, payload) values ($1, $2::jsonb)", uuid4(), payload)
            n += 1
        return n

    async def batched(connection) -> int:
        n, deadline = 0, time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            async with connection.transaction():
                await connection.executemany(
                    "insert into rows (event_id, payload) values ($1, $2::jsonb)", [(uuid4(), payload) for _ in range(batch)]
                )
            n += batch
        return n

    pool = [await asyncpg.connect(url) for _ in range(connections)]
    try:
        t0 = time.perf_counter()
        commits = sum(await asyncio.gather(*(single(c) for c in pool)))
        single_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        rows = sum(await asyncio.gather(*(batched(c) for c in pool)))
        batch_s = time.perf_counter() - t0
    finally:
        for c in pool:
            await c.close()
    return {
        "connections": connections,
        "seconds": seconds,
        "single_row_commits_per_s": commits / single_s,
        "batch": batch,
        "batched_rows_per_s": rows / batch_s,
    }
