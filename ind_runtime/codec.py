"""Bytes to frozen pydantic events and back; the only place a consumed value is parsed."""

from functools import lru_cache
from typing import Any

from pydantic import TypeAdapter


@lru_cache(maxsize=None)
def _adapter(message_type: Any) -> TypeAdapter:
    return TypeAdapter(message_type)


def decode(message_type: Any, value: bytes | None) -> Any:
    """Validate ``value`` as ``message_type`` (a model or a discriminated union of models).

    Raises ``pydantic.ValidationError``, which the record processor treats as permanent: a record
    that does not match its contract today will not match it on a retry either.
    """
    return _adapter(message_type).validate_json(value or b"")
