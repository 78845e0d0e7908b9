"""How long another client's GET takes while clients stall mid-request, per server setting.

    .venv/bin/python bench/stall.py          # cookie-api, the previous settings, one WSGI thread

Each server runs one worker. A client sends ``--gets`` GET /cookies one after another on a
kept-alive connection, first alone, then while ``--stalled`` other connections sit idle, stop
halfway through their headers, or stop halfway through a POST body. The target: no GET takes
more than 100 ms. A GET that gets no answer in 2 s counts as stalled.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from servers import (
    BIN_DIR,
    Server,
    clean_env,
    our_app_under,
    previous_settings,
    start,
    stop,
    wait_until_serving,
)

from api.cli import server_settings
from api.liveness import free_port

TARGET_MS = 100
GET_TIMEOUT_S = 2
BODY = json.dumps({"name": "stalled", "value": "v"}).encode()
HEAD = (
    b"POST /cookies HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b"Content-Length: %d\r\n\r\n" % len(BODY)
)
STALLS = [b"", HEAD[:30], HEAD + BODY[: len(BODY) // 2]]


def servers_to_try() -> list[Server]:
    """cookie-api as shipped, Cookie API under the previous settings, and under one WSGI thread."""
    env = clean_env()
    one_thread = {**previous_settings(1), "blocking_threads": 1}
    return [
        Server("cookie-api", "Cookie API", "cookie-api", [str(BIN_DIR / "cookie-api")], env=env),
        Server(
            "previous",
            "Cookie API",
            "Granian WSGI, default threads (before)",
            our_app_under(previous_settings(1)),
            env=env,
        ),
        Server(
            "wsgi-1thread",
            "Cookie API",
            "Granian WSGI, blocking_threads=1",
            our_app_under(one_thread),
            env=env,
        ),
    ]


def get_latencies_ms(port: int, count: int) -> list[float]:
    """``count`` GETs on one connection; milliseconds each, or infinity for no answer in time."""
    latencies = []
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=GET_TIMEOUT_S)
    try:
        for _ in range(count):
            started = time.perf_counter()
            try:
                connection.request("GET", "/cookies", headers={"Cookie": "a=1"})
                connection.getresponse().read()
            except OSError:
                latencies.append(float("inf"))
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=GET_TIMEOUT_S)
                continue
            latencies.append((time.perf_counter() - started) * 1000)
    finally:
        connection.close()
    return latencies


def summary(latencies: list[float]) -> dict[str, float]:
    """Median, worst, and how many got no answer."""
    answered = [value for value in latencies if value != float("inf")]
    return {
        "median_ms": statistics.median(answered) if answered else float("inf"),
        "max_ms": max(latencies),
        "unanswered": len(latencies) - len(answered),
    }


def measure(server: Server, gets: int, stalled: int, scratch: Path) -> dict[str, Any]:
    """GET latencies alone and beside stalled clients, for one server."""
    port = free_port()
    log = scratch / f"{server.key}.log"
    process = start(server, port, log)
    try:
        wait_until_serving(server, port, process, log)
        get_latencies_ms(port, gets)  # warm-up
        alone = summary(get_latencies_ms(port, gets))
        sockets = []
        try:
            for number in range(stalled):
                sock = socket.create_connection(("127.0.0.1", port), timeout=10)
                sockets.append(sock)
                if STALLS[number % len(STALLS)]:
                    sock.sendall(STALLS[number % len(STALLS)])
            time.sleep(0.2)  # let the server take them up
            beside = summary(get_latencies_ms(port, gets))
        finally:
            for sock in sockets:
                sock.close()
    finally:
        stop(process)
    return {"server": server.server, "alone": alone, "beside_stalled": beside}


def main(argv: list[str] | None = None) -> int:
    """Measure every server, print the table; 1 if cookie-api misses the target."""
    parser = argparse.ArgumentParser(prog="bench/stall.py", description=__doc__.splitlines()[0])
    parser.add_argument("--gets", type=int, default=50, help="GETs per measurement")
    parser.add_argument("--stalled", type=int, default=6, help="stalled connections")
    parser.add_argument("--output", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="cookie-api-stall-"))
    results = {
        server.key: measure(server, args.gets, args.stalled, scratch) for server in servers_to_try()
    }
    print(
        f"\n{args.gets} GETs one after another; {args.stalled} stalled connections "
        f"(idle, half headers, half body); 1 worker; target: every GET within {TARGET_MS} ms.\n"
    )
    print("| server | alone: median / max ms | beside stalled: median / max ms | no answer |")
    print("|---|--:|--:|--:|")
    for result in results.values():
        alone, beside = result["alone"], result["beside_stalled"]
        print(
            f"| {result['server']} | {alone['median_ms']:.2f} / {alone['max_ms']:.1f} "
            f"| {beside['median_ms']:.2f} / {beside['max_ms']:.1f} "
            f"| {beside['unanswered']} of {args.gets} |"
        )
    if args.output:
        args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nSettings of cookie-api: {json.dumps(server_settings(1))}")
    return 0 if results["cookie-api"]["beside_stalled"]["max_ms"] <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
