"""Statutory decision periods and the deadlines that follow from them.

The period starts on the day the application is received. A request for information suspends the
clock, which extends the deadline day for day; a deadline that then falls on a weekend or Dutch
public holiday moves to the next working day (Algemene termijnenwet).
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from ind_runtime.working_days import next_working_day
from schemas.codes import ApplicationType


@dataclass(frozen=True)
class Period:
    """A period in days or calendar months; the law states each one in one of the two."""

    days: int = 0
    months: int = 0

    def after(self, start: date) -> date:
        """``start`` plus this period; a month step lands on the month's last day when it is shorter."""
        return _add_months(start, self.months) + timedelta(days=self.days)


DECISION_PERIODS: dict[ApplicationType, Period] = {
    ApplicationType.MVV: Period(days=90),
    ApplicationType.HIGHLY_SKILLED_MIGRANT: Period(days=90),
    ApplicationType.FAMILY: Period(days=90),
    ApplicationType.EU_BLUE_CARD: Period(days=90),
    ApplicationType.STUDY: Period(days=60),
    ApplicationType.NATURALISATION: Period(months=12),
    ApplicationType.ASYLUM: Period(months=6),
}


def statutory_deadline(application_type: ApplicationType, received_on: date, suspended_days: int = 0) -> date:
    """The last day to decide: the period, then the suspension, then the next working day."""
    if suspended_days < 0:
        raise ValueError(f"suspended_days must not be negative, got {suspended_days}")
    calendar_deadline = DECISION_PERIODS[application_type].after(received_on)
    return next_working_day(calendar_deadline + timedelta(days=suspended_days))


def warning_date(deadline: date, warning_days: int) -> date:
    """When caseworkers are warned that a case's deadline is near."""
    return deadline - timedelta(days=warning_days)


def days_suspended(suspended_on: date, resumed_on: date) -> int:
    """Days the clock stood still; never negative, so a resumption recorded out of order adds nothing."""
    return max(0, (resumed_on - suspended_on).days)


def days_left(deadline: date, today: date) -> int:
    """Calendar days until the deadline; negative once it has passed."""
    return (deadline - today).days


def dutch_date(day: date) -> str:
    """A date as the applicant reads it in their case's history: day-month-year (31-12-2026)."""
    return day.strftime("%d-%m-%Y")


def _add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return start.replace(year=year, month=month, day=min(start.day, calendar.monthrange(year, month)[1]))
