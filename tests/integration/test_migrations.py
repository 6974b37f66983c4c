"""Migrations run once, in order, and are recorded; a second run applies nothing."""

from pathlib import Path

import asyncpg
import pytest

from ind_runtime.db import migrate


async def test_migrations_apply_once_in_order(pool, tmp_path: Path):
    (tmp_path / "002_second.sql").write_text("create table mig_test.second (id int)")
    (tmp_path / "001_first.sql").write_text("create schema mig_test; create table mig_test.first (id int)")
    assert await migrate(pool, "mig-test", tmp_path) == ["001_first.sql", "002_second.sql"]
    assert await migrate(pool, "mig-test", tmp_path) == []
    recorded = await pool.fetch("select name from runtime.migrations where component = 'mig-test' order by name")
    assert [r["name"] for r in recorded] == ["001_first.sql", "002_second.sql"]


async def test_a_failing_migration_leaves_no_trace_and_is_retried_next_time(pool, tmp_path: Path):
    (tmp_path / "001_broken.sql").write_text("create schema mig_broken; select no_such_function()")
    with pytest.raises(asyncpg.UndefinedFunctionError):
        await migrate(pool, "mig-broken", tmp_path)
    assert await pool.fetchval("select count(*) from runtime.migrations where component = 'mig-broken'") == 0
    assert await pool.fetchval("select count(*) from pg_namespace where nspname = 'mig_broken'") == 0
