"""Parking a record on its dead-letter topic: original key, bytes and headers, plus why.

The error travels in ``dlq.*`` headers so that the parked value stays byte-for-byte what the
producer sent and can be replayed onto the source topic after a fix. A dead-letter topic accepts
twice what its source does (``schemas.topics``), so the copy of any record the source accepted fits.
"""

import asyncio
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer

from ind_runtime.failures import described
from ind_runtime.logs import get_logger
from ind_runtime.records import ConsumedRecord
from schemas.topics import DEAD_LETTER_SUFFIX

log = get_logger(__name__)

SEND_TIMEOUT_S = 10.0
"""How long one try to dead-letter may take; a missing topic would otherwise hold the record for the
producer's whole request timeout on every try."""


def why(record: ConsumedRecord, consumer: str, error: BaseException, attempts: int) -> dict[str, str]:
    """What the ``dlq.*`` headers say about a parked record."""
    detail = described(error)
    return {
        "dlq.consumer": consumer,
        "dlq.error.type": type(error).__name__,
        "dlq.error.message": detail[:4000],
        "dlq.attempts": str(attempts),
        "dlq.source.topic": record.topic,
        "dlq.source.partition": str(record.partition),
        "dlq.source.offset": str(record.offset),
        "dlq.failed_at": datetime.now(UTC).isoformat(),
    }


def dead_letter_headers(record: ConsumedRecord, consumer: str, error: BaseException, attempts: int) -> list[tuple[str, bytes]]:
    return [*record.headers, *((name, value.encode()) for name, value in why(record, consumer, error, attempts).items())]


async def park(producer: AIOKafkaProducer, record: ConsumedRecord, consumer: str, error: BaseException, attempts: int) -> None:
    """Send the record to its dead-letter topic and wait for the broker's acknowledgement."""
    sent = producer.send_and_wait(
        record.topic + DEAD_LETTER_SUFFIX,
        value=record.value,
        key=record.key,
        headers=dead_letter_headers(record, consumer, error, attempts),
    )
    await asyncio.wait_for(sent, SEND_TIMEOUT_S)
    log.error(
        "record dead-lettered",
        consumer=consumer,
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        error=type(error).__name__,
        attempts=attempts,
    )
