"""Faust wiring of the notify service: case events -> queued emails -> the SMTP dispatcher.

A batch's events queue their emails together (``handlers.queue_emails``); what it leaves (an
unreadable record, an event whose case's registration is not read yet, and every later record
about the same case) goes one by one, where it is parked or set aside.
"""

from collections.abc import Sequence
from pathlib import Path

import faust

from ind_runtime.records import ConsumedRecord
from ind_runtime.routing import EventRouter
from ind_runtime.unit_of_work import UnitOfWork
from ind_runtime.worker import WorkerResources
from schemas.topics import CASE_APPOINTMENTS, CASE_LIFECYCLE, CASES_REGISTERED
from services.notify import handlers
from services.notify.dispatcher import MailDispatcher

SERVICE = "notify"
MIGRATIONS = Path(__file__).parent / "migrations"


def wire(app: faust.App, resources: WorkerResources) -> None:
    dispatcher = MailDispatcher(resources.settings, lambda: resources.pool, SERVICE)
    resources.run_in_background(dispatcher.run)

    async def email_about(event, uow: UnitOfWork) -> None:
        if await handlers.email_about(event, uow):
            uow.after_commit(dispatcher.wake)

    router = EventRouter(resources.unit_of_work, {model: email_about for model in handlers.COMPOSERS})

    async def handle_batch(records: Sequence[ConsumedRecord]) -> list[ConsumedRecord]:
        events, unreadable = router.events_of(records)
        left = {id(record) for record in unreadable}
        if events:
            async with resources.unit_of_work() as uow:
                queued = await handlers.queue_emails([event for _record, event in events], uow)
                if queued.emails:
                    uow.after_commit(dispatcher.wake)
            waiting = {id(event) for event in queued.left}
            left |= {id(record) for record, event in events if id(event) in waiting}
        return [record for record in records if id(record) in left]

    for topic in (CASES_REGISTERED, CASE_APPOINTMENTS, CASE_LIFECYCLE):
        resources.consume(app, topic.name, router, handle_batch)
