"""Runs fault scenarios one after another and judges each with the consistency checker."""

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from harness.chaos import faults
from harness.chaos.faults import Timing
from harness.chaos.infrastructure import ChaosStack
from harness.chaos.pipeline import SERVICES, PipelineRun
from harness.checker import Report, check, read_all
from harness.processes import ROOT
from harness.smtp import RecordingSmtpServer
from schemas.topics import (
    CASES_REGISTERED,
    CATALOGUE,
    DECISION_COMMANDS,
    DECISION_OUTCOMES,
    SUBMISSIONS,
    Topic,
    dead_letter_topics,
)

LOGS = ROOT / ".state" / "chaos" / "logs"


@dataclass
class Outcome:
    scenario: str
    applications: int
    report: Report
    fault_s: float = 0.0
    recover_s: float | None = None
    total_s: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def sound(self) -> bool:
        return self.report.sound and self.recover_s is not None

    def as_dict(self) -> dict:
        report = self.report
        return {
            "scenario": self.scenario,
            "applications": self.applications,
            "completed": report.completed,
            "lost": len(report.lost),
            "duplicated": len(report.duplicated),
            "dead_lettered": report.dead_lettered,
            "rejected": report.rejected,
            "resent_emails": report.resent_emails,
            "fault_s": round(self.fault_s, 1),
            "recover_s": None if self.recover_s is None else round(self.recover_s, 1),
            "total_s": round(self.total_s, 1),
            "examples": (report.lost + report.duplicated)[:5] + self.notes[:5],
        }


Fault = Callable[[PipelineRun, Timing], Awaitable[object]]

FAULTS: dict[str, Fault] = {
    "kill-workers": faults.kill_workers,
    "broker-outage": faults.broker_outage,
    "database-outage": faults.database_outage,
    "smtp-outage": faults.smtp_outage,
    "scale-out-and-in": faults.scale_out_and_in,
    "poison-records": faults.poison_every_topic,
    "poison-beyond-dead-letters": faults.poison_beyond_the_dead_letter_topics,
}
SPECIAL = ("replay", "outbox-order")
ALL_SCENARIOS = (*FAULTS, *SPECIAL)


async def run_scenario(name: str, stack: ChaosStack, applications: int, timing: Timing, timeout: float) -> Outcome:
    smtp = RecordingSmtpServer().start()
    run = PipelineRun(name, stack, smtp, LOGS, applications)
    started = time.monotonic()
    try:
        await run.start()
        if name in FAULTS:
            return await _fault_scenario(name, run, timing, timeout, started)
        if name == "replay":
            return await _replay(run, timeout, started)
        return await _outbox_order(run, started)
    finally:
        await run.stop()
        smtp.stop()


async def _fault_scenario(name: str, run: PipelineRun, timing: Timing, timeout: float, started: float) -> Outcome:
    publishing = asyncio.create_task(run.publish())
    await asyncio.sleep(2.0)  # let the pipeline get busy first
    fault_started = time.monotonic()
    injected = await FAULTS[name](run, timing)
    fault_ended = time.monotonic()
    await publishing
    done_at = await run.wait_until_done(timeout)
    report = await check(run.database_url, run.servers, run.plan, run.invalid, run.smtp.received())
    outcome = Outcome(
        name, len(run.plan), report, fault_ended - fault_started, None if done_at is None else done_at - fault_ended
    )
    if name in ("poison-records", "poison-beyond-dead-letters"):
        unaccounted = await _unaccounted_poison(run, injected)
        outcome.notes += [f"poison record not accounted for: {u}" for u in unaccounted]
        report.lost += [f"poison {u}" for u in unaccounted]
    outcome.total_s = time.monotonic() - started
    return outcome


async def _unaccounted_poison(run: PipelineRun, sent: dict[str, int]) -> list[str]:
    """Each poison record must end as a dead letter or a record kept in PostgreSQL (per consumer), or
    a rejection the producer can read."""
    dead = {}
    for topic in CATALOGUE:
        if topic.consumers:
            for record in await read_all(run.servers, _dlq(topic)):
                headers = dict(record.headers)
                dead.setdefault(headers["dlq.source.topic"].decode(), []).append(headers["dlq.consumer"].decode())
    connection = await asyncpg.connect(run.database_url)
    try:
        for row in await connection.fetch("select consumer, topic from runtime.kept_records"):
            dead.setdefault(row["topic"], []).append(row["consumer"])
    finally:
        await connection.close()
    missing = []
    for topic in CATALOGUE:
        if topic.name not in sent:
            continue
        if topic.name in (SUBMISSIONS.name, DECISION_COMMANDS.name):
            continue  # answered with rejections, counted below
        for consumer in topic.consumers:
            parked = dead.get(topic.name, []).count(consumer)
            if parked < sent[topic.name]:
                missing.append(f"{topic.name} for {consumer}: {parked} of {sent[topic.name]} parked")
    rejected_commands = [
        r for r in await read_all(run.servers, DECISION_OUTCOMES) if json.loads(r.value)["data"].get("code") == "invalid_command"
    ]
    if len(rejected_commands) < sent[DECISION_COMMANDS.name]:
        missing.append(f"{DECISION_COMMANDS.name}: {len(rejected_commands)} of {sent[DECISION_COMMANDS.name]} rejected")
    return missing


def _dlq(topic: Topic) -> Topic:
    return next(t for t in dead_letter_topics() if t.name == topic.dead_letter)


async def _replay(run: PipelineRun, timeout: float, started: float) -> Outcome:
    """Run to the end, reset every consumer group to the beginning, run again: nothing may change."""
    await run.publish()
    first_done = await run.wait_until_done(timeout)
    before = await _snapshot(run)
    emails_before = len(run.smtp.received())
    for workers in run.workers.values():
        await asyncio.gather(*(asyncio.to_thread(w.stop) for w in workers))
    await faults.reset_consumer_groups(run)
    replay_started = time.monotonic()
    for workers in run.workers.values():
        for worker in workers:
            run.restart(worker)
    caught_up = await _wait_for_zero_lag(run, timeout)
    await asyncio.sleep(3.0)  # the relays and the dispatcher finish anything the replay caused
    after = await _snapshot(run)
    report = await check(run.database_url, run.servers, run.plan, run.invalid, run.smtp.received())
    outcome = Outcome(
        "replay", len(run.plan), report, 0.0, None if first_done is None or caught_up is None else caught_up - replay_started
    )
    changed = {table: (before[table], after[table]) for table in before if before[table] != after[table]}
    if changed:
        report.duplicated.append(f"database changed by the replay: {changed}")
    if len(run.smtp.received()) != emails_before:
        report.duplicated.append(f"emails sent by the replay: {len(run.smtp.received()) - emails_before}")
    outcome.total_s = time.monotonic() - started
    return outcome


SNAPSHOT_TABLES = (
    "intake.cases",
    "biometrics.appointments",
    "decision.cases",
    "decision.status_history",
    "decision.audit_trail",
    "notify.emails",
    "runtime.inbox",
)


async def _snapshot(run: PipelineRun) -> dict[str, int]:
    connection = await asyncpg.connect(run.database_url)
    try:
        return {table: await connection.fetchval(f"select count(*) from {table}") for table in SNAPSHOT_TABLES}
    finally:
        await connection.close()


async def _wait_for_zero_lag(run: PipelineRun, timeout: float) -> float | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all([await _lag(run, service) == 0 for service in SERVICES]):
            return time.monotonic()
        await asyncio.sleep(1.0)
    return None


async def _lag(run: PipelineRun, service: str) -> int:
    topics = [t for t in CATALOGUE if service in t.consumers]
    consumer = AIOKafkaConsumer(bootstrap_servers=run.servers, group_id=f"ind-{service}", enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(t.name, p) for t in topics for p in range(t.partitions)]
        ends = await consumer.end_offsets(partitions)
        lag = 0
        for tp in partitions:
            committed = await consumer.committed(tp)
            lag += ends[tp] - (committed or 0)
        return lag
    finally:
        await consumer.stop()


async def _outbox_order(run: PipelineRun, started: float) -> Outcome:
    both = await faults.outbox_rows_committed_in_reverse_order(run, CASES_REGISTERED)
    report = Report()
    if not both:
        report.lost.append("an outbox row committed after a later id was never published")
    outcome = Outcome("outbox-order", 0, report, 0.0, 0.0)
    outcome.total_s = time.monotonic() - started
    return outcome


async def run_all(names: list[str], applications: dict[str, int], timing: Timing, timeout: float, report) -> list[Outcome]:
    stack = ChaosStack()
    await stack.up("postgres", "kafka")
    outcomes = []
    try:
        for name in names:
            outcome = await run_scenario(name, stack, applications.get(name, applications["default"]), timing, timeout)
            outcomes.append(outcome)
            report(outcome)
    finally:
        await stack.down("kafka", "postgres")
    return outcomes


def as_json(outcomes: list[Outcome]) -> str:
    return json.dumps([o.as_dict() for o in outcomes], indent=2)
