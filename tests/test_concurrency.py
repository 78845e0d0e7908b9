"""A burst of mixed requests over 32 connections: each answer carries its own request's values."""

from __future__ import annotations

import http.client
import json
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest

from tests.raw_http import address

CONNECTIONS = 32
# Each exchange is one POST and one GET: 2 x 32 x 32 = 2,048 requests.
EXCHANGES_PER_CONNECTION = 32
# Generous: a stuck request fails the test instead of hanging the suite.
DEADLINE_SECONDS = 120


@pytest.fixture(scope="module")
def burst_server(start_server) -> str:
    return start_server(workers=2, SECRET_KEY="burst-secret")


def one_connection(
    base_url: str, connection_id: int, start: threading.Barrier
) -> tuple[int, list[str]]:
    """POST a unique cookie, then GET it back with a unique neighbour.

    Returns how many answers were checked, and every mismatch.
    """
    checked = 0
    mismatches = []
    connection = http.client.HTTPConnection(*address(base_url), timeout=30)
    start.wait()
    try:
        for exchange in range(EXCHANGES_PER_CONNECTION):
            token = secrets.token_hex(8)
            name = f"c{connection_id}_{exchange}_{token}"
            value = f"{token} é; {connection_id}/{exchange}"
            signed = exchange % 2 == 0
            body = json.dumps({"name": name, "value": value, "signed": signed})
            connection.request("POST", "/cookies", body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            created = json.loads(response.read())
            checked += 1
            set_cookie = response.getheader("Set-Cookie", "")
            if (
                response.status != 201
                or (created["name"], created["value"]) != (name, value)
                or created["set_cookie"] != set_cookie
                or not set_cookie.startswith(f"{name}=")
                or response.getheader("Location") != f"/cookies/{quote(name)}"
            ):
                mismatches.append(f"POST {name}: {response.status} {created} {set_cookie}")
                continue

            neighbour = f"n{connection_id}_{exchange}={token}"
            pair = set_cookie.split("; ")[0]
            connection.request("GET", "/cookies", headers={"Cookie": f"{neighbour}; {pair}"})
            response = connection.getresponse()
            listed = json.loads(response.read())
            checked += 1
            expected = {
                "cookies": [
                    {"name": f"n{connection_id}_{exchange}", "value": token, "signature": "none"},
                    {"name": name, "value": value, "signature": "valid" if signed else "none"},
                ]
            }
            if response.status != 200 or listed != expected:
                mismatches.append(f"GET {name}: {response.status} {listed}")
    finally:
        connection.close()
    return checked, mismatches


def test_a_burst_of_2048_requests_mixes_nothing(burst_server):
    start = threading.Barrier(CONNECTIONS)
    with ThreadPoolExecutor(max_workers=CONNECTIONS) as pool:
        futures = [
            pool.submit(one_connection, burst_server, connection_id, start)
            for connection_id in range(CONNECTIONS)
        ]
        results = [future.result(timeout=DEADLINE_SECONDS) for future in futures]
    assert [mismatch for _, mismatches in results for mismatch in mismatches] == []
    assert sum(checked for checked, _ in results) == 2 * CONNECTIONS * EXCHANGES_PER_CONNECTION
