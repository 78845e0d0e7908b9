"""GET /cookies and GET /cookies/{name}: order, duplicates, decoding, signatures."""

from __future__ import annotations

import pytest

from api import create_app


def listed(client, cookie_header: str, **kwargs) -> list[dict]:
    response = client.get("/cookies", headers={"Cookie": cookie_header}, **kwargs)
    assert response.status_code == 200
    return response.get_json()["cookies"]


def set_and_read_back(client, body: dict) -> list[dict]:
    """What a browser does: take the Set-Cookie pair and send it back in a Cookie header."""
    pair = client.post("/cookies", json=body).headers["Set-Cookie"].split(";")[0]
    return listed(client, pair)


def test_list_answers_json_that_no_cache_keeps(client):
    response = client.get("/cookies", headers={"Cookie": "a=1"})

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Cookie" in response.headers["Vary"]


def test_no_cookie_header_lists_nothing(client):
    assert client.get("/cookies").get_json() == {"cookies": []}


def test_header_order_and_duplicates_are_kept(client):
    cookies = listed(client, "b=2; a=1; b=3; c=")

    assert cookies == [
        {"name": "b", "value": "2", "signature": "none"},
        {"name": "a", "value": "1", "signature": "none"},
        {"name": "b", "value": "3", "signature": "none"},
        {"name": "c", "value": "", "signature": "none"},
    ]


COOKIE_HEADERS = {
    "spaces around pairs": (" a=1 ;  b=2 ", [("a", "1"), ("b", "2")]),
    "empty pairs skipped": ("a=1;;; b=2;", [("a", "1"), ("b", "2")]),
    "= inside a value": ("a=b=c", [("a", "b=c")]),
    "nameless cookie": ("justvalue", [("", "justvalue")]),
    "quotes kept as sent": ('a="x"', [("a", '"x"')]),
    "malformed escape kept as sent": ("a=%zz%", [("a", "%zz%")]),
    "escape that is not UTF-8 kept as sent": ("a=%C3%28", [("a", "%C3%28")]),
    "UTF-8 escapes decoded": ("a=%C3%A9%F0%9F%8D%AA", [("a", "é🍪")]),
    "plus stays a plus": ("a=1+2", [("a", "1+2")]),
}


@pytest.mark.parametrize(("header", "expected"), COOKIE_HEADERS.values(), ids=COOKIE_HEADERS.keys())
def test_cookie_header_parsing(client, header, expected):
    cookies = listed(client, header)
    assert [(c["name"], c["value"]) for c in cookies] == expected


def test_raw_utf8_in_the_header_is_decoded(client):
    # Browsers send document.cookie = "a=é" as the UTF-8 bytes.
    response = client.get(
        "/cookies", environ_base={"HTTP_COOKIE": "a=é".encode().decode("latin-1")}
    )
    assert response.get_json()["cookies"] == [{"name": "a", "value": "é", "signature": "none"}]


ROUND_TRIP_VALUES = [
    "",
    "plain",
    'say "hi"',
    "semi;colon",
    "comma,separated",
    "back\\slash",
    "with spaces  and\ttabs",
    "100% sure",
    "%41 is not A",
    "é ü ß 中文",
    "🍪🍪",
    "a=b&c=d",
    "\x00\x01\x7f",
    "'quote' (paren) !*~",
]


@pytest.mark.parametrize("value", ROUND_TRIP_VALUES)
@pytest.mark.parametrize("signed", [False, True])
def test_values_round_trip_exactly(client, value, signed):
    cookies = set_and_read_back(client, {"name": "v", "value": value, "signed": signed})

    signature = "valid" if signed else "none"
    assert cookies == [{"name": "v", "value": value, "signature": signature}]


def test_get_one_answers_the_first_of_that_name(client):
    response = client.get("/cookies/b", headers={"Cookie": "a=1; b=first; b=second"})

    assert response.status_code == 200
    assert response.get_json() == {"name": "b", "value": "first", "signature": "none"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Cookie" in response.headers["Vary"]


def test_get_one_is_case_sensitive(client):
    response = client.get("/cookies/A", headers={"Cookie": "a=1"})
    assert response.status_code == 404


def test_get_one_without_the_cookie_is_a_404_problem(client):
    response = client.get("/cookies/missing", headers={"Cookie": "other=1"})

    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert "missing" in response.get_json()["detail"]
    # The 404 depends on the Cookie header: no cache may keep it or hand it to another client.
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Vary"] == "Cookie"


def test_get_one_with_an_escaped_name(client):
    response = client.get("/cookies/a%25b", headers={"Cookie": "a%b=1"})
    assert response.get_json()["value"] == "1"


def signed_pair(secret: str, name: str, value: str, **config) -> str:
    client = create_app({"SECRET_KEY": secret, **config}).test_client(use_cookies=False)
    response = client.post("/cookies", json={"name": name, "value": value, "signed": True})
    return response.headers["Set-Cookie"].split(";")[0]


def test_tampered_value_is_invalid_and_hidden(client):
    pair = signed_pair("test-secret", "cart", "3 items")
    tampered = pair.replace("3%20items", "9%20items")

    assert listed(client, tampered) == [{"name": "cart", "value": None, "signature": "invalid"}]


def test_signature_is_bound_to_the_cookie_name(client):
    pair = signed_pair("test-secret", "cart", "3 items")
    moved = "basket" + pair.removeprefix("cart")

    assert listed(client, moved) == [{"name": "basket", "value": None, "signature": "invalid"}]


def test_signature_by_another_key_is_invalid(client):
    pair = signed_pair("some-other-secret", "cart", "x")
    assert listed(client, pair)[0]["signature"] == "invalid"


def test_forged_signature_is_invalid(client):
    pair = signed_pair("test-secret", "cart", "x")
    forged = pair[:-1] + ("A" if pair[-1] != "A" else "B")
    assert listed(client, forged)[0] == {"name": "cart", "value": None, "signature": "invalid"}


@pytest.mark.parametrize("value", ["$5", "$abc.def", "$", "$%24"])
def test_values_that_merely_start_with_the_marker_are_plain(client, value):
    assert listed(client, f"price={value}")[0] == {
        "name": "price",
        "value": value.replace("%24", "$"),
        "signature": "none",
    }


def test_key_rotation_keeps_old_cookies_valid():
    old_pair = signed_pair("old-key", "cart", "x")
    rotated = create_app({"SECRET_KEY": "new-key", "SECRET_KEY_FALLBACKS": ["old-key"]})
    client = rotated.test_client(use_cookies=False)

    assert listed(client, old_pair) == [{"name": "cart", "value": "x", "signature": "valid"}]
    new_pair = client.post("/cookies", json={"name": "c", "value": "y", "signed": True}).headers[
        "Set-Cookie"
    ]
    # New cookies are signed with the new key, not the fallback.
    new_only = create_app({"SECRET_KEY": "new-key"}).test_client(use_cookies=False)
    assert listed(new_only, new_pair.split(";")[0])[0]["signature"] == "valid"


def test_signed_cookie_without_a_key_reads_as_invalid():
    pair = signed_pair("k", "cart", "x")
    client = create_app({"SECRET_KEY": None}).test_client(use_cookies=False)
    assert listed(client, pair)[0] == {"name": "cart", "value": None, "signature": "invalid"}


HIDDEN = {
    "exact name": (["session"], "session=1; a=2", ["a"]),
    "glob": (["sess*"], "session=1; sessid=2; a=3", ["a"]),
    "several patterns": (["a", "b?"], "a=1; b1=2; b=3; c=4", ["b", "c"]),
    "names match without regard to case": (["session"], "Session=1; sessions=2", ["sessions"]),
    "character class": (["[ab]"], "a=1; b=2; c=3", ["c"]),
}


@pytest.mark.parametrize(("patterns", "header", "visible"), HIDDEN.values(), ids=HIDDEN.keys())
def test_hidden_cookies_are_never_returned(patterns, header, visible):
    client = create_app({"HIDDEN_COOKIES": patterns}).test_client(use_cookies=False)

    assert [c["name"] for c in listed(client, header)] == visible
    for name in {pair.split("=")[0] for pair in header.split("; ")} - set(visible):
        assert client.get(f"/cookies/{name}", headers={"Cookie": header}).status_code == 404


def test_header_with_characters_beyond_latin_1_is_read_as_text(client):
    response = client.get("/cookies", environ_base={"HTTP_COOKIE": "a=🍪"})
    assert response.get_json()["cookies"] == [{"name": "a", "value": "🍪", "signature": "none"}]
