"""Every response says nosniff, and no response names a library version."""

from __future__ import annotations

import http.client
import platform
import re
from importlib.metadata import version

import pytest

from api import create_app
from tests.raw_http import address

ORIGIN = "https://app.example"
PREFLIGHT = {"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}
JSON = {"Content-Type": "application/json"}

# (id, method, path, headers, body, expected status)
EXCHANGES = [
    ("health", "GET", "/healthz", {}, None, 200),
    ("list", "GET", "/cookies", {"Cookie": "a=1"}, None, 200),
    ("read", "GET", "/cookies/a", {"Cookie": "a=1"}, None, 200),
    ("set", "POST", "/cookies", JSON, b'{"name": "a", "value": "b"}', 201),
    ("delete", "DELETE", "/cookies/a", {}, None, 200),
    ("invalid", "POST", "/cookies", JSON, b'{"name": "a b", "value": "b"}', 400),
    ("not-json", "POST", "/cookies", {"Content-Type": "text/plain"}, b"a=b", 415),
    ("too-large", "POST", "/cookies", JSON, b" " * (64 * 1024 + 1), 413),
    ("no-such-cookie", "GET", "/cookies/absent", {}, None, 404),
    ("no-such-path", "GET", "/nowhere", {}, None, 404),
    ("wrong-method", "PATCH", "/cookies", {}, None, 405),
    ("root", "GET", "/", {}, None, 302),
    ("docs", "GET", "/docs", {}, None, 200),
    ("openapi", "GET", "/openapi.json", {}, None, 200),
    ("swagger-ui-asset", "GET", "/swaggerui/swagger-ui-bundle.js", {}, None, 200),
    ("preflight", "OPTIONS", "/cookies", PREFLIGHT, None, 200),
    ("cors-request", "GET", "/cookies", {"Origin": ORIGIN}, None, 200),
    ("refused-origin", "GET", "/cookies", {"Origin": "https://evil.example"}, None, 200),
]
CASES = [pytest.param(*case[1:], id=case[0]) for case in EXCHANGES]


@pytest.fixture
def cors_client():
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "CORS_ORIGINS": [ORIGIN]})
    return app.test_client(use_cookies=False)


@pytest.mark.parametrize(("method", "path", "headers", "body", "status"), CASES)
def test_every_response_says_nosniff_and_cannot_be_framed(
    cors_client, method, path, headers, body, status
):
    with cors_client.open(path, method=method, headers=headers, data=body) as response:
        assert response.status_code == status
        assert response.headers.getlist("X-Content-Type-Options") == ["nosniff"]
        # /docs and the / redirect were framable by any page: clickjacking of "Try it out".
        assert response.headers.getlist("X-Frame-Options") == ["DENY"]
        assert response.headers.getlist("Content-Security-Policy") == ["frame-ancestors 'none'"]


def test_a_server_error_says_nosniff_too():
    app = create_app({"SECRET_KEY": "k"})  # not TESTING: the 500 is answered, not raised

    @app.get("/broken")
    def broken() -> str:
        raise RuntimeError("a bug")

    app.logger.disabled = True
    response = app.test_client().get("/broken")
    assert response.status_code == 500
    assert response.mimetype == "application/problem+json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.fixture(scope="module")
def cors_server(start_server) -> str:
    return start_server(SECRET_KEY="k", CORS_ORIGINS=f'["{ORIGIN}"]')


LIBRARIES = {
    "granian": version("granian"),
    "werkzeug": version("werkzeug"),
    "flask": version("flask"),
    "flask-restx": version("flask-restx"),
    "python": platform.python_version(),
}
# A product token with a version, such as "granian/2.5.0", "Werkzeug 3.1" or "Python/3.11".
PRODUCT_VERSION = re.compile(r"(granian|werkzeug|flask|restx|python|cpython)\W*v?\d", re.I)


@pytest.mark.parametrize(("method", "path", "headers", "body", "status"), CASES)
def test_no_response_names_a_library_version(cors_server, method, path, headers, body, status):
    connection = http.client.HTTPConnection(*address(cors_server), timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    assert response.status == status
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("Server") == "granian"
    for name, value in response.getheaders():
        assert not PRODUCT_VERSION.search(value), f"{name}: {value}"
        for library, installed in LIBRARIES.items():
            assert installed not in value, f"{name} names {library} {installed}: {value}"
