"""A desk's report that the applicant collected their residence document, against real PostgreSQL:
it is checked against the document produced for the case, which biometrics keeps when it books the
pickup; a report naming another document is unprocessable (parked with its reason), never taken as
the collection."""

import pytest

from ind_runtime.records import Unprocessable
from schemas.codes import ApplicationType
from schemas.desk import CollectionData, DocumentCollected
from services.biometrics import handlers
from services.biometrics.app import MIGRATIONS, SERVICE
from tests.conftest import registrations, service_pool
from tests.integration.desk_stage import AM, DOC, appointment_of, produce, produced, report, take_on, visit

DOCUMENT = "NLX1234567"


@pytest.fixture
async def desk_pool():
    async with service_pool("collections", SERVICE, MIGRATIONS) as pool:
        yield pool


async def _collection(pool, registration, document_number: str) -> DocumentCollected:
    appointment_id, _status = await appointment_of(pool, registration, product=DOC)
    collected = CollectionData(**visit(registration, appointment_id), document_number=document_number)
    return DocumentCollected.create(collected, source="urn:ind:desk")


async def _pickup_booked(pool, seed: int):
    (registration,) = registrations(1, seed, ApplicationType.FAMILY, location=AM)
    await take_on(pool, [registration])
    await produce(pool, [produced(registration, AM, DOCUMENT)])
    return registration


async def test_the_produced_documents_number_is_kept_with_its_case(desk_pool):
    registration = await _pickup_booked(desk_pool, 51)
    kept = await desk_pool.fetchval("select document_number from biometrics.cases where case_id = $1", registration.data.case_id)
    assert kept == DOCUMENT


async def test_the_collection_of_the_produced_document_ends_the_pickup(desk_pool):
    registration = await _pickup_booked(desk_pool, 52)
    await report(desk_pool, [await _collection(desk_pool, registration, DOCUMENT)])
    assert (await appointment_of(desk_pool, registration, product=DOC))[1] == "attended"


async def test_a_collection_of_another_document_is_unprocessable_and_changes_nothing(desk_pool):
    registration = await _pickup_booked(desk_pool, 53)
    other = await _collection(desk_pool, registration, "NLX7654321")

    with pytest.raises(Unprocessable, match="another document than the one produced for case"):
        await report(desk_pool, [other])
    assert (await appointment_of(desk_pool, registration, product=DOC))[1] == "booked"
    assert await desk_pool.fetchval("select count(*) from runtime.inbox where event_id = $1", other.id) == 0


async def test_a_collection_for_a_document_produced_before_numbers_were_kept_is_accepted_and_says_so(desk_pool, monkeypatch):
    registration = await _pickup_booked(desk_pool, 54)
    await desk_pool.execute("update biometrics.cases set document_number = null")  # as the migration leaves older cases
    lines = []
    monkeypatch.setattr(handlers.log, "warning", lambda event, **fields: lines.append(event))

    await report(desk_pool, [await _collection(desk_pool, registration, "NLX7654321")])

    assert (await appointment_of(desk_pool, registration, product=DOC))[1] == "attended"
    assert lines == ["collection reported for a document not recorded here; accepted unchecked"]
