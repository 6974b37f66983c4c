"""Routing a consumed record to the handler for its event type, inside a fresh unit of work.

A topic may carry several event types, and producers may add new ones compatibly: a type that this
consumer has no handler for is skipped, not dead-lettered. A handler is ``async (event, uow, **context)``,
where ``context`` (a service's policy, say) is fixed when the router is made.
"""

import json
from collections.abc import Awaitable, Callable, Collection, Container, Mapping, Sequence
from typing import Any
from uuid import UUID

import structlog
from pydantic import ValidationError

from ind_runtime.logs import get_logger
from ind_runtime.processing import NotReady
from ind_runtime.records import ConsumedRecord, Unprocessable
from ind_runtime.unit_of_work import E, UnitOfWork
from schemas.envelope import CloudEvent

log = get_logger(__name__)
__all__ = ["BatchRouter", "EventRouter", "Handler", "NotReady", "split_by_case"]

Handler = Callable[[Any, UnitOfWork], Awaitable[Any]]
# ``async (events, uow, **context)``: handles the events in order and commits ``uow``, or does
# nothing; returns the events it left waiting for another topic's (or None for none), and with
# each of them every later event with its key, which must wait behind it.
BatchOfEvents = Callable[..., Awaitable[Sequence[CloudEvent] | None]]


class EventRouter:
    def __init__(
        self, unit_of_work: Callable[[], UnitOfWork], routes: Mapping[type[CloudEvent], Handler], **context: Any
    ) -> None:
        self._unit_of_work = unit_of_work
        self._routes = {model.EVENT_TYPE: (model, handler) for model, handler in routes.items()}
        self._context = context

    async def __call__(self, record: ConsumedRecord) -> None:
        routed = self.event_of(record)
        if routed is None:
            return
        event, handler = routed
        case_id = getattr(event.data, "case_id", None)
        with structlog.contextvars.bound_contextvars(event_id=event.id, case_id=str(case_id) if case_id else None):
            async with self._unit_of_work() as uow:
                await handler(event, uow, **self._context)

    def events_of(
        self, records: Sequence[ConsumedRecord]
    ) -> tuple[list[tuple[ConsumedRecord, CloudEvent]], list[ConsumedRecord]]:
        """For a batch handler: the records that hold an event handled here, with their events,
        and the records to leave to the record handler (one that is no such event, which it parks,
        and every later record with that key, which must wait behind it); types not handled here
        are in neither."""
        events: list[tuple[ConsumedRecord, CloudEvent]] = []
        left: list[ConsumedRecord] = []
        left_keys: set[bytes | None] = set()
        for record in records:
            if record.key not in left_keys:
                try:
                    routed = self.event_of(record)
                except (Unprocessable, ValidationError):
                    left_keys.add(record.key)
                else:
                    if routed is not None:
                        events.append((record, routed[0]))
                    continue
            left.append(record)
        return events, left

    def event_of(self, record: ConsumedRecord) -> tuple[CloudEvent, Handler] | None:
        """The event ``record`` holds and its handler; None for a type not handled here; raises
        ``Unprocessable`` or ``ValidationError`` for a record that is no such event."""
        try:
            document = json.loads(record.value or b"")
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as error:
            raise Unprocessable(f"the record is not JSON: {type(error).__name__}") from error
        if not isinstance(document, dict) or not isinstance(document.get("type"), str):
            raise Unprocessable("the record is not a CloudEvents JSON object with a type")
        route = self._routes.get(document["type"])
        if route is None:
            log.debug("event type not handled here; skipped", event_type=document["type"][:100])
            return None
        model, handler = route
        return model.model_validate(document), handler


class BatchRouter:
    """Hands a batch's events of the types in ``models`` to ``handle`` in one unit of work (the batch handler),
    and what it leaves to ``record_handler``, each as a batch of one: a record that holds no such
    event with every later record with its key, and the events ``handle`` returns as waiting for
    another topic's, which are ``NotReady`` there and set aside."""

    def __init__(
        self, unit_of_work: Callable[[], UnitOfWork], models: Collection[type[CloudEvent]], handle: BatchOfEvents, **context: Any
    ) -> None:
        self._unit_of_work = unit_of_work
        self._handle = handle
        self._context = context
        self.record_handler = EventRouter(unit_of_work, {model: self._one for model in models}, **context)

    async def _one(self, event: CloudEvent, uow: UnitOfWork, **context: Any) -> None:
        if await self._handle([event], uow, **context):
            raise NotReady(f"{event.type} {event.id} waits for an event from another topic")

    async def __call__(self, records: Sequence[ConsumedRecord]) -> list[ConsumedRecord]:
        events, unreadable = self.record_handler.events_of(records)
        left = {id(record) for record in unreadable}
        if events:
            async with self._unit_of_work() as uow:
                waiting = await self._handle([event for _record, event in events], uow, **self._context)
            waiting_ids = {id(event) for event in waiting or ()}
            left |= {id(record) for record, event in events if id(event) in waiting_ids}
        return [record for record in records if id(record) in left]


def split_by_case(events: Sequence[E], known: Container[UUID]) -> tuple[list[E], list[E]]:
    """For a batch handler: the events about a case in ``known``, and those left to wait for their
    case's registration (an event about a case not known yet, with every later one about that case,
    which must wait behind it)."""
    waiting: set[UUID] = set()
    taken: list[E] = []
    left: list[E] = []
    for event in events:
        case_id = event.data.case_id
        if case_id in waiting or case_id not in known:
            waiting.add(case_id)
            left.append(event)
        else:
            taken.append(event)
    return taken, left
