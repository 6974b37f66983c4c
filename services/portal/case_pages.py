"""Follow my case: the case number and date of birth in a form (never in a URL), the case's status,
history, appointments, deadline and what is asked of the applicant, in the page's language.

Decision answers and counts wrong pairs per case number and per visitor; its lockout reaches the
visitor as the same message whether or not the case exists.
"""

from datetime import date

from aiohttp import web

from services.portal.backends import Unavailable
from services.portal.state import PORTAL
from services.portal.web import LANGUAGE, render


async def follow_form(request: web.Request) -> web.StreamResponse:
    return render(request, "follow.html", {"errors": {}, "form": {}, "problem": None})


async def follow(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    number = str(form.get("case_number", "")).strip().upper()[:100]
    born = str(form.get("date_of_birth", "")).strip()
    errors = {}
    if not number:
        errors["case_number"] = "case_number_hint"
    try:
        date.fromisoformat(born)
    except ValueError:
        errors["date_of_birth"] = "date_hint"
    context = {"errors": errors, "form": {"case_number": number, "date_of_birth": born}, "problem": None}
    if errors:
        return render(request, "follow.html", context, status=400)
    portal = request.app[PORTAL]
    try:
        answer = await portal.decision.call(
            "POST",
            "/cases/status",
            portal.visitor(request),
            json={"case_number": number, "date_of_birth": born, "language": request[LANGUAGE].value},
        )
    except Unavailable:
        return render(request, "follow.html", {**context, "problem": ("unavailable", {})}, status=503)
    if answer.status == 429:
        minutes = max(1, (answer.retry_after or 900) // 60)
        return render(request, "follow.html", {**context, "problem": ("too_many", {"minutes": minutes})}, status=429)
    if answer.status != 200:
        return render(request, "follow.html", {**context, "problem": ("not_found", {})}, status=404)
    case = answer.body
    for appointment in case["appointments"]:
        appointment["calendar"] = portal.calendars.token(appointment)
    return render(request, "case.html", {"case": case, "asked": {"case_number": number, "date_of_birth": born}})


async def calendar(request: web.Request) -> web.StreamResponse:
    words_summary = "IND"
    ics = request.app[PORTAL].calendars.calendar(request.match_info["token"], words_summary)
    if ics is None:
        raise web.HTTPNotFound()
    return web.Response(
        body=ics, content_type="text/calendar", headers={"Content-Disposition": 'attachment; filename="ind-appointment.ics"'}
    )
