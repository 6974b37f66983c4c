"""Faust wiring of the desk service: registered cases, desk reports, produced documents, sticker requests.

A batch of registrations is taken on together (``handlers.cases_registered``), and so is a batch of
produced documents (``handlers.documents_produced``) and of the desks' reports (``handlers.desk_reports``).
At start-up the configured capacity is applied to the slots already opened and the booking window is
opened; while the worker runs, a background pass books the appointments that wait for a free slot.
"""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import faust

from ind_runtime.worker import WorkerResources
from schemas.applicant import EndorsementStickerRequested
from schemas.cases import CaseRegistered
from schemas.desk import AppointmentNoShow, BiometricsCaptured, DocumentCollected
from schemas.lifecycle import DocumentProduced
from schemas.topics import APPLICANT_REQUESTS, CASE_LIFECYCLE, CASES_REGISTERED, DESK_EVENTS
from services.biometrics import handlers
from services.biometrics.appointments import DeskAgenda
from services.biometrics.booking import book_waiting_forever
from services.biometrics.capacity import load_overrides
from services.biometrics.capacity_changes import apply_configured_capacity
from services.biometrics.desk_api import desk_app
from services.biometrics.policy import DeskPolicy

SERVICE = "biometrics"
MIGRATIONS = Path(__file__).parent / "migrations"
NETHERLANDS = ZoneInfo("Europe/Amsterdam")


def wire(app: faust.App, resources: WorkerResources) -> None:
    settings = resources.settings
    policy = DeskPolicy(
        no_show_limit=settings.no_show_limit,
        capacity_overrides=load_overrides(settings.desk_capacity_file),
        today=lambda: datetime.now(NETHERLANDS).date(),
    )

    async def prepare_agenda() -> None:
        async with resources.unit_of_work() as uow:
            await apply_configured_capacity(uow.connection, policy.capacity_overrides, policy.today())
            await DeskAgenda(uow.connection, policy.capacity_overrides).open_booking_window(policy.today())
            await uow.commit()

    resources.before_consuming(prepare_agenda)
    resources.run_in_background(lambda: book_waiting_forever(resources.unit_of_work, policy, settings.timer_interval_s))
    resources.route(app, APPLICANT_REQUESTS.name, {EndorsementStickerRequested: handlers.sticker_requested}, policy=policy)
    resources.route_batches(app, CASES_REGISTERED.name, [CaseRegistered], handlers.cases_registered, policy=policy)
    resources.route_batches(app, CASE_LIFECYCLE.name, [DocumentProduced], handlers.documents_produced, policy=policy)
    resources.route_batches(
        app, DESK_EVENTS.name, [BiometricsCaptured, AppointmentNoShow, DocumentCollected], handlers.desk_reports, policy=policy
    )
    resources.serve_http(lambda pool: desk_app(pool, policy.capacity_overrides, policy.today))
