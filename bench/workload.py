"""What the benchmark measures: the requests, the answers expected, and the ratios wanted.

Add an operation to ``MEASUREMENTS`` (and a ratio to ``COMPARISONS``) to measure it: every
round runs every measurement of every server that was started.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from loadgen import Request

COOKIE_HEADER = "theme=dark; session=abc123"
COOKIE_BODY = json.dumps({"name": "theme", "value": "dark", "max_age": 3600}).encode()
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

    @property
    def at_most(self) -> bool:
        """Whether the target is a ceiling (memory, latency) rather than a floor (rate)."""
        return self.metric != "requests_per_s"


COOKIES_GET = Request("GET", "/cookies", GET_HEADERS)
COOKIES_POST = Request("POST", "/cookies", POST_HEADERS, COOKIE_BODY)
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
# POST /lint with one header, the Set-Cookie that POST /cookies answers above.
LINT_HEADER = "theme=dark; Path=/; HttpOnly; SameSite=Lax"
LINT_BODY = json.dumps({"url": "https://www.example.com/", "set_cookie": [LINT_HEADER]}).encode()
LINT_POST = Request("POST", "/lint", POST_HEADERS, LINT_BODY)
_LINTED = {
    "name": "theme",
    "value": "dark",
    "domain": "www.example.com",
    "host_only": True,
    "path": "/",
    "expiry": None,
    "secure": False,
    "httponly": True,
    "samesite": "Lax",
    "partitioned": False,
    "priority": "Medium",
    "partition_key": None,
}
LINT_CHECK = expect(
    200,
    body={
        "results": [
            {"set_cookie": LINT_HEADER, "outcome": "stored", "cookie": _LINTED, "problems": []}
        ],
        "cookies": [_LINTED],
    },
)
FLOOR_POST = Request("POST", "/setcookie", POST_HEADERS, COOKIE_BODY)
FLOOR_GET = Request("GET", "/getcookie", GET_HEADERS)

MEASUREMENTS = [
    Measurement(
        "baseline POST",
        "baseline",
        "POST /setcookie",
        FLOOR_POST,
        expect(200, set_cookie="theme=dark"),
    ),
    Measurement("cookie-api POST", "cookie-api", "POST /cookies", COOKIES_POST, OUR_POST_CHECK),
    Measurement("cookie-api lint", "cookie-api", "POST /lint", LINT_POST, LINT_CHECK),
    Measurement(
        "baseline GET", "baseline", "GET /getcookie", FLOOR_GET, expect(200, body=b"theme is dark")
    ),
    Measurement("cookie-api GET", "cookie-api", "GET /cookies", COOKIES_GET, OUR_GET_CHECK),
    Measurement(
        "httpbin GET",
        "httpbin",
        "GET /cookies",
        COOKIES_GET,
        expect(200, body={"cookies": {"theme": "dark", "session": "abc123"}}),
    ),
    Measurement("previous GET", "previous", "GET /cookies", COOKIES_GET, OUR_GET_CHECK),
    Measurement("previous POST", "previous", "POST /cookies", COOKIES_POST, OUR_POST_CHECK),
    Measurement("gunicorn GET", "gunicorn", "GET /cookies", COOKIES_GET, OUR_GET_CHECK),
    Measurement("gunicorn POST", "gunicorn", "POST /cookies", COOKIES_POST, OUR_POST_CHECK),
]

COMPARISONS = [
    Comparison("POST /lint vs POST /cookies", "cookie-api lint", "cookie-api POST", 0.80),
    Comparison(
        "POST /cookies vs baseline POST /setcookie", "cookie-api POST", "baseline POST", 0.70
    ),
    Comparison("GET /cookies vs baseline GET /getcookie", "cookie-api GET", "baseline GET", 0.90),
    Comparison("GET /cookies vs httpbin GET /cookies", "cookie-api GET", "httpbin GET", 1.0),
    Comparison(
        "cookie-api vs Granian WSGI 512 threads, GET", "cookie-api GET", "previous GET", 1.25
    ),
    Comparison(
        "cookie-api vs Granian WSGI 512 threads, POST", "cookie-api POST", "previous POST", 1.25
    ),
    Comparison(
        "p99 vs Granian WSGI 512 threads, GET", "cookie-api GET", "previous GET", 0.5, "p99_ms"
    ),
    Comparison(
        "p99 vs Granian WSGI 512 threads, POST", "cookie-api POST", "previous POST", 0.5, "p99_ms"
    ),
    Comparison("cookie-api vs gunicorn sync, GET", "cookie-api GET", "gunicorn GET", None),
    Comparison("cookie-api vs gunicorn sync, POST", "cookie-api POST", "gunicorn POST", None),
    Comparison(
        "peak RSS per worker vs baseline", "cookie-api", "baseline", 1.25, metric="peak_rss_mb"
    ),
]
