"""Parking never depends on the record: a record its dead-letter topic will not take is kept, and only
an outage of both the broker and PostgreSQL makes parking wait, which a stop can always cut short."""

import asyncio

import pytest
from aiokafka.errors import KafkaConnectionError, MessageSizeTooLargeError

from ind_runtime import parking
from ind_runtime.parking import Parking
from ind_runtime.records import ConsumedRecord

RECORD = ConsumedRecord("ind.desk.events.v1", 3, 17, b"case-1", b"not json", (("trace", b"t-1"),))


class Broker:
    """A producer whose every send fails with ``refusal`` (or succeeds when it is None)."""

    def __init__(self, refusal: BaseException | None) -> None:
        self.refusal = refusal
        self.sent: list[tuple[str, bytes | None]] = []

    async def send_and_wait(self, topic, value=None, key=None, headers=None):
        if self.refusal is not None:
            raise self.refusal
        self.sent.append((topic, value))


class Store:
    """Kept records; fails with ``failure`` while it is set."""

    def __init__(self, failure: BaseException | None = None) -> None:
        self.failure = failure
        self.kept: list[tuple[ConsumedRecord, dict, str]] = []

    async def keep(self, record, reason, refusal) -> None:
        if self.failure is not None:
            raise self.failure
        self.kept.append((record, reason, type(refusal).__name__))


def _parking(broker: Broker, store: Store | None) -> Parking:
    return Parking("biometrics", lambda: broker, lambda _attempt: 0.0, store)


async def test_a_record_on_its_dead_letter_topic_is_not_kept():
    broker, store = Broker(None), Store()
    await _parking(broker, store).park(RECORD, ValueError("bad"), 1)
    assert broker.sent == [("ind.desk.events.v1.dlq", b"not json")]
    assert store.kept == []


async def test_a_record_the_broker_refuses_is_kept_at_once_with_why():
    broker, store = Broker(MessageSizeTooLargeError("too large")), Store()
    await _parking(broker, store).park(RECORD, ValueError("bad"), 2)
    ((record, reason, refused_by),) = store.kept
    assert record == RECORD
    assert refused_by == "MessageSizeTooLargeError"
    assert reason["dlq.error.type"] == "ValueError"
    assert reason["dlq.source.offset"] == "17"
    assert reason["dlq.attempts"] == "2"


async def test_a_broker_that_stays_away_is_tried_a_few_times_then_rests(monkeypatch):
    broker, store = Broker(KafkaConnectionError("down")), Store()
    tries = []
    original = broker.send_and_wait

    async def counted(*args, **kwargs):
        tries.append(1)
        await original(*args, **kwargs)

    broker.send_and_wait = counted
    parked = _parking(broker, store)
    await parked.park(RECORD, ValueError("bad"), 1)
    assert len(tries) == parking.DEAD_LETTER_TRIES
    await parked.park(RECORD, ValueError("bad"), 1)
    assert len(tries) == parking.DEAD_LETTER_TRIES, "the next record goes straight to PostgreSQL"
    assert len(store.kept) == 2

    monkeypatch.setattr(parking.time, "monotonic", lambda: 1e12)  # the rest is over
    broker.refusal = None
    await parked.park(RECORD, ValueError("bad"), 1)
    assert len(broker.sent) == 1 and len(store.kept) == 2


async def test_with_both_away_parking_waits_until_one_answers():
    broker, store = Broker(KafkaConnectionError("down")), Store(ConnectionRefusedError("down too"))
    parked = asyncio.create_task(_parking(broker, store).park(RECORD, ValueError("bad"), 1))
    await asyncio.sleep(0.05)
    assert not parked.done(), "nothing took the record: it must not be acknowledged"
    store.failure = None
    await asyncio.wait_for(parked, 1.0)
    assert len(store.kept) == 1


async def test_a_stop_cuts_a_waiting_park_short():
    broker, store = Broker(KafkaConnectionError("down")), Store(ConnectionRefusedError("down too"))
    parked = asyncio.create_task(_parking(broker, store).park(RECORD, ValueError("bad"), 1))
    await asyncio.sleep(0.05)
    parked.cancel()
    with pytest.raises(asyncio.CancelledError):
        await parked


async def test_without_a_store_the_dead_letter_topic_is_tried_until_it_takes_the_record():
    broker = Broker(MessageSizeTooLargeError("too large"))
    parked = asyncio.create_task(_parking(broker, None).park(RECORD, ValueError("bad"), 1))
    await asyncio.sleep(0.05)
    assert not parked.done()
    broker.refusal = None
    await asyncio.wait_for(parked, 1.0)
    assert broker.sent
