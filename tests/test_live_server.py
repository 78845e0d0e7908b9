"""The real ``cookie-api`` process, spoken to over HTTP on a loopback port."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import pytest

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
    assert (status, data) == (204, b"")
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


def test_server_announces_no_library_versions(live_server):
    _, headers, _ = request(live_server, "GET", "/healthz")
    assert header(headers, "x-content-type-options") == ["nosniff"]
    for value in header(headers, "server"):
        assert not any(ch.isdigit() for ch in value), value


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
