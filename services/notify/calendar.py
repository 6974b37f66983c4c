"""The calendar file attached to an appointment email, so the applicant can add it in one click.

Desks keep Dutch local time, so start and end carry the Europe/Amsterdam zone (with its VTIMEZONE
for the appointment's year) and calendars abroad show the right hour. Everything but DTSTAMP follows
from the appointment, so a resent email carries the same event.
"""

from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

from schemas.appointments import AppointmentData

PRODID = "-//IND//Case pipeline notify//EN"
UID_DOMAIN = "ind.example"
DESK_TIME = ZoneInfo("Europe/Amsterdam")
_END = b"END:VCALENDAR"


def appointment_ics(appointment: AppointmentData, summary: str, description: str) -> bytes:
    """One VEVENT, published (not an invitation to answer); UID ``<appointment_id>@ind.example``."""
    event = Event.new(
        uid=f"{appointment.appointment_id}@{UID_DOMAIN}",
        stamp=datetime.now(UTC),
        start=datetime.combine(appointment.date, appointment.start_time, DESK_TIME),
        end=datetime.combine(appointment.date, appointment.end_time, DESK_TIME),
        summary=summary,
        description=description,
        location=f"{appointment.location_name}, {appointment.address}",
    )
    # The calendar around the event and its VTIMEZONE are the same for every appointment of a
    # year; the VTIMEZONE was two thirds of the file and of building it (a sixth of notify's time in
    # a burst), and the calendar's own lines a quarter of what was left, so both are written once
    # and only the event is serialised each time, in the place icalendar would put it.
    head, tail = _calendar_around_events()
    return head + desk_timezone(appointment.date.year) + event.to_ical() + tail


@lru_cache(maxsize=1)
def _calendar_around_events() -> tuple[bytes, bytes]:
    """The calendar's lines before its components and after them, serialised."""
    # Calendar.new would add a random calendar UID; built by hand, the file stays deterministic.
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    head, tail = calendar.to_ical().split(_END, 1)
    return head, _END + tail


@lru_cache(maxsize=4)
def desk_timezone(year: int) -> bytes:
    """The desks' VTIMEZONE for ``year``, serialised."""
    return Timezone.from_tzinfo(DESK_TIME, DESK_TIME.key, date(year, 1, 1), date(year + 1, 1, 1)).to_ical()
