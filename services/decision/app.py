"""The decision service's wiring: every topic that moves a case, caseworkers' commands (screened,
then carried out or refused), two timers, the tracking API and the console."""

import functools
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import asyncpg
from aiohttp import web

from ind_runtime.settings import Misconfigured
from ind_runtime.wiring import Events, Every, Screened, Wiring
from ind_runtime.worker import WorkerResources
from schemas.applicant import InformationSupplied
from schemas.appointments import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentRescheduled,
    BiometricsCompleted,
    CaseFlagged,
)
from schemas.cases import CaseRegistered
from schemas.decisions import DecisionRequested
from schemas.desk import DocumentCollected
from schemas.submissions import MAX_SUBMISSION_BYTES
from schemas.topics import APPLICANT_REQUESTS, CASE_APPOINTMENTS, CASES_REGISTERED, DECISION_COMMANDS, DESK_EVENTS
from services.decision import commands, flow, timers, tracking
from services.decision.caseworkers import DEFAULT_ROSTER, load_roster
from services.decision.console.app import console_app
from services.decision.policy import DecisionPolicy
from services.decision.settings import DecisionSettings
from services.decision.tool_keys import load_tool_keys
from services.decision.unit_of_work import DecisionUnitOfWork

SERVICE = "decision"
MIGRATIONS = Path(__file__).parent / "migrations"
NETHERLANDS = ZoneInfo("Europe/Amsterdam")
T = TypeVar("T")


def _from_setting(setting: str, load: Callable[[Path], T], path: Path) -> T:
    try:
        return load(path)
    except ValueError as error:  # the loaders' every complaint about a file
        raise Misconfigured(f"{setting}: {error}") from None


def wiring(settings: DecisionSettings, _resources: WorkerResources) -> Wiring:
    policy = DecisionPolicy(
        roster=_from_setting("CASEWORKER_ROSTER", load_roster, settings.caseworker_roster or DEFAULT_ROSTER),
        tool_keys=_from_setting("CASEWORKER_TOOL_KEYS", load_tool_keys, settings.caseworker_tool_keys),
        today=lambda: datetime.now(NETHERLANDS).date(),
        now=lambda: datetime.now(timezone.utc),
        document_lead_time=timedelta(seconds=settings.document_lead_time_s),
        deadline_warning_days=settings.deadline_warning_days,
    )

    def with_policy(handle):
        return functools.partial(handle, policy=policy)

    console_key = policy.tool_keys.get(settings.console_tool_id)
    if console_key is None:
        raise Misconfigured(f"CASEWORKER_TOOL_KEYS: no key for the console's tool id {settings.console_tool_id!r}")

    return Wiring(
        consumes=(
            Events(APPLICANT_REQUESTS.name, (InformationSupplied,), with_policy(flow.information_supplied)),
            Events(DESK_EVENTS.name, (DocumentCollected,), with_policy(flow.documents_collected)),
            Events(CASES_REGISTERED.name, (CaseRegistered,), with_policy(flow.cases_registered)),
            Events(
                CASE_APPOINTMENTS.name,
                (AppointmentBooked, BiometricsCompleted, CaseFlagged, AppointmentRescheduled, AppointmentCancelled),
                with_policy(flow.desk_stage_reports),
            ),
            Screened(
                DECISION_COMMANDS.name,
                DecisionRequested,
                MAX_SUBMISSION_BYTES,
                accept=with_policy(commands.screened_commands),
                reject=with_policy(commands.unreadable_command),
            ),
        ),
        timers=(
            Every(settings.timer_interval_s, with_policy(timers.produce_due_documents), batch=timers.TIMER_BATCH),
            Every(settings.timer_interval_s, with_policy(timers.watch_deadlines), batch=timers.TIMER_BATCH),
        ),
        unit_of_work=DecisionUnitOfWork,
        http=functools.partial(web_app, settings=settings, console_key=console_key, today=policy.today),
    )


def web_app(pool: asyncpg.Pool, settings: DecisionSettings, console_key: bytes, today: Callable[[], date]) -> web.Application:
    """What the service serves on its port: the tracking API, and the console under ``/console``."""
    proxy_token = settings.portal_proxy_token.get_secret_value() if settings.portal_proxy_token else None
    app = tracking.tracking_app(pool, console_key, proxy_token=proxy_token)
    app.add_subapp("/console", console_app(pool, settings, console_key, today))
    return app
