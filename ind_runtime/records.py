"""A consumed Kafka record as the runtime sees it: raw bytes plus where they came from."""

import base64
import json
from dataclasses import dataclass, field

Headers = tuple[tuple[str, bytes], ...]


@dataclass(frozen=True)
class ConsumedRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Headers = field(default=())

    def row(self) -> tuple[str, int, int, bytes | None, bytes | None, str]:
        """Where it came from and what it held, as the stores that keep records take it: topic,
        partition, offset, key, value and headers (as ``headers_to_json`` writes them)."""
        return self.topic, self.partition, self.offset, self.key, self.value, headers_to_json(self.headers)

    @property
    def position(self) -> str:
        """``topic-partition-offset``: unique for the life of the topic, an id for unreadable records."""
        return f"{self.topic}-{self.partition}-{self.offset}"

    @classmethod
    def from_faust(cls, event) -> "ConsumedRecord":
        message = event.message
        headers = message.headers or ()
        if isinstance(headers, dict):
            headers = headers.items()
        return cls(
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            key=message.key,
            value=message.value,
            headers=tuple((name, bytes(value or b"")) for name, value in headers),
        )


class Unprocessable(ValueError):
    """The record cannot be handled as it is (unreadable, or naming something that does not exist);
    retrying cannot help, so it is parked at once."""


def headers_to_json(headers: Headers) -> str:
    """Kafka headers as a JSON column can hold them: their values are bytes, so base64."""
    return json.dumps([[name, base64.b64encode(value).decode()] for name, value in headers])


def headers_from_json(stored: str) -> Headers:
    return tuple((name, base64.b64decode(value)) for name, value in json.loads(stored))
