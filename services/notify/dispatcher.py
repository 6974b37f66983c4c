"""Sends queued emails over SMTP, retrying with backoff, parking with an alert when all tries fail.

A dispatcher runs a few senders side by side, each with an SMTP session it keeps open while there
is mail to send. A sender claims a handful of due emails for a lease (``for update skip locked``,
so senders and notify workers share the queue without sending an email twice), sends them one
after another and records each result at once. Claims are small so that an email queued while the
others are busy waits for one sender to finish a handful, not for a whole batch.

Nothing claimed is left waiting for its lease when a dispatcher stops on purpose: a stopping sender
finishes the email it is sending and hands its other claims back. Only a dispatcher that dies
(SIGKILL, a lost machine) leaves claims behind, for at most one lease; and only one that dies
between the SMTP server's "250 OK" and that record re-sends an email, one per sender at most,
with the same Message-ID.
"""

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import aiosmtplib
import asyncpg

from ind_runtime.logs import get_logger
from ind_runtime.processing import RetryPolicy
from ind_runtime.settings import Settings
from ind_runtime.unit_of_work import UnitOfWork
from schemas.notifications import EmailParked, ParkedEmailData
from schemas.topics import NOTIFY_ALERTS
from services.notify.emails import EmailQueue
from services.notify.mime import WireMessage, to_wire

log = get_logger(__name__)
SOURCE = "urn:ind:notify"
CLAIM_SIZE = 5


class SmtpSession:
    """One SMTP connection, opened when first needed and kept for the emails after it.

    After any failure it is closed, so the next email starts on a fresh connection; a kept
    connection the server has dropped meanwhile is reopened once before the email counts as failed.
    """

    def __init__(self, settings: Settings) -> None:
        self._smtp = aiosmtplib.SMTP(hostname=settings.smtp_host, port=settings.smtp_port, timeout=settings.smtp_timeout_s)

    async def send(self, message: WireMessage) -> Exception | None:
        reused = self._smtp.is_connected
        error = await self._try(message)
        if reused and isinstance(error, (aiosmtplib.SMTPServerDisconnected, ConnectionError)):
            error = await self._try(message)
        return error

    async def _try(self, message: WireMessage) -> Exception | None:
        try:
            if not self._smtp.is_connected:
                await self._smtp.connect()
            options = ["SMTPUTF8"] if message.smtputf8 else []
            await self._smtp.sendmail(message.sender, [message.recipient], message.data, mail_options=options)
            return None
        except (aiosmtplib.SMTPException, OSError) as error:
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
        settings: Settings,
        connection: Callable[[], AbstractAsyncContextManager[asyncpg.Connection]],
        unit_of_work: Callable[[], UnitOfWork],
        *,
        claim_size: int = CLAIM_SIZE,
        poll_interval_s: float = 0.25,
    ) -> None:
        self._settings = settings
        self._connection = connection  # a pooled connection, outside any transaction
        self._unit_of_work = unit_of_work
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
        await asyncio.gather(*(self._sender() for _ in range(self._settings.smtp_sessions)))

    async def _sender(self) -> None:
        session = SmtpSession(self._settings)
        try:
            while True:
                self._wake.clear()
                try:
                    if await self._send_claimed(session, self._claim_size):
                        continue
                except asyncio.CancelledError:
                    raise
                except Exception as error:  # noqa: BLE001 - the sender outlives a failed pass
                    log.warning("mail dispatch pass failed; retrying", error=type(error).__name__)
                await session.close()  # nothing due: no idle connection for the server to drop
                try:
                    await asyncio.wait_for(self._wake.wait(), self._poll_interval_s)
                except asyncio.TimeoutError:
                    pass
        finally:
            await asyncio.shield(session.close())

    async def _send_claimed(self, session: SmtpSession, limit: int) -> int:
        """Claim up to ``limit`` due emails and try each once; returns how many were claimed."""
        # The lease outlasts sending them all even if every email times out: no other sender may
        # take over an email this one is still going to send.
        lease_s = limit * self._settings.smtp_timeout_s + 30.0
        async with self._connection() as connection:
            queue = EmailQueue(connection)
            rows = await queue.claim_due(limit, lease_s)
            unsent = {row["email_id"] for row in rows}
            try:
                for row in rows:
                    attempt = asyncio.ensure_future(self._try_once(queue, session, row))
                    try:
                        await asyncio.shield(attempt)
                    except asyncio.CancelledError:
                        # Stopping: the email in flight is finished and recorded, not abandoned.
                        await asyncio.wait([attempt], timeout=self._settings.smtp_timeout_s)
                        if attempt.done() and not attempt.cancelled() and attempt.exception() is None:
                            unsent.discard(row["email_id"])
                        raise
                    unsent.discard(row["email_id"])
            finally:
                if unsent:
                    await asyncio.shield(queue.release(sorted(unsent)))
        return len(rows)

    async def _try_once(self, queue: EmailQueue, session: SmtpSession, row) -> None:
        error = await session.send(to_wire(row, self._settings.smtp_sender))
        if error is None:
            await queue.mark_sent(row["email_id"])  # on its own: a crash after this re-sends nothing
            return
        async with self._unit_of_work() as uow:
            await self._failed(uow, EmailQueue(uow.connection), row, error)
            await uow.commit()

    async def _failed(self, uow: UnitOfWork, queue: EmailQueue, row, error: Exception) -> None:
        attempts = row["attempts"] + 1
        reason = f"{type(error).__name__}: {error}".replace(row["recipient"], "<recipient>")[:500]
        if attempts < self._policy.max_attempts:
            await queue.retry_later(row["email_id"], self._policy.delay(attempts), reason)
            log.warning("email not sent; will retry", case_id=str(row["case_id"]), kind=row["kind"], attempt=attempts, error=type(error).__name__)
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
        log.error("email parked after every retry failed", case_id=str(row["case_id"]), kind=row["kind"], attempts=attempts)
