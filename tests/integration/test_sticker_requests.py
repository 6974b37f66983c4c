"""A residence endorsement sticker (VAA) request, against real PostgreSQL: one about a case whose
registration biometrics has not read yet waits for it (set aside and retried, as every early event
is) instead of being parked, and is booked once the case is known; one naming a known case by
another number is parked."""

import pytest

from ind_runtime.records import Unprocessable
from ind_runtime.routing import NotReady
from schemas.applicant import EndorsementStickerRequested, StickerRequestData
from schemas.codes import ApplicationType
from services.biometrics.app import MIGRATIONS, SERVICE
from services.biometrics.handlers import sticker_requested
from tests.conftest import registrations, service_pool
from tests.integration.desk_stage import AM, policy, published, take_on, unit_of_work


@pytest.fixture
async def desk_pool():
    async with service_pool("stickers", SERVICE, MIGRATIONS) as pool:
        yield pool


def _request(registration, case_number: str | None = None) -> EndorsementStickerRequested:
    data = registration.data
    request = StickerRequestData(case_id=data.case_id, case_number=case_number or data.case_number, preferred_location=AM)
    return EndorsementStickerRequested.create(request, source="urn:portal:mijn-ind", subject=data.case_number)


async def _handle(pool, request: EndorsementStickerRequested) -> None:
    async with unit_of_work(pool) as uow:
        await sticker_requested(request, uow, policy())


async def test_a_request_about_a_case_not_registered_here_yet_waits_for_it_and_is_booked_once_it_is(desk_pool):
    (registration,) = registrations(1, 31, ApplicationType.FAMILY, location=AM)
    request = _request(registration)

    with pytest.raises(NotReady):
        await _handle(desk_pool, request)
    assert await desk_pool.fetchval("select count(*) from runtime.inbox where event_id = $1", request.id) == 0  # comes again

    await take_on(desk_pool, [registration])
    await _handle(desk_pool, request)
    stickers = await desk_pool.fetch("select case_id from biometrics.appointments where product = 'VAA'")
    assert [r["case_id"] for r in stickers] == [registration.data.case_id]
    assert (await published(desk_pool))[-1] == (str(registration.data.case_id), "nl.ind.appointment.booked.v1")


async def test_a_request_naming_a_known_case_by_another_number_is_unprocessable(desk_pool):
    (registration,) = registrations(1, 32, ApplicationType.FAMILY, location=AM)
    await take_on(desk_pool, [registration])

    with pytest.raises(Unprocessable, match="no case IND-2026-9999999"):
        await _handle(desk_pool, _request(registration, case_number="IND-2026-9999999"))
    assert await desk_pool.fetchval("select count(*) from biometrics.appointments where product = 'VAA'") == 0
