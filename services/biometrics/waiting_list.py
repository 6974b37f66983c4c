"""The bookings that wait for a free seat, in ``biometrics.waiting_bookings``.

Only those holding the booking turn (``DeskAgenda.take_booking_turn``) read or change the list, so
two workers never book one waiting booking twice.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

import asyncpg

from schemas.codes import AppointmentProduct, LocationCode
from services.biometrics.appointments import Appointment
from services.biometrics.booking_turn import Booking


@dataclass(frozen=True)
class WaitingBooking:
    waiting_id: int
    case_id: UUID
    product: AppointmentProduct
    preferred: LocationCode
    after: date
    attempt: int
    persons: int


class WaitingList:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def add(self, product: AppointmentProduct, bookings: Sequence[Booking]) -> set[UUID]:
        """Put ``bookings`` on the list; returns the cases that were not waiting for ``product``
        already (a case waits once for a product, however often it asks)."""
        if not bookings:
            return set()
        rows = await self._connection.fetch(
            """insert into biometrics.waiting_bookings (case_id, product, preferred_location, after, attempt, persons)
               select case_id, $2, preferred, after, attempt, persons
               from unnest($1::uuid[], $3::text[], $4::date[], $5::int[], $6::int[]) as t (case_id, preferred, after, attempt, persons)
               on conflict (case_id, product) do nothing returning case_id""",
            [booking.case.case_id for booking in bookings],
            product.value,
            [booking.preferred.value for booking in bookings],
            [booking.after for booking in bookings],
            [booking.attempt for booking in bookings],
            [booking.persons for booking in bookings],
        )
        return {row["case_id"] for row in rows}

    async def oldest(self, after_id: int, limit: int) -> list[WaitingBooking]:
        """Up to ``limit`` waiting bookings after ``after_id``, longest waiting first."""
        rows = await self._connection.fetch(
            "select * from biometrics.waiting_bookings where waiting_id > $1 order by waiting_id limit $2", after_id, limit
        )
        return [
            WaitingBooking(
                row["waiting_id"],
                row["case_id"],
                AppointmentProduct(row["product"]),
                LocationCode(row["preferred_location"]),
                row["after"],
                row["attempt"],
                row["persons"],
            )
            for row in rows
        ]

    async def remove(self, waiting_ids: Sequence[int]) -> None:
        """Take bookings off the list (they were booked)."""
        if waiting_ids:
            await self._connection.execute(
                "delete from biometrics.waiting_bookings where waiting_id = any($1::bigint[])", list(waiting_ids)
            )

    async def withdraw(self, case_id: UUID, product: AppointmentProduct) -> bool:
        """Take the case's booking of ``product`` off the list (the applicant booked one themselves);
        False when none waited."""
        status = await self._connection.execute(
            "delete from biometrics.waiting_bookings where case_id = $1 and product = $2", case_id, product.value
        )
        return status != "DELETE 0"

    async def drop_later(self, corrected: Sequence[Appointment]) -> int:
        """Take off the list the bookings of the case and product of each of ``corrected`` that are
        later attempts than it (booked again because of a no-show the desk has since corrected);
        returns how many there were."""
        if not corrected:
            return 0
        status = await self._connection.execute(
            """delete from biometrics.waiting_bookings w
               using unnest($1::uuid[], $2::text[], $3::int[]) as t (case_id, product, attempt)
               where w.case_id = t.case_id and w.product = t.product and w.attempt > t.attempt""",
            [appointment.case_id for appointment in corrected],
            [appointment.product.value for appointment in corrected],
            [appointment.attempt for appointment in corrected],
        )
        return int(status.split()[-1])
