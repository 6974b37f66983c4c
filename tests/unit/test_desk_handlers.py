"""The desk service's handler rules, on an in-memory desk (``desk_fakes``): no PostgreSQL, no Kafka.
What the same handlers do in PostgreSQL, batches and concurrency included, is in
tests/integration/test_desk_*.py and beside them."""

from datetime import date

import pytest

from ind_runtime.records import Unprocessable
from ind_runtime.routing import NotReady
from schemas.applicant import EndorsementStickerRequested, StickerRequestData
from schemas.codes import ApplicationType, AppointmentProduct, LocationCode
from schemas.desk import AppointmentNoShow, BiometricsCaptured, CollectionData, DeskVisit, DocumentCollected, NoShowData
from schemas.topics import CASE_APPOINTMENTS
from services.biometrics import handlers
from services.biometrics.booking import book_waiting
from services.biometrics.capacity import Capacity
from services.biometrics.slots import BOOKING_WINDOW_DAYS, booking_window
from tests.conftest import registrations
from tests.integration.desk_stage import AM, BIO, DOC, MONDAY, policy, produced, visit
from tests.unit.desk_fakes import FakeDesk

DB, ZW = LocationCode.DEN_BOSCH, LocationCode.ZWOLLE
VAA = AppointmentProduct.ENDORSEMENT_STICKER
TUESDAY = date(2027, 3, 2)
BOOKED, AWAITING = "nl.ind.appointment.booked.v1", "nl.ind.appointment.awaiting_slot.v1"
COMPLETED, FLAGGED = "nl.ind.biometrics.completed.v1", "nl.ind.case.flagged.v1"
ONE_SEAT_A_DAY = {code: {BIO: Capacity(slot_minutes=480, desks=1)} for code in LocationCode}


def registered(application_type: ApplicationType = ApplicationType.FAMILY, location: LocationCode = AM, seed: int = 1):
    (registration,) = registrations(1, seed, application_type, location=location)
    return registration


async def handle(desk: FakeDesk, handler, events):
    """Hand ``events`` to ``handler`` in a unit of work of ``desk`` on ``MONDAY``; returns the unit
    of work and what the handler returned."""
    async with desk.unit_of_work() as uow:
        returned = await handler(events, uow, policy())
    return uow, returned


def kinds(emitted) -> list[str]:
    return [event.type for _topic, _key, event in emitted]


def no_show(registration, appointment) -> AppointmentNoShow:
    return AppointmentNoShow.create(
        NoShowData(**visit(registration, appointment.appointment_id), product=BIO), source="urn:ind:desk"
    )


def capture(registration, appointment) -> BiometricsCaptured:
    return BiometricsCaptured.create(DeskVisit(**visit(registration, appointment.appointment_id)), source="urn:ind:desk")


async def taken_on(desk: FakeDesk, registration):
    """``registration`` taken on, and the biometrics appointment it was booked."""
    await handle(desk, handlers.cases_registered, [registration])
    (appointment,) = desk.appointments_of(registration.data.case_id)
    return appointment


# --- registrations --------------------------------------------------------------------------------------


async def test_a_registration_books_a_biometrics_appointment_at_the_preferred_desk_and_says_so():
    desk = FakeDesk()
    registration = registered(location=DB)

    uow, _ = await handle(desk, handlers.cases_registered, [registration])

    assert uow.committed
    ((topic, key, booked),) = uow.emitted
    assert (topic, key, booked.type) == (CASE_APPOINTMENTS.name, str(registration.data.case_id), BOOKED)
    assert (booked.data.product, booked.data.location, booked.data.attempt) == (BIO, DB, 1)
    assert booked.data.date == booking_window(MONDAY, 1)[0]  # the earliest slot
    assert desk.appointments_of(registration.data.case_id)[0].appointment_id == booked.data.appointment_id


async def test_a_registration_whose_biometrics_are_taken_elsewhere_says_none_are_needed_at_a_desk():
    desk = FakeDesk()
    registration = registered(ApplicationType.MVV)  # the embassy takes them

    uow, _ = await handle(desk, handlers.cases_registered, [registration])

    ((_topic, _key, completed),) = uow.emitted
    assert (completed.type, completed.data.captured, completed.data.location) == (COMPLETED, False, None)
    assert desk.appointments_of(registration.data.case_id) == []


async def test_a_registration_that_comes_again_changes_nothing():
    desk = FakeDesk()
    registration = registered()
    await handle(desk, handlers.cases_registered, [registration])

    again, _ = await handle(desk, handlers.cases_registered, [registration])

    assert (again.emitted, again.committed) == ([], False)
    assert len(desk.appointments_of(registration.data.case_id)) == 1


async def test_a_full_agenda_puts_the_booking_on_the_waiting_list_and_tells_the_applicant_once():
    desk = FakeDesk(ONE_SEAT_A_DAY)
    seats = 4 * BOOKING_WINDOW_DAYS  # a family case may go to the four IND desks only
    events = registrations(seats + 1, 2, ApplicationType.FAMILY, location=AM)

    uow, _ = await handle(desk, handlers.cases_registered, events)

    assert kinds(uow.emitted) == [BOOKED] * seats + [AWAITING]  # nothing goes to a caseworker: a full agenda is not their fault
    (_topic, key, waiting) = uow.emitted[-1]
    assert key == str(events[-1].data.case_id)
    assert (waiting.data.product, waiting.data.attempt, waiting.data.window_days) == (BIO, 1, BOOKING_WINDOW_DAYS)
    assert [entry.case_id for entry in desk.tables.waiting.values()] == [events[-1].data.case_id]
    assert desk.seats_booked() == seats


async def test_a_pass_over_the_waiting_list_books_what_waits_once_a_new_day_opens():
    desk = FakeDesk(ONE_SEAT_A_DAY)
    events = registrations(4 * BOOKING_WINDOW_DAYS + 1, 3, ApplicationType.FAMILY, location=AM)
    await handle(desk, handlers.cases_registered, events)

    async with desk.unit_of_work() as uow:
        assert await book_waiting(uow, policy(TUESDAY)) is None  # the window ends a working day later now

    assert kinds(uow.emitted) == [BOOKED]
    assert uow.emitted[0][2].data.date == booking_window(TUESDAY, BOOKING_WINDOW_DAYS)[-1]
    assert desk.tables.waiting == {}


# --- desk reports ---------------------------------------------------------------------------------------


async def test_a_capture_completes_the_biometrics_where_they_were_taken():
    desk = FakeDesk()
    registration = registered()
    appointment = await taken_on(desk, registration)

    uow, _ = await handle(desk, handlers.desk_reports, [capture(registration, appointment)])

    ((_topic, _key, completed),) = uow.emitted
    assert (completed.type, completed.data.captured, completed.data.location) == (COMPLETED, True, AM)
    assert desk.appointments_of(registration.data.case_id)[0].status == "attended"
    assert desk.tables.cases[registration.data.case_id].biometrics_location == AM


async def test_a_no_show_books_again_after_the_missed_day_and_after_the_limit_flags_the_case():
    desk = FakeDesk()
    registration = registered()
    first = await taken_on(desk, registration)

    uow, _ = await handle(desk, handlers.desk_reports, [no_show(registration, first)])

    ((_topic, _key, booked),) = uow.emitted
    assert (booked.type, booked.data.attempt) == (BOOKED, 2)
    assert booked.data.date > first.day
    missed, second = desk.appointments_of(registration.data.case_id)
    assert (missed.status, second.appointment_id) == ("no_show", booked.data.appointment_id)

    uow, _ = await handle(desk, handlers.desk_reports, [no_show(registration, second)])  # the limit: 2

    ((_topic, _key, flagged),) = uow.emitted
    assert (flagged.type, flagged.data.no_shows) == (FLAGGED, 2)
    assert flagged.data.reason == "no-show at 2 BIO appointments"
    assert len(desk.appointments_of(registration.data.case_id)) == 2  # no third booking


async def test_a_capture_after_a_no_show_corrects_it_and_cancels_the_booking_again():
    desk = FakeDesk()
    registration = registered()
    first = await taken_on(desk, registration)
    await handle(desk, handlers.desk_reports, [no_show(registration, first)])
    assert desk.seats_booked() == 2

    uow, _ = await handle(desk, handlers.desk_reports, [capture(registration, first)])

    assert kinds(uow.emitted) == [COMPLETED]
    assert [appointment.status for appointment in desk.appointments_of(registration.data.case_id)] == ["attended", "cancelled"]
    assert desk.seats_booked() == 1  # the seat of the booking again is free for someone else


async def test_a_report_about_an_appointment_the_case_does_not_have_is_unprocessable():
    desk = FakeDesk()
    registration, other = registered(seed=4), registered(seed=5)
    await taken_on(desk, registration)
    others = await taken_on(desk, other)

    with pytest.raises(Unprocessable, match="no BIO appointment"):
        await handle(desk, handlers.desk_reports, [capture(registration, others)])
    assert desk.appointments_of(other.data.case_id)[0].status == "booked"


# --- documents ------------------------------------------------------------------------------------------


def collected(registration, pickup, document_number: str) -> DocumentCollected:
    collection = CollectionData(**visit(registration, pickup.appointment_id), document_number=document_number)
    return DocumentCollected.create(collection, source="urn:ind:desk")


async def test_a_produced_document_books_its_pickup_and_one_of_a_case_not_registered_yet_waits():
    desk = FakeDesk()
    registration, not_yet = registered(seed=6), registered(seed=7)
    await taken_on(desk, registration)
    early = produced(not_yet, ZW, "NLX0000007")

    uow, left = await handle(desk, handlers.documents_produced, [produced(registration, ZW, "NLX0000006"), early])

    assert left == [early]
    ((_topic, _key, booked),) = uow.emitted
    assert (booked.type, booked.data.product, booked.data.location) == (BOOKED, DOC, ZW)
    assert desk.tables.cases[registration.data.case_id].document_number == "NLX0000006"


async def test_a_collection_must_name_the_document_produced_for_the_case():
    desk = FakeDesk()
    registration = registered(seed=8)
    await taken_on(desk, registration)
    await handle(desk, handlers.documents_produced, [produced(registration, ZW, "NLX1234567")])
    (pickup,) = desk.appointments_of(registration.data.case_id, DOC)
    another = collected(registration, pickup, "NLX7654321")

    with pytest.raises(Unprocessable, match="another document than the one produced for case"):
        await handle(desk, handlers.desk_reports, [another])
    assert desk.appointments_of(registration.data.case_id, DOC)[0].status == "booked"
    assert ("biometrics", another.id) not in desk.inbox  # nothing of the report is kept

    await handle(desk, handlers.desk_reports, [collected(registration, pickup, "NLX1234567")])
    assert desk.appointments_of(registration.data.case_id, DOC)[0].status == "attended"


# --- sticker requests -----------------------------------------------------------------------------------


def sticker_request(registration, case_number: str | None = None) -> EndorsementStickerRequested:
    data = registration.data
    request = StickerRequestData(case_id=data.case_id, case_number=case_number or data.case_number, preferred_location=AM)
    return EndorsementStickerRequested.create(request, source="urn:portal:mijn-ind", subject=data.case_number)


async def test_a_sticker_request_for_a_case_not_registered_here_yet_is_not_ready_and_booked_once_it_is():
    desk = FakeDesk()
    registration = registered(seed=9)
    request = sticker_request(registration)

    with pytest.raises(NotReady):
        await handle(desk, handlers.sticker_requested, request)
    assert ("biometrics", request.id) not in desk.inbox  # it comes again

    await taken_on(desk, registration)
    uow, _ = await handle(desk, handlers.sticker_requested, request)
    ((_topic, _key, booked),) = uow.emitted
    assert (booked.type, booked.data.product) == (BOOKED, VAA)


async def test_a_second_sticker_request_while_one_is_to_come_books_no_second_appointment():
    desk = FakeDesk()
    registration = registered()
    await handle(desk, handlers.cases_registered, [registration])
    await handle(desk, handlers.sticker_requested, sticker_request(registration))

    uow, _ = await handle(desk, handlers.sticker_requested, sticker_request(registration))

    assert [a.status for a in desk.appointments_of(registration.data.case_id, VAA)] == ["booked"]
    assert uow.committed and uow.emitted == []  # taken once, and nothing said


async def test_a_sticker_request_naming_a_known_case_by_another_number_is_unprocessable():
    desk = FakeDesk()
    registration = registered(seed=10)
    await taken_on(desk, registration)

    with pytest.raises(Unprocessable, match="no case IND-2026-9999999"):
        await handle(desk, handlers.sticker_requested, sticker_request(registration, "IND-2026-9999999"))
    assert desk.appointments_of(registration.data.case_id, VAA) == []
