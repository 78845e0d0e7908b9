"""Driving load: wrk when installed, else the bundled Python generator (``loadgen.py``)."""

from __future__ import annotations

import http.client
import re
import subprocess
from pathlib import Path

from loadgen import LoadResult, Request, run_load

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
    loadgen: str, port: int, request: Request, connections: int, duration: float, scratch: Path
) -> LoadResult:
    """One run of the chosen load generator ("wrk" or "python")."""
    if loadgen == "wrk":
        return run_wrk(port, request, connections, duration, scratch)
    return run_load("127.0.0.1", port, request, connections=connections, duration=duration)


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
