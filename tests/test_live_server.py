"""The real ``cookie-api`` process, spoken to over HTTP on a loopback port."""

from __future__ import annotations

import http.client
import json
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from api.liveness import free_port, wait_or_kill, wait_until_healthy
from tests.conftest import cookie_api_executable
from tests.raw_http import PROBLEM_JSON, address, build_request, exchange, is_healthy


def request(base_url: str, method: str, path: str, body: object = None, headers=None):
    """One HTTP exchange; returns status, headers (lower-case names, repeated kept) and body."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    payload = None if body is None else json.dumps(body).encode()
    all_headers = {"Content-Type": "application/json"} if payload is not None else {}
    all_headers.update(headers or {})
    connection.request(method, path, body=payload, headers=all_headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, [(k.lower(), v) for k, v in response.getheaders()], data


def header(headers, name: str) -> list[str]:
    return [value for key, value in headers if key == name]


def test_set_list_read_delete_over_http(live_server):
    value = '"; , \\ % é 🍪 and spaces'
    status, headers, data = request(
        live_server, "POST", "/cookies", {"name": "live", "value": value, "signed": True}
    )
    assert status == 201
    assert len(header(headers, "set-cookie")) == 1
    assert header(headers, "location") == ["/cookies/live"]
    pair = header(headers, "set-cookie")[0].split(";")[0]
    assert json.loads(data)["set_cookie"] == header(headers, "set-cookie")[0]

    status, _, data = request(live_server, "GET", "/cookies", headers={"Cookie": f"x=1; {pair}"})
    assert status == 200
    assert json.loads(data)["cookies"][1] == {"name": "live", "value": value, "signature": "valid"}

    status, _, data = request(live_server, "GET", "/cookies/live", headers={"Cookie": pair})
    assert (status, json.loads(data)["value"]) == (200, value)

    status, headers, data = request(live_server, "DELETE", "/cookies/live")
    assert status == 200
    assert json.loads(data)["set_cookie"] == header(headers, "set-cookie")[0]
    assert "Max-Age=0" in header(headers, "set-cookie")[0]


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/nowhere", None, 404),
        ("PATCH", "/cookies", None, 405),
        ("POST", "/cookies", {"name": "a b", "value": "x"}, 400),
        ("POST", "/cookies", ["not", "an", "object"], 400),
        ("GET", "/cookies/absent", None, 404),
    ],
)
def test_errors_are_problem_json_over_http(live_server, method, path, body, status):
    got, headers, data = request(live_server, method, path, body)

    assert got == status
    assert header(headers, "content-type") == ["application/problem+json"]
    assert json.loads(data)["status"] == status


def test_body_over_the_limit_is_413_over_http(live_server):
    status, headers, _ = request(
        live_server, "POST", "/cookies", {"name": "a", "value": "x" * 70_000}
    )
    assert status == 413
    assert header(headers, "content-type") == ["application/problem+json"]


def test_docs_and_spec_are_served(live_server):
    status, headers, data = request(live_server, "GET", "/openapi.json")
    assert status == 200
    assert json.loads(data)["openapi"].startswith("3.0")
    status, _, page = request(live_server, "GET", "/docs")
    assert status == 200
    assert b"openapi.json" in page
    status, headers, _ = request(live_server, "GET", "/")
    assert status in (301, 302, 308)
    assert header(headers, "location") == ["/docs"]


@pytest.mark.parametrize("host", [b"a..b", b"a" * 64 + b".example"], ids=["empty-label", "long"])
def test_a_host_that_is_no_host_name_is_a_400_problem_over_http(
    start_server, tmp_path_factory, host
):
    """Each such request was a 500 with an empty body and a 29-line traceback in the log."""
    server = start_server()
    for path in (b"/healthz", b"/cookies", b"/docs"):
        response = exchange(server, build_request("GET", path, host=host))
        assert response.status == 400
        assert response.header("content-type") == [PROBLEM_JSON]
        assert response.json()["detail"] == "The Host header is not a valid host name."
    assert is_healthy(server)
    port = address(server)[1]
    logs = list(tmp_path_factory.getbasetemp().glob(f"servers*/cookie-api-{port}.log"))
    assert logs
    for log in logs:
        assert "Traceback" not in log.read_text(errors="replace")


def test_a_cookie_header_with_raw_utf8_lists_every_cookie(live_server):
    """Page script can store raw UTF-8 (``document.cookie = "n=café"``) and Chromium sends it
    back as it is: no cookie of the request may be lost over it."""
    header = "a=1; n=café; e=🍪; b=2".encode()
    response = exchange(live_server, build_request("GET", b"/cookies", [(b"Cookie", header)]))
    assert response.status == 200
    assert response.json()["cookies"] == [
        {"name": "a", "value": "1", "signature": "none"},
        {"name": "n", "value": "café", "signature": "none"},
        {"name": "e", "value": "🍪", "signature": "none"},
        {"name": "b", "value": "2", "signature": "none"},
    ]


SET_BODY = json.dumps({"name": "stalled", "value": "v"}).encode()
POST_HEAD = (
    b"POST /cookies HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b"Content-Length: %d\r\n\r\n" % len(SET_BODY)
)
HALF = len(SET_BODY) // 2
# What a stalled client sent before it stopped, and what it sends when it goes on.
STALLS = {
    "idle": (b"", POST_HEAD + SET_BODY),
    "half-headers": (POST_HEAD[:30], POST_HEAD[30:] + SET_BODY),
    "half-body": (POST_HEAD + SET_BODY[:HALF], SET_BODY[HALF:]),
}


def still_open(sock: socket.socket) -> bool:
    """Whether the server has neither answered nor closed the connection."""
    sock.setblocking(False)
    try:
        return sock.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    finally:
        sock.setblocking(True)


@pytest.mark.parametrize("stall", STALLS, ids=str)
def test_a_stalled_client_holds_up_no_one_else(start_server, stall):
    """A client that stops mid-request does not stop the worker: another client's requests are
    answered while the stalled connection stays open, and then the stalled one completes.
    (How long the other requests take is measured in bench/, not asserted here.)"""
    server = start_server(workers=1)
    sent_first, sent_later = STALLS[stall]
    with socket.create_connection(address(server), timeout=10) as stalled:
        stalled.sendall(sent_first)
        for _ in range(5):
            status, _, data = request(server, "GET", "/cookies", headers={"Cookie": "a=1"})
            assert (status, json.loads(data)["cookies"][0]["value"]) == (200, "1")
        assert still_open(stalled)
        stalled.sendall(sent_later)
        assert stalled.recv(65536).startswith(b"HTTP/1.1 201 ")


@pytest.mark.parametrize(
    "request_line",
    [b"GARBAGE", b"GET / HTTP/9.Z", b"GET /healthz", b"GET / HTTP/1.1 extra", b"GET / HTTP/2.0"],
    ids=["junk", "unknown-version", "no-version", "extra-word", "h2-over-h1"],
)
def test_a_malformed_request_line_is_a_bare_400(live_server, request_line):
    response = exchange(live_server, request_line + b"\r\nHost: 127.0.0.1\r\n\r\n")
    assert response.status == 400
    assert response.body == b""
    assert not any(char.isdigit() for value in response.header("server") for char in value)


@pytest.fixture
def own_server(tmp_path) -> Iterator[tuple[int, subprocess.Popen, Path]]:
    """A cookie-api process of this test's own: its port, the process, and its output.

    One worker, so that answering /healthz means every worker has started: a stop signal that
    lands while a worker still starts makes Granian kill it after a timeout, with a warning.
    """
    port = free_port()
    log = tmp_path / "cookie-api.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [cookie_api_executable(), "--port", str(port), "--workers", "1"],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its workers are killed with it (wait_or_kill)
        )
    try:
        wait_until_healthy(port, process, log)
        yield port, process, log
    finally:
        if process.poll() is None:
            process.terminate()
        wait_or_kill(process, timeout=20)


def wait_until_refused(port: int, timeout: float = 20) -> None:
    """Wait until the server stops accepting connections: it has begun to shut down."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            return
        time.sleep(0.05)
    raise AssertionError(f"port {port} still accepts connections {timeout} s after SIGTERM")


def test_sigterm_lets_the_request_in_flight_complete(own_server):
    port, process, _ = own_server
    with socket.create_connection(("127.0.0.1", port), timeout=10) as in_flight:
        in_flight.sendall(POST_HEAD + SET_BODY[:HALF])
        # Let the server take up the request before the signal; the outcome, not the pause,
        # is what is checked.
        time.sleep(1)
        process.send_signal(signal.SIGTERM)
        wait_until_refused(port)
        in_flight.sendall(SET_BODY[HALF:])
        answer = in_flight.recv(65536)
    assert answer.startswith(b"HTTP/1.1 201 ")
    assert b"\r\nset-cookie: stalled=v; Path=/; HttpOnly; SameSite=Lax\r\n" in answer
    assert process.wait(timeout=20) == 0


def test_start_up_prints_where_the_docs_are_and_no_warning(own_server):
    port, process, log = own_server
    process.terminate()
    process.wait(timeout=20)
    first, *others = log.read_text().splitlines()
    assert first == f"Cookie API docs at http://127.0.0.1:{port}/docs"
    # The rest is Granian's own log: one "[INFO] ..." line per event, starting and stopping.
    assert others
    assert [line for line in others if not line.startswith("[INFO] ")] == []
