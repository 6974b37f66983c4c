"""The harness's fresh database, against the real PostgreSQL: empty, whoever is still on the old one."""

import asyncio

import asyncpg

from harness.databases import drop_database, fresh_database
from ind_runtime.settings import get_settings
from tests.conftest import as_superuser

ADMIN_URL = get_settings().database_url


async def _tables(url: str) -> list[str]:
    connection = await asyncpg.connect(url)
    try:
        return [row["tablename"] for row in await connection.fetch("select tablename from pg_tables where schemaname = 'public'")]
    finally:
        await connection.close()


async def test_a_fresh_database_is_empty_and_the_last_runs_sessions_are_ended():
    url = await fresh_database(ADMIN_URL, "ind_fresh_sessions")
    left_open = await asyncpg.connect(url)
    try:
        await left_open.execute("create table desks (name text primary key)")

        assert await fresh_database(ADMIN_URL, "ind_fresh_sessions") == url
        assert await _tables(url) == []
        assert left_open.is_closed() or not await _still_works(left_open)
    finally:
        left_open.terminate()
        await drop_database(ADMIN_URL, "ind_fresh_sessions")


async def test_a_session_the_drop_may_not_end_is_waited_for_not_failed_on():
    url = await fresh_database(ADMIN_URL, "ind_fresh_superuser")
    superuser = await asyncpg.connect(as_superuser(url))  # as an autovacuum worker, not ours to end
    await superuser.execute("create table desks (name text primary key)")

    fresh = asyncio.create_task(fresh_database(ADMIN_URL, "ind_fresh_superuser"))
    await asyncio.sleep(1.0)
    assert not fresh.done()  # still trying, not failed
    await superuser.close()

    assert await asyncio.wait_for(fresh, 10) == url
    assert await _tables(url) == []
    await drop_database(ADMIN_URL, "ind_fresh_superuser")


async def _still_works(connection: asyncpg.Connection) -> bool:
    try:
        await connection.fetchval("select 1")
        return True
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
        return False
