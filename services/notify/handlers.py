"""Notify's handlers: queue the one email an event calls for, once per event."""

from collections.abc import Callable

from ind_runtime.logs import get_logger
from ind_runtime.processing import NotReady
from ind_runtime.unit_of_work import UnitOfWork
from schemas.appointments import AppointmentBooked
from schemas.cases import CaseRegistered
from schemas.envelope import CloudEvent
from schemas.lifecycle import CaseClosed, CaseDecided, DeadlineExceeded, InformationRequested
from services.notify import emails, messages
from services.notify.emails import RecipientBook
from services.notify.messages import Email, Recipient

CONSUMER = "notify"
EMAILED_PRODUCTS = frozenset(messages.APPOINTMENT_KINDS)

log = get_logger(__name__)


async def case_registered(event: CaseRegistered, uow: UnitOfWork) -> bool:
    """Remember the applicant's address and language, and queue the receipt."""
    if not await uow.first_time(CONSUMER, event.id):
        return False
    await RecipientBook(uow.connection).add(event.data.case_id, event.data.case_number, messages.recipient_of(event))
    await _queue(uow, event, messages.application_received(event))
    return True


def _about_case(compose: Callable[[CloudEvent, Recipient], Email]):
    """A handler that emails the case's applicant whatever ``compose`` makes of the event."""

    async def handle(event: CloudEvent, uow: UnitOfWork) -> bool:
        if not await uow.first_time(CONSUMER, event.id):
            return False
        recipient = await RecipientBook(uow.connection).get(event.data.case_id)
        if recipient is None:
            raise NotReady(f"registration of case {event.data.case_id} not read yet")
        await _queue(uow, event, compose(event, recipient))
        return True

    handle.__name__ = compose.__name__
    return handle


async def appointment_booked(event: AppointmentBooked, uow: UnitOfWork) -> bool:
    if event.data.product not in EMAILED_PRODUCTS:
        return False
    return await _appointment_email(event, uow)


_appointment_email = _about_case(messages.appointment_booked)
information_requested = _about_case(messages.information_requested)
case_decided = _about_case(messages.case_decided)
case_closed = _about_case(messages.case_closed)
deadline_exceeded = _about_case(messages.deadline_exceeded)

ROUTES = {
    CaseRegistered: case_registered,
    AppointmentBooked: appointment_booked,
    InformationRequested: information_requested,
    CaseDecided: case_decided,
    CaseClosed: case_closed,
    DeadlineExceeded: deadline_exceeded,
}


async def _queue(uow: UnitOfWork, event: CloudEvent, email: Email) -> None:
    emails.queue(uow, event.id, event.data.case_id, event.data.case_number, email)
    await uow.commit()
    log.debug("email queued", kind=email.kind)


