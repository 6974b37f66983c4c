"""A batch of records shares one transaction, yet each handler stays all-or-nothing, a failing record
holds back only its own partition, and an outage sends the whole batch down the one-by-one path."""

import asyncpg

from ind_runtime.processing import RecordProcessor, RetryPolicy
from ind_runtime.records import ConsumedRecord
from ind_runtime.unit_of_work import SharedTransaction, UnitOfWork

FAST = RetryPolicy(max_attempts=2, backoff_s=0.01, backoff_max_s=0.02)
TOPIC = "test.batches"


def _record(partition: int, offset: int, value: bytes = b"ok") -> ConsumedRecord:
    return ConsumedRecord(topic=TOPIC, partition=partition, offset=offset, key=None, value=value)


async def _ledger(pool) -> None:
    await pool.execute("create table if not exists public.batch_ledger (position text primary key, txid bigint not null)")
    await pool.execute("truncate public.batch_ledger")


def _writing_handler(pool, calls: list, fail: dict[str, BaseException] | None = None, commit: bool = True):
    """Writes (position, transaction id) through a unit of work; raises what ``fail`` names for a position."""

    async def handle(record: ConsumedRecord) -> None:
        calls.append(record.position)
        async with UnitOfWork(pool, "batch-test") as uow:
            await uow.connection.execute("insert into public.batch_ledger values ($1, txid_current())", record.position)
            error = (fail or {}).pop(record.position, None)
            if error is not None:
                raise error
            if commit:
                await uow.commit()

    return handle


def _processor(pool, handle, shared: bool = True, handle_batch=None) -> RecordProcessor:
    def no_producer():
        raise AssertionError("nothing in these tests is dead-lettered")

    shared_transaction = (lambda **options: SharedTransaction(pool, "batch-test", **options)) if shared else None
    return RecordProcessor("batch-test", handle, no_producer, FAST, shared_transaction, handle_batch=handle_batch)


def _batch_writer(pool, taken: list, fail: BaseException | None = None):
    """A batch handler that writes the even offsets in one unit of work (then raises ``fail``, if
    given) and leaves the odd ones."""

    async def handle_batch(records):
        mine = [r for r in records if r.offset % 2 == 0]
        taken.append([r.position for r in mine])
        async with UnitOfWork(pool, "batch-test") as uow:
            await uow.connection.execute(
                "insert into public.batch_ledger select unnest($1::text[]), txid_current()", [r.position for r in mine]
            )
            if fail is not None:
                raise fail
            await uow.commit()
        return [r for r in records if r.offset % 2 == 1]

    return handle_batch


async def _rows(pool) -> dict[str, int]:
    return {r["position"]: r["txid"] for r in await pool.fetch("select position, txid from public.batch_ledger")}


async def test_a_batch_commits_every_record_in_one_transaction(pool):
    await _ledger(pool)
    records = [_record(p, o) for o in range(5) for p in range(3)]
    calls: list[str] = []
    await _processor(pool, _writing_handler(pool, calls)).process_batch(records)
    rows = await _rows(pool)
    assert set(rows) == {r.position for r in records}
    assert len(set(rows.values())) == 1
    assert calls == [r.position for r in records]


async def test_a_handler_that_does_not_commit_leaves_nothing_while_the_rest_of_the_batch_commits(pool):
    await _ledger(pool)
    calls: list[str] = []
    skipping = _writing_handler(pool, calls, commit=False)
    writing = _writing_handler(pool, calls)

    async def handle(record: ConsumedRecord) -> None:
        await (skipping if record.offset == 1 else writing)(record)

    await _processor(pool, handle).process_batch([_record(0, 0), _record(0, 1), _record(0, 2)])
    assert set(await _rows(pool)) == {f"{TOPIC}-0-0", f"{TOPIC}-0-2"}


async def test_a_failing_record_holds_back_its_partition_but_not_the_others(pool):
    await _ledger(pool)
    calls: list[str] = []
    failing = f"{TOPIC}-1-1"
    handle = _writing_handler(pool, calls, fail={failing: RuntimeError("fails once")})
    records = [_record(p, o) for o in range(3) for p in range(2)]
    await _processor(pool, handle).process_batch(records)

    rows = await _rows(pool)
    assert set(rows) == {r.position for r in records}, "the failed record succeeded on its retry"
    batch_txid = rows[f"{TOPIC}-0-2"]
    assert {rows[f"{TOPIC}-0-{o}"] for o in range(3)} == {batch_txid}, "partition 0 went through in the batch"
    assert rows[f"{TOPIC}-1-0"] == batch_txid
    held_back = [f"{TOPIC}-1-1", f"{TOPIC}-1-2"]
    assert all(rows[p] != batch_txid for p in held_back), "partition 1 after the failure was handled one by one"
    retried = calls[len(records) - 1 :]
    assert retried == held_back, "the held-back records ran after the batch, in their partition's order"


async def test_an_outage_inside_a_batch_rolls_it_back_and_each_record_is_handled_on_its_own(pool):
    await _ledger(pool)
    calls: list[str] = []
    records = [_record(0, o) for o in range(4)]
    outage = asyncpg.exceptions.AdminShutdownError("the database restarts")
    handle = _writing_handler(pool, calls, fail={f"{TOPIC}-0-2": outage})
    await _processor(pool, handle).process_batch(records)

    rows = await _rows(pool)
    assert set(rows) == {r.position for r in records}
    assert len(set(rows.values())) == len(records), "after the rollback every record had a transaction of its own"
    assert calls[:3] == [r.position for r in records[:3]] and calls[3:] == [r.position for r in records]


async def test_without_a_shared_transaction_each_record_commits_on_its_own(pool):
    await _ledger(pool)
    calls: list[str] = []
    records = [_record(0, o) for o in range(3)]
    await _processor(pool, _writing_handler(pool, calls), shared=False).process_batch(records)
    assert len(set((await _rows(pool)).values())) == 3


async def test_after_commit_callbacks_run_once_the_whole_batch_committed(pool):
    handled: list[str] = []
    handled_when_called: list[int] = []

    async def handle(record: ConsumedRecord) -> None:
        async with UnitOfWork(pool, "batch-test") as uow:
            handled.append(record.position)
            await uow.commit()
            uow.after_commit(lambda: handled_when_called.append(len(handled)))

    await _processor(pool, handle).process_batch([_record(0, o) for o in range(3)])
    assert handled_when_called == [3, 3, 3]


async def test_after_commit_callbacks_of_a_rolled_back_batch_run_only_for_the_retried_commits(pool):
    handled: list[str] = []
    callbacks: list[str] = []
    outage = {f"{TOPIC}-0-1": asyncpg.exceptions.AdminShutdownError("the database restarts")}

    async def handle(record: ConsumedRecord) -> None:
        async with UnitOfWork(pool, "batch-test") as uow:
            handled.append(record.position)
            if (error := outage.pop(record.position, None)) is not None:
                raise error
            await uow.commit()
            uow.after_commit(lambda: callbacks.append(record.position))

    await _processor(pool, handle).process_batch([_record(0, o) for o in range(3)])
    assert callbacks == [f"{TOPIC}-0-{o}" for o in range(3)], "one callback per record, each after its own commit"


async def test_a_batch_handler_takes_what_it_can_and_the_record_handler_the_rest_in_the_same_transaction(pool):
    await _ledger(pool)
    calls: list[str] = []
    taken: list[list[str]] = []
    records = [_record(p, o) for o in range(4) for p in range(2)]
    processor = _processor(pool, _writing_handler(pool, calls), handle_batch=_batch_writer(pool, taken))
    await processor.process_batch(records)

    rows = await _rows(pool)
    assert set(rows) == {r.position for r in records}
    assert len(set(rows.values())) == 1, "one transaction for the whole batch"
    assert taken == [[r.position for r in records if r.offset % 2 == 0]]
    assert calls == [r.position for r in records if r.offset % 2 == 1], "the record handler saw only what was left, in order"


async def test_a_failing_batch_handler_leaves_nothing_and_every_record_goes_to_the_record_handler(pool):
    await _ledger(pool)
    calls: list[str] = []
    records = [_record(0, o) for o in range(4)]
    handle_batch = _batch_writer(pool, [], fail=RuntimeError("a bug in the batch handler"))
    await _processor(pool, _writing_handler(pool, calls), handle_batch=handle_batch).process_batch(records)

    rows = await _rows(pool)
    assert set(rows) == {r.position for r in records}, "the batch handler's rows rolled back, the record handler's stayed"
    assert len(set(rows.values())) == 1, "still one transaction"
    assert calls == [r.position for r in records]


async def test_an_outage_in_the_batch_handler_sends_every_record_down_the_one_by_one_path(pool):
    await _ledger(pool)
    calls: list[str] = []
    records = [_record(0, o) for o in range(3)]
    outage = asyncpg.exceptions.AdminShutdownError("the database restarts")
    handle_batch = _batch_writer(pool, [], fail=outage)
    await _processor(pool, _writing_handler(pool, calls), handle_batch=handle_batch).process_batch(records)

    rows = await _rows(pool)
    assert set(rows) == {r.position for r in records}
    assert len(set(rows.values())) == len(records), "each record in a transaction of its own"
    assert calls == [r.position for r in records]
