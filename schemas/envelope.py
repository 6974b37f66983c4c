"""CloudEvents 1.0 in structured mode: the envelope every event and command travels in."""

from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, Literal, TypeVar, get_args
from uuid import uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

DataT = TypeVar("DataT", bound=BaseModel)
MAX_ID_LENGTH = 200


class Payload(BaseModel):
    """Base of every ``data`` payload: immutable, and tolerant of fields added by newer producers."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class CloudEvent(BaseModel, Generic[DataT]):
    """A CloudEvents 1.0 envelope; subclasses pin ``type`` and ``data``.

    Unknown top-level attributes are CloudEvents extensions and are ignored, not refused.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    EVENT_TYPE: ClassVar[str]

    specversion: Literal["1.0"] = Field(description="CloudEvents version; always 1.0.")
    id: str = Field(
        min_length=1,
        max_length=MAX_ID_LENGTH,
        description="Unique per source; for a submission it is the idempotency key.",
    )
    source: str = Field(min_length=1, max_length=500, description="URI-reference of the producer.")
    type: str
    time: AwareDatetime = Field(description="When the occurrence happened (RFC 3339).")
    subject: str | None = Field(default=None, max_length=200, description="Case number or id.")
    datacontenttype: Literal["application/json"] = "application/json"
    data: DataT

    @field_validator("time")
    @classmethod
    def _plausible_time(cls, value: datetime) -> datetime:
        if not 1970 <= value.year <= 2999:
            raise ValueError("the time must lie between the years 1970 and 2999")
        return value

    @classmethod
    def create(cls, data: DataT, *, source: str, subject: str | None = None, **extra: Any):
        """Build a new event of this type with a fresh id and the current time."""
        return cls(
            specversion="1.0",
            id=extra.pop("id", str(uuid4())),
            source=source,
            type=cls.EVENT_TYPE,
            time=extra.pop("time", datetime.now(UTC)),
            subject=subject,
            data=data,
            **extra,
        )

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        pinned = get_args(cls.model_fields["type"].annotation)
        if pinned:
            cls.EVENT_TYPE = pinned[0]

    def to_json(self) -> bytes:
        """The wire form; absent optional attributes (``subject``, extensions) are left out, not null."""
        absent = {name for name in type(self).model_fields if name != "data" and getattr(self, name) is None}
        return self.model_dump_json(exclude=absent or None).encode()
