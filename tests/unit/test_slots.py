"""A location's day is cut into back-to-back slots between opening and closing, on working days only."""

from datetime import date, time

import pytest

from schemas.codes import AppointmentProduct, LocationCode
from services.biometrics.capacity import Capacity
from services.biometrics.slots import booking_window, slots_on

TUESDAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("location", "slot_minutes", "count"),
    [
        (LocationCode.AMSTERDAM, 15, 32),  # 09:00-17:00
        (LocationCode.AMSTERDAM, 10, 48),
        (LocationCode.ZWOLLE, 30, 16),
        (LocationCode.XC_AMSTERDAM, 15, 28),  # 09:00-16:00
        (LocationCode.XC_EINDHOVEN, 25, 16),  # 16 * 25 min = 6 h 40; a 17th would end after 16:00
    ],
)
def test_the_number_of_slots_follows_from_opening_hours_and_slot_length(location, slot_minutes, count):
    assert len(slots_on(location, AppointmentProduct.BIOMETRICS, TUESDAY, Capacity(slot_minutes, 2))) == count


def test_slots_run_back_to_back_from_opening_and_the_last_ends_by_closing():
    slots = slots_on(LocationCode.XC_EINDHOVEN, AppointmentProduct.SUBMISSION, TUESDAY, Capacity(25, 1))
    assert slots[0].start == time(9, 0)
    assert all(earlier.end == later.start for earlier, later in zip(slots, slots[1:], strict=False))
    assert slots[-1].end == time(15, 40)


def test_a_slot_that_fits_exactly_ends_at_closing_time():
    slots = slots_on(LocationCode.AMSTERDAM, AppointmentProduct.BIOMETRICS, TUESDAY, Capacity(15, 4))
    assert (slots[-1].start, slots[-1].end) == (time(16, 45), time(17, 0))


def test_a_slot_is_keyed_by_product_location_date_and_start_and_takes_the_desks_as_capacity():
    slots = slots_on(LocationCode.AMSTERDAM, AppointmentProduct.BIOMETRICS, TUESDAY, Capacity(15, 4))
    half_past_nine = next(slot for slot in slots if slot.start == time(9, 30))
    assert half_past_nine.key == "BIO-AM-20260310-0930"
    assert half_past_nine.end == time(9, 45)
    assert (half_past_nine.location, half_past_nine.product, half_past_nine.date) == (
        LocationCode.AMSTERDAM,
        AppointmentProduct.BIOMETRICS,
        TUESDAY,
    )
    assert half_past_nine.capacity == 4
    assert len({slot.key for slot in slots}) == len(slots)


@pytest.mark.parametrize(
    "closed",
    [date(2026, 3, 14), date(2026, 3, 15), date(2025, 12, 25), date(2026, 4, 27)],
    ids=["saturday", "sunday", "christmas", "kings-day"],
)
def test_there_are_no_slots_on_weekends_or_dutch_public_holidays(closed):
    assert slots_on(LocationCode.AMSTERDAM, AppointmentProduct.BIOMETRICS, closed, Capacity(15, 4)) == []


def test_the_booking_window_skips_weekends_and_holidays():
    window = booking_window(date(2025, 12, 24), 3)  # a Wednesday; 25 and 26 December are holidays
    assert window == [date(2025, 12, 29), date(2025, 12, 30), date(2025, 12, 31)]


def test_the_booking_window_starts_after_the_given_day():
    assert booking_window(TUESDAY, 2) == [date(2026, 3, 11), date(2026, 3, 12)]
