"""Parking a record that could not be handled, so that its partition moves on whatever the record is.

The first choice is the record's dead-letter topic (``dead_letters``). When that topic will not take
it, because the broker refuses the record or stays away through ``DEAD_LETTER_TRIES`` tries, the
record is kept in PostgreSQL instead (``kept_records``) and an error-level line says so: nothing is
lost and nothing waits behind it. After the broker stayed away, further records go straight to
PostgreSQL for ``DEAD_LETTERS_REST_S`` rather than each waiting out the same broker. Only when
PostgreSQL is away as well does parking wait, trying both in turn; it can be cancelled at every step
(a worker told to stop stops), and a record not parked was never acknowledged, so it is read again.
"""

import asyncio
import time
from collections.abc import Callable

from aiokafka import AIOKafkaProducer

from ind_runtime import dead_letters
from ind_runtime.failures import is_outage
from ind_runtime.kept_records import KeptRecords
from ind_runtime.logs import get_logger
from ind_runtime.records import ConsumedRecord

log = get_logger(__name__)

DEAD_LETTER_TRIES = 3
DEAD_LETTERS_REST_S = 60.0


class Parking:
    def __init__(
        self,
        consumer: str,
        producer: Callable[[], AIOKafkaProducer],
        delay: Callable[[int], float],
        kept: KeptRecords | None = None,
    ) -> None:
        """``delay(n)``: how long to wait after the ``n``-th failed try; without ``kept`` (unit
        tests), the dead-letter topic is tried until it takes the record."""
        self.consumer = consumer
        self._producer = producer
        self._delay = delay
        self._kept = kept
        self._rest_until = 0.0  # monotonic time until which the dead-letter topics are not tried

    async def park(self, record: ConsumedRecord, error: BaseException, attempts: int) -> None:
        tries = 0
        while True:
            refusal = await self._dead_letter(record, error, attempts)
            if refusal is None:
                return
            tries += 1
            if self._kept is not None and (not is_outage(refusal) or tries >= DEAD_LETTER_TRIES or self._resting()):
                if is_outage(refusal) and not self._resting():
                    self._rest_until = time.monotonic() + DEAD_LETTERS_REST_S
                if await self._keep(record, error, attempts, refusal):
                    return
            log.warning("dead-lettering failed; retrying", error=type(refusal).__name__, attempt=tries)
            await asyncio.sleep(self._delay(tries))

    def _resting(self) -> bool:
        return time.monotonic() < self._rest_until

    async def _dead_letter(self, record: ConsumedRecord, error: BaseException, attempts: int) -> BaseException | None:
        """None once the dead-letter topic has the record; else why it has not."""
        if self._resting():
            return ConnectionError("the dead-letter topics are resting after the broker stayed away")
        try:
            await dead_letters.park(self._producer(), record, self.consumer, error, attempts)
        except asyncio.CancelledError:
            raise
        except Exception as refusal:  # noqa: BLE001 - whatever the reason, the record goes elsewhere
            return refusal
        return None

    async def _keep(self, record: ConsumedRecord, error: BaseException, attempts: int, refusal: BaseException) -> bool:
        assert self._kept is not None
        try:
            await self._kept.keep(record, dead_letters.why(record, self.consumer, error, attempts), refusal)
        except asyncio.CancelledError:
            raise
        except Exception as failure:  # noqa: BLE001 - PostgreSQL is away too: try both again
            log.warning("keeping a record that could not be dead-lettered failed; retrying", error=type(failure).__name__)
            return False
        log.error(
            "record kept in PostgreSQL: its dead-letter topic would not take it",
            consumer=self.consumer,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            error=type(error).__name__,
            refused_by=type(refusal).__name__,
            attempts=attempts,
        )
        return True
