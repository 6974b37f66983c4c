"""Faust wiring of the notify service: case events -> queued emails -> the SMTP dispatcher."""

from pathlib import Path

import faust

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

    def waking(handler):
        async def handle(event, uow: UnitOfWork) -> None:
            if await handler(event, uow):
                uow.after_commit(dispatcher.wake)

        return handle

    routes = {model: waking(handler) for model, handler in handlers.ROUTES.items()}
    for topic in (CASES_REGISTERED, CASE_APPOINTMENTS, CASE_LIFECYCLE):
        resources.route(app, topic.name, routes)
