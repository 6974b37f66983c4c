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


async def queue_page(
    connection: asyncpg.Connection, chosen: QueueFilter, staff_id: str, today: date, warning_days: int, size: int = PAGE_SIZE
) -> QueuePage:
    args: list = []
    conditions = _conditions(chosen, staff_id, args)
    if chosen.after is not None:
        args.extend(chosen.after)
        conditions.append(f"(deadline, case_number) > (${len(args) - 1}::date, ${len(args)}::text)")
    args.append(size + 1)
    rows = await connection.fetch(
        f"""select case_id, case_number, application_type, status, deadline, pickup_location, recommendation,
                   claimed_by, refusal_proposed_by
            from decision.cases where {" and ".join(conditions)}
            order by deadline, case_number limit ${len(args)}""",
        *args,
    )
    count_args: list = []
    count_conditions = _conditions(
        QueueFilter(View.ALL, chosen.application_type, chosen.location, chosen.recommendation), staff_id, count_args
    )
    count_args.extend([today, today + timedelta(days=warning_days), staff_id])
    n = len(count_args)
    counts = await connection.fetchrow(
        f"""select count(*) as all, count(*) filter (where claimed_by = ${n}) as mine,
                   count(*) filter (where claimed_by is null) as unassigned,
                   count(*) filter (where deadline < ${n - 2}) as overdue,
                   count(*) filter (where deadline >= ${n - 2} and deadline <= ${n - 1}) as due_soon
            from decision.cases where {" and ".join(count_conditions)}""",
        *count_args,
    )
    more = len(rows) > size
    rows = rows[:size]
    next_after = (rows[-1]["deadline"], rows[-1]["case_number"]) if more else None
    return QueuePage(rows, counts, next_after, today + timedelta(days=warning_days))
