"""Parking against the real broker and PostgreSQL: a record at its topic's limit fits its dead-letter
topic; one that its dead-letter topic refuses is kept in PostgreSQL; a record whose handler fails is
set aside rather than retried in line, so only its own key waits; ``create-topics`` brings an existing
dead-letter topic's limit in line with the catalogue."""

import asyncio
import contextlib
import os
import subprocess
import sys
from uuid import uuid4

from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from harness.limits import batch_bytes, filling
from ind_runtime.admin import ensure_topics
from ind_runtime.deferred import DeferredRecords
from ind_runtime.kafka import admin_client, dead_letter_producer
from ind_runtime.kept_records import KeptRecords
from ind_runtime.parking import Parking
from ind_runtime.processing import RecordProcessor, RetryPolicy
from ind_runtime.records import ConsumedRecord
from ind_runtime.unit_of_work import SharedTransaction
from schemas.topics import DEAD_LETTER_MAX_RECORD_BYTES, DESK_EVENTS, MAX_RECORD_BYTES
from tests.conftest import eventually

TOPIC = DESK_EVENTS.name
DEAD_LETTER_LIMIT = str(DEAD_LETTER_MAX_RECORD_BYTES)


async def _set_limit(servers, topic: str, limit: int) -> None:
    admin = admin_client(servers)
    await admin.start()
    try:
        await admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, {"max.message.bytes": str(limit)})])
    finally:
        await admin.close()


async def _limit(servers, topic: str) -> str:
    admin = admin_client(servers)
    await admin.start()
    try:
        (response,) = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic, {"max.message.bytes": None})])
    finally:
        await admin.close()
    ((*_, entries),) = response.resources
    return dict((entry[0], entry[1]) for entry in entries)["max.message.bytes"]


@contextlib.asynccontextmanager
async def _dead_letter_producer(servers):
    producer = dead_letter_producer(servers)
    await producer.start()
    try:
        yield producer
    finally:
        await producer.stop()


def _at_the_limit(offset: int) -> ConsumedRecord:
    key, headers = f"case-{uuid4()}".encode(), (("traceparent", b"00-abc-def-01"),)
    return ConsumedRecord(TOPIC, 0, offset, key, filling(MAX_RECORD_BYTES, key, headers), headers)


async def _kept(pool, consumer: str) -> list:
    return await pool.fetch('select * from runtime.kept_records where consumer = $1 order by "offset"', consumer)


def _parking(pool, consumer: str, producer) -> Parking:
    return Parking(consumer, lambda: producer, lambda _attempt: 0.05, KeptRecords(lambda: pool))


def _processor(pool, consumer: str, handle, producer, **options) -> RecordProcessor:
    return RecordProcessor(
        consumer,
        handle,
        lambda: producer,
        RetryPolicy(max_attempts=3, backoff_s=0.05, backoff_max_s=0.1),
        lambda **kw: SharedTransaction(pool, consumer, **kw),
        DeferredRecords(consumer, TOPIC),
        kept=KeptRecords(lambda: pool),
        **options,
    )


async def test_a_record_at_its_topics_limit_is_dead_lettered_whole(topics, pool, read_topic):
    record = _at_the_limit(offset=901)
    assert batch_bytes(record.key, record.value, record.headers) == MAX_RECORD_BYTES
    consumer = f"limits-{uuid4()}"
    reader = await read_topic(DESK_EVENTS.dead_letter)
    async with _dead_letter_producer(topics) as producer:
        await _parking(pool, consumer, producer).park(record, ValueError("x"), 1)

    async def parked():
        return [r for r in await reader.poll() if r.key == record.key]

    (letter,) = await eventually(parked, message="the dead letter of the record at the limit")
    assert letter.value == record.value
    assert list(letter.headers[:1]) == list(record.headers)
    assert await _kept(pool, consumer) == []


async def test_a_record_its_dead_letter_topic_refuses_is_kept_and_the_next_ones_still_parked(
    topics, pool, database_url, read_topic
):
    consumer = f"limits-{uuid4()}"
    big, small = _at_the_limit(offset=902), ConsumedRecord(TOPIC, 1, 903, b"case-small", b"{broken", ())
    reader = await read_topic(DESK_EVENTS.dead_letter)
    await _set_limit(topics, DESK_EVENTS.dead_letter, MAX_RECORD_BYTES)  # as it was before dead-letter topics took more
    try:
        async with _dead_letter_producer(topics) as producer:
            parking = _parking(pool, consumer, producer)
            await parking.park(big, ValueError("not a desk event"), 1)
            await parking.park(small, ValueError("not a desk event"), 1)
    finally:
        await ensure_topics(topics)
    assert await _limit(topics, DESK_EVENTS.dead_letter) == DEAD_LETTER_LIMIT

    (kept,) = await _kept(pool, consumer)
    assert (kept["topic"], kept["partition"], kept["offset"]) == (TOPIC, 0, 902)
    assert (kept["key"], kept["value"]) == (big.key, big.value)
    assert "MessageSizeTooLarge" in kept["refused_by"]

    async def parked():
        return [r for r in await reader.poll() if r.key == b"case-small"]

    await eventually(parked, message="the small record's dead letter, after the big one was refused")

    listing = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "ind_runtime.admin", "kept-records"],
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listing.returncode == 0, listing.stderr
    assert (
        f"{consumer} {TOPIC}-0-902 ValueError; dead-letter topic refused: aiokafka.errors.MessageSizeTooLargeError"
        in listing.stdout
    )
    assert "\\xff" not in listing.stdout and big.key.decode() not in listing.stdout, "no bytes of the record"


async def test_a_failing_record_is_set_aside_so_only_its_key_waits_and_is_parked_after_its_last_try(topics, pool, read_topic):
    consumer = f"failing-{uuid4()}"
    calls: list[tuple[bytes, int]] = []

    async def fails_for_bad_keys(record: ConsumedRecord) -> None:
        calls.append((record.key, record.offset))
        if record.key == b"bad":
            raise RuntimeError("the handler has a bug")

    reader = await read_topic(DESK_EVENTS.dead_letter)
    async with _dead_letter_producer(topics) as producer:
        processor = _processor(pool, consumer, fails_for_bad_keys, producer)
        batch = [
            ConsumedRecord(TOPIC, 0, 10, b"bad", b"1", ()),
            ConsumedRecord(TOPIC, 0, 11, b"good", b"2", ()),
            ConsumedRecord(TOPIC, 0, 12, b"bad", b"3", ()),
            ConsumedRecord(TOPIC, 1, 13, b"other", b"4", ()),
        ]
        await processor.process_batch(batch)
        assert sorted(c for c in calls if c[0] != b"bad") == [(b"good", 11), (b"other", 13)], "the partitions moved on"
        assert calls.count((b"bad", 10)) == 2, "tried in the batch, then once on its own: no retries in line"
        waiting = await pool.fetch(
            'select "offset", attempts from runtime.deferred_records where consumer = $1 order by id', consumer
        )
        assert [(r["offset"], r["attempts"]) for r in waiting] == [(10, 1), (12, 0)], "its key waits behind it"

        async def settled():
            await processor.retry_deferred()
            return not await pool.fetchval("select count(*) from runtime.deferred_records where consumer = $1", consumer)

        await eventually(settled, timeout=20, message="the failing record parked after its last try")

    async def parked():
        letters = [r for r in await reader.poll() if dict(r.headers).get("dlq.consumer") == consumer.encode()]
        return letters if len(letters) == 2 else None

    letters = await eventually(parked, message="the failing records' dead letters")
    assert sorted((dict(r.headers)["dlq.source.offset"], dict(r.headers)["dlq.attempts"]) for r in letters) == [
        (b"10", b"3"),
        (b"12", b"3"),
    ]
    assert calls.count((b"bad", 10)) == 4, "three tries of its own after the batch's"
    assert calls.count((b"bad", 12)) == 3, "the record behind it tried only once the first was parked"


async def test_create_topics_gives_an_existing_dead_letter_topic_the_catalogues_limit(topics):
    await _set_limit(topics, DESK_EVENTS.dead_letter, MAX_RECORD_BYTES)
    assert await _limit(topics, DESK_EVENTS.dead_letter) == str(MAX_RECORD_BYTES)
    assert await ensure_topics(topics) == [], "nothing is created"
    assert await _limit(topics, DESK_EVENTS.dead_letter) == DEAD_LETTER_LIMIT
