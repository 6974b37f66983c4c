"""The manage token of an applicant's own booking, and the unsubscribe token of an alert for a free
slot: derived from a reference with a key that the desk service (biometrics) and notify share, so
that no event and no table holds a token in clear.

When an applicant books, biometrics draws a random reference, derives the token from it, answers the
token to the applicant, keeps only the token's SHA-256 (``token_hash``) to find the booking by, and
puts the reference on the event. Without the key the reference manages nothing; notify, which holds
the key, derives the token again to write the manage link into the confirmation email. The link
carries the token after ``#``, a part of a URL that browsers never send to a server, so no access
log sees it; the page there sends it in a request's body or Authorization header.

An alert's unsubscribe token is derived the same way for another purpose, so that neither kind of
token can stand in for the other, whatever the references.
"""

import hashlib
import hmac
import secrets
from base64 import urlsafe_b64encode
from typing import Annotated

from pydantic import AfterValidator, SecretStr

MANAGE_KEY_MIN_LENGTH = 32
"""The least a ``MANAGE_LINK_KEY`` may hold, in characters."""
_PURPOSE = b"nl.ind.appointment.manage.v1\n"
_UNSUBSCRIBE_PURPOSE = b"nl.ind.slot_alert.unsubscribe.v1\n"


def _long_enough(key: SecretStr | None) -> SecretStr | None:
    """``key`` if it is long enough to be a ``MANAGE_LINK_KEY`` (biometrics and notify read the same
    one), else a ``ValueError`` that says so (the settings name the variable)."""
    if key is not None and len(key.get_secret_value()) < MANAGE_KEY_MIN_LENGTH:
        raise ValueError(f"must be at least {MANAGE_KEY_MIN_LENGTH} characters, the same in biometrics and notify")
    return key


ManageLinkKey = Annotated[SecretStr | None, AfterValidator(_long_enough)]
"""The type of the ``MANAGE_LINK_KEY`` setting, for each service that reads it."""


def new_reference() -> str:
    """A fresh reference: 128 random bits, URL-safe."""
    return secrets.token_urlsafe(16)


def manage_token(key: bytes, reference: str) -> str:
    """The token of the booking with ``reference``: HMAC-SHA256 under ``key``, 43 URL-safe characters."""
    return _derived(key, _PURPOSE, reference)


def unsubscribe_token(key: bytes, reference: str) -> str:
    """The token that stops the alert with ``reference``, derived as a manage token is."""
    return _derived(key, _UNSUBSCRIBE_PURPOSE, reference)


def _derived(key: bytes, purpose: bytes, reference: str) -> str:
    digest = hmac.new(key, purpose + reference.encode(), hashlib.sha256).digest()
    return urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> bytes:
    """What is kept of a token, and looked up by: its SHA-256 (any text hashes, however odd)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


def manage_link(base_url: str, token: str) -> str:
    """The link to manage a booking, with its token in the fragment (never sent to a server)."""
    return f"{base_url}#token={token}"
