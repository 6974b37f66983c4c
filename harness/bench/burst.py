"""One burst of N applications through the whole pipeline, with samplers beside it, measured from
the records the stages left on their topics (Kafka record timestamps) and the email queue."""

import asyncio
from collections import defaultdict
from pathlib import Path

import asyncpg

from harness.bench import stats
from harness.bench.observe import LagSampler, MemorySampler, cpu_seconds_by_process, cpu_used
from harness.bench.profile import WorkerProfiles
from harness.bench.statements import StatementStats
from harness.chaos.infrastructure import ChaosStack
from harness.chaos.pipeline import READY, SERVICES, PipelineRun
from harness.checker import check, read_all, timed_events
from harness.scenarios import expected
from harness.smtp import RecordingSmtpServer
from schemas.appointments import AppointmentBooked
from schemas.cases import CaseRegistered
from schemas.codes import ApplicationType
from schemas.lifecycle import CaseClosed, CaseDecided
from schemas.topics import CASE_APPOINTMENTS, CASE_LIFECYCLE, CASES_REGISTERED, DECISION_COMMANDS, DECISION_OUTCOMES, SUBMISSIONS

STAGE_TOPICS = {  # the topic each stage writes, as in the issue
    "intake": CASES_REGISTERED,
    "biometrics": CASE_APPOINTMENTS,
    "decision (lifecycle)": CASE_LIFECYCLE,
    "decision (outcomes)": DECISION_OUTCOMES,
}


async def run_burst(
    stack: ChaosStack,
    applications: int,
    workers: int,
    log_dir: Path,
    timeout: float,
    profile_dir: Path | None = None,
    rate: float | None = None,
) -> dict:
    """All ``applications`` at once, or (``rate``) paced at that many a second."""
    smtp = RecordingSmtpServer().start()
    name = f"bench-w{workers}" + (f"-paced{rate:g}" if rate else "")
    run = PipelineRun(name, stack, smtp, log_dir, applications)
    samplers: list[asyncio.Task] = []
    try:
        await run.start()
        extra = [run.start_worker(s) for s in SERVICES for _ in range(workers - 1)]
        await asyncio.gather(*(asyncio.to_thread(w.wait_for_log, READY, 90) for w in extra))
        await run.wait_until_consuming()  # each group rebalanced onto its new members before the burst
        memory = MemorySampler({w.name: w.pid for ws in run.workers.values() for w in ws})
        lag = LagSampler(run.servers, SERVICES)
        samplers = [asyncio.create_task(memory.run()), asyncio.create_task(lag.run())]
        profiles = WorkerProfiles(profile_dir / run.name, memory.pids) if profile_dir else None
        if profiles:
            profiles.start()
        names = {pid: name for name, pid in memory.pids.items()}
        statements = StatementStats(stack.superuser_url(run.database_url.rsplit("/", 1)[1]))
        await statements.reset()
        cpu_before = cpu_seconds_by_process(names)
        await run.publish(rate)
        done_at = await run.wait_until_done(timeout)
        cpu = cpu_used(cpu_before, cpu_seconds_by_process(names))
        postgres_statements = await statements.read()
        profile = await asyncio.to_thread(profiles.stop) if profiles else None
        memory.sample()
        for task in samplers:
            task.cancel()
        await asyncio.gather(*samplers, return_exceptions=True)
        report = await check(run.database_url, run.servers, run.plan, run.invalid, smtp.received())
        figures = await _figures(run)
    finally:
        for task in samplers:
            task.cancel()
        await run.stop()
        smtp.stop()
    return {
        "mode": f"paced at {rate:g} applications/s" if rate else "burst",
        "paced_rate": rate,
        "workers_per_service": workers,
        "applications": len(run.plan),
        "finished": done_at is not None,
        "check": report.line(),
        "sound": report.sound and done_at is not None and report.completed == len(run.plan),
        "lost_examples": report.lost[:5],
        "duplicated_examples": report.duplicated[:5],
        **figures,
        "peak_rss_mb": memory.peak_mb(),
        "lag": {"peak": lag.peak(), "samples": lag.samples},
        "cpu_seconds": cpu,
        "postgres_statements": postgres_statements,
        "profile": profile,
    }


async def _figures(run: PipelineRun) -> dict:
    topics = {
        t.name: timed_events(await read_all(run.servers, t)) for t in (SUBMISSIONS, *STAGE_TOPICS.values(), DECISION_COMMANDS)
    }
    owed_by_submission = {
        d["id"]: sum(expected(s, ApplicationType(d["data"]["application_type"])).emails.values()) for d, s in run.plan
    }
    submitted = {d["id"]: t for t, d in topics[SUBMISSIONS.name] if d.get("id") in owed_by_submission}
    registered, case_of = {}, {}
    for t, d in topics[CASES_REGISTERED.name]:
        if d.get("type") == CaseRegistered.EVENT_TYPE:
            registered[d["data"]["case_id"]] = t
            case_of[d["data"]["submission_id"]] = d["data"]["case_id"]
    first_booking = {}
    for t, d in topics[CASE_APPOINTMENTS.name]:
        data = d["data"]
        if d.get("type") == AppointmentBooked.EVENT_TYPE and data.get("product") == "BIO" and data.get("attempt") == 1:
            first_booking[data["case_id"]] = t
    commands = defaultdict(list)
    for t, d in topics[DECISION_COMMANDS.name]:
        commands[d["data"].get("case_id")].append(t)
    decided, closed = {}, {}
    for t, d in topics[CASE_LIFECYCLE.name]:
        if d.get("type") == CaseDecided.EVENT_TYPE:
            decided[d["data"]["case_id"]] = t
        elif d.get("type") == CaseClosed.EVENT_TYPE:
            closed[d["data"]["case_id"]] = t
    # the command that caused a decision is the case's latest command before it
    caused_by = {c: max((x for x in commands[c] if x <= t), default=None) for c, t in decided.items()}
    caused_by = {c: x for c, x in caused_by.items() if x is not None}
    submitted_by_case = {case_of[s]: t for s, t in submitted.items() if s in case_of}
    emails = await _emails(run.database_url)
    owed = {case_of[s]: n for s, n in owed_by_submission.items() if s in case_of}
    served = stats.served_at(closed, ((case, sent) for case, _, sent in emails), owed)

    ms = lambda values: stats.summary([v * 1000 for v in values])  # noqa: E731
    latency = {
        "intake: registered - submitted": ms(stats.lags(registered, submitted_by_case)),
        "biometrics: first BIO booked - registered": ms(stats.lags(first_booking, registered)),
        "decision: decided - causing command": ms(stats.lags(decided, caused_by)),
        "notify: email sent - email queued": ms([sent - queued for _, queued, sent in emails]),
    }
    end_to_end = ms(stats.lags(closed, submitted_by_case))
    end_to_end_served = ms(stats.lags(served, submitted_by_case))
    rates = {}
    for stage, topic in STAGE_TOPICS.items():
        stamps = [t for t, _ in topics[topic.name]]
        rates[stage] = {
            "topic": topic.name,
            "events": len(stamps),
            "events_per_s": stats.span_rate(stamps),
            "peak_1s": stats.peak_rate(stamps),
        }
    sent_stamps = [sent for _, _, sent in emails]
    rates["notify (emails)"] = {
        "topic": "SMTP",
        "events": len(sent_stamps),
        "events_per_s": stats.span_rate(sent_stamps),
        "peak_1s": stats.peak_rate(sent_stamps),
    }
    return {
        **stats.completion(min(submitted.values(), default=0.0), closed, served),
        "stages": rates,
        "latency_ms": latency,
        "end_to_end_latency_ms": end_to_end,
        "end_to_end_served_latency_ms": end_to_end_served,
    }


async def _emails(database_url: str) -> list[tuple[str, float, float]]:
    """(case id, queued, sent) of every email sent."""
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch(
            "select case_id::text as case_id, extract(epoch from created_at)::float8 as queued, "
            "extract(epoch from sent_at)::float8 as sent from notify.emails where status = 'sent' and sent_at is not null"
        )
    finally:
        await connection.close()
    return [(r["case_id"], r["queued"], r["sent"]) for r in rows]
