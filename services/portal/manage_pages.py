"""Move or cancel an appointment, without an account.

The link in the confirmation email carries the manage token after ``#``, which browsers never send
to a server: no access log, proxy or referrer sees it. The manage page therefore runs one small
script of its own (``static/manage.js``, the portal's only script, allowed on this page alone) that
reads the token from the address bar, clears it from there and posts it. From then on the token
travels only in POST bodies to biometrics, which keeps nothing but its hash.

An appointment the service booked for a case (biometrics, pickup) is moved from the case page with
the case number and date of birth instead (``move_for_case``).
"""

from aiohttp import web

from services.portal.backends import Answer, Unavailable
from services.portal.booking_pages import FOR_A_CASE, PERSONS, desk_of, slot_key_of
from services.portal.state import PORTAL
from services.portal.web import HEADERS, render

MANAGE_PAGE_CSP = HEADERS["Content-Security-Policy"] + "; script-src 'self'"


async def _manage(request: web.Request, path: str, body: dict) -> Answer:
    portal = request.app[PORTAL]
    return await portal.biometrics.call("POST", "/appointments" + path, portal.visitor(request), json=body)


async def _slots_like(request: web.Request, appointment: dict) -> dict[str, list[dict]]:
    portal = request.app[PORTAL]
    answer = await portal.biometrics.call(
        "GET",
        f"/oap/api/desks/{desk_of(appointment['desk'])}/slots",
        portal.visitor(request),
        params={"productKey": appointment["productKey"], "persons": str(appointment["persons"])},
    )
    by_day: dict[str, list[dict]] = {}
    if answer.status != 200:
        return by_day
    for slot in (answer.body or {}).get("data", [])[:120]:
        by_day.setdefault(slot["date"], []).append(slot)
    return by_day


async def page(request: web.Request) -> web.StreamResponse:
    response = render(request, "manage_start.html", {})
    response.headers["Content-Security-Policy"] = MANAGE_PAGE_CSP
    return response


async def show(request: web.Request) -> web.StreamResponse:
    token = str((await request.post()).get("token", ""))[:200]
    try:
        answer = await _manage(request, "/lookup", {"token": token})
        if answer.status != 200:
            return render(request, "manage.html", {"appointment": None, "token": "", "by_day": {}, "done": None}, status=404)
        appointment = answer.body["appointment"]
        by_day = await _slots_like(request, appointment) if appointment["status"] == "booked" else {}
    except Unavailable:
        return render(request, "problem.html", {"message": "unavailable"}, status=503)
    return render(request, "manage.html", {"appointment": appointment, "token": token, "by_day": by_day, "done": None})


async def change(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    token, key = str(form.get("token", ""))[:200], str(form.get("key", ""))[:200]
    cancelling = request.match_info["change"] == "cancel"
    try:
        answer = await _manage(
            request, "/cancel" if cancelling else "/reschedule", {"token": token, **({} if cancelling else {"slot": key})}
        )
    except Unavailable:
        return render(request, "problem.html", {"message": "unavailable"}, status=503)
    if answer.status == 404:
        return render(request, "manage.html", {"appointment": None, "token": "", "by_day": {}, "done": None}, status=404)
    if answer.status != 200:
        return render(request, "problem.html", {"message": "slot_taken" if answer.status == 409 else "bad"}, status=answer.status)
    done = "cancelled" if cancelling else "rescheduled"
    return render(request, "manage.html", {"appointment": answer.body["appointment"], "token": token, "by_day": {}, "done": done})


async def move_for_case(request: web.Request) -> web.StreamResponse:
    """Choose a new time for a case's appointment (from the case page), then move it."""
    form = {name: str(value)[:200] for name, value in (await request.post()).items()}
    if form.get("product") not in FOR_A_CASE or form.get("persons") not in PERSONS:
        raise web.HTTPBadRequest()
    form["desk"] = desk_of(form.get("desk", ""))
    if form.get("key"):
        slot_key_of(form["key"])
    asked = {
        "caseNumber": form.get("case_number", ""),
        "dateOfBirth": form.get("date_of_birth", ""),
        "appointmentId": form.get("appointment_id", ""),
    }
    appointment = {"desk": form.get("desk", ""), "productKey": form.get("product", ""), "persons": form.get("persons", "1")}
    try:
        if not form.get("key"):
            context = {"asked": asked, "appointment": appointment, "by_day": await _slots_like(request, appointment)}
            return render(request, "case_move.html", context)
        answer = await _manage(request, "/case/reschedule", {**asked, "slot": form["key"]})
    except Unavailable:
        return render(request, "problem.html", {"message": "unavailable"}, status=503)
    if answer.status != 200:
        return render(request, "problem.html", {"message": "slot_taken" if answer.status == 409 else "bad"}, status=answer.status)
    return render(
        request, "manage.html", {"appointment": answer.body["appointment"], "token": "", "by_day": {}, "done": "rescheduled"}
    )
