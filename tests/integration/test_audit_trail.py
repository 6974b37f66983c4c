"""The audit trail is append-only in PostgreSQL itself: connected as the role the services use, a
row can be added but no row can be changed or removed, and the refusal says why."""

from urllib.parse import urlparse
from uuid import uuid4

import asyncpg
import pytest

import services.decision.app
from ind_runtime.db import migrate
from ind_runtime.settings import get_settings
from services.decision.audit import AuditEntry
from services.decision.unit_of_work import DecisionUnitOfWork


@pytest.fixture(scope="module", autouse=True)
async def decision_schema(pool):
    await migrate(pool, "decision", services.decision.app.MIGRATIONS)


@pytest.fixture
async def audited(pool) -> int:
    """One audit row, written by the decision service's own code; its id."""
    command_id = f"cmd-{uuid4()}"
    async with DecisionUnitOfWork(pool, "decision-under-test") as uow:
        uow.audit_trail.record(
            AuditEntry(
                command_id=command_id,
                caseworker_id="cw-001",
                action="grant",
                case_id=uuid4(),
                case_number="IND-2042-0000001",
                reason="All conditions are met.",
            )
        )
        await uow.commit()
    return await pool.fetchval("select id from decision.audit_trail where command_id = $1", command_id)


async def attempt(pool, sql: str, *args) -> None:
    """Run ``sql`` in a transaction that is always rolled back, so a failing test cannot damage the trail."""
    async with pool.acquire() as connection:
        transaction = connection.transaction()
        await transaction.start()
        try:
            await connection.execute(sql, *args)
        finally:
            await transaction.rollback()


async def test_the_tests_connect_as_the_services_role_which_is_not_a_superuser(pool):
    role = await pool.fetchrow("select current_user as name, rolsuper from pg_roles where rolname = current_user")
    assert role["name"] == urlparse(get_settings().database_url).username == "ind"
    assert role["rolsuper"] is False


async def test_an_insert_is_kept(pool, audited):
    row = await pool.fetchrow("select caseworker_id, action, accepted from decision.audit_trail where id = $1", audited)
    assert dict(row) == {"caseworker_id": "cw-001", "action": "grant", "accepted": True}


@pytest.mark.parametrize(
    "operation, sql",
    [
        ("UPDATE", "update decision.audit_trail set accepted = false, reason = 'rewritten' where id = $1"),
        ("DELETE", "delete from decision.audit_trail where id = $1"),
        ("TRUNCATE", "truncate decision.audit_trail"),
    ],
)
async def test_changing_or_removing_audit_rows_is_refused_with_a_clear_error(pool, audited, operation, sql):
    before = await pool.fetchrow("select * from decision.audit_trail where id = $1", audited)

    with pytest.raises(
        asyncpg.InsufficientPrivilegeError, match=f"decision.audit_trail is append-only: {operation} is not allowed"
    ):
        await attempt(pool, sql, *([audited] if "$1" in sql else []))

    assert await pool.fetchrow("select * from decision.audit_trail where id = $1", audited) == before
