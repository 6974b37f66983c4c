"""Operator commands: is Kafka up, create the catalogue's topics (and bring the settings of
existing ones in line with it).

    python -m ind_runtime.admin ping-kafka
    python -m ind_runtime.admin create-topics [--recreate]
    python -m ind_runtime.admin kept-records

Both connect as the workers do, with the KAFKA_* settings (SASL and TLS included).
"""

import asyncio

import asyncpg
import typer
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import TopicAlreadyExistsError, UnknownTopicOrPartitionError

from ind_runtime.kafka import admin_client, client_security
from ind_runtime.settings import Settings, get_settings
from schemas.topics import Topic, all_topics

cli = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)


def _servers(bootstrap: str | None) -> list[str]:
    return bootstrap.split(",") if bootstrap else get_settings().kafka_servers


@cli.command("ping-kafka")
def ping_kafka(bootstrap: str | None = typer.Option(None, help="host:port; default KAFKA_BOOTSTRAP_SERVERS")) -> None:
    """Exit 0 when the broker answers a metadata request."""
    servers, settings = _servers(bootstrap), get_settings()  # a configuration error is not "not answering"

    async def ping() -> None:
        admin = admin_client(servers, settings)
        await admin.start()
        try:
            await admin.list_topics()
        finally:
            await admin.close()

    try:
        asyncio.run(ping())
    except Exception as error:  # noqa: BLE001 - any failure means "not answering"
        typer.echo(f"kafka not answering: {type(error).__name__}", err=True)
        raise typer.Exit(1) from error


def topic_configs(topic: Topic) -> dict[str, str]:
    """The settings the catalogue gives a topic; every other setting is the broker's default."""
    return {"retention.ms": str(topic.retention_ms), "max.message.bytes": str(topic.max_record_bytes)}


async def ensure_topics(servers: list[str], recreate: bool = False, settings: Settings | None = None) -> list[str]:
    """Create every catalogue topic that is missing (all of them, after deleting, with ``recreate``),
    and give every existing one the settings the catalogue gives it now (a dead-letter topic made
    before its limit was raised, say); returns the names created.

    Connects as ``settings`` say, this process's own settings unless given.
    """
    admin = admin_client(servers, settings)
    await admin.start()
    try:
        wanted = {t.name: t for t in all_topics()}
        if recreate:
            existing = set(await admin.list_topics()) & wanted.keys()
            if existing:
                try:
                    await admin.delete_topics(sorted(existing))
                except UnknownTopicOrPartitionError:
                    pass
                await _wait_until_gone(admin, existing)
        existing = set(await admin.list_topics())
        missing = [name for name in wanted if name not in existing]
        await _reconcile_configs(admin, [wanted[name] for name in wanted if name in existing])
        new = [
            NewTopic(
                name=name,
                num_partitions=wanted[name].partitions,
                replication_factor=1,
                topic_configs=topic_configs(wanted[name]),
            )
            for name in missing
        ]
        if new:
            try:
                await admin.create_topics(new)
            except TopicAlreadyExistsError:
                pass
            await _wait_until_led(servers, settings, new)
        return missing
    finally:
        await admin.close()


async def _reconcile_configs(admin, topics: list[Topic]) -> None:
    """Alter the topics whose settings differ from the catalogue's (only those: altering needs a
    permission that a deployment may grant only when there is something to change)."""
    if not topics:
        return
    resources = [ConfigResource(ConfigResourceType.TOPIC, t.name, dict.fromkeys(topic_configs(t))) for t in topics]
    current: dict[str, dict[str, str]] = {}
    for response in await admin.describe_configs(resources):
        for _error, _message, _type, name, entries in response.resources:
            current[name] = {entry[0]: entry[1] for entry in entries}
    stale = [t for t in topics if current.get(t.name) != topic_configs(t)]
    if not stale:
        return
    for response in await admin.alter_configs(
        [ConfigResource(ConfigResourceType.TOPIC, t.name, topic_configs(t)) for t in stale]
    ):
        refused = [(name, message or code) for code, message, _type, name in response.resources if code]
        if refused:
            raise RuntimeError(f"the broker refused to change the settings of {refused}")


async def _wait_until_led(servers: list[str], settings: Settings | None, topics: list[NewTopic]) -> None:
    """Return once the broker leads every partition of ``topics``: a producer that starts sooner
    holds its first records back (NotLeaderForPartition) for a second or two."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=servers, enable_auto_commit=False, **client_security(settings or get_settings())
    )
    await consumer.start()
    try:
        await consumer.end_offsets([TopicPartition(t.name, p) for t in topics for p in range(t.num_partitions)])
    finally:
        await consumer.stop()


async def _wait_until_gone(admin, names: set[str]) -> None:
    for _ in range(100):
        if not names & set(await admin.list_topics()):
            return
        await asyncio.sleep(0.2)
    raise RuntimeError(f"topics still present after delete: {sorted(names)}")


@cli.command("create-topics")
def create_topics(
    recreate: bool = typer.Option(False, help="delete the catalogue's topics first (loses their data)"),
) -> None:
    """Create every topic of the catalogue (schemas/topics.py) that does not exist yet."""
    created = asyncio.run(ensure_topics(get_settings().kafka_servers, recreate))
    typer.echo(f"created {len(created)} topics; {len(all_topics())} in the catalogue")


@cli.command("kept-records")
def kept_records() -> None:
    """List the records kept in PostgreSQL because their dead-letter topic would not take them:
    where each came from, who could not handle it, why, and why the dead-letter topic refused it
    (never the record's bytes, which may hold personal data)."""

    async def listing() -> list:
        connection = await asyncpg.connect(get_settings().database_url)
        try:
            return await connection.fetch(
                """select consumer, topic, partition, "offset", kept_at, reason->>'dlq.error.type' as error, refused_by
                   from runtime.kept_records order by id"""
            )
        finally:
            await connection.close()

    try:
        rows = asyncio.run(listing())
    except asyncpg.UndefinedTableError:
        rows = []  # no worker of a version that keeps records has run on this database yet
    for row in rows:
        typer.echo(
            f"{row['kept_at']:%Y-%m-%d %H:%M:%S} {row['consumer']} {row['topic']}-{row['partition']}-{row['offset']} "
            f"{row['error']}; dead-letter topic refused: {row['refused_by'][:200]}"
        )
    typer.echo(f"{len(rows)} records kept")


if __name__ == "__main__":
    cli()
