"""Ask to be emailed when an earlier time frees up, and stop it again (biometrics' ``/alerts``).

The form asks for the email address, the product, the persons, the desks that suit (a checkbox for
each desk offering the product, as biometrics lists them; none ticked is every one), the day before
which a time is worth an email, and the emails' language. The booking pages link here with the
product, persons and desk filled in (``?product=&persons=&desk=``). Biometrics checks every field;
a refusal shows the form again with the reason next to the field at fault, and the address's limit
(409) and too many tries (429) above it.

Each alert email's stop link carries the alert's token after ``#``, which no browser sends to a
server. The stop page runs the portal's one script (``static/manage.js``, allowed on that page alone)
to move the token into its form, which the visitor then sends with a button: the page does not send
it by itself, so a mail scanner that opens links and runs their scripts stops nothing. From there
the token travels only in POST bodies.
"""

from aiohttp import web

from services.portal.backends import Answer, Unavailable
from services.portal.booking_pages import PRODUCTS
from services.portal.manage_pages import MANAGE_PAGE_CSP
from services.portal.state import PORTAL
from services.portal.web import render

FIELDS = {"email": "email", "productKey": "product", "persons": "persons", "desks": "desks", "before": "before"}
"""Biometrics' field names, as the form names them."""
PERSONS = tuple(str(n) for n in range(1, 7))
ALL_DESKS = "BIO"  # the product every desk offers: its desks are all of them


async def _biometrics(request: web.Request, method: str, path: str, **options) -> Answer:
    portal = request.app[PORTAL]
    return await portal.biometrics.call(method, path, portal.visitor(request), **options)


async def _desks(request: web.Request, product: str) -> list[dict]:
    """The desks offering ``product`` (every desk when it is none), each ``{"key", "name"}``."""
    answer = await _biometrics(
        request, "GET", "/oap/api/desks", params={"productKey": product if product in PRODUCTS else ALL_DESKS}
    )
    return (answer.body or {}).get("data") or []


def _page(form: dict, desks: list[dict], errors: dict, done: bool = False) -> dict:
    return {"form": form, "desks": desks, "errors": errors, "done": done, "products": PRODUCTS, "persons_choices": PERSONS}


async def form(request: web.Request) -> web.StreamResponse:
    query = request.query
    product = query.get("product", "")
    filled = {
        "email": "",
        "product": product if product in PRODUCTS else PRODUCTS[0],
        "persons": query.get("persons", "1") if query.get("persons") in PERSONS else "1",
        "desks": [desk for desk in query.getall("desk", []) if desk][:13],
        "before": "",
        "language": request.match_info["language"],
    }
    try:
        desks = await _desks(request, product)
    except Unavailable:
        return render(request, "problem.html", {"message": "unavailable"}, status=503)
    return render(request, "alerts.html", _page(filled, desks, {}))


async def subscribe(request: web.Request) -> web.StreamResponse:
    posted = await request.post()
    filled: dict = {
        name: str(posted.get(name, "")).strip()[:254] for name in ("email", "product", "persons", "before", "language")
    }
    filled["desks"] = [str(desk)[:20] for desk in posted.getall("desks", [])][:13]
    filled["language"] = filled["language"] or request.match_info["language"]
    body = {
        "email": filled["email"],
        "productKey": filled["product"],
        "persons": filled["persons"],
        "desks": filled["desks"],
        "before": filled["before"],
        "language": filled["language"],
    }
    try:
        answer = await _biometrics(request, "POST", "/alerts", json=body)
        desks = await _desks(request, filled["product"])
    except Unavailable:
        return render(request, "problem.html", {"message": "unavailable"}, status=503)
    if answer.status == 201:
        again = {**filled, "email": "", "desks": [], "before": ""}
        return render(request, "alerts.html", _page(again, desks, {}, done=True), status=200)
    if answer.status == 429:
        return render(request, "alerts.html", _page(filled, desks, {"form": "too_many_alerts"}), status=429)
    error = (answer.body or {}).get("error") or {}
    errors = {FIELDS.get(str(error.get("field", "")), "form"): str(error.get("reason", "")) or "problem_bad"}
    return render(request, "alerts.html", _page(filled, desks, errors), status=answer.status)


async def stop_page(request: web.Request) -> web.StreamResponse:
    response = render(request, "alerts_stop.html", {"done": False, "trouble": None})
    response.headers["Content-Security-Policy"] = MANAGE_PAGE_CSP
    return response


async def stop(request: web.Request) -> web.StreamResponse:
    token = str((await request.post()).get("token", ""))[:200]
    try:
        answer = await _biometrics(request, "POST", "/alerts/unsubscribe", json={"token": token})
    except Unavailable:
        return render(request, "problem.html", {"message": "unavailable"}, status=503)
    if answer.status == 200:
        return render(request, "alerts_stop.html", {"done": True, "trouble": None})
    if answer.status == 429:
        return render(request, "alerts_stop.html", {"done": False, "trouble": "too_many_alerts"}, status=429)
    # an empty token (no script ran) or one that stops nothing: the same answer
    return render(request, "alerts_stop.html", {"done": False, "trouble": "alerts_link_not_valid"}, status=404)
