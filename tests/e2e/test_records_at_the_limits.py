"""One record never stops a service, against the running pipeline.

- Every dead-letter topic is made to refuse what its source accepts (its limit lowered to the
  source's, as it was before dead-letter topics took twice as much). On every consumed topic a
  record exactly as large as the topic accepts, one with a key and headers as large as the broker
  allows, and behind them a burst of small broken records on every partition (some with the big
  record's key): every record is accounted for by every consumer (dead-lettered, kept in PostgreSQL,
  answered or handled), every partition is consumed past, and the workers report what they kept.
- A worker waiting for its database (a table locked by the test) stops on SIGTERM within its grace,
  and once restarted handles the record it was waiting on, once. Run after the burst above, this
  caught a batch that Faust acknowledged while it was cut short (``ind_runtime/faust_app.py``).
"""

import asyncio
import json
import time
import urllib.request
from uuid import uuid4

from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from harness.applications import case_registered, submission
from harness.limits import filling
from ind_runtime.admin import ensure_topics
from ind_runtime.kafka import admin_client
from schemas.codes import ApplicationType
from schemas.topics import CASES_REGISTERED, CATALOGUE, MAX_RECORD_BYTES
from tests.conftest import eventually
from tests.e2e.conftest import READY
from tests.e2e.test_fuzzed_input import (
    KEPT,
    READERS,
    Ledger,
    Sent,
    _describe,
    _log_marks,
    check_workers,
    open_readers,
    progress_marks,
    settle,
)

CONSUMED = [topic for topic in CATALOGUE if topic.consumers]
SHUTDOWN_GRACE_S = 10.0  # docker stop's default; Kubernetes gives 30
SETTLE_S = 120.0


async def _limit_dead_letter_topics(servers, limit: int) -> None:
    admin = admin_client(servers)
    await admin.start()
    try:
        await admin.alter_configs(
            [ConfigResource(ConfigResourceType.TOPIC, t.dead_letter, {"max.message.bytes": str(limit)}) for t in CONSUMED]
        )
    finally:
        await admin.close()


async def _send(producer, topic: str, value: bytes, key: bytes | None, headers, partition: int, kind: str) -> Sent:
    meta = await producer.send_and_wait(topic, value, key=key, headers=list(headers), partition=partition)
    return Sent(topic, meta.partition, meta.offset, key, value, tuple(headers), kind, None)


async def _burst(producer, run: str) -> list[Sent]:
    sent = []
    for topic in CONSUMED:
        big_key, headers = f"limit-{run}".encode(), (("traceparent", b"00-abc-def-01"),)
        sent.append(
            await _send(
                producer, topic.name, filling(topic.max_record_bytes, big_key, headers), big_key, headers, 0, "at the limit"
            )
        )
        huge_key, huge_headers = b"k" * 500_000, (("bulk", b"v" * 400_000),)
        value = filling(topic.max_record_bytes, huge_key, huge_headers)
        sent.append(await _send(producer, topic.name, value, huge_key, huge_headers, 1, "largest key and headers"))
        for partition in range(topic.partitions):
            for n, key in enumerate((big_key, f"other-{run}-{partition}".encode())):
                sent.append(await _send(producer, topic.name, b"{broken " + bytes([n]), key, (), partition, "small and broken"))
    return sent


def _health(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as response:
        return json.loads(response.read())


async def test_a_burst_of_broken_records_behind_ones_that_cannot_be_parked_is_all_accounted_for(
    pipeline, producer, pool, topics, read_topic, web_ports
):
    run = uuid4().hex[:8]
    marks = _log_marks(pipeline)
    readers = await open_readers(read_topic, [t.name for t in CONSUMED])
    await _limit_dead_letter_topics(topics, MAX_RECORD_BYTES)
    try:
        records = await _burst(producer, run)
        ledger = Ledger(topics, pool, readers)
        missing, stuck = await settle(ledger, records, progress_marks(records), SETTLE_S)
    finally:
        await ensure_topics(topics)  # the catalogue's limits again
    assert not missing and not stuck, _describe(missing, stuck, ledger)

    big = [r for r in records if r.kind != "small and broken"]
    not_kept = [
        f"{c.service}: {r.short()}"
        for r in big
        for c in READERS[r.topic]
        if c.handles is not None and KEPT not in ledger.outcomes(c, r)
    ]
    assert not_kept == [], "a consumer that parks keeps what its dead-letter topic refuses (intake and decision answer it)"
    small = [r for r in records if r.kind == "small and broken"]
    assert not [r.short() for r in small for c in READERS[r.topic] if KEPT in ledger.outcomes(c, r)], (
        "the small records behind them were dead-lettered, not kept"
    )
    kept_by = {service: _health(port)["kept_records"] for service, port in web_ports.items()}
    assert all(kept_by[service] > 0 for service in ("biometrics", "decision", "notify")), kept_by
    assert check_workers(pipeline, marks) == []


async def _registration_waiting_on_lock(pool) -> bool:
    """Whether biometrics' handler of a registration waits for the lock (not another of its queries)."""
    return await pool.fetchval(
        """select exists (select 1 from pg_stat_activity
           where wait_event_type = 'Lock' and query ilike '%insert into biometrics.cases%')"""
    )


async def test_a_worker_waiting_for_its_database_stops_on_sigterm_and_handles_the_record_once_after_a_restart(
    pipeline, producer, pool
):
    (biometrics,) = [worker for worker in pipeline if worker.service == "biometrics"]
    try:
        await _stop_waiting_and_restart(biometrics, producer, pool)
    finally:
        if not biometrics.running:  # later tests need the pipeline whole
            biometrics.start()
            await asyncio.to_thread(biometrics.wait_for_log, READY)


async def _stop_waiting_and_restart(biometrics, producer, pool) -> None:
    registration = case_registered(submission(ApplicationType.STUDY), 9_000_000 + int(time.time()) % 100_000)
    case_id = registration.data.case_id
    async with pool.acquire() as locker, locker.transaction():
        await locker.execute("lock table biometrics.cases in access exclusive mode")
        await producer.send_and_wait(CASES_REGISTERED.name, registration.to_json(), key=str(case_id).encode())
        await eventually(
            lambda: _registration_waiting_on_lock(pool), message="biometrics' registration handler waiting for the lock"
        )
        started = time.monotonic()
        returncode = await asyncio.to_thread(biometrics.stop, SHUTDOWN_GRACE_S + 20)
        stopped_in = time.monotonic() - started
    assert stopped_in < SHUTDOWN_GRACE_S and returncode != -9, f"SIGTERM took {stopped_in:.1f}s (exit {returncode})"

    biometrics.start()
    await asyncio.to_thread(biometrics.wait_for_log, READY)

    async def booked_once():
        rows = await pool.fetch(
            """select count(*) from runtime.outbox
               where publisher = 'biometrics' and key = $1 and headers @> '[["ce_type", "nl.ind.appointment.booked.v1"]]'""",
            str(case_id).encode(),
        )
        return rows[0]["count"] >= 1

    await eventually(booked_once, message="the registration handled after the restart")
    await asyncio.sleep(3)  # a second handling, if there were one, would have happened by now
    assert await pool.fetchval("select count(*) from biometrics.cases where case_id = $1", case_id) == 1
    assert (
        await pool.fetchval(
            """select count(*) from runtime.outbox where publisher = 'biometrics' and key = $1
               and headers @> '[["ce_type", "nl.ind.appointment.booked.v1"]]'""",
            str(case_id).encode(),
        )
        == 1
    ), "the biometrics appointment was booked exactly once"
