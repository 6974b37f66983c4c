"""The desk service's own settings: its port, desk capacity, no-shows, its waiting list's pass, the
token of its desk day, and the applicants' own bookings: how long a hold lasts, the key their manage
tokens are derived with (shared with notify), their rate limits, and the pass over their alerts for
free slots (the runtime's are in ``ind_runtime.settings``)."""

import re
from pathlib import Path

from pydantic import Field, SecretStr, field_validator

from ind_runtime.settings import ServiceSettings
from schemas.manage_links import ManageLinkKey

DESK_DAY_TOKEN_MIN_LENGTH = 32
_BEARER_TOKEN = re.compile(r"[A-Za-z0-9._~+/-]+=*")  # RFC 6750's b64token: what an Authorization header carries as is


class DeskSettings(ServiceSettings):
    web_port: int = Field(default=6068, ge=1, le=65535, validation_alias="biometrics_web_port", description="BIOMETRICS_WEB_PORT")
    no_show_limit: int = Field(default=3, ge=1, description="No-shows before a case is flagged for a caseworker.")
    desk_capacity_file: Path | None = Field(default=None, description="JSON overrides of desk capacity.")
    timer_interval_s: float = Field(default=30.0, gt=0, description="How often the pass over bookings waiting for a slot runs.")
    desk_day_token: SecretStr | None = Field(
        default=None,
        description=(
            "DESK_DAY_TOKEN: the bearer token decision sends to read a desk's day for the desk officers' console "
            "(GET /desks/{location}/day); at least 32 characters. Unset, that endpoint answers 503."
        ),
    )

    hold_minutes: float = Field(
        default=10.0, gt=0, le=60, description="HOLD_MINUTES: how long a slot an applicant holds stays theirs to book."
    )
    hold_sweep_interval_s: float = Field(default=30.0, gt=0, description="How often a pass frees the seats of expired holds.")
    manage_link_key: ManageLinkKey = Field(
        default=None,
        description=(
            "MANAGE_LINK_KEY: the key applicants' manage tokens are derived with (schemas/manage_links.py); notify "
            "needs the same one to write manage links. At least 32 characters. Unset, applicants cannot book (503)."
        ),
    )
    hold_rate_per_minute: int = Field(default=20, ge=1, description="Holds a client address may place a minute.")
    book_rate_per_minute: int = Field(default=6, ge=1, description="Bookings a client address may make a minute.")
    manage_rate_per_minute: int = Field(
        default=10,
        ge=1,
        description="Look-ups, moves and cancellations (and alerts stopped) a client address may ask for a minute.",
    )
    alert_rate_per_minute: int = Field(
        default=5, ge=1, description="ALERT_RATE_PER_MINUTE: alerts for free slots a client address may ask for a minute."
    )
    alert_interval_s: float = Field(
        default=30.0,
        gt=0,
        description=(
            "ALERT_INTERVAL_S: how often the pass over applicants' alerts runs, which finds each a free slot that suits it "
            "(an email, at most one a pass and three a day an alert)."
        ),
    )

    @field_validator("desk_day_token")
    @classmethod
    def _token_hard_to_guess(cls, token: SecretStr | None) -> SecretStr | None:
        """Refuse at start-up a token short enough to guess, or one no Authorization header can
        carry as it is (a space, or a newline left over from the file it was read from)."""
        if token is None:
            return None
        value = token.get_secret_value()
        if len(value) < DESK_DAY_TOKEN_MIN_LENGTH:
            raise ValueError(
                f"must be at least {DESK_DAY_TOKEN_MIN_LENGTH} characters, such as "
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'` prints, or unset to turn the desk day off"
            )
        if not _BEARER_TOKEN.fullmatch(value):
            raise ValueError("may hold only ASCII letters, digits and - . _ ~ + / (and = at its end), as a bearer token does")
        return token

    portal_proxy_token: SecretStr | None = Field(
        default=None,
        description="The token with which the applicants' portal vouches for the client address it forwards (PORTAL_PROXY_TOKEN).",
    )
