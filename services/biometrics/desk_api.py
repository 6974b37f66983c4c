"""The desk agenda over HTTP, shaped like the IND's own appointment system:

    GET /desks/{location}/slots?product=BIO&persons=1[&limit=20]

answers the free slots (key, date, start and end time, persons) at one location, earliest first.
It is public: it says which times are free, nothing about who booked the others.

    GET /desks/{location}/day[?date=YYYY-MM-DD]      Authorization: Bearer <DESK_DAY_TOKEN>

answers a desk's day for the desk officers' console (decision calls it): the location's code, its
name, the date (today in the Netherlands when none is asked for) and its appointments that are
not cancelled, by start time, then product, then appointment id, each with its case id and number
(both null for a submission or information appointment an applicant booked, which has no case),
product, start and end time (HH:MM), persons, status (booked, attended, no_show), for a document
pickup (DOC) the number of the document produced for the case (null for other products, or when
none was recorded), and the booking code of an appointment the applicant booked (null otherwise). It holds case and document numbers, so it needs the token: without the setting
it answers 503, without the right token 401 (``WWW-Authenticate: Bearer``; the token is compared in
constant time). An unknown location, or a date not written YYYY-MM-DD, not in the calendar or more
than 366 days from today, gets a 400 naming the field and why. Nothing here logs a request or an
answer (the worker's web server keeps no access log either).

With a ``SelfService`` the app also serves the applicants: the IND's appointment dialect under
``/oap/api`` (``oap_api``), the manage endpoints under ``/appointments`` (``manage_api``) and alerts
for free slots under ``/alerts`` (``alerts_api``).
"""

import hmac
import re
from collections.abc import Callable
from datetime import date

import asyncpg
from aiohttp import hdrs, web
from pydantic import SecretStr

from schemas.codes import AppointmentProduct, LocationCode
from services.biometrics.agenda import DeskAgenda
from services.biometrics.alerts_api import alerts_app
from services.biometrics.desk_day import appointments_on
from services.biometrics.locations import LOCATIONS
from services.biometrics.manage_api import manage_app
from services.biometrics.oap_api import oap_app
from services.biometrics.self_service import SelfService

DAY_NOT_CONFIGURED = {"error": "the desk day is not configured (DESK_DAY_TOKEN)"}
DAY_REACH_DAYS = 366
"""How far from today, either side, a desk's day may be asked for."""

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # date.fromisoformat also reads 20270301 and 2027-W09-1
_LOCATIONS = ", ".join(code.value for code in LocationCode)


def desk_app(
    pool: asyncpg.Pool,
    capacity_overrides: dict,
    today: Callable[[], date],
    *,
    day_token: SecretStr | None,
    self_service: SelfService | None = None,
) -> web.Application:
    expected = day_token.get_secret_value().encode() if day_token is not None else None

    async def slots(request: web.Request) -> web.Response:
        try:
            location = LocationCode(request.match_info["location"])
            product = AppointmentProduct(request.query.get("product", "BIO"))
            persons = int(request.query.get("persons", "1"))
            limit = int(request.query.get("limit", "20"))
            if not 1 <= persons <= 6 or not 1 <= limit <= 500:
                raise ValueError
        except ValueError:
            return web.json_response(
                {"error": "use a location code, product BIO/DOC/VAA/SUB/INF, persons 1-6 and limit 1-500"}, status=400
            )
        async with pool.acquire() as connection, connection.transaction():
            rows = await DeskAgenda(connection, capacity_overrides).free_slots(location, product, persons, today(), limit)
        return web.json_response(
            {
                "location": location.value,
                "name": LOCATIONS[location].name,
                "product": product.value,
                "persons": persons,
                "slots": [
                    {
                        "key": slot["slot_key"],
                        "date": slot["day"].isoformat(),
                        "startTime": slot["start_time"].strftime("%H:%M"),
                        "endTime": slot["end_time"].strftime("%H:%M"),
                        "parts": slot["free"],
                    }
                    for slot in rows
                ],
            }
        )

    async def day(request: web.Request) -> web.Response:
        if expected is None:
            return web.json_response(DAY_NOT_CONFIGURED, status=503)
        refused = _unauthorised(request, expected)
        if refused is not None:
            return refused
        try:
            location = _location(request.match_info["location"])
            on = _date(request.query.getall("date", []), today())
        except _BadRequest as error:
            return web.json_response({"error": str(error), "field": error.field, "reason": error.reason}, status=400)
        async with pool.acquire() as connection:
            appointments = await appointments_on(connection, location, on)
        return web.json_response(
            {
                "location": location.value,
                "name": LOCATIONS[location].name,
                "date": on.isoformat(),
                "appointments": [
                    {
                        "appointment_id": appointment.appointment_id,
                        "case_id": str(appointment.case_id) if appointment.case_id is not None else None,
                        "case_number": appointment.case_number,
                        "product": appointment.product.value,
                        "start_time": appointment.start.strftime("%H:%M"),
                        "end_time": appointment.end.strftime("%H:%M"),
                        "persons": appointment.persons,
                        "status": appointment.status,
                        "document_number": appointment.document_number,
                        "booking_code": appointment.booking_code,
                    }
                    for appointment in appointments
                ],
            },
            headers={hdrs.CACHE_CONTROL: "no-store"},  # case and document numbers: no cache keeps them
        )

    app = web.Application()
    app.router.add_get("/desks/{location}/slots", slots)
    app.router.add_get("/desks/{location}/day", day)
    if self_service is not None:
        app.add_subapp("/oap/api", oap_app(pool, self_service))
        app.add_subapp("/appointments", manage_app(self_service))
        app.add_subapp("/alerts", alerts_app(self_service))
    return app


class _BadRequest(Exception):
    """The request cannot be answered as sent: ``field`` says which part, ``reason`` why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def _unauthorised(request: web.Request, expected: bytes) -> web.Response | None:
    """A 401 unless the request carries one ``Authorization: Bearer`` header with the desk day's
    token, compared in constant time; None when it does."""
    sent = request.headers.getall(hdrs.AUTHORIZATION, [])
    scheme, _, credentials = sent[0].partition(" ") if len(sent) == 1 else ("", "", "")
    token = credentials.strip()
    if scheme.lower() != "bearer" or not token:
        error = "send the desk day's token as Authorization: Bearer <token>"
    elif not hmac.compare_digest(token.encode("utf-8", "surrogatepass"), expected):  # any text encodes: never an error
        error = "the token is not the desk day's"
    else:
        return None
    return web.json_response({"error": error}, status=401, headers={hdrs.WWW_AUTHENTICATE: "Bearer"})


def _location(raw: str) -> LocationCode:
    try:
        return LocationCode(raw)
    except ValueError:
        raise _BadRequest("location", f"is not a location code; use one of {_LOCATIONS}") from None


def _date(sent: list[str], today: date) -> date:
    """The date asked for (``today`` when none is), within ``DAY_REACH_DAYS`` of ``today``."""
    if not sent:
        return today
    if len(sent) > 1:
        raise _BadRequest("date", "is given more than once; send one date")
    if not _ISO_DATE.fullmatch(sent[0]):
        raise _BadRequest("date", "is not a date in the form YYYY-MM-DD")
    try:
        asked = date.fromisoformat(sent[0])
    except ValueError:
        raise _BadRequest("date", "is not a day of the calendar (YYYY-MM-DD)") from None
    if abs((asked - today).days) > DAY_REACH_DAYS:
        raise _BadRequest("date", f"is more than {DAY_REACH_DAYS} days from today ({today.isoformat()})")
    return asked
