"""Kafka security comes from settings alone, and the aiokafka clients and Faust get the same from it."""

import ssl

import pytest
from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth
from pydantic import ValidationError

from ind_runtime.kafka import client_security, faust_credentials
from ind_runtime.settings import Settings

SASL = dict(kafka_sasl_username="ind", kafka_sasl_password="s3cret-password")


def test_plaintext_is_the_default_and_adds_nothing():
    settings = Settings()
    assert client_security(settings) == {"security_protocol": "PLAINTEXT"}
    assert faust_credentials(settings) is None


def test_sasl_plaintext_authenticates_with_scram_sha_256_by_default():
    settings = Settings(kafka_security_protocol="SASL_PLAINTEXT", **SASL)
    assert client_security(settings) == {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-256",
        "sasl_plain_username": "ind",
        "sasl_plain_password": "s3cret-password",
    }


@pytest.mark.parametrize("protocol", ["SSL", "SASL_SSL"])
def test_tls_verifies_the_brokers_certificate_and_host_name(protocol):
    options = client_security(Settings(kafka_security_protocol=protocol, **SASL))
    context = options["ssl_context"]
    assert isinstance(context, ssl.SSLContext)
    assert (context.verify_mode, context.check_hostname) == (ssl.CERT_REQUIRED, True)


@pytest.mark.parametrize(
    "overrides",
    [
        dict(kafka_security_protocol="SASL_PLAINTEXT", kafka_sasl_mechanism="SCRAM-SHA-512", **SASL),
        dict(kafka_security_protocol="SASL_SSL", kafka_sasl_mechanism="PLAIN", **SASL),
        dict(kafka_security_protocol="SSL"),
    ],
    ids=["sasl plaintext", "sasl ssl", "ssl"],
)
def test_faust_connects_exactly_as_the_other_clients_do(overrides):
    settings = Settings(**overrides)
    ours, fausts = client_security(settings), credentials_to_aiokafka_auth(faust_credentials(settings))
    assert {k: v for k, v in fausts.items() if v is not None and k != "ssl_context"} == {
        k: v for k, v in ours.items() if k != "ssl_context"
    }
    assert ("ssl_context" in ours) == isinstance(fausts.get("ssl_context"), ssl.SSLContext)


@pytest.mark.parametrize("missing", ["kafka_sasl_username", "kafka_sasl_password"])
def test_a_sasl_protocol_without_username_or_password_is_refused_at_start_up_without_echoing_the_password(missing):
    given = {k: v for k, v in SASL.items() if k != missing}
    with pytest.raises(ValidationError, match="needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD") as error:
        Settings(kafka_security_protocol="SASL_PLAINTEXT", **given)
    assert "s3cret-password" not in str(error.value)


def test_the_password_is_not_shown_when_settings_are_printed():
    settings = Settings(kafka_security_protocol="SASL_PLAINTEXT", **SASL)
    assert "s3cret-password" not in repr(settings) and "s3cret-password" not in str(settings)
