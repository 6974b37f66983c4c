"""The decision service's own settings: its port, its caseworkers and the tools that sign for them,
the console, deadlines and document production (the runtime's are in ``ind_runtime.settings``)."""

from pathlib import Path

from pydantic import Field, SecretStr

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
    console_tool_id: str = Field(
        default="console", description="The tool id the console signs commands as; its key is in CASEWORKER_TOOL_KEYS."
    )
    console_session_key: SecretStr | None = Field(
        default=None,
        description=(
            "Fernet key (32 url-safe base64 bytes) that signs and encrypts console sessions. Unset, each worker makes "
            "its own at start, so sessions end with it and do not carry over to a second worker."
        ),
    )
    console_session_idle_s: int = Field(default=30 * 60, ge=60, description="A console session ends after this long unused.")
    console_session_max_s: int = Field(default=10 * 3600, ge=60, description="A console session ends this long after sign-in.")
    console_secure_cookie: bool = Field(default=False, description="Send the session cookie over HTTPS only (set it behind TLS).")
    console_origin: str | None = Field(
        default=None,
        description="The console's origin as browsers see it (https://console.ind.example), behind a proxy that terminates TLS.",
    )
    desk_day_url: str = Field(default="http://127.0.0.1:6068", description="Biometrics' web address, for the desk's day.")
    desk_day_token: SecretStr | None = Field(default=None, description="The bearer token biometrics' desk day asks for.")
    portal_proxy_token: SecretStr | None = Field(
        default=None,
        description="The token with which the applicants' portal vouches for the client address it forwards (PORTAL_PROXY_TOKEN).",
    )
