"""The email queue: emails owed to applicants, one row each, in ``notify.emails``."""

import base64
import json
from collections.abc import Collection, Sequence
from uuid import UUID

import asyncpg

from ind_runtime.unit_of_work import UnitOfWork
from schemas.codes import Language
from services.notify.messages import Attachment, Email, Recipient

MESSAGE_ID_DOMAIN = "notify.ind.example"


def message_id(event_id: str, kind: str) -> str:
    """Stable per event and kind: a resend after a crash carries the same Message-ID."""
    return f"<{kind}.{event_id}@{MESSAGE_ID_DOMAIN}>"


def queue(uow: UnitOfWork, event_id: str, case_id: UUID, case_number: str, email: Email) -> None:
    """Owe ``email`` to the applicant once ``uow`` commits; the same event, kind and recipient again
    adds nothing."""
    uow.append(
        """insert into notify.emails
               (event_id, kind, case_id, case_number, recipient, message_id, subject, body, attachments)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)
           on conflict (event_id, kind, recipient) do nothing""",
        event_id,
        email.kind,
        case_id,
        case_number,
        email.recipient,
        message_id(event_id, email.kind),
        email.subject,
        email.body,
        json.dumps([_encoded(a) for a in email.attachments]),
    )


class EmailQueue:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._conn = connection

    async def claim_due(self, limit: int, lease_s: float, *, sent: int | None = None) -> list[asyncpg.Record]:
        """Pending emails whose time has come, claimed for ``lease_s``; other dispatchers skip them
        until the lease ends (it ends early only if this dispatcher dies). ``sent``: an email the
        server accepted, recorded as sent by the same statement (while mail flows, a sender spends
        one round trip an email on the queue instead of two)."""
        # The limit is written into the statement, not passed: with "limit $1" and a queue
        # analysed as long (a burst), the planner rated the shared plan for any limit dearer than
        # one made for "limit 1" and planned the statement afresh on every call, half of its time.
        return await self._conn.fetch(
            f"""with sent as (
                   update notify.emails set status = 'sent', sent_at = now(), attempts = attempts + 1, claimed_until = null
                   where email_id = $2)
               update notify.emails set claimed_until = now() + make_interval(secs => $1)
               where email_id in (
                   select email_id from notify.emails
                   where status = 'pending' and next_attempt_at <= now()
                     and (claimed_until is null or claimed_until < now()) and email_id is distinct from $2
                   order by next_attempt_at, email_id limit {int(limit)} for update skip locked)
               returning *""",
            lease_s,
            sent,
        )

    async def release(self, email_ids: list[int]) -> None:
        """Hand back claimed emails that were not tried: any dispatcher may take them at once."""
        await self._conn.execute(
            "update notify.emails set claimed_until = null where email_id = any($1::bigint[]) and status = 'pending'",
            email_ids,
        )

    async def retry_later(self, email_id: int, delay_s: float, error: str) -> None:
        await self._conn.execute(
            """update notify.emails set attempts = attempts + 1, last_error = $2, claimed_until = null,
                   next_attempt_at = now() + make_interval(secs => $3) where email_id = $1""",
            email_id,
            error,
            delay_s,
        )

    async def park(self, email_id: int, error: str) -> None:
        await self._conn.execute(
            """update notify.emails set status = 'parked', attempts = attempts + 1, last_error = $2, claimed_until = null
               where email_id = $1""",
            email_id,
            error,
        )


def _encoded(attachment: Attachment) -> dict:
    return {
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "data": base64.b64encode(attachment.data).decode(),
    }


def attachments_of(row) -> list[Attachment]:
    return [Attachment(a["filename"], a["content_type"], base64.b64decode(a["data"])) for a in json.loads(row["attachments"])]


class RecipientBook:
    """Who each case's emails go to, kept from the case's registration."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self._conn = connection

    async def add_many(self, registrations: Sequence[tuple[UUID, str, Recipient]]) -> None:
        """Keep (case id, case number, recipient) of each registration; a case kept before keeps its own."""
        if not registrations:
            return
        case_ids, numbers, recipients = zip(*registrations, strict=True)
        await self._conn.execute(
            """insert into notify.recipients (case_id, case_number, email, language, given_names, surname)
               select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
               on conflict (case_id) do nothing""",
            list(case_ids),
            list(numbers),
            [r.email for r in recipients],
            [r.language.value for r in recipients],
            [r.given_names for r in recipients],
            [r.surname for r in recipients],
        )

    async def get_many(self, case_ids: Collection[UUID]) -> dict[UUID, Recipient]:
        """The recipients of those of ``case_ids`` whose registration was read."""
        if not case_ids:
            return {}
        rows = await self._conn.fetch("select * from notify.recipients where case_id = any($1::uuid[])", list(case_ids))
        return {
            row["case_id"]: Recipient(row["email"], Language(row["language"]), row["given_names"], row["surname"]) for row in rows
        }
