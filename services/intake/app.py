"""Faust wiring of the intake service: submissions topic -> screening -> handlers.

A batch's valid submissions become cases together (a few statements for all of them), and those
that reuse a submission id for other content are rejected with them; a record screening rejected,
or every record of a batch whose cases could not be made together, goes one by one.
"""

from collections.abc import Sequence
from pathlib import Path

import faust
import structlog

from ind_runtime.records import ConsumedRecord
from ind_runtime.screening import Unacceptable, screen
from ind_runtime.worker import WorkerResources
from schemas.submissions import MAX_SUBMISSION_BYTES, ApplicationSubmitted
from schemas.topics import SUBMISSIONS
from services.intake import handlers

SERVICE = "intake"
MIGRATIONS = Path(__file__).parent / "migrations"


def wire(app: faust.App, resources: WorkerResources) -> None:
    async def handle_batch(records: Sequence[ConsumedRecord]) -> list[ConsumedRecord]:
        screened = [(record, screen(ApplicationSubmitted, record.value, MAX_SUBMISSION_BYTES)) for record in records]
        submissions = [(record, outcome) for record, outcome in screened if not isinstance(outcome, Unacceptable)]
        if submissions:
            async with resources.unit_of_work() as uow:
                await handlers.register_cases(submissions, uow)
        return [record for record, outcome in screened if isinstance(outcome, Unacceptable)]

    async def handle(record: ConsumedRecord) -> None:
        outcome = screen(ApplicationSubmitted, record.value, MAX_SUBMISSION_BYTES)
        event_id = outcome.message_id if isinstance(outcome, Unacceptable) else outcome.id
        with structlog.contextvars.bound_contextvars(event_id=event_id):
            async with resources.unit_of_work() as uow:
                if isinstance(outcome, Unacceptable):
                    await handlers.reject_submission(outcome, record, uow)
                else:
                    await handlers.register_cases([(record, outcome)], uow)

    resources.consume(app, SUBMISSIONS.name, handle, handle_batch)
