"""The console over HTTP against the real PostgreSQL: signing in, CSRF, lockout, claims, the stale-
tab refusal, and a decision sent as a signed command whose answer the page then shows. The
commands land in the service's outbox here; the browser tests follow them through Kafka."""

import itertools
import re
import time
from datetime import date, datetime, timedelta, timezone
from uuid import uuid4

import pytest
from aiohttp.test_utils import TestClient, TestServer

from ind_runtime.guesses import SIGN_IN
from ind_runtime.records import ConsumedRecord
from schemas.appointments import BiometricsCompleted
from schemas.cases import CaseRegistered
from schemas.codes import LocationCode
from schemas.decisions import DecisionRequested
from schemas.examples import EXAMPLES
from schemas.topics import DECISION_COMMANDS
from services.decision import commands, flow
from services.decision.app import MIGRATIONS, web_app
from services.decision.caseworkers import DEFAULT_ROSTER, Role, load_roster
from services.decision.policy import DecisionPolicy
from services.decision.settings import DEFAULT_TOOL_KEYS, DecisionSettings
from services.decision.staff import StaffDirectory, StaffMember
from services.decision.tool_keys import load_tool_keys
from services.decision.unit_of_work import DecisionUnitOfWork
from tests.conftest import service_pool

pytestmark = pytest.mark.integration

TOOL_KEYS = load_tool_keys(DEFAULT_TOOL_KEYS)
RECEIVED = date(2041, 3, 4)
TODAY = RECEIVED + timedelta(days=20)
REGISTERED = next(e for e in EXAMPLES if isinstance(e, CaseRegistered))
BIOMETRICS = next(e for e in EXAMPLES if isinstance(e, BiometricsCompleted))
PASSWORDS = {
    "anna": "anna's long password",
    "bram": "bram's long password",
    "sara": "sara's long password",
    "dirk": "dirk's long password",
}
_numbers = itertools.count(1)
_offsets = itertools.count(1)


def policy() -> DecisionPolicy:
    return DecisionPolicy(
        roster=load_roster(DEFAULT_ROSTER),
        tool_keys=TOOL_KEYS,
        today=lambda: TODAY,
        now=lambda: datetime.now(timezone.utc),
        document_lead_time=timedelta(hours=1),
        deadline_warning_days=14,
    )


@pytest.fixture
async def pool():
    async with service_pool("console", "decision", MIGRATIONS) as pool:
        async with pool.acquire() as connection:
            directory = StaffDirectory(connection)
            for staff_id, role in (("anna", Role.CASEWORKER), ("bram", Role.CASEWORKER), ("sara", Role.SENIOR_CASEWORKER)):
                await directory.add(StaffMember(staff_id, staff_id.title(), role, None, 1, False), PASSWORDS[staff_id])
            await directory.add(
                StaffMember("dirk", "Dirk", Role.DESK_OFFICER, LocationCode.AMSTERDAM, 1, False), PASSWORDS["dirk"]
            )
        yield pool


async def waiting_case(pool) -> CaseRegistered:
    case_id = uuid4()
    data = REGISTERED.data.model_copy(
        update={"case_id": case_id, "case_number": f"IND-2041-{next(_numbers):07d}", "received_on": RECEIVED}
    )
    case = REGISTERED.model_copy(update={"id": f"evt-{case_id}", "subject": data.case_number, "data": data})
    async with DecisionUnitOfWork(pool, "decision") as uow:
        await flow.cases_registered([case], uow, policy())
    done = BIOMETRICS.model_copy(
        update={
            "id": f"evt-bio-{case_id}",
            "data": BIOMETRICS.data.model_copy(update={"case_id": case_id, "case_number": data.case_number}),
        }
    )
    async with DecisionUnitOfWork(pool, "decision") as uow:
        await flow.desk_stage_reports([done], uow, policy())
    return case


@pytest.fixture
async def browser(pool):
    """A client for each person: their own cookie jar, as two browsers."""
    settings = DecisionSettings(desk_day_token=None)
    app = web_app(pool, settings, TOOL_KEYS["console"], lambda: TODAY)
    server = TestServer(app, host="127.0.0.1")
    clients: list[TestClient] = []

    async def open_one() -> TestClient:
        client = TestClient(server)
        await client.start_server()
        clients.append(client)
        return client

    yield open_one
    for client in clients:
        await client.close()


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def claim_of(page: str) -> str:
    return re.search(r'name="claim_id" value="([^"]+)"', page).group(1)


async def signed_in(open_browser, staff_id: str):
    client = await open_browser()
    form = await client.get("/console/sign-in")
    response = await client.post(
        "/console/sign-in",
        data={"csrf": csrf_of(await form.text()), "name": staff_id, "password": PASSWORDS[staff_id]},
        allow_redirects=False,
    )
    assert response.status == 303, await response.text()
    return client


async def post(client, path: str, page_path: str, **fields):
    page = await (await client.get(page_path)).text()
    return await client.post(path, data={"csrf": csrf_of(page), **fields}, allow_redirects=False)


async def test_pages_need_a_signed_in_person_and_carry_the_security_headers(browser):
    client = await browser()

    queue = await client.get("/console/queue", allow_redirects=False)
    sign_in = await client.get("/console/sign-in")

    assert (queue.status, queue.headers["Location"]) == (303, "/console/sign-in")
    csp = sign_in.headers["Content-Security-Policy"]
    assert "script-src" not in csp and "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert (sign_in.headers["X-Frame-Options"], sign_in.headers["Cache-Control"]) == ("DENY", "no-store")
    cookie = sign_in.cookies["ind_console"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/console"


async def test_a_form_without_its_csrf_token_is_refused(pool, browser):
    case = await waiting_case(pool)
    anna = await signed_in(browser, "anna")

    forged = await anna.post(f"/console/cases/{case.data.case_id}/claim", data={}, allow_redirects=False)
    wrong = await anna.post(f"/console/cases/{case.data.case_id}/claim", data={"csrf": "x" * 43}, allow_redirects=False)

    assert (forged.status, wrong.status) == (403, 403)
    assert "did not come from this console" in await forged.text()
    assert await pool.fetchval("select claimed_by from decision.cases where case_id = $1", case.data.case_id) is None


async def test_wrong_passwords_lock_the_name_for_a_while_whether_or_not_it_exists(browser):
    answers = {}
    for name in ("anna", "nobody-by-this-name"):
        client = await browser()
        for _ in range(SIGN_IN.per_subject):
            page = await (await client.get("/console/sign-in")).text()
            wrong = await client.post("/console/sign-in", data={"csrf": csrf_of(page), "name": name, "password": "wrong guess"})
            assert wrong.status == 401
        page = await (await client.get("/console/sign-in")).text()
        right = await client.post(
            "/console/sign-in",
            data={"csrf": csrf_of(page), "name": name, "password": PASSWORDS.get(name, "x")},
            allow_redirects=False,
        )
        answers[name] = (right.status, "locked for 15 minutes" in await right.text())

    assert answers == {"anna": (429, True), "nobody-by-this-name": (429, True)}


async def test_one_person_works_a_case_and_another_cannot_claim_or_decide_it(pool, browser):
    case = await waiting_case(pool)
    page = f"/console/cases/{case.data.case_id}"
    anna, bram = await signed_in(browser, "anna"), await signed_in(browser, "bram")

    assert (await post(anna, f"{page}/claim", page)).status == 303
    second = await post(bram, f"{page}/claim", page)
    bram_sees = await (await bram.get(page)).text()
    forged = await post(
        bram, f"{page}/decide", page, action="grant", reason="Looks fine.", claim_id=claim_of(await (await anna.get(page)).text())
    )

    assert second.status == 409
    assert "anna</strong> works this case" in bram_sees and "Send decision" not in bram_sees
    assert forged.status == 409 and "Not sent" in await forged.text()
    assert await pool.fetchval("select count(*) from runtime.outbox where topic = $1", DECISION_COMMANDS.name) == 0


async def test_a_decision_from_a_tab_opened_before_a_release_is_refused(pool, browser):
    case = await waiting_case(pool)
    page = f"/console/cases/{case.data.case_id}"
    anna = await signed_in(browser, "anna")
    await post(anna, f"{page}/claim", page)
    old_tab = await (await anna.get(page)).text()
    await post(anna, f"{page}/release", page, claim_id=claim_of(old_tab))
    await post(anna, f"{page}/claim", page)  # claimed again, in another tab

    stale = await anna.post(
        f"{page}/decide",
        data={"csrf": csrf_of(old_tab), "action": "grant", "reason": "Fine.", "claim_id": claim_of(old_tab)},
        allow_redirects=False,
    )

    assert stale.status == 409 and "after you opened this page" in await stale.text()
    assert await pool.fetchval("select count(*) from runtime.outbox where topic = $1", DECISION_COMMANDS.name) == 0


async def test_a_decision_is_sent_signed_as_the_person_and_the_page_shows_the_services_answer(pool, browser):
    case = await waiting_case(pool)
    page = f"/console/cases/{case.data.case_id}"
    anna = await signed_in(browser, "anna")
    await post(anna, f"{page}/claim", page)
    missing = await post(
        anna, f"{page}/decide", page, action="grant", reason="  ", claim_id=claim_of(await (await anna.get(page)).text())
    )
    assert missing.status == 400 and 'id="reason-error"' in await missing.text()

    sent = await post(
        anna,
        f"{page}/decide",
        page,
        action="grant",
        reason="Every condition is met.",
        claim_id=claim_of(await (await anna.get(page)).text()),
    )
    assert sent.status == 303
    on_its_way = await (await anna.get(sent.headers["Location"])).text()
    assert "on its way" in on_its_way and 'http-equiv="refresh"' in on_its_way

    row = await pool.fetchrow("select key, value from runtime.outbox where topic = $1", DECISION_COMMANDS.name)
    command = DecisionRequested.model_validate_json(row["value"])
    assert (command.data.caseworker_id, command.toolid, row["key"]) == ("anna", "console", str(case.data.case_id).encode())
    record = ConsumedRecord(DECISION_COMMANDS.name, partition=0, offset=next(_offsets), key=row["key"], value=row["value"])
    async with DecisionUnitOfWork(pool, "decision") as uow:
        await commands.screened_commands([(record, command)], uow, policy())

    answered = await (await anna.get(sent.headers["Location"])).text()
    assert "Carried out: grant" in answered and "document in production" in answered
    assert await pool.fetchval("select claimed_by from decision.cases where case_id = $1", case.data.case_id) is None


async def test_a_desk_officer_cannot_open_the_queue_or_decide(pool, browser):
    case = await waiting_case(pool)
    dirk = await signed_in(browser, "dirk")
    home = await dirk.get("/console/", allow_redirects=False)

    queue = await dirk.get("/console/queue")
    page = await (await dirk.get("/console/desk")).text()
    decide = await dirk.post(
        f"/console/cases/{case.data.case_id}/decide",
        data={"csrf": csrf_of(page), "action": "grant", "reason": "x", "claim_id": str(uuid4())},
    )

    assert home.headers["Location"] == "/console/desk"
    assert (queue.status, decide.status) == (403, 403)


async def test_a_password_reset_ends_the_persons_open_sessions(pool, browser):
    anna = await signed_in(browser, "anna")
    assert (await anna.get("/console/queue", allow_redirects=False)).status == 200
    async with pool.acquire() as connection:
        await StaffDirectory(connection).reset_password("anna", "a brand new long password")

    assert (await anna.get("/console/queue", allow_redirects=False)).status == 303


async def test_the_queue_filters_by_who_holds_a_case_and_pages_by_deadline(pool, browser):
    cases = [await waiting_case(pool) for _ in range(3)]
    sara = await signed_in(browser, "sara")
    first = f"/console/cases/{cases[0].data.case_id}"
    await post(sara, f"{first}/claim", first)

    mine = await (await sara.get("/console/queue?view=mine")).text()
    unassigned = await (await sara.get("/console/queue?view=unassigned")).text()
    bad = await sara.get("/console/queue?type=sailor")

    assert cases[0].data.case_number in mine and cases[1].data.case_number not in mine
    assert cases[0].data.case_number not in unassigned and cases[1].data.case_number in unassigned
    assert bad.status == 400 and "type" in await bad.text()
    reassigned = await post(sara, f"{first}/reassign", first, to="bram")
    assert reassigned.status == 303
    assert await pool.fetchval("select claimed_by from decision.cases where case_id = $1", cases[0].data.case_id) == "bram"
    audit = await pool.fetch(
        "select action, caseworker_id from decision.audit_trail where case_id = $1 order by id", cases[0].data.case_id
    )
    assert [(a["action"], a["caseworker_id"]) for a in audit] == [("claim", "sara"), ("reassign", "sara")]


async def test_the_case_page_shows_who_applied_with_only_the_end_of_the_passport_number(pool, browser):
    case = await waiting_case(pool)
    anna = await signed_in(browser, "anna")

    page = await (await anna.get(f"/console/cases/{case.data.case_id}")).text()

    applicant = REGISTERED.data.applicant
    assert f"{applicant.given_names} {applicant.surname}" in page
    assert f"•••••{applicant.passport_ending}" in page and len(applicant.passport_ending) == 3


async def test_a_form_that_cannot_be_read_or_a_name_with_a_nul_gets_a_page_not_a_500(browser):
    client = await browser()
    page = await (await client.get("/console/sign-in")).text()

    unreadable = await client.post("/console/sign-in", data=b"x", headers={"Content-Type": "multipart/form-data"})
    nul = await client.post("/console/sign-in", data={"csrf": csrf_of(page), "name": "anna\x00", "password": "whatever it is"})

    assert (unreadable.status, nul.status) == (400, 401)
    assert unreadable.headers["X-Frame-Options"] == "DENY"


async def test_signing_out_ends_the_sessions_everywhere(browser):
    anna = await signed_in(browser, "anna")
    copy = await signed_in(browser, "anna")  # the same person in another browser
    page = await (await anna.get("/console/queue")).text()

    await anna.post("/console/sign-out", data={"csrf": csrf_of(page)})

    assert (await copy.get("/console/queue", allow_redirects=False)).status == 303


async def test_the_page_waits_for_an_answer_for_two_minutes_then_says_there_is_none_yet(pool, browser):
    case = await waiting_case(pool)
    anna = await signed_in(browser, "anna")
    page = f"/console/cases/{case.data.case_id}"
    waiting_since = int(time.time())

    fresh = await (await anna.get(f"{page}?sent={uuid4()}&at={waiting_since}")).text()
    stale = await (await anna.get(f"{page}?sent={uuid4()}&at={waiting_since - 121}")).text()
    made_up = await (await anna.get(f"{page}?sent=not-a-command")).text()

    assert 'http-equiv="refresh"' in fresh and "on its way" in fresh
    assert 'http-equiv="refresh"' not in stale and "has not answered yet" in stale
    assert 'http-equiv="refresh"' not in made_up and 'id="outcome"' not in made_up
