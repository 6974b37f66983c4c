"""What can go wrong while handling a record, sorted by what to do about it.

- An outage (the database or the broker away) fails every record alike: wait it out, never park.
- A malformed record breaks its contract: no retry can change its bytes, so park it at once.
- ``NotReady``: the record waits for another topic's event; set it aside until that arrives.
- Anything else is retried a bounded number of times, then parked.
"""

import asyncio

import asyncpg
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError
from pydantic import ValidationError

from ind_runtime.records import Unprocessable

OUTAGES: tuple[type[BaseException], ...] = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.CannotConnectNowError,
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.InterfaceError,
    asyncpg.DeadlockDetectedError,
    asyncpg.SerializationError,
    asyncpg.AdminShutdownError,
    KafkaConnectionError,
    KafkaTimeoutError,
)

MALFORMED: tuple[type[BaseException], ...] = (ValidationError, UnicodeDecodeError, Unprocessable)


class NotReady(Exception):
    """An event this one depends on (from another topic) has not been handled yet.

    Normally the event it waits for is already on its way, because it caused this one.
    """


def is_outage(error: BaseException) -> bool:
    return isinstance(error, OUTAGES)
