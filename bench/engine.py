"""The engine's cost per Set-Cookie header, in process, side by side with other cookie jars.

    .venv/bin/python bench/engine.py                   # 15 interleaved rounds, about 15 s
    .venv/bin/python bench/engine.py --against main    # and the engine as it is at a git ref
    .venv/bin/python bench/engine.py --against 1a2b3c --speedup 4   # a target for that ratio
    .venv/bin/python bench/engine.py --profile         # cProfile of the engine
    npm ci --prefix bench/toughcookie                  # once, to measure tough-cookie (Node) too

The workload, the same for every jar: 50 headers like ``c7=v7; Path=/a; Domain=example.com;
Secure; HttpOnly; SameSite=Lax; Max-Age=3600`` received from ``https://www.example.com/a/b``
into an empty jar, then the Cookie header for ``https://www.example.com/a/c``. Each jar's answer
is checked once before it is timed. Measured: ``lint_set_cookies`` (``cookierules.lint``, with
every finding), Python's ``http.cookiejar`` (which checks far less: no prefixes, no sizes, no
SameSite, no findings), the anchor of every ratio, and tough-cookie 5 on Node, where Node and
``bench/toughcookie/node_modules`` are present. ``--against REF`` loads ``cookierules`` as it
is at a git ref into this same process, beside the working tree's.

The engine remembers the attributes of the headers it read last, which the 50 headers share, as
a response's headers often do; it is measured a second time on headers whose attributes are
never the same (each its own Max-Age, never seen in the last 256 headers), which is its cost
without that memory.

Times are CPU time of this thread (of the Node process for tough-cookie), per header: a run of
the workload divided by 50. Rounds interleave the jars in a rotating order, and each ratio is
the median of the per-round ratios, so a machine that slows down moves both sides alike.
"""

from __future__ import annotations

import argparse
import cProfile
import email.message
import functools
import http.cookiejar
import importlib
import io
import itertools
import json
import pstats
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

from cookierules.lint import lint_set_cookies  # noqa: E402

URL = "https://www.example.com/a/b"
THEN_URL = "https://www.example.com/a/c"
HEADERS_PER_RUN = 50
TARGET_US = 14.0  # per header: issue 17, a quarter of the 57 µs measured before
LINT = "lint_set_cookies"
UNSHARED = "attributes new each header"
COOKIEJAR = "http.cookiejar"
TOUGH_COOKIE = "tough-cookie 5 (Node)"

Run = Callable[[], str]


def headers(count: int, first_max_age: int | None = None) -> list[str]:
    """The workload's Set-Cookie headers; from ``first_max_age`` on, each with its own Max-Age."""
    return [
        f"c{i}=v{i}; Path=/a; Domain=example.com; Secure; HttpOnly; SameSite=Lax; "
        f"Max-Age={3600 if first_max_age is None else first_max_age + i}"
        for i in range(count)
    ]


def unshared_headers(count: int) -> list[list[str]]:
    """Lists of headers no two of which share their attributes, enough of them that a run
    never finds its headers' attributes among those the engine remembers (its last 256)."""
    lists = 300 // count + 2
    return [headers(count, first_max_age=3600 + number * count) for number in range(lists)]


def expected_cookie(count: int) -> str:
    return "; ".join(f"c{i}=v{i}" for i in range(count))


def lint_run(lint: Callable[..., Any], *set_cookie: list[str]) -> Run:
    """One run through ``lint_set_cookies``: every header stored, the Cookie header read; each
    run takes the next of the lists of headers given."""
    now = datetime.now(UTC)
    lists = itertools.cycle(set_cookie)

    def run() -> str:
        return lint(URL, next(lists), now=now, then_url=THEN_URL).cookie_header

    return run


class _Response:
    """What ``http.cookiejar`` reads of a response: its headers."""

    def __init__(self, set_cookie: list[str]) -> None:
        self.message = email.message.Message()
        for header in set_cookie:
            self.message["Set-Cookie"] = header

    def info(self) -> email.message.Message:
        return self.message


def cookiejar_run(set_cookie: list[str]) -> Run:
    """One run through ``http.cookiejar`` with its default policy."""
    response = _Response(set_cookie)

    def run() -> str:
        jar = http.cookiejar.CookieJar()
        jar.extract_cookies(response, urllib.request.Request(URL))
        later = urllib.request.Request(THEN_URL)
        jar.add_cookie_header(later)
        return later.get_header("Cookie")

    return run


def engine_at(ref: str) -> Callable[..., Any]:
    """``lint_set_cookies`` as it is at git ``ref``, imported beside the working tree's.

    The ref's ``cookierules`` is extracted to a temporary folder and imported with the working
    tree's modules set aside; its functions keep their own module globals afterwards.
    """
    folder = Path(tempfile.mkdtemp(prefix="engine-"))
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "cookierules"], capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    ours = {name: module for name, module in sys.modules.items() if _is_engine(name)}
    for name in ours:
        del sys.modules[name]
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module("cookierules.lint").lint_set_cookies
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if _is_engine(name)]:
            del sys.modules[name]
        sys.modules.update(ours)


def _is_engine(module: str) -> bool:
    return module == "cookierules" or module.startswith("cookierules.")


class ToughCookie:
    """tough-cookie in a Node process (``bench/toughcookie/engine.mjs``), asked line by line."""

    def __init__(self, node: str, folder: Path, set_cookie: list[str]) -> None:
        self.workload = {"headers": set_cookie, "url": URL, "then_url": THEN_URL}
        self.process = subprocess.Popen(
            [node, str(folder / "engine.mjs")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, seconds: float) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({**self.workload, "seconds": seconds}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("tough-cookie's Node process ended early")
        return json.loads(line)

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=10)


def tough_cookie(node: str | None, folder: Path, set_cookie: list[str]) -> ToughCookie | str:
    """tough-cookie, ready to time, or why it is not run."""
    if node is None:
        return "Node is not installed"
    if not (folder / "node_modules" / "tough-cookie").is_dir():
        return f"tough-cookie is not installed: npm ci --prefix {_shown(folder)}"
    return ToughCookie(node, folder, set_cookie)


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def micros_per_run(run: Run, seconds: float) -> float:
    """CPU microseconds per run of ``run``, over about ``seconds`` of this thread's CPU time."""
    runs = 0
    started = time.thread_time()
    while time.thread_time() - started < seconds:
        for _ in range(5):
            run()
        runs += 5
    return (time.thread_time() - started) * 1e6 / runs


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Interleaved rounds of every jar; µs per header, medians and per-round ratios."""
    set_cookie = headers(args.headers)
    unshared = unshared_headers(args.headers)
    runs: dict[str, Run] = {
        LINT: lint_run(lint_set_cookies, set_cookie),
        f"{LINT}, {UNSHARED}": lint_run(lint_set_cookies, *unshared),
    }
    if args.against:
        before = engine_at(args.against)
        runs[f"{LINT} at {args.against}"] = lint_run(before, set_cookie)
        runs[f"{LINT} at {args.against}, {UNSHARED}"] = lint_run(before, *unshared)
    runs[COOKIEJAR] = cookiejar_run(set_cookie)
    expected = expected_cookie(args.headers)
    for label, run in runs.items():
        got = run()
        if got != expected:
            raise SystemExit(f"{label} sent {got!r}, expected {expected!r}")
    timers: dict[str, Callable[[float], float]] = {
        label: functools.partial(micros_per_run, run) for label, run in runs.items()
    }
    node = tough_cookie(args.node or None, args.toughcookie, set_cookie)
    not_run = {}
    if isinstance(node, str):
        not_run[TOUGH_COOKIE] = node
    else:
        got = node.ask(0)["cookie"]
        if got != expected:
            raise SystemExit(f"{TOUGH_COOKIE} sent {got!r}, expected {expected!r}")
        timers[TOUGH_COOKIE] = lambda seconds: node.ask(seconds)["us_per_run"]
    try:
        for timer in timers.values():  # warm-up: caches, the public suffix list, Node's JIT
            timer(min(args.seconds, 0.5))
        per_round: dict[str, list[float]] = {label: [] for label in timers}
        labels = list(timers)
        for number in range(args.rounds):
            shift = number % len(labels)
            for label in labels[shift:] + labels[:shift]:
                per_round[label].append(timers[label](args.seconds) / args.headers)
    finally:
        if not isinstance(node, str):
            node.close()
    ratios = {
        f"{label} vs {COOKIEJAR}": statistics.median(
            ours / anchor for ours, anchor in zip(values, per_round[COOKIEJAR], strict=True)
        )
        for label, values in per_round.items()
        if label != COOKIEJAR
    }
    for workload in ("", f", {UNSHARED}") if args.against else ():
        before, after = f"{LINT} at {args.against}{workload}", f"{LINT}{workload}"
        ratios[f"{before} vs {after}"] = statistics.median(
            old / new for old, new in zip(per_round[before], per_round[after], strict=True)
        )
    return {
        "headers": args.headers,
        "rounds": args.rounds,
        "seconds": args.seconds,
        "us_per_header": {label: statistics.median(values) for label, values in per_round.items()},
        "per_round": per_round,
        "ratios": ratios,
        "not_run": not_run,
        "target_us_per_header": TARGET_US,
        "target_speedup": args.speedup,
    }


def print_report(report: dict[str, Any]) -> None:
    """The two tables, in Markdown."""
    print(
        f"\n{report['headers']} headers per run, {report['rounds']} interleaved rounds of "
        f"{report['seconds']:g} s; medians.\n"
    )
    print("| jar | µs per header |\n|---|--:|")
    for label, micros in report["us_per_header"].items():
        print(f"| {label} | {micros:.2f} |")
    for label, reason in report["not_run"].items():
        print(f"| {label} | not run: {reason} |")
    print("\n| comparison | ratio |\n|---|--:|")
    for label, ratio in report["ratios"].items():
        print(f"| {label} | {ratio:.2f}x |")
    ours = report["us_per_header"][LINT]
    met = "met" if ours <= report["target_us_per_header"] else "**not met**"
    print(f"\n{LINT}: {ours:.2f} µs per header; target ≤ {TARGET_US:g} µs: {met}.")
    if not (speedup := report["target_speedup"]):
        return
    for label, ratio in report["ratios"].items():
        if label.startswith(f"{LINT} at ") and label.endswith(f" vs {LINT}"):
            met = "met" if ratio >= speedup else "**not met**"
            print(f"{label}: {ratio:.2f}x faster; target ≥ {speedup:g}x: {met}.")


def profile(seconds: float, limit: int, count: int) -> None:
    """cProfile the engine for about ``seconds`` and print where the time went."""
    run = lint_run(lint_set_cookies, headers(count))
    micros_per_run(run, 0.5)
    profiler = cProfile.Profile()
    profiler.enable()
    micros_per_run(run, seconds)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(limit)
    stats.sort_stats("cumulative").print_stats(limit)


def main(argv: list[str] | None = None) -> int:
    """Measure and print; write JSON when asked."""
    parser = argparse.ArgumentParser(prog="bench/engine.py", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds (median)")
    parser.add_argument("--seconds", type=float, default=0.25, help="CPU seconds per jar a round")
    parser.add_argument("--headers", type=int, default=HEADERS_PER_RUN, help="headers per run")
    parser.add_argument("--against", metavar="REF", help="also the engine at this git ref")
    parser.add_argument(
        "--speedup", type=float, metavar="X", help="target: the working tree X times faster"
    )
    parser.add_argument("--node", default=shutil.which("node"), help="Node, for tough-cookie")
    parser.add_argument(
        "--toughcookie", type=Path, default=BENCH / "toughcookie", help="its npm folder"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the engine instead")
    parser.add_argument("--limit", type=int, default=30, help="profile lines to print")
    parser.add_argument("--output", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    if args.profile:
        profile(args.seconds * 8, args.limit, args.headers)
        return 0
    report = measure(args)
    print_report(report)
    if args.output:
        args.output.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
