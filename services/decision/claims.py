"""Who works a case: one caseworker at a time, by claiming it.

A claim has an id of its own that changes with every claim. The console sends it with each command,
and the command is refused unless it is still the case's current claim. A tab opened before the case
was released, reassigned or claimed by someone else therefore cannot decide, which a check on the
caseworker alone would allow once the same person claims the case again.
"""

from collections.abc import Collection
from dataclasses import dataclass
from uuid import UUID, uuid4

import asyncpg

from schemas.decision_outcomes import RejectionCode
from services.decision.case import Refusal

QUEUED = ("awaiting_decision", "refusal_proposed")
"""The statuses in which a case waits for a caseworker, and so can be claimed."""


@dataclass(frozen=True)
class Claim:
    claim_id: UUID
    staff_id: str


def claim_refusal(claim: Claim | None, caseworker_id: str, claim_id: UUID | None) -> Refusal | None:
    """Why a command by ``caseworker_id`` (under ``claim_id``, if it names one) may not act on a case
    held under ``claim``; None when it may."""
    if claim is not None and claim.staff_id != caseworker_id:
        return Refusal(RejectionCode.CLAIMED_BY_OTHER, f"{claim.staff_id} works this case now; only they can decide it")
    if claim_id is not None and (claim is None or claim.claim_id != claim_id):
        return Refusal(
            RejectionCode.CLAIM_CHANGED,
            "the case was released or claimed again after this page was opened; open the case again before deciding",
        )
    return None


class Claims:
    """The claim columns of ``decision.cases``."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self._conn = connection

    async def of(self, case_ids: Collection[UUID]) -> dict[UUID, Claim]:
        rows = await self._conn.fetch(
            "select case_id, claim_id, claimed_by from decision.cases where case_id = any($1::uuid[]) and claim_id is not null",
            list(case_ids),
        )
        return {row["case_id"]: Claim(row["claim_id"], row["claimed_by"]) for row in rows}

    async def end(self, case_ids: Collection[UUID]) -> None:
        """Release the cases a command has moved on: the next step is someone else's to take."""
        if case_ids:
            await self._conn.execute(
                "update decision.cases set claimed_by = null, claim_id = null, claimed_at = null where case_id = any($1::uuid[])",
                list(case_ids),
            )

    async def claim(self, case_id: UUID, staff_id: str) -> Claim | None:
        """Claim a waiting case nobody works; None if it is taken or not waiting for a caseworker."""
        row = await self._conn.fetchrow(
            """update decision.cases set claimed_by = $2, claim_id = $3, claimed_at = now()
               where case_id = $1 and claim_id is null and status = any($4::text[])
               returning claim_id""",
            case_id,
            staff_id,
            uuid4(),
            list(QUEUED),
        )
        return Claim(row["claim_id"], staff_id) if row else None

    async def release(self, case_id: UUID, claim_id: UUID) -> bool:
        """Give a case back to the queue, if ``claim_id`` still holds it."""
        done = await self._conn.execute(
            "update decision.cases set claimed_by = null, claim_id = null, claimed_at = null where case_id = $1 and claim_id = $2",
            case_id,
            claim_id,
        )
        return done == "UPDATE 1"

    async def reassign(self, case_id: UUID, staff_id: str) -> Claim | None:
        """Give a waiting case to ``staff_id`` under a new claim, whoever held it; None if it is not waiting."""
        row = await self._conn.fetchrow(
            """update decision.cases set claimed_by = $2, claim_id = $3, claimed_at = now()
               where case_id = $1 and status = any($4::text[]) returning claim_id""",
            case_id,
            staff_id,
            uuid4(),
            list(QUEUED),
        )
        return Claim(row["claim_id"], staff_id) if row else None
