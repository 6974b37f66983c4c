"""What an applicant's own booking, move or cancellation says on ``ind.case.appointments.v1``.

Each is one event in the transaction that made the change (the outbox publishes it after commit),
keyed by the case's id, so that it keeps its order with everything else about the case, or, for an
appointment without a case, by its booking's id. A case's booking is ``nl.ind.appointment.booked.v1``
as the service's own are (so decision files it in the case's history as any other), with the booking
code and manage reference set; one without a case is ``nl.ind.appointment.applicant_booked.v1``,
which carries whom to write to, as do its later changes, since notify knows no case to look them up by.
"""

from dataclasses import dataclass

from schemas.appointments import (
    ApplicantAppointmentBooked,
    ApplicantBookedData,
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentPlace,
    AppointmentRescheduled,
    BookingContact,
    CancelledData,
    CustomerName,
    RescheduledData,
)
from schemas.envelope import CloudEvent
from schemas.topics import CASE_APPOINTMENTS
from services.biometrics.applicant_bookings import ApplicantBooking, Contact
from services.biometrics.appointments import Appointment
from services.biometrics.booking import SOURCE, appointment_data
from services.biometrics.cases import DeskCase
from services.biometrics.locations import LOCATIONS
from services.biometrics.unit_of_work import DeskUnitOfWork


@dataclass(frozen=True)
class Owner:
    """Whose an appointment is: a case's (``case``), or else an applicant's booking's; ``booking`` is
    set when the applicant booked it, or was given a manage token for it."""

    case: DeskCase | None
    booking: ApplicantBooking | None

    @property
    def key(self) -> str:
        if self.case is not None:
            return str(self.case.case_id)
        assert self.booking is not None, "an appointment without a case is an applicant's booking"
        return str(self.booking.booking_id)

    @property
    def subject(self) -> str:
        if self.case is not None:
            return self.case.case_number
        assert self.booking is not None
        return self.booking.booking_code

    def fields(self) -> dict:
        """The fields of an ``AppointmentChangeData`` that name the owner."""
        booking = self.booking
        return {
            "case_id": self.case.case_id if self.case else None,
            "case_number": self.case.case_number if self.case else None,
            "booking_id": booking.booking_id if booking and not self.case else None,
            "booking_code": booking.booking_code if booking else None,
            "contact": contact_of(booking.contact) if booking and booking.contact and not self.case else None,
        }


def place_of(appointment: Appointment) -> AppointmentPlace:
    location = LOCATIONS[appointment.location]
    return AppointmentPlace(
        location=appointment.location,
        location_name=location.name,
        address=location.address,
        date=appointment.day,
        start_time=appointment.start,
        end_time=appointment.end,
    )


def contact_of(contact: Contact) -> BookingContact:
    return BookingContact(
        customers=[CustomerName(first_name=c.first_name, last_name=c.last_name) for c in contact.customers],
        email=contact.email,
        language=contact.language,
    )


async def booked(uow: DeskUnitOfWork, owner: Owner, appointment: Appointment, reference: str) -> None:
    """Say that the applicant booked ``appointment`` and was given the manage token of ``reference``."""
    booking = owner.booking
    assert booking is not None
    event: CloudEvent
    if owner.case is not None:
        data = appointment_data(owner.case, appointment).model_copy(
            update={"booking_code": booking.booking_code, "manage_reference": reference}
        )
        event = AppointmentBooked.create(data, source=SOURCE, subject=owner.subject)
    else:
        assert booking.contact is not None
        caseless = ApplicantBookedData(
            **place_of(appointment).model_dump(),
            booking_id=booking.booking_id,
            booking_code=booking.booking_code,
            manage_reference=reference,
            appointment_id=appointment.appointment_id,
            product=appointment.product,
            persons=appointment.persons,
            contact=contact_of(booking.contact),
        )
        event = ApplicantAppointmentBooked.create(caseless, source=SOURCE, subject=owner.subject)
    await uow.emit(CASE_APPOINTMENTS.name, owner.key, event)


async def rescheduled(
    uow: DeskUnitOfWork, owner: Owner, moved: Appointment, previous: AppointmentPlace, reference: str | None = None
) -> None:
    """Say that ``moved`` (as it is now) was moved from ``previous``; ``reference`` when a new manage
    token was given with the move."""
    data = RescheduledData(
        appointment_id=moved.appointment_id,
        product=moved.product,
        persons=moved.persons,
        sequence=moved.sequence,
        **owner.fields(),
        previous=previous,
        current=place_of(moved),
        manage_reference=reference,
    )
    await uow.emit(CASE_APPOINTMENTS.name, owner.key, AppointmentRescheduled.create(data, source=SOURCE, subject=owner.subject))


async def cancelled(uow: DeskUnitOfWork, owner: Owner, appointment: Appointment) -> None:
    """Say that ``appointment`` (its sequence the cancellation's) was cancelled."""
    data = CancelledData(
        appointment_id=appointment.appointment_id,
        product=appointment.product,
        persons=appointment.persons,
        sequence=appointment.sequence,
        **owner.fields(),
        place=place_of(appointment),
    )
    await uow.emit(CASE_APPOINTMENTS.name, owner.key, AppointmentCancelled.create(data, source=SOURCE, subject=owner.subject))
