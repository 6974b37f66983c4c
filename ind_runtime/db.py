"""The asyncpg pool, and ordered SQL migrations with a record of what ran.

Each component (the runtime, each service) keeps numbered ``NNN_name.sql`` files in its own
``migrations/`` folder. ``migrate`` applies the ones not yet recorded in ``runtime.migrations``, in
order, each in its own transaction, under an advisory lock so that workers starting together do
not race.
"""

import hashlib
from pathlib import Path

import asyncpg

from ind_runtime.logs import get_logger

log = get_logger(__name__)
RUNTIME_MIGRATIONS = Path(__file__).parent / "migrations"
_MIGRATION_LOCK = 0x1D_0001


# Batch statements look up a few hundred rows by key (``= any($1)``, ``from unnest(...)``). With
# PostgreSQL's default random_page_cost of 4, which assumes spinning disks, the planner reads such a
# batch's slots, cases or appointments by scanning the whole table (53,200 slots: 4 ms a batch)
# instead of through the primary key (0.5 ms); 1.1, the usual figure for SSDs and cached tables,
# lets it take the index. A session setting, so that it holds wherever the database runs.
SESSION_SETTINGS = {"random_page_cost": "1.1"}


async def create_pool(database_url: str, size: int) -> asyncpg.Pool:
    return await asyncpg.create_pool(
        database_url, min_size=1, max_size=size, command_timeout=60, reset=_keep_session, server_settings=SESSION_SETTINGS
    )


async def _keep_session(_connection: asyncpg.Connection) -> None:
    """Nothing to reset when a connection goes back to the pool (asyncpg still rolls back a
    transaction left open and drops listener callbacks): no code here leaves session state behind
    (settings, cursors, advisory locks held past a transaction), so the default reset, a round
    trip per checkout (``RESET ALL``, ``UNLISTEN *``, ...), would buy nothing; the migration lock,
    the one session-level lock, is released before its connection is, or the connection closed."""


def advisory_lock_id(name: str) -> int:
    """A stable 56-bit id for ``pg_advisory_*lock`` derived from a readable name."""
    return int.from_bytes(hashlib.sha1(name.encode()).digest()[:7], "big")


async def migrate(pool: asyncpg.Pool, component: str, folder: Path) -> list[str]:
    """Apply the pending migrations of one component; returns the names applied now."""
    applied_now: list[str] = []
    async with pool.acquire() as conn:
        await conn.execute("select pg_advisory_lock($1)", _MIGRATION_LOCK)
        try:
            await conn.execute(
                """
                create schema if not exists runtime;
                create table if not exists runtime.migrations (
                    component text not null,
                    name text not null,
                    applied_at timestamptz not null default now(),
                    primary key (component, name)
                )
                """
            )
            done = {r["name"] for r in await conn.fetch("select name from runtime.migrations where component = $1", component)}
            for path in sorted(folder.glob("*.sql")):
                if path.name in done:
                    continue
                async with conn.transaction():
                    await conn.execute(path.read_text())
                    await conn.execute("insert into runtime.migrations (component, name) values ($1, $2)", component, path.name)
                applied_now.append(path.name)
                log.info("migration applied", component=component, migration=path.name)
        finally:
            try:
                await conn.execute("select pg_advisory_unlock($1)", _MIGRATION_LOCK)
            except BaseException:
                conn.terminate()  # the pool does not reset what a connection holds: never hand the lock on
                raise
    return applied_now
