"""A page of the caseworkers' queue stays one index scan on 10,000 open cases, whatever the filters
and however deep the page: the plan is read from PostgreSQL itself (``docs/console.md`` quotes it)."""

import json
from datetime import date

import pytest

from services.decision.app import MIGRATIONS
from services.decision.console.queue import QueueFilter, View, counts_query, page_query
from tests.conftest import service_pool

pytestmark = pytest.mark.integration

OPEN_CASES = 10_000
TODAY = date(2041, 6, 1)


@pytest.fixture(scope="module")
async def pool():
    async with service_pool("queue_plan", "decision", MIGRATIONS) as pool:
        await pool.execute(
            """insert into decision.cases (case_id, case_number, application_type, status, received_on, deadline,
                   pickup_location, date_of_birth, nationality, fee_paid, recommendation, claimed_by)
               select gen_random_uuid(), 'IND-2041-' || lpad(i::text, 7, '0'),
                      (array['mvv', 'naturalisation', 'residence.family', 'residence.study'])[1 + i % 4],
                      case when i % 10 = 0 then 'refusal_proposed' when i <= $1 then 'awaiting_decision' else 'closed' end,
                      date '2041-01-01', date '2041-01-01' + (i % 400), (array['AM', 'DB', 'DH', 'ZW'])[1 + i % 4],
                      date '1990-01-01', 'NLD', true, (array['grant', 'refuse'])[1 + i % 2],
                      case when i % 7 = 0 then 'cw-' || (i % 20) end
               from generate_series(1, $1 * 3) as i""",
            OPEN_CASES,
        )
        await pool.execute("analyze decision.cases")
        yield pool


async def plan_of(pool, query: tuple[str, list]) -> dict:
    sql, args = query
    async with pool.acquire() as connection:
        await connection.execute("set plan_cache_mode = force_generic_plan")  # as a reused prepared statement runs
        return json.loads(await connection.fetchval(f"explain (format json) {sql}", *args))[0]["Plan"]


def nodes(plan: dict) -> list[dict]:
    return [plan, *(node for child in plan.get("Plans", []) for node in nodes(child))]


FILTERS = {
    "all": QueueFilter(),
    "mine": QueueFilter(view=View.MINE),
    "unassigned, one type and location": QueueFilter(View.UNASSIGNED, "residence.family", "DH", "grant"),
    "page 200": QueueFilter(after=(date(2041, 12, 1), "IND-2041-0005000")),
}


@pytest.mark.parametrize("name", FILTERS)
async def test_a_page_of_the_queue_is_one_scan_of_the_queue_index_with_no_sort(pool, name):
    plan = await plan_of(pool, page_query(FILTERS[name], "cw-3", 25))

    kinds = [(node["Node Type"], node.get("Index Name")) for node in nodes(plan)]
    assert kinds == [("Limit", None), ("Index Scan", "cases_queue")]


async def test_the_counts_read_the_open_cases_through_an_index_never_the_whole_table(pool):
    plan = await plan_of(pool, counts_query(QueueFilter(), "cw-3", TODAY, 14))

    scans = [node["Node Type"] for node in nodes(plan) if "Scan" in node["Node Type"]]
    indexes = {node.get("Index Name") for node in nodes(plan)} - {None}
    assert "Seq Scan" not in scans and indexes & {"cases_queue", "cases_clock_running"}


async def test_the_first_page_reads_a_handful_of_rows_not_the_queue(pool):
    sql, args = page_query(QueueFilter(), "cw-3", 25)
    async with pool.acquire() as connection:
        analysed = json.loads(await connection.fetchval(f"explain (analyze, buffers, format json) {sql}", *args))[0]["Plan"]

    scan = nodes(analysed)[1]
    assert scan["Actual Rows"] == 26 and scan["Shared Hit Blocks"] + scan.get("Shared Read Blocks", 0) < 100
