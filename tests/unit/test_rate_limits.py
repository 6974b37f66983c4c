"""The applicants' rate limits: a token bucket per client and kind of request that refills over a
minute, tells a refused client when to come back, and forgets the least recently seen clients first."""

from services.biometrics.rate_limits import RateLimits


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_client_gets_its_tries_a_minute_then_waits_for_the_next_and_others_are_not_held_up():
    clock = Clock()
    limits = RateLimits({"book": 6}, clock=clock)

    assert [limits.retry_after("book", "192.0.2.1") for _ in range(6)] == [None] * 6
    assert limits.retry_after("book", "192.0.2.1") == 10  # six a minute: one every ten seconds
    assert limits.retry_after("book", "192.0.2.2") is None

    clock.now += 10
    assert limits.retry_after("book", "192.0.2.1") is None
    assert limits.retry_after("book", "192.0.2.1") == 10


def test_each_kind_of_request_has_its_own_bucket():
    limits = RateLimits({"hold": 1, "manage": 1}, clock=Clock())

    assert limits.retry_after("hold", "192.0.2.1") is None
    assert limits.retry_after("manage", "192.0.2.1") is None
    assert limits.retry_after("hold", "192.0.2.1") == 60


def test_a_bucket_refills_to_its_size_and_no_further():
    clock = Clock()
    limits = RateLimits({"hold": 2}, clock=clock)
    limits.retry_after("hold", "192.0.2.1")
    clock.now += 3600

    assert [limits.retry_after("hold", "192.0.2.1") for _ in range(3)] == [None, None, 30]


def test_the_least_recently_seen_client_is_forgotten_when_too_many_are_kept():
    limits = RateLimits({"book": 1}, max_clients=2, clock=Clock())
    limits.retry_after("book", "a")
    limits.retry_after("book", "b")
    limits.retry_after("book", "a")  # refused, and seen most recently
    limits.retry_after("book", "c")  # b is forgotten

    assert limits.retry_after("book", "a") == 60
    assert limits.retry_after("book", "b") is None  # a fresh bucket
