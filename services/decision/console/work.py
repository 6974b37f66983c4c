"""Taking, giving back and handing on cases, and notes on them: the decision service's own
bookkeeping of who works a case, each step written to the case's audit trail in the same transaction."""

from uuid import UUID

import asyncpg

from services.decision.audit import AuditEntry
from services.decision.claims import Claim
from services.decision.unit_of_work import DecisionUnitOfWork


def _audited(uow: DecisionUnitOfWork, staff_id: str, action: str, case_id: UUID, case_number: str, what: str) -> None:
    uow.audit_trail.record(
        AuditEntry(command_id=None, caseworker_id=staff_id, action=action, case_id=case_id, case_number=case_number, reason=what)
    )


class CaseWork:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    def _unit(self) -> DecisionUnitOfWork:
        return DecisionUnitOfWork(self._pool, publisher="decision")

    async def claim(self, case_id: UUID, case_number: str, staff_id: str) -> Claim | None:
        async with self._unit() as uow:
            claim = await uow.claims.claim(case_id, staff_id)
            if claim is not None:
                _audited(uow, staff_id, "claim", case_id, case_number, "took the case")
                await uow.commit()
        return claim

    async def release(self, case_id: UUID, case_number: str, staff_id: str, claim_id: UUID) -> bool:
        async with self._unit() as uow:
            held = await uow.claims.of([case_id])
            if case_id not in held or held[case_id] != Claim(claim_id, staff_id):
                return False
            await uow.claims.release(case_id, claim_id)
            _audited(uow, staff_id, "release", case_id, case_number, "gave the case back to the queue")
            await uow.commit()
        return True

    async def reassign(self, case_id: UUID, case_number: str, senior_id: str, to_staff_id: str) -> Claim | None:
        async with self._unit() as uow:
            claim = await uow.claims.reassign(case_id, to_staff_id)
            if claim is not None:
                _audited(uow, senior_id, "reassign", case_id, case_number, f"gave the case to {to_staff_id}")
                await uow.commit()
        return claim

    async def add_note(self, case_id: UUID, case_number: str, staff_id: str, note: str) -> None:
        async with self._unit() as uow:
            await uow.connection.execute(
                "insert into decision.case_notes (case_id, staff_id, note) values ($1, $2, $3)", case_id, staff_id, note
            )
            _audited(uow, staff_id, "note", case_id, case_number, "added an internal note")
            await uow.commit()
