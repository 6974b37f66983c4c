"""The desk service's wiring: registered cases, desk reports, produced documents, sticker requests.

A batch of registrations is taken on together (``handlers.cases_registered``), and so is a batch of
produced documents (``handlers.documents_produced``) and of the desks' reports (``handlers.desk_reports``);
sticker requests one at a time. At start-up the configured capacity is applied to the slots already
opened and the booking window is opened; every ``TIMER_INTERVAL_S`` a pass books the appointments
that wait for a free slot, every ``HOLD_SWEEP_INTERVAL_S`` one frees the seats of expired holds, and
every ``ALERT_INTERVAL_S`` one tells applicants' alerts about free slots that suit them (``alert_pass``).
Its web app serves the desks' agenda and day, and the applicants' own bookings and alerts (``desk_api``).
"""

import functools
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from ind_runtime.guesses import CASE_LOOK_UP, GuessGuard
from ind_runtime.wiring import Events, Every, Wiring
from ind_runtime.worker import WorkerResources
from schemas.applicant import EndorsementStickerRequested
from schemas.cases import CaseRegistered
from schemas.desk import AppointmentNoShow, BiometricsCaptured, DocumentCollected
from schemas.lifecycle import DocumentProduced
from schemas.topics import APPLICANT_REQUESTS, CASE_LIFECYCLE, CASES_REGISTERED, DESK_EVENTS
from services.biometrics import handlers
from services.biometrics.alert_pass import ALERT_PAGE, SlotAlertPass
from services.biometrics.booking import WAITING_PAGE, WaitingListPass
from services.biometrics.capacity import load_overrides
from services.biometrics.capacity_changes import apply_configured_capacity
from services.biometrics.desk_api import desk_app
from services.biometrics.policy import DeskPolicy
from services.biometrics.rate_limits import RateLimits
from services.biometrics.self_booking import HOLD_SWEEP_PAGE, sweep_expired_holds
from services.biometrics.self_service import ALERT, BOOK, HOLD, MANAGE, SelfService
from services.biometrics.settings import DeskSettings
from services.biometrics.unit_of_work import DeskUnitOfWork

SERVICE = "biometrics"
MIGRATIONS = Path(__file__).parent / "migrations"
GUESSES = "biometrics.failed_guesses"
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

    def self_service(pool) -> SelfService:
        key = settings.manage_link_key
        return SelfService(
            unit_of_work=lambda: unit_of_work(pool, SERVICE),
            overrides=capacity_overrides,
            today=policy.today,
            hold_for=timedelta(minutes=settings.hold_minutes),
            manage_key=key.get_secret_value().encode() if key is not None else None,
            limits=RateLimits(
                {
                    HOLD: settings.hold_rate_per_minute,
                    BOOK: settings.book_rate_per_minute,
                    MANAGE: settings.manage_rate_per_minute,
                    ALERT: settings.alert_rate_per_minute,
                }
            ),
            proxy_token=settings.portal_proxy_token.get_secret_value() if settings.portal_proxy_token else None,
            case_guesses=GuessGuard(
                pool, key.get_secret_value().encode() if key else secrets.token_bytes(32), "case", CASE_LOOK_UP, GUESSES
            ),
        )

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
        timers=(
            Every(settings.timer_interval_s, WaitingListPass(policy), batch=WAITING_PAGE),
            Every(settings.hold_sweep_interval_s, sweep_expired_holds, batch=HOLD_SWEEP_PAGE),
            Every(settings.alert_interval_s, SlotAlertPass(policy.today), batch=ALERT_PAGE),
        ),
        unit_of_work=unit_of_work,
        before_consuming=(prepare_agenda,),
        http=lambda pool: desk_app(
            pool, capacity_overrides, policy.today, day_token=settings.desk_day_token, self_service=self_service(pool)
        ),
    )
