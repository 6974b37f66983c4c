"""Applicants manage their appointments without an account (JSON, not the OAP dialect):

    POST /appointments/lookup                 the appointment the token manages
    POST /appointments/cancel                 cancel it (its seat is freed)
    POST /appointments/reschedule             {"slot": key[, "holdId": id]}: move it to another slot
    POST /appointments/case/reschedule        {"caseNumber", "dateOfBirth", "appointmentId", "slot"[, "holdId"]}:
                                              move a case's appointment, one the service booked too

The manage token (answered once, when the appointment was booked, and in the confirmation email's
link) goes in the body as ``{"token": ...}`` or as ``Authorization: Bearer <token>`` (both: they must
agree), never in the URL, where access logs and browser histories keep it: a request with a
``token`` query parameter is refused (400) before anything is looked up. Every request is a POST,
so no proxy caches one or retries it on its own; every answer is ``no-store``.

An answer is ``{"appointment": {"appointmentId", "code", "caseNumber", "productKey", "desk",
"deskName", "address", "date", "startTime", "endTime", "persons", "status"}}``; a refusal is
``{"error": {"field", "reason"}}`` with 400, 404 (an unknown token, or a case number, date of birth
and appointment that do not belong together: the same answer for each, so nothing can be probed),
409 (a cancelled, attended or missed appointment, a full slot), 413 or 429 (``Retry-After``). Each
of these endpoints counts against the client's ``manage`` rate limit (``self_service``).
"""

from aiohttp import hdrs, web

from services.biometrics import self_changes
from services.biometrics.json_answers import json_answer, refusals
from services.biometrics.locations import LOCATIONS
from services.biometrics.refusals import BAD_REQUEST, NOT_FOUND, Refused
from services.biometrics.request_fields import day, json_object, text
from services.biometrics.self_changes import Managed, Move
from services.biometrics.self_service import MANAGE, SelfService

MAX_TOKEN = 200


def manage_app(service: SelfService) -> web.Application:
    """The manage endpoints, to mount at ``/appointments``."""

    async def lookup(request: web.Request) -> web.Response:
        service.admit(request, MANAGE)
        token = _token(request, await json_object(request, required=False))
        async with service.unit_of_work() as uow:
            return _answer(await self_changes.look_up(uow, token))

    async def cancel(request: web.Request) -> web.Response:
        service.admit(request, MANAGE)
        token = _token(request, await json_object(request, required=False))
        async with service.unit_of_work() as uow:
            return _answer(await self_changes.cancel(uow, token))

    async def reschedule(request: web.Request) -> web.Response:
        client = service.admit(request, MANAGE)
        body = await json_object(request)
        token = _token(request, body)
        async with service.unit_of_work() as uow:
            return _answer(await self_changes.reschedule(uow, token, _move(body, client), service.terms()))

    async def reschedule_for_case(request: web.Request) -> web.Response:
        client = service.admit(request, MANAGE)
        body = await json_object(request)
        case_number = text(body, "caseNumber", "caseNumber")
        born = day(body, "dateOfBirth", "dateOfBirth", required=True)
        appointment_id = text(body, "appointmentId", "appointmentId")
        assert case_number is not None and born is not None and appointment_id is not None
        move = _move(body, client)
        await service.try_case(request, case_number)
        async with service.unit_of_work() as uow:
            managed = await self_changes.reschedule_for_case(uow, case_number, born, appointment_id, move, service.terms())
        await service.case_proven(request, case_number)
        return _answer(managed)

    app = web.Application(middlewares=[refusals("the manage endpoints")])
    app.router.add_post("/lookup", lookup)
    app.router.add_post("/cancel", cancel)
    app.router.add_post("/reschedule", reschedule)
    app.router.add_post("/case/reschedule", reschedule_for_case)
    return app


def _token(request: web.Request, body: dict) -> str:
    """The manage token from the Authorization header or the body (see the module)."""
    if "token" in request.query:
        raise Refused(BAD_REQUEST, "token", "never send the token in the URL; send it in the body or as Authorization: Bearer")
    sent = request.headers.getall(hdrs.AUTHORIZATION, [])
    header = None
    if sent:
        scheme, _, credentials = sent[0].partition(" ")
        if len(sent) > 1 or scheme.lower() != "bearer" or not credentials.strip():
            raise Refused(BAD_REQUEST, "Authorization", "send one header, Authorization: Bearer <token>")
        header = credentials.strip()
    in_body = body.get("token")
    if in_body is not None and not isinstance(in_body, str):
        raise Refused(BAD_REQUEST, "token", "must be a string")
    if header and in_body and header != in_body:
        raise Refused(BAD_REQUEST, "token", "the body and the Authorization header name different tokens")
    token = header or in_body
    if not token:
        raise Refused(BAD_REQUEST, "token", "is required, in the body or as Authorization: Bearer <token>")
    if len(token) > MAX_TOKEN:
        raise Refused(NOT_FOUND, "token", "there is no appointment for this token")
    return token


def _move(body: dict, client: bytes) -> Move:
    slot = text(body, "slot", "slot")
    assert slot is not None
    return Move(slot, text(body, "holdId", "holdId", required=False), client)


def _answer(managed: Managed) -> web.Response:
    appointment, owner = managed.appointment, managed.owner
    location = LOCATIONS[appointment.location]
    document = {
        "appointment": {
            "appointmentId": appointment.appointment_id,
            "code": owner.booking.booking_code if owner.booking else None,
            "caseNumber": owner.case.case_number if owner.case else None,
            "productKey": appointment.product.value,
            "desk": appointment.location.value,
            "deskName": location.name,
            "address": location.address,
            "date": appointment.day.isoformat(),
            "startTime": appointment.start.strftime("%H:%M"),
            "endTime": appointment.end.strftime("%H:%M"),
            "persons": appointment.persons,
            "status": appointment.status,
        }
    }
    return json_answer(document)
