"""Where the decision service keeps its cases and their status history (``decision.*``)."""

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

import asyncpg

from ind_runtime.unit_of_work import UnitOfWork
from schemas.appointments import AppointmentData, AppointmentPlace
from schemas.cases import ApplicantProfile
from schemas.codes import ApplicationType, Language, LocationCode
from schemas.lifecycle import Outcome
from services.decision.assessment import ApplicantFacts, Assessment
from services.decision.case import Case, CaseStatus
from services.decision.explanations import Explanation, worded

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
_WHERE_CASE = " where case_id = $1"
INFORMATION_PERIOD = timedelta(days=28)
"""How long an applicant has to supply information asked for: the four weeks the IND usually gives."""
_CLOCK_RUNNING = "status in ('awaiting_biometrics', 'awaiting_decision', 'refusal_proposed')"


@dataclass(frozen=True)
class NewCase:
    """A case as it is opened, with what its assessment will need of the applicant, and who they
    are (for the caseworker's page)."""

    case: Case
    facts: ApplicantFacts
    applicant: ApplicantProfile


class CaseFile:
    """The cases (locked for the unit of work that reads them) and their status history."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._conn = uow.connection
        self._uow = uow

    async def add(self, new_cases: Sequence[NewCase]) -> set[UUID]:
        """File each new case with the applicant's facts its assessment needs; returns the ids of
        those filed now (a case filed before keeps its file)."""
        if not new_cases:
            return set()
        rows = (
            _state(n.case)
            + (n.facts.date_of_birth, n.facts.nationality, n.facts.sponsor_id, n.facts.fee_paid)
            + (n.applicant.given_names, n.applicant.surname, n.applicant.passport_ending)
            for n in new_cases
        )
        columns = list(zip(*rows, strict=True))
        filed = await self._conn.fetch(
            f"""insert into decision.cases ({_CASE_COLUMNS}, date_of_birth, nationality, sponsor_id, fee_paid,
                                            given_names, surname, passport_ending)
                select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::date[], $6::date[], $7::text[],
                                     $8::int[], $9::date[], $10::text[], $11::text[], $12::date[], $13::text[], $14::text[], $15::bool[],
                                     $16::text[], $17::text[], $18::text[])
                on conflict (case_id) do nothing returning case_id""",
            *(list(column) for column in columns),
        )
        return {row["case_id"] for row in filed}

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
            row["case_id"]: (
                _case(row),
                ApplicantFacts(row["date_of_birth"], row["nationality"], row["sponsor_id"], row["fee_paid"]),
            )
            for row in rows
        }

    async def save_many(self, cases: Sequence[Case], documents_due: Mapping[UUID, datetime] | None = None) -> None:
        """Write the state of each case, and for those in ``documents_due`` when their residence
        document is ready for pickup, in a round trip for each of the two kinds."""
        due = documents_due or {}
        await self._save([_state(case) for case in cases if case.case_id not in due])
        await self._save([(*_state(case), due[case.case_id]) for case in cases if case.case_id in due], ", document_due_at = $12")

    async def save_resumed(self, cases: Sequence[Case]) -> None:
        """Write the state of each case whose clock runs again, in one round trip; its deadline moved,
        so it is warned again before the new one."""
        await self._save([_state(case) for case in cases], ", warned_on = null")

    async def save_assessed(self, assessed: Sequence[tuple[Case, Assessment]]) -> None:
        """Write the state of each case and the assessment made of it, in one round trip."""
        await self._save(
            [(*_state(case), *_assessment_columns(assessment)) for case, assessment in assessed],
            ", recommendation = $12, findings = $13",
        )

    async def _save(self, rows: list[tuple], more_columns: str = "") -> None:
        if rows:
            await self._conn.executemany(_SAVE_STATE + more_columns + _WHERE_CASE, rows)

    def note(self, case_id: UUID, status: CaseStatus, set_by: str, explanation: Explanation) -> None:
        """Append to the status history the applicant can look up (written when the unit commits),
        with what words its explanation in either language (``services.decision.explanations``)."""
        self._uow.append(
            """insert into decision.status_history (case_id, status, set_by, explanation, explanation_key, explanation_values)
               values ($1, $2, $3, $4, $5, $6::jsonb)""",
            case_id,
            status.value,
            set_by,
            explanation.text(),
            explanation.key,
            json.dumps(explanation.values),
        )

    def keep_appointment(self, booked: AppointmentData) -> None:
        """Keep an appointment the desk stage booked for the case (written when the unit commits)."""
        self._uow.append(
            """insert into decision.appointments (appointment_id, case_id, product, location, location_name, day,
                   start_time, end_time, persons, attempt)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) on conflict (appointment_id) do nothing""",
            booked.appointment_id,
            booked.case_id,
            booked.product.value,
            booked.location.value,
            booked.location_name,
            booked.date,
            booked.start_time,
            booked.end_time,
            booked.persons,
            booked.attempt,
        )

    def move_appointment(self, appointment_id: str, place: AppointmentPlace) -> None:
        """Keep the new place and time of an appointment the applicant moved (written when the unit commits)."""
        self._uow.append(
            """update decision.appointments set location = $2, location_name = $3, day = $4, start_time = $5, end_time = $6
               where appointment_id = $1""",
            appointment_id,
            place.location.value,
            place.location_name,
            place.date,
            place.start_time,
            place.end_time,
        )

    def drop_appointment(self, appointment_id: str) -> None:
        """Forget an appointment the applicant cancelled (written when the unit commits)."""
        self._uow.append("delete from decision.appointments where appointment_id = $1", appointment_id)

    async def documents_due(self, now: datetime, limit: int) -> list[Case]:
        """Cases whose residence document is due by ``now``, the longest due first, locked (skipping
        those another unit of work holds)."""
        return await self._cases(
            "status = 'document_in_production' and document_due_at <= $1 order by document_due_at", now, limit
        )

    async def nearing_deadline(self, on_or_before: date, limit: int) -> list[Case]:
        """Open cases whose clock runs, not warned of their deadline yet, with a deadline on or before
        the date, the nearest first, locked (skipping those another unit of work holds)."""
        return await self._cases(
            f"{_CLOCK_RUNNING} and warned_on is null and deadline <= $1 order by deadline", on_or_before, limit
        )

    async def past_deadline(self, today: date, limit: int) -> list[Case]:
        """Open cases whose clock runs, not marked overdue yet, whose deadline is before ``today``, the
        earliest first, locked (skipping those another unit of work holds)."""
        return await self._cases(f"{_CLOCK_RUNNING} and exceeded_on is null and deadline < $1 order by deadline", today, limit)

    async def _cases(self, condition_and_order: str, bound: date | datetime, limit: int) -> list[Case]:
        rows = await self._conn.fetch(
            f"select {_CASE_COLUMNS} from decision.cases where {condition_and_order} limit $2 for update skip locked",
            bound,
            limit,
        )
        return [_case(row) for row in rows]

    async def mark_warned(self, case_ids: Collection[UUID], day: date) -> None:
        """Record that the cases' caseworkers were warned of their deadline on ``day``, in one statement."""
        if case_ids:
            await self._conn.execute(
                "update decision.cases set warned_on = $2 where case_id = any($1::uuid[])", list(case_ids), day
            )

    async def mark_overdue(self, case_ids: Collection[UUID], day: date) -> None:
        """Record that the cases were found past their deadline on ``day``, in one statement."""
        if case_ids:
            await self._conn.execute(
                "update decision.cases set exceeded_on = $2 where case_id = any($1::uuid[])", list(case_ids), day
            )


def _state(case: Case) -> tuple:
    """The case's columns in the order of ``_CASE_COLUMNS`` (the parameters $1 to $11 of ``_SAVE_STATE``)."""
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


def _assessment_columns(assessment: Assessment) -> tuple:
    """The assessment's columns (the parameters $12 and $13 of ``save_assessed``)."""
    return assessment.recommendation.value, json.dumps([f.model_dump(mode="json") for f in assessment.findings])


async def queue(connection: asyncpg.Connection, limit: int = 50) -> list[asyncpg.Record]:
    """The caseworker queue: cases waiting for a decision, the nearest deadline first."""
    return await connection.fetch(
        """select case_number, case_id, application_type, deadline, recommendation, findings
           from decision.cases where status = 'awaiting_decision' order by deadline, case_number limit $1""",
        limit,
    )


async def track(
    connection: asyncpg.Connection, case_number: str, date_of_birth: date, language: Language = Language.ENGLISH
) -> dict | None:
    """What the applicant may see of a case, in their language; None unless case number and birth
    date match: the status history, the appointments still to come, the statutory deadline, and
    what is asked of the applicant and by when."""
    case = await connection.fetchrow(
        """select case_id, case_number, application_type, status, deadline, outcome, suspended_on
           from decision.cases where case_number = $1 and date_of_birth = $2""",
        case_number,
        date_of_birth,
    )
    if case is None:
        return None
    history = await connection.fetch(
        """select status, at, set_by, explanation, explanation_key, explanation_values
           from decision.status_history where case_id = $1 order by id""",
        case["case_id"],
    )
    appointments = await connection.fetch(
        """select appointment_id, product, location, location_name, day, start_time, end_time, persons
           from decision.appointments where case_id = $1 and day >= current_date order by day, start_time""",
        case["case_id"],
    )
    asked = None
    if case["status"] == "awaiting_information":
        request = await connection.fetchval(
            """select reason from decision.audit_trail where case_id = $1 and action = 'request_information' and accepted
               order by id desc limit 1""",
            case["case_id"],
        )
        asked = {"what": request, "by": (case["suspended_on"] + INFORMATION_PERIOD).isoformat()}
    return {
        "case_number": case["case_number"],
        "application_type": case["application_type"],
        "status": case["status"],
        "outcome": case["outcome"],
        "decision_deadline": case["deadline"].isoformat(),
        "language": language.value,
        "asked_of_you": asked,
        "appointments": [
            {
                "appointment_id": a["appointment_id"],
                "product": a["product"],
                "location": a["location"],
                "location_name": a["location_name"],
                "date": a["day"].isoformat(),
                "start_time": a["start_time"].strftime("%H:%M"),
                "end_time": a["end_time"].strftime("%H:%M"),
                "persons": a["persons"],
            }
            for a in appointments
        ],
        "history": [
            {
                "status": h["status"],
                "at": h["at"].isoformat(),
                "set_by": h["set_by"],
                "explanation": worded(
                    h["explanation_key"],
                    json.loads(h["explanation_values"]) if h["explanation_values"] else None,
                    h["explanation"],
                    language,
                ),
            }
            for h in history
        ],
    }
