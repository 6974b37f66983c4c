"""``make demo``: start the services, push a batch of sample applications through, show what happened.

    python -m harness.demo [--applications 40] [--timeout 120]

Expects Kafka, PostgreSQL and the SMTP sink to be up (``make demo`` starts them). Safe to run again:
every run sends new submissions and reports only on its own.
"""

import argparse
import asyncio
import json
import random
import time
from collections import Counter

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from harness.applications import bad_submissions, encode, submission
from harness.processes import ROOT, ServiceProcess
from ind_runtime.settings import get_settings
from schemas.codes import ApplicationType, LocationCode
from schemas.topics import REJECTIONS, SUBMISSIONS

SERVICES = ("intake", "notify")
STATE = ROOT / ".state"
MAILBOX = STATE / "smtp" / "mailbox.mbox"

console = Console()


def sample_batch(count: int, rng: random.Random) -> list[dict]:
    """``count`` valid submissions cycling through every application type and every location."""
    types, locations = list(ApplicationType), list(LocationCode)
    return [submission(types[i % len(types)], locations[i % len(locations)], rng=rng) for i in range(count)]


async def send(valid: list[dict], bad: dict[str, tuple[bytes, str]]) -> dict[tuple[int, int], str]:
    """Publish everything; returns (partition, offset) -> kind for each bad record."""
    settings = get_settings()
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_servers, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for document in valid:
            await producer.send(SUBMISSIONS.name, encode(document), key=document["id"].encode())
        positions = {}
        for kind, (value, _field) in bad.items():
            meta = await producer.send_and_wait(SUBMISSIONS.name, value, key=f"demo-bad-{kind}".encode())
            positions[(meta.partition, meta.offset)] = kind
        await producer.flush()
        return positions
    finally:
        await producer.stop()


async def watch(valid: list[dict], bad_positions: dict, timeout: float) -> tuple[list, dict]:
    """Show progress until every submission has a case and a receipt, or was rejected."""
    settings = get_settings()
    ids = [d["id"] for d in valid]
    pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=2)
    rejections = AIOKafkaConsumer(
        REJECTIONS.name, bootstrap_servers=settings.kafka_servers, auto_offset_reset="earliest", group_id=None
    )
    await rejections.start()
    rejected: dict[str, list] = {}
    try:
        with Progress(
            TextColumn("{task.description:<22}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
        ) as progress:
            registered = progress.add_task("cases registered", total=len(ids))
            emailed = progress.add_task("receipts emailed", total=len(ids))
            refused = progress.add_task("bad input rejected", total=len(bad_positions))
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                rows = await _cases(pool, ids)
                sent = sum(1 for r in rows if r["email_status"] == "sent")
                for batch in (await rejections.getmany(timeout_ms=300)).values():
                    for record in batch:
                        data = json.loads(record.value)["data"]
                        origin = data["origin"]
                        kind = bad_positions.get((origin["partition"], origin["offset"]))
                        if origin["topic"] == SUBMISSIONS.name and kind:
                            rejected[kind] = data["errors"]
                progress.update(registered, completed=len(rows))
                progress.update(emailed, completed=sent)
                progress.update(refused, completed=len(rejected))
                if len(rows) == len(ids) and sent == len(ids) and len(rejected) == len(bad_positions):
                    break
        return rows, rejected
    finally:
        await rejections.stop()
        await pool.close()


async def _cases(pool, ids: list[str]) -> list:
    try:
        return await pool.fetch(
            """select c.case_number, c.application_type, c.preferred_location, e.status as email_status
               from intake.cases c left join notify.emails e on e.case_id = c.case_id
               where c.submission_id = any($1::text[])""",
            ids,
        )
    except asyncpg.UndefinedTableError:  # the workers have not migrated yet
        return []


def report(valid: list[dict], rows: list, rejected: dict, bad: dict) -> bool:
    table = Table(title="Cases by application type")
    for column in ("application type", "submitted", "cases", "receipts emailed"):
        table.add_column(column, justify="right" if column != "application type" else "left")
    submitted = Counter(d["data"]["application_type"] for d in valid)
    cases = Counter(r["application_type"] for r in rows)
    mailed = Counter(r["application_type"] for r in rows if r["email_status"] == "sent")
    for kind in ApplicationType:
        table.add_row(kind.value, str(submitted[kind.value]), str(cases[kind.value]), str(mailed[kind.value]))
    console.print(table)

    rejections = Table(title="Bad input, each rejected on ind.intake.rejections.v1")
    rejections.add_column("what was wrong")
    rejections.add_column("field")
    rejections.add_column("the rejection says")
    for kind in bad:
        errors = rejected.get(kind)
        if errors:
            rejections.add_row(kind, errors[0]["field"] or "(record)", errors[0]["message"][:90])
        else:
            rejections.add_row(kind, "-", "[red]no rejection seen[/red]")
    console.print(rejections)

    locations = Counter(r["preferred_location"] for r in rows)
    console.print("Cases by preferred location: " + ", ".join(f"{loc} {n}" for loc, n in sorted(locations.items())))
    console.print(f"Emails are in the mbox file [bold]{MAILBOX}[/bold] (e.g. `less {MAILBOX.relative_to(ROOT)}`).")
    console.print(f"Worker logs are in [bold]{STATE / 'logs'}[/bold].")
    complete = len(rows) == len(valid) and all(r["email_status"] == "sent" for r in rows) and len(rejected) == len(bad)
    console.print("[green]All applications processed.[/green]" if complete else "[red]Not everything arrived in time.[/red]")
    return complete


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applications", type=int, default=40)
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()

    workers = [ServiceProcess(service, STATE / "logs").start() for service in SERVICES]
    try:
        with console.status("starting the services: " + ", ".join(SERVICES)):
            for worker in workers:
                worker.wait_for_log("worker resources ready")
        valid = sample_batch(args.applications, random.Random())
        bad = bad_submissions()
        console.print(f"Publishing {len(valid)} applications and {len(bad)} bad records to {SUBMISSIONS.name}")
        positions = asyncio.run(send(valid, bad))
        rows, rejected = asyncio.run(watch(valid, positions, args.timeout))
        return 0 if report(valid, rows, rejected, bad) else 1
    finally:
        with console.status("stopping the services"):
            for worker in workers:
                worker.stop()


if __name__ == "__main__":
    raise SystemExit(main())
