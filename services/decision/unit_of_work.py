"""The decision service's unit of work: the runtime's transaction, with the service's repositories.

Handlers reach the case file, its claims, the staff, the audit trail and the supplied information only as attributes of
the unit of work they are given, so a unit test hands them an in-memory one instead.
"""

from collections.abc import Iterable

from ind_runtime.unit_of_work import UnitOfWork
from schemas.envelope import CloudEvent
from schemas.topics import CASE_LIFECYCLE
from services.decision.audit import AuditTrail
from services.decision.case_file import CaseFile
from services.decision.claims import Claims
from services.decision.staff import StaffDirectory
from services.decision.supplied_information import SuppliedInformation


class DecisionUnitOfWork(UnitOfWork):
    cases: CaseFile
    claims: Claims
    staff: StaffDirectory
    audit_trail: AuditTrail
    supplied_information: SuppliedInformation

    async def __aenter__(self) -> "DecisionUnitOfWork":
        await super().__aenter__()
        self.cases = CaseFile(self)
        self.claims = Claims(self.connection)
        self.staff = StaffDirectory(self.connection)
        self.audit_trail = AuditTrail(self)
        self.supplied_information = SuppliedInformation(self)
        return self


async def announce(uow: UnitOfWork, events: Iterable[CloudEvent]) -> None:
    """Emit lifecycle events (those a case's move implies, say), each keyed by its case, so that a
    case's events stay in order on one partition."""
    for event in events:
        await uow.emit(CASE_LIFECYCLE.name, str(event.data.case_id), event)
