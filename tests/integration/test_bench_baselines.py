"""The benchmark's own measuring tools, against the real SMTP server and PostgreSQL: a figure they
print must count what really happened."""

import asyncpg

from harness.bench.smtp_floor import smtp_floor
from harness.bench.statements import StatementStats
from tests.conftest import as_superuser, fresh_database


def test_smtp_baseline_counts_only_messages_the_server_received():
    figures = smtp_floor(message_bytes=800, messages=200, sessions=2)

    assert figures["messages"] == 200  # smtp_floor raises unless the sink received all 200
    assert 800 - 72 <= figures["mean_bytes"] <= 800
    assert figures["messages_per_s"] > 0


async def test_statement_stats_count_the_statements_run_since_the_reset():
    async with fresh_database("statements") as url:
        database = url.rsplit("/", 1)[1]
        superuser = as_superuser(url)
        connection = await asyncpg.connect(url)
        try:
            await connection.execute("create table desks (name text primary key)")
            await connection.execute("insert into desks values ('before the reset')")
            stats = StatementStats(superuser)
            await stats.reset()
            for n in range(5):
                await connection.execute("insert into desks values ($1)", f"desk {n}")
            figures = await stats.read()
        finally:
            await connection.close()

    assert stats.loaded, f"the local stack loads pg_stat_statements (database {database})"
    inserts = [s for s in figures["top"] if s["query"].startswith("insert into desks")]
    assert [(s["calls"], s["rows"]) for s in inserts] == [(5, 5)]
    assert figures["total_ms"] >= inserts[0]["total_ms"] > 0
