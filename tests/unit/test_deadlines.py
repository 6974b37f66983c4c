"""Statutory deadlines: the period from receipt, suspensions day for day, then the next working day."""

from datetime import date

import pytest

from schemas.codes import ApplicationType
from services.decision.deadlines import (
    DECISION_PERIODS,
    Period,
    days_left,
    days_suspended,
    statutory_deadline,
    warning_date,
)


def test_every_application_type_has_a_decision_period():
    assert set(DECISION_PERIODS) == set(ApplicationType)


@pytest.mark.parametrize(
    "application_type",
    [
        ApplicationType.MVV,
        ApplicationType.HIGHLY_SKILLED_MIGRANT,
        ApplicationType.FAMILY,
        ApplicationType.EU_BLUE_CARD,
    ],
)
def test_mvv_and_regular_residence_permits_are_decided_within_90_days(application_type):
    # 10 January + 90 days = Thursday 10 April 2025, a working day.
    assert statutory_deadline(application_type, date(2025, 1, 10)) == date(2025, 4, 10)


def test_study_is_decided_within_60_days():
    # 1 June + 60 days = Thursday 31 July 2025.
    assert statutory_deadline(ApplicationType.STUDY, date(2025, 6, 1)) == date(2025, 7, 31)


def test_a_deadline_on_a_saturday_moves_to_monday():
    # 12 January + 90 days = Saturday 12 April 2025.
    assert statutory_deadline(ApplicationType.MVV, date(2025, 1, 12)) == date(2025, 4, 14)


def test_a_deadline_on_christmas_moves_past_both_holidays_and_the_weekend():
    # 26 September + 90 days = Thursday 25 December 2025; 26 December and the weekend follow.
    assert statutory_deadline(ApplicationType.FAMILY, date(2025, 9, 26)) == date(2025, 12, 29)


def test_a_deadline_on_kings_day_moves_to_the_next_day():
    # 27 January + 90 days = Monday 27 April 2026, King's Day.
    assert statutory_deadline(ApplicationType.HIGHLY_SKILLED_MIGRANT, date(2026, 1, 27)) == date(2026, 4, 28)


def test_naturalisation_takes_twelve_months_ending_on_the_last_day_of_a_shorter_month():
    # 29 February 2024 + 12 months: 2025 has no 29 February, so Friday 28 February 2025.
    assert statutory_deadline(ApplicationType.NATURALISATION, date(2024, 2, 29)) == date(2025, 2, 28)


def test_naturalisation_from_a_month_end_keeps_the_same_day_a_year_later():
    assert statutory_deadline(ApplicationType.NATURALISATION, date(2025, 3, 31)) == date(2026, 3, 31)


def test_asylum_takes_six_months():
    # 31 March + 6 months = 30 September 2025 (September has 30 days), a Tuesday.
    assert statutory_deadline(ApplicationType.ASYLUM, date(2025, 3, 31)) == date(2025, 9, 30)


def test_asylum_six_months_clamped_to_february_then_moved_off_the_weekend():
    # 31 August + 6 months = Saturday 28 February 2026, so Monday 2 March.
    assert statutory_deadline(ApplicationType.ASYLUM, date(2025, 8, 31)) == date(2026, 3, 2)


@pytest.mark.parametrize(
    "start, expected",
    [
        (date(2025, 1, 31), date(2025, 2, 28)),
        (date(2024, 1, 31), date(2024, 2, 29)),
        (date(2025, 12, 15), date(2026, 1, 15)),
    ],
)
def test_one_month_after_a_day_clamps_to_the_end_of_a_shorter_month(start, expected):
    assert Period(months=1).after(start) == expected


def test_a_suspension_extends_the_deadline_day_for_day():
    # Thursday 10 April + 14 days = Thursday 24 April 2025.
    assert statutory_deadline(ApplicationType.MVV, date(2025, 1, 10), suspended_days=14) == date(2025, 4, 24)


def test_the_suspension_is_added_before_moving_to_a_working_day():
    # Thursday 10 April + 2 days = Saturday 12 April, so Monday 14 April (not Saturday).
    assert statutory_deadline(ApplicationType.MVV, date(2025, 1, 10), suspended_days=2) == date(2025, 4, 14)


def test_a_suspension_counts_from_the_calendar_deadline_not_the_moved_one():
    # Saturday 12 April + 2 days = Monday 14 April 2025, not Monday 14 April + 2.
    assert statutory_deadline(ApplicationType.MVV, date(2025, 1, 12), suspended_days=2) == date(2025, 4, 14)


def test_a_suspension_ending_on_good_friday_moves_past_easter_monday():
    # Thursday 10 April + 8 days = Good Friday 18 April 2025; Easter Monday is 21 April.
    assert statutory_deadline(ApplicationType.MVV, date(2025, 1, 10), suspended_days=8) == date(2025, 4, 22)


def test_a_negative_suspension_is_refused():
    with pytest.raises(ValueError, match="suspended_days"):
        statutory_deadline(ApplicationType.MVV, date(2025, 1, 10), suspended_days=-1)


def test_the_warning_date_is_that_many_calendar_days_before_the_deadline():
    assert warning_date(date(2025, 4, 10), 14) == date(2025, 3, 27)


def test_days_suspended_counts_calendar_days_between_request_and_resumption():
    assert days_suspended(date(2025, 2, 20), date(2025, 3, 6)) == 14


def test_days_suspended_is_never_negative():
    assert days_suspended(date(2025, 3, 6), date(2025, 2, 20)) == 0


@pytest.mark.parametrize(
    "today, expected",
    [(date(2025, 4, 1), 9), (date(2025, 4, 10), 0), (date(2025, 4, 13), -3)],
)
def test_days_left_counts_down_and_turns_negative_once_exceeded(today, expected):
    assert days_left(date(2025, 4, 10), today) == expected
