"""Notify's own settings: its port, the SMTP server it sends through, and how it retries an email
(the runtime's are in ``ind_runtime.settings``)."""

from pydantic import Field

from ind_runtime.settings import ServiceSettings


class NotifySettings(ServiceSettings):
    web_port: int = Field(default=6067, ge=1, le=65535, validation_alias="notify_web_port", description="NOTIFY_WEB_PORT")
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=8025, ge=1, le=65535)
    smtp_sender: str = "IND <no-reply@ind.example>"
    smtp_timeout_s: float = Field(default=10.0, gt=0)
    smtp_sessions: int = Field(default=4, ge=1, le=32, description="SMTP sessions a mail dispatcher sends over side by side.")
    email_max_attempts: int = Field(default=10, ge=1, description="SMTP tries before an email is parked.")
    email_backoff_s: float = Field(default=1.0, gt=0, description="First SMTP retry delay; doubles per try.")
    email_backoff_max_s: float = Field(default=60.0, gt=0)
