"""A batch router hands a batch's events to its handler in one unit of work against real PostgreSQL,
and leaves to the record handler what must wait: an unreadable record, the events the handler says
wait for another topic's, and every later record with their keys."""

import pytest

from ind_runtime.processing import NotReady
from ind_runtime.records import ConsumedRecord
from ind_runtime.routing import BatchRouter
from ind_runtime.unit_of_work import UnitOfWork
from schemas.cases import CaseRegistered
from tests.conftest import registrations

CONSUMER = "batch-routing-test"


def _record(offset: int, event: CaseRegistered | None = None, key: bytes | None = None) -> ConsumedRecord:
    key = key or str(event.data.case_id).encode()
    return ConsumedRecord("ind.case.registered.v1", 0, offset, key, event.to_json() if event else b"{not json")


def _router(pool, waiting_for: set, calls: list) -> BatchRouter:
    async def handle(events, uow: UnitOfWork):
        calls.append([event.id for event in events])
        left = [event for event in events if event.data.case_id in waiting_for]
        taken = [event.id for event in events if event not in left]
        if taken:
            await uow.first_times(CONSUMER, taken)
            await uow.commit()
        return left

    return BatchRouter(lambda: UnitOfWork(pool, CONSUMER), [CaseRegistered], handle)


async def test_a_batch_router_leaves_what_must_wait_in_order_and_commits_the_rest_in_one_call(pool):
    a, b, waits, later = registrations(4, 11)
    later = later.model_copy(update={"data": later.data.model_copy(update={"case_id": waits.data.case_id})})
    records = [_record(0, a), _record(1, waits), _record(2, key=str(b.data.case_id).encode()), _record(3, b), _record(4, later)]
    calls: list = []
    router = _router(pool, {waits.data.case_id}, calls)

    left = await router(records)

    assert [record.offset for record in left] == [1, 2, 3, 4]  # waits and its later one; the unreadable one and its key's next
    assert calls == [[a.id, waits.id, later.id]]
    handled = await pool.fetch("select event_id from runtime.inbox where consumer = $1", CONSUMER)
    assert {row["event_id"] for row in handled} == {a.id}


async def test_an_event_left_waiting_is_not_ready_on_the_one_by_one_path(pool):
    (waits,) = registrations(1, 12)
    router = _router(pool, {waits.data.case_id}, [])
    with pytest.raises(NotReady):
        await router.record_handler(_record(0, waits))
