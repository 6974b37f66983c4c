"""Examples of the events about appointments applicants book, move and cancel themselves, and about
the free slots their alerts ask for (part of ``examples.EXAMPLES``: one valid, deterministic example
of every exported message)."""

from datetime import UTC, date, datetime, time
from uuid import UUID

from schemas.appointments import (
    ApplicantAppointmentBooked,
    ApplicantBookedData,
    AppointmentCancelled,
    AppointmentPlace,
    AppointmentRescheduled,
    BookingContact,
    CancelledData,
    CustomerName,
    RescheduledData,
)
from schemas.codes import AppointmentProduct, Language, LocationCode
from schemas.envelope import CloudEvent
from schemas.slot_alerts import SlotAvailable, SlotAvailableData

_AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
_CASE = UUID("0b7d6a52-3f0e-4f5e-9a57-6d2c1f0e8a11")
_NUMBER = "IND-2026-0000042"
_BOOKING = UUID("5c1e7f0a-2b4d-4c8e-9f13-7a6b5d4c3e21")
_ALERT = UUID("9d2f4b6a-8c1e-4a3b-b5d7-e9f1a2c3d4e5")
_AMSTERDAM_DESK = AppointmentPlace(
    location=LocationCode.AMSTERDAM,
    location_name="IND desk Amsterdam",
    address="Wisselwerking 32, 1112 XR Diemen",
    date=date(2026, 3, 11),
    start_time=time(10, 0),
    end_time=time(10, 30),
)
_CONTACT = BookingContact(
    customers=[CustomerName(first_name="Ana", last_name="Silva"), CustomerName(first_name="Rui", last_name="Silva")],
    email="ana.silva@example.org",
    language=Language.ENGLISH,
)


def _event(cls, data, event_id: str, subject: str) -> CloudEvent:
    return cls.create(data, source="urn:ind:biometrics", subject=subject, id=event_id, time=_AT)


APPOINTMENT_CHANGES: tuple[CloudEvent, ...] = (
    _event(
        ApplicantAppointmentBooked,
        ApplicantBookedData(
            booking_id=_BOOKING,
            booking_code="K7MQ-2XDP",
            manage_reference="q3Jd8Xv0bYk2u9LrT1wA5g",
            appointment_id="SUB-AM-20260311-1000-K7MQ2XDP",
            product=AppointmentProduct.SUBMISSION,
            **_AMSTERDAM_DESK.model_dump(),
            persons=2,
            contact=_CONTACT,
        ),
        "evt-appointment-applicant-booked-1",
        "K7MQ-2XDP",
    ),
    _event(
        AppointmentRescheduled,
        RescheduledData(
            appointment_id="BIO-XC-AMS-20260310-0930-IND-2026-0000042-1",
            product=AppointmentProduct.BIOMETRICS,
            persons=1,
            sequence=1,
            case_id=_CASE,
            case_number=_NUMBER,
            booking_code="R2TW-9KHM",
            previous=AppointmentPlace(
                location=LocationCode.XC_AMSTERDAM,
                location_name="IN Amsterdam",
                address="Zuiderzeeweg 2, 1095 KJ Amsterdam",
                date=date(2026, 3, 10),
                start_time=time(9, 30),
                end_time=time(9, 45),
            ),
            current=_AMSTERDAM_DESK.model_copy(update={"start_time": time(9, 0), "end_time": time(9, 15)}),
        ),
        "evt-appointment-rescheduled-42",
        _NUMBER,
    ),
    _event(
        AppointmentCancelled,
        CancelledData(
            appointment_id="SUB-AM-20260311-1000-K7MQ2XDP",
            product=AppointmentProduct.SUBMISSION,
            persons=2,
            sequence=1,
            booking_id=_BOOKING,
            booking_code="K7MQ-2XDP",
            contact=_CONTACT,
            place=_AMSTERDAM_DESK,
        ),
        "evt-appointment-cancelled-1",
        "K7MQ-2XDP",
    ),
    _event(
        SlotAvailable,
        SlotAvailableData(
            alert_id=_ALERT,
            slot_key="BIO-AM-20260311-1000",
            product=AppointmentProduct.BIOMETRICS,
            persons=1,
            before=date(2026, 3, 20),
            **_AMSTERDAM_DESK.model_copy(update={"end_time": time(10, 15)}).model_dump(),
            email="ana.silva@example.org",
            language=Language.ENGLISH,
            unsubscribe_reference="Zt4pW0m9aQe3Lx7bVc2kHg",
        ),
        "evt-appointment-slot-available-1",
        str(_ALERT),
    ),
)
