"""The appointments booked at the desks (``biometrics.appointments``) and what became of them.

Booking an appointment, and cancelling one, change a slot's seats, so they belong to the agenda
(``agenda.DeskAgenda``), which takes the booking turn for them; this repository reads appointments
and records what the desks report about them, which frees or takes no seat.
"""

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, time
from uuid import UUID

import asyncpg

from schemas.codes import AppointmentProduct, LocationCode


@dataclass(frozen=True)
class Appointment:
    appointment_id: str
    case_id: UUID | None  # None for a submission or information appointment an applicant booked (no case)
    product: AppointmentProduct
    location: LocationCode
    day: date
    start: time
    end: time
    persons: int
    attempt: int  # 1 for the first appointment of its case and product, one more for each booked again after a no-show
    status: str  # booked, attended, no_show or cancelled
    sequence: int = 0  # the calendar's SEQUENCE: 0 when booked, one more for each move or cancellation


class Appointments:
    """Every method takes many appointments and spends one statement on them, so that a batch of
    desk reports costs what one does."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def get_many(self, appointment_ids: Collection[str]) -> dict[str, Appointment]:
        """The appointments among ``appointment_ids`` booked here."""
        rows = await self._connection.fetch(
            """select a.*, s.location, s.day, s.start_time, s.end_time from biometrics.appointments a
               join biometrics.slots s using (slot_key) where a.appointment_id = any($1::text[])""",
            list(appointment_ids),
        )
        return {row["appointment_id"]: _appointment(row) for row in rows}

    async def of_case(self, case_id: UUID, product: AppointmentProduct) -> list[Appointment]:
        """Every appointment of ``product`` the case has had, whatever became of it, by attempt."""
        rows = await self._connection.fetch(
            """select a.*, s.location, s.day, s.start_time, s.end_time from biometrics.appointments a
               join biometrics.slots s using (slot_key) where a.case_id = $1 and a.product = $2 order by a.attempt""",
            case_id,
            product.value,
        )
        return [_appointment(row) for row in rows]

    async def set_attended(self, appointment_ids: Sequence[str]) -> None:
        if appointment_ids:
            await self._connection.execute(
                "update biometrics.appointments set status = 'attended' where appointment_id = any($1::text[])",
                list(appointment_ids),
            )

    async def set_no_show(self, appointment_ids: Sequence[str]) -> None:
        await self._connection.execute(
            "update biometrics.appointments set status = 'no_show' where appointment_id = any($1::text[])", list(appointment_ids)
        )

    async def no_shows(self, case_ids: Collection[UUID]) -> Counter[tuple[UUID, AppointmentProduct]]:
        """How many appointments of each product each of ``case_ids`` missed."""
        rows = await self._connection.fetch(
            """select case_id, product, count(*) as missed from biometrics.appointments
               where case_id = any($1::uuid[]) and status = 'no_show' group by case_id, product""",
            list(case_ids),
        )
        return Counter({(row["case_id"], AppointmentProduct(row["product"])): row["missed"] for row in rows})


def _appointment(row: asyncpg.Record) -> Appointment:
    return Appointment(
        row["appointment_id"],
        row["case_id"],
        AppointmentProduct(row["product"]),
        LocationCode(row["location"]),
        row["day"],
        row["start_time"],
        row["end_time"],
        row["persons"],
        row["attempt"],
        row["status"],
        row["sequence"],
    )
