"""The calendar file attached to an appointment email, so the applicant can add it in one click.

Desks keep Dutch local time, so start and end carry the Europe/Amsterdam zone (with its VTIMEZONE
for the appointment's year) and calendars abroad show the right hour. Everything but DTSTAMP follows
from the appointment, so a resent email carries the same event.

An appointment keeps its UID (``<appointment_id>@ind.example``) however often it moves: a move sends
the event again with a higher SEQUENCE, which calendars take as the new version of the entry they
hold, and a cancellation sends it with ``METHOD:CANCEL`` and ``STATUS:CANCELLED``, which removes it.
"""

from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

from schemas.appointments import AppointmentData, AppointmentPlace

PRODID = "-//IND//Case pipeline notify//EN"
UID_DOMAIN = "ind.example"
DESK_TIME = ZoneInfo("Europe/Amsterdam")
_END = b"END:VCALENDAR"


def appointment_ics(appointment: AppointmentData, summary: str, description: str) -> bytes:
    """One VEVENT, published (not an invitation to answer); UID ``<appointment_id>@ind.example``."""
    place = AppointmentPlace.model_construct(  # the event's fields, validated with it already
        location=appointment.location,
        location_name=appointment.location_name,
        address=appointment.address,
        date=appointment.date,
        start_time=appointment.start_time,
        end_time=appointment.end_time,
    )
    return calendar_file(appointment.appointment_id, place, summary, description)


def calendar_file(
    appointment_id: str, place: AppointmentPlace, summary: str, description: str, *, sequence: int = 0, cancelled: bool = False
) -> bytes:
    """The appointment ``appointment_id`` at ``place`` as one VEVENT: published, at ``sequence``
    (0 when booked, higher for each change), or cancelled."""
    event = Event.new(
        uid=f"{appointment_id}@{UID_DOMAIN}",
        stamp=datetime.now(UTC),
        start=datetime.combine(place.date, place.start_time, DESK_TIME),
        end=datetime.combine(place.date, place.end_time, DESK_TIME),
        summary=summary,
        description=description,
        location=f"{place.location_name}, {place.address}",
    )
    if sequence:
        event.add("sequence", sequence)
    if cancelled:
        event.add("status", "CANCELLED")
    # The calendar around the event and its VTIMEZONE are the same for every appointment of a
    # year; the VTIMEZONE was two thirds of the file and of building it (a sixth of notify's time in
    # a burst), and the calendar's own lines a quarter of what was left, so both are written once
    # and only the event is serialised each time, in the place icalendar would put it.
    head, tail = _calendar_around_events("CANCEL" if cancelled else "PUBLISH")
    return head + desk_timezone(place.date.year) + event.to_ical() + tail


@lru_cache(maxsize=2)
def _calendar_around_events(method: str) -> tuple[bytes, bytes]:
    """The calendar's lines before its components and after them, serialised."""
    # Calendar.new would add a random calendar UID; built by hand, the file stays deterministic.
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    head, tail = calendar.to_ical().split(_END, 1)
    return head, _END + tail


@lru_cache(maxsize=4)
def desk_timezone(year: int) -> bytes:
    """The desks' VTIMEZONE for ``year``, serialised."""
    return Timezone.from_tzinfo(DESK_TIME, DESK_TIME.key, date(year, 1, 1), date(year + 1, 1, 1)).to_ical()
