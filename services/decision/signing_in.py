"""Who is signing in: a user name and password checked against the staff, behind the guard on
guessing, for the console's form and the queue's HTTP Basic alike.

Every try is counted before the password is checked (``ind_runtime.guesses``), so a burst of
simultaneous tries gets no more through than the limit. Argon2 is slow on purpose (about 0.2 s and
64 MiB a check here), so it runs in a thread, at most two at a time: a stream of sign-ins cannot
stall the worker's event loop, which also consumes and publishes the service's events.
"""

import asyncio
from enum import StrEnum

import asyncpg

from ind_runtime.guesses import GuessGuard
from services.decision.staff import StaffDirectory, StaffMember, needs_rehash, password_matches

MAX_NAME = 100
_checking = asyncio.Semaphore(2)


class Refused(StrEnum):
    LOCKED = "locked"
    WRONG = "wrong"


def _plausible(name: str) -> bool:
    """A name that could be someone's: PostgreSQL takes no NUL, and no one's id holds a control character."""
    return 0 < len(name) <= MAX_NAME and name.isprintable()


async def signed_in_as(pool: asyncpg.Pool, guard: GuessGuard, name: str, password: str, client: str) -> StaffMember | Refused:
    if await guard.admit(name, client) is not None:
        return Refused.LOCKED
    if not _plausible(name):
        return Refused.WRONG
    async with pool.acquire() as connection:
        directory = StaffDirectory(connection)
        password_hash = await directory.password_hash(name)
        async with _checking:
            matches = await asyncio.to_thread(password_matches, password_hash, password)
        if not matches:
            return Refused.WRONG
        assert password_hash is not None  # only a known account's hash matches
        if needs_rehash(password_hash):
            async with _checking:
                await directory.rehash(name, password)
        member = await directory.get(name)
    await guard.succeeded(name, client)
    return member if member is not None else Refused.WRONG
