"""Where intake keeps its cases: one narrow repository over ``intake.cases``."""

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

import asyncpg

from schemas.submissions import SubmissionData


def case_number(received_on: date, sequence: int) -> str:
    """Readable and sortable: ``IND-<year received>-<7-digit sequence>``."""
    return f"IND-{received_on.year}-{sequence:07d}"


@dataclass(frozen=True)
class NewCase:
    case_id: UUID
    number: str
    submission_id: str
    received_on: date
    submission: SubmissionData
    fingerprint: str  # of the submission's content (fingerprints.py)


class CaseRepository:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._conn = connection

    async def next_case_numbers(self, received_on: Sequence[date]) -> list[str]:
        """One new case number for each date, in the order given, from one statement."""
        sequences = await self._conn.fetch(
            "select nextval('intake.case_number_seq') as n from generate_series(1, $1)", len(received_on)
        )
        numbers = sorted(row["n"] for row in sequences)
        return [case_number(day, sequence) for day, sequence in zip(received_on, numbers, strict=True)]

    async def add(self, cases: Sequence[NewCase]) -> set[str]:
        """Insert ``cases`` in one statement; returns the submission ids that got one (a submission
        that has a case already keeps it)."""
        rows = await self._conn.fetch(
            """insert into intake.cases (case_id, case_number, submission_id, application_type,
                   preferred_location, received_on, applicant, sponsor_id, fee_paid, submission_fingerprint)
               select case_id, case_number, submission_id, application_type, preferred_location,
                   received_on, applicant::jsonb, sponsor_id, fee_paid, submission_fingerprint
               from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::date[],
                   $7::text[], $8::text[], $9::bool[], $10::text[])
                   as new (case_id, case_number, submission_id, application_type, preferred_location,
                   received_on, applicant, sponsor_id, fee_paid, submission_fingerprint)
               on conflict (submission_id) do nothing returning submission_id""",
            [case.case_id for case in cases],
            [case.number for case in cases],
            [case.submission_id for case in cases],
            [case.submission.application_type.value for case in cases],
            [case.submission.preferred_location.value for case in cases],
            [case.received_on for case in cases],
            [json.dumps(case.submission.applicant.model_dump(mode="json")) for case in cases],
            [case.submission.sponsor_id for case in cases],
            [case.submission.fee_paid for case in cases],
            [case.fingerprint for case in cases],
        )
        return {row["submission_id"] for row in rows}

    async def fingerprints(self, submission_ids: Collection[str]) -> dict[str, str | None]:
        """The fingerprint of the submission each of these ids made a case of, in one statement
        (None for a case registered before fingerprints were kept; no entry for an id without a case)."""
        rows = await self._conn.fetch(
            "select submission_id, submission_fingerprint from intake.cases where submission_id = any($1::text[])",
            list(submission_ids),
        )
        return {row["submission_id"]: row["submission_fingerprint"] for row in rows}
