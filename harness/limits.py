"""Records exactly as large as a topic accepts, for the tests and the chaos runs that send them."""

from aiokafka.record.default_records import DefaultRecordBatchBuilder


def batch_bytes(key: bytes | None, value: bytes | None, headers) -> int:
    """What the broker compares with a topic's ``max.message.bytes``: the size of the record batch
    that holds this one record alone (checked against the broker in test_parking_at_the_limits)."""
    builder = DefaultRecordBatchBuilder(
        magic=2, compression_type=0, is_transactional=0, producer_id=-1, producer_epoch=-1, base_sequence=-1, batch_size=2**31 - 1
    )
    builder.append(0, timestamp=None, key=key, value=value, headers=list(headers))
    return len(builder.build())


def filling(limit: int, key: bytes | None, headers, byte: bytes = b"\xff") -> bytes:
    """A value of ``byte``s that makes the record with ``key`` and ``headers`` exactly ``limit`` bytes."""
    length = limit - batch_bytes(key, b"", headers)
    while batch_bytes(key, byte * length, headers) > limit:  # the value's length is a varint of its own
        length -= 1
    value = byte * length
    assert batch_bytes(key, value, headers) == limit, "no value length lands on the limit exactly"
    return value
