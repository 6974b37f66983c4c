"""What every worker is configured with, from environment variables with safe local defaults (see
the README table): Kafka, the database, logging, retries, batching and the web interface. A service's
own settings (its port, its rules, its files) are a ``ServiceSettings`` of its own, in its folder."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    # Errors never echo their input: it holds passwords (KAFKA_SASL_PASSWORD, DATABASE_URL).
    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, frozen=True, hide_input_in_errors=True)

    kafka_bootstrap_servers: str = Field(default="127.0.0.1:9092", description="Comma-separated host:port list.")
    kafka_security_protocol: Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL", "SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN"] = "SCRAM-SHA-256"
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = Field(default=None, description="A SecretStr: never printed by repr or logs.")
    kafka_ssl_cafile: Path | None = Field(
        default=None, description="CA bundle for the broker's certificate; system CAs if unset."
    )
    kafka_ssl_certfile: Path | None = Field(default=None, description="Client certificate (PEM), for brokers that require one.")
    kafka_ssl_keyfile: Path | None = Field(default=None, description="The client certificate's private key (PEM).")
    database_url: str = Field(default="postgresql://ind:ind@127.0.0.1:54329/ind")
    database_pool_size: int = Field(default=8, ge=1, le=50)
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        default="info", description="Any case (LOG_LEVEL=INFO as Python spells it); warn means warning."
    )
    event_loop: Literal["uvloop", "asyncio"] = Field(
        default="uvloop", description="A worker's event loop: uvloop (libuv's), or the standard library's."
    )
    handler_max_attempts: int = Field(default=5, ge=1, description="Tries before an event is dead-lettered.")
    handler_backoff_s: float = Field(default=0.2, gt=0, description="First retry delay; doubles per try.")
    handler_backoff_max_s: float = Field(default=10.0, gt=0)
    handler_not_ready_max_s: float = Field(
        default=600.0, gt=0, description="How long an event may wait for the event it depends on before it is parked."
    )
    batch_max_records: int = Field(
        default=500, ge=1, description="Most records handled in one shared transaction; 1 handles each on its own."
    )
    batch_wait_s: float = Field(
        default=0.01, gt=0, description="How long a consumer waits for a batch to fill before handling what it has."
    )
    web_host: str = Field(default="127.0.0.1", description="Interface the HTTP APIs listen on.")

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level_in_lower_case(cls, value: object) -> object:
        """Operators write levels as Python's logging does (INFO, WARN); the workers use lower case."""
        if not isinstance(value, str):
            return value
        level = value.lower()
        return "warning" if level == "warn" else level

    @model_validator(mode="after")
    def _sasl_needs_credentials(self) -> "Settings":
        """Fail at start-up, not at the first connection, when a SASL protocol lacks its user."""
        if self.kafka_security_protocol.startswith("SASL") and not (self.kafka_sasl_username and self.kafka_sasl_password):
            raise ValueError(
                f"KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD"
            )
        return self

    @property
    def kafka_servers(self) -> list[str]:
        return [s.strip() for s in self.kafka_bootstrap_servers.split(",") if s.strip()]


@lru_cache
def get_settings() -> Settings:
    return Settings()


class ServiceSettings(BaseSettings):
    """The base of a service's own settings, read from the environment as the runtime's are. A
    service gives ``web_port`` its default and its variable (``<SERVICE>_WEB_PORT``)."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, frozen=True, hide_input_in_errors=True)

    web_port: int


class Misconfigured(Exception):
    """A setting names something the service cannot use (a file missing or malformed), so the
    worker must not start; the worker says which setting and why in one line."""
