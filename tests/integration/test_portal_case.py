"""Follow my case on the portal, against the decision service's real tracking API and PostgreSQL:
the history in the page's language, the same answer for a wrong pair as for an unknown case, the
lockout reaching the visitor, the visitor's own address counted (forwarded with the proxy token),
and a calendar link that needs no personal data."""

import re

import pytest
from aiohttp.test_utils import TestClient, TestServer

from services.decision.app import web_app
from services.decision.settings import DecisionSettings
from services.portal.app import portal_app
from services.portal.settings import PortalSettings
from tests.integration.test_console import PASSWORDS, TODAY, TOOL_KEYS, pool, waiting_case  # noqa: F401 - the fixtures

pytestmark = pytest.mark.integration

PROXY_TOKEN = "portal-proxy-token-for-the-integration-tests"


@pytest.fixture
async def portal(pool):  # noqa: F811 - test_console's pool
    decision = TestServer(
        web_app(pool, DecisionSettings(portal_proxy_token=PROXY_TOKEN), TOOL_KEYS["console"], lambda: TODAY), host="127.0.0.1"
    )
    await decision.start_server()
    settings = PortalSettings(decision_url=str(decision.make_url("")), portal_proxy_token=PROXY_TOKEN)
    async with TestClient(TestServer(portal_app(settings), host="127.0.0.1")) as client:
        yield client
    await decision.close()


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


async def look_up(portal, language: str, number: str, born: str):
    page = await (await portal.get(f"/{language}/case")).text()
    return await portal.post(f"/{language}/case", data={"csrf": csrf_of(page), "case_number": number, "date_of_birth": born})


async def test_an_applicant_follows_their_case_in_dutch(pool, portal):  # noqa: F811
    case = await waiting_case(pool)
    born = case.data.applicant.date_of_birth.isoformat()

    answer = await look_up(portal, "nl", case.data.case_number, born)
    page = await answer.text()

    assert answer.status == 200
    assert '<html lang="nl">' in page and "Wordt beoordeeld" in page
    assert "Aanvraag ontvangen op" in page and "Application received" not in page
    assert answer.headers["Cache-Control"] == "no-store" and "script-src" not in answer.headers["Content-Security-Policy"]


async def test_a_wrong_pair_reads_as_an_unknown_case_and_the_lockout_never_tells_which(pool, portal):  # noqa: F811
    case = await waiting_case(pool)
    wrong = await look_up(portal, "en", case.data.case_number, "1900-01-01")
    unknown = await look_up(portal, "en", "IND-2041-9999999", "1900-01-01")
    assert (wrong.status, unknown.status) == (404, 404)
    assert (await wrong.text()).count("We found no case") == 1 and (await unknown.text()).count("We found no case") == 1

    for _ in range(4):
        await look_up(portal, "en", case.data.case_number, "1900-01-01")
    locked = await look_up(portal, "en", case.data.case_number, case.data.applicant.date_of_birth.isoformat())

    assert locked.status == 429 and "Too many tries" in await locked.text()


async def test_a_form_without_its_csrf_token_is_refused(portal):
    answer = await portal.post("/en/case", data={"case_number": "IND-2041-0000001", "date_of_birth": "1990-01-01"})

    assert answer.status == 403


async def test_an_upcoming_appointment_has_a_calendar_link_that_holds_no_personal_data(pool, portal):  # noqa: F811
    case = await waiting_case(pool)
    await pool.execute(
        """insert into decision.appointments (appointment_id, case_id, product, location, location_name, day, start_time,
               end_time, persons, attempt)
           values ('BIO-ZW-1', $1, 'BIO', 'ZW', 'IND desk Zwolle', current_date + 3, '09:00', '09:15', 1, 1)""",
        case.data.case_id,
    )

    page = await (await look_up(portal, "en", case.data.case_number, case.data.applicant.date_of_birth.isoformat())).text()
    link = re.search(r'href="(/en/calendar/[^"]+)"', page).group(1)
    ics = await portal.get(link)
    forged = await portal.get(link[:-6] + "AAAAAA")

    assert case.data.case_number not in link and case.data.applicant.surname not in link
    assert ics.status == 200 and ics.content_type == "text/calendar"
    assert "UID:BIO-ZW-1@ind.example" in await ics.text()
    assert forged.status == 404
