"""The calendar file attached to an appointment email, so the applicant can add it in one click.

Desks keep Dutch local time, so start and end carry the Europe/Amsterdam zone (with its VTIMEZONE
for the appointment's year) and calendars abroad show the right hour. Everything but DTSTAMP follows
from the appointment, so a resent email carries the same event.
"""

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from schemas.appointments import AppointmentData

PRODID = "-//IND//Case pipeline notify//EN"
UID_DOMAIN = "ind.example"
DESK_TIME = ZoneInfo("Europe/Amsterdam")


def appointment_ics(appointment: AppointmentData, summary: str, description: str) -> bytes:
    """One VEVENT, published (not an invitation to answer); UID ``<appointment_id>@ind.example``."""
    event = Event.new(
        uid=f"{appointment.appointment_id}@{UID_DOMAIN}",
        stamp=datetime.now(timezone.utc),
        start=datetime.combine(appointment.date, appointment.start_time, DESK_TIME),
        end=datetime.combine(appointment.date, appointment.end_time, DESK_TIME),
        summary=summary,
        description=description,
        location=f"{appointment.location_name}, {appointment.address}",
    )
    # Calendar.new would add a random calendar UID; built by hand, the file stays deterministic.
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    year = appointment.date.year
    calendar.add_missing_timezones(date(year, 1, 1), date(year + 1, 1, 1))
    return calendar.to_ical()
