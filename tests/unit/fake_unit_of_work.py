"""The runtime's unit of work in memory (``ind_runtime.unit_of_work.UnitOfWork``), for unit tests of
a service's handlers without PostgreSQL.

It keeps the real one's promises: what it emits is recorded as (topic, key, event) and reaches the
outbox only when it commits, it commits at most once, the events it handled are a set (the inbox),
and a unit that does not commit leaves its database as it found it. A service's fake subclasses it
and attaches its in-memory repositories in ``__aenter__``, after this one's.
"""

from typing import Protocol

from ind_runtime.unit_of_work import UnitOfWork
from schemas.envelope import CloudEvent

Emitted = tuple[str, str, CloudEvent]  # topic, key, event


class InMemoryDatabase(Protocol):
    inbox: set[tuple[str, str]]  # (consumer, event id)
    outbox: list[Emitted]

    def snapshot(self) -> object:
        """Everything the database holds, as it is now (a copy)."""

    def restore(self, snapshot: object) -> None:
        """Make the database hold what ``snapshot`` holds again."""


class FakeUnitOfWork:
    def __init__(self, database: InMemoryDatabase) -> None:
        self._database = database
        self.emitted: list[Emitted] = []
        self.committed = False

    async def __aenter__(self):
        self._before = self._database.snapshot()
        return self

    async def __aexit__(self, *exc_info) -> None:
        if not self.committed:
            self._database.restore(self._before)

    async def first_times(self, consumer: str, event_ids) -> set[str]:
        unseen = {event_id for event_id in event_ids if (consumer, event_id) not in self._database.inbox}
        self._database.inbox |= {(consumer, event_id) for event_id in unseen}
        return unseen

    # the runtime's own, over ``first_times`` above: which of a batch are new, in order, each once
    first_time = UnitOfWork.first_time
    new_events = UnitOfWork.new_events

    async def emit(self, topic: str, key: str, event: CloudEvent) -> None:
        self.emitted.append((topic, key, event))

    async def commit(self) -> None:
        if self.committed:
            raise RuntimeError("this unit of work has committed already")
        self.committed = True
        self._database.outbox.extend(self.emitted)
