"""Sends queued emails over SMTP, retrying with backoff, parking with an alert when all tries fail.

Each batch is locked ``for update skip locked``, so several notify workers share the queue without
sending an email twice. The row is marked sent in the transaction that locked it; only a crash
between the SMTP server's "250 OK" and that commit can resend an email, and the resend carries
the same Message-ID.
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
    def __init__(self, settings: Settings, unit_of_work, *, batch_size: int = 50, poll_interval_s: float = 0.25):
        self._settings = settings
        self._unit_of_work = unit_of_work
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._policy = RetryPolicy(settings.email_max_attempts, settings.email_backoff_s, settings.email_backoff_max_s)
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def send_due(self) -> int:
        """Try every due email once; returns how many were locked."""
        uow: UnitOfWork
        async with self._unit_of_work() as uow:
            queue = EmailQueue(uow.connection)
            rows = await queue.lock_due(self._batch_size)
            if not rows:
                return 0
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
                if error is None:
                    await queue.mark_sent(row["email_id"])
                else:
                    await self._failed(uow, queue, row, error)
            if connected is None:
                try:
                    await smtp.quit()
                except (aiosmtplib.SMTPException, OSError):
                    pass
            await uow.commit()
            return len(rows)

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
