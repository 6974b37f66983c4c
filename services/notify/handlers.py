"""Notify's handlers: queue the one email an event calls for, once per event.

A batch of events and a single event go down one path (``queue_emails``), which spends a few
statements on all of them: the inbox, the recipients they need, the recipients they bring.

An appointment an applicant booked without a case (``appointment_changes``) has no case to find a
recipient by: its events carry whom to write to, never wait for a registration, and its emails are
filed under the booking's id and code where a case's are under the case's id and number. So does a
free slot an applicant's alert found (``slot_alerts``): its email is filed under the alert's id and
the slot's key.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from ind_runtime.logs import get_logger
from schemas.appointments import (
    ApplicantAppointmentBooked,
    AppointmentAwaitingSlot,
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentRescheduled,
)
from schemas.cases import CaseRegistered
from schemas.envelope import CloudEvent
from schemas.lifecycle import CaseClosed, CaseDecided, DeadlineExceeded, InformationRequested
from schemas.slot_alerts import SlotAvailable
from services.notify import appointment_changes, emails, messages, slot_alerts
from services.notify.appointment_changes import ManageLinks, contact_recipient
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


# The emails about what applicants did to their appointments themselves, and about free slots their
# alerts found; they may carry a link with a token.
CHANGE_COMPOSERS: dict[type[CloudEvent], Callable[[Any, Recipient, ManageLinks], Email]] = {
    ApplicantAppointmentBooked: appointment_changes.applicant_booked,
    AppointmentRescheduled: appointment_changes.rescheduled,
    AppointmentCancelled: appointment_changes.cancelled,
    SlotAvailable: slot_alerts.slot_available,
}
EMAILED_TYPES: tuple[type[CloudEvent], ...] = (*COMPOSERS, *CHANGE_COMPOSERS)
NO_LINKS = ManageLinks(None, "")


@dataclass
class Queued:
    emails: int = 0
    left: list[CloudEvent] = field(default_factory=list)  # waiting for their case's registration


def calls_for_email(event: CloudEvent) -> bool:
    """Submission and information appointments the service books are the applicant's own doing, who
    needs no email about them; one the applicant booked through the booking endpoints gets its
    confirmation (it carries a booking code), as does every change an applicant makes."""
    if isinstance(event, AppointmentBooked) and event.data.booking_code is not None:
        return True
    return not isinstance(event, AppointmentBooked | AppointmentAwaitingSlot) or event.data.product in EMAILED_PRODUCTS


def compose(event: CloudEvent, to: Recipient, links: ManageLinks) -> Email:
    """The email ``event`` calls for, to ``to``."""
    if isinstance(event, AppointmentBooked) and event.data.booking_code is not None:
        return appointment_changes.applicant_booked(event, to, links)
    change = CHANGE_COMPOSERS.get(type(event))
    return change(event, to, links) if change is not None else COMPOSERS[type(event)](event, to)


def _case_of(event: CloudEvent) -> UUID | None:
    """The case the event is about; None for an appointment an applicant booked without one."""
    return getattr(event.data, "case_id", None)


def _file_of(event: CloudEvent) -> tuple[UUID, str]:
    """What the email is filed under: the case's id and number, the booking's id and code, or the
    alert's id and the slot's key."""
    data = event.data
    case_id = _case_of(event)
    if case_id is not None:
        return case_id, data.case_number
    if isinstance(event, SlotAvailable):
        return event.data.alert_id, event.data.slot_key
    return data.booking_id, data.booking_code


def _carried_recipient(event: CloudEvent) -> Recipient:
    """Whom an event without a case says to write to."""
    if isinstance(event, SlotAvailable):
        return slot_alerts.alert_recipient(event)
    return contact_recipient(event.data.contact)


async def queue_emails(events: Sequence[CloudEvent], uow: NotifyUnitOfWork, links: ManageLinks = NO_LINKS) -> Queued:
    """Queue the email each of ``events`` calls for (each event once, however often it comes) and
    commit. An event about a case whose registration is not read yet is left, with every later
    event about that case, so that a case's emails keep their order; a registration brings the
    applicant's address and language for the events after it."""
    wanted = [event for event in events if calls_for_email(event)]
    book = uow.recipients
    cases = {_case_of(event) for event in wanted if not isinstance(event, CaseRegistered)}
    recipients = await book.get_many({case_id for case_id in cases if case_id is not None})
    outcome = Queued()
    waiting: set[UUID] = set()
    taken = []
    for event in wanted:
        case_id = _case_of(event)
        if case_id is None:  # it carries whom to write to
            taken.append(event)
            continue
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
        case_id = _case_of(event)
        to = recipients[case_id] if case_id is not None else _carried_recipient(event)
        email = compose(event, to, links)
        emails.queue(uow, event.id, *_file_of(event), email)
        outcome.emails += 1
    if not outcome.emails:
        return outcome
    await book.add_many(registrations)
    await uow.commit()
    log.debug("emails queued", emails=outcome.emails)
    return outcome


async def emails_for(events: Sequence[CloudEvent], uow: NotifyUnitOfWork, links: ManageLinks = NO_LINKS) -> list[CloudEvent]:
    """The wiring's way in (a batch, or one event on its own): queue the emails; returns the
    events left waiting for their case's registration."""
    return (await queue_emails(events, uow, links)).left
