"""Where intake keeps its cases: one narrow repository over ``intake.cases``."""

import json
from datetime import date
from uuid import UUID

import asyncpg

from schemas.submissions import SubmissionData


def case_number(received_on: date, sequence: int) -> str:
    """Readable and sortable: ``IND-<year received>-<7-digit sequence>``."""
    return f"IND-{received_on.year}-{sequence:07d}"


class CaseRepository:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._conn = connection

    async def next_case_number(self, received_on: date) -> str:
        return case_number(received_on, await self._conn.fetchval("select nextval('intake.case_number_seq')"))

    async def add(
        self, case_id: UUID, number: str, submission_id: str, received_on: date, submission: SubmissionData
    ) -> bool:
        """Insert the case; False when the submission already has one."""
        inserted = await self._conn.fetchval(
            """insert into intake.cases (case_id, case_number, submission_id, application_type,
                   preferred_location, received_on, applicant, sponsor_id, fee_paid)
               values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9)
               on conflict (submission_id) do nothing returning true""",
            case_id,
            number,
            submission_id,
            submission.application_type.value,
            submission.preferred_location.value,
            received_on,
            json.dumps(submission.applicant.model_dump(mode="json")),
            submission.sponsor_id,
            submission.fee_paid,
        )
        return bool(inserted)
