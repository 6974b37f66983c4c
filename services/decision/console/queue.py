"""The caseworkers' queue: cases waiting for a caseworker, nearest statutory deadline first.

A page is one index scan of ``cases_queue`` (a partial index on deadline and case number over the
waiting cases): the filters are conditions on the rows it visits, and the next page starts after
the last row of this one (keyset paging), so page 200 costs what page 1 does. The counts are one
more pass over the same index. ``docs/console.md`` shows both plans on 10,000 open cases.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

import asyncpg

from services.decision.claims import QUEUED

PAGE_SIZE = 25
WAITING = "status in (" + ", ".join(f"'{status}'" for status in QUEUED) + ")"
"""Written out, not a parameter: the planner uses the partial index only when it can see that the
query asks for no more than the index holds."""


class View(StrEnum):
    MINE = "mine"
    UNASSIGNED = "unassigned"
    ALL = "all"


@dataclass(frozen=True)
class QueueFilter:
    view: View = View.ALL
    application_type: str | None = None
    location: str | None = None
    recommendation: str | None = None
    after: tuple[date, str] | None = None
    """The deadline and case number of the last case on the page before."""


@dataclass
class QueuePage:
    rows: list[asyncpg.Record]
    counts: asyncpg.Record
    next_after: tuple[date, str] | None
    warning_day: date
    """A deadline on or before this day is near."""


def _conditions(chosen: QueueFilter, staff_id: str, args: list) -> list[str]:
    """The filter as SQL conditions on ``decision.cases``, their values appended to ``args``."""

    def parameter(value) -> str:
        args.append(value)
        return f"${len(args)}"

    conditions = [WAITING]
    if chosen.view == View.MINE:
        conditions.append(f"claimed_by = {parameter(staff_id)}")
    elif chosen.view == View.UNASSIGNED:
        conditions.append("claimed_by is null")
    for column, value in (
        ("application_type", chosen.application_type),
        ("pickup_location", chosen.location),
        ("recommendation", chosen.recommendation),
    ):
        if value is not None:
            conditions.append(f"{column} = {parameter(value)}")
    return conditions


def page_query(chosen: QueueFilter, staff_id: str, size: int) -> tuple[str, list]:
    """The statement for one page (``size`` + 1 rows, to know whether another page follows)."""
    args: list = []
    conditions = _conditions(chosen, staff_id, args)
    if chosen.after is not None:
        args.extend(chosen.after)
        conditions.append(f"(deadline, case_number) > (${len(args) - 1}::date, ${len(args)}::text)")
    args.append(size + 1)
    sql = f"""select case_id, case_number, application_type, status, deadline, pickup_location, recommendation,
                     claimed_by, refusal_proposed_by
              from decision.cases where {" and ".join(conditions)}
              order by deadline, case_number limit ${len(args)}"""
    return sql, args


def counts_query(chosen: QueueFilter, staff_id: str, today: date, warning_days: int) -> tuple[str, list]:
    """The statement for the counts above the queue: all, mine, unassigned, overdue, due soon (the
    filters but not the view apply, so the counts say what each view would hold)."""
    args: list = []
    conditions = _conditions(
        QueueFilter(View.ALL, chosen.application_type, chosen.location, chosen.recommendation), staff_id, args
    )
    args.extend([today, today + timedelta(days=warning_days), staff_id])
    today_at, soon_at, me_at = len(args) - 2, len(args) - 1, len(args)
    sql = f"""select count(*) as all, count(*) filter (where claimed_by = ${me_at}) as mine,
                     count(*) filter (where claimed_by is null) as unassigned,
                     count(*) filter (where deadline < ${today_at}) as overdue,
                     count(*) filter (where deadline >= ${today_at} and deadline <= ${soon_at}) as due_soon
              from decision.cases where {" and ".join(conditions)}"""
    return sql, args


async def queue_page(
    connection: asyncpg.Connection, chosen: QueueFilter, staff_id: str, today: date, warning_days: int, size: int = PAGE_SIZE
) -> QueuePage:
    rows = await connection.fetch(*_flat(page_query(chosen, staff_id, size)))
    counts = await connection.fetchrow(*_flat(counts_query(chosen, staff_id, today, warning_days)))
    more = len(rows) > size
    rows = rows[:size]
    next_after = (rows[-1]["deadline"], rows[-1]["case_number"]) if more else None
    return QueuePage(rows, counts, next_after, today + timedelta(days=warning_days))


def _flat(query: tuple[str, list]) -> tuple:
    sql, args = query
    return (sql, *args)
