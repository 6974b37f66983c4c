"""What the tests of applicants' alerts for free slots share: desks whose information slots are all
taken but those a test frees, the body of an alert's request, and a whole pass of the alerts with
the events it published."""

import contextlib
from datetime import date, timedelta

from schemas.codes import AppointmentProduct, LocationCode
from services.biometrics.alert_pass import SlotAlertPass
from services.biometrics.app import MIGRATIONS, SERVICE
from services.biometrics.capacity import Capacity
from tests.conftest import service_pool
from tests.integration.applicant_desk import events_since, outbox, serve
from tests.integration.desk_stage import MONDAY, unit_of_work

ZW, DB = LocationCode.ZWOLLE, LocationCode.DEN_BOSCH
INF = AppointmentProduct.INFORMATION
ONE_SEAT = {ZW: {INF: Capacity(slot_minutes=480, desks=1)}, DB: {INF: Capacity(slot_minutes=480, desks=1)}}
TWO_SEATS = {ZW: {INF: Capacity(slot_minutes=480, desks=2)}, DB: {INF: Capacity(slot_minutes=480, desks=1)}}
SLOT_AVAILABLE = "nl.ind.appointment.slot_available.v1"


def inf(desk: LocationCode, day: str) -> str:
    return f"INF-{desk.value}-{day.replace('-', '')}-0900"


def asked(**changes) -> dict:
    return {
        "email": "ana.silva@example.org",
        "productKey": "INF",
        "persons": 1,
        "desks": ["ZW"],
        "before": "2027-03-20",
        "language": "nl",
    } | changes


@contextlib.asynccontextmanager
async def full_desks(purpose: str, overrides: dict):
    """A database of its own whose INF slots at every IND desk are open from a week before ``MONDAY``
    (so that there are slots of that day itself) and all taken."""
    async with service_pool(purpose, SERVICE, MIGRATIONS) as pool:
        async with serve(pool, overrides, today=MONDAY - timedelta(days=7)) as client:
            for desk in ("AM", "DB", "DH", "ZW"):
                assert (await client.get(f"/oap/api/desks/{desk}/slots/?productKey=INF")).status == 200
        await pool.execute("update biometrics.slots set booked = capacity where product = 'INF'")
        yield pool


async def free(pool, *slot_keys: str, seats: int | None = None) -> None:
    """Free the slots (all their seats, or leave ``seats`` free), as a cancellation would."""
    await pool.execute(
        "update biometrics.slots set booked = greatest(capacity - coalesce($2, capacity), 0) where slot_key = any($1::text[])",
        list(slot_keys),
        seats,
    )


async def run_pass(
    pool, overrides: dict, today: date = MONDAY, alert_pass: SlotAlertPass | None = None
) -> list[tuple[str, dict]]:
    """One whole pass (every page); the events it published."""
    before = len(await outbox(pool))
    alert_pass = alert_pass or SlotAlertPass(lambda: today)
    while True:
        async with unit_of_work(pool, overrides) as uow:
            if not await alert_pass(uow):
                break
    return [(key, event) for key, event in await events_since(pool, before) if event["type"] == SLOT_AVAILABLE]
