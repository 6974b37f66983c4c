"""Records that their dead-letter topic would not take, kept in PostgreSQL: a narrow store over
``runtime.kept_records``.

A dead-letter topic accepts twice what its source does, so a record lands here only when that topic
cannot be written at all: it is missing, its limit was lowered, the worker may not write it, or the
broker stayed away through every try. Nothing is lost and the record's partition moves on; every
record kept is logged at error level (the alert) and counted on the worker's ``GET /health``
(``kept_records``), and ``python -m ind_runtime.admin kept-records`` lists them for an operator.
"""

import json
from collections.abc import Callable

import asyncpg

from ind_runtime.failures import described
from ind_runtime.records import ConsumedRecord


class KeptRecords:
    def __init__(self, pool: Callable[[], asyncpg.Pool]) -> None:
        """``pool()``: the worker's pool, which exists only once the worker has started."""
        self._pool = pool

    async def keep(self, record: ConsumedRecord, reason: dict[str, str], refusal: BaseException) -> None:
        """Keep ``record`` with ``reason`` (what its ``dlq.*`` headers would say) and why the
        dead-letter topic refused it; a record kept before (a redelivery) is not kept twice."""
        await self._pool().execute(
            """insert into runtime.kept_records (consumer, topic, partition, "offset", key, value, headers, reason, refused_by)
               values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9) on conflict do nothing""",
            reason["dlq.consumer"],
            *record.row(),
            json.dumps(reason),
            described(refusal)[:4000],
        )

    async def count(self, consumer: str) -> int:
        return await self._pool().fetchval("select count(*) from runtime.kept_records where consumer = $1", consumer)
