"""Applicants look up, move and cancel their appointments (``/appointments/...``) against real
PostgreSQL over HTTP: a move or a cancellation frees the old seat and says so with exactly one event,
keyed by the booking (or the case); the token travels in the body or the Authorization header and
never in the URL; a wrong token is a 404, not a 403, so none can be probed; too many tries are a 429.
(A case's appointments: test_applicant_case_bookings.py.)

The module has a database of its own; each test books on days of its own.
"""

import pytest

from schemas.codes import AppointmentProduct, LocationCode
from services.biometrics.capacity import Capacity
from services.biometrics.self_service import BOOK, HOLD, MANAGE
from tests.integration.applicant_desk import (
    DAY_TOKEN,
    GENEROUS,
    book,
    desk_with_slots,
    events_since,
    oap,
    outbox,
    seats,
    serve,
    sub_at_zwolle,
)

ZW, DB, AM = LocationCode.ZWOLLE, LocationCode.DEN_BOSCH, LocationCode.AMSTERDAM
SUB, BIO, VAA, DOC = (
    AppointmentProduct.SUBMISSION,
    AppointmentProduct.BIOMETRICS,
    AppointmentProduct.ENDORSEMENT_STICKER,
    AppointmentProduct.DOCUMENT_PICKUP,
)
OVERRIDES = {ZW: {SUB: Capacity(slot_minutes=480, desks=3)}}


@pytest.fixture(scope="module")
async def desk_pool():
    async with desk_with_slots("applicant_changes", OVERRIDES, ["/oap/api/desks/ZW/slots/?productKey=SUB"]) as pool:
        yield pool


@pytest.fixture
async def client(desk_pool):
    async with serve(desk_pool, OVERRIDES) as client:
        yield client


# --- cancel and move by token --------------------------------------------------------------------


async def test_a_cancellation_frees_the_seat_and_says_so_once_keyed_by_the_booking(client, desk_pool):
    slot = sub_at_zwolle("2027-03-02")
    booked = await book(client, slot)
    before = len(await outbox(desk_pool))

    response = await client.post("/appointments/cancel", json={"token": booked["manageToken"]})

    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert (await response.json())["appointment"]["status"] == "cancelled"
    assert await seats(desk_pool, slot) == [0]
    (key, event), *more = await events_since(desk_pool, before)
    assert more == []
    assert event["type"] == "nl.ind.appointment.cancelled.v1"
    assert event["data"]["booking_code"] == booked["code"] and key == event["data"]["booking_id"]
    assert event["data"]["sequence"] == 1 and event["data"]["contact"]["email"] == "ana.silva@example.org"

    again = await client.post("/appointments/cancel", headers={"Authorization": f"Bearer {booked['manageToken']}"})
    assert again.status == 409
    assert (await again.json())["error"]["field"] == "appointment"
    assert len(await outbox(desk_pool)) == before + 1  # nothing said twice


async def test_a_move_frees_the_old_seat_takes_the_new_one_and_says_so_once_and_the_desk_day_follows(client, desk_pool):
    old, new = sub_at_zwolle("2027-03-03"), sub_at_zwolle("2027-03-04")
    booked = await book(client, old)
    before = len(await outbox(desk_pool))
    status, held = await oap(await client.post(f"/oap/api/desks/ZW/slots/{new['key']}", json=new))

    response = await client.post(
        "/appointments/reschedule",
        json={"slot": new["key"], "holdId": held["data"]["holdId"]},
        headers={"Authorization": f"Bearer {booked['manageToken']}"},
    )

    assert response.status == 200, await response.text()
    moved = (await response.json())["appointment"]
    assert (moved["appointmentId"], moved["date"], moved["status"]) == (booked["appointmentId"], "2027-03-04", "booked")
    assert await seats(desk_pool, old, new) == [0, 1]  # the hold became the appointment's seat: not a second one
    ((key, event),) = await events_since(desk_pool, before)
    assert event["type"] == "nl.ind.appointment.rescheduled.v1" and key == event["data"]["booking_id"]
    assert (event["data"]["previous"]["date"], event["data"]["current"]["date"]) == ("2027-03-03", "2027-03-04")
    assert event["data"]["sequence"] == 1 and event["data"]["manage_reference"] is None

    headers = {"Authorization": f"Bearer {DAY_TOKEN}"}
    old_day = await (await client.get("/desks/ZW/day?date=2027-03-03", headers=headers)).json()
    new_day = await (await client.get("/desks/ZW/day?date=2027-03-04", headers=headers)).json()
    assert [a["appointment_id"] for a in old_day["appointments"]] == []
    (entry,) = new_day["appointments"]
    assert (entry["appointment_id"], entry["case_id"], entry["case_number"]) == (booked["appointmentId"], None, None)
    assert (entry["product"], entry["booking_code"], entry["persons"]) == ("SUB", booked["code"], 1)


async def test_a_move_to_a_full_slot_is_a_409_and_changes_nothing(client, desk_pool):
    mine, full = sub_at_zwolle("2027-03-05"), sub_at_zwolle("2027-03-08")
    booked = await book(client, mine)
    for _ in range(3):
        await book(client, full)
    before = len(await outbox(desk_pool))

    response = await client.post("/appointments/reschedule", json={"token": booked["manageToken"], "slot": full["key"]})

    assert response.status == 409
    assert (await response.json())["error"]["field"] == "slot"
    assert await seats(desk_pool, mine, full) == [1, 3]
    assert len(await outbox(desk_pool)) == before


@pytest.mark.parametrize("path", ["/appointments/lookup", "/appointments/cancel", "/appointments/reschedule"])
async def test_a_wrong_token_is_a_404_whatever_it_asks(client, desk_pool, path):
    booked = await book(client, sub_at_zwolle("2027-03-09"))
    wrong = booked["manageToken"][:-1] + ("A" if booked["manageToken"][-1] != "A" else "B")

    response = await client.post(path, json={"token": wrong, "slot": sub_at_zwolle("2027-03-10")["key"]})

    assert response.status == 404
    assert await response.json() == {"error": {"field": "token", "reason": "there is no appointment for this token"}}


async def test_the_token_is_refused_in_the_url_and_must_agree_between_body_and_header(client, desk_pool):
    booked = await book(client, sub_at_zwolle("2027-03-11"))
    token = booked["manageToken"]

    in_url = await client.post(f"/appointments/cancel?token={token}")
    disagreeing = await client.post("/appointments/cancel", json={"token": token}, headers={"Authorization": "Bearer other"})
    looked_up = await client.post("/appointments/lookup", json={"token": token})

    assert (in_url.status, (await in_url.json())["error"]["field"]) == (400, "token")
    assert (disagreeing.status, (await disagreeing.json())["error"]["field"]) == (400, "token")
    assert (await looked_up.json())["appointment"]["status"] == "booked"  # neither cancelled it


@pytest.mark.parametrize(
    "kind, path, body",
    [
        (HOLD, "/oap/api/desks/ZW/slots/SUB-ZW-20270312-0900", {}),
        (BOOK, "/oap/api/desks/ZW/appointments", {"no": "booking"}),
        (MANAGE, "/appointments/lookup", {"token": "not-a-token"}),
    ],
)
async def test_too_many_tries_from_one_address_get_a_429_with_retry_after(desk_pool, kind, path, body):
    async with serve(desk_pool, OVERRIDES, limits={**GENEROUS, kind: 2}) as client:
        first, second, third = [await client.post(path, json=body) for _ in range(3)]
        text = await third.text()

    assert first.status != 429 and second.status != 429
    assert third.status == 429
    assert 1 <= int(third.headers["Retry-After"]) <= 30
    assert '"field":"client"' in text.replace(" ", "")
