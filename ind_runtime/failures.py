"""What can go wrong while handling a record, and what is done about it: the one place that decides.

- An outage (the database or the broker away) fails every record alike: wait it out in line, never
  park (parking every record would only move the outage into the dead-letter topics).
- A malformed record breaks its contract: no retry can change its bytes, so park it at once.
- ``NotReady``: the record waits for another topic's event; set it aside until that arrives, for at
  most ``not_ready_max_s``, then park it.
- Anything else is tried ``max_attempts`` times, with a backoff between tries, then parked.

Each of the processor's three paths (a batch in one transaction, a record on its own, the pass over
records set aside) asks ``verdict`` and acts on the answer its own way.
"""

import asyncio
import traceback
from dataclasses import dataclass
from enum import Enum

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


def described(error: BaseException) -> str:
    """``error`` as its traceback's last line says it (type and message), for an operator to read."""
    return "".join(traceback.format_exception_only(type(error), error)).strip()


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    backoff_s: float = 0.2
    backoff_max_s: float = 10.0
    not_ready_max_s: float = 600.0

    def delay(self, attempt: int) -> float:
        return min(self.backoff_s * 2 ** (attempt - 1), self.backoff_max_s)


class Verdict(Enum):
    WAIT_OUT = "an outage: try again in line for as long as it lasts"
    PARK = "park the record: it has had its chances, or never had one"
    TRY_AGAIN = "try the record again later: set it aside where there is a store for that, else in line"


def verdict(error: BaseException, attempts: int, waited_s: float, policy: RetryPolicy) -> Verdict:
    """What to do about a record whose handler raised ``error`` on its ``attempts``-th try, after
    the record has waited ``waited_s`` since it was first tried."""
    if is_outage(error):
        return Verdict.WAIT_OUT
    if isinstance(error, MALFORMED):
        return Verdict.PARK
    if isinstance(error, NotReady):
        return Verdict.PARK if waited_s >= policy.not_ready_max_s else Verdict.TRY_AGAIN
    return Verdict.PARK if attempts >= policy.max_attempts else Verdict.TRY_AGAIN
