"""Console sessions, kept in a cookie that is signed and encrypted (Fernet: AES-128-CBC and
HMAC-SHA256) so that the browser can neither read nor alter it.

A session ends when it has not been used for ``idle`` seconds, when it is ``lifetime`` seconds old,
or when the person's ``session_epoch`` moved on (a password reset, a disabled account). Each request
that uses a session renews the cookie, so the idle limit counts from the last request.
"""

import json
import secrets
import time
from dataclasses import asdict, dataclass, replace

from aiohttp import web
from cryptography.fernet import Fernet, InvalidToken

COOKIE = "ind_console"


@dataclass(frozen=True)
class Session:
    staff_id: str
    epoch: int
    csrf: str
    signed_in_at: float
    seen_at: float

    @classmethod
    def start(cls, staff_id: str, epoch: int, now: float) -> "Session":
        return cls(staff_id, epoch, secrets.token_urlsafe(32), signed_in_at=now, seen_at=now)


class SessionCookies:
    def __init__(self, key: bytes | None, idle: int, lifetime: int, clock=time.time) -> None:
        self._fernet = Fernet(key or Fernet.generate_key())
        self._idle = idle
        self._lifetime = lifetime
        self._clock = clock

    def dump(self, session: Session) -> str:
        return self._fernet.encrypt_at_time(json.dumps(asdict(session)).encode(), int(self._clock())).decode()

    def load(self, cookie: str | None) -> Session | None:
        """The session in ``cookie``, seen now; None when there is none, it was altered, or it ended."""
        if not cookie:
            return None
        now = self._clock()
        try:
            fields = json.loads(self._fernet.decrypt_at_time(cookie.encode(), ttl=self._idle, current_time=int(now)))
            session = Session(**fields)
        except (InvalidToken, ValueError, TypeError):
            return None
        if now - session.signed_in_at > self._lifetime:
            return None
        return replace(session, seen_at=now)


CURRENT_SESSION: web.RequestKey[Session | None] = web.RequestKey("console_session")
"""The request's session: set from the cookie before the handler runs, written back after it (None
removes the cookie)."""
