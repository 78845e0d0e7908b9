"""A real ``cookie-api`` against clients that stall, spoof proxy headers or send odd requests."""

from __future__ import annotations

import http.client
import json
import resource
import selectors
import socket
import subprocess
import time
from pathlib import Path

import pytest
from werkzeug.test import EnvironBuilder, run_wsgi_app

from api.asgi import BODY_IDLE_TIMEOUT
from api.cli import CONNECTIONS_PER_WORKER
from api.liveness import free_port, wait_or_kill, wait_until_healthy
from tests.conftest import cookie_api_executable, require
from tests.raw_http import (
    PROBLEM_JSON,
    address,
    build_request,
    exchange,
    parse_response,
    server_processes,
)
from tests.test_live_server import HALF, POST_HEAD, SET_BODY

HALF_BODY = POST_HEAD + SET_BODY[:HALF]
STALLED = 1_200


def raise_open_file_limit(wanted: int) -> None:
    """Let this process hold ``wanted`` sockets (raising the soft limit up to the hard one)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return
    require(
        hard == resource.RLIM_INFINITY or hard >= wanted,
        f"the open-file limit ({hard}) is under the {wanted} sockets this test holds",
    )
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def read_until_closed(
    sockets: list[socket.socket], timeout: float
) -> dict[socket.socket, tuple[bytes, float]]:
    """Read every socket until the server closes it; for each closed within ``timeout``, what
    it received and when it was closed (``time.monotonic()``)."""
    started = time.monotonic()
    received = {sock: b"" for sock in sockets}
    closed: dict[socket.socket, tuple[bytes, float]] = {}
    with selectors.DefaultSelector() as selector:
        for sock in sockets:
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ)
        while len(closed) < len(sockets) and time.monotonic() - started < timeout:
            for key, _ in selector.select(timeout=0.5):
                sock = key.fileobj
                try:
                    chunk = sock.recv(65536)
                except BlockingIOError:
                    continue
                except ConnectionResetError:
                    chunk = b""
                received[sock] += chunk
                if not chunk:
                    closed[sock] = (received[sock], time.monotonic())
                    selector.unregister(sock)
    return closed


def test_1200_stalled_bodies_lock_no_one_out_and_are_answered_408_and_closed(start_server):
    """Each connection sends its headers and half its body, then nothing. Before, Granian held
    1,024 connections per worker and the adapter waited for ever: from the 1,025th on, no one
    got an answer, for ever."""
    raise_open_file_limit(STALLED + 256)
    server = start_server(workers=1)
    stalled = []
    last_byte: dict[socket.socket, float] = {}
    try:
        for _ in range(STALLED):
            sock = socket.create_connection(address(server), timeout=10)
            stalled.append(sock)
            sock.sendall(HALF_BODY)
            last_byte[sock] = time.monotonic()
        all_sent = time.monotonic()

        host, port = address(server)
        fresh = http.client.HTTPConnection(host, port, timeout=2)
        try:
            fresh.request("GET", "/healthz")
            answer = fresh.getresponse()
            assert (answer.status, answer.read()) == (200, b'{"status":"ok"}\n')
        finally:
            fresh.close()
        healthz_seconds = time.monotonic() - all_sent
        assert healthz_seconds < 2

        # Each stalled body is answered when it has sent nothing for BODY_IDLE_TIMEOUT: it was
        # 5.0 to 5.8 s after its last byte here, the worker answering 1,200 of them in turn.
        # Three seconds of margin, for a machine busy with other work.
        closed = read_until_closed(stalled, BODY_IDLE_TIMEOUT + 3 - (time.monotonic() - all_sent))
        assert len(closed) == STALLED, f"{STALLED - len(closed)} still open"
        waited = [at - last_byte[sock] for sock, (_, at) in closed.items()]
        assert BODY_IDLE_TIMEOUT - 0.1 < min(waited) <= max(waited) < BODY_IDLE_TIMEOUT + 3
        answers = [parse_response(data) for data, _ in closed.values()]
        assert {answer.status for answer in answers} == {408}
        assert {tuple(answer.header("content-type")) for answer in answers} == {(PROBLEM_JSON,)}
        assert {tuple(answer.header("connection")) for answer in answers} == {("close",)}
        assert answers[0].json()["status"] == 408
    finally:
        for sock in stalled:
            sock.close()
    # The worker is free again: every connection was let go.
    assert exchange(server, build_request("GET", b"/healthz")).status == 200


SPOOFED = [
    (b"X-Forwarded-Host", b"api.good.example"),
    (b"X-Forwarded-Proto", b"https"),
    (b"X_Forwarded_Host", b"www.evil.example"),
    (b"X_Forwarded_Proto", b"http"),
    (b"Content-Type", b"application/json"),
]


@pytest.fixture(scope="module")
def behind_one_proxy(start_server) -> str:
    return start_server(TRUSTED_PROXIES="1", HIDDEN_COOKIES='["session"]')


def test_underscore_headers_cannot_spoof_what_the_proxy_set(behind_one_proxy):
    """A proxy that passes underscore headers (Envoy, HAProxy, Traefik, Caddy) set the
    X-Forwarded-* pair; the client added X_Forwarded_*. WSGI spelled both the same and ProxyFix
    believed the client's: a cookie for evil.example was set (201), not Secure."""
    spoof = json.dumps({"name": "a", "value": "1", "domain": "evil.example"}).encode()
    answer = exchange(behind_one_proxy, build_request("POST", b"/cookies", SPOOFED, spoof))
    assert answer.status == 400
    assert [item["code"] for item in answer.json()["findings"]] == ["domain_mismatch"]

    plain = json.dumps({"name": "a", "value": "1"}).encode()
    answer = exchange(behind_one_proxy, build_request("POST", b"/cookies", SPOOFED, plain))
    assert answer.status == 201
    assert answer.json()["secure"] is True  # the proxy's https, not the client's http


def test_two_cookie_lines_are_two_cookies_and_hide_the_hidden_one(behind_one_proxy):
    """Joined with "," they read as one cookie a = "1,session=SECRET": the hidden cookie's
    value was shown."""
    lines = [(b"Cookie", b"a=1"), (b"Cookie", b"session=SECRET"), (b"Cookie", b"b=2")]
    answer = exchange(behind_one_proxy, build_request("GET", b"/cookies", lines))
    assert answer.status == 200
    assert answer.json()["cookies"] == [
        {"name": "a", "value": "1", "signature": "none"},
        {"name": "b", "value": "2", "signature": "none"},
    ]
    assert b"SECRET" not in answer.body


BAD_HOST = "The Host header is not a valid host name."


def without_host(method: str, target: bytes) -> bytes:
    return method.encode() + b" " + target + b" HTTP/1.1\r\nConnection: close\r\n\r\n"


def two_hosts(method: str, target: bytes) -> bytes:
    return build_request(method, target, [(b"Host", b"evil.example")])


@pytest.mark.parametrize(
    "request_bytes",
    [
        without_host("GET", b"/healthz"),
        two_hosts("GET", b"/healthz"),
        build_request("GET", b"/cookies", host=b"good@evil"),
        build_request("GET", b"/cookies", host=b"a.com:99999"),
        build_request("GET", b"/cookies", host=b"a.com:0"),
    ],
    ids=["no-host", "two-hosts", "userinfo", "port-too-large", "port-zero"],
)
def test_a_missing_repeated_or_malformed_host_is_the_documented_400(live_server, request_bytes):
    answer = exchange(live_server, request_bytes)
    assert answer.status == 400
    assert answer.header("content-type") == [PROBLEM_JSON]
    assert answer.json()["detail"] == BAD_HOST


@pytest.mark.parametrize(
    "host", [b"127.0.0.1", b"localhost:8000", b"[::1]:8000", b"xn--bcher-kva.example"]
)
def test_a_good_host_is_served(live_server, host):
    assert exchange(live_server, build_request("GET", b"/healthz", host=host)).status == 200


def test_a_doubled_slash_is_a_404_problem_not_a_redirect_to_nowhere(live_server):
    """Werkzeug merged the slashes into a 308 whose problem body had no Location."""
    answer = exchange(live_server, build_request("GET", b"/cookies//x", [(b"Cookie", b"x=1")]))
    assert answer.status == 404
    assert answer.header("content-type") == [PROBLEM_JSON]
    assert answer.header("location") == []


@pytest.mark.parametrize(
    ("method", "target", "status"),
    [("OPTIONS", b"/cookies", 200), ("OPTIONS", b"/", 200), ("GET", b"/", 302)],
)
def test_options_and_the_root_answer_no_html(live_server, method, target, status):
    answer = exchange(live_server, build_request(method, target))
    assert answer.status == status
    assert answer.header("content-type") == []
    assert answer.body == b""
    if status == 302:
        assert answer.header("location") == ["/docs"]
    else:
        assert "GET" in answer.header("allow")[0]


@pytest.mark.parametrize("method", ["get", "Post", "delete"])
def test_a_method_not_in_upper_case_is_refused(live_server, method):
    """Methods are case-sensitive (RFC 9110 §9.1); Werkzeug upper-cased "get" and served it."""
    answer = exchange(live_server, build_request(method, b"/cookies", [(b"Cookie", b"a=1")]))
    assert answer.status == 501
    assert answer.header("content-type") == [PROBLEM_JSON]
    assert b'"a"' not in answer.body


def open_file_limit(pid: int) -> int:
    """The soft open-file limit of a process (Linux)."""
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max open files"):
            return int(line.split()[3])
    raise AssertionError(f"no open-file limit for {pid}")


def test_the_server_raises_its_open_file_limit_for_its_connections(tmp_path):
    """Started with the soft limit of 1,024 that many systems give, a worker could not hold its
    2,048 connections: Granian raises the soft limit to the hard one, for itself and its
    workers (api/cli.py relies on it)."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    require(
        hard == resource.RLIM_INFINITY or hard > CONNECTIONS_PER_WORKER + 256,
        f"the hard open-file limit ({hard}) is too low for a worker's connections",
    )
    port = free_port()
    log = tmp_path / "cookie-api.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [cookie_api_executable(), "--port", str(port), "--workers", "2"],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (1024, hard)),
        )
    try:
        wait_until_healthy(port, process, log)
        pids = server_processes(f"http://127.0.0.1:{port}")
        assert len(pids) == 3  # the server and its two workers
        assert {open_file_limit(pid) for pid in pids} == {hard}
    finally:
        process.terminate()
        wait_or_kill(process, timeout=20)


@pytest.mark.parametrize(
    ("protocol", "status"), [("HTTP/1.1", 400), ("HTTP/1.0", 200)], ids=["1.1", "1.0"]
)
def test_only_http_1_0_may_leave_host_out(app, protocol, status):
    """RFC 9112 §3.2: an HTTP/1.1 request without Host is a 400; HTTP/1.0 has no Host."""
    environ = EnvironBuilder(path="/healthz").get_environ()
    del environ["HTTP_HOST"]
    environ["SERVER_PROTOCOL"] = protocol
    _, answered, _ = run_wsgi_app(app, environ, buffered=True)
    assert int(answered.split()[0]) == status


def test_a_lower_case_method_is_refused_by_the_app_under_any_server(client):
    response = client.open("/healthz", method="get")
    assert response.status_code == 501
    assert response.content_type == PROBLEM_JSON
