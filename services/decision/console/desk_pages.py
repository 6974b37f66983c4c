"""The desk officer's day: the appointments at their location, and what they report of each
(biometrics captured, a no-show, a document handed out), sent as the desk events desk systems send.
An appointment without a case (a submission or information appointment an applicant booked) is
listed with its booking code; desk events name a case, so there is nothing to report on it here.

What is reported is checked against the day as biometrics answers it at the moment of sending, not
against the form: an appointment at another location, or one already dealt with, cannot be reported.
"""

from datetime import date, timedelta
from uuid import UUID

from aiohttp import web

from schemas.codes import AppointmentProduct, LocationCode
from schemas.desk import DeskVisit
from services.decision.console.access import DESK, staff_only
from services.decision.console.desk_day import DeskDayUnavailable
from services.decision.console.rendering import render
from services.decision.console.state import CONSOLE, see_other
from services.decision.staff import StaffMember

REPORTS = {
    "captured": "Biometrics captured",
    "no_show": "Did not come",
    "handed_out": "Document handed out",
}
MAY_REPORT = {
    AppointmentProduct.BIOMETRICS.value: ("captured", "no_show"),
    AppointmentProduct.DOCUMENT_PICKUP.value: ("handed_out", "no_show"),
}


def _day(request: web.Request, today: date) -> date:
    raw = request.query.get("date")
    if not raw:
        return today
    try:
        chosen = date.fromisoformat(raw)
    except ValueError:
        raise web.HTTPBadRequest(text="date: use YYYY-MM-DD") from None
    if abs((chosen - today).days) > 366:
        raise web.HTTPBadRequest(text="date: choose a day within a year of today")
    return chosen


async def _desk_page(
    request: web.Request, member: StaffMember, day: date, *, errors: dict | None = None, status: int = 200
) -> web.StreamResponse:
    console = request.app[CONSOLE]
    agenda, problem = None, None
    try:
        agenda = await console.desk_day.day(str(member.location), day)
    except DeskDayUnavailable as error:
        problem = f"The desk's day cannot be shown now: {error}."
    return render(
        request,
        "desk.html",
        {
            "day": day,
            "previous": day - timedelta(days=1),
            "next": day + timedelta(days=1),
            "agenda": agenda,
            "problem": problem,
            "reports": REPORTS,
            "may_report": MAY_REPORT,
            "errors": errors or {},
            "reported": request.query.get("reported") == "1",
        },
        status=status,
    )


@staff_only(*DESK)
async def desk(request: web.Request, member: StaffMember) -> web.StreamResponse:
    return await _desk_page(request, member, _day(request, request.app[CONSOLE].today()))


@staff_only(*DESK)
async def report(request: web.Request, member: StaffMember) -> web.StreamResponse:
    console = request.app[CONSOLE]
    form = await request.post()
    try:
        day = date.fromisoformat(str(form.get("date", "")))
    except ValueError:
        day = console.today()
    appointment_id, kind = str(form.get("appointment_id", "")), str(form.get("kind", ""))
    try:
        agenda = await console.desk_day.day(str(member.location), day)
    except DeskDayUnavailable:
        return await _desk_page(request, member, day, status=503)
    appointment = next((a for a in agenda["appointments"] if a["appointment_id"] == appointment_id), None)
    if appointment is None or appointment["status"] != "booked" or appointment["case_id"] is None:
        errors = {appointment_id: "This appointment is not open at your desk today (already reported, or moved)."}
        return await _desk_page(request, member, day, errors=errors, status=409)
    if kind not in MAY_REPORT.get(appointment["product"], ("no_show",)):
        return await _desk_page(request, member, day, errors={appointment_id: "Choose what happened."}, status=400)
    document_number = str(form.get("document_number", "")).strip().upper()[:20] or None
    if kind == "handed_out":
        expected = appointment.get("document_number")
        if document_number is None:
            errors = {appointment_id: "Type the document number printed on the card you hand out."}
            return await _desk_page(request, member, day, errors=errors, status=400)
        if expected is not None and document_number != expected:
            errors = {appointment_id: "This is not the number of this applicant's residence document. Check the card."}
            return await _desk_page(request, member, day, errors=errors, status=400)
    visit = DeskVisit(
        case_id=UUID(appointment["case_id"]),
        case_number=appointment["case_number"],
        appointment_id=appointment_id,
        location=LocationCode(str(member.location)),
        desk_officer=member.staff_id,
    )
    await console.sender.desk_report(kind, visit, AppointmentProduct(appointment["product"]), document_number)
    return see_other(f"/console/desk?date={day.isoformat()}&reported=1")
