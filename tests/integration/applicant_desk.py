"""What the tests of applicants' own bookings share: the desk service's web app with its applicants'
endpoints over a database of its own, the OAP dialect's envelope read as its clients read it, and
the events the bookings left in the outbox."""

import contextlib
import json
from datetime import date, datetime, timedelta

from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from ind_runtime.guesses import GuessGuard, Limits
from schemas.codes import AppointmentProduct
from services.biometrics.app import GUESSES, MIGRATIONS, SERVICE
from services.biometrics.desk_api import desk_app
from services.biometrics.rate_limits import RateLimits
from services.biometrics.self_service import ALERT, BOOK, HOLD, MANAGE, SelfService
from tests.conftest import service_pool
from tests.integration.desk_stage import MONDAY, unit_of_work

MANAGE_KEY = b"manage-link-key-for-the-tests-0123456789"
DAY_TOKEN = "desk-day-token-for-the-applicant-tests-0123456789"
GUARD = ")]}',"
GENEROUS = {HOLD: 10_000, BOOK: 10_000, MANAGE: 10_000, ALERT: 10_000}


GENEROUS_GUESSES = Limits(per_subject=10_000, per_client=10_000)  # tests try wrong pairs on purpose


def self_service(
    pool,
    overrides: dict,
    *,
    limits: dict | None = None,
    hold_for=timedelta(minutes=10),
    today: date = MONDAY,
    case_tries: Limits = GENEROUS_GUESSES,
    max_live_holds: int = 10_000,  # the tests' holds come from one address
):
    return SelfService(
        unit_of_work=lambda: unit_of_work(pool, overrides),
        overrides=overrides,
        today=lambda: today,
        hold_for=hold_for,
        manage_key=MANAGE_KEY,
        limits=RateLimits(limits or GENEROUS),
        case_guesses=GuessGuard(pool, MANAGE_KEY, "case", case_tries, GUESSES),
        max_live_holds=max_live_holds,
    )


def serve(pool, overrides: dict, **options) -> TestClient:
    """A client of the desk service's web app (use ``async with``)."""
    today = options.get("today", MONDAY)
    service = self_service(pool, overrides, **options)
    app = desk_app(pool, overrides, lambda: today, day_token=SecretStr(DAY_TOKEN), self_service=service)
    return TestClient(TestServer(app, host="127.0.0.1"))


@contextlib.asynccontextmanager
async def desk_with_slots(purpose: str, overrides: dict, reads: list[str]):
    """A pool on a database of its own with the desk service's tables, whose slots ``reads`` (paths of
    slot lists) have read once, as a client reads the slots before it takes one: the days are opened."""
    async with service_pool(purpose, SERVICE, MIGRATIONS) as pool:
        async with serve(pool, overrides) as client:
            for path in reads:
                assert (await client.get(path)).status == 200
        yield pool


async def oap(response) -> tuple[int, dict]:
    """(status, document) of an OAP answer, read as the IND's clients read it: the guard line, then
    one line of JSON."""
    text = await response.text()
    guard, line = text.split("\n")
    assert guard == GUARD, f"no guard line: {text[:40]!r}"
    return response.status, json.loads(line)


async def outbox(pool) -> list[tuple[str, dict]]:
    """(key, event) of every event published by the tests' units of work, in order."""
    rows = await pool.fetch("select key, value from runtime.outbox where publisher = 'biometrics-under-test' order by id")
    return [(row["key"].decode(), json.loads(row["value"])) for row in rows]


def booking(slot: dict, product: str = "SUB", **appointment) -> dict:
    """A booking's body as the checker scripts build it from a slot of the list."""
    return {
        "bookableSlot": {**slot, "booked": False},
        "appointment": {
            "productKey": product,
            "date": slot["date"],
            "startTime": slot["startTime"],
            "endTime": slot["endTime"],
            "email": "ana.silva@example.org",
            "phone": "+31 6 1234 5678",
            "language": "en",
            "customers": [{"vNumber": "1234567890", "firstName": "Ana", "lastName": "Silva"}],
            **appointment,
        },
    }


def sub_at_zwolle(day: str) -> dict:
    """The one submission slot of ``day`` at Zwolle (one slot a day: 09:00-17:00), as the slots list gives it."""
    return {"key": f"SUB-ZW-{day.replace('-', '')}-0900", "date": day, "startTime": "09:00", "endTime": "17:00", "parts": 1}


def at_den_bosch(product: AppointmentProduct, day: str, at: str = "0900") -> dict:
    """A slot at Den Bosch as the slots list gives it (an IND desk's default lengths: BIO and VAA 15
    minutes, DOC 10)."""
    start = datetime.strptime(f"{day} {at}", "%Y-%m-%d %H%M")
    end = start + timedelta(minutes=10 if product == AppointmentProduct.DOCUMENT_PICKUP else 15)
    key = f"{product.value}-DB-{start:%Y%m%d-%H%M}"
    return {"key": key, "date": day, "startTime": f"{start:%H:%M}", "endTime": f"{end:%H:%M}", "parts": 1}


async def book(client, slot: dict, product: str = "SUB", **appointment) -> dict:
    """Book ``slot`` through the dialect; the booking's answer (it must succeed)."""
    desk = slot["key"].split("-")[1]
    status, document = await oap(
        await client.post(f"/oap/api/desks/{desk}/appointments", json=booking(slot, product, **appointment))
    )
    assert status == 200, document
    return document["data"]


async def seats(pool, *slots: dict) -> list[int]:
    return [await pool.fetchval("select booked from biometrics.slots where slot_key = $1", slot["key"]) for slot in slots]


async def events_since(pool, before: int) -> list[tuple[str, dict]]:
    return (await outbox(pool))[before:]
