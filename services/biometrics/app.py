"""The desk service's wiring: registered cases, desk reports, produced documents, sticker requests.

A batch of registrations is taken on together (``handlers.cases_registered``), and so is a batch of
produced documents (``handlers.documents_produced``) and of the desks' reports (``handlers.desk_reports``);
sticker requests one at a time. At start-up the configured capacity is applied to the slots already
opened and the booking window is opened; every ``TIMER_INTERVAL_S`` a pass books the appointments
that wait for a free slot.
"""

import functools
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ind_runtime.wiring import Events, Every, Wiring
from ind_runtime.worker import WorkerResources
from schemas.applicant import EndorsementStickerRequested
from schemas.cases import CaseRegistered
from schemas.desk import AppointmentNoShow, BiometricsCaptured, DocumentCollected
from schemas.lifecycle import DocumentProduced
from schemas.topics import APPLICANT_REQUESTS, CASE_LIFECYCLE, CASES_REGISTERED, DESK_EVENTS
from services.biometrics import handlers
from services.biometrics.booking import WAITING_PAGE, WaitingListPass
from services.biometrics.capacity import load_overrides
from services.biometrics.capacity_changes import apply_configured_capacity
from services.biometrics.desk_api import desk_app
from services.biometrics.policy import DeskPolicy
from services.biometrics.settings import DeskSettings
from services.biometrics.unit_of_work import DeskUnitOfWork

SERVICE = "biometrics"
MIGRATIONS = Path(__file__).parent / "migrations"
NETHERLANDS = ZoneInfo("Europe/Amsterdam")


def wiring(settings: DeskSettings, resources: WorkerResources) -> Wiring:
    capacity_overrides = load_overrides(settings.desk_capacity_file)
    policy = DeskPolicy(no_show_limit=settings.no_show_limit, today=lambda: datetime.now(NETHERLANDS).date())
    unit_of_work = DeskUnitOfWork.configured(capacity_overrides)

    async def prepare_agenda() -> None:
        async with unit_of_work(resources.pool, SERVICE) as uow:
            await apply_configured_capacity(uow.connection, capacity_overrides, policy.today())
            await uow.agenda.open_booking_window(policy.today())
            await uow.commit()

    def with_policy(handle):
        return functools.partial(handle, policy=policy)

    return Wiring(
        consumes=(
            Events(
                APPLICANT_REQUESTS.name, (EndorsementStickerRequested,), with_policy(handlers.stickers_requested), batch=False
            ),
            Events(CASES_REGISTERED.name, (CaseRegistered,), with_policy(handlers.cases_registered)),
            Events(CASE_LIFECYCLE.name, (DocumentProduced,), with_policy(handlers.documents_produced)),
            Events(
                DESK_EVENTS.name, (BiometricsCaptured, AppointmentNoShow, DocumentCollected), with_policy(handlers.desk_reports)
            ),
        ),
        timers=(Every(settings.timer_interval_s, WaitingListPass(policy), batch=WAITING_PAGE),),
        unit_of_work=unit_of_work,
        before_consuming=(prepare_agenda,),
        http=lambda pool: desk_app(pool, capacity_overrides, policy.today, day_token=settings.desk_day_token),
    )
