"""A change's effect on each stage alone: the workers of two checkouts in turns, on one stack.

    git worktree add /tmp/before HEAD~1
    python -m harness.bench.before_after /tmp/before . [--stages biometrics,decision] [--inputs N] [--rounds R]

Each round drains N inputs through each stage with one worker of BEFORE and one of AFTER (the
harness is this checkout's; only the workers' code differs), BEFORE first in even rounds and
AFTER first in odd ones, so that the machine's drift falls on both alike. Each drain is
``stage_scaled`` with one worker: events/s, and the worker's CPU seconds for each input, which
varies far less from run to run than a rate on these machines. Writes
bench/results/<timestamp>-before-after.json and exits 1 unless every drain had one output per input.
"""

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from harness.bench.infrastructure import STACK, STATE
from harness.bench.stage import STAGES, stage_scaled
from harness.processes import ROOT

VERSIONS = ("before", "after")


async def _rounds(roots: dict[str, Path], services: list[str], inputs: int, rounds: int) -> list[dict]:
    await STACK.up("postgres", "kafka")
    runs = []
    try:
        for turn in range(rounds):
            for stage in [stage for stage in STAGES if stage.service in services]:
                for version in VERSIONS if turn % 2 == 0 else reversed(VERSIONS):
                    log_dir = STATE / "logs" / f"{stage.service}-{version}"
                    drained = await stage_scaled(STACK, stage, 1, inputs, log_dir, 600.0, roots[version])
                    worker_s = drained["cpu_seconds"].get(f"{stage.service}-0", 0.0)
                    run = {
                        "round": turn,
                        "stage": stage.service,
                        "version": version,
                        "sound": drained["finished"] == inputs,
                        "events_per_s": drained["events_per_s"],
                        "worker_cpu_us_per_input": 1e6 * worker_s / inputs,
                        "cpu_seconds": drained["cpu_seconds"],
                    }
                    print(json.dumps(run), flush=True)
                    runs.append(run)
    finally:
        await STACK.down("kafka", "postgres")
    return runs


def medians(runs: list[dict]) -> dict[str, dict[str, dict[str, float]]]:
    """{stage: {version: median events/s and worker CPU per input}} of the sound runs."""
    table: dict[str, dict[str, dict[str, float]]] = {}
    for stage in dict.fromkeys(run["stage"] for run in runs):
        for version in VERSIONS:
            mine = [run for run in runs if run["stage"] == stage and run["version"] == version and run["sound"]]
            if mine:
                table.setdefault(stage, {})[version] = {
                    key: statistics.median(run[key] for run in mine) for key in ("events_per_s", "worker_cpu_us_per_input")
                }
    return table


def revision(root: Path) -> str:
    """The checkout's commit, with "+changes" when its working tree differs from it."""
    git = ["git", "-C", str(root)]
    commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip() or "unknown"
    changed = subprocess.run(
        [*git, "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True
    ).stdout.strip()
    return commit + ("+changes" if changed else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before", type=Path, help="the checkout before the change")
    parser.add_argument("after", type=Path, help="the checkout with the change")
    parser.add_argument(
        "--stages", default=",".join(stage.service for stage in STAGES), help="stages to drain (default: all four)"
    )
    parser.add_argument("--inputs", type=int, default=20000, help="inputs each drain (default 20000)")
    parser.add_argument("--rounds", type=int, default=3, help="drains of each version and stage, in turns (default 3)")
    args = parser.parse_args()
    roots = {"before": args.before.resolve(), "after": args.after.resolve()}
    for root in roots.values():
        if not (root / "services").is_dir():
            parser.error(f"{root} is not a checkout of this project (no services/ in it)")
    services = [service.strip() for service in args.stages.split(",") if service.strip()]
    unknown = set(services) - {stage.service for stage in STAGES}
    if unknown or not services or args.inputs < 1 or args.rounds < 1:
        parser.error(
            f"--stages takes some of {', '.join(stage.service for stage in STAGES)}; --inputs and --rounds positive numbers"
        )
    runs = asyncio.run(_rounds(roots, services, args.inputs, args.rounds))
    table = medians(runs)
    for stage, versions in table.items():
        for version, figures in versions.items():
            print(
                f"{stage:>10} {version:>6}: {figures['events_per_s']:7.0f} events/s, {figures['worker_cpu_us_per_input']:4.0f} µs of worker CPU an input (medians)"
            )
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    path = results / f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}-before-after.json"
    path.write_text(
        json.dumps(
            {
                "versions": {k: {"root": str(v), "revision": revision(v)} for k, v in roots.items()},
                "inputs": args.inputs,
                "runs": runs,
                "medians": table,
            },
            indent=2,
        )
    )
    print(f"figures: {path}")
    return 0 if all(run["sound"] for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
