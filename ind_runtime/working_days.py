"""Dutch working days: not a Saturday, not a Sunday, not a public holiday.

Shared because desks open only on working days and statutory deadlines move to the next one
(Algemene termijnenwet). Holidays come from the ``holidays`` package's Netherlands calendar.
"""

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("NL", years=year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def next_working_day(day: date) -> date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def working_days_after(day: date, count: int) -> list[date]:
    """The first ``count`` working days strictly after ``day``."""
    days: list[date] = []
    while len(days) < count:
        day += timedelta(days=1)
        if is_working_day(day):
            days.append(day)
    return days
