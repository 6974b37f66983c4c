"""Slowing down guessing: tries are counted per what is guessed at (a user name, a case number) and
per client, and either is locked for a while once it reaches its limit.

Decision guards signing in to the console (a user name and a password) and looking up a case (a
case number and a date of birth; case numbers run in sequence and there are only about 36,500
plausible birth dates, so without a limit both are enumerable); biometrics guards the case number
and date of birth that book or move a case's appointment. Something guessed at that does not exist
(a user name with no account, a case number never given) is counted and locked like one that does,
so neither the answer nor the lockout tells whether it exists.

A try is counted *before* it is checked (``admit``), in one statement per subject whose row lock
makes concurrent tries wait for each other: a burst of simultaneous requests gets no more tries
through than the limit, which a check followed by a count would let it. A try that turns out right
clears what was guessed at and gives the client its try back (``succeeded``).

Subjects are stored as keyed hashes: a name typed into a form (sometimes a password, typed into
the wrong field), a case number and a client's address are personal data that the table does not
need in the clear. An IPv6 client counts by its /64 network (``ind_runtime.client_address``).
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
    """Tries further apart than this start the count again."""
    lockout_s: int = 15 * 60


SIGN_IN = Limits(per_subject=5, per_client=20)
CASE_LOOK_UP = Limits(per_subject=5, per_client=20)


class GuessGuard:
    def __init__(self, pool: asyncpg.Pool, secret: bytes, kind: str, limits: Limits, table: str) -> None:
        """``kind`` keeps the guards' counts apart (``sign-in``, ``case``); ``table`` is the
        service's own (``<schema>.failed_guesses``, see the services' migrations)."""
        self._pool = pool
        self._secret = secret
        self._kind = kind
        self._table = table
        self.limits = limits

    def _hashed(self, kind: str, value: str) -> str:
        return f"{kind}:" + hashlib.blake2b(value.encode(), key=self._secret[:64], digest_size=16).hexdigest()

    def _subjects(self, subject: str, client: str) -> list[tuple[str, int]]:
        return [
            (self._hashed(self._kind, subject.casefold()), self.limits.per_subject),
            (self._hashed(f"{self._kind}-client", client), self.limits.per_client),
        ]

    async def admit(self, subject: str, client: str) -> datetime | None:
        """Count a try at ``subject`` from ``client``; None when it may go ahead, else until when
        tries are locked (this one included)."""
        window, lockout = self.limits.window_s, self.limits.lockout_s
        until: datetime | None = None
        async with self._pool.acquire() as connection:
            for hashed, limit in self._subjects(subject, client):
                row = await connection.fetchrow(
                    f"""insert into {self._table} as f (subject, failures, first_failure_at) values ($1, 1, now())
                        on conflict (subject) do update set
                            failures = case when f.locked_until > now() then f.failures
                                            when f.first_failure_at < now() - make_interval(secs => $2) then 1
                                            else f.failures + 1 end,
                            first_failure_at = case when f.locked_until > now() then f.first_failure_at
                                                    when f.first_failure_at < now() - make_interval(secs => $2) then now()
                                                    else f.first_failure_at end,
                            locked_until = case when f.locked_until > now() then f.locked_until
                                                when f.first_failure_at >= now() - make_interval(secs => $2) and f.failures >= $3
                                                then now() + make_interval(secs => $4) end
                        returning locked_until""",
                    hashed,
                    window,
                    limit,
                    lockout,
                )
                if row["locked_until"] is not None:
                    until = max(until, row["locked_until"]) if until else row["locked_until"]
        return until

    async def succeeded(self, subject: str, client: str) -> None:
        """The try was right: forget the subject's tries and give the client this one back (it may
        still be guessing at others, so its count stays)."""
        (subject_hash, _), (client_hash, _) = self._subjects(subject, client)
        async with self._pool.acquire() as connection:
            await connection.execute(f"delete from {self._table} where subject = $1", subject_hash)
            await connection.execute(
                f"update {self._table} set failures = greatest(failures - 1, 0) where subject = $1 and locked_until is null",
                client_hash,
            )
