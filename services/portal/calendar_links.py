"""Calendar files of a case's appointments, behind links that hold no personal data.

The follow page is reached by a POST (the date of birth must not be in a URL), so a plain link to
a calendar file could only name the appointment. The link carries the appointment's place and time
encrypted and signed with the portal's key instead, valid for a day: nothing in it can be read or
altered, and the file is made from it alone. The UID is the one notify's emails use, so a calendar
that has the appointment from an email updates the same entry.
"""

import json
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from cryptography.fernet import Fernet, InvalidToken
from icalendar import Calendar, Event

LIFETIME_S = 24 * 3600
DESK_TIME = ZoneInfo("Europe/Amsterdam")


class CalendarLinks:
    def __init__(self, key: bytes | None) -> None:
        self._fernet = Fernet(key or Fernet.generate_key())

    def token(self, appointment: dict) -> str:
        fields = {k: appointment[k] for k in ("appointment_id", "product", "location_name", "date", "start_time", "end_time")}
        return self._fernet.encrypt(json.dumps(fields).encode()).decode()

    def calendar(self, token: str, summary: str) -> bytes | None:
        """The calendar file the link stands for; None for a link altered, foreign or expired."""
        try:
            fields = json.loads(self._fernet.decrypt(token.encode(), ttl=LIFETIME_S))
        except (InvalidToken, ValueError):
            return None
        day = date.fromisoformat(fields["date"])
        event = Event.new(
            uid=f"{fields['appointment_id']}@ind.example",
            stamp=datetime.now(UTC),
            start=datetime.combine(day, time.fromisoformat(fields["start_time"]), DESK_TIME),
            end=datetime.combine(day, time.fromisoformat(fields["end_time"]), DESK_TIME),
            summary=f"{summary} ({fields['product']})",
            location=fields["location_name"],
        )
        calendar = Calendar.new(prodid="-//IND//Applicants' portal//EN")
        calendar.add_component(event)
        return calendar.to_ical()
