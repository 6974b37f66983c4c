"""Faust wiring of the intake service: submissions topic -> screening -> handlers."""

from pathlib import Path

import faust
import structlog

from ind_runtime.records import ConsumedRecord
from ind_runtime.worker import WorkerResources
from schemas.topics import SUBMISSIONS
from ind_runtime.screening import Unacceptable, screen
from schemas.submissions import MAX_SUBMISSION_BYTES, ApplicationSubmitted
from services.intake import handlers

SERVICE = "intake"
MIGRATIONS = Path(__file__).parent / "migrations"


def wire(app: faust.App, resources: WorkerResources) -> None:
    async def handle(record: ConsumedRecord) -> None:
        outcome = screen(ApplicationSubmitted, record.value, MAX_SUBMISSION_BYTES)
        event_id = outcome.message_id if isinstance(outcome, Unacceptable) else outcome.id
        with structlog.contextvars.bound_contextvars(event_id=event_id):
            async with resources.unit_of_work() as uow:
                if isinstance(outcome, Unacceptable):
                    await handlers.reject_submission(outcome, record, uow)
                else:
                    await handlers.register_case(outcome, uow)

    resources.consume(app, SUBMISSIONS.name, handle)
