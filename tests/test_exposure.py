"""COOKIE_API_HIDDEN_COOKIES: names and glob patterns that GET never returns."""

from __future__ import annotations

import http.client
import json

import pytest

from api import create_app
from tests.raw_http import address

HIDDEN = ["session", "__Host-*", "csrf_?", "a.b", "tok[0-9]", "my_sid"]
SENT = [
    "theme=dark",
    "session=s3cr3t",
    "Session=hidden",
    "__Host-id=h1",
    "__host-id=hidden",
    "csrf_a=hidden",
    "csrf.A=hidden",
    "csrf_ab=shown",
    "a.b=hidden",
    "A_B=hidden",
    "axb=shown",
    "tok7=hidden",
    "tokx=shown",
    "my.sid=hidden",
    "mysid=shown",
    "session=second",
    "=nameless",
]
SHOWN = ["theme", "csrf_ab", "axb", "tokx", "mysid", ""]


@pytest.fixture
def hiding_client():
    app = create_app({"TESTING": True, "HIDDEN_COOKIES": HIDDEN})
    return app.test_client(use_cookies=False)


def test_the_list_leaves_out_every_hidden_name(hiding_client):
    response = hiding_client.get("/cookies", headers={"Cookie": "; ".join(SENT)})
    assert response.status_code == 200
    assert [cookie["name"] for cookie in response.json["cookies"]] == SHOWN


@pytest.mark.parametrize(
    ("name", "hidden"),
    [
        ("session", True),
        ("__Host-id", True),
        ("csrf_a", True),
        ("a.b", True),
        ("tok7", True),
        # Back ends that look names up without case, or read "." and " " as "_" (PHP), would
        # take these for the hidden ones.
        ("Session", True),
        ("SESSION", True),
        ("__host-id", True),
        ("A_B", True),
        ("my.sid", True),
        ("csrf.A", True),
        # "?" is one character, "." is no wildcard, "[0-9]" a digit.
        ("csrf_ab", False),
        ("axb", False),
        ("tokx", False),
        ("mysid", False),
        ("theme", False),
    ],
)
def test_reading_one_cookie_by_name(hiding_client, name, hidden):
    response = hiding_client.get(f"/cookies/{name}", headers={"Cookie": "; ".join(SENT)})
    if hidden:
        # The same answer as for a cookie the request does not carry: nothing to probe.
        assert response.status_code == 404
        assert response.mimetype == "application/problem+json"
        assert response.json["detail"] == f"This request carries no cookie named {name!r}."
    else:
        assert response.status_code == 200
        assert response.json["name"] == name


def test_a_star_hides_everything():
    client = create_app({"TESTING": True, "HIDDEN_COOKIES": ["*"]}).test_client()
    response = client.get("/cookies", headers={"Cookie": "a=1; b=2; =3"})
    assert response.json == {"cookies": []}


def test_hidden_signed_cookies_are_not_verified_or_shown():
    signer = create_app({"TESTING": True, "SECRET_KEY": "k"}).test_client(use_cookies=False)
    pair = (
        signer.post("/cookies", json={"name": "s", "value": "v", "signed": True})
        .headers["Set-Cookie"]
        .split(";")[0]
    )
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "HIDDEN_COOKIES": ["s"]})
    client = app.test_client(use_cookies=False)
    assert client.get("/cookies", headers={"Cookie": pair}).json == {"cookies": []}


@pytest.mark.parametrize("value", ["session", ["session", 1], {"session": True}, [None]])
def test_a_hidden_list_that_is_not_a_list_of_strings_stops_the_start(value):
    with pytest.raises(ValueError, match="COOKIE_API_HIDDEN_COOKIES must be a JSON list"):
        create_app({"HIDDEN_COOKIES": value})


def test_hidden_cookies_from_the_environment_on_a_real_server(start_server):
    base_url = start_server(HIDDEN_COOKIES=json.dumps(["session", "__Host-*"]))
    cookies = "theme=dark; session=s3cr3t; __Host-id=h1; Session=hidden; sessions=shown"

    def get(path: str) -> tuple[int, dict]:
        connection = http.client.HTTPConnection(*address(base_url), timeout=10)
        try:
            connection.request("GET", path, headers={"Cookie": cookies})
            response = connection.getresponse()
            return response.status, json.loads(response.read())
        finally:
            connection.close()

    status, body = get("/cookies")
    assert status == 200
    assert [cookie["name"] for cookie in body["cookies"]] == ["theme", "sessions"]
    assert get("/cookies/session")[0] == 404
    assert get("/cookies/Session")[0] == 404
    assert get("/cookies/__Host-id")[0] == 404
    assert get("/cookies/sessions") == (
        200,
        {"name": "sessions", "value": "shown", "signature": "none"},
    )


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("POST", "/cookies", {"name": "session", "value": "attacker"}),
        ("POST", "/cookies", {"name": "__Host-sid", "value": "x", "secure": True}),
        ("POST", "/cookies", {"name": "SESSION", "value": "attacker"}),
        ("POST", "/cookies", {"name": "Session", "value": "attacker", "path": "/app"}),
        ("POST", "/cookies", {"name": "my.sid", "value": "x", "path": "/app"}),
        ("DELETE", "/cookies/session", None),
        ("DELETE", "/cookies/Session", None),
        ("DELETE", "/cookies/__Host-sid", None),
    ],
)
def test_hidden_names_cannot_be_set_or_deleted(method, url, body):
    client = create_app({"HIDDEN_COOKIES": ["session", "__Host-*", "my_sid"]}).test_client(
        use_cookies=False
    )
    response = client.open(url, method=method, json=body, base_url="https://localhost")

    assert response.status_code == 400
    assert "Set-Cookie" not in response.headers
    assert "COOKIE_API_HIDDEN_COOKIES" in response.get_json()["errors"]["name"][0]
