"""One stage on its own: intake draining a topic already full of submissions.

In a burst every stage waits for the one before it, so its output rate says as much about its
upstream as about itself. Intake's input is what intake systems publish, so it can be filled ahead
and the stage timed alone, with its database work (inbox, case, outbox) and its outbox relay
publishing every event: submissions / (last published - first handled).
"""

import asyncio
import random
import shutil
import time
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaProducer

from harness.applications import encode, submission
from harness.chaos.infrastructure import ChaosStack
from harness.chaos.pipeline import READY
from harness.processes import ServiceProcess
from harness.smtp import free_port
from ind_runtime.admin import ensure_topics
from schemas.topics import SUBMISSIONS

DATABASE = "bench_stage_intake"


async def intake_alone(stack: ChaosStack, submissions: int, log_dir: Path, timeout: float) -> dict:
    database_url = await _fresh_database(stack)
    await ensure_topics(stack.servers, recreate=True)
    await _fill(stack.servers, submissions)
    shutil.rmtree(log_dir, ignore_errors=True)
    env = {"KAFKA_BOOTSTRAP_SERVERS": ",".join(stack.servers), "DATABASE_URL": database_url, "INTAKE_WEB_PORT": str(free_port())}
    worker = ServiceProcess("intake", log_dir, env).start()
    try:
        await asyncio.to_thread(worker.wait_for_log, READY, 90)
        span = await _drained(database_url, submissions, timeout)
    finally:
        await asyncio.to_thread(worker.stop)
    return {"stage": "intake", "submissions": submissions, "seconds": span, "events_per_s": submissions / span if span else None}


async def _fresh_database(stack: ChaosStack) -> str:
    admin = await asyncpg.connect(stack.database_url)
    try:
        await admin.execute(f"drop database if exists {DATABASE} with (force)")
        await admin.execute(f"create database {DATABASE}")
    finally:
        await admin.close()
    return stack.database_url.rsplit("/", 1)[0] + "/" + DATABASE


async def _fill(servers: list[str], submissions: int) -> None:
    rng = random.Random(11)
    producer = AIOKafkaProducer(bootstrap_servers=servers, acks="all", enable_idempotence=True, linger_ms=5)
    await producer.start()
    try:
        for _ in range(submissions):
            document = submission(rng=rng)
            await producer.send(SUBMISSIONS.name, encode(document), key=document["id"].encode())
        await producer.flush()
    finally:
        await producer.stop()


async def _drained(database_url: str, submissions: int, timeout: float) -> float | None:
    """Seconds from the first submission handled to the last case-registered event published."""
    connection = await asyncpg.connect(database_url)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            published = await connection.fetchval("select count(*) from runtime.outbox where published_at is not null")
            if published >= submissions:
                return await connection.fetchval(
                    "select extract(epoch from (select max(published_at) from runtime.outbox)"
                    " - (select min(processed_at) from runtime.inbox))::float8"
                )
            await asyncio.sleep(0.5)
        return None
    finally:
        await connection.close()
