"""Manage who may sign in to the console: ``python -m services.decision.cli staff --help``.

A password is typed at a hidden prompt, read from standard input (``--password-stdin``, for
scripts), or generated (``--generate``) and printed once. It is never an argument, so it never
lands in a shell history or a process list, and it is stored only as an argon2 hash.
"""

import asyncio
import secrets
import sys
from pathlib import Path

import asyncpg
import typer
from rich.console import Console
from rich.table import Table

from ind_runtime.db import migrate
from ind_runtime.settings import get_settings
from schemas.codes import LocationCode
from services.decision.caseworkers import DEFAULT_ROSTER, Role, load_roster
from services.decision.settings import DecisionSettings
from services.decision.staff import StaffDirectory, StaffMember

MIGRATIONS = Path(__file__).parent / "migrations"

staff_cli = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
console = Console()


def _password(password_stdin: bool, generate: bool) -> tuple[str, bool]:
    """The new password, and whether it was generated (and so must be shown once)."""
    if generate:
        return secrets.token_urlsafe(15), True
    if password_stdin:
        return sys.stdin.readline().rstrip("\n"), False
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True), False


async def _on_directory(action):
    """Run ``action`` on the staff directory, the decision service's tables first brought up to date
    (so that staff can be added before the service first starts)."""
    pool = await asyncpg.create_pool(get_settings().database_url, min_size=1, max_size=1)
    try:
        await migrate(pool, "decision", MIGRATIONS)
        async with pool.acquire() as connection:
            return await action(StaffDirectory(connection))
    finally:
        await pool.close()


def _fail(message: str) -> None:
    console.print(f"[red]{message}[/red]")
    raise typer.Exit(1)


@staff_cli.command()
def add(
    staff_id: str = typer.Argument(..., help="the id the person signs in with and acts under"),
    name: str = typer.Option(..., help="the name colleagues see"),
    role: Role = typer.Option(...),
    location: LocationCode | None = typer.Option(None, help="where a desk officer works (a location code)"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="read the password from standard input"),
    generate: bool = typer.Option(False, "--generate", help="generate a password and print it once"),
) -> None:
    """Add a person who may sign in."""
    settings = DecisionSettings()
    if staff_id in load_roster(settings.caseworker_roster or DEFAULT_ROSTER):
        _fail(f"{staff_id!r} is in the caseworker roster file already; choose another id")
    password, generated = _password(password_stdin, generate)
    member = StaffMember(staff_id, name, role, location, session_epoch=1, disabled=False)
    try:
        asyncio.run(_on_directory(lambda directory: directory.add(member, password)))
    except ValueError as error:
        _fail(str(error))
    console.print(f"Added {staff_id} ({role.value}).")
    if generated:
        console.print(f"Password (shown once): [bold]{password}[/bold]")


@staff_cli.command("reset-password")
def reset_password(
    staff_id: str,
    password_stdin: bool = typer.Option(False, "--password-stdin", help="read the password from standard input"),
    generate: bool = typer.Option(False, "--generate", help="generate a password and print it once"),
) -> None:
    """Give someone a new password (and unlock a disabled account); their open sessions end."""
    password, generated = _password(password_stdin, generate)
    try:
        found = asyncio.run(_on_directory(lambda directory: directory.reset_password(staff_id, password)))
    except ValueError as error:
        _fail(str(error))
    if not found:
        _fail(f"no one has the id {staff_id!r}")
    console.print(f"New password set for {staff_id}; their open sessions have ended.")
    if generated:
        console.print(f"Password (shown once): [bold]{password}[/bold]")


@staff_cli.command()
def disable(staff_id: str) -> None:
    """Stop someone from signing in; their open sessions end."""
    if not asyncio.run(_on_directory(lambda directory: directory.disable(staff_id))):
        _fail(f"no one has the id {staff_id!r}")
    console.print(f"{staff_id} can no longer sign in.")


@staff_cli.command("list")
def list_staff() -> None:
    """Everyone who may sign in, with role and location (never a password or its hash)."""
    table = Table("id", "name", "role", "location", "active")
    for member in asyncio.run(_on_directory(lambda directory: directory.everyone())):
        table.add_row(
            member.staff_id, member.display_name, member.role.value, member.location or "", "no" if member.disabled else "yes"
        )
    console.print(table)
