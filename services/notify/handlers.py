"""Notify's handlers: queue the email an event calls for, once per event."""

from ind_runtime.logs import get_logger
from ind_runtime.unit_of_work import UnitOfWork
from schemas.cases import CaseRegistered
from services.notify import messages
from services.notify.emails import EmailQueue

CONSUMER = "notify"

log = get_logger(__name__)


async def case_registered(event: CaseRegistered, uow: UnitOfWork) -> bool:
    """Queue the receipt; False when this event was already handled."""
    if not await uow.first_time(CONSUMER, event.id):
        return False
    email = messages.application_received(event)
    await EmailQueue(uow.connection).add(event.id, event.data.case_id, event.data.case_number, email)
    await uow.commit()
    log.info("email queued", case_id=str(event.data.case_id), kind=email.kind)
    return True
