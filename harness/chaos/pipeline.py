"""One pipeline under test: its own database, fresh topics, a worker per service, the simulated
world, and the submissions it was given."""

import asyncio
import random
import time
from pathlib import Path

import aiohttp
import asyncpg
from aiokafka import AIOKafkaProducer

from harness.applications import bad_submissions, encode
from harness.chaos.infrastructure import ChaosStack
from harness.databases import fresh_database
from harness.processes import ServiceProcess
from harness.scenarios import Scenario, expected, sample_plan
from harness.simulators import SimulatedWorld
from harness.smtp import RecordingSmtpServer, free_port
from ind_runtime.admin import ensure_topics
from schemas.codes import ApplicationType
from schemas.topics import CATALOGUE, SUBMISSIONS

SERVICES = ("intake", "biometrics", "decision", "notify")
READY = "worker resources ready"


class PipelineRun:
    def __init__(self, name: str, stack: ChaosStack, smtp: RecordingSmtpServer, log_dir: Path, applications: int) -> None:
        self.name = name
        self.stack = stack
        self.smtp = smtp
        self.log_dir = log_dir / name
        self.database_url = stack.database_url.rsplit("/", 1)[0] + "/chaos_" + name.replace("-", "_")
        self.plan: list[tuple[dict, Scenario]] = sample_plan(applications, random.Random(name))
        self.invalid: list[tuple[int, int]] = []
        self.workers: dict[str, list[ServiceProcess]] = {service: [] for service in SERVICES}
        self.web_ports: dict[str, int] = {}  # worker name -> its /health port
        self._world_task: asyncio.Task | None = None

    @property
    def servers(self) -> list[str]:
        return self.stack.servers

    def environment(self) -> dict[str, str]:
        return {
            "KAFKA_BOOTSTRAP_SERVERS": ",".join(self.servers),
            "DATABASE_URL": self.database_url,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(self.smtp.port),
            "EMAIL_BACKOFF_S": "0.5",
            "EMAIL_BACKOFF_MAX_S": "5",
            "EMAIL_MAX_ATTEMPTS": "1000",
            "HANDLER_BACKOFF_S": "0.1",
            "HANDLER_BACKOFF_MAX_S": "2",
            "TIMER_INTERVAL_S": "0.5",
            "DOCUMENT_LEAD_TIME_S": "0.5",
            "LOG_LEVEL": "info",
        }

    async def start(self) -> None:
        await fresh_database(self.stack.database_url, self.database_url.rsplit("/", 1)[1])
        await ensure_topics(self.servers, recreate=True)
        for service in SERVICES:
            self.start_worker(service)
        await asyncio.gather(*(asyncio.to_thread(w.wait_for_log, READY, 90) for ws in self.workers.values() for w in ws))
        await self.wait_until_consuming()
        world = SimulatedWorld(self.servers, {d["id"]: s for d, s in self.plan})
        self._world_task = asyncio.create_task(world.run())

    async def wait_until_consuming(self, timeout: float = 90.0) -> None:
        await until_consuming({s: {w.name: self.web_ports[w.name] for w in ws} for s, ws in self.workers.items()}, timeout)

    def start_worker(self, service: str) -> ServiceProcess:
        index = len(self.workers[service])
        port = free_port()
        env = {**self.environment(), f"{service.upper()}_WEB_PORT": str(port)}
        worker = ServiceProcess(service, self.log_dir, env, index=index).start()
        self.web_ports[worker.name] = port
        self.workers[service].append(worker)
        return worker

    def restart(self, worker: ServiceProcess) -> None:
        worker.start()

    async def publish(self, rate: float | None = None) -> None:
        """Every valid submission, with the bad ones spread among them; remembers where the bad ones went.
        All at once, or ``rate`` submissions a second."""
        producer = AIOKafkaProducer(bootstrap_servers=self.servers, acks="all", enable_idempotence=True)
        await producer.start()
        started = time.monotonic()
        try:
            bad = list(bad_submissions().values())
            every = max(1, len(self.plan) // len(bad))
            for i, (document, _) in enumerate(self.plan):
                if rate is not None:
                    await asyncio.sleep(max(0.0, started + i / rate - time.monotonic()))
                await producer.send(SUBMISSIONS.name, encode(document), key=document["id"].encode())
                if i % every == 0 and bad:
                    value, _ = bad.pop()
                    meta = await producer.send_and_wait(SUBMISSIONS.name, value, key=f"bad-{i}".encode())
                    self.invalid.append((meta.partition, meta.offset))
            await producer.flush()
        finally:
            await producer.stop()

    def emails_due(self) -> int:
        return sum(sum(expected(s, ApplicationType(d["data"]["application_type"])).emails.values()) for d, s in self.plan)

    async def progress(self) -> tuple[int, int]:
        """(cases closed, distinct emails delivered); (-1, -1) while the database cannot be read."""
        try:
            connection = await asyncpg.connect(self.database_url, timeout=5)
        except (TimeoutError, OSError, asyncpg.PostgresError):
            return -1, -1
        try:
            closed = await connection.fetchval("select count(*) from decision.cases where status = 'closed'")
        except (asyncpg.PostgresError, OSError):
            closed = -1
        finally:
            await connection.close()
        wanted = {d["data"]["applicant"]["email"] for d, _ in self.plan}
        return closed, self.smtp.delivered_to(wanted)

    async def wait_until_done(self, timeout: float) -> float | None:
        """Seconds until every case is closed and every email delivered; None on timeout."""
        started = time.monotonic()
        due = self.emails_due()
        while time.monotonic() - started < timeout:
            closed, delivered = await self.progress()
            if closed >= len(self.plan) and delivered >= due:
                return time.monotonic()
            await asyncio.sleep(1.0)
        return None

    async def stop(self) -> None:
        if self._world_task is not None:
            self._world_task.cancel()
            await asyncio.gather(self._world_task, return_exceptions=True)
        await asyncio.gather(*(asyncio.to_thread(w.stop) for ws in self.workers.values() for w in ws))


async def until_consuming(web_ports: dict[str, dict[str, int]], timeout: float = 90.0) -> None:
    """Until the workers of every service (``web_ports``: service -> worker name -> web port)
    consume all of its partitions between them, each some: a worker logs that it is ready before
    its consumer has joined the group, and records sent before then wait for the join (seconds,
    which a latency figure would wrongly count)."""
    wanted = {s: sum(t.partitions for t in CATALOGUE if s in t.consumers) for s in web_ports}
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while True:
            consumed = {service: 0 for service in web_ports}
            idle = []  # a worker with nothing yet: the group has not rebalanced onto it
            for service, ports in web_ports.items():
                for name, port in ports.items():
                    partitions = await _partitions(http, port)
                    consumed[service] += partitions
                    if partitions == 0:
                        idle.append(name)
            if consumed == wanted and not idle:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"partitions consumed {consumed}, wanted {wanted}, idle {idle}, after {timeout:.0f} s")
            await asyncio.sleep(0.2)


async def _partitions(http: aiohttp.ClientSession, port: int) -> int:
    """How many partitions the worker on ``port`` consumes; 0 while it does not answer yet."""
    try:
        async with http.get(f"http://127.0.0.1:{port}/health", timeout=aiohttp.ClientTimeout(total=2)) as response:
            return (await response.json()).get("partitions", 0) if response.status == 200 else 0
    except (TimeoutError, aiohttp.ClientError):
        return 0
