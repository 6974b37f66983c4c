"""Notify's handlers: queue the one email an event calls for, once per event.

A batch of events and a single event go down one path (``queue_emails``), which spends a few
statements on all of them: the inbox, the recipients they need, the recipients they bring.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from ind_runtime.logs import get_logger
from schemas.appointments import AppointmentAwaitingSlot, AppointmentBooked
from schemas.cases import CaseRegistered
from schemas.envelope import CloudEvent
from schemas.lifecycle import CaseClosed, CaseDecided, DeadlineExceeded, InformationRequested
from services.notify import emails, messages
from services.notify.messages import Email, Recipient
from services.notify.unit_of_work import NotifyUnitOfWork

CONSUMER = "notify"
EMAILED_PRODUCTS = frozenset(messages.APPOINTMENT_KINDS)

log = get_logger(__name__)


def _receipt(event: CaseRegistered, _to: Recipient) -> Email:
    return messages.application_received(event)


# The email each event type calls for, made from the event and the case's applicant.
COMPOSERS: dict[type[CloudEvent], Callable[[Any, Recipient], Email]] = {
    CaseRegistered: _receipt,
    AppointmentBooked: messages.appointment_booked,
    AppointmentAwaitingSlot: messages.appointment_awaiting_slot,
    InformationRequested: messages.information_requested,
    CaseDecided: messages.case_decided,
    CaseClosed: messages.case_closed,
    DeadlineExceeded: messages.deadline_exceeded,
}


@dataclass
class Queued:
    emails: int = 0
    left: list[CloudEvent] = field(default_factory=list)  # waiting for their case's registration


def calls_for_email(event: CloudEvent) -> bool:
    """Submission and information appointments are made by the applicant, who needs no email about them."""
    return not isinstance(event, AppointmentBooked | AppointmentAwaitingSlot) or event.data.product in EMAILED_PRODUCTS


async def queue_emails(events: Sequence[CloudEvent], uow: NotifyUnitOfWork) -> Queued:
    """Queue the email each of ``events`` calls for (each event once, however often it comes) and
    commit. An event about a case whose registration is not read yet is left, with every later
    event about that case, so that a case's emails keep their order; a registration brings the
    applicant's address and language for the events after it."""
    wanted = [event for event in events if calls_for_email(event)]
    book = uow.recipients
    recipients = await book.get_many({event.data.case_id for event in wanted if not isinstance(event, CaseRegistered)})
    outcome = Queued()
    waiting: set[UUID] = set()
    taken = []
    for event in wanted:
        case_id = event.data.case_id
        if isinstance(event, CaseRegistered):
            recipients.setdefault(case_id, messages.recipient_of(event))
        if case_id in waiting or case_id not in recipients:
            waiting.add(case_id)
            outcome.left.append(event)
        else:
            taken.append(event)
    registrations = []
    for event in await uow.new_events(CONSUMER, taken):
        if isinstance(event, CaseRegistered):
            registrations.append((event.data.case_id, event.data.case_number, recipients[event.data.case_id]))
        email = COMPOSERS[type(event)](event, recipients[event.data.case_id])
        emails.queue(uow, event.id, event.data.case_id, event.data.case_number, email)
        outcome.emails += 1
    if not outcome.emails:
        return outcome
    await book.add_many(registrations)
    await uow.commit()
    log.debug("emails queued", emails=outcome.emails)
    return outcome


async def emails_for(events: Sequence[CloudEvent], uow: NotifyUnitOfWork) -> list[CloudEvent]:
    """The wiring's way in (a batch, or one event on its own): queue the emails; returns the
    events left waiting for their case's registration."""
    return (await queue_emails(events, uow)).left
