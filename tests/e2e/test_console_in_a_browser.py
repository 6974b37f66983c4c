"""The console in a real browser (Debian's headless Chromium, driven by Playwright, which downloads
nothing here), against the whole running pipeline: every click below reaches the services only as
the events they already read, and what the pages show comes back from them.

Each person signs in in a browser context of their own, as two people at two desks would."""

import os
import re
from uuid import UUID

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from harness.applications import encode, submission
from schemas.codes import ApplicationType, LocationCode
from schemas.topics import SUBMISSIONS
from services.decision.caseworkers import Role
from services.decision.staff import StaffDirectory, StaffMember
from tests.conftest import eventually

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PASSWORD = "a console password for the browser tests"
LOCATION = LocationCode.ZWOLLE
SLOW = 60_000  # ms: what the pipeline may take to carry out a click (a desk report, a decision)


@pytest.fixture(scope="module")
async def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"no Chromium at {CHROMIUM}: `make test` needs Debian's chromium package (.ci/run installs it)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        await browser.close()


@pytest.fixture(scope="module")
async def console(pipeline, web_ports, pool) -> str:
    async with pool.acquire() as connection:
        directory = StaffDirectory(connection)
        for staff_id, role, location in (
            ("anna", Role.CASEWORKER, None),
            ("bram", Role.CASEWORKER, None),
            ("dirk", Role.DESK_OFFICER, LOCATION),
            ("lock-me", Role.CASEWORKER, None),
        ):
            if await directory.get(staff_id) is None:
                await directory.add(StaffMember(staff_id, staff_id.title(), role, location, 1, False), PASSWORD)
    return f"http://127.0.0.1:{web_ports['decision']}/console"


async def signed_in(browser: Browser, console: str, staff_id: str) -> Page:
    page = await (await browser.new_context()).new_page()
    await page.goto(f"{console}/sign-in")
    await page.get_by_label("User name").fill(staff_id)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


async def submitted(producer, pool, application_type=ApplicationType.FAMILY) -> dict:
    document = submission(application_type, LOCATION)
    await producer.send_and_wait(SUBMISSIONS.name, encode(document), key=document["id"].encode())

    async def registered():
        return await pool.fetchrow(
            """select d.case_id, d.case_number, d.status, i.submission_id from intake.cases i
               join decision.cases d using (case_id) where i.submission_id = $1""",
            document["id"],
        )

    return dict(await eventually(registered, timeout=60, message="the case to be registered"))


async def status_of(pool, case_id: UUID) -> str:
    return await pool.fetchval("select status from decision.cases where case_id = $1", case_id)


async def captured_at_the_desk(browser, console, pool, case) -> None:
    """Dirk marks the case's biometrics captured on the day of its appointment."""
    appointment = await eventually(
        lambda: pool.fetchrow(
            "select day, location from decision.appointments where case_id = $1 and product = 'BIO'", case["case_id"]
        ),
        timeout=60,
        message="the biometrics appointment",
    )
    assert appointment["location"] == LOCATION.value
    dirk = await signed_in(browser, console, "dirk")
    await dirk.goto(f"{console}/desk?date={appointment['day'].isoformat()}")
    row = dirk.get_by_role("row").filter(has_text=case["case_number"])
    await row.get_by_label("Biometrics captured").check()
    await row.get_by_role("button", name="Report").click()
    await expect(dirk.get_by_text("Reported.")).to_be_visible()
    await eventually(lambda: _is(pool, case["case_id"], "awaiting_decision"), timeout=60, message="the case to move on")
    await dirk.reload()
    await expect(dirk.get_by_role("row").filter(has_text=case["case_number"])).to_contain_text("attended")
    await dirk.context.close()


async def _is(pool, case_id, status) -> bool:
    return await status_of(pool, case_id) == status


async def decide(page: Page, console: str, case, action_label: str, reason: str) -> None:
    await page.goto(f"{console}/cases/{case['case_id']}")
    await page.get_by_label(action_label).check()
    await page.get_by_label(re.compile("^Reason")).fill(reason)
    await page.get_by_role("button", name="Send decision").click()
    await expect(page.locator("#outcome")).to_contain_text("Carried out", timeout=SLOW)


async def claim(page: Page, console: str, case) -> None:
    await page.goto(f"{console}/cases/{case['case_id']}")
    await page.get_by_role("button", name="Claim this case").click()
    await expect(page.get_by_text("You work this case")).to_be_visible()


async def test_a_desk_officer_marks_a_capture_and_a_caseworker_claims_and_grants(browser, console, producer, pool, smtp_server):
    case = await submitted(producer, pool)
    await captured_at_the_desk(browser, console, pool, case)
    anna = await signed_in(browser, console, "anna")

    await anna.goto(f"{console}/queue?view=unassigned")
    await anna.get_by_role("link", name=case["case_number"]).click()
    await anna.get_by_role("button", name="Claim this case").click()
    await decide(anna, console, case, "Grant", "Every condition for the permit is met.")

    await expect(anna.locator(".history")).to_contain_text("Application granted: Every condition for the permit is met.")

    async def grant_email():
        return [
            m
            for m in smtp_server.messages
            if m["X-IND-Case-Number"] == case["case_number"] and m["X-IND-Email-Kind"] == "decision_granted"
        ]

    assert await eventually(grant_email, timeout=60, message="the grant email")
    await anna.screenshot(path=_shot("case"), full_page=True)
    await handed_out_at_the_desk(browser, console, pool, case)


async def handed_out_at_the_desk(browser, console, pool, case) -> None:
    """Dirk hands out the residence document: a wrong number is refused next to its field, the
    right one closes the case."""
    pickup = await eventually(
        lambda: pool.fetchrow(
            """select a.day, c.document_number from decision.appointments a join biometrics.cases c using (case_id)
               where a.case_id = $1 and a.product = 'DOC' and c.document_number is not null""",
            case["case_id"],
        ),
        timeout=60,
        message="the pickup appointment",
    )
    dirk = await signed_in(browser, console, "dirk")
    await dirk.goto(f"{console}/desk?date={pickup['day'].isoformat()}")
    row = dirk.get_by_role("row").filter(has_text=case["case_number"]).filter(has_text="DOC")
    await row.get_by_label("Document handed out").check()
    await row.get_by_label("Document number on the card").fill("XX0000000")
    await row.get_by_role("button", name="Report").click()
    row = dirk.get_by_role("row").filter(has_text=case["case_number"]).filter(has_text="DOC")
    await expect(row.get_by_role("alert")).to_contain_text("not the number of this applicant's residence document")
    await expect(row.get_by_label("Document number on the card")).to_have_attribute("aria-invalid", "true")

    await row.get_by_label("Document handed out").check()
    await row.get_by_label("Document number on the card").fill(pickup["document_number"])
    await row.get_by_role("button", name="Report").click()

    await expect(dirk.get_by_text("Reported.")).to_be_visible()
    await eventually(lambda: _is(pool, case["case_id"], "closed"), timeout=60, message="the case to close")
    await dirk.context.close()


async def test_a_refusal_takes_two_people(browser, console, producer, pool):
    case = await submitted(producer, pool, ApplicationType.MVV)  # no desk visit: straight to a caseworker
    await eventually(lambda: _is(pool, case["case_id"], "awaiting_decision"), timeout=60, message="the case to wait")
    anna, bram = await signed_in(browser, console, "anna"), await signed_in(browser, console, "bram")

    await claim(anna, console, case)
    await decide(anna, console, case, "Propose a refusal (a colleague confirms it)", "The sponsor's income is too low.")
    await claim(anna, console, case)
    await anna.get_by_label("Confirm the proposed refusal").check()
    await anna.get_by_label(re.compile("^Reason")).fill("Confirming my own proposal.")
    await anna.get_by_role("button", name="Send decision").click()
    await expect(anna.locator("#outcome")).to_contain_text("same caseworker", timeout=SLOW)
    await anna.get_by_role("button", name="Release to the queue").click()

    await claim(bram, console, case)
    await decide(bram, console, case, "Confirm the proposed refusal", "The income requirement is not met.")

    assert await status_of(pool, case["case_id"]) == "closed"
    decided_by = await pool.fetchval(
        "select set_by from decision.status_history where case_id = $1 and status = 'closed'", case["case_id"]
    )
    assert decided_by == "bram"


async def test_a_case_claimed_in_another_browser_cannot_be_taken_or_decided_from_a_stale_page(browser, console, producer, pool):
    case = await submitted(producer, pool, ApplicationType.MVV)
    await eventually(lambda: _is(pool, case["case_id"], "awaiting_decision"), timeout=60, message="the case to wait")
    anna, bram = await signed_in(browser, console, "anna"), await signed_in(browser, console, "bram")
    await bram.goto(f"{console}/cases/{case['case_id']}")  # bram's page still offers the claim

    await claim(anna, console, case)
    stale_tab = await anna.context.new_page()
    await stale_tab.goto(f"{console}/cases/{case['case_id']}")
    await bram.get_by_role("button", name="Claim this case").click()
    await expect(bram.get_by_role("alert")).to_contain_text("Someone else took this case first")

    await anna.get_by_role("button", name="Release to the queue").click()
    await claim(bram, console, case)
    await stale_tab.get_by_label("Grant").check()
    await stale_tab.get_by_label(re.compile("^Reason")).fill("Granting from an old tab.")
    await stale_tab.get_by_role("button", name="Send decision").click()

    await expect(stale_tab.get_by_role("alert")).to_contain_text("Not sent")
    assert await status_of(pool, case["case_id"]) == "awaiting_decision"
    await bram.goto(f"{console}/queue")
    await bram.screenshot(path=_shot("queue"), full_page=True)


async def test_a_form_without_its_csrf_token_is_refused(browser, console, producer, pool):
    case = await submitted(producer, pool, ApplicationType.MVV)
    await eventually(lambda: _is(pool, case["case_id"], "awaiting_decision"), timeout=60, message="the case to wait")
    anna = await signed_in(browser, console, "anna")
    await anna.goto(f"{console}/cases/{case['case_id']}")

    await anna.locator("form[action$='/claim'] input[name=csrf]").evaluate("input => input.remove()")
    await anna.get_by_role("button", name="Claim this case").click()

    await expect(anna.get_by_role("alert")).to_contain_text("did not come from this console")
    assert await pool.fetchval("select claimed_by from decision.cases where case_id = $1", case["case_id"]) is None


async def test_signing_in_takes_only_the_keyboard(browser, console):
    page = await (await browser.new_context()).new_page()
    await page.goto(f"{console}/sign-in")

    await expect(page.get_by_label("User name")).to_be_focused()  # it has the focus when the page opens
    await page.keyboard.type("bram")
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")

    await expect(page.get_by_role("heading", name="Cases waiting for a caseworker")).to_be_visible()
    await page.keyboard.press("Tab")  # the first stop is the skip link, which leads to the content
    await expect(page.get_by_role("link", name="Skip to content")).to_be_focused()


async def test_wrong_passwords_lock_the_account_for_a_while(browser, console):
    page = await (await browser.new_context()).new_page()
    for _ in range(5):
        await page.goto(f"{console}/sign-in")
        await page.get_by_label("User name").fill("lock-me")
        await page.get_by_label("Password").fill("not the password")
        await page.get_by_role("button", name="Sign in").click()
        await expect(page.get_by_role("alert")).to_contain_text("not right")

    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()

    await expect(page.get_by_role("alert")).to_contain_text("locked for 15 minutes")
    await expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")


async def test_the_desk_day_lists_a_new_appointment_at_its_time(browser, console, producer, pool):
    case = await submitted(producer, pool)
    appointment = await eventually(
        lambda: pool.fetchrow("select day from decision.appointments where case_id = $1", case["case_id"]), timeout=60
    )
    dirk = await signed_in(browser, console, "dirk")
    await dirk.goto(f"{console}/desk?date={appointment['day'].isoformat()}")
    await expect(dirk.get_by_role("row").filter(has_text=case["case_number"])).to_be_visible()
    await dirk.screenshot(path=_shot("desk-day"), full_page=True)


def _shot(name: str) -> str:
    """Where a page's screenshot goes: ``SCREENSHOTS`` (docs/screenshots when `make screenshots`
    runs them), else the test run's temporary folder."""
    folder = os.environ.get("SCREENSHOTS") or os.path.join(os.environ.get("TMPDIR", "/tmp"), "console-screenshots")
    os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, f"console-{name}.png")
