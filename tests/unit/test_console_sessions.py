"""Console sessions: a cookie the browser can neither read nor change, which ends when unused for
the idle time, at the end of its lifetime, and never before."""

import json

import pytest

from services.decision.console.sessions import Session, SessionCookies

KEY = b"3q2-7wEjRWeJq83vASNFZ4mrze8BI0VniavN7wEjRWc="  # a Fernet key (32 url-safe base64 bytes)
IDLE, LIFETIME = 30 * 60, 10 * 3600


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def cookies(clock: Clock) -> SessionCookies:
    return SessionCookies(KEY, IDLE, LIFETIME, clock=clock)


def test_a_session_comes_back_as_it_went_out_seen_now(clock):
    session = Session.start("anna", 3, clock.now)
    cookie = cookies(clock).dump(session)
    clock.now += 60

    loaded = cookies(clock).load(cookie)

    assert loaded is not None
    assert (loaded.staff_id, loaded.epoch, loaded.csrf, loaded.signed_in_at) == ("anna", 3, session.csrf, session.signed_in_at)
    assert loaded.seen_at == clock.now


def test_the_cookie_does_not_show_what_it_holds(clock):
    cookie = cookies(clock).dump(Session.start("anna-de-vries", 1, clock.now))

    assert "anna" not in cookie and "csrf" not in cookie


def test_a_session_unused_for_longer_than_the_idle_time_has_ended(clock):
    cookie = cookies(clock).dump(Session.start("anna", 1, clock.now))
    clock.now += IDLE - 1
    assert cookies(clock).load(cookie) is not None
    clock.now += 2

    assert cookies(clock).load(cookie) is None


def test_a_session_renewed_by_use_ends_at_its_lifetime(clock):
    jar, signed_in_at = cookies(clock), clock.now
    cookie = jar.dump(Session.start("anna", 1, signed_in_at))
    while clock.now + IDLE - 60 <= signed_in_at + LIFETIME:  # used every 29 minutes, to the end of its lifetime
        clock.now += IDLE - 60
        session = jar.load(cookie)
        assert session is not None
        cookie = jar.dump(session)
    clock.now = signed_in_at + LIFETIME + 1

    assert jar.load(cookie) is None


@pytest.mark.parametrize("cookie", ["", "not a token", "gAAAAAB" + "A" * 100])
def test_a_cookie_that_is_no_session_is_no_session(clock, cookie):
    assert cookies(clock).load(cookie) is None


def test_a_changed_cookie_or_one_made_with_another_key_is_no_session(clock):
    cookie = cookies(clock).dump(Session.start("anna", 1, clock.now))
    flipped = cookie[:20] + ("A" if cookie[20] != "A" else "B") + cookie[21:]
    other = SessionCookies(None, IDLE, LIFETIME, clock=clock)

    assert cookies(clock).load(flipped) is None
    assert other.load(cookie) is None


def test_a_well_sealed_cookie_with_other_contents_is_no_session(clock):
    from cryptography.fernet import Fernet

    forged = Fernet(KEY).encrypt_at_time(json.dumps({"staff_id": "anna"}).encode(), int(clock.now)).decode()

    assert cookies(clock).load(forged) is None
