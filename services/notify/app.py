"""Faust wiring of the notify service: case events -> queued emails -> the SMTP dispatcher."""

from pathlib import Path

import faust
import structlog

from ind_runtime.codec import decode
from ind_runtime.faust_app import consume
from ind_runtime.records import ConsumedRecord
from ind_runtime.worker import WorkerResources
from schemas.cases import CaseRegistered
from schemas.topics import CASES_REGISTERED
from services.notify import handlers
from services.notify.dispatcher import MailDispatcher

SERVICE = "notify"
MIGRATIONS = Path(__file__).parent / "migrations"


def wire(app: faust.App, resources: WorkerResources) -> None:
    dispatcher = MailDispatcher(resources.settings, resources.unit_of_work)
    resources.run_in_background(dispatcher.run)

    async def handle(record: ConsumedRecord) -> None:
        event = decode(CaseRegistered, record.value)
        with structlog.contextvars.bound_contextvars(event_id=event.id, case_id=str(event.data.case_id)):
            async with resources.unit_of_work() as uow:
                if await handlers.case_registered(event, uow):
                    dispatcher.wake()

    consume(app, CASES_REGISTERED.name, resources.processor(SERVICE, handle))
