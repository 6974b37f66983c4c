"""Intake's own settings (the runtime's are in ``ind_runtime.settings``)."""

from pydantic import Field

from ind_runtime.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    web_port: int = Field(default=6066, ge=1, le=65535, validation_alias="intake_web_port", description="INTAKE_WEB_PORT")
