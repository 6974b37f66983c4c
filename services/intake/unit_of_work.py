"""Intake's unit of work: the runtime's, with intake's repository on it."""

from ind_runtime.unit_of_work import UnitOfWork
from services.intake.cases import CaseRepository


class IntakeUnitOfWork(UnitOfWork):
    cases: CaseRepository

    async def __aenter__(self) -> "IntakeUnitOfWork":
        await super().__aenter__()
        self.cases = CaseRepository(self.connection)
        return self
