"""Sends queued emails over SMTP, retrying with backoff, parking with an alert when all tries fail.

A dispatcher claims a batch of due emails for a lease (``for update skip locked``, so several notify
workers share the queue without sending an email twice), deals them out over a few SMTP sessions
that send side by side (one after another, each email waits for the server's replies to three
commands), and commits each result at once. Only a dispatcher that dies between the SMTP server's
"250 OK" and that commit re-sends an email, one per session at most, after the lease ends; the
re-send carries the same Message-ID.
"""

import asyncio
from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib

from ind_runtime.logs import get_logger
from ind_runtime.processing import RetryPolicy
from ind_runtime.settings import Settings
from ind_runtime.unit_of_work import UnitOfWork
from schemas.notifications import EmailParked, ParkedEmailData
from schemas.topics import NOTIFY_ALERTS
from services.notify.emails import EmailQueue, attachments_of

log = get_logger(__name__)
SOURCE = "urn:ind:notify"


def to_message(row, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row["recipient"]
    message["Subject"] = row["subject"]
    message["Message-ID"] = row["message_id"]
    message["Date"] = formatdate(usegmt=True)
    message["X-IND-Case-Number"] = row["case_number"]
    message["X-IND-Email-Kind"] = row["kind"]
    message.set_content(row["body"])
    for attachment in attachments_of(row):
        maintype, subtype = attachment.content_type.split("/", 1)
        message.add_attachment(attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename)
    return message


class MailDispatcher:
    def __init__(
        self, settings: Settings, unit_of_work, *, batch_size: int | None = None, poll_interval_s: float = 0.25
    ) -> None:
        self._settings = settings
        self._unit_of_work = unit_of_work
        self._sessions = settings.smtp_sessions
        self._batch_size = batch_size or 20 * self._sessions
        self._poll_interval_s = poll_interval_s
        self._policy = RetryPolicy(settings.email_max_attempts, settings.email_backoff_s, settings.email_backoff_max_s)
        self._wake = asyncio.Event()
        # Longer than one session's share of a batch can take, even if every email of it times out:
        # no other dispatcher may take over an email this one is still going to send.
        self._lease_s = -(-self._batch_size // self._sessions) * settings.smtp_timeout_s + 30.0

    def wake(self) -> None:
        self._wake.set()

    async def send_due(self) -> int:
        """Try every due email once; returns how many were claimed."""
        async with self._unit_of_work() as uow:
            rows = await EmailQueue(uow.connection).claim_due(self._batch_size, self._lease_s)
            await uow.commit()
        if not rows:
            return 0
        shares = [rows[i :: self._sessions] for i in range(self._sessions)]
        await asyncio.gather(*(self._send_over_one_session(share) for share in shares if share))
        return len(rows)

    async def _send_over_one_session(self, rows) -> None:
        smtp = aiosmtplib.SMTP(
            hostname=self._settings.smtp_host, port=self._settings.smtp_port, timeout=self._settings.smtp_timeout_s
        )
        connected = None
        try:
            await smtp.connect()
        except (aiosmtplib.SMTPException, OSError) as error:
            connected = error
        for row in rows:
            error = connected or await self._send(smtp, row)
            async with self._unit_of_work() as uow:  # one email, one commit: a crash re-sends at most this one
                if error is None:
                    await EmailQueue(uow.connection).mark_sent(row["email_id"])
                else:
                    await self._failed(uow, EmailQueue(uow.connection), row, error)
                await uow.commit()
        if connected is None:
            try:
                await smtp.quit()
            except (aiosmtplib.SMTPException, OSError):
                pass

    async def _send(self, smtp: aiosmtplib.SMTP, row) -> Exception | None:
        try:
            await smtp.send_message(to_message(row, self._settings.smtp_sender))
            return None
        except (aiosmtplib.SMTPException, OSError) as error:
            return error

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

    async def run(self) -> None:
        while True:
            try:
                while await self.send_due() == self._batch_size:
                    pass
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - the dispatcher outlives a failed pass
                log.warning("mail dispatch pass failed; retrying", error=type(error).__name__)
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), self._poll_interval_s)
            except asyncio.TimeoutError:
                pass
