"""A desk's day over HTTP (``GET /desks/{location}/day``) against real PostgreSQL, on a real aiohttp
server: the day's appointments in order, cancelled ones left out, a document pickup with the number
of the document to hand out; the token it needs (401 without it, 503 when none is configured); a 400
for a location or date it cannot answer; and the plan of its one statement.

The module has a database of its own, so the days it books are all its own.
"""

import json
from datetime import date, datetime, time, timedelta
from uuid import uuid4

import pytest
import structlog
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr, ValidationError
from yarl import URL

from schemas.codes import ApplicationType, AppointmentProduct, LocationCode
from schemas.desk import CollectionData, DocumentCollected
from services.biometrics.agenda import DeskAgenda
from services.biometrics.app import MIGRATIONS, SERVICE
from services.biometrics.appointments import Appointment, Appointments
from services.biometrics.capacity import Capacity
from services.biometrics.cases import DeskCase, DeskCases
from services.biometrics.desk_api import DAY_NOT_CONFIGURED, desk_app
from services.biometrics.desk_day import DAY_AT_DESK
from services.biometrics.settings import DeskSettings
from tests.conftest import registrations, service_pool
from tests.integration.desk_stage import AM, DOC, MONDAY, appointment_of, produce, produced, report, take_on, visit

TOKEN = "desk-day-token-for-the-tests-0123456789abcdef"
TODAY = date(2027, 3, 1)  # a Monday
DAY = date(2027, 3, 2)  # the desk's day the tests read
GRQ = LocationCode.XC_GRONINGEN
UTR = LocationCode.XC_UTRECHT
BIO, VAA = AppointmentProduct.BIOMETRICS, AppointmentProduct.ENDORSEMENT_STICKER
OVERRIDES = {
    GRQ: {BIO: Capacity(15, 6), DOC: Capacity(10, 6), VAA: Capacity(15, 6)},
    UTR: {BIO: Capacity(15, 6)},
}
MINUTES = {BIO: 15, DOC: 10, VAA: 15}


@pytest.fixture(scope="module")
async def desk_pool():
    async with service_pool("desk_day", SERVICE, MIGRATIONS) as pool:
        yield pool


def _case(number: int) -> DeskCase:
    return DeskCase(uuid4(), f"IND-2027-{number:07d}", ApplicationType.FAMILY, GRQ, None)


def _appointment(
    case: DeskCase, product: AppointmentProduct, at: time, *, day: date = DAY, location: LocationCode = GRQ, attempt=1, persons=1
) -> tuple[str, Appointment]:
    """(slot key, appointment) as a booking turn makes them."""
    key = f"{product.value}-{location.value}-{day:%Y%m%d}-{at:%H%M}"
    end = (datetime.combine(day, at) + timedelta(minutes=MINUTES[product])).time()
    appointment = Appointment(
        f"{key}-{case.case_number}-{attempt}", case.case_id, product, location, day, at, end, persons, attempt, "booked"
    )
    return key, appointment


@pytest.fixture(scope="module")
async def day_booked(desk_pool) -> dict[str, DeskCase]:
    """A day at the Groningen centre: three products, every status, two cases in one slot, a case with
    a document number at a DOC and at a BIO appointment; and appointments on the day before and at
    another location, which its day leaves out. Booked out of order, so that only the query orders them."""
    cases = {name: _case(number) for number, name in enumerate("ABCDEFGH", start=1)}
    bookings = {
        "D-VAA": _appointment(cases["D"], VAA, time(9, 15)),
        "C-BIO": _appointment(cases["C"], BIO, time(9, 0)),
        "G-DOC": _appointment(cases["G"], DOC, time(13, 0)),  # no document number recorded for G
        "B-DOC": _appointment(cases["B"], DOC, time(9, 0)),
        "E-BIO": _appointment(cases["E"], BIO, time(10, 30)),
        "F-BIO-2": _appointment(cases["F"], BIO, time(11, 0), attempt=2),  # booked again, then cancelled
        "A-BIO": _appointment(cases["A"], BIO, time(9, 0), persons=2),
        "B-BIO": _appointment(cases["B"], BIO, time(9, 45)),
        "F-BIO-1": _appointment(cases["F"], BIO, time(9, 30), day=TODAY),  # the day before
        "H-BIO": _appointment(cases["H"], BIO, time(9, 0), location=UTR),  # another location
    }
    async with desk_pool.acquire() as connection, connection.transaction():
        await DeskCases(connection).add(list(cases.values()))
        await DeskCases(connection).set_document_numbers({cases["B"].case_id: "NLB0000002", cases["F"].case_id: "NLF0000006"})
        agenda = DeskAgenda(connection, OVERRIDES)
        for product in (DOC, VAA, BIO):  # DOC's slots written first: the table's order is not the day's
            await agenda.open_days([GRQ], product, [TODAY, DAY])
        await agenda.open_days([UTR], BIO, [DAY])
        for product in (VAA, BIO, DOC):
            await agenda.take_seats(product, [booking for booking in bookings.values() if booking[1].product == product])
        appointments = Appointments(connection)
        await appointments.set_attended([bookings["D-VAA"][1].appointment_id])
        await appointments.set_no_show([bookings["E-BIO"][1].appointment_id, bookings["F-BIO-1"][1].appointment_id])
        # the desk corrects F's no-show of the day before, as desk_reports does: attended after all, and
        # the appointment booked again because of it cancelled
        await appointments.set_attended([bookings["F-BIO-1"][1].appointment_id])
        assert await agenda.cancel_later([bookings["F-BIO-1"][1]]) == [bookings["F-BIO-2"][1].appointment_id]
    return cases


def _entry(case: DeskCase, product: AppointmentProduct, start: str, end: str, status="booked", persons=1, document=None, day=DAY):
    return {
        "appointment_id": f"{product.value}-{GRQ.value}-{day:%Y%m%d}-{start.replace(':', '')}-{case.case_number}-1",
        "case_id": str(case.case_id),
        "case_number": case.case_number,
        "product": product.value,
        "start_time": start,
        "end_time": end,
        "persons": persons,
        "status": status,
        "document_number": document,
        "booking_code": None,
    }


@pytest.fixture
async def client(desk_pool):
    app = desk_app(desk_pool, OVERRIDES, lambda: TODAY, day_token=SecretStr(TOKEN))
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield client


AUTHORISED = {"Authorization": f"Bearer {TOKEN}"}


async def _day(client, location: str = GRQ.value, query: str = f"date={DAY}", headers=AUTHORISED):
    return await client.get(URL(f"/desks/{location}/day?{query}", encoded=True), headers=headers)


# --- the day ---------------------------------------------------------------------------------------


async def test_the_day_lists_its_appointments_by_start_time_product_and_id_without_the_cancelled(client, day_booked):
    cases = day_booked

    response = await _day(client)

    assert response.status == 200
    assert response.content_type == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert await response.json() == {
        "location": "XC-GRQ",
        "name": "International Welcome Center North",
        "date": "2027-03-02",
        "appointments": [
            _entry(cases["A"], BIO, "09:00", "09:15", persons=2),
            _entry(cases["C"], BIO, "09:00", "09:15"),
            _entry(cases["B"], DOC, "09:00", "09:10", document="NLB0000002"),
            _entry(cases["D"], VAA, "09:15", "09:30", status="attended"),
            _entry(cases["B"], BIO, "09:45", "10:00"),  # B's document number belongs to its DOC appointment only
            _entry(cases["E"], BIO, "10:30", "10:45", status="no_show"),
            _entry(cases["G"], DOC, "13:00", "13:10"),  # a pickup whose document number was never recorded
        ],
    }


async def test_a_cancelled_appointment_is_left_out_though_it_is_in_the_table(desk_pool, client, day_booked):
    cancelled = await desk_pool.fetchval(
        "select appointment_id from biometrics.appointments where case_id = $1 and status = 'cancelled'",
        day_booked["F"].case_id,
    )
    assert cancelled and cancelled.startswith(f"BIO-XC-GRQ-{DAY:%Y%m%d}-1100-")

    body = await (await _day(client)).json()

    assert cancelled not in [entry["appointment_id"] for entry in body["appointments"]]
    assert day_booked["F"].case_number not in json.dumps(body)  # nor its earlier appointment, on another day


async def test_without_a_date_the_day_is_today(client, day_booked):
    today = await (await _day(client, query="")).json()
    asked = await (await _day(client, query=f"date={TODAY}")).json()

    assert today["date"] == "2027-03-01"
    assert today["appointments"] == [_entry(day_booked["F"], BIO, "09:30", "09:45", status="attended", day=TODAY)]
    assert today == asked


async def test_a_day_at_another_location_is_its_own(client, day_booked):
    body = await (await _day(client, location=UTR.value)).json()

    assert (body["location"], body["name"]) == ("XC-UTR", "International Welcome Centre Utrecht Region")
    assert [entry["case_number"] for entry in body["appointments"]] == [day_booked["H"].case_number]


async def test_a_day_366_days_from_today_either_side_is_answered(client, day_booked):
    for day in (TODAY + timedelta(days=366), TODAY - timedelta(days=366)):
        response = await _day(client, query=f"date={day}")
        assert response.status == 200
        assert (await response.json()) == {
            "location": "XC-GRQ",
            "name": "International Welcome Center North",
            "date": str(day),
            "appointments": [],
        }


async def test_a_produced_documents_pickup_is_listed_with_its_number_and_attended_once_collected(desk_pool):
    (registration,) = registrations(1, 71, ApplicationType.FAMILY, location=AM)
    await take_on(desk_pool, [registration])
    await produce(desk_pool, [produced(registration, AM, "NLX7654321")])
    appointment_id, _status = await appointment_of(desk_pool, registration, product=DOC)
    pickup_day = await desk_pool.fetchval(
        "select s.day from biometrics.appointments a join biometrics.slots s using (slot_key) where a.appointment_id = $1",
        appointment_id,
    )
    app = desk_app(desk_pool, {}, lambda: MONDAY, day_token=SecretStr(TOKEN))

    async def pickup(client: TestClient) -> dict:
        response = await client.get(f"/desks/AM/day?date={pickup_day}", headers=AUTHORISED)
        assert response.status == 200
        (entry,) = [e for e in (await response.json())["appointments"] if e["appointment_id"] == appointment_id]
        return entry

    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        booked = await pickup(client)
        collected = CollectionData(**visit(registration, appointment_id), document_number="NLX7654321")
        await report(desk_pool, [DocumentCollected.create(collected, source="urn:ind:desk")])
        attended = await pickup(client)

    assert (booked["product"], booked["status"], booked["document_number"]) == ("DOC", "booked", "NLX7654321")
    assert (booked["case_id"], booked["case_number"]) == (str(registration.data.case_id), registration.data.case_number)
    assert (attended["status"], attended["document_number"]) == ("attended", "NLX7654321")


async def test_the_day_holds_no_names_birth_dates_or_passport_numbers_and_logs_nothing(client, day_booked, caplog):
    caplog.set_level("DEBUG")
    with structlog.testing.capture_logs() as logged:
        response = await _day(client)
        body = await response.text()

    keys = {key for entry in json.loads(body)["appointments"] for key in entry}
    assert keys == {
        "appointment_id",
        "case_id",
        "case_number",
        "product",
        "start_time",
        "end_time",
        "persons",
        "status",
        "document_number",
        "booking_code",  # a code the applicant quotes: no personal data
    }
    written = json.dumps(logged, default=str) + caplog.text
    for case in day_booked.values():
        assert case.case_number not in written
    assert "NLB0000002" not in written


# --- the token -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer "},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": f"Bearer {TOKEN[:-1]}x"},  # as long as the token, its last character wrong
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": f"Bearer {TOKEN[:-1]}"},
        {"Authorization": f"Bearer {TOKEN.upper()}"},
        {"Authorization": f"{TOKEN}"},
        {"Authorization": f"Bearer {TOKEN[:-1]}\u00e9"},
    ],
    ids=[
        "no-header",
        "empty",
        "bearer-without-token",
        "bearer-and-a-space",
        "basic",
        "last-character-wrong",
        "one-character-more",
        "one-character-less",
        "upper-case",
        "token-without-scheme",
        "non-ascii",
    ],
)
async def test_a_request_without_the_right_token_gets_401_asking_for_a_bearer_token(client, day_booked, headers):
    response = await _day(client, headers=headers)

    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    body = await response.json()
    assert set(body) == {"error"} and body["error"]
    assert TOKEN not in json.dumps(body)


async def test_two_authorization_headers_get_401_even_when_one_holds_the_token(client, day_booked):
    headers = [("Authorization", f"Bearer {TOKEN}"), ("Authorization", "Bearer something-else")]

    response = await client.get(f"/desks/XC-GRQ/day?date={DAY}", headers=headers)

    assert response.status == 401


async def test_the_scheme_is_read_in_any_case(client, day_booked):
    response = await _day(client, headers={"Authorization": f"bearer {TOKEN}"})

    assert response.status == 200


async def test_a_request_without_the_token_learns_nothing_of_what_it_asked(client, day_booked):
    unknown = await _day(client, location="XX", query="date=never", headers={})

    assert unknown.status == 401


async def test_without_a_configured_token_the_day_answers_503_whatever_is_sent(desk_pool, day_booked):
    app = desk_app(desk_pool, OVERRIDES, lambda: TODAY, day_token=None)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        with_token = await _day(client)
        without = await _day(client, headers={})
        bodies = [await with_token.json(), await without.json()]

    assert (with_token.status, without.status) == (503, 503)
    assert bodies == [DAY_NOT_CONFIGURED] * 2
    assert DAY_NOT_CONFIGURED == {"error": "the desk day is not configured (DESK_DAY_TOKEN)"}


async def test_the_public_slots_stay_open_without_a_token(client, day_booked):
    response = await client.get("/desks/XC-GRQ/slots", params={"product": "BIO"})

    assert response.status == 200
    assert (await response.json())["slots"]


def test_the_token_setting_is_read_from_desk_day_token_and_unset_by_default(monkeypatch):
    monkeypatch.delenv("DESK_DAY_TOKEN", raising=False)
    assert DeskSettings().desk_day_token is None
    monkeypatch.setenv("DESK_DAY_TOKEN", TOKEN)
    assert DeskSettings().desk_day_token == SecretStr(TOKEN)
    assert TOKEN not in repr(DeskSettings())


@pytest.mark.parametrize(
    "token, says",
    [
        ("x" * 31, "at least 32 characters"),
        ("", "at least 32 characters"),
        ("x" * 31 + " y", "may hold only"),
        (TOKEN + "\n", "may hold only"),
        ("\u00e9" * 32, "may hold only"),
    ],
    ids=["31-characters", "empty", "a-space", "a-trailing-newline", "non-ascii"],
)
def test_a_token_too_short_or_no_header_can_carry_stops_the_settings_naming_why_without_the_token(monkeypatch, token, says):
    monkeypatch.setenv("DESK_DAY_TOKEN", token)

    with pytest.raises(ValidationError) as raised:
        DeskSettings()

    (error,) = raised.value.errors()
    assert error["loc"] == ("desk_day_token",)
    assert says in error["msg"]
    if token:
        assert token.strip() not in str(raised.value)


def test_a_token_of_32_characters_is_taken():
    assert DeskSettings(desk_day_token="A" * 32).desk_day_token == SecretStr("A" * 32)


# --- what it cannot answer -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "location",
    ["XX", "am", "XC-grq", "%20AM", "AM%00", "%ED%A0%80", "%FF", "A" * 2000],
    ids=["unknown", "lower-case", "partly-lower-case", "leading-space", "nul", "lone-surrogate", "not-utf8", "2000-characters"],
)
async def test_an_unknown_location_gets_400_naming_it(client, day_booked, location):
    response = await _day(client, location=location)

    assert response.status == 400
    body = await response.json()
    assert body["field"] == "location"
    assert "is not a location code" in body["reason"] and "XC-GRQ" in body["reason"]
    assert body["error"] == f"location: {body['reason']}"


@pytest.mark.parametrize(
    "query, reason",
    [
        ("date=", "YYYY-MM-DD"),
        ("date", "YYYY-MM-DD"),
        ("date=tomorrow", "YYYY-MM-DD"),
        ("date=2027-3-2", "YYYY-MM-DD"),
        ("date=20270302", "YYYY-MM-DD"),  # fromisoformat reads it; the API does not
        ("date=2027-W09-2", "YYYY-MM-DD"),
        ("date=2027-03-02T09:00", "YYYY-MM-DD"),
        ("date=%EF%BC%92027-03-02", "YYYY-MM-DD"),  # a fullwidth 2
        ("date=2027-03-02%00", "YYYY-MM-DD"),
        ("date=%ED%A0%80", "YYYY-MM-DD"),
        ("date=2027-02-29", "not a day of the calendar"),
        ("date=2027-13-01", "not a day of the calendar"),
        ("date=0000-01-01", "not a day of the calendar"),
        ("date=2028-03-02", "more than 366 days from today"),  # 367 days on
        ("date=2026-02-27", "more than 366 days from today"),  # 367 days back
        ("date=9999-12-31", "more than 366 days from today"),
        ("date=2027-03-02&date=2027-03-03", "more than once"),
    ],
)
async def test_a_date_it_cannot_answer_gets_400_naming_it_and_why(client, day_booked, query, reason):
    response = await _day(client, query=query)

    assert response.status == 400
    body = await response.json()
    assert body["field"] == "date"
    assert reason in body["reason"]
    assert body["error"] == f"date: {body['reason']}"


# --- the plan ------------------------------------------------------------------------------------


async def test_the_day_is_read_through_the_indexes_of_a_locations_day_and_a_slots_appointments(desk_pool, day_booked):
    async with desk_pool.acquire() as connection, connection.transaction():
        # a planner that would rather scan these small tables is told not to, to show what it can use
        await connection.execute("set local enable_seqscan = off")
        plan = "\n".join(
            row[0] for row in await connection.fetch("explain (costs off) " + DAY_AT_DESK, GRQ.value, DAY, DOC.value)
        )

    assert "slots_by_location_day" in plan
    assert "appointments_by_slot" in plan
    assert "Seq Scan" not in plan
