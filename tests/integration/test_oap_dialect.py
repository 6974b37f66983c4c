"""The IND's online appointment dialect (``/oap/api``) against real PostgreSQL, driven as the public
checker scripts drive the IND's own system: list the desks, read a desk's slots (strip the guard
line, parse the envelope, read the fields), find the earliest slot, hold it, book it. And every bad
input answered with a 4xx naming the field and the reason, in the same envelope, never a 500.

The module has a database of its own; its desks have one slot a day (``ONE_SLOT``) where it books.
"""

import json
from datetime import date

import pytest

from schemas.codes import ApplicationType, AppointmentProduct, LocationCode
from services.biometrics.app import MIGRATIONS, SERVICE
from services.biometrics.capacity import Capacity
from tests.conftest import registrations, service_pool
from tests.integration.applicant_desk import booking, oap, outbox, serve
from tests.integration.desk_stage import take_on

ZW, DB, AM = LocationCode.ZWOLLE, LocationCode.DEN_BOSCH, LocationCode.AMSTERDAM
SUB, BIO, INF = AppointmentProduct.SUBMISSION, AppointmentProduct.BIOMETRICS, AppointmentProduct.INFORMATION
ONE_SLOT = Capacity(slot_minutes=480, desks=4)  # 09:00-17:00 at an IND desk, four seats
OVERRIDES = {ZW: {SUB: ONE_SLOT, INF: ONE_SLOT}, DB: {SUB: ONE_SLOT}}
CLIENT_HEADERS = {"Accept": "application/json", "oap-locale": "en"}  # what the checker scripts send


@pytest.fixture(scope="module")
async def desk_pool():
    async with service_pool("oap_dialect", SERVICE, MIGRATIONS) as pool:
        yield pool


@pytest.fixture
async def client(desk_pool):
    async with serve(desk_pool, OVERRIDES) as client:
        yield client


# --- a checker script's round --------------------------------------------------------------------


async def test_a_checker_script_lists_desks_reads_slots_finds_the_earliest_holds_and_books_it(client, desk_pool):
    status, desks = await oap(await client.get("/oap/api/desks?productKey=SUB", headers=CLIENT_HEADERS))
    assert status == 200 and desks["status"] == "OK"
    assert [desk["key"] for desk in desks["data"]] == ["AM", "DB", "DH", "ZW"]  # expat centres take no submissions
    assert set(desks["data"][0]) == {"key", "version", "name"}

    response = await client.get("/oap/api/desks/ZW/slots/?productKey=SUB&persons=1", headers=CLIENT_HEADERS)
    text = await response.text()
    assert text.startswith(")]}',\n")
    slots = json.loads(text[5:])  # as the Python scripts do: r.text[5:]
    assert slots["status"] == "OK"
    first = slots["data"][0]
    assert set(first) == {"key", "date", "startTime", "endTime", "parts"}
    assert (first["date"], first["startTime"], first["endTime"], first["parts"]) == ("2027-03-02", "09:00", "17:00", 1)
    assert [slot["date"] for slot in slots["data"]] == sorted(slot["date"] for slot in slots["data"])

    status, earliest = await oap(await client.get("/oap/api/slots/earliest?productKey=SUB&persons=1&desks=ZW,DB"))
    assert status == 200
    assert earliest["data"] == [{"desk": "ZW", "name": "IND desk Zwolle", **first}]  # same time at both: the first named

    status, held = await oap(await client.post(f"/oap/api/desks/ZW/slots/{first['key']}", json=first))
    assert (status, held["status"]) == (200, "OK")
    assert held["data"]["key"] == first["key"] and held["data"]["holdId"] and held["data"]["heldUntil"]
    assert await _booked(desk_pool, first["key"]) == 1  # the hold took the seat

    status, booked = await oap(await client.post("/oap/api/desks/ZW/appointments/", json=booking(first)))
    assert (status, booked["status"]) == (200, "OK")
    data = booked["data"]
    assert data["status"] == "booked" and data["desk"] == "ZW" and data["productKey"] == "SUB"
    assert len(data["code"]) == 9 and len(data["manageToken"]) >= 43
    assert await _booked(desk_pool, first["key"]) == 1  # the held seat became the booking's: not a second one
    assert await desk_pool.fetchval("select count(*) from biometrics.holds") == 0


async def test_a_product_key_and_desk_in_lower_case_are_read_as_the_ind_reads_them(client):
    status, slots = await oap(await client.get("/oap/api/desks/zw/slots/?productKey=sub&persons=1"))

    assert status == 200 and slots["data"][0]["key"].startswith("SUB-ZW-")


async def test_the_earliest_slot_across_every_desk_is_answered_with_its_desk(client):
    status, earliest = await oap(await client.get("/oap/api/slots/earliest?productKey=BIO&persons=2"))

    assert status == 200
    (slot,) = earliest["data"]
    assert slot["date"] == "2027-03-02" and slot["startTime"] == "09:00" and slot["parts"] == 2
    assert slot["desk"] == "AM"  # IND desks come first among slots at the same time


async def test_a_booking_without_a_hold_takes_a_free_seat_directly(client, desk_pool):
    status, slots = await oap(await client.get("/oap/api/desks/DB/slots/?productKey=SUB&persons=2"))
    slot = slots["data"][3]
    body = booking(slot, customers=[{"firstName": "Ana", "lastName": "Silva"}, {"firstName": "Rui", "lastName": "Silva"}])

    status, booked = await oap(await client.post("/oap/api/desks/DB/appointments", json=body))

    assert status == 200, booked
    assert booked["data"]["parts"] == 2
    assert await _booked(desk_pool, slot["key"]) == 2
    key, event = (await outbox(desk_pool))[-1]
    assert event["type"] == "nl.ind.appointment.applicant_booked.v1"
    assert key == event["data"]["booking_id"]  # a caseless booking's events keep their order by booking
    assert event["data"]["contact"]["customers"] == [
        {"first_name": "Ana", "last_name": "Silva"},
        {"first_name": "Rui", "last_name": "Silva"},
    ]
    assert "manageToken" not in str(event) and booked["data"]["manageToken"] not in str(event)


async def test_a_case_booking_needs_the_case_number_and_the_date_of_birth_that_fit(client, desk_pool):
    (registration,) = registrations(1, 71, ApplicationType.FAMILY, location=AM)
    await take_on(desk_pool, [registration])
    status, slots = await oap(await client.get("/oap/api/desks/DB/slots/?productKey=BIO&persons=1"))
    slot = slots["data"][5]
    number = registration.data.case_number
    wrong_day = date(1900, 1, 1).isoformat()

    for case_number, born in ((number, wrong_day), ("IND-2026-9999999", registration.data.applicant.date_of_birth.isoformat())):
        status, refused = await oap(
            await client.post(
                "/oap/api/desks/DB/appointments", json=booking(slot, "BIO", caseNumber=case_number, dateOfBirth=born)
            )
        )
        # one answer for a wrong date of birth and an unknown case: neither can be probed
        assert status == 404
        assert refused["error"] == {
            "field": "appointment.caseNumber",
            "reason": "there is no case with this case number and date of birth",
        }


# --- bad input -----------------------------------------------------------------------------------

SLOT = {"key": "SUB-ZW-20270303-0900", "date": "2027-03-03", "startTime": "09:00", "endTime": "17:00", "parts": 1}


@pytest.mark.parametrize(
    "method, path, body, status, field",
    [
        ("GET", "/oap/api/desks?productKey=XYZ", None, 400, "productKey"),
        ("GET", "/oap/api/desks", None, 400, "productKey"),
        ("GET", "/oap/api/desks/XX/slots/?productKey=SUB&persons=1", None, 404, "desk"),
        ("GET", "/oap/api/desks/ZW/slots/?productKey=ABC&persons=1", None, 400, "productKey"),
        ("GET", "/oap/api/desks/ZW/slots/?productKey=SUB&persons=0", None, 400, "persons"),
        ("GET", "/oap/api/desks/ZW/slots/?productKey=SUB&persons=7", None, 400, "persons"),
        ("GET", "/oap/api/desks/ZW/slots/?productKey=SUB&persons=two", None, 400, "persons"),
        ("GET", "/oap/api/desks/XC-AMS/slots/?productKey=SUB&persons=1", None, 400, "productKey"),
        ("GET", "/oap/api/slots/earliest?productKey=SUB&desks=ZW,QQ", None, 400, "desks"),
        ("GET", "/oap/api/nowhere", None, 404, "path"),
        ("DELETE", "/oap/api/desks/ZW/appointments", None, 405, "method"),
        ("POST", "/oap/api/desks/XX/slots/SUB-ZW-20270303-0900", {}, 404, "desk"),
        ("POST", "/oap/api/desks/ZW/slots/SUB-ZW-20990303-0900", {}, 404, "key"),
        ("POST", "/oap/api/desks/DB/slots/SUB-ZW-20270303-0900", {}, 404, "key"),
        ("POST", "/oap/api/desks/ZW/slots/SUB-ZW-20270303-0900", {"parts": 0}, 400, "parts"),
        ("POST", "/oap/api/desks/ZW/slots/SUB-ZW-20270303-0900", {"parts": 7}, 400, "parts"),
        ("POST", "/oap/api/desks/ZW/slots/SUB-ZW-20270303-0900", b"{not json", 400, "body"),
        ("POST", "/oap/api/desks/ZW/appointments", b"{not json", 400, "body"),
        ("POST", "/oap/api/desks/ZW/appointments", b"", 400, "body"),
        ("POST", "/oap/api/desks/ZW/appointments", b"[1, 2]", 400, "body"),
        ("POST", "/oap/api/desks/ZW/appointments", b"\xff\xfe{}", 400, "body"),
        ("POST", "/oap/api/desks/ZW/appointments", b"{" + b" " * 20_000 + b"}", 413, "body"),
        ("POST", "/oap/api/desks/ZW/appointments", {"appointment": {}}, 400, "bookableSlot"),
        ("POST", "/oap/api/desks/ZW/appointments", {"bookableSlot": SLOT}, 400, "appointment"),
        ("POST", "/oap/api/desks/ZW/appointments", booking(SLOT, customers=[]), 400, "appointment.customers"),
        ("POST", "/oap/api/desks/ZW/appointments", booking(SLOT, customers=None), 400, "appointment.customers"),
        (
            "POST",
            "/oap/api/desks/ZW/appointments",
            booking(SLOT, customers=[{"firstName": "Ana"}]),
            400,
            "appointment.customers[0].lastName",
        ),
        ("POST", "/oap/api/desks/ZW/appointments", booking(SLOT, customers=["Ana"]), 400, "appointment.customers[0]"),
        ("POST", "/oap/api/desks/ZW/appointments", booking({**SLOT, "parts": 2}), 400, "appointment.customers"),
        ("POST", "/oap/api/desks/ZW/appointments", booking({**SLOT, "parts": 7}), 400, "bookableSlot.parts"),
        ("POST", "/oap/api/desks/ZW/appointments", booking(SLOT, email="not-an-address"), 400, "appointment.email"),
        ("POST", "/oap/api/desks/ZW/appointments", booking(SLOT, email=None), 400, "appointment.email"),
        ("POST", "/oap/api/desks/ZW/appointments", booking(SLOT, phone="call me"), 400, "appointment.phone"),
        ("POST", "/oap/api/desks/ZW/appointments", booking(SLOT, language="de"), 400, "appointment.language"),
        ("POST", "/oap/api/desks/ZW/appointments", booking(SLOT, language=["en"]), 400, "appointment.language"),
        ("POST", "/oap/api/desks/ZW/appointments", booking(SLOT, productKey="XYZ"), 400, "appointment.productKey"),
        ("POST", "/oap/api/desks/ZW/appointments", booking(SLOT, productKey="INF"), 400, "appointment.productKey"),
        ("POST", "/oap/api/desks/ZW/appointments", booking({**SLOT, "key": "SUB-ZW-20990101-0900"}), 404, "bookableSlot.key"),
        ("POST", "/oap/api/desks/ZW/appointments", booking({**SLOT, "date": "2027-03-04"}), 400, "bookableSlot.date"),
        ("POST", "/oap/api/desks/ZW/appointments", booking({**SLOT, "date": "2027-02-30"}), 400, "bookableSlot.date"),
        ("POST", "/oap/api/desks/ZW/appointments", booking({**SLOT, "startTime": "9"}), 400, "bookableSlot.startTime"),
        ("POST", "/oap/api/desks/ZW/appointments", booking(SLOT, "BIO"), 400, "appointment.caseNumber"),
        (
            "POST",
            "/oap/api/desks/ZW/appointments",
            booking(SLOT, "BIO", caseNumber="IND-1", dateOfBirth="17-05-1994"),
            400,
            "appointment.dateOfBirth",
        ),
        (
            "POST",
            "/oap/api/desks/ZW/appointments",
            booking(SLOT, customers=[{"firstName": "Ana\u0000", "lastName": "Silva"}]),
            400,
            "appointment.customers[0].firstName",
        ),
        (
            "POST",
            "/oap/api/desks/ZW/appointments",
            booking(SLOT, customers=[{"firstName": "Ana", "lastName": "Silva", "vNumber": "V-12"}]),
            400,
            "appointment.customers[0].vNumber",
        ),
    ],
)
async def test_a_bad_request_gets_a_4xx_naming_the_field_and_the_reason_in_the_envelope(
    client, desk_pool, method, path, body, status, field
):
    before = await desk_pool.fetchval("select coalesce(sum(booked), 0) from biometrics.slots")
    kwargs = {"data": body} if isinstance(body, bytes) else {"json": body} if body is not None else {}

    answered, document = await oap(await client.request(method, path, **kwargs))

    assert (answered, document["status"], document["error"]["field"]) == (status, "NOK", field), document
    assert document["error"]["reason"]
    assert await desk_pool.fetchval("select coalesce(sum(booked), 0) from biometrics.slots") == before


async def _booked(pool, slot_key: str) -> int:
    return await pool.fetchval("select booked from biometrics.slots where slot_key = $1", slot_key)


async def test_a_body_sent_in_chunks_without_a_length_is_read_whole_and_refused_when_too_large(client):
    async def chunks(parts: list[bytes]):
        for part in parts:
            yield part

    small = [b'{"bookableSlot": ', b'{"key": "SUB-ZW-20990101-0900"}, ', b'"appointment": {}}']
    large = [b'{"pad": "', *([b"x" * 4096] * 5), b'"}']

    small_status, small_document = await oap(await client.post("/oap/api/desks/ZW/appointments", data=chunks(small)))
    large_status, large_document = await oap(await client.post("/oap/api/desks/ZW/appointments", data=chunks(large)))

    assert (small_status, small_document["error"]["field"]) == (400, "appointment.productKey")  # parsed whole
    assert (large_status, large_document["error"]["field"]) == (413, "body")
