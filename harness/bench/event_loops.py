"""The workers' event loops side by side: bursts on uvloop and on asyncio's own loop, in turns.

    python -m harness.bench.event_loops [--applications N] [--rounds R]

Each round runs one burst with ``EVENT_LOOP=asyncio`` and one with ``EVENT_LOOP=uvloop`` (1 worker
per service, on the benchmark's own infrastructure), asyncio's first in even rounds and uvloop's
first in odd ones, so that the machine's drift through the run falls on both alike. The workers'
CPU is weighed against PostgreSQL's and the harness's in the same burst
(``stats.worker_cpu_per_reference``): end-to-end figures on these machines move by a third
between runs of the same code. Writes bench/results/<timestamp>-event-loops.json and exits 1
unless every burst was sound.
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
from datetime import UTC, datetime

from harness.bench import stats
from harness.bench.burst import run_burst
from harness.bench.infrastructure import STACK, STATE
from harness.processes import ROOT

LOOPS = ("asyncio", "uvloop")


async def _rounds(applications: int, rounds: int) -> list[dict]:
    await STACK.up("postgres", "kafka")
    runs = []
    try:
        for turn in range(rounds):
            for loop in LOOPS if turn % 2 == 0 else reversed(LOOPS):
                os.environ["EVENT_LOOP"] = loop  # the workers inherit this process's environment
                burst = await run_burst(STACK, applications, 1, STATE / "logs", 1800.0)
                cpu = burst["cpu_seconds"]
                workers = [role for role in cpu if role.endswith("-0")]
                run = {
                    "round": turn,
                    "event_loop": loop,
                    "sound": burst["sound"],
                    "check": burst["check"],
                    "e2e_apps_per_s": burst["e2e_apps_per_s"],
                    "served_apps_per_s": burst["served_apps_per_s"],
                    "cpu_seconds": cpu,
                    "worker_cpu_per_reference": stats.worker_cpu_per_reference(cpu, workers),
                }
                print(json.dumps(run), flush=True)
                runs.append(run)
    finally:
        os.environ.pop("EVENT_LOOP", None)
        await STACK.down("kafka", "postgres")
    return runs


def _median(runs: list[dict], loop: str, key: str) -> float:
    return statistics.median(run[key] for run in runs if run["event_loop"] == loop)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applications", type=int, default=5000, help="applications per burst (default 5000)")
    parser.add_argument("--rounds", type=int, default=3, help="bursts on each loop, in turns (default 3)")
    args = parser.parse_args()
    runs = asyncio.run(_rounds(args.applications, args.rounds))
    for run in runs:
        print(
            f"round {run['round']} {run['event_loop']:>7}: {run['e2e_apps_per_s']:7.1f} apps/s, "
            f"workers' CPU {run['worker_cpu_per_reference']:.3f} of PostgreSQL's and the harness's"
        )
    medians = {loop: _median(runs, loop, "worker_cpu_per_reference") for loop in LOOPS}
    change = medians["uvloop"] / medians["asyncio"] - 1
    line = f"worker_cpu_per_reference asyncio={medians['asyncio']:.3f} uvloop={medians['uvloop']:.3f} change={change:+.1%}"
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    path = results / f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}-event-loops.json"
    path.write_text(json.dumps({"applications": args.applications, "runs": runs, "summary": line}, indent=2))
    print(f"figures: {path}")
    print(line)
    return 0 if all(run["sound"] for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
