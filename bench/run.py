"""Benchmark Cookie API against bare Flask, httpbin and other servers, side by side.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/run.py                  # 3 rounds of 5 s per measurement
    .venv/bin/python bench/run.py --smoke          # a quick check that everything still runs

Every app runs on 127.0.0.1 under ``cookie-api``'s own Granian settings, with the same worker
count: the floor (``bench/baseline_app.py``), our app, and httpbin 0.10.4 from PyPI in its own
virtualenv (``bench/.venv-httpbin``, made on the first run). Our app also runs under the Granian
settings ``cookie-api`` used before ("previous"), under gunicorn's sync worker, and under any
``--candidate`` settings. wrk drives the load when it is installed, else the bundled Python
generator. After a warm-up, rounds interleave every measurement in a rotating order; figures are
medians, ratios the median of per-round ratios. The tables go to stdout, the figures as JSON to
``bench/results/``.

The modules beside this one: ``workload`` (what is measured and the targets), ``servers``
(starting and stopping them), ``load`` (wrk or ``loadgen``), ``procstats`` (CPU and memory from
/proc) and ``report`` (ratios and tables).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from load import fetch, measure
from loadgen import LoadResult
from procstats import cpu_seconds, peak_rss_mb, worker_pids
from report import compare, machine, median_of, print_report
from servers import servers, start, stop, wait_until_serving
from workload import (
    COMPARISONS,
    COOKIES_GET,
    COOKIES_POST,
    MEASUREMENTS,
    OUR_GET_CHECK,
    OUR_POST_CHECK,
    Comparison,
    Measurement,
)

from api.cli import server_settings
from api.liveness import free_port

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def candidate(text: str) -> tuple[str, dict[str, Any]]:
    """``NAME=JSON``: a name and Granian settings merged over cookie-api's."""
    name, _, settings = text.partition("=")
    return name, json.loads(settings)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="bench/run.py", description=__doc__.splitlines()[0], epilog="See the module docstring."
    )
    parser.add_argument("--duration", type=float, default=5, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (median)")
    parser.add_argument("--warmup", type=float, default=2, help="warm-up seconds per measurement")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections")
    parser.add_argument("--workers", type=int, default=1, help="worker processes per server")
    parser.add_argument(
        "--loadgen",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="load generator: wrk if installed (auto), or the bundled Python one",
    )
    parser.add_argument("--no-httpbin", action="store_true", help="leave httpbin out")
    parser.add_argument(
        "--servers",
        type=lambda text: set(text.split(",")),
        help="run only these, comma-separated: baseline,cookie-api,previous,httpbin,gunicorn "
        "and candidate names",
    )
    parser.add_argument(
        "--granian-settings",
        type=json.loads,
        default={},
        help="JSON merged over cookie-api's Granian settings for every Granian server",
    )
    parser.add_argument(
        "--candidate",
        type=candidate,
        action="append",
        default=[],
        metavar="NAME=JSON",
        help="also run Cookie API under these settings merged over cookie-api's, e.g. "
        '\'uvloop={"loop": "uvloop"}\'; may be repeated',
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="1 round of 1 s, no warm-up, no httpbin: checks that the benchmark runs",
    )
    parser.add_argument("--output", type=Path, help="JSON file (default bench/results/*.json)")
    args = parser.parse_args(argv)
    if args.smoke:
        args.duration, args.rounds, args.warmup, args.no_httpbin = 1, 1, 0, True
    if args.loadgen == "auto":
        args.loadgen = "wrk" if shutil.which("wrk") else "python"
    elif args.loadgen == "wrk" and not shutil.which("wrk"):
        parser.error("wrk is not installed (apt-get install -y wrk)")
    return args


def candidate_work(name: str) -> tuple[list[Measurement], list[Comparison]]:
    """What to measure of Cookie API under candidate settings, against the previous ones."""
    measurements = [
        Measurement(f"{name} GET", name, "GET /cookies", COOKIES_GET, OUR_GET_CHECK),
        Measurement(f"{name} POST", name, "POST /cookies", COOKIES_POST, OUR_POST_CHECK),
    ]
    comparisons = [
        Comparison(
            f"{name} vs Granian WSGI 512 threads, {verb}",
            f"{name} {verb}",
            f"previous {verb}",
            None,
        )
        for verb in ("GET", "POST")
    ]
    return measurements, comparisons


def measure_rounds(
    args: argparse.Namespace,
    measurements: list[Measurement],
    ports: dict[str, int],
    pids: dict[str, int],
    scratch: Path,
) -> dict[str, Any]:
    """Warm up, then interleaved rounds of every measurement; the results by key."""

    def one(measurement: Measurement, duration: float) -> LoadResult:
        port = ports[measurement.server]
        return measure(args.loadgen, port, measurement.request, args.connections, duration, scratch)

    if args.warmup > 0:
        print(f"Warming up {len(measurements)} measurements ...", flush=True)
        for measurement in measurements:
            one(measurement, args.warmup)
    runs: dict[str, list[LoadResult]] = {m.key: [] for m in measurements}
    # Server CPU time per request: unlike requests/s, barely moved by other load on the
    # machine, so it shows where a change helps even when the clock is noisy.
    cpu_us: dict[str, list[float]] = {m.key: [] for m in measurements}
    # The server's CPU seconds per second of load: below 1 with one worker means it sat idle.
    cores: dict[str, list[float]] = {m.key: [] for m in measurements}
    for round_number in range(args.rounds):
        print(f"Round {round_number + 1} of {args.rounds} ...", flush=True)
        # Rotate the order so that no measurement always runs right after the same one.
        shift = round_number % len(measurements)
        for measurement in measurements[shift:] + measurements[:shift]:
            cpu_before = cpu_seconds(pids[measurement.server])
            result = one(measurement, args.duration)
            cpu = cpu_seconds(pids[measurement.server]) - cpu_before
            runs[measurement.key].append(result)
            cpu_us[measurement.key].append(cpu * 1e6 / max(1, result.requests))
            cores[measurement.key].append(cpu / result.duration_s)
    return {
        m.key: {
            "server": m.server,
            "request": m.label,
            "median": median_of(runs[m.key], cpu_us[m.key], cores[m.key]),
            "rounds": [
                {
                    "requests_per_s": run.requests_per_s,
                    "p50_ms": run.p50_us / 1000,
                    "p99_ms": run.p99_us / 1000,
                    "cpu_us_per_request": cpu,
                    "cpu_cores": used,
                    "requests": run.requests,
                    "socket_errors": run.socket_errors,
                    "status_errors": run.status_errors,
                }
                for run, cpu, used in zip(runs[m.key], cpu_us[m.key], cores[m.key], strict=True)
            ],
        }
        for m in measurements
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Start every server, check each answer, measure, stop everything; the report."""
    scratch = Path(tempfile.mkdtemp(prefix="cookie-api-bench-"))
    ours = {**server_settings(args.workers), **args.granian_settings}
    candidates = {name: {**ours, **settings} for name, settings in args.candidate}
    to_start, skipped = servers(
        args.workers, ours, candidates, args.servers, not args.no_httpbin, scratch
    )
    measurements, comparisons = list(MEASUREMENTS), list(COMPARISONS)
    for name in candidates:
        more_measurements, more_comparisons = candidate_work(name)
        measurements += more_measurements
        comparisons += more_comparisons
    processes = {}
    ports = {server.key: free_port() for server in to_start}
    try:
        for server in to_start:
            log = scratch / f"{server.key}.log"
            processes[server.key] = start(server, ports[server.key], log)
        for server in to_start:
            log = scratch / f"{server.key}.log"
            wait_until_serving(server, ports[server.key], processes[server.key], log)
        for measurement in measurements:
            if measurement.server not in processes:
                skipped.setdefault(measurement.server, "not started")
        measurements = [m for m in measurements if m.server in processes]
        for measurement in measurements:
            problem = measurement.check(*fetch(ports[measurement.server], measurement.request))
            if problem:
                raise RuntimeError(f"{measurement.key} answers wrongly: {problem}")
        pids = {key: process.pid for key, process in processes.items()}
        results = measure_rounds(args, measurements, ports, pids, scratch)
        rss = {
            key: max(peak_rss_mb(pid) for pid in worker_pids(process.pid))
            for key, process in processes.items()
        }
    finally:
        for process in processes.values():
            stop(process)

    return {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "setup": {
            "rounds": args.rounds,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "workers": args.workers,
            "connections": args.connections,
            "load_generator": args.loadgen,
            "smoke": args.smoke,
            "granian_settings": ours,
            "candidates": candidates,
            "machine": machine(),
        },
        "servers": {
            server.key: {
                "app": server.app,
                "server": server.server,
                "command": server.command_on(ports[server.key]),
                "peak_rss_mb": rss[server.key],
            }
            for server in to_start
        },
        "skipped": skipped,
        "results": results,
        "comparisons": [compare(c, results, rss) for c in comparisons],
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the tables, write the JSON; 1 if any request failed."""
    args = parse_args(argv)
    report = run(args)
    print_report(report)
    output = args.output or RESULTS_DIR / f"bench-{datetime.now():%Y%m%d-%H%M%S}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nJSON: {output}")
    failed = [
        key
        for key, result in report["results"].items()
        if any(r["socket_errors"] or r["status_errors"] for r in result["rounds"])
    ]
    if failed:
        print(f"Some requests failed during: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
