"""The email queue: emails owed to applicants, one row each, in ``notify.emails``."""

from uuid import UUID

import asyncpg

from services.notify.messages import Email

MESSAGE_ID_DOMAIN = "notify.ind.example"


def message_id(event_id: str, kind: str) -> str:
    """Stable per event and kind: a resend after a crash carries the same Message-ID."""
    return f"<{kind}.{event_id}@{MESSAGE_ID_DOMAIN}>"


class EmailQueue:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._conn = connection

    async def add(self, event_id: str, case_id: UUID, case_number: str, email: Email) -> bool:
        inserted = await self._conn.fetchval(
            """insert into notify.emails (event_id, kind, case_id, case_number, recipient, message_id, subject, body)
               values ($1, $2, $3, $4, $5, $6, $7, $8)
               on conflict (event_id, kind, recipient) do nothing returning true""",
            event_id,
            email.kind,
            case_id,
            case_number,
            email.recipient,
            message_id(event_id, email.kind),
            email.subject,
            email.body,
        )
        return bool(inserted)

    async def lock_due(self, limit: int) -> list[asyncpg.Record]:
        """Pending emails whose time has come, locked for this transaction; other workers skip them."""
        return await self._conn.fetch(
            """select * from notify.emails where status = 'pending' and next_attempt_at <= now()
               order by email_id limit $1 for update skip locked""",
            limit,
        )

    async def mark_sent(self, email_id: int) -> None:
        await self._conn.execute(
            "update notify.emails set status = 'sent', sent_at = now(), attempts = attempts + 1 where email_id = $1",
            email_id,
        )

    async def retry_later(self, email_id: int, delay_s: float, error: str) -> None:
        await self._conn.execute(
            """update notify.emails set attempts = attempts + 1, last_error = $2,
                   next_attempt_at = now() + make_interval(secs => $3) where email_id = $1""",
            email_id,
            error,
            delay_s,
        )

    async def park(self, email_id: int, error: str) -> None:
        await self._conn.execute(
            "update notify.emails set status = 'parked', attempts = attempts + 1, last_error = $2 where email_id = $1",
            email_id,
            error,
        )
