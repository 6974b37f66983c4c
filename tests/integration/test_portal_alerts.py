"""Alerts for free slots on the portal, against the desk service's real endpoints and PostgreSQL: the
form (filled in from a booking page's link) sets an alert, a refusal is shown next to its field, the
alert email's booking link opens the free slot on the portal, and its stop link's page stops the
alert with the token that only a script could read."""

import re

import pytest
from aiohttp.test_utils import TestClient, TestServer

from schemas.slot_alerts import SlotAvailable
from services.biometrics.self_service import ALERT
from services.notify.appointment_changes import ManageLinks
from services.notify.handlers import compose
from services.notify.slot_alerts import alert_recipient
from services.portal.app import portal_app
from services.portal.settings import PortalSettings
from tests.integration.alert_desk import ONE_SEAT, ZW, free, full_desks, inf, run_pass
from tests.integration.applicant_desk import GENEROUS, MANAGE_KEY, serve
from tests.integration.test_portal_booking import csrf_of

pytestmark = pytest.mark.integration

PORTAL_URL = "http://portal.example"


@pytest.fixture
async def pool():
    async with full_desks("portal_alerts", ONE_SEAT) as pool:
        yield pool


def _portal(desk) -> TestClient:
    settings = PortalSettings(biometrics_url=str(desk.make_url("")).rstrip("/"))
    return TestClient(TestServer(portal_app(settings), host="127.0.0.1"))


@pytest.fixture
async def portal(pool):
    async with serve(pool, ONE_SEAT) as desk, _portal(desk) as client:
        yield client


def form(page: str, **fields) -> dict:
    return {
        "csrf": csrf_of(page),
        "email": "ana.silva@example.org",
        "product": "INF",
        "persons": "1",
        "desks": "ZW",
        "before": "2027-03-20",
        "language": "nl",
    } | fields


async def test_an_applicant_sets_an_alert_gets_the_email_books_from_it_and_stops_it(pool, portal):
    filled = await portal.get("/en/alerts", params={"product": "INF", "persons": "1", "desk": "ZW"})
    page = await filled.text()
    assert filled.status == 200 and "script-src" not in filled.headers["Content-Security-Policy"]
    assert re.findall(r'name="desks" value="([^"]+)"', page) == ["AM", "DB", "DH", "ZW"]  # the desks giving information
    assert re.search(r'value="ZW" checked', page) and re.search(r'value="INF" checked', page)

    done = await portal.post("/en/alerts", data=form(page))
    assert done.status == 200 and "We will email you when such a time frees up." in await done.text()
    kept = await pool.fetchrow("select email, product, persons, desks, before, language from biometrics.slot_alerts")
    assert dict(kept) | {"before": str(kept["before"])} == {
        "email": "ana.silva@example.org",
        "product": "INF",
        "persons": 1,
        "desks": ["ZW"],
        "before": "2027-03-20",
        "language": "nl",
    }

    await free(pool, inf(ZW, "2027-03-09"))  # somebody cancels
    ((_key, event),) = await run_pass(pool, ONE_SEAT)
    alerted = SlotAvailable.model_validate(event)
    email = compose(alerted, alert_recipient(alerted), ManageLinks(MANAGE_KEY, "unused", PORTAL_URL))
    book_link, stop_link = re.findall(rf"{PORTAL_URL}\S+", email.body)

    slots = await portal.get(book_link.removeprefix(PORTAL_URL))
    assert slots.status == 200 and f'value="{inf(ZW, "2027-03-09")}"' in await slots.text()

    path, token = stop_link.removeprefix(PORTAL_URL).split("#token=")
    start = await portal.get(path)
    start_page = await start.text()
    assert path == "/nl/alerts/stop" and "script-src 'self'" in start.headers["Content-Security-Policy"]
    assert 'data-link-token="fill"' in start_page and '<script src="/static/manage.js"></script>' in start_page
    stopped = await portal.post(path, data={"csrf": csrf_of(start_page), "token": token})
    again = await portal.post(path, data={"csrf": csrf_of(start_page), "token": token})
    without_script = await portal.post(path, data={"csrf": csrf_of(start_page), "token": ""})

    assert stopped.status == 200 and "U krijgt geen e-mails meer over vrije tijden." in await stopped.text()
    assert again.status == without_script.status == 404
    assert "Deze link is niet (meer) geldig" in await again.text()
    assert await pool.fetchval("select count(*) from biometrics.slot_alerts") == 0


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"email": "not an address"}, "email"),
        ({"before": "2027-03-01"}, "before"),
        ({"desks": "XC-AMS"}, "desks"),
        ({"persons": "2"}, "desks"),  # Zwolle seats one here
    ],
)
async def test_a_refusal_is_shown_next_to_its_field_and_keeps_what_was_filled_in(pool, portal, fields, field):
    page = await (await portal.get("/nl/alerts")).text()

    sent = form(page, **fields)
    refused = await portal.post("/nl/alerts", data=sent)
    text = await refused.text()

    assert refused.status == 400 and f'id="{field}-error"' in text and "Controleer dit veld" in text
    assert f'value="{sent["email"]}"' in text and f'value="{sent["before"]}"' in text
    assert await pool.fetchval("select count(*) from biometrics.slot_alerts") == 0


async def test_an_address_with_five_alerts_is_told_so_and_too_many_tries_are_told_to_wait(pool):
    async with serve(pool, ONE_SEAT, limits={**GENEROUS, ALERT: 6}) as desk, _portal(desk) as portal:
        page = await (await portal.get("/en/alerts")).text()
        statuses = [(await portal.post("/en/alerts", data=form(page, before=f"2027-03-{10 + n}"))).status for n in range(5)]
        sixth = await portal.post("/en/alerts", data=form(page))
        sixth_page = await sixth.text()
        seventh = await portal.post("/en/alerts", data=form(page, email="rui.silva@example.org"))
        seventh_page = await seventh.text()

    assert statuses == [200] * 5
    assert sixth.status == 409 and 'id="email-error"' in sixth_page and "5 alerts already" in sixth_page
    assert seventh.status == 429 and "Too many requests from your connection" in seventh_page
