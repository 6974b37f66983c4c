"""Notify's own settings: its port, the SMTP server it sends through, how it retries an email, and
how it writes the links with which applicants manage their own bookings, book a slot an alert found
and stop the alert (the runtime's are in ``ind_runtime.settings``)."""

from pydantic import Field

from ind_runtime.settings import ServiceSettings
from schemas.manage_links import ManageLinkKey
from services.notify.appointment_changes import DEFAULT_PORTAL_URL


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
    manage_link_key: ManageLinkKey = Field(
        default=None,
        description=(
            "MANAGE_LINK_KEY: the key biometrics derives applicants' manage tokens with (the same value); notify derives "
            "the token again for the link in a booking's email. Unset, the email goes without the link."
        ),
    )
    manage_url: str = Field(
        default="http://127.0.0.1:6070/{language}/manage",
        description="MANAGE_URL: the portal's page where applicants manage a booking ({language}: en or nl); the token follows after '#'.",
    )
    portal_url: str = Field(
        default=DEFAULT_PORTAL_URL,
        description=(
            "PORTAL_URL: the applicants' portal, for the links in the email about a free slot an alert found: "
            "{PORTAL_URL}/{language}/book/slots?product=..&persons=..&desk=.. to book it, and "
            "{PORTAL_URL}/{language}/alerts/stop#token=.. to stop the alert (with MANAGE_LINK_KEY only)."
        ),
    )
