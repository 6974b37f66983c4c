"""Slowing down guessing: wrong guesses are counted per what was guessed at (a user name, a case
number) and per client address, and either is locked for a while once it reaches its limit.

Two guards use it: signing in to the console (a user name and a password) and looking up a case
(a case number and a date of birth; case numbers run in sequence and there are only about 36,500
plausible birth dates, so without a limit both are enumerable). Something guessed at that does not
exist (a user name with no account, a case number never given) is counted and locked like one
that does, so neither the answer nor the lockout tells whether it exists. Subjects are stored as
keyed hashes: a name typed into the console (sometimes a password, typed into the wrong field), a
case number and a client's address are personal data that the table does not need in the clear.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

import asyncpg


@dataclass(frozen=True)
class Limits:
    per_subject: int
    per_client: int
    window_s: int = 15 * 60
    """Failures further apart than this start the count again."""
    lockout_s: int = 15 * 60


SIGN_IN = Limits(per_subject=5, per_client=20)
CASE_LOOK_UP = Limits(per_subject=5, per_client=20)


class GuessGuard:
    def __init__(self, pool: asyncpg.Pool, secret: bytes, kind: str, limits: Limits) -> None:
        """``kind`` keeps the guards' counts apart (``sign-in``, ``case``)."""
        self._pool = pool
        self._secret = secret
        self._kind = kind
        self.limits = limits

    def _subjects(self, subject: str, client: str) -> list[tuple[str, int]]:
        return [
            (self._hashed(self._kind, subject.casefold()), self.limits.per_subject),
            (self._hashed(f"{self._kind}-client", client), self.limits.per_client),
        ]

    def _hashed(self, kind: str, value: str) -> str:
        return f"{kind}:" + hashlib.blake2b(value.encode(), key=self._secret[:64], digest_size=16).hexdigest()

    async def locked_until(self, subject: str, client: str) -> datetime | None:
        """Until when guessing at ``subject`` or from ``client`` is locked; None when it is not."""
        return await self._pool.fetchval(
            "select max(locked_until) from decision.failed_guesses where subject = any($1::text[]) and locked_until > now()",
            [hashed for hashed, _limit in self._subjects(subject, client)],
        )

    async def failed(self, subject: str, client: str) -> None:
        """Count a wrong guess against both, locking each that reaches its limit."""
        async with self._pool.acquire() as connection:
            for hashed, limit in self._subjects(subject, client):
                await connection.execute(
                    """insert into decision.failed_guesses as f (subject, failures, first_failure_at) values ($1, 1, now())
                       on conflict (subject) do update set
                           failures = case when f.first_failure_at < now() - make_interval(secs => $2) then 1 else f.failures + 1 end,
                           first_failure_at = case when f.first_failure_at < now() - make_interval(secs => $2)
                                                   then now() else f.first_failure_at end""",
                    hashed,
                    self.limits.window_s,
                )
                await connection.execute(
                    """update decision.failed_guesses set locked_until = now() + make_interval(secs => $2), failures = 0,
                           first_failure_at = now()
                       where subject = $1 and failures >= $3""",
                    hashed,
                    self.limits.lockout_s,
                    limit,
                )

    async def succeeded(self, subject: str) -> None:
        """Forget the subject's wrong guesses (a client's count stays: it may be guessing at others)."""
        await self._pool.execute(
            "delete from decision.failed_guesses where subject = $1", self._hashed(self._kind, subject.casefold())
        )
