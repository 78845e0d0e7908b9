"""The app's own cost per request, in process, side by side with the bare-Flask floor.

    .venv/bin/python bench/appcost.py                        # 15 interleaved rounds
    .venv/bin/python bench/appcost.py --profile "POST /cookies"   # where the time goes

No server and no sockets: each request is the WSGI environ that ``cookie-api``'s server builds
(``api.asgi``, from an ASGI scope like Granian's), handed straight to the app, and its answer
read to the end. The rounds interleave every operation, and each ratio is the median of the
per-round ratios, so a machine that slows down during the run moves both sides alike.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from a2wsgi.wsgi import build_environ

sys.path.insert(0, str(Path(__file__).resolve().parent))

import baseline_app
from workload import COOKIE_BODY, COOKIE_HEADER, LINT_BODY

from api import create_app

WSGIApp = Callable[..., Any]


@dataclass(frozen=True)
class Operation:
    """One request to one app, checked once before it is timed."""

    label: str
    app: str
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    status: int


@dataclass(frozen=True)
class Ratio:
    """Our operation against the floor's, and the most it may cost."""

    label: str
    ours: str
    floor: str
    target: float


JSON = ("content-type", "application/json")
OPERATIONS = [
    Operation("POST /cookies", "cookie-api", "POST", "/cookies", (JSON,), COOKIE_BODY, 201),
    Operation("POST /setcookie", "floor", "POST", "/setcookie", (JSON,), COOKIE_BODY, 200),
    Operation("POST /lint", "cookie-api", "POST", "/lint", (JSON,), LINT_BODY, 200),
    Operation(
        "GET /cookies", "cookie-api", "GET", "/cookies", (("cookie", COOKIE_HEADER),), b"", 200
    ),
    Operation(
        "GET /getcookie", "floor", "GET", "/getcookie", (("cookie", COOKIE_HEADER),), b"", 200
    ),
]
RATIOS = [
    Ratio("POST /cookies vs floor POST /setcookie", "POST /cookies", "POST /setcookie", 1.4),
    Ratio("GET /cookies vs floor GET /getcookie", "GET /cookies", "GET /getcookie", 1.1),
    # POST /lint at 0.8x the rate of POST /cookies is at most 1.25x its cost.
    Ratio("POST /lint vs POST /cookies", "POST /lint", "POST /cookies", 1.25),
]


def scope_for(operation: Operation) -> dict[str, Any]:
    """An ASGI scope as Granian builds it for this request from wrk."""
    headers = [(b"host", b"127.0.0.1:8000")]
    headers += [(name.encode(), value.encode("latin-1")) for name, value in operation.headers]
    if operation.body:
        headers.append((b"content-length", str(len(operation.body)).encode()))
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 40000),
        "scheme": "http",
        "method": operation.method,
        "root_path": "",
        "path": operation.path,
        "raw_path": operation.path.encode(),
        "query_string": b"",
        "headers": headers,
    }


def caller(app: WSGIApp, operation: Operation) -> Callable[[], int]:
    """A function that sends the request to the app once and returns the status."""
    environ = build_environ(scope_for(operation), io.BytesIO())
    environ["wsgi.multithread"] = False
    environ["wsgi.input_terminated"] = True
    status: list[str] = []

    def start_response(line: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        status[:] = [line]

    def call() -> int:
        result = app({**environ, "wsgi.input": io.BytesIO(operation.body)}, start_response)
        try:
            b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return int(status[0][:3])

    return call


def callers() -> dict[str, Callable[[], int]]:
    """Every operation, ready to call, each checked once."""
    apps = {"cookie-api": create_app(), "floor": baseline_app.create_app()}
    ready = {}
    for operation in OPERATIONS:
        call = caller(apps[operation.app], operation)
        got = call()
        if got != operation.status:
            raise SystemExit(f"{operation.label} answered {got}, expected {operation.status}")
        ready[operation.label] = call
    return ready


def time_per_call(call: Callable[[], int], seconds: float) -> float:
    """CPU microseconds per call, calling for about ``seconds`` of CPU time.

    CPU time of this thread, not the clock: on a machine shared with other work, waiting for a
    core is not the app's cost.
    """
    calls = 0
    started = time.thread_time()
    deadline = started + seconds
    while time.thread_time() < deadline:
        for _ in range(50):
            call()
        calls += 50
    return (time.thread_time() - started) * 1e6 / calls


def measure(rounds: int, seconds: float) -> dict[str, Any]:
    """Interleaved rounds of every operation; medians and per-round ratios."""
    ready = callers()
    for call in ready.values():  # warm-up: caches, first-request setup
        time_per_call(call, min(seconds, 0.5))
    per_round: dict[str, list[float]] = {label: [] for label in ready}
    labels = list(ready)
    for number in range(rounds):
        shift = number % len(labels)
        for label in labels[shift:] + labels[:shift]:
            per_round[label].append(time_per_call(ready[label], seconds))
    ratios = []
    for ratio in RATIOS:
        value = statistics.median(
            ours / floor
            for ours, floor in zip(per_round[ratio.ours], per_round[ratio.floor], strict=True)
        )
        ratios.append(
            {
                "label": ratio.label,
                "ratio": value,
                "target": ratio.target,
                "met": value <= ratio.target,
            }
        )
    return {
        "rounds": rounds,
        "seconds": seconds,
        "us_per_call": {label: statistics.median(values) for label, values in per_round.items()},
        "per_round": per_round,
        "ratios": ratios,
    }


def print_report(report: dict[str, Any]) -> None:
    """The two tables, in Markdown."""
    print(f"\n{report['rounds']} interleaved rounds of {report['seconds']:g} s; medians.\n")
    print("| request | µs per call |\n|---|--:|")
    for label, micros in report["us_per_call"].items():
        print(f"| {label} | {micros:.1f} |")
    print("\n| comparison | ratio | target | met |\n|---|--:|--:|---|")
    for entry in report["ratios"]:
        met = "yes" if entry["met"] else "**no**"
        print(f"| {entry['label']} | {entry['ratio']:.2f}x | ≤ {entry['target']:.2f}x | {met} |")


def profile(label: str, seconds: float, limit: int) -> None:
    """cProfile one operation for about ``seconds`` and print where the time went."""
    call = callers()[label]
    time_per_call(call, 0.5)
    profiler = cProfile.Profile()
    profiler.enable()
    time_per_call(call, seconds)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(limit)
    stats.sort_stats("cumulative").print_stats(limit)


def main(argv: list[str] | None = None) -> int:
    """Measure, print, and write JSON when asked; 1 when a target is missed."""
    parser = argparse.ArgumentParser(prog="bench/appcost.py", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds (median)")
    parser.add_argument("--seconds", type=float, default=0.2, help="CPU seconds per operation")
    parser.add_argument("--profile", metavar="REQUEST", choices=[op.label for op in OPERATIONS])
    parser.add_argument("--limit", type=int, default=30, help="profile lines to print")
    parser.add_argument("--output", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    if args.profile:
        profile(args.profile, args.seconds * 3, args.limit)
        return 0
    report = measure(args.rounds, args.seconds)
    print_report(report)
    if args.output:
        args.output.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if all(entry["met"] for entry in report["ratios"]) else 1


if __name__ == "__main__":
    sys.exit(main())
