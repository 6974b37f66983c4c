"""The portal's settings: its port, where the services it asks are, and its secrets."""

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class PortalSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, frozen=True, hide_input_in_errors=True)

    web_port: int = Field(default=6070, ge=1, le=65535, validation_alias="portal_web_port", description="PORTAL_WEB_PORT")
    web_host: str = Field(default="127.0.0.1", description="Interface the portal listens on.")
    decision_url: str = Field(default="http://127.0.0.1:6069", description="The decision service's web address.")
    biometrics_url: str = Field(default="http://127.0.0.1:6068", description="The desk service's web address.")
    portal_proxy_token: SecretStr | None = Field(
        default=None,
        description="Vouches for the visitor addresses the portal forwards; the same value on decision and biometrics.",
    )
    portal_key: SecretStr | None = Field(
        default=None,
        description="Fernet key for the portal's CSRF cookie and calendar links; unset, one is made at start (links end with the process).",
    )
    log_level: str = Field(default="info")
