"""A fresh, empty database for a run of the harness or the tests, however the last run left it."""

import asyncio
import time

import asyncpg

BUSY_WAIT_S = 10.0


async def fresh_database(admin_url: str, name: str) -> str:
    """Drop ``name`` (see ``drop_database``) and create it empty; returns its URL."""
    admin = await asyncpg.connect(admin_url, timeout=5)
    try:
        await _drop(admin, name)
        await admin.execute(f"create database {name}")
    finally:
        await admin.close()
    return admin_url.rsplit("/", 1)[0] + "/" + name


async def drop_database(admin_url: str, name: str) -> None:
    """Drop ``name``, ending every session on it."""
    admin = await asyncpg.connect(admin_url, timeout=5)
    try:
        await _drop(admin, name)
    finally:
        await admin.close()


async def _drop(admin: asyncpg.Connection, name: str) -> None:
    # "with (force)" ends the sessions of our own role, but is refused while a session of a role
    # we may not signal is on the database: an autovacuum worker still cleaning up after the last
    # run's burst, or an operator's superuser session. Both end within seconds, so try again until then.
    deadline = time.monotonic() + BUSY_WAIT_S
    while True:
        try:
            await admin.execute(f"drop database if exists {name} with (force)")
            return
        except asyncpg.InsufficientPrivilegeError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.25)
