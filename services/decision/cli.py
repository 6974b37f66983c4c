"""Command-line look-ups against the decision service's database.

python -m services.decision.cli track IND-2026-0000042 --date-of-birth 1994-05-17
python -m services.decision.cli queue [--limit 20]
python -m services.decision.cli staff add anna --name "Anna de Vries" --role caseworker --generate
"""

import asyncio
import json
from datetime import datetime

import asyncpg
import typer
from rich.console import Console
from rich.table import Table

from ind_runtime.settings import get_settings
from services.decision.case_file import queue as caseworker_queue
from services.decision.case_file import track as track_case
from services.decision.staff_cli import staff_cli

cli = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
console = Console()
cli.add_typer(staff_cli, name="staff")


async def _with_connection(action):
    connection = await asyncpg.connect(get_settings().database_url)
    try:
        return await action(connection)
    finally:
        await connection.close()


@cli.command()
def track(
    case_number: str,
    date_of_birth: datetime = typer.Option(..., formats=["%Y-%m-%d"], help="YYYY-MM-DD"),
    as_json: bool = typer.Option(False, "--json", help="print JSON instead of a table"),
) -> None:
    """Show a case's status and history; nothing unless case number and birth date match."""
    found = asyncio.run(_with_connection(lambda c: track_case(c, case_number, date_of_birth.date())))
    if found is None:
        console.print("No case matches this case number and date of birth.")
        raise typer.Exit(1)
    if as_json:
        print(json.dumps(found, indent=2))
        return
    console.print(f"{found['case_number']}: {found['status']} (decision due by {found['decision_deadline']})")
    table = Table("when", "status", "by", "explanation")
    for entry in found["history"]:
        table.add_row(entry["at"][:19].replace("T", " "), entry["status"], entry["set_by"], entry["explanation"])
    console.print(table)


@cli.command()
def queue(limit: int = typer.Option(20, help="how many cases")) -> None:
    """The caseworker queue: cases waiting for a decision, nearest deadline first."""
    rows = asyncio.run(_with_connection(lambda c: caseworker_queue(c, limit)))
    table = Table("deadline", "case", "type", "recommendation", "findings")
    for r in rows:
        findings = ", ".join(f["code"] for f in json.loads(r["findings"]))
        table.add_row(r["deadline"].isoformat(), r["case_number"], r["application_type"], r["recommendation"] or "", findings)
    console.print(table)


if __name__ == "__main__":
    cli()
