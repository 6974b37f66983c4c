"""Fixtures for tests that need the real Kafka broker, PostgreSQL server and an SMTP server.

`make test` starts Kafka and PostgreSQL (deploy/local/stack.sh); every test session then gets its
own database, freshly recreated topics and its own in-process SMTP server, so runs never see each
other's data. Unit tests request none of these fixtures and run without any infrastructure.
"""

import asyncio
import contextlib
import os
import random
import socket
import time

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from harness import databases
from harness.applications import case_registered, submission
from harness.smtp import RecordingSmtpServer
from ind_runtime.admin import ensure_topics
from ind_runtime.db import RUNTIME_MIGRATIONS, create_pool, migrate
from ind_runtime.kafka import admin_client
from ind_runtime.settings import get_settings
from schemas.topics import DEAD_LETTER_MAX_RECORD_BYTES


async def eventually(check, timeout: float = 60.0, interval: float = 0.2, message: str = "condition"):
    """Await ``check()`` until it returns something truthy; fail with ``message`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {message}")
        await asyncio.sleep(interval)


@pytest.fixture(scope="session")
def kafka_servers() -> list[str]:
    servers = get_settings().kafka_servers
    host, port = servers[0].rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=2).close()
    except OSError:
        pytest.fail(f"no Kafka broker at {servers[0]}: run `make test` (or `make up`) to start one")
    return servers


@pytest.fixture(scope="session")
async def topics(kafka_servers) -> list[str]:
    """Every catalogue topic, deleted and created anew for this session."""
    await ensure_topics(kafka_servers, recreate=True)
    return kafka_servers


@contextlib.asynccontextmanager
async def fresh_database(purpose: str):
    """A database of its own, dropped afterwards; yields its URL."""
    base = get_settings().database_url
    name = f"ind_{purpose}_{os.getpid()}"
    try:
        await (await asyncpg.connect(base, timeout=5)).close()
    except (OSError, asyncpg.PostgresError) as error:
        pytest.fail(f"no PostgreSQL at {base} ({type(error).__name__}): run `make test` (or `make up`)")
    url = await databases.fresh_database(base, name)
    try:
        yield url
    finally:
        await databases.drop_database(base, name)


def as_superuser(url: str, database: str | None = None) -> str:
    """``url`` (or another ``database`` on its server) as the local cluster's superuser, whom the
    local stack trusts: for what the services' role may not do, such as reading pg_stat_statements."""
    base, name = url.replace("//ind:ind@", "//postgres@", 1).rsplit("/", 1)
    return f"{base}/{database or name}"


@contextlib.asynccontextmanager
async def migrated_pool(url: str):
    pool = await create_pool(url, 8)  # the workers' pool, with its reset on release
    try:
        await migrate(pool, "runtime", RUNTIME_MIGRATIONS)
        yield pool
    finally:
        await pool.close()


@contextlib.asynccontextmanager
async def service_pool(purpose: str, service: str, migrations):
    """A pool on a database of its own with the runtime's and ``service``'s tables: for tests
    that count every row a handler wrote."""
    async with fresh_database(purpose) as url, migrated_pool(url) as pool:
        await migrate(pool, service, migrations)
        yield pool


def registrations(count: int, seed: int, *types, location=None) -> list:
    """``count`` case-registered events as intake would publish them (of ``types`` in turn, and
    for ``location``, if given)."""
    rng = random.Random(seed)
    return [
        case_registered(submission(types[n % len(types)] if types else None, location, rng=rng), seed * 100 + n)
        for n in range(count)
    ]


@pytest.fixture(scope="session")
async def database_url() -> str:
    async with fresh_database("test") as url:
        yield url


@pytest.fixture(scope="session")
async def pool(database_url):
    async with migrated_pool(database_url) as pool:
        yield pool


@pytest.fixture(scope="session")
async def producer(topics):
    # sends what a topic at its limit accepts (aiokafka's own estimate of a record is a few bytes high)
    producer = AIOKafkaProducer(
        bootstrap_servers=topics, acks="all", enable_idempotence=True, max_request_size=DEAD_LETTER_MAX_RECORD_BYTES
    )
    await producer.start()
    yield producer
    await producer.stop()


@pytest.fixture(scope="session")
def smtp_server():
    server = RecordingSmtpServer().start()
    yield server
    server.stop()


class TopicReader:
    """Reads a topic from the beginning, for assertions on what the pipeline published."""

    def __init__(self, servers: list[str], topic: str) -> None:
        self._consumer = AIOKafkaConsumer(
            topic, bootstrap_servers=servers, auto_offset_reset="earliest", group_id=None, enable_auto_commit=False
        )
        self.records = []

    async def start(self) -> "TopicReader":
        await self._consumer.start()
        return self

    async def poll(self):
        for batch in (await self._consumer.getmany(timeout_ms=200)).values():
            self.records.extend(batch)
        return self.records

    async def stop(self) -> None:
        await self._consumer.stop()


@pytest.fixture
async def read_topic(topics):
    readers: list[TopicReader] = []

    async def open_reader(topic: str) -> TopicReader:
        reader = await TopicReader(topics, topic).start()
        readers.append(reader)
        return reader

    yield open_reader
    for reader in readers:
        await reader.stop()


async def committed_past(servers: list[str], group: str, topic: str, partition: int, offset: int) -> bool:
    """True once ``group`` has committed an offset beyond ``offset`` on that partition."""
    from aiokafka import TopicPartition

    admin = admin_client(servers)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    meta = offsets.get(TopicPartition(topic, partition))
    return meta is not None and meta.offset > offset
