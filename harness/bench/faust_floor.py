"""Two more baselines: the services' own Faust consumer with nothing to do, and the same consumer
doing the aiokafka loop's work (transform each record, produce it as the outbox relays do). They
show what is left for a stage's own work once the stack has had its share.

The same app settings and the same batching agent (``ind_runtime.faust_app``) as every service,
fed the records the aiokafka loop read, and a processor that counts them, after republishing each
one when asked to: events/s from the first batch to the last one done. Runs in a process of its
own, as a worker does; the parent reads the figures from a file and stops it.

    python -m harness.bench.faust_floor   (configured by BENCH_FLOOR_* and KAFKA_BOOTSTRAP_SERVERS)
"""

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from uuid import uuid4

import faust
from aiokafka import AIOKafkaProducer

from harness.bench.baselines import transformed
from harness.processes import ROOT
from ind_runtime.faust_app import consume, create_app
from ind_runtime.kafka import idempotent_producer
from ind_runtime.settings import get_settings


class CountingProcessor:
    """Stands in for ``RecordProcessor``: takes each batch and, given a topic to republish to, sends
    each record there transformed as the loop does, with the relays' producer, and waits for the
    batch's acks, as a relay does; then counts the batch."""

    def __init__(self, events: int, result: Path, republish_to: str | None = None) -> None:
        self._events = events
        self._result = result
        self._republish_to = republish_to
        self._producer: AIOKafkaProducer | None = None
        self._done = 0
        self._started: float | None = None

    async def process_batch(self, records) -> None:
        if self._republish_to and self._producer is None:  # started in the worker's loop, before the clock runs
            self._producer = idempotent_producer(get_settings().kafka_servers)
            await self._producer.start()
        if self._started is None:
            self._started = time.perf_counter()
        if self._producer is not None:
            await self._republish(records)
        self._done += len(records)
        if self._done >= self._events and not self._result.exists():
            seconds = time.perf_counter() - self._started
            figures = {"events": self._done, "seconds": seconds, "events_per_s": self._done / seconds}
            self._result.write_text(json.dumps(figures))

    async def _republish(self, records) -> None:
        send = self._producer.send
        deliveries = [await send(self._republish_to, transformed(record.value), key=record.key) for record in records]
        await asyncio.gather(*deliveries)


def faust_floor(
    servers: list[str], topic: str, events: int, state_dir: Path, timeout: float = 300.0, republish_to: str | None = None
) -> dict:
    """Run the counting worker over ``topic`` (already holding ``events`` records) and return its
    figures; with ``republish_to``, the worker also produces every record there, transformed."""
    state_dir.mkdir(parents=True, exist_ok=True)
    result = state_dir / f"faust-floor-{uuid4().hex[:8]}.json"
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": ",".join(servers),
        "BENCH_FLOOR_TOPIC": topic,
        "BENCH_FLOOR_EVENTS": str(events),
        "BENCH_FLOOR_RESULT": str(result),
        "BENCH_FLOOR_REPUBLISH_TO": republish_to or "",
    }
    with (state_dir / "faust-floor.log").open("ab") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "harness.bench.faust_floor"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + timeout
        while not result.exists():
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the Faust baseline worker did not finish (see {state_dir / 'faust-floor.log'})")
            time.sleep(0.2)
        time.sleep(0.1)  # the write is one call; let it land
        return json.loads(result.read_text())
    finally:
        worker.terminate()
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
        result.unlink(missing_ok=True)


def _run_worker() -> None:
    settings = get_settings()
    app = create_app(f"bench-floor-{uuid4().hex[:8]}", settings)  # a group of its own: reads from the start
    processor = CountingProcessor(
        int(os.environ["BENCH_FLOOR_EVENTS"]),
        Path(os.environ["BENCH_FLOOR_RESULT"]),
        os.environ["BENCH_FLOOR_REPUBLISH_TO"] or None,
    )
    consume(app, os.environ["BENCH_FLOOR_TOPIC"], processor, settings.batch_max_records, settings.batch_wait_s)
    faust.Worker(app, loglevel="warn").execute_from_commandline()


if __name__ == "__main__":
    _run_worker()
