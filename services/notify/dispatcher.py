"""Sends queued emails over SMTP, retrying with backoff, parking with an alert when all tries fail.

A dispatcher runs a few senders side by side, each with an SMTP session it keeps open while there
is mail to send. A sender claims the next due email for a lease (``for update skip locked``, so
senders and notify workers share the queue without sending an email twice), sends it and records
the result at once, with the statement that claims the next one when it was sent: an email queued
while the others are busy waits for one sender to finish one email, and what a sender can leave
claimed is one email.

Each try of an email is bounded in time, and the lease outlasts it, so no other sender takes an
email over while it may still be sent. An email whose try has begun is never handed back: if its
result cannot be recorded (the database is down), it waits out its lease, about half a minute.
A sender that stops (SIGTERM, scaling in) first finishes and records the email in flight. So only
a dispatcher that dies (SIGKILL, a lost machine) or loses its database leaves a claim to its
lease, and only one that dies between the SMTP server's "250 OK" and that record, or that cannot
write the record (the database went away in between), re-sends an email, one per sender at most,
with the same Message-ID.
"""

import asyncio
from collections.abc import Callable

import aiosmtplib
import asyncpg

from ind_runtime.logs import get_logger
from ind_runtime.processing import RetryPolicy
from schemas.notifications import EmailParked, ParkedEmailData
from schemas.topics import NOTIFY_ALERTS
from services.notify.emails import EmailQueue
from services.notify.mime import WireMessage, to_wire
from services.notify.settings import NotifySettings
from services.notify.unit_of_work import NotifyUnitOfWork

log = get_logger(__name__)
SOURCE = "urn:ind:notify"
CLAIM_SIZE = 1


class SmtpSession:
    """One SMTP connection, opened when first needed and kept for the emails after it; closed after
    any failure, so the next email starts on a fresh connection."""

    def __init__(self, settings: NotifySettings) -> None:
        self._smtp = aiosmtplib.SMTP(hostname=settings.smtp_host, port=settings.smtp_port, timeout=settings.smtp_timeout_s)
        # each command waits at most SMTP_TIMEOUT_S, and a whole try (connect, EHLO, MAIL, RCPT,
        # DATA, the message) twice that: a server slower than this is tried again later
        self.try_limit_s = 2 * settings.smtp_timeout_s

    async def send(self, message: WireMessage) -> Exception | None:
        """None when the server accepted ``message``, else why not."""
        try:
            async with asyncio.timeout(self.try_limit_s):
                if not self._smtp.is_connected:
                    await self._smtp.connect()
                options = ["SMTPUTF8"] if message.smtputf8 else []
                await self._smtp.sendmail(message.sender, [message.recipient], message.data, mail_options=options)
            return None
        except (aiosmtplib.SMTPException, OSError) as error:  # TimeoutError is an OSError
            self._smtp.close()
            return error

    async def close(self) -> None:
        if self._smtp.is_connected:
            try:
                await self._smtp.quit()
            except (aiosmtplib.SMTPException, OSError):
                self._smtp.close()


class MailDispatcher:
    def __init__(
        self,
        settings: NotifySettings,
        pool: Callable[[], asyncpg.Pool],
        publisher: str,
        *,
        claim_size: int = CLAIM_SIZE,
        poll_interval_s: float = 0.25,
    ) -> None:
        self._settings = settings
        self._pool = pool  # called when needed: the worker's pool exists only once it started
        self._publisher = publisher
        self._claim_size = claim_size
        self._poll_interval_s = poll_interval_s
        self._policy = RetryPolicy(settings.email_max_attempts, settings.email_backoff_s, settings.email_backoff_max_s)
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def send_due(self, limit: int = 1000) -> int:
        """Try up to ``limit`` due emails once, over one session; returns how many were tried."""
        session = SmtpSession(self._settings)
        try:
            return await self._send_claimed(session, limit)
        finally:
            await session.close()

    async def run(self) -> None:
        senders = [asyncio.create_task(self._sender()) for _ in range(self._settings.smtp_sessions)]
        try:
            await asyncio.gather(*senders)
        finally:
            for sender in senders:
                sender.cancel()
            await asyncio.gather(*senders, return_exceptions=True)

    async def _sender(self) -> None:
        session = SmtpSession(self._settings)
        try:
            while True:
                self._wake.clear()
                try:
                    if await self._send_claimed(session, self._claim_size, chain=True):
                        continue
                except asyncio.CancelledError:
                    raise
                except Exception as error:  # noqa: BLE001 - the sender outlives a failed pass
                    log.warning("mail dispatch pass failed; retrying", error=type(error).__name__)
                await session.close()  # nothing due: no idle connection for the server to drop
                try:
                    await asyncio.wait_for(self._wake.wait(), self._poll_interval_s)
                except TimeoutError:
                    pass
        finally:
            await asyncio.shield(session.close())

    async def _send_claimed(self, session: SmtpSession, limit: int, *, chain: bool = False) -> int:
        """Claim up to ``limit`` due emails and try each once; returns how many were tried.
        ``chain``: after the last of them is sent, claim the next (``limit`` again) with the
        statement that records it, and so on while each is sent (a failure ends the chain)."""
        # Outlasts trying them all even if every try runs to its limit (recording a result takes
        # one statement on the connection this sender holds).
        lease_s = limit * (session.try_limit_s + 5.0) + 10.0
        tried = 0
        async with self._pool().acquire() as connection:
            queue = EmailQueue(connection)
            claiming = asyncio.ensure_future(queue.claim_due(limit, lease_s))
            try:
                rows = await asyncio.shield(claiming)
            except asyncio.CancelledError:
                await _hand_back(queue, claiming)
                raise
            untried = [row["email_id"] for row in rows]
            try:
                while rows:
                    row = rows.pop(0)
                    untried.remove(row["email_id"])  # from here on, never handed back
                    claim_next = limit if chain and not rows else 0
                    attempt = asyncio.ensure_future(self._try_once(connection, session, row, claim_next, lease_s))
                    try:
                        claimed = await asyncio.shield(attempt)
                    except asyncio.CancelledError:
                        # Stopping: the email in flight is finished and recorded, not abandoned.
                        await asyncio.wait([attempt], timeout=session.try_limit_s + 5.0)
                        if not attempt.done():
                            attempt.cancel()
                            await asyncio.gather(attempt, return_exceptions=True)
                        elif not attempt.cancelled() and attempt.exception() is None:
                            untried.extend(r["email_id"] for r in attempt.result())  # claimed with its record
                        raise
                    tried += 1
                    rows.extend(claimed)
                    untried.extend(r["email_id"] for r in claimed)
            finally:
                if untried:
                    await asyncio.shield(queue.release(untried))
        return tried

    async def _try_once(self, connection: asyncpg.Connection, session: SmtpSession, row, claim_next: int, lease_s: float) -> list:
        """Try ``row`` once and record the result; returns the emails claimed with the record of a
        sent one (``claim_next`` at most)."""
        try:
            message = to_wire(row, self._settings.smtp_sender)
        except ValueError as error:  # cannot be written as a message: every try would fail alike
            await self._failed(connection, row, error, retry=False)
            return []
        refusal = await session.send(message)
        if refusal is None:
            # recorded at once (a crash after this re-sends nothing), with the claim of the next
            return await EmailQueue(connection).claim_due(claim_next, lease_s, sent=row["email_id"])
        await self._failed(connection, row, refusal, retry=True)
        return []

    async def _failed(self, connection: asyncpg.Connection, row, error: Exception, *, retry: bool) -> None:
        attempts = row["attempts"] + 1
        reason = f"{type(error).__name__}: {error}".replace(row["recipient"], "<recipient>")[:500]
        # on the connection this sender holds: a second one from the pool could wait forever when
        # every sender fails at once (an SMTP outage) and holds one already
        async with NotifyUnitOfWork(self._pool(), self._publisher, connection=connection) as uow:
            queue = uow.emails
            if retry and attempts < self._policy.max_attempts:
                await queue.retry_later(row["email_id"], self._policy.delay(attempts), reason)
                await uow.commit()
                log.warning(
                    "email not sent; will retry",
                    case_id=str(row["case_id"]),
                    kind=row["kind"],
                    attempt=attempts,
                    error=type(error).__name__,
                )
                return
            await queue.park(row["email_id"], reason)
            alert = EmailParked.create(
                ParkedEmailData(
                    case_id=row["case_id"],
                    case_number=row["case_number"],
                    kind=row["kind"],
                    event_id=row["event_id"],
                    attempts=attempts,
                    error=reason,
                ),
                source=SOURCE,
                subject=row["case_number"],
            )
            await uow.emit(NOTIFY_ALERTS.name, str(row["case_id"]), alert)
            await uow.commit()
        log.error("email parked", case_id=str(row["case_id"]), kind=row["kind"], attempts=attempts, error=type(error).__name__)


async def _hand_back(queue: EmailQueue, claiming: asyncio.Future) -> None:
    """A claim that was cut short by a stop: let it finish, then hand back whatever it took."""
    rows = await asyncio.gather(claiming, return_exceptions=True)
    if isinstance(rows[0], list) and rows[0]:
        await queue.release([row["email_id"] for row in rows[0]])
