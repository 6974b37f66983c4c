"""Booking, moving and cancelling on the portal, against the desk service's real endpoints and
PostgreSQL: the pages drive the IND dialect and the manage endpoints as the applicant clicks."""

import re

import pytest
from aiohttp.test_utils import TestClient, TestServer

from schemas.manage_links import manage_token
from services.biometrics.app import MIGRATIONS, SERVICE
from services.portal.app import portal_app
from services.portal.settings import PortalSettings
from tests.conftest import service_pool
from tests.integration.applicant_desk import MANAGE_KEY, outbox, serve

pytestmark = pytest.mark.integration


@pytest.fixture
async def pool():
    async with service_pool("portal_booking", SERVICE, MIGRATIONS) as pool:
        yield pool


@pytest.fixture
async def portal(pool):
    async with serve(pool, {}) as desk:
        settings = PortalSettings(biometrics_url=str(desk.make_url("")).rstrip("/"))
        async with TestClient(TestServer(portal_app(settings), host="127.0.0.1")) as client:
            yield client


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def hidden(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))


async def test_an_applicant_books_an_information_appointment_without_a_case_then_moves_and_cancels_it(pool, portal):
    desks = await (await portal.get("/en/book/desks", params={"product": "INF", "persons": "2"})).text()
    assert "The earliest free time at any desk" in desks
    slots = await (await portal.get("/en/book/slots", params={"product": "INF", "persons": "2", "desk": "ZW"})).text()
    first, second = re.findall(r'name="key" value="([^"]+)"', slots)[:2]

    details = await portal.post(
        "/en/book/hold", data={"csrf": csrf_of(slots), "product": "INF", "persons": "2", "desk": "ZW", "key": first}
    )
    page = await details.text()
    assert details.status == 200 and "We keep this time for you" in page
    form = {
        **hidden(page),
        "first_name_1": "Ana",
        "last_name_1": "Silva",
        "first_name_2": "Rui",
        "last_name_2": "Silva",
        "email": "ana.silva@example.org",
        "phone": "+31 6 1234 5678",
        "language": "nl",
    }
    done = await portal.post("/en/book/confirm", data=form)
    code = re.search(r'id="booking-code">([^<]+)<', await done.text()).group(1)

    (key, booked), *_ = [(k, e) for k, e in await outbox(pool) if e["type"] == "nl.ind.appointment.applicant_booked.v1"]
    assert booked["data"]["booking_code"] == code and booked["data"]["persons"] == 2
    token = manage_token(MANAGE_KEY, booked["data"]["manage_reference"])

    start = await portal.get("/nl/manage")
    assert "script-src 'self'" in start.headers["Content-Security-Policy"]
    shown = await portal.post("/nl/manage", data={"csrf": csrf_of(await start.text()), "token": token})
    shown_page = await shown.text()
    assert shown.status == 200 and code in shown_page
    moved = await portal.post("/nl/manage/reschedule", data={"csrf": csrf_of(shown_page), "token": token, "key": second})
    assert "Uw afspraak is verzet" in await moved.text()
    cancelled = await portal.post("/nl/manage/cancel", data={"csrf": csrf_of(shown_page), "token": token})
    assert "Uw afspraak is afgezegd" in await cancelled.text()

    kinds = [e["type"].split(".")[3] for k, e in await outbox(pool) if k == key]
    assert kinds == ["applicant_booked", "rescheduled", "cancelled"]


async def test_a_wrong_field_is_named_next_to_it_and_a_foreign_link_shows_nothing(pool, portal):
    slots = await (await portal.get("/en/book/slots", params={"product": "SUB", "persons": "1", "desk": "ZW"})).text()
    key = re.search(r'name="key" value="([^"]+)"', slots).group(1)
    page = await (
        await portal.post(
            "/en/book/hold", data={"csrf": csrf_of(slots), "product": "SUB", "persons": "1", "desk": "ZW", "key": key}
        )
    ).text()

    refused = await portal.post(
        "/en/book/confirm",
        data={
            **hidden(page),
            "first_name_1": "Ana",
            "last_name_1": "Silva",
            "email": "not an address",
            "phone": "1",
            "language": "en",
        },
    )
    unknown = await portal.post("/en/manage", data={"csrf": csrf_of(page), "token": "x" * 43})

    assert refused.status == 400 and 'id="email-error"' in await refused.text()
    assert unknown.status == 404 and "This link is not valid" in await unknown.text()


@pytest.mark.parametrize(
    "method, path, data",
    [
        ("GET", "/en/book/slots?product=INF&persons=1&desk=..%2F..%2F..%2Fhealth%3Fx%3D", None),
        ("GET", "/de/case", None),
        ("GET", "/en/book/desks?product=XYZ&persons=9", None),
        ("POST", "/en/book/hold", {"product": "INF", "persons": "1", "desk": "ZW", "key": "SUB-ZW\x00"}),
        ("POST", "/en/book/confirm", {"product": "INF", "persons": "1", "desk": "ZW", "key": "K", "date": "x"}),
        ("POST", "/en/case/move", {"product": "ZZZ", "persons": "1", "desk": "ZW"}),
    ],
)
async def test_bad_input_gets_a_page_with_a_4xx_never_a_500(portal, method, path, data):
    page = await (await portal.get("/en/case")).text()  # a page with a form, for its CSRF token
    if method == "GET":
        answer = await portal.get(path)
    else:
        answer = await portal.post(path, data={"csrf": csrf_of(page), **data})

    assert 400 <= answer.status < 500, await answer.text()
    assert answer.headers["Content-Security-Policy"].startswith("default-src 'none'")


async def test_a_form_that_cannot_be_read_is_a_400(portal):
    answer = await portal.post("/en/case", data=b"x", headers={"Content-Type": "multipart/form-data"})

    assert answer.status == 400
