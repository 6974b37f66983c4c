"""Each stage on its own: one worker draining a topic already full of its input.

In a burst every stage waits for the one before it, so its output rate says as much about its
upstream as about itself. So each stage is also timed alone, with its database work and its
outputs included: its input topic is filled ahead, one worker starts on an empty database, and the
harness counts the stage's finished outputs until there is one per input. Intake drains
submissions (a case-registered event published for each); biometrics, decision and notify drain
case registrations, the first event of every case and the one each of them does the most for
(biometrics books an appointment and publishes it, decision opens the case file, notify sends the
receipt over SMTP).

The rate is taken from the outputs' own timestamps (the transaction's time of the row that records
each: published, filed, sent), first to last, so the worker's start is not in it and the harness
polls only to see the end, four times a second: polling a growing table every 20 ms, as it did
before round 6, took up to a quarter of a core from the stage it timed. Notify's queued receipts
are timed alike: its consumer queues an email and its dispatcher sends it, and the two rates tell
which of them limits it.

``stage_scaled`` runs each stage alone again with 1 and with 2 workers, to show what a second
worker gives where the machine has a core for it.
"""

import asyncio
import random
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaProducer

from harness.applications import case_registered, encode, submission
from harness.bench import stats
from harness.bench.observe import cpu_seconds_by_process, cpu_used
from harness.bench.profile import WorkerProfiles
from harness.chaos.infrastructure import ChaosStack
from harness.chaos.pipeline import READY, until_consuming
from harness.databases import fresh_database
from harness.processes import ROOT, ServiceProcess
from harness.smtp import RecordingSmtpServer, free_port
from ind_runtime.admin import ensure_topics
from schemas.topics import CASES_REGISTERED, SUBMISSIONS

POLL_S = 0.25  # only to see the drain end: each poll counts a growing table, on the stage's CPU
PUBLISHED = "select extract(epoch from published_at)::float8 from runtime.outbox where published_at is not null"


@dataclass(frozen=True)
class Stage:
    service: str
    input_topic: str
    output: str  # what one finished output is
    finished: str  # SQL: the time (epoch seconds) of each finished output
    midway: tuple[str, str] | None = None  # (what, SQL): a step on the way, timed alike


STAGES = (
    Stage("intake", SUBMISSIONS.name, "case registered, published", PUBLISHED),
    Stage("biometrics", CASES_REGISTERED.name, "appointment (or no-desk notice), published", PUBLISHED),
    Stage(
        "decision", CASES_REGISTERED.name, "case file opened", "select extract(epoch from updated_at)::float8 from decision.cases"
    ),
    Stage(
        "notify",
        CASES_REGISTERED.name,
        "receipt email, sent",
        "select extract(epoch from sent_at)::float8 from notify.emails where status = 'sent'",
        ("receipt email queued", "select extract(epoch from created_at)::float8 from notify.emails"),
    ),
)


async def stages_alone(
    stack: ChaosStack, inputs: int, log_dir: Path, timeout: float, profile_dir: Path | None = None
) -> dict[str, dict]:
    return {
        stage.service: await stage_alone(stack, stage, inputs, log_dir / f"{stage.service}-alone", timeout, profile_dir)
        for stage in STAGES
    }


async def stage_alone(
    stack: ChaosStack, stage: Stage, inputs: int, log_dir: Path, timeout: float, profile_dir: Path | None = None
) -> dict:
    """``profile_dir``: sample the worker with py-spy while it drains (its hottest functions in the result)."""
    database_url = await fresh_database(stack.database_url, f"bench_stage_{stage.service}")
    await ensure_topics(stack.servers, recreate=True)
    await _send(stack.servers, stage.input_topic, _inputs(stage.input_topic, inputs))
    shutil.rmtree(log_dir, ignore_errors=True)
    smtp = RecordingSmtpServer().start()  # in this process, as in a burst
    worker, _ = _start_worker(stack, stage, database_url, smtp, log_dir, 0)
    try:
        await asyncio.to_thread(worker.wait_for_log, READY, 90)
        profiles = WorkerProfiles(profile_dir / "alone", {stage.service: worker.pid}) if profile_dir else None
        if profiles:
            profiles.start()
        measured = await _drained(database_url, stage, inputs, timeout)
        if profiles:
            measured["profile"] = (await asyncio.to_thread(profiles.stop)).get(stage.service)
        measured["mean_email_bytes"] = smtp.mean_bytes()
    finally:
        await asyncio.to_thread(worker.stop)
        smtp.stop()
    midway = {"midway": stage.midway[0]} if stage.midway else {}
    return {"stage": stage.service, "input": stage.input_topic, "output": stage.output, "inputs": inputs, **midway, **measured}


async def stages_scaled(
    stack: ChaosStack, inputs: int, log_dir: Path, timeout: float, counts: tuple[int, ...] = (1, 2)
) -> dict[str, list[dict]]:
    """Each stage alone with each of ``counts`` workers: {service: [figures for each count]}."""
    return {
        stage.service: [
            await stage_scaled(stack, stage, count, inputs, log_dir / f"{stage.service}-alone-x{count}", timeout)
            for count in counts
        ]
        for stage in STAGES
    }


async def stage_scaled(
    stack: ChaosStack, stage: Stage, workers: int, inputs: int, log_dir: Path, timeout: float, root: Path = ROOT
) -> dict:
    """One stage alone with ``workers`` workers, to show what adding one gives where the cores allow it.

    Unlike ``stage_alone``, the workers start on an empty input topic and the inputs are written
    once the group has spread its partitions over all of them: with the topic full at the start,
    the first worker to join would drain much of it before a rebalance let the second one in. So
    each count is timed the same way, and the rate includes writing the inputs (made ready before
    the workers start; sending them is faster than any stage). The CPU each process used while
    the stage drained says whether the machine had a core to spare. ``root``: the checkout whose
    workers run.
    """
    records = _inputs(stage.input_topic, inputs)
    database_url = await fresh_database(stack.database_url, f"bench_stage_{stage.service}")
    await ensure_topics(stack.servers, recreate=True)
    shutil.rmtree(log_dir, ignore_errors=True)
    smtp = RecordingSmtpServer().start()
    started = [_start_worker(stack, stage, database_url, smtp, log_dir, index, root) for index in range(workers)]
    try:
        await asyncio.gather(*(asyncio.to_thread(worker.wait_for_log, READY, 90) for worker, _ in started))
        await until_consuming({stage.service: {worker.name: port for worker, port in started}})
        names = {worker.pid: worker.name for worker, _ in started}
        cpu_before = cpu_seconds_by_process(names)
        clock = time.monotonic()
        await _send(stack.servers, stage.input_topic, records)
        measured = await _drained(database_url, stage, inputs, timeout)
        wall_s = time.monotonic() - clock
        cpu = cpu_used(cpu_before, cpu_seconds_by_process(names))
    finally:
        await asyncio.gather(*(asyncio.to_thread(worker.stop) for worker, _ in started))
        smtp.stop()
    return {
        "stage": stage.service,
        "workers": workers,
        "inputs": inputs,
        **measured,
        "cpu_seconds": cpu,
        "cores_busy": stats.cores_busy(cpu, wall_s),  # everything on the machine counted
    }


def _start_worker(
    stack: ChaosStack, stage: Stage, database_url: str, smtp: RecordingSmtpServer, log_dir: Path, index: int, root: Path = ROOT
) -> tuple[ServiceProcess, int]:
    port = free_port()
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": ",".join(stack.servers),
        "DATABASE_URL": database_url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        f"{stage.service.upper()}_WEB_PORT": str(port),
    }
    return ServiceProcess(stage.service, log_dir, env, index=index, root=root).start(), port


def _inputs(topic: str, count: int) -> list[tuple[bytes, bytes]]:
    """(key, value) of ``count`` inputs for ``topic``: submissions, or the registrations intake would publish."""
    rng = random.Random(11)
    records = []
    for number in range(count):
        document = submission(rng=rng)
        if topic == SUBMISSIONS.name:
            records.append((document["id"].encode(), encode(document)))
        else:
            registered = case_registered(document, number)
            records.append((str(registered.data.case_id).encode(), registered.to_json()))
    return records


async def _send(servers: list[str], topic: str, records: list[tuple[bytes, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=servers, acks="all", enable_idempotence=True, linger_ms=5)
    await producer.start()
    try:
        for key, value in records:
            await producer.send(topic, value, key=key)
        await producer.flush()
    finally:
        await producer.stop()


async def _drained(database_url: str, stage: Stage, inputs: int, timeout: float) -> dict:
    """Wait until there is one finished output per input, then time them by their own timestamps."""
    connection = await asyncpg.connect(database_url)
    try:
        deadline = time.monotonic() + timeout
        done = 0
        while time.monotonic() < deadline:
            try:
                done = await connection.fetchval(f"select count(*) from ({stage.finished}) as finished")
            except asyncpg.UndefinedTableError:  # the worker has not made its tables yet
                done = 0
            if done >= inputs:
                stamps = [row[0] for row in await connection.fetch(stage.finished)]
                figures = {"finished": done, "seconds": max(stamps) - min(stamps), "events_per_s": stats.span_rate(stamps)}
                if stage.midway:
                    figures["midway_per_s"] = stats.span_rate([row[0] for row in await connection.fetch(stage.midway[1])])
                return figures
            await asyncio.sleep(POLL_S)
        return {"finished": done, "seconds": None, "events_per_s": None}
    finally:
        await connection.close()
