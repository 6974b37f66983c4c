"""Applicants ask to be emailed when a slot that suits them frees up (JSON, not the OAP dialect):

    POST /alerts              {"email", "productKey", "persons", "desks", "before", "language"}
    POST /alerts/unsubscribe  {"token"}

- ``POST /alerts`` answers 201 ``{"alert": {"product", "persons", "desks", "before", "language"}}``:
  ``email`` the address to write to; ``productKey`` one of BIO, DOC, VAA, SUB, INF (any case);
  ``persons`` 1 to 6; ``desks`` a list of desk codes that offer the product and seat the persons in
  one slot (absent or empty: every desk that does, which the answer lists); ``before`` YYYY-MM-DD,
  after the booking window's first day and at most a month past its last (``alert_requests``);
  ``language`` ``en`` or ``nl``, the emails'. All but ``desks`` are required. It counts against the
  client's ``alert`` rate limit (``ALERT_RATE_PER_MINUTE``).
- ``POST /alerts/unsubscribe`` answers 200 ``{"unsubscribed": true}``, or 404 for a token that stops
  no alert (``alert_subscriptions``); the token goes in the body, never in the URL (a ``token`` query
  parameter is refused, 400). It counts against the client's ``manage`` rate limit, as every other
  request that names a token does.

A refusal is ``{"error": {"field", "reason"}}``: 400 for what the request says, 404, 409 for an
address with as many alerts as it may have, 413 for a body over 16 KiB, 429 with ``Retry-After``, 503
without ``MANAGE_LINK_KEY``. Every answer is ``no-store``. Nothing here logs a request, an address or
a token.
"""

from aiohttp import web

from services.biometrics import alert_subscriptions
from services.biometrics.alert_requests import alert_request
from services.biometrics.json_answers import json_answer, refusals
from services.biometrics.manage_api import MAX_TOKEN
from services.biometrics.refusals import BAD_REQUEST, NOT_FOUND, Refused
from services.biometrics.request_fields import json_object
from services.biometrics.self_service import ALERT, MANAGE, SelfService


def alerts_app(service: SelfService) -> web.Application:
    """The alerts' endpoints, to mount at ``/alerts``."""

    async def subscribe(request: web.Request) -> web.Response:
        service.admit(request, ALERT)
        today = service.today()
        alert = alert_request(await json_object(request), today, service.overrides)
        async with service.unit_of_work() as uow:
            await alert_subscriptions.subscribe(uow, alert, service.manage_key, today)
        answer = {
            "product": alert.product.value,
            "persons": alert.persons,
            "desks": [desk.value for desk in alert.desks],
            "before": alert.before.isoformat(),
            "language": alert.language.value,
        }
        return json_answer({"alert": answer}, 201)

    async def unsubscribe(request: web.Request) -> web.Response:
        service.admit(request, MANAGE)
        if "token" in request.query:
            raise Refused(BAD_REQUEST, "token", "never send the token in the URL; send it in the body")
        token = (await json_object(request)).get("token")
        if not isinstance(token, str) or not token:
            raise Refused(BAD_REQUEST, "token", "is required, as a string")
        if len(token) > MAX_TOKEN:
            raise Refused(NOT_FOUND, "token", "there is no alert for this token")
        async with service.unit_of_work() as uow:
            await alert_subscriptions.unsubscribe(uow, token)
        return json_answer({"unsubscribed": True})

    app = web.Application(middlewares=[refusals("the alerts' endpoints")])
    app.router.add_post("", subscribe)
    app.router.add_post("/", subscribe)
    app.router.add_post("/unsubscribe", unsubscribe)
    return app
