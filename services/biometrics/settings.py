"""The desk service's own settings: its port, desk capacity, no-shows and its waiting list's pass
(the runtime's are in ``ind_runtime.settings``)."""

from pathlib import Path

from pydantic import Field

from ind_runtime.settings import ServiceSettings


class DeskSettings(ServiceSettings):
    web_port: int = Field(default=6068, ge=1, le=65535, validation_alias="biometrics_web_port", description="BIOMETRICS_WEB_PORT")
    no_show_limit: int = Field(default=3, ge=1, description="No-shows before a case is flagged for a caseworker.")
    desk_capacity_file: Path | None = Field(default=None, description="JSON overrides of desk capacity.")
    timer_interval_s: float = Field(default=30.0, gt=0, description="How often the pass over bookings waiting for a slot runs.")
