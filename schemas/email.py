"""Email address types: validated in full where an address enters, checked for shape after that.

An address enters with a submission, and intake validates it as pydantic's ``EmailStr`` does and
writes it on in its normalised form. Every later event that carries it (a registered case) is
written by intake alone and read by every stage. Validating it again took up to a quarter of a
stage's time when it drained registrations alone, so the stages check only what every normalised
address looks like.
Both types export the same JSON Schema.
"""

from typing import Annotated

from pydantic import AfterValidator, StringConstraints, WithJsonSchema
from pydantic.networks import validate_email

_JSON_SCHEMA = WithJsonSchema({"type": "string", "format": "email"})


def _normalised(address: str) -> str:
    return validate_email(address)[1]


EmailAddress = Annotated[str, AfterValidator(_normalised), _JSON_SCHEMA]
"""An address as an applicant typed it: validated, and replaced by its normalised form."""

# email_validator's normalised form: at most 254 characters, one "@" between a local part and a
# domain, no white space (it refuses quoted local parts and domain literals)
RegisteredEmailAddress = Annotated[str, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+$"), _JSON_SCHEMA]
"""An address intake has validated and normalised, as later events carry it."""
