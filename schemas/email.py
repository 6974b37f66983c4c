"""An email address type that validates like pydantic's ``EmailStr`` and remembers what it checked.

Every stage re-validates the applicant's address whenever it reads or builds an event that carries
it; ``email_validator`` is slow enough to show up in profiles, and the answer for a given address
never changes, so each process validates an address once.
"""

from functools import lru_cache
from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema
from pydantic.networks import validate_email


@lru_cache(maxsize=65536)
def _normalised(address: str) -> str:
    return validate_email(address)[1]


EmailAddress = Annotated[str, AfterValidator(_normalised), WithJsonSchema({"type": "string", "format": "email"})]
