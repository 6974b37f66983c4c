"""A record whose handler keeps failing is parked with its bytes, headers and error; outages are waited out."""

from uuid import uuid4

from aiokafka import AIOKafkaProducer
from pydantic import BaseModel

from ind_runtime.processing import RecordProcessor, RetryPolicy
from ind_runtime.records import ConsumedRecord
from schemas.topics import CASES_REGISTERED
from tests.conftest import eventually

FAST = RetryPolicy(max_attempts=3, backoff_s=0.01, backoff_max_s=0.05)


def _record(value: bytes) -> ConsumedRecord:
    return ConsumedRecord(
        topic=CASES_REGISTERED.name, partition=2, offset=41, key=b"case-1", value=value, headers=(("trace", b"t-1"),)
    )


async def _dead_letters_with(read_topic, marker: bytes):
    reader = await read_topic(CASES_REGISTERED.dead_letter)

    async def parked():
        return [r for r in await reader.poll() if r.value == marker]

    return await eventually(parked, message="the dead letter")


async def test_a_failing_record_is_parked_after_bounded_retries(topics, read_topic):
    calls = []

    async def always_fails(record):
        calls.append(record.offset)
        raise RuntimeError("the handler has a bug")

    producer = AIOKafkaProducer(bootstrap_servers=topics, acks="all", enable_idempotence=True)
    await producer.start()
    marker = f"poison-{uuid4()}".encode()
    try:
        await RecordProcessor("test-consumer", always_fails, lambda: producer, FAST).process(_record(marker))
    finally:
        await producer.stop()
    assert len(calls) == 3
    (parked,) = await _dead_letters_with(read_topic, marker)
    headers = dict(parked.headers)
    assert parked.key == b"case-1"
    assert headers["trace"] == b"t-1"
    assert headers["dlq.error.type"] == b"RuntimeError"
    assert b"the handler has a bug" in headers["dlq.error.message"]
    assert headers["dlq.source.offset"] == b"41"
    assert headers["dlq.source.partition"] == b"2"
    assert headers["dlq.attempts"] == b"3"
    assert headers["dlq.consumer"] == b"test-consumer"


async def test_a_record_that_breaks_its_contract_is_parked_at_once(topics, read_topic):
    class Contract(BaseModel):
        case_id: int

    calls = []

    async def strict(record):
        calls.append(1)
        Contract.model_validate_json(record.value)

    producer = AIOKafkaProducer(bootstrap_servers=topics, acks="all", enable_idempotence=True)
    await producer.start()
    marker = f'{{"case_id": "not-{uuid4()}"}}'.encode()
    try:
        await RecordProcessor("test-consumer", strict, lambda: producer, FAST).process(_record(marker))
    finally:
        await producer.stop()
    assert calls == [1]
    (parked,) = await _dead_letters_with(read_topic, marker)
    assert dict(parked.headers)["dlq.error.type"] == b"ValidationError"


async def test_an_outage_is_retried_beyond_the_attempt_limit_until_it_clears():
    calls = []

    async def flaky(record):
        calls.append(1)
        if len(calls) <= 5:
            raise ConnectionRefusedError("database restarting")

    def no_producer():
        raise AssertionError("an outage must not dead-letter")

    await RecordProcessor("test-consumer", flaky, no_producer, FAST).process(_record(b"{}"))
    assert len(calls) == 6


async def test_an_event_waiting_for_another_is_retried_then_parked_when_it_never_comes(topics, read_topic):
    from ind_runtime.processing import NotReady

    calls = []

    async def waits_forever(record):
        calls.append(1)
        raise NotReady("case not registered here yet")

    policy = RetryPolicy(max_attempts=1, backoff_s=0.01, backoff_max_s=0.05, not_ready_max_s=0.3)
    producer = AIOKafkaProducer(bootstrap_servers=topics, acks="all", enable_idempotence=True)
    await producer.start()
    marker = f"orphan-{uuid4()}".encode()
    try:
        await RecordProcessor("test-consumer", waits_forever, lambda: producer, policy).process(_record(marker))
    finally:
        await producer.stop()
    assert len(calls) > 1, "retried beyond max_attempts while waiting"
    (parked,) = await _dead_letters_with(read_topic, marker)
    assert dict(parked.headers)["dlq.error.type"] == b"NotReady"
