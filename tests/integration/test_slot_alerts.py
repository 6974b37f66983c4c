"""Applicants' alerts for free slots against real PostgreSQL: asked for over HTTP (``/alerts``), found by
the timer's pass, said as ``nl.ind.appointment.slot_available.v1`` keyed by the alert: one a pass for
the earliest suiting slot, never twice for one slot, at most three a day; a slot freed by a
cancellation is found by the next pass; stopping an alert ends them; every bad request is refused by
field, too many are a 429, and an address may have five alerts.

Zwolle's information appointments here are one slot a day (09:00-17:00) of one seat, or two for the
tests of persons; each test has a database of its own, its slots opened and all taken but the ones
it frees.
"""

import asyncio
from datetime import date, timedelta

import pytest

from schemas.manage_links import token_hash, unsubscribe_token
from services.biometrics.alert_pass import SlotAlertPass
from services.biometrics.self_service import ALERT
from tests.integration.alert_desk import DB, ONE_SEAT, TWO_SEATS, ZW, asked, free, full_desks, inf, run_pass
from tests.integration.applicant_desk import GENEROUS, MANAGE_KEY, book, serve, sub_at_zwolle
from tests.integration.desk_stage import MONDAY, unit_of_work

pytestmark = pytest.mark.integration


async def subscribe(client, **changes) -> dict:
    response = await client.post("/alerts", json=asked(**changes))
    assert response.status == 201, await response.text()
    return await response.json()


@pytest.fixture
async def pool():
    async with full_desks("slot_alerts", ONE_SEAT) as pool:
        yield pool


@pytest.fixture
async def client(pool):
    async with serve(pool, ONE_SEAT) as client:
        yield client


@pytest.fixture(scope="module")
async def refusing():
    """A client and pool for the refusals, which keep nothing: one database for them all."""
    async with full_desks("slot_alert_refusals", ONE_SEAT) as pool, serve(pool, ONE_SEAT) as client:
        yield client, pool


async def test_a_free_slot_that_suits_an_alert_is_said_once_with_the_alert_as_key(pool, client):
    await free(pool, inf(ZW, "2027-03-10"), inf(ZW, "2027-03-12"))
    answer = await subscribe(client, desks=["zw"], email="Ana.Silva@example.org")

    (key, event), *more = await run_pass(pool, ONE_SEAT)

    assert answer == {"alert": {"product": "INF", "persons": 1, "desks": ["ZW"], "before": "2027-03-20", "language": "nl"}}
    assert more == []
    alert_id, kept_hash = await pool.fetchrow("select alert_id, token_hash from biometrics.slot_alerts")
    data = event["data"]
    assert key == str(alert_id) == data["alert_id"]
    assert data["slot_key"] == inf(ZW, "2027-03-10")  # the earliest of the two
    assert (data["date"], data["start_time"], data["end_time"]) == ("2027-03-10", "09:00:00", "17:00:00")
    assert (data["location"], data["location_name"], data["product"], data["persons"]) == ("ZW", "IND desk Zwolle", "INF", 1)
    assert (data["email"], data["language"], data["before"]) == ("Ana.Silva@example.org", "nl", "2027-03-20")
    assert token_hash(unsubscribe_token(MANAGE_KEY, data["unsubscribe_reference"])) == kept_hash  # the event carries no token

    (_key, second), *more = await run_pass(pool, ONE_SEAT)
    assert more == [] and second["data"]["slot_key"] == inf(ZW, "2027-03-12")  # the next pass: the next slot, once
    assert await run_pass(pool, ONE_SEAT) == []  # both told: nothing new, though both are still free


async def test_a_slot_freed_by_a_cancellation_is_said_by_the_next_pass_earlier_ones_too(pool, client):
    booked_slot = sub_at_zwolle("2027-03-04") | {"key": inf(ZW, "2027-03-04")}
    await free(pool, booked_slot["key"], inf(ZW, "2027-03-15"))
    booked = await book(client, booked_slot, "INF")
    await subscribe(client)

    (_key, later), *more = await run_pass(pool, ONE_SEAT)
    assert more == [] and later["data"]["slot_key"] == inf(ZW, "2027-03-15")
    assert await run_pass(pool, ONE_SEAT) == []

    cancelled = await client.post("/appointments/cancel", json={"token": booked["manageToken"]})
    assert cancelled.status == 200

    (_key, earlier), *more = await run_pass(pool, ONE_SEAT)
    assert more == [] and earlier["data"]["slot_key"] == inf(ZW, "2027-03-04")
    assert await run_pass(pool, ONE_SEAT) == []


async def test_an_alert_is_told_about_three_slots_a_day_at_most_and_about_more_the_next_day(pool, client):
    days = ["2027-03-08", "2027-03-09", "2027-03-10", "2027-03-11", "2027-03-12"]
    await free(pool, *(inf(ZW, day) for day in days))
    await subscribe(client)

    told = [event["data"]["slot_key"] for _ in range(5) for _key, event in await run_pass(pool, ONE_SEAT)]
    next_day = [event["data"]["slot_key"] for _key, event in await run_pass(pool, ONE_SEAT, MONDAY + timedelta(days=1))]

    assert told == [inf(ZW, day) for day in days[:3]]
    assert next_day == [inf(ZW, days[3])]
    assert await pool.fetchval("select sent_today from biometrics.slot_alerts") == 1


async def test_only_slots_at_its_desks_with_room_for_its_persons_before_its_day_and_bookable_suit_an_alert():
    async with full_desks("slot_alerts_fit", TWO_SEATS) as pool, serve(pool, TWO_SEATS) as client:
        await free(pool, inf(ZW, "2027-03-01"))  # today: not bookable any more
        await free(pool, inf(ZW, "2027-03-02"), seats=1)  # room for one
        await free(pool, inf(DB, "2027-03-03"))  # another desk
        await free(pool, inf(ZW, "2027-03-20"), inf(ZW, "2027-03-22"))  # on and after the alert's day
        await free(pool, inf(ZW, "2027-03-19"))  # the one that suits
        await subscribe(client, persons=2)

        events = await run_pass(pool, TWO_SEATS)
        assert [event["data"]["slot_key"] for _key, event in events] == [inf(ZW, "2027-03-19")]
        assert await run_pass(pool, TWO_SEATS) == []


async def test_of_desks_at_the_same_time_the_one_named_first_is_said(pool, client):
    await free(pool, inf(ZW, "2027-03-09"), inf(DB, "2027-03-09"))
    await subscribe(client, desks=["DB", "ZW"])

    (_key, event), *more = await run_pass(pool, ONE_SEAT)

    assert more == [] and event["data"]["slot_key"] == inf(DB, "2027-03-09")


async def test_an_alert_for_no_desk_in_particular_watches_every_desk_offering_the_product_for_its_persons(pool, client):
    answer = await subscribe(client, desks=[])
    for_two = await subscribe(client, desks=[], persons=2, email="rui.silva@example.org")
    await free(pool, inf(DB, "2027-03-05"))

    (_key, event), *more = await run_pass(pool, ONE_SEAT)

    assert answer["alert"]["desks"] == ["AM", "DB", "DH", "ZW"]  # the IND desks; expat centres give no information appointments
    assert for_two["alert"]["desks"] == ["AM", "DH"]  # Den Bosch and Zwolle seat one here
    assert more == [] and event["data"]["location"] == "DB"


async def test_the_pass_goes_through_the_alerts_a_page_at_a_time_and_says_each_once(pool, client):
    await free(pool, inf(ZW, "2027-03-09"))
    for n in range(5):
        await subscribe(client, email=f"applicant-{n}@example.org")

    events = await run_pass(pool, ONE_SEAT, alert_pass=SlotAlertPass(lambda: MONDAY, page=2))

    alert_ids = {str(row["alert_id"]) for row in await pool.fetch("select alert_id from biometrics.slot_alerts")}
    assert sorted(key for key, _event in events) == sorted(alert_ids)
    assert await run_pass(pool, ONE_SEAT, alert_pass=SlotAlertPass(lambda: MONDAY, page=2)) == []


async def test_a_pass_waits_while_another_workers_pass_has_the_turn(pool, client):
    await free(pool, inf(ZW, "2027-03-09"))
    await subscribe(client)

    async with unit_of_work(pool, ONE_SEAT) as other:
        assert await other.alerts.take_pass_turn()
        assert await run_pass(pool, ONE_SEAT) == []
    assert len(await run_pass(pool, ONE_SEAT)) == 1


async def test_a_stopped_alert_says_nothing_more_and_its_address_is_gone(pool, client):
    await free(pool, inf(ZW, "2027-03-09"))
    await subscribe(client)
    ((_key, event),) = await run_pass(pool, ONE_SEAT)
    token = unsubscribe_token(MANAGE_KEY, event["data"]["unsubscribe_reference"])

    in_url = await client.post("/alerts/unsubscribe", params={"token": token}, json={"token": token})
    stopped = await client.post("/alerts/unsubscribe", json={"token": token})
    again = await client.post("/alerts/unsubscribe", json={"token": token})
    unknown = await client.post("/alerts/unsubscribe", json={"token": "x" * 43})
    await free(pool, inf(ZW, "2027-03-05"))

    assert in_url.status == 400 and (await in_url.json())["error"]["field"] == "token"
    assert stopped.status == 200 and await stopped.json() == {"unsubscribed": True}
    assert stopped.headers["Cache-Control"] == "no-store"
    assert again.status == unknown.status == 404 and await again.json() == await unknown.json()
    assert await pool.fetchval("select count(*) from biometrics.slot_alerts") == 0
    assert await run_pass(pool, ONE_SEAT) == []


async def test_an_alert_whose_day_has_come_is_deleted_by_the_pass(pool, client):
    await subscribe(client, before="2027-03-05")
    await subscribe(client, before="2027-03-20")

    await run_pass(pool, ONE_SEAT, MONDAY + timedelta(days=3))  # Thursday: Friday the 5th is the first bookable day

    assert [row["before"] for row in await pool.fetch("select before from biometrics.slot_alerts")] == [date(2027, 3, 20)]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"email": None}, "email"),
        ({"email": "not an address"}, "email"),
        ({"email": ["ana@example.org"]}, "email"),
        ({"productKey": None}, "productKey"),
        ({"productKey": "XYZ"}, "productKey"),
        ({"persons": None}, "persons"),
        ({"persons": 0}, "persons"),
        ({"persons": 7}, "persons"),
        ({"persons": 1.5}, "persons"),
        ({"persons": 2}, "desks"),  # Zwolle seats one in an information appointment here
        ({"persons": 3, "desks": []}, "persons"),  # no desk seats three
        ({"desks": "ZW"}, "desks"),
        ({"desks": ["ZW", 3]}, "desks"),
        ({"desks": ["QQ"]}, "desks"),
        ({"desks": ["XC-AMS"]}, "desks"),  # an expat centre gives no information appointments
        ({"desks": ["AM"] * 14}, "desks"),
        ({"before": None}, "before"),
        ({"before": "20-03-2027"}, "before"),
        ({"before": "2027-02-30"}, "before"),
        ({"before": "2027-03-01"}, "before"),  # today
        ({"before": "2027-03-02"}, "before"),  # the first bookable day: nothing is before it
        ({"before": "2028-01-01"}, "before"),  # far beyond the booking window
        ({"language": None}, "language"),
        ({"language": "de"}, "language"),
    ],
)
async def test_a_request_that_cannot_be_an_alert_is_refused_by_field(refusing, changes, field):
    client, pool = refusing
    body = {name: value for name, value in asked(**changes).items() if value is not None}

    response = await client.post("/alerts", json=body)

    assert response.status == 400
    error = (await response.json())["error"]
    assert error["field"] == field and error["reason"]
    assert await pool.fetchval("select count(*) from biometrics.slot_alerts") == 0


@pytest.mark.parametrize("body", [b"", b"not json", b"[]", b'"text"', b"{" * 20_000])
async def test_a_body_that_is_no_json_object_is_refused(refusing, body):
    client, _pool = refusing
    response = await client.post("/alerts", data=body, headers={"Content-Type": "application/json"})

    assert response.status in (400, 413)
    assert (await response.json())["error"]["field"] == "body"


async def test_too_many_requests_from_one_client_are_refused_with_when_to_try_again(pool):
    async with serve(pool, ONE_SEAT, limits={**GENEROUS, ALERT: 2}) as client:
        statuses = [(await client.post("/alerts", json=asked(email=f"a{n}@example.org"))).status for n in range(2)]
        refused = await client.post("/alerts", json=asked(email="a3@example.org"))
        error = (await refused.json())["error"]

    assert statuses == [201, 201]
    assert refused.status == 429 and int(refused.headers["Retry-After"]) >= 1
    assert error["field"] == "client"


async def test_an_address_may_have_five_alerts_whatever_its_case(pool, client):
    for n in range(5):
        await subscribe(client, before=f"2027-03-{10 + n}")
    sixth = await client.post("/alerts", json=asked(email="ANA.SILVA@example.org"))
    other = await client.post("/alerts", json=asked(email="rui.silva@example.org"))
    await free(pool, inf(ZW, "2027-03-03"))
    event = next(event for _key, event in await run_pass(pool, ONE_SEAT) if event["data"]["email"] == "ana.silva@example.org")
    stopped = await client.post(
        "/alerts/unsubscribe", json={"token": unsubscribe_token(MANAGE_KEY, event["data"]["unsubscribe_reference"])}
    )
    after_stopping = await client.post("/alerts", json=asked())

    assert sixth.status == 409 and (await sixth.json())["error"]["field"] == "email"
    assert other.status == 201
    assert stopped.status == 200 and after_stopping.status == 201


async def test_the_pass_opens_the_days_nobody_has_looked_at_yet_of_the_products_alerts_ask_for(pool, client):
    await subscribe(client, productKey="SUB", desks=["AM"], before="2027-03-05")  # no SUB slot is open yet

    (_key, event), *more = await run_pass(pool, ONE_SEAT)

    assert more == [] and event["data"]["slot_key"] == "SUB-AM-20270302-0900"  # the first of the window, all free
    assert await pool.fetchval("select count(distinct location) from biometrics.slots where product = 'SUB'") == 4


async def test_requests_of_one_address_at_once_are_counted_one_after_the_other(pool, client):
    responses = await asyncio.gather(*(client.post("/alerts", json=asked(before=f"2027-03-{10 + n}")) for n in range(10)))

    assert sorted(response.status for response in responses) == [201] * 5 + [409] * 5
    assert await pool.fetchval("select count(*) from biometrics.slot_alerts") == 5
