"""The workers against a broker that requires SASL/SCRAM: configured only through KAFKA_* variables,
intake and notify authenticate and carry a submission to its receipt; a client without the right
credentials gets nothing onto the broker.

The broker is the local stack's optional ``kafka-sasl`` part (``make test`` starts it) with its
development user. The workers run on a database of their own and on topics recreated for them.
"""

import asyncio
import socket

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from harness.applications import encode, submission
from harness.processes import ServiceProcess
from harness.smtp import free_port
from ind_runtime.admin import ensure_topics
from ind_runtime.kafka import client_security, idempotent_producer
from ind_runtime.settings import Settings
from schemas.topics import SUBMISSIONS
from tests.conftest import eventually, fresh_database

SASL_SERVERS = ["127.0.0.1:9094"]
SASL_USERNAME, SASL_PASSWORD = "ind", "ind-local-dev-only"  # deploy/local/stack.sh's development user
SASL_ENV = {
    "KAFKA_BOOTSTRAP_SERVERS": ",".join(SASL_SERVERS),
    "KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
    "KAFKA_SASL_MECHANISM": "SCRAM-SHA-256",
    "KAFKA_SASL_USERNAME": SASL_USERNAME,
    "KAFKA_SASL_PASSWORD": SASL_PASSWORD,
}
READY = "worker resources ready"


def sasl_settings(**overrides) -> Settings:
    return Settings(**{name.lower(): value for name, value in SASL_ENV.items()} | overrides)


@pytest.fixture(scope="module")
def sasl_broker() -> Settings:
    host, port = SASL_SERVERS[0].rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=2).close()
    except OSError:
        pytest.fail(f"no SASL broker at {SASL_SERVERS[0]}: run `make test` (or `deploy/local/stack.sh up kafka-sasl`)")
    return sasl_settings()


@pytest.fixture(scope="module")
async def sasl_workers(sasl_broker, smtp_server, tmp_path_factory):
    """intake and notify as real worker processes, configured for the SASL broker by environment only."""
    await ensure_topics(SASL_SERVERS, recreate=True, settings=sasl_broker)
    logs = tmp_path_factory.mktemp("sasl-worker-logs")
    async with fresh_database("sasl") as database_url:
        env = {
            **SASL_ENV,
            "DATABASE_URL": database_url,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp_server.port),
            "INTAKE_WEB_PORT": str(free_port()),
            "NOTIFY_WEB_PORT": str(free_port()),
        }
        workers = [ServiceProcess(service, logs, env).start() for service in ("intake", "notify")]
        try:
            for worker in workers:
                worker.wait_for_log(READY)
            yield workers
        finally:
            for worker in workers:
                worker.stop()


async def test_workers_on_a_sasl_broker_turn_a_submission_into_a_receipt_and_never_log_the_password(
    sasl_workers, sasl_broker, smtp_server
):
    document = submission()
    producer = idempotent_producer(SASL_SERVERS, sasl_broker)
    await producer.start()
    try:
        await producer.send_and_wait(SUBMISSIONS.name, encode(document), key=document["id"].encode())
    finally:
        await producer.stop()

    recipient = document["data"]["applicant"]["email"]

    async def receipt():
        return [m for m in smtp_server.to(recipient) if m["X-IND-Email-Kind"] == "application_received"]

    await eventually(receipt, message="the receipt email through the SASL broker")
    for worker in sasl_workers:
        assert SASL_PASSWORD not in worker.log_path.read_text(errors="replace")


@pytest.mark.parametrize(
    "security",
    [{"security_protocol": "PLAINTEXT"}, client_security(sasl_settings(kafka_sasl_password="not-the-password"))],
    ids=["without credentials", "with a wrong password"],
)
async def test_a_client_without_valid_credentials_cannot_produce(sasl_broker, security):
    producer = AIOKafkaProducer(bootstrap_servers=SASL_SERVERS, request_timeout_ms=5_000, **security)
    try:
        with pytest.raises((KafkaError, TimeoutError)):
            async with asyncio.timeout(15):
                await producer.start()
                await producer.send_and_wait(SUBMISSIONS.name, encode(submission()), key=b"unauthenticated")
    finally:
        await producer.stop()
