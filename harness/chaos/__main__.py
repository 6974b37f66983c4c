"""``make chaos``: every fault scenario on infrastructure of its own, judged by the consistency checker.

    python -m harness.chaos [--scenario NAME ...] [--applications N] [--short]

Prints, per scenario, applications sent, cases completed, lost, duplicated, dead-lettered and the
time to recover; writes the figures to .state/chaos/results.json; exits 1 if anything was lost or
duplicated, or a scenario did not recover in time.
"""

import argparse
import asyncio
import sys

from rich.console import Console
from rich.table import Table

from harness.chaos.faults import SHORT, Timing
from harness.chaos.runner import ALL_SCENARIOS, LOGS, Outcome, as_json, run_all

console = Console()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", action="append", choices=ALL_SCENARIOS, help="run only these (repeatable)")
    parser.add_argument("--applications", type=int, default=None, help="applications per scenario")
    parser.add_argument("--short", action="store_true", help="short outages and few applications")
    parser.add_argument("--timeout", type=float, default=420.0, help="seconds a scenario may take to finish")
    args = parser.parse_args()

    names = args.scenario or list(ALL_SCENARIOS)
    timing = SHORT if args.short else Timing()
    default = args.applications or (40 if args.short else 400)
    applications = {"default": default, "kill-workers": args.applications or (60 if args.short else 2000)}

    def show(outcome: Outcome) -> None:
        line = outcome.as_dict()
        verdict = "[green]ok[/green]" if outcome.sound else "[red]FAILED[/red]"
        console.print(
            f"{verdict} {line['scenario']}: {line['applications']} sent, {line['completed']} completed, "
            f"{line['lost']} lost, {line['duplicated']} duplicated, {line['dead_lettered']} dead-lettered, "
            f"recovered in {line['recover_s']} s (fault {line['fault_s']} s, total {line['total_s']} s)"
        )
        for example in line["examples"]:
            console.print(f"    {example}")

    outcomes = asyncio.run(run_all(names, applications, timing, args.timeout, show))
    table = Table(title="Fault injection")
    for column in ("scenario", "sent", "completed", "lost", "duplicated", "dead-lettered", "recover s", "total s"):
        table.add_column(column, justify="left" if column == "scenario" else "right")
    for outcome in outcomes:
        d = outcome.as_dict()
        table.add_row(
            d["scenario"],
            str(d["applications"]),
            str(d["completed"]),
            str(d["lost"]),
            str(d["duplicated"]),
            str(d["dead_lettered"]),
            str(d["recover_s"]),
            str(d["total_s"]),
        )
    console.print(table)
    results = LOGS.parent / "results.json"
    results.write_text(as_json(outcomes))
    console.print(f"figures: {results}; worker logs: {LOGS}")
    return 0 if all(o.sound for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
