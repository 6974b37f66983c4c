"""The consistency checker: after a run, rebuild what every submission should have become and compare
it with the database, the output topics and the mailbox.

Expected outcomes come from the submissions themselves and their scenarios (``harness.scenarios``),
never from the services' code. An email is counted once per Message-ID: a crash between the SMTP
server's acceptance and the commit may deliver one twice with the same Message-ID, which mail
clients treat as one message; such re-sends are reported apart, not as duplicates.
"""

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from harness.scenarios import Scenario, expected
from schemas.codes import ApplicationType
from schemas.topics import CASE_LIFECYCLE, REJECTIONS, SUBMISSIONS, Topic, dead_letter_topics


@dataclass
class Report:
    sent: int = 0
    invalid_sent: int = 0
    completed: int = 0
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    dead_lettered: int = 0
    rejected: int = 0
    resent_emails: int = 0

    @property
    def sound(self) -> bool:
        return not self.lost and not self.duplicated

    def line(self) -> str:
        return (
            f"sent={self.sent} invalid={self.invalid_sent} completed={self.completed} lost={len(self.lost)} "
            f"duplicated={len(self.duplicated)} dead_lettered={self.dead_lettered} rejected={self.rejected} "
            f"resent_emails={self.resent_emails}"
        )


async def read_all(servers: list[str], topic: Topic) -> list:
    """Every record on ``topic`` up to its end offsets now."""
    consumer = AIOKafkaConsumer(bootstrap_servers=servers, group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic.name, p) for p in range(topic.partitions)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records = []
        while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                records.extend(batch)
        return records
    finally:
        await consumer.stop()


def timed_events(records) -> list[tuple[float, dict]]:
    """(record timestamp in seconds, event) for the records that are events; poison a fault
    scenario put on a topic is left out."""
    found = []
    for record in records:
        try:
            document = json.loads(record.value)
        except (ValueError, TypeError):
            continue
        if isinstance(document, dict) and isinstance(document.get("type"), str) and isinstance(document.get("data"), dict):
            found.append((record.timestamp / 1000, document))
    return found


def events(records) -> list[dict]:
    return [document for _, document in timed_events(records)]


async def check(
    database_url: str,
    servers: list[str],
    plan: list[tuple[dict, Scenario]],
    invalid: list[tuple[int, int]],
    messages: list,
) -> Report:
    """``plan``: the valid submissions and their scenarios; ``invalid``: (partition, offset) of each
    invalid submission; ``messages``: every email the SMTP server accepted."""
    report = Report(sent=len(plan), invalid_sent=len(invalid))
    connection = await asyncpg.connect(database_url)
    try:
        cases = defaultdict(list)
        for row in await connection.fetch(
            """select i.submission_id, i.case_id, i.case_number, d.status, d.outcome
               from intake.cases i left join decision.cases d using (case_id)
               where i.submission_id = any($1::text[])""",
            [d["id"] for d, _ in plan],
        ):
            cases[row["submission_id"]].append(row)
        history = defaultdict(list)
        for row in await connection.fetch("select case_id, status from decision.status_history order by id"):
            history[row["case_id"]].append(row["status"])
    finally:
        await connection.close()

    decisions = defaultdict(set)
    for event in events(await read_all(servers, CASE_LIFECYCLE)):
        if event["type"] == "nl.ind.case.decided.v1":
            decisions[event["data"]["case_id"]].add(event["id"])

    emails = defaultdict(Counter)
    deliveries = Counter()
    for message in messages:
        deliveries[message["Message-ID"]] += 1
        if deliveries[message["Message-ID"]] == 1:
            emails[message["To"]][message["X-IND-Email-Kind"]] += 1
    report.resent_emails = sum(n - 1 for n in deliveries.values())

    for document, scenario in plan:
        sid = document["id"]
        want = expected(scenario, ApplicationType(document["data"]["application_type"]))
        found = cases.get(sid, [])
        if len(found) > 1:
            report.duplicated.append(f"{sid}: {len(found)} cases")
            continue
        if not found:
            report.lost.append(f"{sid}: no case")
            continue
        case = found[0]
        if len(decisions[str(case["case_id"])]) > 1:
            report.duplicated.append(f"{case['case_number']}: {len(decisions[str(case['case_id'])])} decisions")
        path = [s for i, s in enumerate(history[case["case_id"]]) if i == 0 or s != history[case["case_id"]][i - 1]]
        if tuple(path) != want.statuses and (case["status"], case["outcome"]) == ("closed", want.outcome):
            report.duplicated.append(f"{case['case_number']}: history {path} (an event applied twice?)")
        got = emails[document["data"]["applicant"]["email"]]
        missing = want.emails - got
        extra = got - want.emails
        if extra:
            report.duplicated.append(f"{case['case_number']}: extra emails {dict(extra)}")
        if (case["status"], case["outcome"]) != ("closed", want.outcome) or missing:
            report.lost.append(f"{case['case_number']}: {case['status']}/{case['outcome']}, missing emails {dict(missing)}")
        else:
            report.completed += 1

    rejections = defaultdict(set)
    for event in events(await read_all(servers, REJECTIONS)):
        origin = event["data"]["origin"]
        if origin["topic"] == SUBMISSIONS.name:
            rejections[(origin["partition"], origin["offset"])].add(event["id"])
    for position in invalid:
        count = len(rejections.get(position, ()))
        if count == 0:
            report.lost.append(f"invalid submission at {position}: no rejection")
        elif count > 1:
            report.duplicated.append(f"invalid submission at {position}: {count} rejections")
        else:
            report.rejected += 1

    for topic in dead_letter_topics():
        report.dead_lettered += len(await read_all(servers, topic))
    return report
