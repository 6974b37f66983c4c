"""Parking a record that could not be handled: original key, bytes and headers, plus why.

The error travels in ``dlq.*`` headers so that the parked value stays byte-for-byte what the
producer sent and can be replayed onto the source topic after a fix.
"""

import traceback
from datetime import datetime, timezone

from aiokafka import AIOKafkaProducer

from ind_runtime.logs import get_logger
from ind_runtime.records import ConsumedRecord
from schemas.topics import DEAD_LETTER_SUFFIX

log = get_logger(__name__)


def dead_letter_headers(record: ConsumedRecord, consumer: str, error: BaseException, attempts: int) -> list[tuple[str, bytes]]:
    detail = "".join(traceback.format_exception_only(type(error), error)).strip()
    extra = {
        "dlq.consumer": consumer,
        "dlq.error.type": type(error).__name__,
        "dlq.error.message": detail[:4000],
        "dlq.attempts": str(attempts),
        "dlq.source.topic": record.topic,
        "dlq.source.partition": str(record.partition),
        "dlq.source.offset": str(record.offset),
        "dlq.failed_at": datetime.now(timezone.utc).isoformat(),
    }
    return [*record.headers, *((name, value.encode()) for name, value in extra.items())]


async def park(
    producer: AIOKafkaProducer, record: ConsumedRecord, consumer: str, error: BaseException, attempts: int
) -> None:
    """Send the record to its dead-letter topic and wait for the broker's acknowledgement."""
    await producer.send_and_wait(
        record.topic + DEAD_LETTER_SUFFIX,
        value=record.value,
        key=record.key,
        headers=dead_letter_headers(record, consumer, error, attempts),
    )
    log.error(
        "record dead-lettered",
        consumer=consumer,
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        error=type(error).__name__,
        attempts=attempts,
    )
