"""The decision service's own settings: its port, its caseworkers and the tools that sign for them,
deadlines and document production (the runtime's are in ``ind_runtime.settings``)."""

from pathlib import Path

from pydantic import Field

from ind_runtime.settings import ServiceSettings

DEFAULT_TOOL_KEYS = Path(__file__).resolve().parent / "tool_keys.json"


class DecisionSettings(ServiceSettings):
    web_port: int = Field(default=6069, ge=1, le=65535, validation_alias="decision_web_port", description="DECISION_WEB_PORT")
    deadline_warning_days: int = Field(default=14, ge=0, description="Warn this many days before a deadline.")
    timer_interval_s: float = Field(default=30.0, gt=0, description="How often the deadline and document timers run.")
    document_lead_time_s: float = Field(default=5 * 24 * 3600, ge=0, description="Time to produce a residence document.")
    caseworker_roster: Path | None = Field(default=None, description="JSON roster; default services/decision/roster.json.")
    caseworker_tool_keys: Path = Field(
        default=DEFAULT_TOOL_KEYS, description="JSON {tool id: key} of the tools that may sign commands."
    )
