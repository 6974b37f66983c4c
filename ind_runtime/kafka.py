"""Kafka clients configured the one way this project uses them, and how every client authenticates.

Security (SASL/SCRAM, TLS) comes from the settings and is turned into client options here and only
here: the workers' producers, Faust's consumers and producers, and the admin commands all take it
from this module, so a broker that requires credentials is a matter of configuration, not code.
"""

import ssl
from typing import Any

import faust
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.helpers import create_ssl_context
from faust.types.auth import CredentialsT

from ind_runtime.settings import Settings, get_settings
from schemas.topics import DEAD_LETTER_MAX_RECORD_BYTES

_TLS = {"SSL", "SASL_SSL"}
_SASL = {"SASL_PLAINTEXT", "SASL_SSL"}


def client_security(settings: Settings) -> dict[str, Any]:
    """aiokafka's security options (``security_protocol``, ``sasl_*``, ``ssl_context``) for any client."""
    protocol = settings.kafka_security_protocol
    options: dict[str, Any] = {"security_protocol": protocol}
    if protocol in _TLS:
        options["ssl_context"] = _tls_context(settings)
    if protocol in _SASL:
        options |= {
            "sasl_mechanism": settings.kafka_sasl_mechanism,
            "sasl_plain_username": settings.kafka_sasl_username,
            "sasl_plain_password": _password(settings),
        }
    return options


def faust_credentials(settings: Settings) -> CredentialsT | None:
    """The same security as ``client_security``, in the form Faust's ``broker_credentials`` takes."""
    protocol = settings.kafka_security_protocol
    if protocol in _SASL:
        return faust.SASLCredentials(
            username=settings.kafka_sasl_username,
            password=_password(settings),
            mechanism=settings.kafka_sasl_mechanism,
            ssl_context=_tls_context(settings) if protocol in _TLS else None,
        )
    if protocol in _TLS:
        return faust.SSLCredentials(_tls_context(settings))
    return None


def _password(settings: Settings) -> str:
    """The SASL password, which the settings require with every SASL protocol."""
    assert settings.kafka_sasl_password is not None
    return settings.kafka_sasl_password.get_secret_value()


def _tls_context(settings: Settings) -> ssl.SSLContext:
    """Verifies the broker's certificate and host name (system CAs unless a CA file is given)."""
    return create_ssl_context(
        cafile=settings.kafka_ssl_cafile, certfile=settings.kafka_ssl_certfile, keyfile=settings.kafka_ssl_keyfile
    )


def idempotent_producer(servers: list[str], settings: Settings | None = None) -> AIOKafkaProducer:
    """acks=all and idempotence: a retried send never duplicates or reorders within a partition.

    It authenticates as ``settings`` say, this process's own settings unless given.
    """
    return AIOKafkaProducer(
        bootstrap_servers=servers,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        request_timeout_ms=30_000,
        **client_security(settings or get_settings()),
    )


def dead_letter_producer(servers: list[str], settings: Settings | None = None) -> AIOKafkaProducer:
    """The producer that parks records, apart from the one that publishes events.

    Not idempotent: after the broker refuses one batch (a dead-letter topic whose limit an operator
    lowered, say), an idempotent producer fails every later send with OutOfOrderSequenceNumber, and
    that must never reach the outbox. A dead letter sent twice is harmless; one lost is not, hence
    acks=all. It may send what the largest topic, a dead-letter topic, accepts.
    """
    return AIOKafkaProducer(
        bootstrap_servers=servers,
        acks="all",
        enable_idempotence=False,
        max_request_size=DEAD_LETTER_MAX_RECORD_BYTES,
        request_timeout_ms=30_000,
        **client_security(settings or get_settings()),
    )


def admin_client(servers: list[str], settings: Settings | None = None) -> AIOKafkaAdminClient:
    """Authenticates as ``settings`` say, this process's own settings unless given."""
    return AIOKafkaAdminClient(
        bootstrap_servers=servers, request_timeout_ms=10_000, **client_security(settings or get_settings())
    )
