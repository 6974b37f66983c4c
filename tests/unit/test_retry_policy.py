"""Backoff doubles per try and is capped; outages are told apart from bugs."""

import asyncpg
from pydantic import BaseModel, ValidationError

from ind_runtime.processing import RetryPolicy, is_outage


def test_backoff_doubles_and_is_capped():
    policy = RetryPolicy(max_attempts=5, backoff_s=0.5, backoff_max_s=3.0)
    assert [policy.delay(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_connection_failures_are_outages_and_bugs_are_not():
    assert is_outage(ConnectionRefusedError())
    assert is_outage(asyncpg.CannotConnectNowError("starting up"))
    assert not is_outage(KeyError("x"))

    class M(BaseModel):
        x: int

    try:
        M.model_validate({"x": "y"})
    except ValidationError as error:
        assert not is_outage(error)
