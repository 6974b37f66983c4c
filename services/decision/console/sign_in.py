"""Slowing down password guessing: wrong passwords are counted per user name and per client address,
and either is locked for a while once it reaches its limit.

A user name that has no account is counted and locked like one that has, so neither the answer nor
the lockout tells whether an account exists. Subjects are stored as keyed hashes: a name typed into
the console (sometimes a password, typed into the wrong field) and a client's address are personal
data that the table does not need in the clear.
"""

import hashlib
from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True)
class Limits:
    per_name: int = 5
    per_client: int = 20
    window_s: int = 15 * 60
    """Failures further apart than this start the count again."""
    lockout_s: int = 15 * 60


class SignInGuard:
    def __init__(self, pool: asyncpg.Pool, secret: bytes, limits: Limits = Limits()) -> None:
        self._pool = pool
        self._secret = secret
        self.limits = limits

    def _subjects(self, name: str, client: str) -> list[tuple[str, int]]:
        return [
            (self._subject("name", name.casefold()), self.limits.per_name),
            (self._subject("client", client), self.limits.per_client),
        ]

    def _subject(self, kind: str, value: str) -> str:
        return f"{kind}:" + hashlib.blake2b(value.encode(), key=self._secret[:64], digest_size=16).hexdigest()

    async def locked(self, name: str, client: str) -> bool:
        """Whether sign-in by ``name`` or from ``client`` is locked now."""
        return await self._pool.fetchval(
            "select exists (select from decision.sign_in_failures where subject = any($1::text[]) and locked_until > now())",
            [subject for subject, _limit in self._subjects(name, client)],
        )

    async def failed(self, name: str, client: str) -> None:
        """Count a wrong password against both, locking each that reaches its limit."""
        async with self._pool.acquire() as connection:
            for subject, limit in self._subjects(name, client):
                await connection.execute(
                    """insert into decision.sign_in_failures as f (subject, failures, first_failure_at) values ($1, 1, now())
                       on conflict (subject) do update set
                           failures = case when f.first_failure_at < now() - make_interval(secs => $2) then 1 else f.failures + 1 end,
                           first_failure_at = case when f.first_failure_at < now() - make_interval(secs => $2)
                                                   then now() else f.first_failure_at end""",
                    subject,
                    self.limits.window_s,
                )
                await connection.execute(
                    """update decision.sign_in_failures set locked_until = now() + make_interval(secs => $2), failures = 0,
                           first_failure_at = now()
                       where subject = $1 and failures >= $3""",
                    subject,
                    self.limits.lockout_s,
                    limit,
                )

    async def succeeded(self, name: str) -> None:
        """Forget the name's wrong passwords (a client's count stays: it may be guessing at others)."""
        await self._pool.execute(
            "delete from decision.sign_in_failures where subject = $1", self._subject("name", name.casefold())
        )
