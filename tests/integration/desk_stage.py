"""What the desk service's tests share: a policy for a fixed day and the events desks and decision
send (its unit tests take these); ways to hand its handlers events in PostgreSQL, and what it booked
and published there, read back."""

import json
from datetime import date

from schemas.codes import AppointmentProduct, LocationCode
from schemas.desk import AppointmentNoShow, BiometricsCaptured, DeskVisit, NoShowData
from schemas.lifecycle import DocumentProduced, DocumentProducedData
from services.biometrics.handlers import cases_registered, desk_reports, documents_produced
from services.biometrics.policy import DeskPolicy
from services.biometrics.unit_of_work import DeskUnitOfWork

PUBLISHER = "biometrics-under-test"
AM = LocationCode.AMSTERDAM
BIO = AppointmentProduct.BIOMETRICS
DOC = AppointmentProduct.DOCUMENT_PICKUP
MONDAY = date(2027, 3, 1)


def policy(today: date = MONDAY) -> DeskPolicy:
    return DeskPolicy(no_show_limit=2, today=lambda: today)


def unit_of_work(pool, overrides: dict | None = None) -> DeskUnitOfWork:
    """A unit of work of the desk service whose desks have the capacity ``overrides``."""
    return DeskUnitOfWork.configured(overrides or {})(pool, PUBLISHER)


async def take_on(pool, events, overrides: dict | None = None) -> None:
    async with unit_of_work(pool, overrides) as uow:
        await cases_registered(events, uow, policy())


async def published(pool) -> list[tuple[str, str]]:
    """(key, type) of every event published, in order."""
    rows = await pool.fetch("select key, value from runtime.outbox where publisher = $1 order by id", PUBLISHER)
    return [(r["key"].decode(), json.loads(r["value"])["type"]) for r in rows]


async def published_documents(pool) -> list[dict]:
    """Every event published, in order, as it goes on the wire."""
    rows = await pool.fetch("select value from runtime.outbox where publisher = $1 order by id", PUBLISHER)
    return [json.loads(r["value"]) for r in rows]


async def appointment_of(pool, registration, attempt: int = 1, product: AppointmentProduct = BIO) -> tuple[str, str]:
    """(appointment id, status) of the case's appointment of ``product`` at ``attempt``."""
    row = await pool.fetchrow(
        "select appointment_id, status from biometrics.appointments where case_id = $1 and product = $2 and attempt = $3",
        registration.data.case_id,
        product.value,
        attempt,
    )
    return row["appointment_id"], row["status"]


def visit(registration, appointment_id: str) -> dict:
    data = registration.data
    return {
        "case_id": data.case_id,
        "case_number": data.case_number,
        "appointment_id": appointment_id,
        "location": AM,
        "desk_officer": "desk-007",
    }


async def report(pool, events, overrides: dict | None = None) -> None:
    async with unit_of_work(pool, overrides) as uow:
        await desk_reports(events, uow, policy())


async def no_show(pool, registration, attempt: int = 1) -> AppointmentNoShow:
    appointment_id, _status = await appointment_of(pool, registration, attempt)
    return AppointmentNoShow.create(NoShowData(**visit(registration, appointment_id), product=BIO), source="urn:ind:desk")


async def capture(pool, registration, attempt: int = 1) -> BiometricsCaptured:
    appointment_id, _status = await appointment_of(pool, registration, attempt)
    return BiometricsCaptured.create(DeskVisit(**visit(registration, appointment_id)), source="urn:ind:desk")


def produced(registration, pickup: LocationCode, document_number: str | None = None) -> DocumentProduced:
    data = registration.data
    document = DocumentProducedData(
        case_id=data.case_id,
        case_number=data.case_number,
        document_number=document_number or f"NL{data.case_number[-8:]}",
        pickup_location=pickup,
    )
    return DocumentProduced.create(document, source="urn:ind:decision", subject=data.case_number)


async def produce(pool, events, overrides: dict | None = None) -> list[DocumentProduced]:
    async with unit_of_work(pool, overrides) as uow:
        return await documents_produced(events, uow, policy())


async def seats_booked(pool) -> int:
    return await pool.fetchval("select coalesce(sum(booked), 0) from biometrics.slots")
