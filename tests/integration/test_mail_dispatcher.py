"""Queued emails go out exactly once over real SMTP; a refusing server means retries, then a parked alert."""

import asyncio
from uuid import uuid4

import asyncpg
import pytest

from ind_runtime.db import migrate
from ind_runtime.settings import get_settings
from services.notify import emails
from services.notify.app import MIGRATIONS
from services.notify.dispatcher import MailDispatcher
from services.notify.emails import EmailQueue
from services.notify.messages import Email
from services.notify.settings import NotifySettings
from services.notify.unit_of_work import NotifyUnitOfWork
from tests.conftest import as_superuser, service_pool


@pytest.fixture(scope="module")
async def notify_pool(pool):
    await migrate(pool, "notify", MIGRATIONS)
    return pool


def _dispatcher(pool, smtp_server, **overrides) -> MailDispatcher:
    settings = NotifySettings(
        **{"smtp_port": smtp_server.port, "email_backoff_s": 0.01, "email_backoff_max_s": 0.01, **overrides}
    )
    return MailDispatcher(settings, lambda: pool, "notify-test")


async def _queue(pool, recipient: str, event_id: str | None = None) -> str:
    event_id = event_id or str(uuid4())
    async with NotifyUnitOfWork(pool, "notify-test") as uow:
        emails.queue(uow, event_id, uuid4(), "IND-2026-7777777", Email("application_received", recipient, "Subject", "Body"))
        await uow.commit()
    return event_id


async def test_an_email_is_sent_once_with_a_stable_message_id(notify_pool, smtp_server):
    recipient = f"once-{uuid4().hex}@example.org"
    event_id = await _queue(notify_pool, recipient)
    await _queue(notify_pool, recipient, event_id)  # the same event again: still one email
    dispatcher = _dispatcher(notify_pool, smtp_server)
    await dispatcher.send_due()
    await dispatcher.send_due()
    (message,) = smtp_server.to(recipient)
    assert message["Message-ID"] == f"<application_received.{event_id}@notify.ind.example>"
    assert message["X-IND-Case-Number"] == "IND-2026-7777777"


async def test_a_refused_email_is_retried_and_delivered_when_the_server_recovers(notify_pool, smtp_server):
    recipient = f"retry-{uuid4().hex}@example.org"
    await _queue(notify_pool, recipient)
    dispatcher = _dispatcher(notify_pool, smtp_server, email_max_attempts=5)
    smtp_server.refusing = True
    try:
        await dispatcher.send_due()
    finally:
        smtp_server.refusing = False
    assert smtp_server.to(recipient) == []
    row = await notify_pool.fetchrow("select status, attempts, last_error from notify.emails where recipient = $1", recipient)
    assert (row["status"], row["attempts"]) == ("pending", 1)
    assert recipient not in row["last_error"]
    await asyncio.sleep(0.05)  # the backoff
    await dispatcher.send_due()
    assert len(smtp_server.to(recipient)) == 1


async def test_an_email_that_never_gets_through_is_parked_with_an_alert_event(notify_pool, smtp_server):
    recipient = f"parked-{uuid4().hex}@example.org"
    event_id = await _queue(notify_pool, recipient)
    dispatcher = _dispatcher(notify_pool, smtp_server, email_max_attempts=2, smtp_host="127.0.0.1", smtp_port=1)
    await dispatcher.send_due()
    row = await notify_pool.fetchrow("select * from notify.emails where recipient = $1", recipient)
    assert row["status"] == "pending"
    await notify_pool.execute("update notify.emails set next_attempt_at = now() where recipient = $1", recipient)
    await dispatcher.send_due()
    row = await notify_pool.fetchrow("select * from notify.emails where recipient = $1", recipient)
    assert (row["status"], row["attempts"]) == ("parked", 2)
    alert = await notify_pool.fetchrow(
        "select topic, value from runtime.outbox where publisher = 'notify-test' and convert_from(value, 'UTF8') like '%' || $1 || '%'",
        event_id,
    )
    assert alert["topic"] == "ind.notify.alerts.v1"
    assert recipient.encode() not in alert["value"]


async def test_a_claimed_email_is_left_alone_until_the_claim_of_a_dead_dispatcher_runs_out(notify_pool, smtp_server):
    recipient = f"claimed-{uuid4().hex}@example.org"
    await _queue(notify_pool, recipient)
    async with notify_pool.acquire() as connection:  # a dispatcher that claims, then dies
        claimed = await EmailQueue(connection).claim_due(1000, lease_s=1.0)
    assert recipient in [row["recipient"] for row in claimed]
    dispatcher = _dispatcher(notify_pool, smtp_server)
    await dispatcher.send_due()
    assert smtp_server.to(recipient) == []
    await asyncio.sleep(1.1)
    await dispatcher.send_due()
    assert len(smtp_server.to(recipient)) == 1


async def test_a_stopping_dispatcher_finishes_the_email_in_flight_and_hands_back_the_rest_at_once(notify_pool, smtp_server):
    recipients = [f"stopping-{i}-{uuid4().hex}@example.org" for i in range(8)]
    for recipient in recipients:
        await _queue(notify_pool, recipient)
    dispatcher = _dispatcher(notify_pool, smtp_server, smtp_sessions=1)
    smtp_server.delay_s = 0.5
    try:
        running = asyncio.create_task(dispatcher.run())
        while not any(smtp_server.to(r) for r in recipients):
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.25)  # the next email is in flight now
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    finally:
        smtp_server.delay_s = 0.0
    rows = await notify_pool.fetch(
        "select recipient, status, claimed_until from notify.emails where recipient = any($1)", recipients
    )
    sent = {row["recipient"] for row in rows if row["status"] == "sent"}
    delivered = {r for r in recipients if smtp_server.to(r)}
    assert sent == delivered and len(sent) == 2  # the one in flight was finished and recorded
    assert [row["claimed_until"] for row in rows if row["status"] == "pending"] == [None] * 6
    await _dispatcher(notify_pool, smtp_server).send_due()  # another dispatcher takes them at once
    assert all(len(smtp_server.to(r)) == 1 for r in recipients)


async def test_claiming_the_next_email_records_the_one_sent_before_it_in_the_same_statement():
    async with service_pool("mail_claims", "notify", MIGRATIONS) as pool:
        first = await _queue(pool, f"chain-1-{uuid4().hex}@example.org")
        second = await _queue(pool, f"chain-2-{uuid4().hex}@example.org")
        async with pool.acquire() as connection:
            queue = EmailQueue(connection)
            (a,) = await queue.claim_due(1, lease_s=30.0)
            (b,) = await queue.claim_due(1, lease_s=30.0, sent=a["email_id"])
            assert await queue.claim_due(1, lease_s=30.0, sent=b["email_id"]) == []
        rows = await pool.fetch("select event_id, status, attempts, claimed_until from notify.emails order by email_id")
    assert [(r["event_id"], r["status"], r["attempts"], r["claimed_until"]) for r in rows] == [
        (first, "sent", 1, None),
        (second, "sent", 1, None),
    ]


async def test_claiming_from_a_long_analysed_queue_reuses_one_plan_instead_of_planning_every_call():
    async with service_pool("claim_plan", "notify", MIGRATIONS) as pool:
        await pool.execute(
            """insert into notify.emails (event_id, kind, case_id, case_number, recipient, message_id, subject, body)
               select 'e' || n, 'application_received', gen_random_uuid(), 'IND-2026-' || n, 'a' || n || '@example.org',
                      '<' || n || '>', 'Subject', 'Body'
               from generate_series(1, 20000) as n"""
        )
        await pool.execute("analyze notify.emails")  # as autovacuum does while a burst queues emails
        database = await pool.fetchval("select current_database()")
        superuser = await asyncpg.connect(as_superuser(get_settings().database_url, database))
        try:
            await superuser.execute("create extension if not exists pg_stat_statements")
            await superuser.execute("set pg_stat_statements.track_planning = on")  # counts plans made
            await superuser.execute("select pg_stat_statements_reset()")
            queue = EmailQueue(superuser)
            claimed = await queue.claim_due(1, 60.0)
            for _ in range(40):  # a sender's chain: record the one sent, claim the next
                claimed = await queue.claim_due(1, 60.0, sent=claimed[0]["email_id"])
            calls, plans = await superuser.fetchrow(
                "select calls, plans from pg_stat_statements where query like '%claimed_until = now() + make_interval%'"
            )
        finally:
            await superuser.close()
    assert calls == 41
    assert plans <= 10, f"the claim was planned {plans} times in {calls} calls"
