"""A service's wiring as one table: what it reads from which topic, handled by what, and what it runs
every N seconds. The runtime does the rest the same way for every service (``WorkerResources.wire``):
units of work, batches and the records they leave, screening, set-aside records, timers' passes.

    Wiring(
        consumes=(
            Events(CASES_REGISTERED.name, (CaseRegistered,), flow.cases_registered),
            Screened(DECISION_COMMANDS.name, DecisionRequested, MAX_BYTES, accept=..., reject=...),
        ),
        timers=(Every(30.0, timers.watch_deadlines, batch=500),),
        unit_of_work=DecisionUnitOfWork,
    )
"""

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import structlog
from aiohttp import web

from ind_runtime.logs import get_logger
from ind_runtime.processing import BatchHandler, RecordHandler
from ind_runtime.records import ConsumedRecord
from ind_runtime.routing import BatchRouter
from ind_runtime.screening import Unacceptable, screen
from ind_runtime.unit_of_work import UnitOfWork
from schemas.envelope import CloudEvent

log = get_logger(__name__)

# ``async (events, uow)``: handles the events in order and commits ``uow``, or does nothing; returns
# the events it left waiting for another topic's (or None), and with each of them every later event
# with its key, which must wait behind it.
HandleEvents = Callable[[Sequence[Any], Any], Awaitable[Sequence[CloudEvent] | None]]


@dataclass(frozen=True)
class Events:
    """The events of ``types`` on ``topic`` go to ``handle``, a batch at a time (with ``batch``
    False, each in a unit of work of its own); other types on the topic are skipped. ``then`` is
    called once a unit of work that handled some of them has committed (to wake a loop)."""

    topic: str
    types: tuple[type[CloudEvent], ...]
    handle: HandleEvents
    batch: bool = True
    then: Callable[[], None] | None = None


@dataclass(frozen=True)
class Screened:
    """Every record on ``topic`` is screened against ``model`` (``ind_runtime.screening``): those that
    pass go to ``accept(pairs of record and event, uow)`` a batch at a time, and each that does not
    to ``reject(unacceptable, record, uow)``, which answers it."""

    topic: str
    model: type[CloudEvent]
    max_bytes: int
    accept: Callable[[Sequence[tuple[ConsumedRecord, Any]], Any], Awaitable[object]]
    reject: Callable[[Unacceptable, ConsumedRecord, Any], Awaitable[object]]


@dataclass(frozen=True)
class Every:
    """``job(uow)`` every ``seconds``; a pass that did ``batch`` things (it returns how many) is
    followed at once by another."""

    seconds: float
    job: Callable[[Any], Awaitable[int]]
    batch: int


@dataclass(frozen=True)
class Wiring:
    consumes: tuple[Events | Screened, ...]
    timers: tuple[Every, ...] = ()
    unit_of_work: type[UnitOfWork] = UnitOfWork
    before_consuming: tuple[Callable[[], Coroutine[Any, Any, None]], ...] = ()
    background: tuple[Callable[[], Coroutine[Any, Any, None]], ...] = ()
    http: Callable[[asyncpg.Pool], web.Application] | None = None


def handlers_for(source: Events | Screened, unit_of_work: Callable[[], UnitOfWork]) -> tuple[RecordHandler, BatchHandler | None]:
    """The record handler and the batch handler (if any) that consume ``source``'s topic, each
    working in units of work from ``unit_of_work()``."""
    if isinstance(source, Screened):
        return _screened(source, unit_of_work)
    handle = source.handle if source.then is None else _then(source.handle, source.then)
    batches = BatchRouter(unit_of_work, source.types, handle)
    return batches.record_handler, batches if source.batch else None


def _screened(source: Screened, unit_of_work: Callable[[], UnitOfWork]) -> tuple[RecordHandler, BatchHandler]:
    def screened(record: ConsumedRecord) -> CloudEvent | Unacceptable:
        return screen(source.model, record.value, source.max_bytes)

    async def handle_batch(records: Sequence[ConsumedRecord]) -> list[ConsumedRecord]:
        outcomes = [(record, screened(record)) for record in records]
        accepted = [(record, outcome) for record, outcome in outcomes if not isinstance(outcome, Unacceptable)]
        if accepted:
            async with unit_of_work() as uow:
                await source.accept(accepted, uow)
        return [record for record, outcome in outcomes if isinstance(outcome, Unacceptable)]

    async def handle(record: ConsumedRecord) -> None:
        outcome = screened(record)
        event_id = outcome.message_id if isinstance(outcome, Unacceptable) else outcome.id
        with structlog.contextvars.bound_contextvars(event_id=event_id):
            async with unit_of_work() as uow:
                if isinstance(outcome, Unacceptable):
                    await source.reject(outcome, record, uow)
                else:
                    await source.accept([(record, outcome)], uow)

    return handle, handle_batch


def _then(handle: HandleEvents, then: Callable[[], None]) -> HandleEvents:
    """``handle``, and ``then`` once the unit of work it committed has committed (in a batch: once
    the batch has)."""

    async def handled(events: Sequence[CloudEvent], uow: UnitOfWork) -> Sequence[CloudEvent] | None:
        left = await handle(events, uow)
        uow.after_commit(then)
        return left

    return handled


async def run_every(timer: Every, unit_of_work: Callable[[], UnitOfWork]) -> None:
    """Run ``timer``'s job for as long as the worker runs, each pass in a unit of work of its own;
    a pass that fails is logged and the next comes at its time."""
    while True:
        try:
            while True:
                async with unit_of_work() as uow:
                    if await timer.job(uow) < timer.batch:
                        break
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - a timer outlives a failed pass
            log.warning(
                "timer pass failed; retrying",
                timer=getattr(timer.job, "__name__", type(timer.job).__name__),
                error=type(error).__name__,
            )
        await asyncio.sleep(timer.seconds)
