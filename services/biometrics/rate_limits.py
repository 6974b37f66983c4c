"""Rate limits on the applicants' endpoints that change something: a token bucket per client address
and kind of request, in the worker's memory.

Why in memory and not in PostgreSQL: a limit is there to keep one client from crowding out others
and from guessing tokens, not to count exactly. A bucket in the database would cost a write per
request, the very load a flood brings, and would turn every refused request into work for the
database. In memory it costs nothing and answers at once; the price is that each worker keeps its
own buckets, so behind a load balancer over N workers a client may reach N times the rate. The
seats stay safe regardless: the slot's check constraint and the booking turn decide who gets one.

A bucket holds ``per_minute`` tries and refills at ``per_minute`` a minute; a client that finds it
empty is told in seconds when the next try comes (``Retry-After``). Buckets are kept for at most
``max_clients`` clients, the least recently seen forgotten first, so a flood of addresses cannot
make the worker's memory grow without bound (a client forgotten starts again with a full bucket).
"""

import math
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    at: float  # when ``tokens`` was last brought up to date


class RateLimits:
    def __init__(
        self, per_minute: Mapping[str, int], *, max_clients: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._per_minute = dict(per_minute)
        self._max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[tuple[str, str], _Bucket] = OrderedDict()

    def retry_after(self, kind: str, client: str) -> int | None:
        """Take a try of ``kind`` for ``client``: None when it may go ahead, else the whole seconds
        until the next one may."""
        capacity = self._per_minute[kind]
        now = self._clock()
        key = (kind, client)
        bucket = self._buckets.pop(key, None) or _Bucket(float(capacity), now)
        self._buckets[key] = bucket  # the most recently seen last
        while len(self._buckets) > self._max_clients:
            self._buckets.popitem(last=False)
        per_second = capacity / 60.0
        bucket.tokens = min(float(capacity), bucket.tokens + (now - bucket.at) * per_second)
        bucket.at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        return max(1, math.ceil((1.0 - bucket.tokens) / per_second))
