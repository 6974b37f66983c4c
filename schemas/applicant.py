"""What the applicant's portal sends about an existing case (public, topic ``ind.applicant.requests.v1``)."""

from typing import Literal
from uuid import UUID

from pydantic import Field

from schemas.codes import LocationCode
from schemas.envelope import CloudEvent, Payload


class InformationSuppliedData(Payload):
    case_id: UUID
    case_number: str
    documents: list[str] = Field(min_length=1, max_length=50, description="Names of the documents supplied.")


class InformationSupplied(CloudEvent[InformationSuppliedData]):
    """The applicant supplied the information a caseworker asked for; the statutory clock runs again."""

    type: Literal["nl.ind.information.supplied.v1"]


class StickerRequestData(Payload):
    case_id: UUID
    case_number: str
    preferred_location: LocationCode


class EndorsementStickerRequested(CloudEvent[StickerRequestData]):
    """The applicant, awaiting a decision, asks for a residence endorsement sticker (VAA) appointment."""

    type: Literal["nl.ind.endorsement_sticker.requested.v1"]
