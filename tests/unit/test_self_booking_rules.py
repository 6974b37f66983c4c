"""The rules of applicants' own bookings, on an in-memory desk (``desk_fakes``): a case holds one
appointment of a product to come, so booking it again moves it; a caseless booking is announced with
whom to write to; a hold's seats become the booking's; a cancelled appointment frees its seat and
cannot be moved. What the same code does in PostgreSQL, concurrency included, is in
tests/integration/test_oap_dialect.py, test_applicant_booking_races.py and test_applicant_changes.py."""

from datetime import timedelta

import pytest

from schemas.codes import ApplicationType, AppointmentProduct, Language, LocationCode
from schemas.topics import CASE_APPOINTMENTS
from services.biometrics import handlers, self_booking, self_changes
from services.biometrics.applicant_bookings import Contact, Customer
from services.biometrics.booking_codes import client_hash
from services.biometrics.refusals import Refused
from services.biometrics.self_booking import BookingRequest, Terms
from services.biometrics.self_changes import Move
from tests.conftest import registrations
from tests.integration.applicant_desk import MANAGE_KEY
from tests.integration.desk_stage import MONDAY, policy
from tests.unit.desk_fakes import FakeDesk

DB, ZW = LocationCode.DEN_BOSCH, LocationCode.ZWOLLE
BIO, SUB = AppointmentProduct.BIOMETRICS, AppointmentProduct.SUBMISSION
TERMS = Terms(MONDAY, timedelta(minutes=10), MANAGE_KEY)
CLIENT = client_hash("192.0.2.1")
CONTACT = Contact((Customer("Ana", "Silva"),), "ana.silva@example.org", "+31612345678", Language.DUTCH)


def _request(product, slot_key, *, case=None, hold_id=None) -> BookingRequest:
    return BookingRequest(
        desk=LocationCode(slot_key.split("-")[1]),
        product=product,
        slot_key=slot_key,
        persons=1,
        hold_id=hold_id,
        contact=None if case else CONTACT,
        case_number=case.case_number if case else None,
        date_of_birth=case.applicant.date_of_birth if case else None,
        slot_times=(None, None, None),
    )


async def _opened(desk: FakeDesk, product, location) -> None:
    async with desk.unit_of_work() as uow:
        await uow.agenda.open_booking_window(MONDAY)
        await uow.agenda.open_days([location], product, [MONDAY + timedelta(days=n) for n in range(1, 5)])
        await uow.commit()


async def test_booking_the_product_a_case_has_an_appointment_for_moves_that_one():
    desk = FakeDesk()
    (registration,) = registrations(1, 5, ApplicationType.FAMILY, location=LocationCode.AMSTERDAM)
    async with desk.unit_of_work() as uow:
        await handlers.cases_registered([registration], uow, policy())
    (system,) = desk.appointments_of(registration.data.case_id)

    async with desk.unit_of_work() as uow:
        confirmation = await self_booking.book(uow, _request(BIO, "BIO-DB-20270303-1000", case=registration.data), CLIENT, TERMS)

    assert confirmation.moved and confirmation.appointment.appointment_id == system.appointment_id
    (only,) = desk.appointments_of(registration.data.case_id)
    assert (only.location, only.status, only.sequence) == (DB, "booked", 1)
    assert desk.seats_booked() == 1
    ((topic, key, event),) = uow.emitted
    assert (topic, key, event.type) == (
        CASE_APPOINTMENTS.name,
        str(registration.data.case_id),
        "nl.ind.appointment.rescheduled.v1",
    )


async def test_a_caseless_booking_converts_its_hold_and_is_announced_with_whom_to_write_to():
    desk = FakeDesk()
    await _opened(desk, SUB, ZW)
    async with desk.unit_of_work() as uow:
        held = await self_booking.hold(uow, ZW, "SUB-ZW-20270302-0900", 1, CLIENT, TERMS)
    assert desk.seats_booked() == 1

    async with desk.unit_of_work() as uow:
        confirmation = await self_booking.book(
            uow, _request(SUB, "SUB-ZW-20270302-0900", hold_id=held.hold_id), client_hash("x"), TERMS
        )

    assert desk.seats_booked() == 1 and desk.tables.holds == {}
    ((_topic, key, event),) = uow.emitted
    assert event.type == "nl.ind.appointment.applicant_booked.v1" and key == str(event.data.booking_id)
    assert event.data.contact.language is Language.DUTCH and event.data.booking_code == confirmation.booking_code


async def test_a_cancelled_appointment_frees_its_seat_and_cannot_be_moved_or_cancelled_again():
    desk = FakeDesk()
    await _opened(desk, SUB, ZW)
    async with desk.unit_of_work() as uow:
        confirmation = await self_booking.book(uow, _request(SUB, "SUB-ZW-20270302-0900"), CLIENT, TERMS)
    async with desk.unit_of_work() as uow:
        await self_changes.cancel(uow, confirmation.manage_token)
    assert desk.seats_booked() == 0

    for change in (
        lambda uow: self_changes.cancel(uow, confirmation.manage_token),
        lambda uow: self_changes.reschedule(uow, confirmation.manage_token, Move("SUB-ZW-20270303-0900", None, CLIENT), TERMS),
    ):
        with pytest.raises(Refused) as refused:
            async with desk.unit_of_work() as uow:
                await change(uow)
        assert (refused.value.status, refused.value.reason) == (409, "the appointment was cancelled")
    assert desk.seats_booked() == 0 and len(desk.outbox) == 2  # booked, cancelled: nothing more
