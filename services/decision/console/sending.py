"""What the console sends into the pipeline, through the decision service's outbox: caseworkers'
decision commands, signed as the console tool, and desk officers' reports, as a desk system sends
them. Nothing here changes a case: the services that own it do, when the event reaches them."""

from uuid import UUID

import asyncpg

from schemas.codes import AppointmentProduct
from schemas.decisions import DecisionAction, DecisionRequestData, DecisionRequested
from schemas.desk import AppointmentNoShow, BiometricsCaptured, CollectionData, DeskVisit, DocumentCollected, NoShowData
from schemas.signing import signed
from schemas.topics import DECISION_COMMANDS, DESK_EVENTS
from services.decision.unit_of_work import DecisionUnitOfWork

SOURCE = "/ind/console"


class Sender:
    def __init__(self, pool: asyncpg.Pool, tool_id: str, tool_key: bytes) -> None:
        self._pool = pool
        self._tool_id = tool_id
        self._tool_key = tool_key

    async def decision(
        self, case_id: UUID, case_number: str, staff_id: str, action: DecisionAction, reason: str, claim_id: UUID
    ) -> str:
        """Send a caseworker's decision under their claim; returns the command's id, to find its answer."""
        data = DecisionRequestData(
            case_id=case_id, case_number=case_number, caseworker_id=staff_id, action=action, reason=reason, claim_id=claim_id
        )
        command = signed(DecisionRequested.create(data, source=SOURCE, subject=case_number), self._tool_id, self._tool_key)
        await self._send(DECISION_COMMANDS.name, str(case_id), command)
        return command.id

    async def desk_report(self, kind: str, visit: DeskVisit, product: AppointmentProduct, document_number: str | None) -> None:
        """Send what happened at the desk: ``captured``, ``no_show`` or ``handed_out``."""
        fields = visit.model_dump()
        if kind == "captured":
            event = BiometricsCaptured.create(DeskVisit(**fields), source=SOURCE, subject=visit.case_number)
        elif kind == "no_show":
            event = AppointmentNoShow.create(NoShowData(**fields, product=product), source=SOURCE, subject=visit.case_number)
        else:
            assert document_number is not None
            data = CollectionData(**fields, document_number=document_number)
            event = DocumentCollected.create(data, source=SOURCE, subject=visit.case_number)
        await self._send(DESK_EVENTS.name, str(visit.case_id), event)

    async def _send(self, topic: str, key: str, event) -> None:
        async with DecisionUnitOfWork(self._pool, publisher="decision") as uow:
            await uow.emit(topic, key, event)
            await uow.commit()
