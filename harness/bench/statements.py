"""Where PostgreSQL's time goes in a burst: pg_stat_statements over the burst's database.

The local stack loads the extension; the benchmark's cluster also times planning (``SERVER_OPTIONS``). A burst resets the counts
once its workers are up and reads them when the last case has closed, so what is counted is the
burst: every service's statements, the harness's progress checks among them. Times are the
server's own for each statement, planning included (asyncpg prepares each statement once per
connection, but a plan can still be made for every execution), and leave out the work between
statements (the protocol, parsing the text once, the commit's WAL flush).
"""

import re

import asyncpg

SERVER_OPTIONS = "-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track_planning=on"

_READ = """
    select query, calls, total_exec_time + total_plan_time as ms, total_plan_time as plan_ms, rows
    from pg_stat_statements s join pg_database d on d.oid = s.dbid
    where d.datname = current_database()
    order by ms desc"""


class StatementStats:
    """``superuser_url``: the burst's database as the cluster's superuser, who alone may reset the counts."""

    def __init__(self, superuser_url: str) -> None:
        self._url = superuser_url
        self.loaded = False

    async def reset(self) -> None:
        connection = await asyncpg.connect(self._url)
        try:
            self.loaded = "pg_stat_statements" in await connection.fetchval("show shared_preload_libraries")
            if self.loaded:
                await connection.execute("create extension if not exists pg_stat_statements")
                await connection.execute("select pg_stat_statements_reset()")
        finally:
            await connection.close()

    async def read(self, top: int = 12) -> dict | None:
        """The ``top`` statements by time, and the totals over all; None without the extension."""
        if not self.loaded:
            return None
        connection = await asyncpg.connect(self._url)
        try:
            rows = await connection.fetch(_READ)
        finally:
            await connection.close()
        return {
            "statements": len(rows),
            "calls": sum(r["calls"] for r in rows),
            "total_ms": sum(r["ms"] for r in rows),
            "plan_ms": sum(r["plan_ms"] for r in rows),
            "top": [
                {
                    "query": _one_line(r["query"]),
                    "calls": r["calls"],
                    "total_ms": r["ms"],
                    "plan_ms": r["plan_ms"],
                    "mean_ms": r["ms"] / r["calls"] if r["calls"] else None,
                    "rows": r["rows"],
                }
                for r in rows[:top]
            ],
        }


def _one_line(query: str, limit: int = 160) -> str:
    text = re.sub(r"\s+", " ", query).strip()
    return text if len(text) <= limit else text[: limit - 3] + "..."
