"""The bookable slots of a location's day, cut from its opening hours by the product's slot length."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ind_runtime.working_days import is_working_day, working_days_after
from schemas.codes import AppointmentProduct, LocationCode
from services.biometrics.capacity import Capacity
from services.biometrics.locations import LOCATIONS

BOOKING_WINDOW_DAYS = 40  # working days ahead that an appointment may be booked in
BOOKED_PRODUCTS = (AppointmentProduct.BIOMETRICS, AppointmentProduct.ENDORSEMENT_STICKER, AppointmentProduct.DOCUMENT_PICKUP)
"""The products this service books appointments for, and so opens slots for (capacity is
configured for every product a desk offers)."""


@dataclass(frozen=True)
class Slot:
    key: str  # e.g. BIO-AM-20260310-0930; the prefix of the appointment id the desk reports back
    location: LocationCode
    product: AppointmentProduct
    date: date
    start: time
    end: time
    capacity: int  # applicants the slot takes in total


def slots_on(location: LocationCode, product: AppointmentProduct, day: date, capacity: Capacity) -> list[Slot]:
    """Back-to-back slots from opening; the last one ends by closing. None when desks are closed."""
    if not is_working_day(day):
        return []
    opens, closes = LOCATIONS[location].opening_hours
    length = timedelta(minutes=capacity.slot_minutes)
    start, closing = datetime.combine(day, opens), datetime.combine(day, closes)
    slots = []
    while start + length <= closing:
        slots.append(
            Slot(
                key=f"{product.value}-{location.value}-{start:%Y%m%d-%H%M}",
                location=location,
                product=product,
                date=day,
                start=start.time(),
                end=(start + length).time(),
                capacity=capacity.desks,
            )
        )
        start += length
    return slots


def booking_window(after: date, days: int) -> list[date]:
    """The working days an appointment may be booked on: the next ``days`` after ``after``."""
    return working_days_after(after, days)
