"""Running one service as a Faust worker, with its database pool, producer and outbox relay.

The resources start before the Faust app (``faust.Worker`` starts its services first), so no agent
sees a record before the migrations ran and the producer is connected.
"""

import asyncio
import contextlib
import functools
import sys
from collections.abc import Callable, Collection, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import faust
import mode.loop
from aiohttp import web
from aiokafka import AIOKafkaProducer
from mode import Service
from pydantic import ValidationError

from ind_runtime.db import RUNTIME_MIGRATIONS, create_pool, migrate
from ind_runtime.deferred import DeferredRecords
from ind_runtime.faust_app import consume, create_app
from ind_runtime.kafka import dead_letter_producer, idempotent_producer
from ind_runtime.kept_records import KeptRecords
from ind_runtime.logs import configure_logging, get_logger, logging_config
from ind_runtime.outbox import OutboxRelay
from ind_runtime.processing import BatchHandler, RecordHandler, RecordProcessor, RetryPolicy
from ind_runtime.settings import Misconfigured, ServiceSettings, Settings, get_settings
from ind_runtime.unit_of_work import SharedTransaction, UnitOfWork
from ind_runtime.wiring import Wiring, handlers_for, run_every

log = get_logger(__name__)
S = TypeVar("S", bound=ServiceSettings)

POOL_CLOSE_TIMEOUT_S = 3.0


class WorkerResources(Service):
    """What a service's handlers need at run time; a ``mode.Service`` so the worker starts it first."""

    def __init__(
        self,
        service: str,
        settings: Settings,
        web_port: int,
        migrations: Path | None,
        assigned_partitions: Callable[[], Collection] = tuple,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.service = service
        self._web_port = web_port
        self._assigned_partitions = assigned_partitions
        self.settings = settings
        self._migrations = migrations
        self._pool: asyncpg.Pool | None = None
        self._producer: AIOKafkaProducer | None = None
        self._dead_letter_producer: AIOKafkaProducer | None = None
        self._preparations: list[Callable[[], Coroutine[Any, Any, None]]] = []
        self._background: list[Callable[[], Coroutine[Any, Any, None]]] = []
        self._loops: list[asyncio.Task] = []  # not _tasks: mode.Service keeps its own under that name
        self._http_app: Callable[[asyncpg.Pool], web.Application] = lambda _pool: web.Application()
        self._http_runner: web.AppRunner | None = None
        self._one_batch_at_a_time = asyncio.Lock()
        self.kept_records = KeptRecords(lambda: self.pool)
        self._unit_of_work: type[UnitOfWork] = UnitOfWork
        self.retry_policy = RetryPolicy(
            settings.handler_max_attempts,
            settings.handler_backoff_s,
            settings.handler_backoff_max_s,
            settings.handler_not_ready_max_s,
        )

    @property
    def pool(self) -> asyncpg.Pool:
        assert self._pool is not None, "WorkerResources used before it started"
        return self._pool

    @property
    def producer(self) -> AIOKafkaProducer:
        assert self._producer is not None, "WorkerResources used before it started"
        return self._producer

    @property
    def dead_letter_producer(self) -> AIOKafkaProducer:
        assert self._dead_letter_producer is not None, "WorkerResources used before it started"
        return self._dead_letter_producer

    def use_unit_of_work(self, unit_of_work: type[UnitOfWork]) -> None:
        """Make the service's units of work of ``unit_of_work``: a ``UnitOfWork`` that carries the
        service's repositories as attributes."""
        self._unit_of_work = unit_of_work

    def unit_of_work(self) -> UnitOfWork:
        return self._unit_of_work(self.pool, publisher=self.service)

    def before_consuming(self, step: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run ``step`` once at start-up, after the migrations and before any record is handled."""
        self._preparations.append(step)

    def run_in_background(self, loop: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run ``loop`` once the resources are up, until the worker stops (e.g. a mail dispatcher)."""
        self._background.append(loop)

    def serve_http(self, build: Callable[[asyncpg.Pool], web.Application]) -> None:
        """Serve ``build(pool)`` on the service's web port, beside ``GET /health``."""
        self._http_app = build

    async def _health(self, _request: web.Request) -> web.Response:
        """Healthy when the database answers; ``partitions`` says how many this worker consumes now
        (0 while its consumer joins the group, or when other workers of the service have them all),
        and ``kept_records`` how many records their dead-letter topic would not take (an alert when
        above 0: see ``ind_runtime.kept_records``)."""
        try:
            await self.pool.fetchval("select 1")
        except Exception as error:  # noqa: BLE001 - any failure means "not healthy"
            return web.json_response({"service": self.service, "database": type(error).__name__}, status=503)
        return web.json_response(
            {
                "service": self.service,
                "database": "ok",
                "partitions": self._partitions(),
                "kept_records": await self.kept_records.count(self.service),
            }
        )

    def _partitions(self) -> int:
        try:
            return len(self._assigned_partitions())
        except Exception:  # noqa: BLE001 - a consumer that has not started has no partitions yet
            return 0

    async def _start_http(self) -> None:
        app = self._http_app(self.pool)
        app.router.add_get("/health", self._health)
        self._http_runner = web.AppRunner(app, access_log=None)
        await self._http_runner.setup()
        await web.TCPSite(self._http_runner, self.settings.web_host, self._web_port).start()

    def shared_transaction(self, defer_appends: bool = True) -> SharedTransaction:
        return SharedTransaction(self.pool, publisher=self.service, lock=self._one_batch_at_a_time, defer_appends=defer_appends)

    def consume(self, app: faust.App, topic: str, handle: RecordHandler, handle_batch: BatchHandler | None = None) -> None:
        """Consume ``topic`` in batches, handing each batch to ``handle_batch`` (if any) and each
        record it leaves to ``handle``; records that wait for another topic are set aside and
        retried in the background."""
        processor = RecordProcessor(
            self.service,
            handle,
            lambda: self.dead_letter_producer,
            self.retry_policy,
            self.shared_transaction,
            DeferredRecords(self.service, topic),
            handle_batch,
            self.kept_records,
        )
        consume(app, topic, processor, self.settings.batch_max_records, self.settings.batch_wait_s)
        self.run_in_background(processor.retry_deferred_forever)

    def wire(self, app: faust.App, wiring: Wiring) -> None:
        """Set the service up as its table says (``ind_runtime.wiring``)."""
        self.use_unit_of_work(wiring.unit_of_work)
        self._preparations.extend(wiring.before_consuming)
        self._background.extend(wiring.background)
        if wiring.http is not None:
            self.serve_http(wiring.http)
        for source in wiring.consumes:
            self.consume(app, source.topic, *handlers_for(source, self.unit_of_work))
        for timer in wiring.timers:
            self.run_in_background(functools.partial(run_every, timer, self.unit_of_work))

    async def on_start(self) -> None:
        self._pool = await _retry_until_up(
            "postgres", lambda: create_pool(self.settings.database_url, self.settings.database_pool_size)
        )
        await migrate(self._pool, "runtime", RUNTIME_MIGRATIONS)
        if self._migrations is not None:
            await migrate(self._pool, self.service, self._migrations)
        for step in self._preparations:
            await step()
        self._producer = idempotent_producer(self.settings.kafka_servers, self.settings)
        await _retry_until_up("kafka", self._producer.start)
        self._dead_letter_producer = dead_letter_producer(self.settings.kafka_servers, self.settings)
        await _retry_until_up("kafka", self._dead_letter_producer.start)
        relay = OutboxRelay(self._pool, self._producer, self.service, renew_producer=self._renew_producer)
        self._loops = [asyncio.create_task(loop()) for loop in (relay.run, *self._background)]
        await self._start_http()
        log.info("worker resources ready", service=self.service, event_loop=type(asyncio.get_running_loop()).__module__)

    async def _renew_producer(self) -> AIOKafkaProducer:
        """A new producer for the outbox relay, whose producer can send no more."""
        dead, fresh = self._producer, idempotent_producer(self.settings.kafka_servers, self.settings)
        await fresh.start()
        self._producer = fresh
        if dead is not None:
            with contextlib.suppress(Exception):
                await dead.stop()
        return fresh

    async def on_stop(self) -> None:
        if self._http_runner is not None:
            await self._http_runner.cleanup()
        for task in self._loops:
            task.cancel()
        await asyncio.gather(*self._loops, return_exceptions=True)
        for producer in (self._producer, self._dead_letter_producer):
            if producer is not None:
                await producer.stop()
        if self._pool is not None:
            try:
                # a connection that a cancelled handler left mid-query is never handed back in
                # time: a stop may not wait for it
                await asyncio.wait_for(self._pool.close(), POOL_CLOSE_TIMEOUT_S)
            except TimeoutError:
                self._pool.terminate()


async def _retry_until_up(what: str, connect: Callable, attempts: int = 60):
    for attempt in range(1, attempts + 1):
        try:
            return await connect()
        except Exception as error:  # noqa: BLE001 - any failure to connect means "not up yet"
            if attempt == attempts:
                raise
            log.warning("waiting for dependency", dependency=what, error=type(error).__name__, attempt=attempt)
            await asyncio.sleep(1.0)


def run_worker(
    service: str,
    migrations: Path | None,
    wiring: Callable[[S, WorkerResources], Wiring],
    service_settings: type[S],
) -> None:
    """Entry point of ``python -m services.<service>``: read the runtime's settings and the
    service's own, wire the service as its table says and run until SIGTERM. A setting that is
    wrong ends the process at once with one line naming it, not a traceback."""
    try:
        settings, own = get_settings(), service_settings()
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in error.errors())
        sys.exit(f"{service} cannot start: {problems}")
    configure_logging(settings.log_level)
    if settings.event_loop == "uvloop":
        mode.loop.use("uvloop")  # before Faust makes its loop (docs/performance/round-09.md)
    app = create_app(service, settings)
    resources = WorkerResources(
        service, settings, own.web_port, migrations, assigned_partitions=lambda: app.consumer.assignment()
    )
    try:
        table = wiring(own, resources)
    except Misconfigured as error:
        sys.exit(f"{service} cannot start: {error}")
    resources.wire(app, table)
    worker = faust.Worker(
        app,
        resources,
        loglevel=settings.log_level if settings.log_level != "warning" else "warn",
        logging_config=logging_config(settings.log_level),
    )
    worker.execute_from_commandline()
