"""The IND's online appointment dialect (OAP), so that a community tool written against the IND's own
system works against this service by changing its base URL:

    GET  /oap/api/desks?productKey=BIO                          the desks offering a product
    GET  /oap/api/desks/{desk}/slots/?productKey=BIO&persons=1  a desk's free slots, earliest first
    POST /oap/api/desks/{desk}/slots/{key}                      hold a slot       (rate limited)
    POST /oap/api/desks/{desk}/appointments/                    book it           (rate limited)
    GET  /oap/api/slots/earliest?productKey=BIO&persons=1[&desks=AM,DB]
                                                                the earliest free slot at any desk

(the trailing slashes are optional). Every body, an answer's or a refusal's, starts with the line
``)]}',`` that the IND's clients strip before parsing (it keeps a browser from running the JSON as a
script), then one line of JSON: ``{"status":"OK","data":...}``, or ``{"status":"NOK","error":
{"field":...,"reason":...}}`` with 400 (what the request says), 404 (a desk, slot, case or path
that is not there), 409 (a full slot, a slot outside the booking window), 413 (a body over 16 KiB),
429 (too many tries: ``Retry-After``) or 503 (booking not configured: ``MANAGE_LINK_KEY``).

- Desks are location codes (``AM``, ``DB``, ``DH``, ``ZW`` and the expat centres' ``XC-...``), each
  ``{"key", "version", "name"}``; expat centres offer BIO, DOC and VAA, IND desks every product.
- A slot is ``{"key", "date": "YYYY-MM-DD", "startTime": "HH:MM", "endTime", "parts"}``, ``parts``
  being the persons asked for, as the IND answers. The earliest slot adds its ``desk`` and ``name``.
- A hold takes the seats for ``HOLD_MINUTES`` (persons: the ``parts`` of the slot the client sends
  as the body, or the ``persons`` query, or 1) and answers the slot with a ``holdId`` and
  ``heldUntil``. A booking that names the ``holdId`` in its ``bookableSlot``, or that comes from the
  same client address for the same slot and persons (as the IND's clients, which keep no id, do),
  books the held seats; a booking without a hold takes free seats directly.
- A booking (body: see ``oap_requests``) answers ``{"appointmentId", "code", "manageToken", "desk",
  "productKey", "date", "startTime", "endTime", "parts", "status"}``; ``status`` is ``moved`` when a
  case's appointment of the product was moved to the slot instead (``self_booking``). The manage
  token is shown this once: it is the key to ``manage_api``.

Nothing here logs a request, a token or a body.
"""

import json
from collections.abc import Awaitable, Callable

import asyncpg
from aiohttp import hdrs, web

from schemas.codes import AppointmentProduct, LocationCode
from services.biometrics import self_booking
from services.biometrics.locations import LOCATIONS, desks_offering, offers
from services.biometrics.oap_requests import SLOT_KEY, booking_request, hold_persons
from services.biometrics.refusals import BAD_REQUEST, CONFLICT, NOT_FOUND, Refused
from services.biometrics.request_fields import desk, json_object, persons, product
from services.biometrics.self_service import BOOK, HOLD, SelfService
from services.biometrics.slot_search import earliest, free_slots

GUARD = ")]}',\n"
DESK_VERSION = 1

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def oap_app(pool: asyncpg.Pool, service: SelfService) -> web.Application:
    """The dialect's routes, to mount at ``/oap/api``."""

    async def desks(request: web.Request) -> web.Response:
        wanted = product(request.query.get("productKey"), "productKey")
        return answer(
            [{"key": code.value, "version": DESK_VERSION, "name": LOCATIONS[code].name} for code in desks_offering(wanted)]
        )

    async def slots(request: web.Request) -> web.Response:
        at = desk(request.match_info["desk"])
        wanted = product(request.query.get("productKey"), "productKey")
        if not offers(at, wanted):
            raise Refused(BAD_REQUEST, "productKey", f"desk {at.value} does not offer {wanted.value} appointments")
        count = persons(request.query.get("persons", "1"), "persons")
        rows = await free_slots(pool, service.overrides, at, wanted, count, service.today())
        return answer([_slot(row, count) for row in rows])

    async def first_free(request: web.Request) -> web.Response:
        wanted = product(request.query.get("productKey"), "productKey")
        count = persons(request.query.get("persons", "1"), "persons")
        chosen = _desks(request.query.get("desks"), wanted)
        row = await earliest(pool, service.overrides, chosen, wanted, count, service.today())
        if row is None:
            return answer([])
        location = LOCATIONS[LocationCode(row["location"])]
        return answer([{"desk": location.code.value, "name": location.name, **_slot(row, count)}])

    async def hold(request: web.Request) -> web.Response:
        client = service.admit(request, HOLD)
        at = desk(request.match_info["desk"])
        count = hold_persons(await json_object(request, required=False), persons(request.query.get("persons", "1"), "persons"))
        key = request.match_info["key"]
        if not SLOT_KEY.fullmatch(key):
            raise Refused(NOT_FOUND, "key", "there is no such slot")  # PostgreSQL would refuse a NUL, say, with a 500
        async with service.unit_of_work() as uow:
            held = await self_booking.hold(uow, at, key, count, client, service.terms())
        slot = held.seats.slot
        return answer(
            {
                "key": slot.key,
                "date": slot.date.isoformat(),
                "startTime": slot.start.strftime("%H:%M"),
                "endTime": slot.end.strftime("%H:%M"),
                "parts": held.persons,
                "holdId": held.hold_id,
                "heldUntil": held.expires_at.isoformat(),
            }
        )

    async def book(request: web.Request) -> web.Response:
        client = service.admit(request, BOOK)
        booking = booking_request(desk(request.match_info["desk"]), await json_object(request))
        await service.try_case(request, booking.case_number)
        async with service.unit_of_work() as uow:
            confirmation = await self_booking.book(uow, booking, client, service.terms())
        await service.case_proven(request, booking.case_number)
        appointment = confirmation.appointment
        return answer(
            {
                "appointmentId": appointment.appointment_id,
                "code": confirmation.booking_code,
                "manageToken": confirmation.manage_token,
                "desk": appointment.location.value,
                "productKey": appointment.product.value,
                "date": appointment.day.isoformat(),
                "startTime": appointment.start.strftime("%H:%M"),
                "endTime": appointment.end.strftime("%H:%M"),
                "parts": appointment.persons,
                "status": "moved" if confirmation.moved else "booked",
            }
        )

    app = web.Application(middlewares=[_dialect])
    app.router.add_get("/desks", desks)
    for slash in ("", "/"):
        app.router.add_get(f"/desks/{{desk}}/slots{slash}", slots)
        app.router.add_post(f"/desks/{{desk}}/appointments{slash}", book)
        app.router.add_get(f"/slots/earliest{slash}", first_free)
    app.router.add_post("/desks/{desk}/slots/{key}", hold)
    return app


def answer(data: object) -> web.Response:
    return _enveloped({"status": "OK", "data": data}, 200)


@web.middleware
async def _dialect(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every answer in the dialect's envelope: a refusal, a path or method not served, and a seat the
    database's capacity check refused (the booking turn should have seen it taken: the check is the
    last word) alike."""
    try:
        return await handler(request)
    except Refused as refused:
        headers = {hdrs.RETRY_AFTER: str(refused.retry_after_s)} if refused.retry_after_s is not None else None
        return _enveloped(_error(refused.field, refused.reason), refused.status, headers)
    except asyncpg.CheckViolationError:
        return _enveloped(_error("bookableSlot.key", "the slot is fully booked"), CONFLICT)
    except web.HTTPNotFound:
        return _enveloped(_error("path", "is not part of the appointment API"), NOT_FOUND)
    except web.HTTPMethodNotAllowed as error:
        return _enveloped(_error("method", f"use {', '.join(sorted(error.allowed_methods))}"), error.status)


def _error(field: str, reason: str) -> dict:
    return {"status": "NOK", "error": {"field": field, "reason": reason}}


def _enveloped(document: dict, status: int, headers: dict | None = None) -> web.Response:
    text = GUARD + json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    response = web.Response(text=text, status=status, content_type="application/json", headers=headers)
    response.headers[hdrs.CACHE_CONTROL] = "no-store"
    return response


def _slot(row: asyncpg.Record, count: int) -> dict:
    return {
        "key": row["slot_key"],
        "date": row["day"].isoformat(),
        "startTime": row["start_time"].strftime("%H:%M"),
        "endTime": row["end_time"].strftime("%H:%M"),
        "parts": count,
    }


def _desks(listed: str | None, wanted: AppointmentProduct) -> list[LocationCode]:
    """The desks named in ``desks`` (comma-separated codes), or every desk offering ``wanted``."""
    if listed is None:
        return desks_offering(wanted)
    codes = [code.strip() for code in listed.split(",") if code.strip()]
    if not codes or len(codes) > len(LOCATIONS):
        raise Refused(BAD_REQUEST, "desks", "name 1 to 13 desk codes, separated by commas")
    chosen = []
    for code in dict.fromkeys(codes):
        try:
            at = desk(code, "desks")
        except Refused:
            raise Refused(BAD_REQUEST, "desks", f"{code!r} is not a desk") from None
        if not offers(at, wanted):
            raise Refused(BAD_REQUEST, "desks", f"desk {at.value} does not offer {wanted.value} appointments")
        chosen.append(at)
    return chosen
