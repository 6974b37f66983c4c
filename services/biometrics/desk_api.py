"""The desk agenda over HTTP, shaped like the IND's own appointment system:

    GET /desks/{location}/slots?product=BIO&persons=1[&limit=20]

answers the free slots (key, date, start and end time, persons) at one location, earliest first.
"""

from collections.abc import Callable
from datetime import date

import asyncpg
from aiohttp import web

from schemas.codes import AppointmentProduct, LocationCode
from services.biometrics.agenda import DeskAgenda
from services.biometrics.locations import LOCATIONS


def desk_app(pool: asyncpg.Pool, capacity_overrides: dict, today: Callable[[], date]) -> web.Application:
    async def slots(request: web.Request) -> web.Response:
        try:
            location = LocationCode(request.match_info["location"])
            product = AppointmentProduct(request.query.get("product", "BIO"))
            persons = int(request.query.get("persons", "1"))
            limit = int(request.query.get("limit", "20"))
            if not 1 <= persons <= 6 or not 1 <= limit <= 500:
                raise ValueError
        except ValueError:
            return web.json_response(
                {"error": "use a location code, product BIO/DOC/VAA/SUB/INF, persons 1-6 and limit 1-500"}, status=400
            )
        async with pool.acquire() as connection, connection.transaction():
            rows = await DeskAgenda(connection, capacity_overrides).free_slots(location, product, persons, today(), limit)
        return web.json_response(
            {
                "location": location.value,
                "name": LOCATIONS[location].name,
                "product": product.value,
                "persons": persons,
                "slots": [
                    {
                        "key": slot["slot_key"],
                        "date": slot["day"].isoformat(),
                        "startTime": slot["start_time"].strftime("%H:%M"),
                        "endTime": slot["end_time"].strftime("%H:%M"),
                        "parts": slot["free"],
                    }
                    for slot in rows
                ],
            }
        )

    app = web.Application()
    app.router.add_get("/desks/{location}/slots", slots)
    return app
