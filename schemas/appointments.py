"""Events of the desk and appointment stage (internal, topic ``ind.case.appointments.v1``)."""

from datetime import date, time
from typing import Literal
from uuid import UUID

from pydantic import Field, model_validator

from schemas.codes import AppointmentProduct, Language, LocationCode
from schemas.email import RegisteredEmailAddress
from schemas.envelope import CloudEvent, Payload

_MANAGE_REFERENCE = (
    "Present when the applicant was given a manage token with this event: notify derives the token from it "
    "with the key it shares with biometrics (schemas/manage_links.py); without the key it manages nothing."
)


class AppointmentData(Payload):
    case_id: UUID
    case_number: str
    appointment_id: str = Field(description="Stable id the desk reports back, e.g. BIO-AM-20260310-0930-IND-2026-0000042-1.")
    product: AppointmentProduct
    location: LocationCode
    location_name: str
    address: str
    date: date
    start_time: time
    end_time: time
    persons: int = Field(ge=1, le=6)
    attempt: int = Field(ge=1, description="1 for the first booking of this product, 2 after one no-show, ...")
    booking_code: str | None = Field(
        default=None, description="Set when the applicant booked it themselves: the code they quote (e.g. K7MQ-2XDP)."
    )
    manage_reference: str | None = Field(default=None, description=_MANAGE_REFERENCE)


class AppointmentBooked(CloudEvent[AppointmentData]):
    """A desk appointment was booked for the applicant's case: by the service, or by the applicant themselves
    (then ``booking_code`` is set)."""

    type: Literal["nl.ind.appointment.booked.v1"]


class BiometricsCompletedData(Payload):
    case_id: UUID
    case_number: str
    captured: bool = Field(description="False when this application type needs no biometrics at an IND desk.")
    location: LocationCode | None = Field(default=None, description="Where they were captured.")


class BiometricsCompleted(CloudEvent[BiometricsCompletedData]):
    """The case has what it needs from the desk and can be assessed."""

    type: Literal["nl.ind.biometrics.completed.v1"]


class CaseFlaggedData(Payload):
    case_id: UUID
    case_number: str
    reason: str = Field(description="Why a caseworker must look, e.g. 'no-show at 3 biometrics appointments'.")
    no_shows: int = 0


class CaseFlagged(CloudEvent[CaseFlaggedData]):
    """The desk stage cannot finish on its own; the case goes to a caseworker as it is."""

    type: Literal["nl.ind.case.flagged.v1"]


class AwaitingSlotData(Payload):
    case_id: UUID
    case_number: str
    product: AppointmentProduct
    attempt: int = Field(
        ge=1, description="The attempt that waits: 1 for the first booking of this product, 2 after one no-show, ..."
    )
    window_days: int = Field(
        ge=1, description="Working days ahead in which no desk that may receive the applicant had a free slot."
    )


class AppointmentAwaitingSlot(CloudEvent[AwaitingSlotData]):
    """No desk that may receive the applicant has a free slot in the booking window yet. The appointment
    waits for one and is booked as soon as a seat frees up (``nl.ind.appointment.booked.v1`` follows); the
    applicant has done nothing wrong, so this is no finding against the case."""

    type: Literal["nl.ind.appointment.awaiting_slot.v1"]


class AppointmentPlace(Payload):
    """Where and when an appointment is."""

    location: LocationCode
    location_name: str
    address: str
    date: date
    start_time: time
    end_time: time


class CustomerName(Payload):
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)


class BookingContact(Payload):
    """Whom to write to about an appointment without a case, and who comes to it."""

    customers: list[CustomerName] = Field(min_length=1, max_length=6)
    email: RegisteredEmailAddress
    language: Language


class ApplicantBookedData(AppointmentPlace):
    booking_id: UUID = Field(description="The booking's id; the key of its events.")
    booking_code: str = Field(description="The code the applicant quotes, e.g. K7MQ-2XDP.")
    manage_reference: str = Field(description=_MANAGE_REFERENCE)
    appointment_id: str = Field(description="Stable id the desk reports back, e.g. SUB-AM-20260310-0930-K7MQ2XDP.")
    product: AppointmentProduct
    persons: int = Field(ge=1, le=6)
    contact: BookingContact


class ApplicantAppointmentBooked(CloudEvent[ApplicantBookedData]):
    """An applicant booked an appointment that belongs to no case (submission SUB or information INF);
    key = booking id. A case's appointment an applicant books is ``nl.ind.appointment.booked.v1``."""

    type: Literal["nl.ind.appointment.applicant_booked.v1"]


class AppointmentChangeData(Payload):
    """What every change of an appointment names: the appointment, and its case or, without one, its
    booking and whom to write to."""

    appointment_id: str
    product: AppointmentProduct
    persons: int = Field(ge=1, le=6)
    sequence: int = Field(ge=1, description="The calendar entry's SEQUENCE after the change (0 when it was booked).")
    case_id: UUID | None = Field(default=None, description="The case's, when the appointment belongs to one.")
    case_number: str | None = None
    booking_id: UUID | None = Field(default=None, description="For an appointment an applicant booked: its booking's id.")
    booking_code: str | None = None
    contact: BookingContact | None = Field(default=None, description="For an appointment without a case: whom to write to.")

    @model_validator(mode="after")
    def _of_a_case_or_a_booking(self):
        if (self.case_id is None) != (self.case_number is None):
            raise ValueError("case_id and case_number come together")
        if self.case_id is None and (self.booking_id is None or self.contact is None):
            raise ValueError("an appointment without a case names its booking_id and contact")
        return self


class RescheduledData(AppointmentChangeData):
    previous: AppointmentPlace
    current: AppointmentPlace
    manage_reference: str | None = Field(default=None, description=_MANAGE_REFERENCE)


class AppointmentRescheduled(CloudEvent[RescheduledData]):
    """The applicant moved an appointment to another slot (another time, perhaps another desk); its seat
    in the old slot is free again. Key = case id, or booking id for an appointment without a case."""

    type: Literal["nl.ind.appointment.rescheduled.v1"]


class CancelledData(AppointmentChangeData):
    place: AppointmentPlace = Field(description="Where and when the appointment was.")


class AppointmentCancelled(CloudEvent[CancelledData]):
    """The applicant cancelled an appointment; its seat is free again. Key = case id, or booking id for
    an appointment without a case."""

    type: Literal["nl.ind.appointment.cancelled.v1"]
