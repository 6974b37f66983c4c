"""Events of the desk and appointment stage (internal, topic ``ind.case.appointments.v1``)."""

from datetime import date, time
from typing import Literal
from uuid import UUID

from pydantic import Field

from schemas.codes import AppointmentProduct, LocationCode
from schemas.envelope import CloudEvent, Payload


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


class AppointmentBooked(CloudEvent[AppointmentData]):
    """A desk appointment was booked for the applicant."""

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
