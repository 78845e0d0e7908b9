"""Benchmark Cookie API against bare Flask, httpbin and other servers, side by side.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/run.py                  # 5 rounds of 5 s per measurement
    .venv/bin/python bench/run.py --smoke          # a quick check that everything still runs

Every app runs on 127.0.0.1 under ``cookie-api``'s own Granian settings, with the same worker
count: the baseline (``bench/baseline_app.py``, the floor), our app, and httpbin 0.10.4 from PyPI
in its own virtualenv (``bench/.venv-httpbin``, made on the first run). Our app also runs under
gunicorn's default sync worker and under waitress, to compare servers. wrk drives the load when it
is installed (``apt-get install -y wrk``), else the bundled Python generator. After a warm-up,
rounds interleave every measurement in a rotating order, and the figures are medians over rounds.
The table goes to stdout, the same figures as JSON to ``bench/results/``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import granian
from loadgen import LoadResult, Request, run_load

from api.cli import APP_FACTORY, server_settings

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
HTTPBIN_VENV = BENCH_DIR / ".venv-httpbin"
HTTPBIN_REQUIREMENT = "httpbin==0.10.4"
BIN_DIR = Path(sys.executable).parent

COOKIE_HEADER = "theme=dark; session=abc123"
COOKIE_BODY = json.dumps({"name": "theme", "value": "dark", "max_age": 3600})
GET_HEADERS = {"Cookie": COOKIE_HEADER}
POST_HEADERS = {"Content-Type": "application/json"}

# A check gets status, headers (lower-case names) and body; it returns what is wrong, or None.
Check = Callable[[int, dict[str, str], bytes], str | None]


def expect(status: int, *, set_cookie: str | None = None, body: Any = None) -> Check:
    """A check that the answer is the expected one, so that no benchmark measures errors."""

    def check(got_status: int, headers: dict[str, str], got_body: bytes) -> str | None:
        if got_status != status:
            return f"status {got_status}, expected {status}: {got_body[:200]!r}"
        if set_cookie is not None and not headers.get("set-cookie", "").startswith(set_cookie):
            return f"Set-Cookie {headers.get('set-cookie')!r}, expected {set_cookie}…"
        if isinstance(body, bytes) and got_body != body:
            return f"body {got_body[:200]!r}, expected {body!r}"
        if body is not None and not isinstance(body, bytes) and json.loads(got_body) != body:
            return f"body {got_body[:200]!r}, expected {body!r}"
        return None

    return check


@dataclass(frozen=True)
class Server:
    """One app under one server, as a command line."""

    key: str
    app: str
    server: str
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Measurement:
    """One request against one server."""

    key: str
    server: str
    label: str
    request: Request
    check: Check


@dataclass(frozen=True)
class Comparison:
    """A ratio of two measurements, and its target."""

    label: str
    ours: str
    other: str
    target: float | None
    metric: str = "requests_per_s"


COOKIES_GET = Request("GET", "/cookies", GET_HEADERS)
COOKIES_POST = Request("POST", "/cookies", POST_HEADERS, COOKIE_BODY.encode())
OUR_GET_CHECK = expect(
    200,
    body={
        "cookies": [
            {"name": "theme", "value": "dark", "signature": "none"},
            {"name": "session", "value": "abc123", "signature": "none"},
        ]
    },
)
OUR_POST_CHECK = expect(201, set_cookie="theme=dark; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax")

MEASUREMENTS = [
    Measurement(
        "baseline POST",
        "baseline",
        "POST /setcookie",
        Request("POST", "/setcookie", POST_HEADERS, COOKIE_BODY.encode()),
        expect(200, set_cookie="theme=dark"),
    ),
    Measurement("cookie-api POST", "cookie-api", "POST /cookies", COOKIES_POST, OUR_POST_CHECK),
    Measurement(
        "baseline GET",
        "baseline",
        "GET /getcookie",
        Request("GET", "/getcookie", GET_HEADERS),
        expect(200, body=b"theme is dark"),
    ),
    Measurement("cookie-api GET", "cookie-api", "GET /cookies", COOKIES_GET, OUR_GET_CHECK),
    Measurement(
        "httpbin GET",
        "httpbin",
        "GET /cookies",
        COOKIES_GET,
        expect(200, body={"cookies": {"theme": "dark", "session": "abc123"}}),
    ),
    Measurement("gunicorn GET", "gunicorn", "GET /cookies", COOKIES_GET, OUR_GET_CHECK),
    Measurement("gunicorn POST", "gunicorn", "POST /cookies", COOKIES_POST, OUR_POST_CHECK),
    Measurement("waitress GET", "waitress", "GET /cookies", COOKIES_GET, OUR_GET_CHECK),
    Measurement("waitress POST", "waitress", "POST /cookies", COOKIES_POST, OUR_POST_CHECK),
]

COMPARISONS = [
    Comparison(
        "POST /cookies vs baseline POST /setcookie", "cookie-api POST", "baseline POST", 0.80
    ),
    Comparison("GET /cookies vs baseline GET /getcookie", "cookie-api GET", "baseline GET", 0.90),
    Comparison("GET /cookies vs httpbin GET /cookies", "cookie-api GET", "httpbin GET", 1.0),
    Comparison("cookie-api server vs gunicorn sync, GET", "cookie-api GET", "gunicorn GET", 1.5),
    Comparison("cookie-api server vs gunicorn sync, POST", "cookie-api POST", "gunicorn POST", 1.5),
    Comparison("cookie-api server vs waitress, GET", "cookie-api GET", "waitress GET", None),
    Comparison("cookie-api server vs waitress, POST", "cookie-api POST", "waitress POST", None),
    Comparison(
        "peak RSS per worker vs baseline", "cookie-api", "baseline", 1.25, metric="peak_rss_mb"
    ),
]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="bench/run.py", description=__doc__.splitlines()[0], epilog="See the module docstring."
    )
    parser.add_argument("--duration", type=float, default=5, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (median)")
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
        help="run only these, comma-separated: baseline,cookie-api,httpbin,gunicorn,waitress",
    )
    parser.add_argument(
        "--granian-settings",
        type=json.loads,
        default={},
        help="JSON merged over cookie-api's Granian settings, to try others (e.g. "
        "'{\"blocking_threads\": 4}'); our app then runs through bench/serve.py",
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


# --- servers -------------------------------------------------------------------------------


def free_port() -> int:
    """A loopback port that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env() -> dict[str, str]:
    """This environment without COOKIE_API_* settings: every run measures the defaults."""
    return {key: value for key, value in os.environ.items() if not key.startswith("COOKIE_API_")}


def ensure_httpbin_venv(log: Path) -> Path | None:
    """httpbin's own virtualenv, with the same Granian as ours; None if it cannot be made."""
    python = HTTPBIN_VENV / "bin" / "python"
    granian_requirement = f"granian=={granian.__version__}"
    probe = [
        str(python),
        "-c",
        f"import granian, httpbin; assert granian.__version__ == {granian.__version__!r}",
    ]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    print(f"Installing {HTTPBIN_REQUIREMENT} into {HTTPBIN_VENV} ...", flush=True)
    steps = [
        [sys.executable, "-m", "venv", "--clear", str(HTTPBIN_VENV)],
        [str(python), "-m", "pip", "install", HTTPBIN_REQUIREMENT, granian_requirement],
    ]
    with log.open("w") as output:
        made = all(
            subprocess.run(step, stdout=output, stderr=subprocess.STDOUT).returncode == 0
            for step in steps
        )
    return python if made else None


def servers(args: argparse.Namespace, logs: Path) -> tuple[list[Server], dict[str, str]]:
    """The servers to start, and why any other is left out."""
    settings = json.dumps(granian_settings(args))
    serve = str(BENCH_DIR / "serve.py")
    env = clean_env()
    ours = [str(BIN_DIR / "cookie-api"), "--workers", str(args.workers)]
    if args.granian_settings:
        ours = [sys.executable, serve, APP_FACTORY, "--factory", "--settings", settings]
    started = [
        Server(
            "baseline",
            "baseline (bare Flask)",
            "cookie-api's Granian",
            [
                sys.executable,
                serve,
                "baseline_app:create_app",
                "--factory",
                "--app-dir",
                str(BENCH_DIR),
                "--settings",
                settings,
            ],
            env,
        ),
        Server(
            "cookie-api",
            "Cookie API",
            "cookie-api's Granian",
            ours,
            env,
        ),
    ]
    skipped = {}
    if args.no_httpbin or (args.servers and "httpbin" not in args.servers):
        skipped["httpbin"] = "left out (--no-httpbin, --servers or --smoke)"
    elif python := ensure_httpbin_venv(logs / "httpbin-install.log"):
        started.append(
            Server(
                "httpbin",
                "httpbin 0.10.4",
                "cookie-api's Granian",
                [str(python), serve, "httpbin:app", "--settings", settings],
                env,
            )
        )
    else:
        skipped["httpbin"] = (
            f"{HTTPBIN_REQUIREMENT} did not install (see {logs}/httpbin-install.log)"
        )
        print(f"httpbin: {skipped['httpbin']}; going on without it", flush=True)

    if (BIN_DIR / "gunicorn").exists():
        started.append(
            Server(
                "gunicorn",
                "Cookie API",
                "gunicorn sync (default worker)",
                [str(BIN_DIR / "gunicorn"), "--workers", str(args.workers), f"{APP_FACTORY}()"],
                env,
            )
        )
    else:
        skipped["gunicorn"] = "gunicorn is not installed: pip install -e '.[bench]'"
    if (BIN_DIR / "waitress-serve").exists():
        # waitress runs one process with 4 threads (its default) whatever --workers says.
        started.append(
            Server(
                "waitress",
                "Cookie API",
                "waitress (1 process, 4 threads)",
                [str(BIN_DIR / "waitress-serve"), "--call", APP_FACTORY],
                env,
            )
        )
    else:
        skipped["waitress"] = "waitress is not installed: pip install -e '.[bench]'"
    if args.servers:
        skipped.update(
            {
                server.key: "left out (--servers)"
                for server in started
                if server.key not in args.servers
            }
        )
        started = [server for server in started if server.key in args.servers]
    return started, skipped


def granian_settings(args: argparse.Namespace) -> dict[str, Any]:
    """cookie-api's Granian settings, with any tried instead on the command line."""
    return {**server_settings(args.workers), **args.granian_settings}


def with_port(server: Server, port: int) -> list[str]:
    """The server's command line, bound to 127.0.0.1 on ``port``."""
    executable, *rest = server.command
    if server.key == "gunicorn":
        return [executable, f"--bind=127.0.0.1:{port}", *rest]
    if server.key == "waitress":
        return [executable, f"--listen=127.0.0.1:{port}", *rest]
    return [*server.command, "--port", str(port)]


def fetch(port: int, request: Request) -> tuple[int, dict[str, str], bytes]:
    """Send one request; the status, the headers by lower-case name, and the body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(request.method, request.path, request.body or None, request.headers)
        response = connection.getresponse()
        headers = {name.lower(): value for name, value in response.getheaders()}
        return response.status, headers, response.read()
    finally:
        connection.close()


def wait_until_listening(port: int, process: subprocess.Popen, log: Path) -> None:
    """Wait for the server to accept connections, or fail with what it printed."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited:\n{log.read_text(errors='replace')}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{process.args} did not listen on port {port} in 60 s")


def worker_pids(pid: int) -> list[int]:
    """The worker processes of a server: its children, or itself when it has none."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name in parentheses may hold spaces; the parent pid follows it.
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(entry.name))
    return children or [pid]


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) that a server and its workers have used so far."""
    total = 0
    for process in {pid, *worker_pids(pid)}:
        fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime and stime, in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    """The peak resident set size (VmHWM) of a process, in MiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    kib = int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.M).group(1))
    return kib / 1024


# --- load ----------------------------------------------------------------------------------

WRK_SCRIPT = """\
wrk.method = "{method}"
wrk.body = [==[{body}]==]
{headers}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH_RESULT %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def run_wrk(
    port: int, request: Request, connections: int, duration: float, scratch: Path
) -> LoadResult:
    """One wrk run: 2 threads, ``connections`` connections, for ``duration`` whole seconds."""
    script = scratch / "request.lua"
    script.write_text(
        WRK_SCRIPT.format(
            method=request.method,
            body=request.body.decode(),
            headers="\n".join(
                f'wrk.headers["{name}"] = "{value}"' for name, value in request.headers.items()
            ),
        )
    )
    output = subprocess.run(
        [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{max(1, round(duration))}s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}{request.path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.search(r"^BENCH_RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$", output, re.M)
    if found is None:
        raise RuntimeError(f"wrk printed no result:\n{output}")
    requests, duration_us, p50, p99, socket_errors, status_errors = map(int, found.groups())
    return LoadResult(requests, duration_us / 1e6, p50, p99, socket_errors, status_errors)


def measure(
    args: argparse.Namespace, port: int, request: Request, duration: float, scratch: Path
) -> LoadResult:
    """One run of the chosen load generator."""
    if args.loadgen == "wrk":
        return run_wrk(port, request, args.connections, duration, scratch)
    return run_load("127.0.0.1", port, request, connections=args.connections, duration=duration)


# --- report --------------------------------------------------------------------------------


def median_of(runs: list[LoadResult], cpu_us: list[float]) -> dict[str, float]:
    """Medians over rounds of requests/s, latency percentiles (ms) and server CPU µs/request."""
    return {
        "requests_per_s": statistics.median(run.requests_per_s for run in runs),
        "cpu_us_per_request": statistics.median(cpu_us),
        "p50_ms": statistics.median(run.p50_us for run in runs) / 1000,
        "p99_ms": statistics.median(run.p99_us for run in runs) / 1000,
    }


def compare(
    comparison: Comparison, results: dict[str, Any], rss: dict[str, float]
) -> dict[str, Any]:
    """A comparison's ratio and whether it meets its target; rates use per-round ratios."""
    entry: dict[str, Any] = {
        "comparison": comparison.label,
        "ours": comparison.ours,
        "other": comparison.other,
        "metric": comparison.metric,
        "target": comparison.target,
        "ratio": None,
        "cpu_ratio": None,
        "met": None,
    }
    if comparison.metric == "peak_rss_mb":
        if comparison.ours in rss and comparison.other in rss:
            entry["ratio"] = rss[comparison.ours] / rss[comparison.other]
            entry["met"] = entry["ratio"] <= comparison.target
        return entry
    ours, other = results.get(comparison.ours), results.get(comparison.other)
    if ours and other:
        # Both ran in every round, one right after the other: the ratio of each round's pair
        # cancels drift of the machine's speed over the run.
        entry["ratio"] = statistics.median(
            mine["requests_per_s"] / theirs["requests_per_s"]
            for mine, theirs in zip(ours["rounds"], other["rounds"], strict=True)
        )
        # The other's CPU time per request over ours: like the rate ratio, above 1 is faster.
        entry["cpu_ratio"] = (
            other["median"]["cpu_us_per_request"] / ours["median"]["cpu_us_per_request"]
        )
        if comparison.target is not None:
            entry["met"] = entry["ratio"] >= comparison.target
    return entry


def print_report(report: dict[str, Any]) -> None:
    """The tables, in Markdown."""
    setup = report["setup"]
    print(
        f"\n{setup['rounds']} interleaved rounds of {setup['duration_s']:g} s after a "
        f"{setup['warmup_s']:g} s warm-up; {setup['workers']} worker, {setup['connections']} "
        f"connections, load by {setup['load_generator']}; medians.\n"
        f"Machine: {setup['machine']['cpu']} ({setup['machine']['cpus']} CPUs), "
        f"Python {setup['machine']['python']}, Granian {setup['machine']['granian']} with "
        f"{json.dumps(setup['granian_settings'])}.\n"
    )
    print(
        "| server | app | request | req/s | p50 ms | p99 ms | server CPU µs/req "
        "| peak RSS/worker MiB |"
    )
    print("|---|---|---|--:|--:|--:|--:|--:|")
    for result in report["results"].values():
        server = report["servers"][result["server"]]
        median = result["median"]
        print(
            f"| {server['server']} | {server['app']} | {result['request']} "
            f"| {median['requests_per_s']:,.0f} | {median['p50_ms']:.2f} | {median['p99_ms']:.2f} "
            f"| {median['cpu_us_per_request']:.0f} | {server['peak_rss_mb']:.1f} |"
        )
    for key, reason in report["skipped"].items():
        print(f"| {key} | | | not run: {reason} | | | | |")
    print("\n| comparison | ratio | target | met | CPU/request ratio |")
    print("|---|--:|--:|---|--:|")
    for entry in report["comparisons"]:
        target = entry["target"]
        sign = "≤" if entry["metric"] == "peak_rss_mb" else "≥"
        shown_target = "—" if target is None else f"{sign} {target:.2f}x"
        if entry["ratio"] is None:
            print(f"| {entry['comparison']} | not run | {shown_target} | — | |")
            continue
        met = "—" if entry["met"] is None else ("yes" if entry["met"] else "**no**")
        cpu = "" if entry["cpu_ratio"] is None else f"{entry['cpu_ratio']:.2f}x"
        print(f"| {entry['comparison']} | {entry['ratio']:.2f}x | {shown_target} | {met} | {cpu} |")


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M)
        cpu = found.group(1) if found else cpu
    return {
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "granian": granian.__version__,
        "kernel": platform.release(),
    }


def stop(process: subprocess.Popen) -> None:
    """Stop a server and every process it started."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Start every server, check each answer, measure, stop everything; the report."""
    scratch = Path(tempfile.mkdtemp(prefix="cookie-api-bench-"))
    to_start, skipped = servers(args, scratch)
    processes: dict[str, subprocess.Popen] = {}
    ports: dict[str, int] = {}
    try:
        for server in to_start:
            ports[server.key] = free_port()
            log = scratch / f"{server.key}.log"
            with log.open("w") as output:
                processes[server.key] = subprocess.Popen(
                    with_port(server, ports[server.key]),
                    env=server.env,
                    cwd=BENCH_DIR.parent,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
        for server in to_start:
            wait_until_listening(
                ports[server.key], processes[server.key], scratch / f"{server.key}.log"
            )

        measurements = [m for m in MEASUREMENTS if m.server in processes]
        for measurement in measurements:
            problem = measurement.check(*fetch(ports[measurement.server], measurement.request))
            if problem:
                raise RuntimeError(f"{measurement.key} answers wrongly: {problem}")
        for measurement in MEASUREMENTS:
            if measurement.server not in processes:
                skipped.setdefault(measurement.server, "not started")

        if args.warmup > 0:
            print(f"Warming up {len(measurements)} measurements ...", flush=True)
            for measurement in measurements:
                measure(args, ports[measurement.server], measurement.request, args.warmup, scratch)
        runs: dict[str, list[LoadResult]] = {m.key: [] for m in measurements}
        # Server CPU time per request: unlike requests/s, barely moved by other load on the
        # machine, so it shows where a change helps even when the clock is noisy.
        cpu_us: dict[str, list[float]] = {m.key: [] for m in measurements}
        for round_number in range(args.rounds):
            print(f"Round {round_number + 1} of {args.rounds} ...", flush=True)
            # Rotate the order so that no measurement always runs right after the same one.
            shift = round_number % len(measurements)
            for measurement in measurements[shift:] + measurements[:shift]:
                cpu_before = cpu_seconds(processes[measurement.server].pid)
                result = measure(
                    args, ports[measurement.server], measurement.request, args.duration, scratch
                )
                cpu = cpu_seconds(processes[measurement.server].pid) - cpu_before
                runs[measurement.key].append(result)
                cpu_us[measurement.key].append(cpu * 1e6 / max(1, result.requests))
        rss = {
            key: max(peak_rss_mb(pid) for pid in worker_pids(process.pid))
            for key, process in processes.items()
        }
    finally:
        for process in processes.values():
            stop(process)

    results = {
        m.key: {
            "server": m.server,
            "request": m.label,
            "median": median_of(runs[m.key], cpu_us[m.key]),
            "rounds": [
                {
                    "requests_per_s": run.requests_per_s,
                    "p50_ms": run.p50_us / 1000,
                    "p99_ms": run.p99_us / 1000,
                    "cpu_us_per_request": cpu,
                    "requests": run.requests,
                    "socket_errors": run.socket_errors,
                    "status_errors": run.status_errors,
                }
                for run, cpu in zip(runs[m.key], cpu_us[m.key], strict=True)
            ],
        }
        for m in measurements
    }
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
            "granian_settings": granian_settings(args),
            "machine": machine(),
        },
        "servers": {
            server.key: {
                "app": server.app,
                "server": server.server,
                "command": with_port(server, ports[server.key]),
                "peak_rss_mb": rss[server.key],
            }
            for server in to_start
        },
        "skipped": skipped,
        "results": results,
        "comparisons": [compare(c, results, rss) for c in COMPARISONS],
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
