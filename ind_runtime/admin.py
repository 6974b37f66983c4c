"""Operator commands: is Kafka up, create the catalogue's topics.

    python -m ind_runtime.admin ping-kafka
    python -m ind_runtime.admin create-topics [--recreate]

Both connect as the workers do, with the KAFKA_* settings (SASL and TLS included).
"""

import asyncio

import typer
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import NewTopic
from aiokafka.errors import TopicAlreadyExistsError, UnknownTopicOrPartitionError

from ind_runtime.kafka import admin_client, client_security
from ind_runtime.settings import Settings, get_settings
from schemas.topics import all_topics

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


async def ensure_topics(servers: list[str], recreate: bool = False, settings: Settings | None = None) -> list[str]:
    """Create every catalogue topic that is missing (all of them, after deleting, with ``recreate``).

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
        missing = [name for name in wanted if name not in set(await admin.list_topics())]
        new = [
            NewTopic(
                name=name,
                num_partitions=wanted[name].partitions,
                replication_factor=1,
                topic_configs={"retention.ms": str(wanted[name].retention_ms), "max.message.bytes": "1048576"},
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


async def _wait_until_led(servers: list[str], settings: Settings | None, topics: list[NewTopic]) -> None:
    """Return once the broker leads every partition of ``topics``: a producer that starts sooner
    holds its first records back (NotLeaderForPartition) for a second or two."""
    consumer = AIOKafkaConsumer(bootstrap_servers=servers, enable_auto_commit=False, **client_security(settings or get_settings()))
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


if __name__ == "__main__":
    cli()
