"""Book an appointment: the product and number of persons, a desk that offers it, a free time, held
while the applicant fills in their details, then booked. Each step asks biometrics through the IND
dialect (``/oap/api``), as any community tool does; the portal keeps nothing between steps but what
the page carries (product, persons, desk, slot and hold id: no personal data, so GET is fine until
the details form, which is a POST).
"""

import re
from datetime import date, time
from urllib.parse import quote

from aiohttp import web

from schemas.codes import LocationCode
from services.portal.backends import Answer, Unavailable
from services.portal.state import PORTAL
from services.portal.web import render

PRODUCTS = ("SUB", "INF", "BIO", "DOC", "VAA")
FOR_A_CASE = ("BIO", "DOC", "VAA")
HOLD_MINUTES = 10
FIELDS = {  # the dialect's field names, as the details form names them
    "appointment.email": "email",
    "appointment.phone": "phone",
    "appointment.language": "language",
    "appointment.customers": "first_name_1",
    "appointment.caseNumber": "case_number",
    "appointment.dateOfBirth": "date_of_birth",
}


DESKS = {location.value for location in LocationCode}
SLOT_KEY = re.compile(r"[A-Za-z0-9_.:-]{1,100}")
PERSONS = {str(n) for n in range(1, 7)}


def desk_of(value: str) -> str:
    """A desk code, checked before it goes into a path of biometrics' (a '..' would lead elsewhere)."""
    if value not in DESKS:
        raise web.HTTPBadRequest()
    return quote(value, safe="")


def slot_key_of(value: str) -> str:
    if not SLOT_KEY.fullmatch(value):
        raise web.HTTPBadRequest()
    return value


def _held(form: dict) -> dict[str, str]:
    """The held slot the details form carries back: checked, since the page shows it again."""
    held = {name: form.get(name, "") for name in ("key", "date", "startTime", "endTime", "holdId")}
    try:
        date.fromisoformat(held["date"])
        for name in ("startTime", "endTime"):
            time.fromisoformat(held[name])
    except ValueError:
        raise web.HTTPBadRequest() from None
    slot_key_of(held["key"])
    if len(held["holdId"]) > 200 or not held["holdId"].isprintable():
        raise web.HTTPBadRequest()
    return held


def _choice(request: web.Request) -> tuple[str, int]:
    product = request.query.get("product", "")
    persons = request.query.get("persons", "1")
    if product not in PRODUCTS or persons not in PERSONS:
        raise web.HTTPBadRequest()
    return product, int(persons)


async def _ask(request: web.Request, method: str, path: str, **options) -> Answer:
    portal = request.app[PORTAL]
    return await portal.biometrics.call(method, "/oap/api" + path, portal.visitor(request), **options)


async def start(request: web.Request) -> web.StreamResponse:
    return render(request, "book.html", {"products": PRODUCTS})


async def desks(request: web.Request) -> web.StreamResponse:
    product, persons = _choice(request)
    try:
        offering = await _ask(request, "GET", "/desks", params={"productKey": product})
        first = await _ask(request, "GET", "/slots/earliest", params={"productKey": product, "persons": str(persons)})
    except Unavailable:
        return render(request, "problem.html", {"message": "unavailable"}, status=503)
    earliest = (first.body or {}).get("data") or []
    return render(
        request,
        "book_desks.html",
        {"product": product, "persons": persons, "desks": offering.body["data"], "earliest": earliest[0] if earliest else None},
    )


async def slots(request: web.Request) -> web.StreamResponse:
    product, persons = _choice(request)
    desk = desk_of(request.query.get("desk", ""))
    try:
        answer = await _ask(request, "GET", f"/desks/{desk}/slots", params={"productKey": product, "persons": str(persons)})
    except Unavailable:
        return render(request, "problem.html", {"message": "unavailable"}, status=503)
    if answer.status != 200:
        raise web.HTTPNotFound()
    by_day: dict[str, list[dict]] = {}
    for slot in answer.body["data"][:200]:
        by_day.setdefault(slot["date"], []).append(slot)
    context = {"product": product, "persons": persons, "desk": desk, "by_day": by_day, "taken": request.query.get("taken") == "1"}
    return render(request, "book_slots.html", context)


async def hold(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    product, persons, desk, key = (str(form.get(name, "")) for name in ("product", "persons", "desk", "key"))
    if product not in PRODUCTS or persons not in PERSONS:
        raise web.HTTPBadRequest()
    desk, key = desk_of(desk), slot_key_of(key)
    try:
        answer = await _ask(request, "POST", f"/desks/{desk}/slots/{key}", json={"parts": int(persons)})
    except Unavailable:
        return render(request, "problem.html", {"message": "unavailable"}, status=503)
    if answer.status == 409:
        raise web.HTTPSeeOther(
            f"/{request.match_info['language']}/book/slots?product={product}&persons={persons}&desk={desk}&taken=1"
        )
    if answer.status != 200:
        return render(request, "problem.html", {"message": "bad"}, status=answer.status)
    held = answer.body["data"]
    return render(request, "book_details.html", _details(product, int(persons), desk, held, {}, {}))


def _details(product: str, persons: int, desk: str, held: dict, form: dict, errors: dict) -> dict:
    return {
        "product": product,
        "persons": persons,
        "desk": desk,
        "held": held,
        "for_a_case": product in FOR_A_CASE,
        "form": form,
        "errors": errors,
        "hold_minutes": HOLD_MINUTES,
    }


async def confirm(request: web.Request) -> web.StreamResponse:
    form = {name: str(value).strip() for name, value in (await request.post()).items()}
    product, desk = form.get("product", ""), desk_of(form.get("desk", ""))
    if product not in PRODUCTS or form.get("persons") not in PERSONS:
        raise web.HTTPBadRequest()
    persons = int(form["persons"])
    held = _held(form)
    customers = [
        {"firstName": form.get(f"first_name_{n}", ""), "lastName": form.get(f"last_name_{n}", "")} for n in range(1, persons + 1)
    ]
    appointment = {
        "productKey": product,
        "email": form.get("email", ""),
        "phone": form.get("phone", ""),
        "language": form.get("language", request.match_info["language"]),
        "customers": customers,
    }
    if product in FOR_A_CASE:
        appointment |= {"caseNumber": form.get("case_number", "").upper(), "dateOfBirth": form.get("date_of_birth", "")}
    body = {"bookableSlot": {**held, "parts": persons, "booked": False}, "appointment": appointment}
    try:
        answer = await _ask(request, "POST", f"/desks/{desk}/appointments", json=body)
    except Unavailable:
        return render(request, "problem.html", {"message": "unavailable"}, status=503)
    if answer.status == 200:
        return render(request, "book_done.html", {"booked": answer.body["data"], "product": product})
    error = (answer.body or {}).get("error") or {}
    field = FIELDS.get(str(error.get("field", "")).split("[")[0], "")
    if answer.status == 404 and product in FOR_A_CASE:
        field = "case_number"
    errors = {field or "form": error.get("reason", "")}
    if answer.status == 429:
        errors = {"form": "too_many_bookings"}
    return render(request, "book_details.html", _details(product, persons, desk, held, form, errors), status=answer.status)
