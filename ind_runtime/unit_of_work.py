"""One database transaction around a handler: its effects, its inbox mark and its outbox rows.

The transaction rolls back unless ``commit()`` is called, so a handler that returns early or raises
leaves nothing behind. Events are published only after commit (by the outbox relay), so nothing is
ever announced that the database does not hold.

A batch of consumed records can share one transaction (``SharedTransaction``): each handler's unit
of work is then a savepoint inside it, still all-or-nothing on its own, and the batch pays for one
connection checkout, one ``BEGIN``/``COMMIT`` and one ``NOTIFY`` instead of one per record.

Round trips to the database are most of a handler's cost, so a unit of work spends as few as it
can: rows that nothing reads back before commit (the outbox's, a status history's) are held in
memory and written in one pipelined statement per kind when it commits (when the batch commits,
in a batch), and in a batch its savepoint is never released on its own (a later savepoint nests
inside it; the batch's ``COMMIT`` ends them all): one ``SAVEPOINT`` per record, and a
``ROLLBACK TO`` only for a record that fails.
"""

import asyncio
import json
from collections.abc import Callable, Sequence
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import TypeVar

import asyncpg

from ind_runtime.records import Unprocessable
from schemas.envelope import CloudEvent
from schemas.topics import MAX_RECORD_BYTES

E = TypeVar("E", bound=CloudEvent)  # an event type, kept through helpers that filter a batch

Headers = Sequence[tuple[str, bytes]]

MAX_EVENT_BYTES = MAX_RECORD_BYTES - 4096
"""The most an emitted event's key and value may hold: what a topic accepts, less room for its
headers and the record batch around it. An event the broker would refuse must fail the handler that
made it (whose record is then parked), never sit at the head of the outbox, where every later event
of the service would wait behind it for good."""


class EventTooLarge(Unprocessable):
    """A handler made an event larger than its topic accepts; the same record would make it again."""


async def _begin(pool: asyncpg.Pool) -> tuple[asyncpg.Connection, asyncpg.transaction.Transaction]:
    """A pooled connection with a transaction started on it (the connection goes back if that fails)."""
    connection = await pool.acquire()
    transaction = connection.transaction()
    try:
        await transaction.start()
    except BaseException:
        await pool.release(connection)
        raise
    return connection, transaction


Append = tuple[str, tuple]  # an insert statement and its arguments


@dataclass
class Pending:
    """What a unit of work leaves for its commit: rows to append, whether it emitted (so the
    relays are woken), and what to call once committed."""

    appends: list[Append] = field(default_factory=list)
    emitted: bool = False
    after_commit: list[Callable[[], None]] = field(default_factory=list)

    def take_over(self, other: "Pending") -> None:
        self.appends.extend(other.appends)
        self.emitted = self.emitted or other.emitted
        self.after_commit.extend(other.after_commit)


_INSERT_OUTBOX = "insert into runtime.outbox (publisher, topic, key, value, headers) values ($1, $2, $3, $4, $5::jsonb)"
_SAVEPOINT = "unit_of_work"  # one name for all: ROLLBACK TO goes back to the latest of that name


class SharedTransaction:
    """One transaction that the units of work opened while it is active share, as savepoints.

    A batch locks the rows of many cases for as long as it runs; two batches of one worker (from two
    topics) that take them in different orders would deadlock, so a worker passes one ``lock`` to
    all of its batches and runs them one at a time.
    """

    def __init__(
        self, pool: asyncpg.Pool, publisher: str, lock: asyncio.Lock | None = None, *, defer_appends: bool = True
    ) -> None:
        self._pool = pool
        self._publisher = publisher
        self._lock = lock
        # False: each unit writes its appends when it commits, inside its savepoint, so a failing
        # insert fails its own unit (its handler) instead of the whole transaction at the end
        self.defers_appends = defer_appends
        self._committed = False
        self._token: Token[SharedTransaction | None] | None = None
        self._pending = Pending()

    async def __aenter__(self) -> "SharedTransaction":
        if self._lock is not None:
            await self._lock.acquire()
        try:
            self.connection, self._transaction = await _begin(self._pool)
        except BaseException:
            self._release_lock()
            raise
        self._token = _active.set(self)
        return self

    async def __aexit__(self, *exc_info) -> None:
        assert self._token is not None
        _active.reset(self._token)
        try:
            if not self._committed:
                await self._transaction.rollback()
        finally:
            try:
                await self._pool.release(self.connection)
            finally:
                # even when the release fails (a connection lost with the database): a lock left
                # held would stop every later batch of the worker for good
                self._release_lock()

    def _release_lock(self) -> None:
        if self._lock is not None:
            self._lock.release()

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._pending.after_commit.append(callback)

    def take_over(self, pending: Pending) -> None:
        """What a committed unit of work leaves to be written and called when the batch commits."""
        self._pending.take_over(pending)

    async def commit(self) -> None:
        await _commit(self.connection, self._transaction, self._publisher, self._pending)
        self._committed = True


async def _commit(connection, transaction, publisher: str, pending: Pending) -> None:
    await _write(connection, pending.appends)
    if pending.emitted:
        # Delivered only if the transaction commits: wakes the relays listening for this publisher.
        await connection.execute("select pg_notify('outbox', $1)", publisher)
    await transaction.commit()
    for callback in pending.after_commit:
        callback()


async def _write(connection, appends: list[Append]) -> None:
    by_statement: dict[str, list[tuple]] = {}
    for statement, args in appends:
        by_statement.setdefault(statement, []).append(args)
    for statement, rows in by_statement.items():
        await connection.executemany(statement, rows)


_active: ContextVar[SharedTransaction | None] = ContextVar("shared_transaction", default=None)


class _OwnTransaction:
    """A unit of work on a transaction of its own, on a pooled connection (or one the caller holds
    and keeps)."""

    def __init__(self, pool: asyncpg.Pool, publisher: str, held: asyncpg.Connection | None) -> None:
        self._pool = pool
        self._publisher = publisher
        self._held = held

    async def begin(self) -> asyncpg.Connection:
        if self._held is not None:
            self._transaction = self._held.transaction()
            await self._transaction.start()
            return self._held
        connection, self._transaction = await _begin(self._pool)
        return connection

    async def commit(self, connection: asyncpg.Connection, pending: Pending) -> None:
        await _commit(connection, self._transaction, self._publisher, pending)

    async def end(self, connection: asyncpg.Connection, committed: bool) -> None:
        try:
            if not committed:
                await self._transaction.rollback()
        finally:
            if self._held is None:
                await self._pool.release(connection)


class _SavepointInBatch:
    """A unit of work inside a batch's shared transaction: a savepoint, all or nothing on its own;
    what it leaves to be written and called goes to the batch when it commits."""

    def __init__(self, shared: SharedTransaction) -> None:
        self._shared = shared

    async def begin(self) -> asyncpg.Connection:
        await self._shared.connection.execute(f"savepoint {_SAVEPOINT}")
        return self._shared.connection

    async def commit(self, connection: asyncpg.Connection, pending: Pending) -> None:
        if not self._shared.defers_appends:
            await _write(connection, pending.appends)
            pending.appends = []
        self._shared.take_over(pending)  # the savepoint ends with the batch

    async def end(self, connection: asyncpg.Connection, committed: bool) -> None:
        if not committed:
            await connection.execute(f"rollback to savepoint {_SAVEPOINT}")

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._shared.after_commit(callback)


class UnitOfWork:
    """``connection``: one the caller holds and keeps, to work on instead of one from the pool.

    Inside a batch's ``SharedTransaction`` (and without ``connection``) it is a savepoint of that
    transaction; otherwise a transaction of its own. A service's subclass may attach its
    repositories as attributes in ``__aenter__``, after this one's."""

    def __init__(self, pool: asyncpg.Pool, publisher: str, connection: asyncpg.Connection | None = None) -> None:
        shared = _active.get() if connection is None else None
        self._scope: _OwnTransaction | _SavepointInBatch = (
            _SavepointInBatch(shared) if shared is not None else _OwnTransaction(pool, publisher, connection)
        )
        self._publisher = publisher
        self._committed = False
        self._pending = Pending()

    async def __aenter__(self) -> "UnitOfWork":
        self.connection: asyncpg.Connection = await self._scope.begin()
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self._scope.end(self.connection, self._committed)

    async def first_time(self, consumer: str, event_id: str) -> bool:
        """Record that ``consumer`` handles ``event_id``; False when it already did."""
        return bool(await self.first_times(consumer, [event_id]))

    async def first_times(self, consumer: str, event_ids: Sequence[str]) -> set[str]:
        """``first_time`` for many events in one statement: those of ``event_ids`` that
        ``consumer`` had not handled (each id once, however often it is given)."""
        rows = await self.connection.fetch(
            """insert into runtime.inbox (consumer, event_id) select $1, unnest($2::text[])
               on conflict do nothing returning event_id""",
            consumer,
            list(dict.fromkeys(event_ids)),
        )
        return {row["event_id"] for row in rows}

    async def new_events(self, consumer: str, events: Sequence[E]) -> list[E]:
        """The events ``consumer`` had not handled, in order and each once (a second one with the
        same id is a duplicate), recorded as handled with one statement."""
        unseen = await self.first_times(consumer, [event.id for event in events]) if events else set()
        fresh = []
        for event in events:
            if event.id in unseen:
                unseen.discard(event.id)
                fresh.append(event)
        return fresh

    async def emit(self, topic: str, key: str, event: CloudEvent) -> None:
        """Publish ``event`` once this unit's effects are committed (the outbox row is written then)."""
        headers = json.dumps([["ce_type", event.type], ["ce_id", event.id]])
        encoded_key, value = key.encode(), event.to_json()
        if len(encoded_key) + len(value) > MAX_EVENT_BYTES:
            raise EventTooLarge(f"{event.type} of {len(encoded_key) + len(value)} bytes; {topic} takes at most {MAX_EVENT_BYTES}")
        self.append(_INSERT_OUTBOX, self._publisher, topic, encoded_key, value, headers)
        self._pending.emitted = True

    def append(self, insert: str, *args) -> None:
        """Run ``insert`` with ``args`` when this unit commits, with the other rows of that statement
        in one pipelined round trip: for rows that nothing reads back before then."""
        if self._committed:
            raise RuntimeError("this unit of work has committed; nothing can be added to it")
        self._pending.appends.append((insert, args))

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once this unit's effects are committed (in a batch: once the batch is),
        e.g. to wake a loop that would find nothing before then."""
        if not self._committed:
            self._pending.after_commit.append(callback)
        elif isinstance(self._scope, _SavepointInBatch):
            self._scope.after_commit(callback)
        else:
            callback()

    async def commit(self) -> None:
        if self._committed:
            raise RuntimeError("this unit of work has committed already")
        await self._scope.commit(self.connection, self._pending)
        self._committed = True
