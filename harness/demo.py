"""``make demo``: start every service, push a batch of sample applications through every stage
with simulated desks, caseworkers and applicants, and show what happened.

    python -m harness.demo [--applications 70] [--timeout 180]

Expects Kafka, PostgreSQL and the SMTP sink to be up (``make demo`` starts them). Safe to run again:
every run starts from empty topics and an empty database of its own (``ind_demo``), so it reports
only on its own submissions. The modelled document lead time and
the timers are shortened to seconds so that a run takes a minute, not five days.
"""

import argparse
import asyncio
import contextlib
import json
import random
import time
from collections import Counter

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from harness import demo_applicants
from harness.applications import bad_submissions, encode
from harness.console_cases import DESK, waiting_for_people
from harness.databases import fresh_database
from harness.processes import ROOT, ServiceProcess
from harness.scenarios import Scenario, expected, sample_plan
from harness.simulators import SimulatedWorld
from ind_runtime.admin import ensure_topics
from ind_runtime.settings import get_settings
from schemas.codes import ApplicationType
from schemas.topics import REJECTIONS, SUBMISSIONS

SERVICES = ("intake", "biometrics", "decision", "notify", "portal")
STATE = ROOT / ".state"
DEMO_CAPACITY = STATE / "demo-desk-capacity.json"
MANAGE_LINK_KEY = "demo-only-manage-link-key-of-this-machine"
DEMO_ENV = {
    "TIMER_INTERVAL_S": "1",
    "ALERT_INTERVAL_S": "1",
    "DOCUMENT_LEAD_TIME_S": "2",
    # demo-only secrets, for this machine's demo and nothing else
    "DESK_DAY_TOKEN": "demo-only-desk-day-token-of-this-machine",  # the console reads the desk's day with it
    "PORTAL_PROXY_TOKEN": "demo-only-portal-proxy-token-of-this-machine",  # the portal forwards its visitors' addresses
    "MANAGE_LINK_KEY": MANAGE_LINK_KEY,  # biometrics and notify derive manage and unsubscribe tokens with it
    "DESK_CAPACITY_FILE": str(DEMO_CAPACITY),  # one information seat a day at Zwolle, for the applicants' part
}
DEMO_DATABASE = get_settings().database_url.rsplit("/", 1)[0] + "/ind_demo"
MAILBOX = STATE / "smtp" / "mailbox.mbox"
BIOMETRICS = "http://127.0.0.1:6068"
PORTAL = "http://127.0.0.1:6070"

console = Console()


async def publish(plan: list, bad: dict[str, tuple[bytes, str]]) -> dict[tuple[int, int], str]:
    """Publish every submission; returns (partition, offset) -> kind for each bad record."""
    producer = AIOKafkaProducer(bootstrap_servers=get_settings().kafka_servers, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for document, _scenario in plan:
            await producer.send(SUBMISSIONS.name, encode(document), key=document["id"].encode())
        positions = {}
        for kind, (value, _field) in bad.items():
            meta = await producer.send_and_wait(SUBMISSIONS.name, value, key=f"demo-bad-{kind}".encode())
            positions[(meta.partition, meta.offset)] = kind
        return positions
    finally:
        await producer.stop()


async def run(plan: list, waiting: list[dict], bad: dict, timeout: float) -> tuple[list, dict]:
    settings = get_settings()
    world = SimulatedWorld(settings.kafka_servers, {d["id"]: s for d, s in plan})
    simulation = asyncio.create_task(world.run())
    positions = await publish(plan + [(document, None) for document in waiting], bad)
    pool = await asyncpg.create_pool(DEMO_DATABASE, min_size=1, max_size=2)
    rejections = AIOKafkaConsumer(
        REJECTIONS.name, bootstrap_servers=settings.kafka_servers, auto_offset_reset="earliest", group_id=None
    )
    await rejections.start()
    ids = [d["id"] for d, _ in plan]
    emails_due = sum(sum(expected(s, ApplicationType(d["data"]["application_type"])).emails.values()) for d, s in plan)
    rejected: dict[str, list] = {}
    try:
        with Progress(
            TextColumn("{task.description:<22}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
        ) as progress:
            bars = {
                name: progress.add_task(name, total=total)
                for name, total in (
                    ("cases registered", len(ids)),
                    ("cases decided", len(ids)),
                    ("cases closed", len(ids)),
                    ("emails sent", emails_due),
                    ("bad input rejected", len(positions)),
                )
            }
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                cases = await _cases(pool, ids)
                for batch in (await rejections.getmany(timeout_ms=500)).values():
                    for record in batch:
                        data = json.loads(record.value)["data"]
                        origin = data["origin"]
                        kind = positions.get((origin["partition"], origin["offset"]))
                        if origin["topic"] == SUBMISSIONS.name and kind:
                            rejected[kind] = data["errors"]
                counts = {
                    "cases registered": len(cases),
                    "cases decided": sum(1 for c in cases if c["outcome"]),
                    "cases closed": sum(1 for c in cases if c["status"] == "closed"),
                    "emails sent": sum(c["emails_sent"] for c in cases),
                    "bad input rejected": len(rejected),
                }
                for name, done in counts.items():
                    progress.update(bars[name], completed=done)
                if counts["cases closed"] == len(ids) and counts["emails sent"] >= emails_due and len(rejected) == len(positions):
                    break
        return await _cases(pool, ids), rejected
    finally:
        simulation.cancel()
        await asyncio.gather(simulation, return_exceptions=True)
        await rejections.stop()
        await pool.close()


async def _cases(pool, ids: list[str]) -> list:
    try:
        return await pool.fetch(
            """select i.submission_id, i.case_number, i.application_type, i.preferred_location, d.status, d.outcome,
                      d.exceeded_on is not null as late, d.suspended_days,
                      (select count(*) from notify.emails e where e.case_id = i.case_id and e.status = 'sent') as emails_sent
               from intake.cases i left join decision.cases d using (case_id)
               where i.submission_id = any($1::text[])""",
            ids,
        )
    except asyncpg.UndefinedTableError:  # the workers have not migrated yet
        return []


def report(plan: list, cases: list, rejected: dict, bad: dict) -> bool:
    by_type = Table(title="Where the cases ended, by application type")
    for column in ("application type", "submitted", "granted", "refused", "still open", "deadline exceeded"):
        by_type.add_column(column, justify="left" if column == "application type" else "right")
    submitted = Counter(d["data"]["application_type"] for d, _ in plan)
    for kind in ApplicationType:
        mine = [c for c in cases if c["application_type"] == kind.value]
        by_type.add_row(
            kind.value,
            str(submitted[kind.value]),
            str(sum(1 for c in mine if c["status"] == "closed" and c["outcome"] == "granted")),
            str(sum(1 for c in mine if c["status"] == "closed" and c["outcome"] == "refused")),
            str(sum(1 for c in mine if c["status"] != "closed")),
            str(sum(1 for c in mine if c["late"])),
        )
    console.print(by_type)

    paths = Table(title="Paths the simulated desks, caseworkers and applicants took")
    paths.add_column("scenario")
    paths.add_column("cases", justify="right")
    paths.add_column("what happens")
    scenario_counts = Counter(s for _, s in plan)
    for scenario, text in _SCENARIO_TEXT.items():
        paths.add_row(scenario.value, str(scenario_counts[scenario]), text)
    console.print(paths)

    rejections = Table(title="Bad input, each rejected on ind.intake.rejections.v1")
    for column in ("what was wrong", "field", "the rejection says"):
        rejections.add_column(column)
    for kind in bad:
        errors = rejected.get(kind)
        if errors:
            rejections.add_row(kind, errors[0]["field"] or "(record)", errors[0]["message"][:80])
        else:
            rejections.add_row(kind, "-", "[red]no rejection seen[/red]")
    console.print(rejections)

    sample, _ = plan[0]
    number = next((c["case_number"] for c in cases if c["submission_id"] == sample["id"]), "IND-...")
    console.print(f"Emails: [bold]{MAILBOX}[/bold] (an mbox file; e.g. `less {MAILBOX.relative_to(ROOT)}`).")
    console.print(f"Worker logs: [bold]{STATE / 'logs'}[/bold].")
    console.print(
        f"Track a case: `DATABASE_URL={DEMO_DATABASE} .venv/bin/python -m services.decision.cli track "
        f"{number} --date-of-birth {sample['data']['applicant']['date_of_birth']}`"
    )
    complete = len(cases) == len(plan) and all(c["status"] == "closed" for c in cases) and len(rejected) == len(bad)
    console.print(
        "[green]Every application reached the end of its path.[/green]"
        if complete
        else "[red]Not everything finished in time.[/red]"
    )
    return complete


_SCENARIO_TEXT = {
    Scenario.GRANT: "biometrics captured, granted by one caseworker, document collected",
    Scenario.REFUSE: "refusal proposed by one caseworker, confirmed by another (four eyes)",
    Scenario.INFORMATION: "information requested (clock suspended), supplied, then granted",
    Scenario.NO_SHOW: "first biometrics appointment missed, rebooked, then granted",
    Scenario.FLAGGED: "every biometrics appointment missed: flagged for a caseworker, refused",
    Scenario.LATE: "received 400 days ago: deadline exceeded (apology email), then granted",
    Scenario.STICKER: "residence endorsement sticker (VAA) appointment while waiting, then granted",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applications", type=int, default=70)
    parser.add_argument("--timeout", type=float, default=180.0)
    args = parser.parse_args()

    # Empty topics and a database of the demo's own: whatever an earlier run or `make test` left
    # behind (fuzzed records about cases this database never saw, say) must not mix with this run.
    with console.status("emptying the topics and the demo database"):
        asyncio.run(ensure_topics(get_settings().kafka_servers, recreate=True))
        asyncio.run(fresh_database(get_settings().database_url, "ind_demo"))
    with demo_services("starting the services: " + ", ".join(SERVICES)):
        rng = random.Random()
        plan, waiting = sample_plan(args.applications, rng), waiting_for_people(rng)
        bad = bad_submissions()
        console.print(
            f"Publishing {len(plan)} applications, {len(waiting)} more left for people in the console, "
            f"and {len(bad)} bad records to {SUBMISSIONS.name}"
        )
        cases, rejected = asyncio.run(run(plan, waiting, bad, args.timeout))
        complete = report(plan, cases, rejected, bad)
        complete = (
            show_applicants(asyncio.run(demo_applicants.act(BIOMETRICS, DEMO_DATABASE, MANAGE_LINK_KEY.encode()))) and complete
        )
        console.print(
            f"{len(waiting)} applications wait for people: caseworkers' decisions and a desk officer's day at "
            f"{DESK.value}. Open them in the console: [bold]make console[/bold] (it prints where and how to sign in)."
        )
        return 0 if complete else 1


def show_applicants(steps: list[tuple[str, str]]) -> bool:
    table = Table("applicants on the portal and the appointment API", "what came of it", title="Applicants' own appointments")
    for step, outcome in steps:
        table.add_row(step, outcome)
    console.print(table)
    console.print(f"The applicants' portal: [bold]{PORTAL}/en/[/bold] (with `make console`, which keeps it running).")
    return all("[red]" not in outcome for _step, outcome in steps)


@contextlib.contextmanager
def demo_services(starting: str):
    """Every service running on the demo's database, until the block ends."""
    DEMO_CAPACITY.parent.mkdir(parents=True, exist_ok=True)
    DEMO_CAPACITY.write_text(json.dumps(demo_applicants.ONE_INFORMATION_SEAT_A_DAY))
    workers = [
        ServiceProcess(service, STATE / "logs", {**DEMO_ENV, "DATABASE_URL": DEMO_DATABASE}).start() for service in SERVICES
    ]
    try:
        with console.status(starting):
            for worker in workers:
                worker.wait_for_log("worker resources ready")
        yield
    finally:
        with console.status("stopping the services"):
            for worker in workers:
                worker.stop()


if __name__ == "__main__":
    raise SystemExit(main())
