"""Soak: 20,000 requests to a real cookie-api worker; its resident memory must grow under 10%.

Run it from the repository with the project installed (Linux, for /proc):

    .venv/bin/python bench/soak.py

It starts ``cookie-api`` with one worker on a free loopback port, warms it up, reads the
worker's resident memory (VmRSS), sends the requests over a few kept-alive connections (sets,
lists, reads, deletes and refused bodies, every value unique), reads the memory again and exits
with status 1 when it grew by 10% or more, or when any answer was not the expected one.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from api.liveness import free_port, wait_or_kill, wait_until_healthy

WARM_UP_REQUESTS = 1_000


def cookie_api_executable() -> str:
    beside_python = Path(sys.executable).parent / "cookie-api"
    found = str(beside_python) if beside_python.exists() else shutil.which("cookie-api")
    if not found:
        sys.exit("soak: the cookie-api console script is not installed (pip install -e .)")
    return found


def worker_pid(main_pid: int, timeout: float = 10) -> int:
    """The single worker process Granian spawned under ``main_pid``."""
    children_file = Path(f"/proc/{main_pid}/task/{main_pid}/children")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = children_file.read_text().split()
        if len(children) == 1:
            return int(children[0])
        time.sleep(0.1)
    sys.exit(f"soak: expected one worker under pid {main_pid}, found {children}")


def resident_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def run_requests(port: int, first: int, count: int) -> list[str]:
    """``count`` requests on one kept-alive connection, cycling through five kinds.

    Returns a description of every answer that was not the expected one.
    """
    unexpected = []
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    json_type = {"Content-Type": "application/json"}
    pair = "warm=up"
    try:
        for number in range(first, first + count):
            name = f"soak{number}"
            kind = number % 5
            if kind == 0:
                body = json.dumps({"name": name, "value": f"v{number} é", "signed": True})
                connection.request("POST", "/cookies", body, json_type)
                expected = 201
            elif kind == 1:
                connection.request("GET", "/cookies", headers={"Cookie": f"{pair}; x{number}=1"})
                expected = 200
            elif kind == 2:
                connection.request("GET", f"/cookies/{name}", headers={"Cookie": f"{name}=1"})
                expected = 200
            elif kind == 3:
                connection.request("DELETE", f"/cookies/{name}?path=/a")
                expected = 200
            else:
                body = json.dumps({"name": f"bad name {number}", "value": "x" * (number % 100)})
                connection.request("POST", "/cookies", body, json_type)
                expected = 400
            response = connection.getresponse()
            response.read()
            if response.status != expected:
                unexpected.append(f"request {number}: {response.status}, expected {expected}")
            if kind == 0 and response.status == 201:
                pair = response.getheader("Set-Cookie", "").split("; ")[0]
    finally:
        connection.close()
    return unexpected


def send(port: int, total: int, connections: int, first: int = 0) -> list[str]:
    share = total // connections
    counts = [share + (1 if index < total % connections else 0) for index in range(connections)]
    starts = [first + sum(counts[:index]) for index in range(connections)]
    with ThreadPoolExecutor(max_workers=connections) as pool:
        results = pool.map(run_requests, [port] * connections, starts, counts)
        return [problem for problems in results for problem in problems]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000, help="requests to send")
    parser.add_argument("--connections", type=int, default=8, help="parallel connections")
    parser.add_argument(
        "--max-growth", type=float, default=0.10, help="largest allowed RSS growth (0.10 = 10%%)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not Path("/proc/self/status").exists():
        sys.exit("soak: needs Linux /proc to read the worker's resident memory")
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("COOKIE_API_")}
    env["COOKIE_API_SECRET_KEY"] = "soak-secret"
    server = subprocess.Popen(
        [cookie_api_executable(), "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its worker is killed with it (wait_or_kill)
    )
    try:
        try:
            wait_until_healthy(port, server)
        except RuntimeError as error:
            sys.exit(f"soak: {error}")
        worker = worker_pid(server.pid)
        # Warm-up: imports, first-request setup and allocator arenas are not a leak.
        unexpected = send(port, WARM_UP_REQUESTS, args.connections, first=-WARM_UP_REQUESTS)
        before = resident_kib(worker)
        started = time.monotonic()
        unexpected += send(port, args.requests, args.connections)
        elapsed = time.monotonic() - started
        after = resident_kib(worker)
        if worker_pid(server.pid) != worker:
            unexpected.append("the worker process was replaced during the run")
    finally:
        server.terminate()
        wait_or_kill(server, timeout=10)

    growth = (after - before) / before
    print(f"requests:        {args.requests} over {args.connections} connections")
    print(f"elapsed:         {elapsed:.1f} s ({args.requests / elapsed:.0f} requests/s)")
    print(f"worker RSS:      {before / 1024:.1f} MiB before, {after / 1024:.1f} MiB after")
    print(f"growth:          {growth:+.1%} (limit {args.max_growth:.0%})")
    print(f"unexpected:      {len(unexpected)}")
    for problem in unexpected[:10]:
        print(f"  {problem}")
    return 0 if growth < args.max_growth and not unexpected else 1


if __name__ == "__main__":
    sys.exit(main())
