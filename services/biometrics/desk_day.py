"""A desk's day: the appointments at one location on one day, for the desk officers' console.

One statement reads them all: the location's slots of the day (``slots_by_location_day``), their
appointments (``appointments_by_slot``) and each appointment's case. Cancelled appointments are
left out: nobody comes for them, and an appointment moved to another slot is where it is now (a move
keeps its row). A submission or information appointment an applicant booked has no case (its case
id and number are None) and carries the booking code the applicant quotes, as does any appointment
an applicant booked or was given a manage token for. A document pickup carries the number of the document produced for
its case, for the officer to compare with the one handed out; other products carry none.
"""

from dataclasses import dataclass
from datetime import date, time
from uuid import UUID

import asyncpg

from schemas.codes import AppointmentProduct, LocationCode

DAY_AT_DESK = """
    select a.appointment_id, a.case_id, c.case_number, a.product, s.start_time, s.end_time, a.persons, a.status,
           case when a.product = $3 then c.document_number end as document_number, b.booking_code
    from biometrics.slots s
    join biometrics.appointments a on a.slot_key = s.slot_key
    left join biometrics.cases c on c.case_id = a.case_id
    left join biometrics.applicant_bookings b on b.appointment_id = a.appointment_id
    where s.location = $1 and s.day = $2 and a.status <> 'cancelled'
    order by s.start_time, a.product, a.appointment_id"""


@dataclass(frozen=True)
class DayAppointment:
    appointment_id: str
    case_id: UUID | None  # None for an appointment without a case (SUB, INF)
    case_number: str | None
    product: AppointmentProduct
    start: time
    end: time
    persons: int
    status: str  # booked, attended or no_show
    document_number: str | None  # a document pickup's, when one was recorded for its case; None for other products
    booking_code: str | None = None  # when the applicant booked it (or was given a manage token for it)


async def appointments_on(connection: asyncpg.Connection, location: LocationCode, day: date) -> list[DayAppointment]:
    """The appointments at ``location`` on ``day`` that are not cancelled, by start time, then
    product, then appointment id."""
    rows = await connection.fetch(DAY_AT_DESK, location.value, day, AppointmentProduct.DOCUMENT_PICKUP.value)
    return [
        DayAppointment(
            row["appointment_id"],
            row["case_id"],
            row["case_number"],
            AppointmentProduct(row["product"]),
            row["start_time"],
            row["end_time"],
            row["persons"],
            row["status"],
            row["document_number"],
            row["booking_code"],
        )
        for row in rows
    ]
