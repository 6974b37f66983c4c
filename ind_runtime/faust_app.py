"""The Faust app factory: one app per service, raw bytes in, decoded by our pydantic models on top.

Values stay bytes so that a record that is not even JSON reaches our code (and its rejection or
dead-letter path) instead of being dropped by Faust's decoder. Topics are created from the catalogue
by ``ind_runtime.admin create-topics``, never declared implicitly by a worker.
"""

import tempfile
from pathlib import Path

import faust

from ind_runtime.kafka import faust_credentials
from ind_runtime.processing import RecordProcessor
from ind_runtime.records import ConsumedRecord
from ind_runtime.settings import Settings

# Tables live in memory, so Faust keeps nothing in its data directory, but it still creates one
# (only its last level): in the temporary directory rather than in whatever directory the worker
# was started from.
FAUST_DATA_DIR = Path(tempfile.gettempdir()) / "{conf.name}-data"


def create_app(service: str, settings: Settings) -> faust.App:
    return faust.App(
        f"ind-{service}",
        datadir=FAUST_DATA_DIR,
        broker=[f"kafka://{server}" for server in settings.kafka_servers],
        broker_credentials=faust_credentials(settings),
        store="memory://",
        key_serializer="raw",
        value_serializer="raw",
        topic_allow_declare=False,
        topic_disable_leader=True,
        consumer_auto_offset_reset="earliest",
        broker_commit_interval=1.0,
        # On SIGTERM (and on a rebalance) do not wait for the batch in hand to finish: it may be
        # waiting out an outage or a locked row, and the worker would outlive its grace period. The
        # batch is acknowledged only once handled (``consume``), so the next owner of its partitions
        # reads it again, and the inbox makes that second reading change nothing the first committed.
        stream_wait_empty=False,
        # A worker killed without a goodbye holds its partitions until its session expires; Faust's
        # default of 60 s would stall a restarted worker that long.
        broker_session_timeout=10.0,
        broker_heartbeat_interval=2.0,
        web_enabled=False,
        autodiscover=False,
    )


def consume(
    app: faust.App, topic_name: str, processor: RecordProcessor, batch_max: int = 500, batch_wait_s: float = 0.01
) -> faust.types.AgentT:
    """Attach an agent that hands the records of ``topic_name`` to the service's processor in batches.

    A batch's records are acknowledged only after ``process_batch`` returned, and our processor never
    raises (each record ends handled or parked), so no record is committed before it is handled.
    Hence ``noack_take`` and acks of our own: ``take_events`` acks its batch in a ``finally``, which
    runs when a stopping worker closes the stream while the batch is still being handled, and a
    record acknowledged then is committed unhandled (seen with a worker stopped while it waited for
    a locked table: tests/e2e/test_records_at_the_limits.py).
    """
    topic = app.topic(topic_name, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")

    async def agent(stream) -> None:
        async for events in stream.noack_take(batch_max, within=batch_wait_s):
            await processor.process_batch([ConsumedRecord.from_faust(event) for event in events])
            for event in events:
                await stream.ack(event)

    return app.agent(topic, name=f"{app.conf.id}.{topic_name}")(agent)
