"""Kafka clients configured the one way this project uses them."""

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient


def idempotent_producer(servers: list[str]) -> AIOKafkaProducer:
    """acks=all and idempotence: a retried send never duplicates or reorders within a partition."""
    return AIOKafkaProducer(
        bootstrap_servers=servers,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        request_timeout_ms=30_000,
    )


def admin_client(servers: list[str]) -> AIOKafkaAdminClient:
    return AIOKafkaAdminClient(bootstrap_servers=servers, request_timeout_ms=10_000)
