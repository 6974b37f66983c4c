"""``make bench``: baselines of this machine, then bursts of applications through the whole pipeline.

    python -m harness.bench [--applications N] [--workers 1,2] [--paced-rate R] [--paced-applications N]
                            [--baseline-events N] [--scaled-inputs N] [--timeout S] [--profile]

Runs on infrastructure of its own (Kafka on 29092, PostgreSQL on 54349, state in .state/bench/),
started and stopped by the run. Prints a table, writes the figures to
bench/results/<timestamp>.json, ends with one summary line, and exits 1 unless every
application of every burst closed with its emails and nothing was lost or duplicated.
"""

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime

from rich.console import Console
from rich.table import Table

from harness.bench import baselines, stats
from harness.bench.burst import run_burst
from harness.bench.faust_floor import faust_floor
from harness.bench.infrastructure import STACK, STATE
from harness.bench.smtp_floor import smtp_floor
from harness.bench.stage import stages_alone, stages_scaled
from harness.processes import ROOT

console = Console(width=None if sys.stdout.isatty() else 140)


def _f(value, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


async def bench(
    applications: int,
    workers: list[int],
    baseline_events: int,
    timeout: float,
    profile: bool,
    paced: tuple[int, float] | None,
    scaled_inputs: int,
) -> dict:
    await STACK.up("postgres", "kafka")
    try:
        console.print("[bold]baseline[/bold]: plain aiokafka consume -> transform -> produce loop ...")
        loop = await baselines.kafka_loop(STACK.servers, baseline_events)
        console.print("[bold]baseline[/bold]: the services' Faust consumer doing nothing, same records ...")
        floor = await asyncio.to_thread(faust_floor, STACK.servers, baselines.LOOP_IN, baseline_events, STATE / "logs")
        console.print("[bold]baseline[/bold]: the same consumer doing the loop's work, each record transformed and produced ...")
        republish = await asyncio.to_thread(
            faust_floor, STACK.servers, baselines.LOOP_IN, baseline_events, STATE / "logs", republish_to=baselines.LOOP_OUT
        )
        console.print("[bold]baseline[/bold]: plain asyncpg transactions ...")
        database = await baselines.postgres(STACK.database_url)
        console.print(f"[bold]stages alone[/bold]: each service draining {applications} queued inputs ...")
        alone = await stages_alone(STACK, applications, STATE / "logs", timeout, STATE / "profiles" if profile else None)
        console.print("[bold]baseline[/bold]: plain aiosmtplib sending ready-made messages the size of notify's ...")
        smtp = await asyncio.to_thread(smtp_floor, round(alone["notify"]["mean_email_bytes"] or 1500))
        scaled = {}
        if scaled_inputs:
            console.print(
                f"[bold]stages alone, 1 and 2 workers[/bold]: each service draining {scaled_inputs} inputs written once its group settled ..."
            )
            scaled = await stages_scaled(STACK, scaled_inputs, STATE / "logs", timeout)
        runs = []
        for count in workers:
            console.print(f"[bold]burst[/bold]: {applications} applications, {count} worker(s) per service ...")
            runs.append(
                await run_burst(STACK, applications, count, STATE / "logs", timeout, STATE / "profiles" if profile else None)
            )
        if paced is not None:
            paced_applications, rate = paced
            console.print(f"[bold]paced[/bold]: {paced_applications} applications at {rate:g}/s, 1 worker per service ...")
            runs.append(await run_burst(STACK, paced_applications, 1, STATE / "logs", timeout, rate=rate))
    finally:
        await STACK.down("kafka", "postgres")
    return {
        "applications": applications,
        "baselines": {"kafka_loop": loop, "faust_floor": floor, "faust_republish": republish, "postgres": database, "smtp": smtp},
        "stage_alone": alone,
        "stage_scaled": scaled,
        "runs": runs,
    }


def summary_line(figures: dict) -> str:
    """Throughput of the first burst (the 1-worker one by default), counted until its last case
    closed and until its last application was served (case closed, every email sent); the slowest
    stage alone against the loop (in a burst a stage can go no faster than its input arrives, so
    its rate there is its upstream's); p99 of the paced run when there is one (latency below
    saturation, as the issue asks), else of that burst; max_rss_mb over every run."""
    run = figures["runs"][0]
    latency_run = next((r for r in figures["runs"] if r.get("paced_rate")), run)
    loop = figures["baselines"]["kafka_loop"]["events_per_s"]
    ratios = [stats.ratio(s["events_per_s"], loop) for s in figures["stage_alone"].values()]
    p99s = [s["p99"] for s in latency_run["latency_ms"].values() if s["p99"] is not None]
    rss = [mb for r in figures["runs"] for mb in r["peak_rss_mb"].values()]
    return (
        f"e2e_apps_per_s={run['e2e_apps_per_s']:.1f} served_apps_per_s={run['served_apps_per_s']:.1f} "
        f"stage_min_ratio_vs_kafka_loop={min((r for r in ratios if r is not None), default=0.0):.3f} "
        f"p99_stage_ms={max(p99s, default=0.0):.0f} max_rss_mb={max(rss, default=0.0):.0f}"
    )


def show(figures: dict) -> None:
    loop, database = figures["baselines"]["kafka_loop"], figures["baselines"]["postgres"]
    table = Table(title="Baselines on this machine")
    for column in ("measure", "figure"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    table.add_row(
        f"aiokafka loop, {loop['events']} events, {loop['partitions']} partitions, ~{loop['mean_bytes']:.0f} B",
        f"{_f(loop['events_per_s'])} events/s",
    )
    floor = figures["baselines"]["faust_floor"]
    floor_ratio = _f(stats.ratio(floor["events_per_s"], loop["events_per_s"]), 3)
    table.add_row(
        f"the services' Faust consumer, batches, no work (vs kafka loop: {floor_ratio})", f"{_f(floor['events_per_s'])} events/s"
    )
    republish = figures["baselines"]["faust_republish"]
    republish_ratio = _f(stats.ratio(republish["events_per_s"], loop["events_per_s"]), 3)
    table.add_row(
        f"the same consumer, each record transformed and produced as the loop does (vs kafka loop: {republish_ratio})",
        f"{_f(republish['events_per_s'])} events/s",
    )
    table.add_row(
        f"asyncpg single-row insert+commit, {database['connections']} connections",
        f"{_f(database['single_row_commits_per_s'])} commits/s",
    )
    table.add_row(
        f"asyncpg {database['batch']} rows per transaction, {database['connections']} connections",
        f"{_f(database['batched_rows_per_s'])} rows/s",
    )
    smtp = figures["baselines"]["smtp"]
    table.add_row(
        f"aiosmtplib, {smtp['messages']} ready-made messages of ~{smtp['mean_bytes']:.0f} B, {smtp['sessions']} sessions, to the harness's sink",
        f"{_f(smtp['messages_per_s'])} messages/s",
    )
    for stage, alone in figures["stage_alone"].items():
        ratio = _f(stats.ratio(alone["events_per_s"], loop["events_per_s"]), 3)
        if stage == "notify":
            ratio += f"; vs aiosmtplib: {_f(stats.ratio(alone['events_per_s'], smtp['messages_per_s']), 3)}"
        table.add_row(
            f"{stage} alone, {alone['inputs']} queued, each to: {alone['output']} (vs kafka loop: {ratio})",
            f"{_f(alone['events_per_s'])} events/s",
        )
        if alone.get("midway_per_s") is not None:
            ratio = _f(stats.ratio(alone["midway_per_s"], loop["events_per_s"]), 3)
            table.add_row(
                f"    of which the step to: {alone['midway']} (vs kafka loop: {ratio})", f"{_f(alone['midway_per_s'])} events/s"
            )
    console.print(table)
    _show_scaled(figures.get("stage_scaled") or {})
    for run in figures["runs"]:
        title = (
            f"{run['applications']} applications ({run.get('mode', 'burst')}), {run['workers_per_service']} worker(s) per service: "
            f"{_f(run['e2e_apps_per_s'], 1)} applications/s end to end (cases closed in {_f(run['first_submission_to_last_closed_s'], 1)} s), "
            f"{_f(run['served_apps_per_s'], 1)} served (case closed, every email sent: {_f(run['first_submission_to_last_served_s'], 1)} s)"
        )
        table = Table(title=title)
        for column in ("stage", "output", "events", "events/s", "peak 1 s", "vs kafka loop"):
            table.add_column(column, justify="left" if column in ("stage", "output") else "right")
        for stage, s in run["stages"].items():
            table.add_row(
                stage,
                s["topic"],
                str(s["events"]),
                _f(s["events_per_s"]),
                _f(s["peak_1s"]),
                _f(stats.ratio(s["events_per_s"], loop["events_per_s"]), 3),
            )
        console.print(table)
        table = Table(title="latency, ms (Kafka record timestamps; see docs/performance/method.md)")
        for column in ("measured as", "n", "p50", "p95", "p99", "max"):
            table.add_column(column, justify="left" if column == "measured as" else "right")
        end_to_end = {
            "end to end: closed - submitted": run["end_to_end_latency_ms"],
            "end to end: served - submitted": run["end_to_end_served_latency_ms"],
        }
        for name, s in {**run["latency_ms"], **end_to_end}.items():
            table.add_row(name, str(s["count"]), _f(s["p50"]), _f(s["p95"]), _f(s["p99"]), _f(s["max"]))
        console.print(table)
        rss = ", ".join(f"{name} {mb:.0f}" for name, mb in run["peak_rss_mb"].items())
        lag = ", ".join(f"{s} {n}" for s, n in run["lag"]["peak"].items())
        console.print(f"peak RSS MB: {rss}\npeak consumer lag: {lag} ({len(run['lag']['samples'])} samples)")
        cpu = ", ".join(f"{role} {seconds:.0f}" for role, seconds in sorted(run["cpu_seconds"].items(), key=lambda x: -x[1]))
        console.print(f"CPU seconds used during the burst: {cpu}")
        _show_statements(run.get("postgres_statements"))
        for worker, hot in (run.get("profile") or {}).items():
            own = "; ".join(f"{name} {pct}%" for name, pct in hot["own_pct"][:6])
            console.print(f"profile {worker} ({hot['samples']} samples), own time: {own}")
        verdict = "[green]ok[/green]" if run["sound"] else "[red]FAILED[/red]"
        console.print(f"{verdict} check: {run['check']}")
        for example in run["lost_examples"] + run["duplicated_examples"]:
            console.print(f"    {example}")


def _show_scaled(scaled: dict[str, list[dict]]) -> None:
    if not scaled:
        return
    table = Table(title="Each stage alone, 1 and 2 workers: inputs written once the group settled")
    for column in ("stage", "workers", "events/s", "vs 1 worker", "cores busy", "CPU seconds"):
        table.add_column(column, justify="left" if column in ("stage", "CPU seconds") else "right", overflow="fold")
    for stage, runs in scaled.items():
        one = runs[0]["events_per_s"]
        for run in runs:
            cpu = ", ".join(
                f"{role.split(' ')[0]} {seconds:.1f}" for role, seconds in sorted(run["cpu_seconds"].items(), key=lambda x: -x[1])
            )
            table.add_row(
                stage,
                str(run["workers"]),
                _f(run["events_per_s"]),
                _f(stats.ratio(run["events_per_s"], one), 2),
                _f(run["cores_busy"], 2),
                cpu,
            )
    console.print(table)


def _show_statements(figures: dict | None) -> None:
    if not figures:
        return
    title = (
        f"PostgreSQL: {figures['statements']} statements, {figures['calls']:,} calls, "
        f"{figures['total_ms'] / 1000:,.1f} s in the server ({figures['plan_ms'] / 1000:,.1f} s planning)"
    )
    table = Table(title=title)
    for column in ("statement", "calls", "total ms", "share", "mean ms", "rows"):
        table.add_column(column, justify="left" if column == "statement" else "right", overflow="fold")
    for s in figures["top"][:8]:
        share = _f(100 * s["total_ms"] / figures["total_ms"], 1) + " %" if figures["total_ms"] else "-"
        table.add_row(s["query"][:90], f"{s['calls']:,}", _f(s["total_ms"]), share, _f(s["mean_ms"], 3), f"{s['rows']:,}")
    console.print(table)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applications", type=int, default=20000, help="applications per burst (default 20000)")
    parser.add_argument("--workers", default="1,2", help="worker processes per service, one burst each (default 1,2)")
    # not "--loop-...": importing faust reads any "--loop" argument from sys.argv as its event loop
    parser.add_argument("--baseline-events", type=int, default=20000, help="events through the plain aiokafka loop")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds a burst may take to finish")
    parser.add_argument(
        "--profile", action="store_true", help="sample every worker with py-spy; hottest functions in the JSON and the table"
    )
    parser.add_argument(
        "--paced-rate", type=float, default=10.0, help="applications/s of the paced run, below saturation (0: none)"
    )
    parser.add_argument("--paced-applications", type=int, default=600, help="applications in the paced run (default 600)")
    parser.add_argument(
        "--scaled-inputs",
        type=int,
        default=None,
        help="inputs for each stage alone with 1 and 2 workers (default: --applications; 0: skip)",
    )
    args = parser.parse_args()
    workers = [int(w) for w in args.workers.split(",") if w.strip()]
    if not workers or min(workers) < 1 or args.applications < 1:
        parser.error("--workers needs positive counts and --applications a positive number")

    paced = (args.paced_applications, args.paced_rate) if args.paced_rate > 0 and args.paced_applications > 0 else None
    scaled_inputs = args.applications if args.scaled_inputs is None else args.scaled_inputs
    figures = asyncio.run(
        bench(args.applications, workers, args.baseline_events, args.timeout, args.profile, paced, scaled_inputs)
    )
    show(figures)
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    path = results / f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    line = summary_line(figures)
    figures["summary"] = line
    path.write_text(json.dumps(figures, indent=2))
    console.print(f"figures: {path}; worker logs: {STATE / 'logs'}")
    alone_runs = [*figures["stage_alone"].values(), *(run for runs in figures["stage_scaled"].values() for run in runs)]
    unfinished = sorted({alone["stage"] for alone in alone_runs if alone["finished"] != alone["inputs"]})
    if unfinished:
        console.print(f"[red]FAILED[/red]: alone, {', '.join(unfinished)} did not finish exactly one output per input")
    sound = all(r["sound"] for r in figures["runs"]) and not unfinished
    if not sound:
        console.print("[red]FAILED[/red]: an application was lost, duplicated or not finished; the figures do not count")
    print(line)
    return 0 if sound else 1


if __name__ == "__main__":
    sys.exit(main())
