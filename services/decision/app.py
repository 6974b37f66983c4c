"""Faust wiring of the decision service: every topic that moves a case, two timers, the tracking API."""

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import faust
import structlog

from ind_runtime.logs import get_logger
from ind_runtime.records import ConsumedRecord
from ind_runtime.screening import Unacceptable, screen
from ind_runtime.worker import WorkerResources
from schemas.applicant import InformationSupplied
from schemas.appointments import AppointmentBooked, BiometricsCompleted, CaseFlagged
from schemas.cases import CaseRegistered
from schemas.decisions import DecisionRequested
from schemas.desk import DocumentCollected
from schemas.submissions import MAX_SUBMISSION_BYTES
from schemas.topics import APPLICANT_REQUESTS, CASE_APPOINTMENTS, CASES_REGISTERED, DECISION_COMMANDS, DESK_EVENTS
from services.decision import commands, flow, timers, tracking
from services.decision.caseworkers import DEFAULT_ROSTER, load_roster
from services.decision.policy import DecisionPolicy
from services.decision.tool_keys import load_tool_keys
from services.decision.unit_of_work import DecisionUnitOfWork

SERVICE = "decision"
MIGRATIONS = Path(__file__).parent / "migrations"
NETHERLANDS = ZoneInfo("Europe/Amsterdam")
T = TypeVar("T")

log = get_logger(__name__)


class Misconfigured(Exception):
    """A setting names a file the service cannot use, so the worker must not start; ``__main__``
    says which and why in one line."""


def _from_setting(setting: str, load: Callable[[Path], T], path: Path) -> T:
    try:
        return load(path)
    except ValueError as error:  # the loaders' every complaint about a file
        raise Misconfigured(f"{setting}: {error}") from None


def wire(app: faust.App, resources: WorkerResources) -> None:
    settings = resources.settings
    resources.use_unit_of_work(DecisionUnitOfWork)
    policy = DecisionPolicy(
        roster=_from_setting("CASEWORKER_ROSTER", load_roster, settings.caseworker_roster or DEFAULT_ROSTER),
        tool_keys=_from_setting("CASEWORKER_TOOL_KEYS", load_tool_keys, settings.caseworker_tool_keys),
        today=lambda: datetime.now(NETHERLANDS).date(),
        now=lambda: datetime.now(timezone.utc),
        document_lead_time=timedelta(seconds=settings.document_lead_time_s),
        deadline_warning_days=settings.deadline_warning_days,
    )
    resources.route_batches(app, APPLICANT_REQUESTS.name, [InformationSupplied], flow.information_supplied, policy=policy)
    resources.route_batches(app, DESK_EVENTS.name, [DocumentCollected], flow.documents_collected, policy=policy)
    resources.route_batches(app, CASES_REGISTERED.name, [CaseRegistered], flow.cases_registered, policy=policy)
    resources.route_batches(
        app, CASE_APPOINTMENTS.name, [AppointmentBooked, BiometricsCompleted, CaseFlagged], flow.desk_stage_reports, policy=policy
    )

    def screened(record: ConsumedRecord) -> DecisionRequested | Unacceptable:
        return screen(DecisionRequested, record.value, MAX_SUBMISSION_BYTES)

    async def one_command(record: ConsumedRecord) -> None:
        command = screened(record)
        command_id = command.message_id if isinstance(command, Unacceptable) else command.id
        with structlog.contextvars.bound_contextvars(event_id=command_id):
            async with resources.unit_of_work() as uow:
                await commands.decision_requested(command, record, uow, policy)

    async def batch_of_commands(records: Sequence[ConsumedRecord]) -> list[ConsumedRecord]:
        signed, left = commands.authenticated([(record, screened(record)) for record in records], policy)
        if signed:
            async with resources.unit_of_work() as uow:
                await commands.decision_commands(signed, uow, policy)
        return left

    resources.consume(app, DECISION_COMMANDS.name, one_command, batch_of_commands)

    async def timer_passes() -> None:
        while True:
            for timer in (timers.produce_due_documents, timers.watch_deadlines):
                try:
                    while True:
                        async with resources.unit_of_work() as uow:
                            if await timer(uow, policy) < timers.TIMER_BATCH:
                                break
                except Exception as error:  # noqa: BLE001 - a timer outlives a failed pass
                    log.warning("timer pass failed; retrying", timer=timer.__name__, error=type(error).__name__)
            await asyncio.sleep(settings.timer_interval_s)

    resources.run_in_background(timer_passes)
    resources.serve_http(tracking.tracking_app)
