"""Hostile input: every attack gets a 4xx, never a 5xx, a hang, a dead worker or a forged header.

Bodies, paths and query strings go through the app (test client) and through a real server, whose
worker processes are watched: after every case /healthz answers and no worker was replaced.
What only the HTTP server sees (raw Cookie headers, Content-Length, chunked framing, Host) goes to
the real server alone, over raw sockets.

Cases the app accepts on purpose assert the documented success instead, marked "accepted":

| case | answer | why |
|---|---|---|
| CR/LF or ";" in `value` | 201 | any Unicode value is allowed; it is percent-encoded |
| NUL in `value` | 201 | the same: it goes on the wire as `%00` |
| `application/json; charset=utf-8` | 201 | UTF-8 is what JSON is |
| `application/problem+json` and other `+json` | 201 | documented: any `+json` type |
| IDN domain | 201 | normalised to its lower-case A-label, as browsers store it |
| a Cookie header with 3,000 cookies | 200 | all listed, in order |
| malformed Cookie headers | 200 | parsed leniently, as browsers send them |
| chunked body under the limit | 201 | HTTP/1.1 framing like any other |
"""

from __future__ import annotations

import json
import string
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest

from api import create_app
from tests.conftest import require
from tests.raw_http import (
    PROBLEM_JSON,
    RawResponse,
    build_request,
    chunked,
    exchange,
    is_healthy,
    parse_response,
    server_processes,
)

# High enough that the parser, not the size limit, meets the 50,000-level nesting.
HOSTILE_LIMIT = 1024 * 1024
DEFAULT_LIMIT = 64 * 1024
IDN_HOST = "www.xn--bcher-kva.example"
SET_COOKIE_ATTRIBUTES = ("Domain", "Path", "Expires", "Max-Age", "SameSite")
SET_COOKIE_FLAGS = ("Secure", "HttpOnly", "Partitioned")
# What encodeURIComponent emits, and "$" and "." of a signed value.
WIRE_VALUE_CHARACTERS = set(string.ascii_letters + string.digits + "%-_.!~*'()$")


@dataclass(frozen=True)
class Answer:
    status: int | None
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key == name.lower()]

    def json(self) -> Any:
        return json.loads(self.body)


Send = Callable[..., Answer]


@pytest.fixture(scope="module")
def hostile_server(start_server) -> str:
    require(Path("/proc").is_dir(), "/proc is needed to watch the worker processes")
    return start_server(SECRET_KEY="hostile-secret", MAX_CONTENT_LENGTH=str(HOSTILE_LIMIT))


@pytest.fixture
def server(hostile_server) -> str:
    """The hostile server; afterwards it must still answer with the very same processes."""
    before = server_processes(hostile_server)
    assert len(before) == 2, f"expected the main process and one worker, found {before}"
    yield hostile_server
    assert is_healthy(hostile_server), "/healthz no longer answers"
    assert server_processes(hostile_server) == before, "a worker process died or was replaced"


def _app_sender() -> Send:
    app = create_app({"TESTING": True, "SECRET_KEY": "hostile-secret"})
    app.config["MAX_CONTENT_LENGTH"] = HOSTILE_LIMIT
    client = app.test_client(use_cookies=False)

    def send(method: str, target: str, headers=(), body: bytes | None = None, host=None) -> Answer:
        all_headers = list(headers) + ([("Host", host)] if host else [])
        response = client.open(target, method=method, headers=all_headers, data=body)
        pairs = [(key.lower(), value) for key, value in response.headers.items()]
        return Answer(response.status_code, pairs, response.get_data())

    return send


def _server_sender(base_url: str) -> Send:
    def send(method: str, target: str, headers=(), body: bytes | None = None, host=None) -> Answer:
        raw_headers = [(name.encode(), value.encode("utf-8")) for name, value in headers]
        request = build_request(
            method, target.encode(), raw_headers, body, host=(host or "127.0.0.1").encode()
        )
        response = exchange(base_url, request)
        return Answer(response.status, response.headers, response.body)

    return send


@pytest.fixture(params=["app", "server"])
def send(request) -> Send:
    """Send one request through the test client, or to the watched real server."""
    if request.param == "app":
        return _app_sender()
    return _server_sender(request.getfixturevalue("server"))


def assert_sane(answer: Answer) -> None:
    """What holds for every answer to a hostile request: no 5xx, no forged header."""
    assert answer.status is not None, "the server closed the connection without answering"
    assert answer.status < 500, answer.body
    assert not answer.header("x-injected")
    set_cookies = answer.header("set-cookie")
    assert len(set_cookies) <= 1
    for header in set_cookies:
        assert_well_formed_set_cookie(header)


def assert_well_formed_set_cookie(header: str) -> list[str]:
    """One name=value pair then known attributes, each once; returns the attributes."""
    assert "\r" not in header and "\n" not in header and "\0" not in header
    pair, *attributes = header.split("; ")
    name, _, value = pair.partition("=")
    assert name and ";" not in value and " " not in value
    assert set(value) <= WIRE_VALUE_CHARACTERS, value
    keys = [attribute.partition("=")[0] for attribute in attributes]
    assert len(keys) == len(set(keys)), f"an attribute appears twice: {header}"
    for attribute in attributes:
        key, eq, _ = attribute.partition("=")
        assert key in (SET_COOKIE_ATTRIBUTES if eq else SET_COOKIE_FLAGS), header
    return attributes


def assert_problem(answer: Answer, status: int, fields: set[str] | None = None) -> dict:
    """A problem+json answer of ``status``; for a 400, ``errors`` names exactly ``fields``."""
    assert_sane(answer)
    assert answer.status == status, answer.body
    assert answer.header("content-type") == [PROBLEM_JSON]
    assert answer.header("x-content-type-options") == ["nosniff"]
    assert not answer.header("set-cookie")
    problem = answer.json()
    assert problem["status"] == status
    assert problem["title"] and problem["detail"]
    if fields is not None:
        assert set(problem["errors"]) == fields, problem
    return problem


def assert_server_refusal(response: RawResponse, statuses=(400, 431)) -> None:
    """Granian's own clean refusal: the app never saw the request."""
    assert response.status in statuses, response.raw[:300]
    assert response.body == b""


def post(send: Send, body: bytes, host: str | None = None) -> Answer:
    return send("POST", "/cookies", [("Content-Type", "application/json")], body, host=host)


def cookie_body(**fields: Any) -> bytes:
    return json.dumps({"name": "probe", "value": "v", **fields}).encode()


def nested(depth: int, opening: str, closing: str, inner: str = "") -> bytes:
    return (opening * depth + inner + closing * depth).encode()


NULL_FIELDS = {
    "name", "value", "max_age", "expires", "path", "domain",
    "secure", "httponly", "samesite", "partitioned", "signed",
}  # fmt: skip

# (id, body, Content-Type, expected status, fields named in `errors` for a 400)
BODY_CASES = [
    ("nested-array-50000", nested(50_000, "[", "]"), None, 400, {"_body"}),
    ("nested-object-50000", nested(50_000, '{"a":', "}", "1"), None, 400, {"_body"}),
    ("integer-5000-digits", b'{"name":"a","value":"b","max_age":' + b"9" * 5000 + b"}",
     None, 400, {"_body"}),
    ("negative-integer-5000-digits", b'{"name":"a","value":"b","max_age":-' + b"9" * 5000 + b"}",
     None, 400, {"_body"}),
    ("integer-5000-digits-as-value", b'{"name":"a","value":' + b"1" * 5000 + b"}",
     None, 400, {"_body"}),
    ("fraction-5000-digits", b'{"name":"a","value":"b","max_age":1.' + b"5" * 5000 + b"}",
     None, 400, {"max_age"}),
    ("1e308", b'{"name":"a","value":"b","max_age":1e308}', None, 400, {"max_age"}),
    ("-1e308", b'{"name":"a","value":"b","max_age":-1e308}', None, 400, {"max_age"}),
    ("1e999-overflows", b'{"name":"a","value":"b","max_age":1e999}', None, 400, {"max_age"}),
    ("1e308-as-value", b'{"name":"a","value":1e308}', None, 400, {"value"}),
    ("NaN", b'{"name":"a","value":"b","max_age":NaN}', None, 400, {"_body"}),
    ("Infinity", b'{"name":"a","value":"b","max_age":Infinity}', None, 400, {"_body"}),
    ("-Infinity", b'{"name":"a","value":"b","max_age":-Infinity}', None, 400, {"_body"}),
    ("null-body", b"null", None, 400, {"_body"}),
    ("null-every-field", json.dumps(dict.fromkeys(NULL_FIELDS)).encode(), None, 400, NULL_FIELDS),
    ("duplicate-keys", b'{"name":"a","value":"b","name":"c"}', None, 400, {"_body"}),
    ("duplicate-keys-nested", b'{"name":"a","value":"b","x":{"k":1,"k":2}}', None, 400,
     {"_body"}),
    ("lone-surrogate-value", cookie_body(value="\ud800"), None, 400, {"value"}),
    ("lone-low-surrogate-value", cookie_body(value="a\udc00b"), None, 400, {"value"}),
    ("lone-surrogate-name", cookie_body(name="\ud800"), None, 400, {"name"}),
    ("lone-surrogate-path", cookie_body(path="/\ud800"), None, 400, {"path"}),
    ("lone-surrogate-domain", cookie_body(domain="\ud800.example"), None, 400, {"domain"}),
    ("lone-surrogate-samesite", cookie_body(samesite="\ud800"), None, 400, {"samesite"}),
    ("lone-surrogate-key", b'{"name":"a","value":"b","\\ud800":1}', None, 400, {"\ud800"}),
    ("nul-in-name", cookie_body(name="a\0b"), None, 400, {"name"}),
    ("nul-in-path", cookie_body(path="/\0"), None, 400, {"path"}),
    ("nul-in-domain", cookie_body(domain="a\0.example"), None, 400, {"domain"}),
    ("raw-nul-byte-in-json-string", b'{"name":"a","value":"b\x00"}', None, 400, {"_body"}),
    ("raw-crlf-in-json-string", b'{"name":"a","value":"b\r\nX-Injected: 1"}', None, 400,
     {"_body"}),
    ("utf8-bom", b"\xef\xbb\xbf" + cookie_body(), None, 400, {"_body"}),
    ("utf16-with-bom", "\ufeff".encode("utf-16-le") + cookie_body().decode().encode("utf-16-le"),
     None, 400, {"_body"}),
    ("invalid-utf8", b'{"name":"a","value":"\xc3\x28"}', None, 400, {"_body"}),
    ("form", b"name=a&value=b", "application/x-www-form-urlencoded", 415, None),
    ("multipart", b'--X\r\nContent-Disposition: form-data; name="name"\r\n\r\na\r\n--X--\r\n',
     "multipart/form-data; boundary=X", 415, None),
    ("text-plain", cookie_body(), "text/plain", 415, None),
    ("no-content-type", cookie_body(), "", 415, None),
    ("json-charset-latin-1", cookie_body(), "application/json; charset=latin-1", 415, None),
    ("json-charset-utf-16", cookie_body(), "application/json; charset=utf-16", 415, None),
    ("json-prefix-not-a-json-type", cookie_body(), "application/jsonx", 415, None),
    ("empty-body", b"", None, 400, {"_body"}),
    ("array-body", b"[]", None, 400, {"_body"}),
    ("boolean-body", b"true", None, 400, {"_body"}),
    ("number-body", b"1", None, 400, {"_body"}),
    ("string-body", b'"name=a"', None, 400, {"_body"}),
    ("name-20000-characters", cookie_body(name="n" * 20_000), None, 400, {"name"}),
]  # fmt: skip
# Domains no browser would store from this host, each a 400 that names the domain.
HOSTILE_DOMAINS = {
    "idn-domain-from-another-host": "bücher.example",
    "invalid-punycode-domain": "xn--a.example",
    "empty-label-domain": "a..example",
    "ipv6-domain": "::1",
    "bracketed-ipv6-domain": "[::1]",
    "ipv4-mapped-ipv6-domain": "::ffff:127.0.0.1",
}
BODY_CASES += [
    (case, cookie_body(domain=domain), None, 400, {"domain"})
    for case, domain in HOSTILE_DOMAINS.items()
]


@pytest.mark.parametrize(
    ("body", "content_type", "status", "fields"),
    [pytest.param(*case[1:], id=case[0]) for case in BODY_CASES],
)
def test_hostile_body_is_refused(send, body, content_type, status, fields):
    headers = [] if content_type == "" else [("Content-Type", content_type or "application/json")]
    assert_problem(send("POST", "/cookies", headers, body), status, fields)


INJECTIONS = {
    "crlf": "\r\nX-Injected: 1",
    "lf": "\nX-Injected: 1",
    "cr": "\rX-Injected: 1",
    "crlf-set-cookie": "\r\nSet-Cookie: injected=1; Domain=evil.example",
    "semicolon": "; Domain=evil.example",
    "semicolon-flag": ";Secure;HttpOnly",
}
# A valid value for each string field, to which the injection is appended.
STRING_FIELDS = {
    "name": "probe",
    "path": "/",
    "domain": "example.com",
    "samesite": "Lax",
    "expires": "2030-01-01T00:00:00Z",
}


@pytest.mark.parametrize("injection", INJECTIONS.values(), ids=INJECTIONS.keys())
@pytest.mark.parametrize("field", STRING_FIELDS)
def test_injection_in_a_string_field_is_refused(send, field, injection):
    body = cookie_body(**{field: STRING_FIELDS[field] + injection})
    assert_problem(post(send, body), 400, {field})


@pytest.mark.parametrize("injection", INJECTIONS.values(), ids=INJECTIONS.keys())
def test_injection_in_the_value_is_accepted_and_cannot_escape(send, injection):
    """Accepted: any value is allowed, and percent-encoding keeps it inside the cookie."""
    value = "v" + injection
    answer = post(send, cookie_body(value=value))
    assert_sane(answer)
    assert answer.status == 201
    [header] = answer.header("set-cookie")
    pair, *attributes = header.split("; ")
    assert attributes == ["Path=/", "HttpOnly", "SameSite=Lax"]
    assert unquote(pair.removeprefix("probe="), errors="strict") == value
    assert answer.json()["set_cookie"] == header
    assert answer.json()["value"] == value


@pytest.mark.parametrize("injection", INJECTIONS.values(), ids=INJECTIONS.keys())
@pytest.mark.parametrize("parameter", ["path", "domain", "partitioned"])
def test_injection_in_a_delete_query_parameter_is_refused(send, parameter, injection):
    base = {"path": "/", "domain": "example.com", "partitioned": "true"}[parameter]
    target = f"/cookies/probe?{parameter}={quote(base + injection, safe='')}"
    assert_problem(send("DELETE", target), 400, {parameter})


@pytest.mark.parametrize("injection", INJECTIONS.values(), ids=INJECTIONS.keys())
def test_injection_in_the_delete_name_is_refused(send, injection):
    assert_problem(send("DELETE", "/cookies/" + quote("probe" + injection, safe="")), 400, {"name"})


@pytest.mark.parametrize("injection", INJECTIONS.values(), ids=INJECTIONS.keys())
def test_injection_in_the_read_name_is_not_found(send, injection):
    name = "probe" + injection
    cookie = [("Cookie", "probe=v")]
    problem = assert_problem(send("GET", "/cookies/" + quote(name, safe=""), cookie), 404)
    assert repr(name) in problem["detail"]


def test_nul_in_the_value_is_accepted_as_percent_encoded(send):
    """Accepted: NUL is a character like any other in a value; it travels as %00."""
    answer = post(send, cookie_body(value="a\0b"))
    assert_sane(answer)
    assert answer.status == 201
    assert answer.header("set-cookie") == ["probe=a%00b; Path=/; HttpOnly; SameSite=Lax"]


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json; charset=utf-8",
        "application/json; charset=UTF-8",
        "application/json;charset=utf8",
        "application/problem+json",
        "application/merge-patch+json",
        "APPLICATION/JSON",
    ],
)
def test_json_content_types_are_accepted(send, content_type):
    """Accepted: UTF-8 JSON under any JSON media type (documented: any +json type)."""
    answer = send("POST", "/cookies", [("Content-Type", content_type)], cookie_body())
    assert_sane(answer)
    assert answer.status == 201
    assert answer.header("set-cookie") == ["probe=v; Path=/; HttpOnly; SameSite=Lax"]


@pytest.mark.parametrize(
    "domain", ["bücher.example", "BÜCHER.Example", "xn--bcher-kva.example", ".bücher.example"]
)
def test_idn_domains_are_normalised(send, domain):
    """Accepted: an IDN domain is stored as its lower-case A-label, as browsers store it."""
    answer = post(send, cookie_body(domain=domain), host=IDN_HOST)
    assert_sane(answer)
    assert answer.status == 201
    assert answer.json()["domain"] == "xn--bcher-kva.example"
    assert "Domain=xn--bcher-kva.example" in answer.header("set-cookie")[0].split("; ")


def test_idn_domain_of_delete_is_normalised(send):
    answer = send("DELETE", "/cookies/probe?domain=" + quote("BÜCHER.example"), host=IDN_HOST)
    assert_sane(answer)
    assert answer.status == 200
    assert "Domain=xn--bcher-kva.example" in answer.header("set-cookie")[0].split("; ")


@pytest.mark.parametrize("host", ["[::1]", "[::1]:8000"])
def test_an_ipv6_host_gets_a_host_only_cookie(send, host):
    """Accepted: over an IPv6 loopback host, a Secure cookie needs no domain and no warning."""
    answer = post(send, cookie_body(secure=True), host=host)
    assert_sane(answer)
    assert answer.status == 201
    assert answer.json()["warnings"] == []
    assert not any(a.startswith("Domain=") for a in answer.header("set-cookie")[0].split("; "))


@pytest.mark.parametrize("domain", ["::1", "[::1]"])
def test_an_ipv6_domain_is_refused_even_from_that_host(send, domain):
    answer = post(send, cookie_body(domain=domain), host="[::1]")
    assert_problem(answer, 400, {"domain"})


def test_a_malformed_host_cannot_match_any_domain(send):
    answer = post(send, cookie_body(domain="example.com"), host="[::1")
    assert assert_problem(answer, 400)["detail"] == "The Host header is not a valid host name."


def test_a_20000_character_name_in_the_path(send):
    name = "n" * 20_000
    problem = assert_problem(send("GET", f"/cookies/{name}", [("Cookie", "a=b")]), 404)
    assert len(problem["detail"]) < 200
    assert_problem(send("DELETE", f"/cookies/{name}"), 400, {"name"})


def test_a_20000_character_name_is_found_when_sent(send):
    """Accepted: a long name the request carries is read back; no length stops the lookup."""
    name = "n" * 20_000
    answer = send("GET", f"/cookies/{name}", [("Cookie", f"{name}=v")])
    assert_sane(answer)
    assert (answer.status, answer.json()["value"]) == (200, "v")


def get_list(send: Send, cookie_header: str) -> list[dict]:
    answer = send("GET", "/cookies", [("Cookie", cookie_header)])
    assert_sane(answer)
    assert answer.status == 200
    return answer.json()["cookies"]


def test_a_cookie_header_with_3000_cookies(send):
    """Accepted: every one of 3,000 cookies is listed, in order."""
    header = "; ".join(f"c{i}=v{i}" for i in range(3000))
    assert get_list(send, header) == [
        {"name": f"c{i}", "value": f"v{i}", "signature": "none"} for i in range(3000)
    ]


@pytest.mark.parametrize(
    ("header", "cookies"),
    [
        (";;;", []),
        ("=", []),
        (" \t ", []),
        ("nameless", [("", "nameless")]),
        ("=v", [("", "v")]),
        ("a==b", [("a", "=b")]),
        (" a = b ;c=d", [("a", "b"), ("c", "d")]),
        ('a="quoted"', [("a", '"quoted"')]),
        ("a=%ZZ; b=%", [("a", "%ZZ"), ("b", "%")]),
        ("a=%C3%A9%20%F0%9F%8D%AA", [("a", "é 🍪")]),
        ("a=%ED%A0%80", [("a", "%ED%A0%80")]),  # an encoded lone surrogate stays encoded
        ("a=1; a=2", [("a", "1"), ("a", "2")]),
        ("a=b,c=d", [("a", "b,c=d")]),
    ],
)
def test_malformed_cookie_headers_are_read_leniently(send, header, cookies):
    """Accepted: browsers send such headers; the API lists what it can and never fails."""
    listed = [(cookie["name"], cookie["value"]) for cookie in get_list(send, header)]
    assert listed == cookies


def signed_pair(send: Send, name: str, value: str) -> str:
    answer = post(send, cookie_body(name=name, value=value, signed=True))
    assert answer.status == 201
    return answer.header("set-cookie")[0].split("; ")[0]


def test_forged_and_replayed_signatures_are_reported_invalid(send):
    pair = signed_pair(send, "cart", "3 items")
    wire_value = pair.partition("=")[2]
    forged = wire_value.replace("3%20items", "300%20items")
    header = f"{pair}; cart={forged}; other={wire_value}; x=$no-dot; y=$"
    assert get_list(send, header) == [
        {"name": "cart", "value": "3 items", "signature": "valid"},
        {"name": "cart", "value": None, "signature": "invalid"},
        # The signature covers the name: moved to another cookie it no longer holds.
        {"name": "other", "value": None, "signature": "invalid"},
        # Not shaped like a signed value: someone else's plain value that starts with "$".
        {"name": "x", "value": "$no-dot", "signature": "none"},
        {"name": "y", "value": "$", "signature": "none"},
    ]


HTTPS_HOST = "www.example.com"
EVERY_RULE_BROKEN = {
    "name": "__Host-Http-session",
    "value": "v",
    "secure": False,
    "httponly": False,
    "path": "/app",
    "domain": "example.com",
    "samesite": "None",
    "partitioned": True,
    "max_age": 10**9,
    "expires": "2000-01-01T00:00:00Z",
}


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (EVERY_RULE_BROKEN, {"secure", "httponly", "path", "domain", "samesite", "partitioned",
                             "max_age", "expires"}),
        ({"name": "__Secure-a", "secure": False}, {"secure"}),
        ({"name": "__Http-a", "secure": True, "httponly": False}, {"httponly"}),
        ({"value": "é" * 2000}, {"value"}),
        ({"value": "v" * 5000}, {"value"}),
        ({"expires": "2999-01-01T00:00:00Z"}, {"expires"}),
        ({"expires": "2030-01-01T00:00:00"}, {"expires"}),
        ({"expires": "not a date"}, {"expires"}),
        ({"domain": "com"}, {"domain"}),
        ({"domain": "."}, {"domain"}),
        ({"domain": "example.com."}, {"domain"}),
        ({"domain": "other.example"}, {"domain"}),
        ({"domain": "d" * 2000 + ".example.com"}, {"domain"}),
        ({"path": "relative"}, {"path"}),
        ({"samesite": "medium"}, {"samesite"}),
        ({"secure": "true", "httponly": 1, "partitioned": "yes"},
         {"secure", "httponly", "partitioned"}),
        ({"max_age": "60", "signed": 0}, {"max_age", "signed"}),
        ({"unknown": 1, "__proto__": {}}, {"unknown", "__proto__"}),
    ],
)  # fmt: skip
def test_a_body_breaking_many_rules_gets_every_rule_back(send, fields, errors):
    answer = post(send, cookie_body(**fields), host=HTTPS_HOST)
    assert_problem(answer, 400, errors)


@pytest.mark.parametrize(
    ("origin", "warns_cross_site"),
    [
        ("null", False),
        ("garbage", False),
        ("http://[::1", False),
        ("https://", False),
        ("http://www.example.com", False),
        ("http://api.example.com:8080", False),
        ("https://www.example.com", True),  # schemeful: https is another site than http
        ("http://evil.example", True),
        ("http://example.com.evil.example", True),
    ],
)
def test_hostile_origins_only_change_the_warnings(send, origin, warns_cross_site):
    headers = [("Content-Type", "application/json"), ("Origin", origin)]
    answer = send("POST", "/cookies", headers, cookie_body(max_age=0), host=HTTPS_HOST)
    assert_sane(answer)
    assert answer.status == 201
    warnings = answer.json()["warnings"]
    assert any("another site" in warning for warning in warnings) == warns_cross_site
    assert any("max_age: 0" in warning for warning in warnings)


@pytest.mark.parametrize("domain", ["example.com", HTTPS_HOST])
def test_a_host_may_set_a_cookie_for_itself_and_its_parent(send, domain):
    answer = post(send, cookie_body(domain=domain, secure=True), host=HTTPS_HOST)
    assert_sane(answer)
    assert answer.status == 201
    assert any("plain HTTP" in warning for warning in answer.json()["warnings"])


def test_a_query_parameter_given_twice_is_refused(send):
    """Parameter pollution: two paths would leave it to chance which one is deleted."""
    assert_problem(send("DELETE", "/cookies/a?path=/&path=/admin"), 400, {"path"})


EXPIRED = ["Path=/", "Expires=Thu, 01 Jan 1970 00:00:00 GMT", "Max-Age=0"]


@pytest.mark.parametrize(
    ("target", "attributes"),
    [
        ("/cookies/a", [*EXPIRED, "HttpOnly"]),
        ("/cookies/__Host-a", [*EXPIRED, "Secure", "HttpOnly", "SameSite=None"]),
        (
            "/cookies/a?partitioned=true",
            [*EXPIRED, "Secure", "HttpOnly", "SameSite=None", "Partitioned"],
        ),
    ],
)
def test_a_deletion_is_well_formed(send, target, attributes):
    answer = send("DELETE", target)
    assert_sane(answer)
    assert answer.status == 200
    assert answer.header("set-cookie")[0].split("; ")[1:] == attributes


def test_a_domain_cannot_be_the_tail_of_an_ip_address_host(send):
    """10.0.0.1 ends with ".0.1", but an IP address has no parent domain (RFC 6265bis §5.1.3)."""
    assert_problem(post(send, cookie_body(domain="0.1"), host="10.0.0.1"), 400, {"domain"})


@pytest.mark.parametrize("host", ["localhost", "app.localhost", "127.0.0.1"])
def test_loopback_hosts_are_secure_contexts(send, host):
    """Accepted: browsers keep Secure cookies from loopback hosts even over plain HTTP."""
    answer = post(send, cookie_body(secure=True), host=host)
    assert_sane(answer)
    assert (answer.status, answer.json()["warnings"]) == (201, [])


def test_max_age_and_expires_together_warn_that_max_age_wins(send):
    expires = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    answer = post(send, cookie_body(max_age=60, expires=expires))
    assert_sane(answer)
    assert answer.status == 201
    assert answer.json()["warnings"] == ["max_age and expires are both set: browsers use max_age."]


def test_forged_forwarding_headers_are_ignored_without_trusted_proxies(send):
    """X-Forwarded-Proto from a client cannot make the API believe the request is HTTPS."""
    headers = [("Content-Type", "application/json"), ("X-Forwarded-Proto", "https")]
    answer = send("POST", "/cookies", headers, cookie_body())
    assert_sane(answer)
    assert answer.json()["secure"] is False


def test_forwarding_headers_count_behind_a_trusted_proxy():
    client = create_app({"TESTING": True, "TRUSTED_PROXIES": 1}).test_client(use_cookies=False)
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "www.example.com"}
    body = {"name": "a", "value": "b", "domain": "example.com"}
    response = client.post("/cookies", json=body, headers=headers)
    assert response.status_code == 201
    assert response.json["secure"] is True


# ---- only the real server: what the HTTP layer sees ------------------------------------------


def get_cookies(base_url: str, cookie_header: bytes) -> RawResponse:
    return exchange(base_url, build_request("GET", b"/cookies", [(b"Cookie", cookie_header)]))


@pytest.mark.parametrize(
    "header",
    [b"a=\x00", b"a=1; b=\x01", b"a=\x7f", b"a=1\rX-Injected: 1", b"x" * 1_000_000],
    ids=["nul", "control", "del", "bare-cr", "one-megabyte"],
)
def test_cookie_headers_the_server_refuses(server, header):
    assert_server_refusal(get_cookies(server, header))


@pytest.mark.parametrize(
    "target",
    [b"/cookies/a\rb", b"/cookies/a\nX-Injected: 1", b"/cookies/a b", b"/cookies/\x00"],
    ids=["cr", "lf", "space", "nul"],
)
def test_raw_control_characters_in_the_target_are_refused_by_the_server(server, target):
    assert_server_refusal(exchange(server, build_request("DELETE", target)))


def post_raw(server: str, headers: list[tuple[bytes, bytes]], body: bytes, **kwargs) -> RawResponse:
    """POST with exactly the framing headers given: no Content-Length is added."""
    all_headers = [(b"Content-Type", b"application/json"), *headers]
    request = build_request("POST", b"/cookies", all_headers, body, content_length=False)
    return exchange(server, request, **kwargs)


def test_a_content_length_shorter_than_the_body(server):
    """The app reads only what Content-Length announces: a truncated, invalid JSON."""
    response = post_raw(server, [(b"Content-Length", b"5")], cookie_body())
    assert response.status == 400
    assert response.header("content-type") == [PROBLEM_JSON]
    assert response.json()["errors"] == {"_body": [response.json()["detail"]]}


def test_the_rest_of_a_short_content_length_is_refused_as_the_next_request(server):
    """On a kept-alive connection the bytes after the announced length are the next request."""
    request = (
        b"POST /cookies HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 5\r\n\r\n" + cookie_body()
    )
    response = exchange(server, request, half_close=True)
    assert response.status == 400
    assert response.header("content-type") == [PROBLEM_JSON]
    rest = parse_response(response.raw[response.raw.index(response.body) + len(response.body) :])
    assert_server_refusal(rest)


def test_a_content_length_longer_than_the_body(server):
    """The server waits for the rest; a body the client stopped short of is refused, not set."""
    response = post_raw(server, [(b"Content-Length", b"500")], cookie_body(), half_close=True)
    assert response.status == 400
    assert response.header("content-type") == [PROBLEM_JSON]
    assert not response.header("set-cookie")


@pytest.mark.parametrize("value", [b"abc", b"-1", b"+5", b"0x10", b"1e3", b"24, 25"], ids=str)
def test_content_lengths_the_server_refuses(server, value):
    assert_server_refusal(post_raw(server, [(b"Content-Length", value)], cookie_body()))


def test_two_different_content_lengths_are_refused(server):
    body = cookie_body()
    headers = [(b"Content-Length", str(len(body)).encode()), (b"Content-Length", b"5")]
    assert_server_refusal(post_raw(server, headers, body))


TRANSFER_CHUNKED = (b"Transfer-Encoding", b"chunked")


def test_a_chunked_body_is_accepted(server):
    """Accepted: chunked framing is ordinary HTTP/1.1."""
    response = post_raw(server, [TRANSFER_CHUNKED], chunked(cookie_body()))
    assert response.status == 201
    assert response.header("set-cookie") == ["probe=v; Path=/; HttpOnly; SameSite=Lax"]


def test_a_chunked_body_over_the_limit_is_refused(live_server):
    """A chunked body has no Content-Length, so the limit must hold while it is read."""
    body = cookie_body() + b" " * DEFAULT_LIMIT
    response = post_raw(live_server, [TRANSFER_CHUNKED], chunked(body, 16 * 1024))
    assert response.status == 413
    assert response.header("content-type") == [PROBLEM_JSON]


def test_a_content_length_over_the_limit_is_refused(live_server):
    body = cookie_body() + b" " * DEFAULT_LIMIT
    response = post_raw(live_server, [(b"Content-Length", str(len(body)).encode())], body)
    assert response.status == 413
    assert response.json()["detail"] == f"The request body is larger than {DEFAULT_LIMIT} bytes."


@pytest.mark.parametrize(
    "framing",
    [b"zz\r\n{}\r\n0\r\n\r\n", b"5\r\n{}\r\n0\r\n\r\n", b"ffffffffffffffffff\r\n{}"],
    ids=["bad-size", "short-chunk", "huge-size"],
)
def test_broken_chunked_framing_sets_nothing(server, framing):
    response = post_raw(server, [TRANSFER_CHUNKED], framing, half_close=True)
    assert response.status in (None, 400)
    assert not response.header("set-cookie")


def test_chunked_with_a_content_length_closes_the_connection(server):
    """RFC 9112 §6.3: chunked wins, and the connection closes, so nothing can be smuggled."""
    body = chunked(cookie_body())
    request = (
        b"POST /cookies HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"
        + body
        + b"DELETE /cookies/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    )
    response = exchange(server, request, half_close=True)
    assert response.status == 201
    assert response.header("connection") == ["close"]
    assert response.raw.count(b"HTTP/1.1 ") == 1
