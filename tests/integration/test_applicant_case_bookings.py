"""A case's appointments booked and moved by the applicant, against real PostgreSQL over HTTP: booking
the product a case has an appointment for (the service's own booking too) moves that appointment
instead of doubling it, with one event keyed by the case and a new manage token; a booking for a
product the case waits for takes it off the waiting list; a pickup waits for the document; and the
applicant moves the service's booking with the case number, date of birth and appointment id, where
a wrong one of these is the same 404 as another.

The module has a database of its own; its cases book at Den Bosch on days of their own.
"""

import pytest

from ind_runtime.guesses import CASE_LOOK_UP
from schemas.codes import ApplicationType, AppointmentProduct, LocationCode
from tests.conftest import registrations
from tests.integration.applicant_desk import at_den_bosch, book, booking, desk_with_slots, events_since, oap, outbox, seats, serve
from tests.integration.desk_stage import take_on

AM = LocationCode.AMSTERDAM
BIO, VAA, DOC = AppointmentProduct.BIOMETRICS, AppointmentProduct.ENDORSEMENT_STICKER, AppointmentProduct.DOCUMENT_PICKUP
OVERRIDES: dict = {}


@pytest.fixture(scope="module")
async def desk_pool():
    reads = [f"/oap/api/desks/DB/slots/?productKey={product}" for product in ("BIO", "VAA", "DOC")]
    async with desk_with_slots("applicant_case_bookings", OVERRIDES, reads) as pool:
        yield pool


@pytest.fixture
async def client(desk_pool):
    async with serve(desk_pool, OVERRIDES) as client:
        yield client


async def test_booking_the_product_a_case_has_an_appointment_for_moves_it_and_gives_a_token(client, desk_pool):
    (registration,) = registrations(1, 81, ApplicationType.FAMILY, location=AM)
    await take_on(desk_pool, [registration])  # the service books the case's biometrics at Amsterdam
    case = registration.data
    (system,) = await desk_pool.fetch(
        "select appointment_id, slot_key from biometrics.appointments where case_id = $1", case.case_id
    )
    before = len(await outbox(desk_pool))
    (system_seats,) = await seats(desk_pool, {"key": system["slot_key"]})
    proof = {"caseNumber": case.case_number, "dateOfBirth": case.applicant.date_of_birth.isoformat()}

    first = await book(client, at_den_bosch(BIO, "2027-03-15"), "BIO", **proof)
    second = await book(client, at_den_bosch(BIO, "2027-03-16"), "BIO", **proof)

    assert first["status"] == second["status"] == "moved"
    assert first["appointmentId"] == second["appointmentId"] == system["appointment_id"]  # one appointment, moved twice
    assert first["code"] == second["code"]
    rows = await desk_pool.fetch("select slot_key, status from biometrics.appointments where case_id = $1", case.case_id)
    assert [tuple(row) for row in rows] == [("BIO-DB-20270316-0900", "booked")]
    assert await seats(
        desk_pool, {"key": system["slot_key"]}, at_den_bosch(BIO, "2027-03-15"), at_den_bosch(BIO, "2027-03-16")
    ) == [
        system_seats - 1,
        0,
        1,
    ]
    events = await events_since(desk_pool, before)
    assert [(key, event["type"]) for key, event in events] == [(str(case.case_id), "nl.ind.appointment.rescheduled.v1")] * 2
    assert [event["data"]["sequence"] for _key, event in events] == [1, 2]
    assert all(event["data"]["manage_reference"] for _key, event in events)  # each move gave a new token
    stale = await client.post("/appointments/lookup", json={"token": first["manageToken"]})
    current = await client.post("/appointments/lookup", json={"token": second["manageToken"]})
    assert stale.status == 404
    assert (await current.json())["appointment"]["caseNumber"] == case.case_number


async def test_a_case_booking_for_a_product_it_waits_for_books_it_and_takes_it_off_the_waiting_list(client, desk_pool):
    (registration,) = registrations(1, 82, ApplicationType.FAMILY, location=AM)
    await take_on(desk_pool, [registration])
    case = registration.data
    await desk_pool.execute(
        """insert into biometrics.waiting_bookings (case_id, product, preferred_location, after, attempt, persons)
           values ($1, 'VAA', 'AM', '2027-03-01', 1, 1)""",
        case.case_id,
    )
    before = len(await outbox(desk_pool))

    booked = await book(
        client,
        at_den_bosch(VAA, "2027-03-17"),
        "VAA",
        caseNumber=case.case_number,
        dateOfBirth=case.applicant.date_of_birth.isoformat(),
    )

    assert booked["status"] == "booked" and booked["appointmentId"] == f"VAA-DB-20270317-0900-{case.case_number}-1"
    assert await desk_pool.fetchval("select count(*) from biometrics.waiting_bookings where case_id = $1", case.case_id) == 0
    ((key, event),) = await events_since(desk_pool, before)
    assert (key, event["type"]) == (str(case.case_id), "nl.ind.appointment.booked.v1")
    assert event["data"]["booking_code"] == booked["code"] and event["data"]["manage_reference"]


async def test_a_case_cannot_book_a_pickup_before_its_document_is_produced(client, desk_pool):
    (registration,) = registrations(1, 83, ApplicationType.FAMILY, location=AM)
    await take_on(desk_pool, [registration])
    case = registration.data
    status, refused = await oap(
        await client.post(
            "/oap/api/desks/DB/appointments",
            json=booking(
                at_den_bosch(DOC, "2027-03-17"),
                "DOC",
                caseNumber=case.case_number,
                dateOfBirth=case.applicant.date_of_birth.isoformat(),
            ),
        )
    )

    assert (status, refused["error"]["field"]) == (409, "appointment.productKey")


async def test_the_applicant_moves_the_appointment_the_service_booked_with_case_number_birth_date_and_its_id(client, desk_pool):
    (registration,) = registrations(1, 84, ApplicationType.FAMILY, location=AM)
    await take_on(desk_pool, [registration])
    case = registration.data
    (system,) = await desk_pool.fetch(
        "select appointment_id, slot_key from biometrics.appointments where case_id = $1", case.case_id
    )
    target = at_den_bosch(BIO, "2027-03-18", "1000")
    ask = {"caseNumber": case.case_number, "appointmentId": system["appointment_id"], "slot": target["key"]}
    before = len(await outbox(desk_pool))
    seats_before = await seats(desk_pool, {"key": system["slot_key"]}, target)

    wrong = await client.post("/appointments/case/reschedule", json={**ask, "dateOfBirth": "1900-01-01"})
    other = await client.post(
        "/appointments/case/reschedule",
        json={**ask, "appointmentId": "BIO-AM-20270302-0900-IND-0-1", "dateOfBirth": case.applicant.date_of_birth.isoformat()},
    )
    right = await client.post(
        "/appointments/case/reschedule", json={**ask, "dateOfBirth": case.applicant.date_of_birth.isoformat()}
    )

    assert (wrong.status, other.status) == (404, 404)
    assert (await wrong.json()) == (await other.json())  # nothing tells which part did not fit
    assert right.status == 200, await right.text()
    assert (await right.json())["appointment"]["startTime"] == "10:00"
    assert await seats(desk_pool, {"key": system["slot_key"]}, target) == [seats_before[0] - 1, seats_before[1] + 1]
    ((key, event),) = await events_since(desk_pool, before)
    assert (key, event["type"]) == (str(case.case_id), "nl.ind.appointment.rescheduled.v1")
    assert event["data"]["booking_code"] is None and event["data"]["case_number"] == case.case_number


async def test_a_case_number_and_date_of_birth_cannot_be_guessed_here_either(desk_pool):
    """Five wrong pairs for one case number, then even the right one is refused for a while: the
    answers of a booking for a case would otherwise tell a right date of birth from a wrong one."""
    (registration,) = registrations(1, 85, ApplicationType.FAMILY, location=AM)
    await take_on(desk_pool, [registration])
    case = registration.data
    async with serve(desk_pool, OVERRIDES, case_tries=CASE_LOOK_UP) as client:
        ask = {"caseNumber": case.case_number, "appointmentId": "BIO-AM-20270302-0900-IND-0-1", "slot": "BIO-AM-20270302-1000"}
        wrong = [
            (await client.post("/appointments/case/reschedule", json={**ask, "dateOfBirth": f"1900-01-0{n}"})).status
            for n in range(1, CASE_LOOK_UP.per_subject + 1)
        ]
        right = await client.post(
            "/appointments/case/reschedule", json={**ask, "dateOfBirth": case.applicant.date_of_birth.isoformat()}
        )

    assert wrong == [404] * CASE_LOOK_UP.per_subject
    assert right.status == 429 and int(right.headers["Retry-After"]) > 60
