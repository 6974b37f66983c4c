"""What applicants do in the demo, through the same endpoints their browsers and the community's
checker scripts use: two book an information appointment at Zwolle (one seat a day there in the
demo), one moves hers to a later day, a third asks to be emailed when a seat frees up before the
day the others took, and the first cancels, which frees it: the third gets her email."""

import asyncio
import json
from datetime import date, timedelta

import aiohttp
import asyncpg

from schemas.manage_links import manage_token

DESK, PRODUCT = "ZW", "INF"
ONE_INFORMATION_SEAT_A_DAY = {DESK: {PRODUCT: {"slot_minutes": 480, "desks": 1}}}
GUARD = ")]}',"


async def _oap(response: aiohttp.ClientResponse) -> dict:
    text = await response.text()
    guard, line = text.split("\n", 1)
    assert guard == GUARD, text[:80]
    document = json.loads(line)
    if document["status"] != "OK":
        raise RuntimeError(f"{response.url.path}: {document['error']}")
    return document["data"]


async def _ok(response: aiohttp.ClientResponse, expected: int = 200) -> None:
    if response.status != expected:
        raise RuntimeError(f"{response.url.path} answered {response.status}: {await response.text()}")


async def _book(http, base: str, slot: dict, first: str, last: str, email: str) -> dict:
    held = await _oap(await http.post(f"{base}/oap/api/desks/{DESK}/slots/{slot['key']}", json={"parts": 1}))
    body = {
        "bookableSlot": {**slot, "holdId": held["holdId"], "booked": False},
        "appointment": {
            "productKey": PRODUCT,
            "email": email,
            "phone": "+31 6 1234 5678",
            "language": "en",
            "customers": [{"firstName": first, "lastName": last}],
        },
    }
    return await _oap(await http.post(f"{base}/oap/api/desks/{DESK}/appointments", json=body))


async def _token(pool: asyncpg.Pool, code: str, key: bytes) -> str:
    """The manage token the applicant finds in their confirmation email (derived as notify does)."""
    row = await pool.fetchval(
        "select value from runtime.outbox where convert_from(value, 'UTF8')::jsonb -> 'data' ->> 'booking_code' = $1 order by id limit 1",
        code,
    )
    return manage_token(key, json.loads(row)["data"]["manage_reference"])


async def act(base: str, database_url: str, manage_key: bytes, timeout: float = 60.0) -> list[tuple[str, str]]:
    """Do it all; (what was done, what came of it) for the demo's report."""
    steps: list[tuple[str, str]] = []
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    try:
        async with aiohttp.ClientSession() as http:
            free = await _oap(
                await http.get(f"{base}/oap/api/desks/{DESK}/slots/", params={"productKey": PRODUCT, "persons": "1"})
            )
            first, second, third = free[:3]
            ana = await _book(http, base, first, "Ana", "Silva", "ana.silva@example.org")
            steps.append(
                (
                    "Ana books the earliest information appointment at Zwolle",
                    f"{ana['date']} {ana['startTime']}, code {ana['code']}",
                )
            )
            rui = await _book(http, base, second, "Rui", "Costa", "rui.costa@example.org")
            token = await _token(pool, rui["code"], manage_key)
            await _ok(await http.post(f"{base}/appointments/reschedule", json={"token": token, "slot": third["key"]}))
            steps.append(
                ("Rui books the next one, then moves it a day later", f"{rui['date']} -> {third['date']}, code {rui['code']}")
            )
            before = (date.fromisoformat(ana["date"]) + timedelta(days=1)).isoformat()
            alert = {
                "email": "lena.vos@example.org",
                "productKey": PRODUCT,
                "persons": 1,
                "desks": [DESK],
                "before": before,
                "language": "nl",
            }
            await _ok(await http.post(f"{base}/alerts", json=alert), 201)
            steps.append(("Lena asks to be emailed of a free time before " + before, "nothing is free then"))
            token = await _token(pool, ana["code"], manage_key)
            await _ok(await http.post(f"{base}/appointments/cancel", json={"token": token}))
            steps.append(("Ana cancels", f"{ana['date']} is free again"))
        emailed = await _alert_email(pool, timeout)
        steps.append(("Lena's alert", "emailed" if emailed else "[red]no email in time[/red]"))
    finally:
        await pool.close()
    return steps


async def _alert_email(pool: asyncpg.Pool, timeout: float) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if await pool.fetchval("select count(*) from notify.emails where recipient = 'lena.vos@example.org'"):
            return True
        await asyncio.sleep(0.5)
    return False
