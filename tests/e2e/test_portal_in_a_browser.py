"""The applicants' portal in a real browser (Debian's headless Chromium, driven by Playwright),
against the whole running pipeline: an applicant follows their case in Dutch, books an information
appointment without a case, moves the biometrics appointment the service booked for them (and the
desk's day, the case's history and the emails follow), cancels from the link in the email, and is
emailed when someone else's cancellation frees an earlier time."""

import asyncio
import os
import re
from datetime import date, timedelta

import pytest
from playwright.async_api import Page, expect

from harness.applications import encode, submission
from schemas.codes import ApplicationType, Language, LocationCode
from schemas.topics import SUBMISSIONS
from tests.conftest import eventually
from tests.e2e.test_console_in_a_browser import browser, console, signed_in  # noqa: F401 - fixtures shared with the console's tests

LOCATION = LocationCode.ZWOLLE


@pytest.fixture(scope="module")
def portal(pipeline, portal_port) -> str:
    return f"http://127.0.0.1:{portal_port}"


async def new_page(browser) -> Page:  # noqa: F811 - the shared fixture's browser
    return await (await browser.new_context()).new_page()


async def applied(producer, pool, kind=ApplicationType.FAMILY, language=Language.DUTCH) -> dict:
    document = submission(kind, LOCATION, language=language)
    await producer.send_and_wait(SUBMISSIONS.name, encode(document), key=document["id"].encode())

    async def registered():
        return await pool.fetchrow(
            "select d.case_id, d.case_number from intake.cases i join decision.cases d using (case_id) where i.submission_id = $1",
            document["id"],
        )

    case = dict(await eventually(registered, timeout=60, message="the case to be registered"))
    return {**case, "born": document["data"]["applicant"]["date_of_birth"], "email": document["data"]["applicant"]["email"]}


async def emails(smtp_server, to: str, kind: str) -> list:
    """The emails of ``kind`` that reached ``to`` so far (a check for ``eventually``)."""
    return [m for m in smtp_server.messages if m["To"] == to and m["X-IND-Email-Kind"] == kind]


async def follow(page: Page, portal: str, case: dict, language: str = "nl") -> None:
    await page.goto(f"{portal}/{language}/case")
    await page.get_by_label("Zaaknummer" if language == "nl" else "Case number").fill(case["case_number"])
    await page.get_by_label("Geboortedatum" if language == "nl" else "Date of birth").fill(case["born"])
    await page.get_by_role("button", name="Toon mijn zaak" if language == "nl" else "Show my case").click()


async def test_an_applicant_follows_their_case_in_dutch(browser, portal, producer, pool):  # noqa: F811
    case = await applied(producer, pool)
    page = await new_page(browser)

    await follow(page, portal, case)

    await expect(page.get_by_role("heading", name=case["case_number"])).to_be_visible()
    await expect(page.locator(".history")).to_contain_text("Aanvraag ontvangen op")
    await expect(page.locator("html")).to_have_attribute("lang", "nl")
    await page.screenshot(path=_shot("follow-nl"), full_page=True)


async def book_information(page: Page, portal: str, email: str) -> str:
    """Book an information appointment at Zwolle, the earliest time there; its booking code."""
    await page.goto(f"{portal}/en/book")
    await page.get_by_label("An information appointment").check()
    await page.get_by_role("button", name="Next").click()
    await page.get_by_role("link", name=re.compile("Zwolle")).click()
    await page.locator(".slots button").first.click()
    await page.get_by_label("First name").fill("Ana")
    await page.get_by_label("Last name").fill("Silva")
    await page.get_by_label("Email address").fill(email)
    await page.get_by_label("Phone number").fill("+31 6 1234 5678")
    await page.get_by_role("button", name="Book this appointment").click()
    await expect(page.get_by_role("heading", name="Your appointment is booked")).to_be_visible()
    return await page.locator("#booking-code").inner_text()


async def test_an_information_appointment_is_booked_without_a_case_and_cancelled_from_the_emails_link(
    browser,  # noqa: F811
    portal,
    smtp_server,
    pool,
):
    page = await new_page(browser)
    code = await book_information(page, portal, "ana.silva.inf@example.org")
    await page.screenshot(path=_shot("booked"), full_page=True)

    confirmation = await eventually(
        lambda: emails(smtp_server, "ana.silva.inf@example.org", "appointment_confirmed"), timeout=60, message="the confirmation"
    )
    body = confirmation[0].get_body(("plain",)).get_content()
    link = re.search(r"(http://127\.0\.0\.1:\d+/en/manage#token=\S+)", body).group(1)
    assert code in body and any(part.get_content_type() == "text/calendar" for part in confirmation[0].iter_attachments())

    await page.goto(link)
    await expect(page.get_by_text(code)).to_be_visible()
    assert "#token" not in page.url  # the script took it out of the address bar
    await page.get_by_role("button", name="Cancel this appointment").click()
    await expect(page.locator("#done")).to_contain_text("cancelled")

    cancelled = await eventually(
        lambda: emails(smtp_server, "ana.silva.inf@example.org", "appointment_cancelled"), timeout=60, message="the cancellation"
    )
    calendar = next(part for part in cancelled[0].iter_attachments() if part.get_content_type() == "text/calendar")
    assert b"METHOD:CANCEL" in calendar.get_payload(decode=True)


async def test_moving_the_biometrics_appointment_the_service_booked_moves_it_everywhere(
    browser,  # noqa: F811
    console,  # noqa: F811
    portal,
    producer,
    pool,
    smtp_server,
):
    case = await applied(producer, pool, language=Language.ENGLISH)
    booked = await eventually(
        lambda: pool.fetchrow(
            "select appointment_id, day, start_time from decision.appointments where case_id = $1 and product = 'BIO'",
            case["case_id"],
        ),
        timeout=60,
        message="the biometrics appointment",
    )
    page = await new_page(browser)
    await follow(page, portal, case, "en")
    await page.get_by_role("button", name=re.compile("Move: Biometrics")).click()
    later = page.locator(".slots button").nth(5)
    chosen = await later.get_attribute("aria-label")
    await later.click()
    await expect(page.locator("#done")).to_contain_text("moved")

    moved = await eventually(
        lambda: pool.fetchrow(
            "select day, start_time from decision.appointments where appointment_id = $1 and (day, start_time) <> ($2, $3)",
            booked["appointment_id"],
            booked["day"],
            booked["start_time"],
        ),
        timeout=60,
        message="decision to keep the moved appointment",
    )
    assert f"{moved['day']:%d-%m-%Y} {moved['start_time']:%H:%M}" in chosen
    history = await pool.fetchval(
        "select explanation from decision.status_history where case_id = $1 order by id desc limit 1", case["case_id"]
    )
    assert history.startswith(f"BIO appointment moved to {moved['day']:%d-%m-%Y}")
    assert await eventually(lambda: emails(smtp_server, case["email"], "appointment_rescheduled"), timeout=60)

    dirk = await signed_in(browser, console, "dirk")
    await dirk.goto(f"{console}/desk?date={moved['day'].isoformat()}")
    row = dirk.get_by_role("row").filter(has_text=case["case_number"])
    await expect(row).to_contain_text(f"{moved['start_time']:%H:%M}")
    await dirk.goto(f"{console}/desk?date={booked['day'].isoformat()}")
    if booked["day"] != moved["day"]:
        await expect(dirk.get_by_role("row").filter(has_text=case["case_number"])).to_have_count(0)


def _shot(name: str) -> str:
    folder = os.environ.get("SCREENSHOTS") or os.path.join(os.environ.get("TMPDIR", "/tmp"), "portal-screenshots")
    os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, f"portal-{name}.png")


async def test_an_alert_emails_when_someone_else_cancels_an_earlier_time(browser, portal, smtp_server):  # noqa: F811
    """Zwolle has one information seat a day here: Ana takes the earliest day, Lena asks for a time
    before the day after it (none is free), and Ana cancels: Lena is emailed of the freed time."""
    ana = await new_page(browser)
    await book_information(ana, portal, "ana.alerts@example.org")
    day = (await ana.locator("dd").nth(3).inner_text()).split()[0]  # dd-mm-yyyy of the booked time
    booked_on = date(int(day[6:]), int(day[3:5]), int(day[:2]))

    lena = await new_page(browser)
    await lena.goto(f"{portal}/en/alerts?product=INF&persons=1&desk=ZW")
    await lena.get_by_label("Email address").fill("lena.vos@example.org")
    await lena.get_by_label("Before").fill((booked_on + timedelta(days=1)).isoformat())
    await lena.get_by_role("button", name="Email me").click()
    await expect(lena.locator("#done")).to_be_visible()
    await asyncio.sleep(3)  # three passes of the alert timer (ALERT_INTERVAL_S=1): nothing is free yet
    assert await emails(smtp_server, "lena.vos@example.org", "slot_available") == []

    confirmation = await eventually(lambda: emails(smtp_server, "ana.alerts@example.org", "appointment_confirmed"), timeout=60)
    link = re.search(r"(http://127\.0\.0\.1:\d+/en/manage#token=\S+)", confirmation[0].get_body(("plain",)).get_content()).group(
        1
    )
    await ana.goto(link)
    await ana.get_by_role("button", name="Cancel this appointment").click()
    await expect(ana.locator("#done")).to_contain_text("cancelled")

    alert = await eventually(
        lambda: emails(smtp_server, "lena.vos@example.org", "slot_available"), timeout=60, message="the alert"
    )
    body = alert[0].get_body(("plain",)).get_content()
    assert f"{booked_on:%d-%m-%Y}" in body and "/en/book/slots?product=INF" in body and "/en/alerts/stop#token=" in body
