"""Where the decision service keeps its cases and their status history (``decision.*``)."""

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

import asyncpg

from ind_runtime.unit_of_work import UnitOfWork
from schemas.codes import ApplicationType, LocationCode
from schemas.lifecycle import Outcome
from services.decision.assessment import Assessment
from services.decision.case import Case, CaseStatus

_CASE_COLUMNS = (
    "case_id, case_number, application_type, status, received_on, deadline, pickup_location, "
    "suspended_days, suspended_on, refusal_proposed_by, outcome"
)


def _case(row: asyncpg.Record) -> Case:
    return Case(
        case_id=row["case_id"],
        case_number=row["case_number"],
        application_type=ApplicationType(row["application_type"]),
        status=CaseStatus(row["status"]),
        received_on=row["received_on"],
        deadline=row["deadline"],
        pickup_location=LocationCode(row["pickup_location"]),
        suspended_days=row["suspended_days"],
        suspended_on=row["suspended_on"],
        refusal_proposed_by=row["refusal_proposed_by"],
        outcome=Outcome(row["outcome"]) if row["outcome"] else None,
    )


_SAVE_STATE = """update decision.cases set case_number = $2, application_type = $3, status = $4, received_on = $5,
    deadline = $6, pickup_location = $7, suspended_days = $8, suspended_on = $9, refusal_proposed_by = $10,
    outcome = $11, updated_at = now()"""


def _also(columns: Collection[str]) -> str:
    """More columns for ``_SAVE_STATE`` to set, from its twelfth parameter on."""
    return "".join(f", {name} = ${12 + i}" for i, name in enumerate(columns))


def _assessment_columns(assessment: Assessment) -> dict:
    return {
        "recommendation": assessment.recommendation.value,
        "findings": json.dumps([f.model_dump(mode="json") for f in assessment.findings]),
    }


@dataclass(frozen=True)
class ApplicantFacts:
    """What an assessment needs to know of the applicant."""

    date_of_birth: date
    nationality: str
    sponsor_id: str | None
    fee_paid: bool


@dataclass(frozen=True)
class NewCase:
    """A case as it is opened, with what its assessment will need of the applicant."""

    case: Case
    date_of_birth: date
    nationality: str
    sponsor_id: str | None
    fee_paid: bool


class CaseFile:
    def __init__(self, uow: UnitOfWork) -> None:
        self._conn = uow.connection
        self._uow = uow

    async def add(self, new_cases: Sequence[NewCase]) -> set[UUID]:
        """File each new case with the applicant's facts its assessment needs; returns the ids of
        those filed now (a case filed before keeps its file)."""
        if not new_cases:
            return set()
        columns = list(zip(*(self._values(n.case) + (n.date_of_birth, n.nationality, n.sponsor_id, n.fee_paid) for n in new_cases), strict=True))
        rows = await self._conn.fetch(
            f"""insert into decision.cases ({_CASE_COLUMNS}, date_of_birth, nationality, sponsor_id, fee_paid)
                select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::date[], $6::date[], $7::text[],
                                     $8::int[], $9::date[], $10::text[], $11::text[], $12::date[], $13::text[], $14::text[], $15::bool[])
                on conflict (case_id) do nothing returning case_id""",
            *(list(column) for column in columns),
        )
        return {row["case_id"] for row in rows}

    async def get_many(self, case_ids: Collection[UUID]) -> dict[UUID, tuple[Case, ApplicantFacts]]:
        """The cases among ``case_ids`` filed here, locked for update (in case id order, so that two
        transactions locking some of the same cases wait for each other instead of deadlocking),
        with the applicant's facts their assessment needs."""
        rows = await self._conn.fetch(
            f"""select {_CASE_COLUMNS}, date_of_birth, nationality, sponsor_id, fee_paid from decision.cases
                where case_id = any($1::uuid[]) order by case_id for update""",
            list(case_ids),
        )
        return {
            row["case_id"]: (_case(row), ApplicantFacts(row["date_of_birth"], row["nationality"], row["sponsor_id"], row["fee_paid"]))
            for row in rows
        }

    async def save_many(self, saves: Sequence[tuple[Case, Mapping[str, object]]]) -> None:
        """Write the state of each case, and the timers given with it (document_due_at, warned_on or
        exceeded_on), in a round trip for each set of timers named."""
        by_names: dict[tuple[str, ...], list[tuple]] = {}
        for case, timers in saves:
            by_names.setdefault(tuple(timers), []).append((*self._values(case), *timers.values()))
        for names, rows in by_names.items():
            await self._conn.executemany(f"{_SAVE_STATE}{_also(names)} where case_id = $1", rows)

    async def save_assessed(self, assessed: Sequence[tuple[Case, Assessment]]) -> None:
        """Write the state of each case and the assessment made of it, in one round trip."""
        if assessed:
            await self._conn.executemany(
                f"{_SAVE_STATE}, recommendation = $12, findings = $13 where case_id = $1",
                [(*self._values(case), *_assessment_columns(assessment).values()) for case, assessment in assessed],
            )

    def note(self, case_id: UUID, status: CaseStatus, set_by: str, explanation: str) -> None:
        """Append to the status history the applicant can look up (written when the unit commits)."""
        self._uow.append(
            "insert into decision.status_history (case_id, status, set_by, explanation) values ($1, $2, $3, $4)",
            case_id,
            status.value,
            set_by,
            explanation,
        )

    async def documents_due(self, now: datetime, limit: int) -> list[Case]:
        rows = await self._conn.fetch(
            f"""select {_CASE_COLUMNS} from decision.cases
                where status = 'document_in_production' and document_due_at <= $1
                order by document_due_at limit $2 for update skip locked""",
            now,
            limit,
        )
        return [_case(r) for r in rows]

    async def clock_running(self, mark: str, on_or_before: date, limit: int) -> list[Case]:
        """Open cases whose clock runs, not yet marked ``mark``, with a deadline on or before the date."""
        assert mark in ("warned_on", "exceeded_on")
        rows = await self._conn.fetch(
            f"""select {_CASE_COLUMNS} from decision.cases
                where status in ('awaiting_biometrics', 'awaiting_decision', 'refusal_proposed')
                  and {mark} is null and deadline <= $1
                order by deadline limit $2 for update skip locked""",
            on_or_before,
            limit,
        )
        return [_case(r) for r in rows]

    async def mark(self, case_ids: Collection[UUID], mark: str, day: date) -> None:
        """Mark the cases as warned of, or past, their deadline on ``day``, in one statement."""
        assert mark in ("warned_on", "exceeded_on")
        if case_ids:
            await self._conn.execute(f"update decision.cases set {mark} = $2 where case_id = any($1::uuid[])", list(case_ids), day)

    @staticmethod
    def _values(case: Case) -> tuple:
        return (
            case.case_id,
            case.case_number,
            case.application_type.value,
            case.status.value,
            case.received_on,
            case.deadline,
            case.pickup_location.value,
            case.suspended_days,
            case.suspended_on,
            case.refusal_proposed_by,
            case.outcome.value if case.outcome else None,
        )


async def queue(connection: asyncpg.Connection, limit: int = 50) -> list[asyncpg.Record]:
    """The caseworker queue: cases waiting for a decision, the nearest deadline first."""
    return await connection.fetch(
        """select case_number, case_id, application_type, deadline, recommendation, findings
           from decision.cases where status = 'awaiting_decision' order by deadline, case_number limit $1""",
        limit,
    )


async def track(connection: asyncpg.Connection, case_number: str, date_of_birth: date) -> dict | None:
    """What the applicant may see of a case; None unless case number and birth date match."""
    case = await connection.fetchrow(
        """select case_id, case_number, application_type, status, deadline, outcome
           from decision.cases where case_number = $1 and date_of_birth = $2""",
        case_number,
        date_of_birth,
    )
    if case is None:
        return None
    history = await connection.fetch(
        "select status, at, set_by, explanation from decision.status_history where case_id = $1 order by id",
        case["case_id"],
    )
    return {
        "case_number": case["case_number"],
        "application_type": case["application_type"],
        "status": case["status"],
        "outcome": case["outcome"],
        "decision_deadline": case["deadline"].isoformat(),
        "history": [
            {"status": h["status"], "at": h["at"].isoformat(), "set_by": h["set_by"], "explanation": h["explanation"]}
            for h in history
        ],
    }
