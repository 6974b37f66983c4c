"""Free seats read from the agenda are handed out earliest first within each booking's window, the
preferred order breaking ties, and a booking says when the slots read so far cannot tell where its
seat is."""

from datetime import date, time

import pytest

from schemas.codes import LocationCode
from services.biometrics.free_seats import FreeSeats, FreeSlot, SlotsNotRead

AM = LocationCode.AMSTERDAM
DB = LocationCode.DEN_BOSCH
DAY1, DAY2, DAY3 = date(2027, 3, 1), date(2027, 3, 2), date(2027, 3, 3)
WINDOW = (DAY1, DAY3)


def slot(location: LocationCode, day: date, hour: int, free: int) -> FreeSlot:
    return FreeSlot(f"BIO-{location.value}-{day:%Y%m%d}-{hour:02}00", location, day, time(hour), time(hour, 15), free)


def test_seats_are_taken_in_the_earliest_slot_until_it_is_full():
    seats = FreeSeats()
    seats.add(AM, [slot(AM, DAY1, 9, 2), slot(AM, DAY1, 10, 2)], complete=True)
    taken = [seats.take([AM], 1, *WINDOW).start.hour for _ in range(4)]
    assert taken == [9, 9, 10, 10]
    assert seats.take([AM], 1, *WINDOW) is None


def test_the_earliest_slot_among_locations_wins_and_the_earlier_location_breaks_a_tie():
    seats = FreeSeats()
    seats.add(AM, [slot(AM, DAY2, 9, 1)], complete=True)
    seats.add(DB, [slot(DB, DAY1, 11, 1), slot(DB, DAY2, 9, 1)], complete=True)
    assert seats.take([AM, DB], 1, *WINDOW).location == DB  # day 1 at Den Bosch before day 2 at Amsterdam
    assert seats.take([AM, DB], 1, *WINDOW).location == AM  # day 2 09:00 at both: Amsterdam comes first
    assert seats.take([AM, DB], 1, *WINDOW).location == DB
    assert seats.take([AM, DB], 1, *WINDOW) is None


def test_a_party_skips_a_slot_with_too_few_seats_and_leaves_it_for_a_smaller_one():
    seats = FreeSeats()
    seats.add(AM, [slot(AM, DAY1, 9, 2), slot(AM, DAY1, 10, 4)], complete=True)
    three = seats.take([AM], 3, *WINDOW)
    assert (three.start.hour, three.free) == (10, 1)
    assert seats.take([AM], 2, *WINDOW).start.hour == 9


def test_a_location_not_read_yet_must_be_read_before_a_seat_is_taken():
    seats = FreeSeats()
    seats.add(AM, [slot(AM, DAY1, 9, 1)], complete=True)
    with pytest.raises(SlotsNotRead) as raised:
        seats.take([AM, DB], 1, *WINDOW)
    assert raised.value.location == DB
    assert seats.take([AM], 1, *WINDOW).free == 0  # the failed take took nothing


def test_running_out_of_the_slots_read_asks_for_more_unless_they_were_all_there_is():
    seats = FreeSeats()
    seats.add(AM, [slot(AM, DAY1, 9, 1)], complete=False)
    seats.take([AM], 1, *WINDOW)
    with pytest.raises(SlotsNotRead):
        seats.take([AM], 1, *WINDOW)
    assert seats.last_read(AM).start.hour == 9
    seats.add(AM, [slot(AM, DAY1, 10, 1)], complete=True)
    assert seats.take([AM], 1, *WINDOW).start.hour == 10
    assert seats.take([AM], 1, *WINDOW) is None


def test_a_booking_takes_its_seat_within_its_own_window_and_leaves_earlier_seats_to_others():
    seats = FreeSeats()
    seats.add(AM, [slot(AM, DAY1, 9, 1), slot(AM, DAY2, 9, 1), slot(AM, DAY3, 9, 1)], complete=True)
    assert seats.take([AM], 1, DAY2, DAY3).day == DAY2  # the seat on day 1 is before its window
    assert seats.take([AM], 1, DAY1, DAY1).day == DAY1
    assert seats.take([AM], 1, DAY1, DAY2) is None  # the one left, on day 3, is after its window
    assert seats.take([AM], 1, DAY3, DAY3).day == DAY3


def test_slots_read_beyond_a_window_tell_that_it_has_no_room_without_reading_more():
    seats = FreeSeats()
    seats.add(AM, [slot(AM, DAY1, 9, 1), slot(AM, DAY3, 9, 1)], complete=False)
    assert seats.take([AM], 1, DAY1, DAY2).day == DAY1
    assert seats.take([AM], 1, DAY1, DAY2) is None  # a slot on day 3 was read: there is none left before it
    assert seats.take([AM], 1, DAY1, DAY3).day == DAY3
    with pytest.raises(SlotsNotRead):
        seats.take([AM], 1, DAY1, DAY3)  # day 3's later slots were not read yet
