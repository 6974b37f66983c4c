"""``make console``: the console on the demo's cases, for people to try.

    python -m harness.console [--screenshots docs/screenshots]

Starts every service on the demo's database (``make demo`` fills it; this keeps it as it is),
makes sure the demo's staff exist, gives each a new password, printed once here and stored only as
an argon2 hash, and prints where to sign in. Runs until Ctrl-C.

With ``--screenshots DIR`` it signs in itself in Debian's headless Chromium instead, takes a picture
of the queue, a case and the desk's day, and of the applicants' portal, and stops.
"""

import argparse
import asyncio
import contextlib
import secrets
import signal
from pathlib import Path

import asyncpg
from rich.console import Console
from rich.table import Table

from harness.console_cases import DESK
from harness.demo import DEMO_DATABASE, PORTAL, demo_services
from schemas.codes import LocationCode
from services.decision.caseworkers import Role
from services.decision.settings import DecisionSettings
from services.decision.staff import StaffDirectory, StaffMember

STAFF = [
    StaffMember("anna", "Anna de Vries", Role.CASEWORKER, None, 1, False),
    StaffMember("bram", "Bram Jansen", Role.CASEWORKER, None, 1, False),
    StaffMember("sara", "Sara El Amrani", Role.SENIOR_CASEWORKER, None, 1, False),
    StaffMember("dirk", "Dirk Bakker", Role.DESK_OFFICER, DESK, 1, False),
]
CHROMIUM = "/usr/bin/chromium"
console = Console()


async def with_new_passwords() -> tuple[dict[str, str], str | None]:
    """Each demo person's new password, and the first day with appointments at the demo desk."""
    connection = await asyncpg.connect(DEMO_DATABASE)
    try:
        directory, passwords = StaffDirectory(connection), {}
        for member in STAFF:
            passwords[member.staff_id] = secrets.token_urlsafe(12)
            if not await directory.reset_password(member.staff_id, passwords[member.staff_id]):
                await directory.add(member, passwords[member.staff_id])
        first_day = await connection.fetchval(
            "select min(day) from decision.appointments where location = $1 and day >= current_date", DESK.value
        )
        return passwords, first_day.isoformat() if first_day else None
    finally:
        await connection.close()


def show(base: str, passwords: dict[str, str], desk_day: str | None) -> None:
    table = Table("user name", "password (shown once)", "role")
    for member in STAFF:
        where = f" at {member.location.value}" if isinstance(member.location, LocationCode) else ""
        table.add_row(member.staff_id, passwords[member.staff_id], member.role.value.replace("_", " ") + where)
    console.print(f"The console: [bold]{base}/[/bold] (sign in with one of these):")
    console.print(table)
    if desk_day:
        console.print(f"Dirk's desk has appointments on {desk_day}: {base}/desk?date={desk_day}")
    console.print(f"The applicants' portal: [bold]{PORTAL}/en/[/bold] (or /nl/): follow a case, book, move or cancel.")
    console.print("Stop with Ctrl-C.")


async def screenshots(base: str, passwords: dict[str, str], desk_day: str | None, folder: Path) -> None:
    from playwright.async_api import async_playwright  # a test dependency: only this mode needs it

    folder.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for who in ("anna", "dirk"):
            page = await browser.new_page(viewport={"width": 1280, "height": 800})
            await page.goto(f"{base}/sign-in")
            await page.get_by_label("User name").fill(who)
            await page.get_by_label("Password").fill(passwords[who])
            await page.get_by_role("button", name="Sign in").click()
            await page.wait_for_load_state()
            if who == "anna":
                await page.goto(f"{base}/queue")
                await page.screenshot(path=folder / "console-queue.png", full_page=True)
                await page.locator("table.queue a").first.click()
                if await page.get_by_role("button", name="Claim this case").count():
                    await page.get_by_role("button", name="Claim this case").click()
                await page.screenshot(path=folder / "console-case.png", full_page=True)
            else:
                await page.goto(f"{base}/desk" + (f"?date={desk_day}" if desk_day else ""))
                await page.screenshot(path=folder / "console-desk-day.png", full_page=True)
        await portal_screenshots(browser, folder)
        await browser.close()
    console.print(f"Screenshots in {folder}.")


async def portal_screenshots(browser, folder: Path) -> None:
    """The portal: a demo case followed in Dutch, and the free times of a booking."""
    connection = await asyncpg.connect(DEMO_DATABASE)
    try:
        case = await connection.fetchrow(
            """select case_number, date_of_birth from decision.cases c
               where exists (select from decision.appointments a where a.case_id = c.case_id and a.day >= current_date)
               order by case_number limit 1"""
        )
    finally:
        await connection.close()
    page = await browser.new_page(viewport={"width": 1280, "height": 800})
    if case is not None:
        await page.goto(f"{PORTAL}/nl/case")
        await page.get_by_label("Zaaknummer").fill(case["case_number"])
        await page.get_by_label("Geboortedatum").fill(case["date_of_birth"].isoformat())
        await page.get_by_role("button", name="Toon mijn zaak").click()
        await page.screenshot(path=folder / "portal-follow-nl.png", full_page=True)
    await page.goto(f"{PORTAL}/en/book/desks?product=BIO&persons=1")
    await page.screenshot(path=folder / "portal-book-desks.png", full_page=True)
    await page.goto(f"{PORTAL}/en/book/slots?product=INF&persons=2&desk=AM")
    await page.screenshot(path=folder / "portal-book-slots.png", full_page=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--screenshots", type=Path, help="take the console's screenshots into this folder, then stop")
    args = parser.parse_args()
    base = f"http://127.0.0.1:{DecisionSettings().web_port}/console"
    with demo_services("starting the services on the demo's cases"):
        passwords, desk_day = asyncio.run(with_new_passwords())
        if args.screenshots:
            asyncio.run(screenshots(base, passwords, desk_day, args.screenshots))
            return 0
        show(base, passwords, desk_day)
        signal.signal(signal.SIGTERM, signal.default_int_handler)  # stopped like Ctrl-C
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
