"""The benchmark's own measuring tools, against the real SMTP server, PostgreSQL and Kafka: a figure
they print must count what really happened."""

import asyncio
import contextlib
import json
from uuid import uuid4

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.admin import NewTopic

from harness.bench.baselines import sample_payloads
from harness.bench.faust_floor import faust_floor
from harness.bench.smtp_floor import smtp_floor
from harness.bench.statements import StatementStats
from ind_runtime.kafka import admin_client
from tests.conftest import TopicReader, as_superuser, eventually, fresh_database


def test_smtp_baseline_counts_only_messages_the_server_received():
    figures = smtp_floor(message_bytes=800, messages=200, sessions=2)

    assert figures["messages"] == 200  # smtp_floor raises unless the sink received all 200
    assert 800 - 72 <= figures["mean_bytes"] <= 800
    assert figures["messages_per_s"] > 0


async def test_statement_stats_count_the_statements_run_since_the_reset():
    async with fresh_database("statements") as url:
        database = url.rsplit("/", 1)[1]
        superuser = as_superuser(url)
        connection = await asyncpg.connect(url)
        try:
            await connection.execute("create table desks (name text primary key)")
            await connection.execute("insert into desks values ('before the reset')")
            stats = StatementStats(superuser)
            await stats.reset()
            for n in range(5):
                await connection.execute("insert into desks values ($1)", f"desk {n}")
            figures = await stats.read()
        finally:
            await connection.close()

    assert stats.loaded, f"the local stack loads pg_stat_statements (database {database})"
    inserts = [s for s in figures["top"] if s["query"].startswith("insert into desks")]
    assert [(s["calls"], s["rows"]) for s in inserts] == [(5, 5)]
    assert figures["total_ms"] >= inserts[0]["total_ms"] > 0


async def test_faust_republishing_baseline_counts_only_records_it_produced(kafka_servers, tmp_path):
    keys = [f"case-{n}".encode() for n in range(300)]
    async with _topics(kafka_servers, "test.floor.in", "test.floor.out") as (source, sink):
        payloads = sample_payloads(8)
        producer = AIOKafkaProducer(bootstrap_servers=kafka_servers)
        await producer.start()
        try:
            for n, key in enumerate(keys):
                await producer.send(source, payloads[n % len(payloads)], key=key)
            await producer.flush()
        finally:
            await producer.stop()

        figures = await asyncio.to_thread(faust_floor, kafka_servers, source, len(keys), tmp_path, 120.0, sink)

        assert figures["events"] == len(keys) and figures["events_per_s"] > 0
        reader = await TopicReader(kafka_servers, sink).start()
        try:  # stopped before its topic is deleted: a consumer of a deleted topic may never stop
            await eventually(lambda: _polled_all(reader, len(keys)), message="every record republished")
        finally:
            await reader.stop()
    assert sorted(record.key for record in reader.records) == sorted(keys)
    assert all(json.loads(record.value)["data"]["transformed"] is True for record in reader.records)


@contextlib.asynccontextmanager
async def _topics(servers: list[str], *prefixes: str):
    """Topics of this test's own (3 partitions each), deleted afterwards."""
    names = [f"{prefix}.{uuid4().hex[:8]}" for prefix in prefixes]
    admin = admin_client(servers)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, 3, 1) for name in names])
        try:
            yield names
        finally:
            await admin.delete_topics(names)
    finally:
        await admin.close()


async def _polled_all(reader, count: int) -> bool:
    return len(await reader.poll()) >= count
