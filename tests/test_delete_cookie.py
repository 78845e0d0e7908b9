"""DELETE /cookies/{name}: a Set-Cookie that browsers accept as the deletion."""

from __future__ import annotations

import pytest

EXPIRED = "Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0"


def attributes(response) -> set[str]:
    return set(response.headers["Set-Cookie"].split("; "))


def test_delete_answers_200_with_one_expiring_set_cookie_and_says_so(client):
    response = client.delete("/cookies/theme")

    assert response.status_code == 200
    assert response.headers.getlist("Set-Cookie") == [f"theme=; Path=/; {EXPIRED}; HttpOnly"]
    assert response.headers["Cache-Control"] == "no-store"
    # Script cannot read Set-Cookie: the body says what was sent, and which cookie it targets.
    assert response.get_json() == {
        "name": "theme",
        "path": "/",
        "domain": None,
        "partitioned": False,
        "secure": False,
        "set_cookie": f"theme=; Path=/; {EXPIRED}; HttpOnly",
    }


def test_delete_body_names_the_cookie_as_browsers_stored_it(client):
    response = client.delete(
        "/cookies/__Host-a?partitioned=true&domain=", base_url="https://www.example.com"
    )

    assert response.status_code == 400  # an empty domain names no host
    response = client.delete(
        "/cookies/a?partitioned=true&path=/app&domain=EXAMPLE.com",
        base_url="https://www.example.com",
    )

    body = response.get_json()
    assert (body["name"], body["path"], body["domain"]) == ("a", "/app", "example.com")
    assert (body["partitioned"], body["secure"]) == (True, True)
    assert body["set_cookie"] == response.headers["Set-Cookie"]


def test_delete_is_idempotent(client):
    first = client.delete("/cookies/theme?path=/app")
    second = client.delete("/cookies/theme?path=/app")

    assert first.status_code == second.status_code == 200
    assert first.headers["Set-Cookie"] == second.headers["Set-Cookie"]


DELETIONS = {
    "path and domain": (
        "/cookies/a?path=/app&domain=example.com",
        "http://www.example.com",
        {"a=", "Path=/app", "Domain=example.com", "Max-Age=0"},
        {"Secure"},
    ),
    "HTTPS gets Secure and SameSite=None": (
        "/cookies/a",
        "https://localhost",
        {"Secure", "SameSite=None"},
        set(),
    ),
    "__Secure- is Secure over HTTP": ("/cookies/__Secure-a", "http://localhost", {"Secure"}, set()),
    "__Host- is Secure at path /": (
        "/cookies/__host-a",
        "http://localhost",
        {"Secure", "Path=/"},
        set(),
    ),
    "__Http- is Secure and HttpOnly": (
        "/cookies/__Http-a",
        "http://localhost",
        {"Secure", "HttpOnly"},
        set(),
    ),
    "a domain the host-only cookie was stored without": (
        "/cookies/a?domain=localhost",
        "http://localhost",
        {"a=", "Path=/", "Max-Age=0"},
        {"Domain=localhost"},
    ),
    "partitioned": (
        "/cookies/a?partitioned=true",
        "https://localhost",
        {"Secure", "Partitioned", "SameSite=None"},
        set(),
    ),
    "not partitioned": (
        "/cookies/a?partitioned=false",
        "https://localhost",
        set(),
        {"Partitioned"},
    ),
    "IDN domain as punycode": (
        "/cookies/a?domain=b%C3%BCcher.example",
        "http://xn--bcher-kva.example",
        {"Domain=xn--bcher-kva.example"},
        set(),
    ),
}


@pytest.mark.parametrize(
    ("url", "base_url", "present", "absent"), DELETIONS.values(), ids=DELETIONS.keys()
)
def test_deletion_attributes(client, url, base_url, present, absent):
    response = client.delete(url, base_url=base_url)

    assert response.status_code == 200, response.get_json()
    assert present <= attributes(response)
    assert not absent & attributes(response)
    assert {"Max-Age=0", "Expires=Thu, 01 Jan 1970 00:00:00 GMT"} <= attributes(response)


# The query or name a deletion refuses, by the field it names.
REFUSED_BY_FIELD = {
    "name": {"not a token": "/cookies/a%20b", "with a semicolon": "/cookies/a;b"},
    "path": {
        "with CR LF": "/cookies/a?path=/x%0D%0ASet-Cookie:%20evil=1",
        "with a semicolon": "/cookies/a?path=/x;%20Domain=evil.com",
        "relative": "/cookies/a?path=x",
        "__Host- with a path": "/cookies/__Host-a?path=/x",
        "given twice": "/cookies/a?path=/a&path=/b",
    },
    "domain": {
        "of another site": "/cookies/a?domain=example.com",
        "a public suffix": "/cookies/a?domain=com",
        "with CR LF": "/cookies/a?domain=localhost%0D%0AX:%201",
        "__Host- with a domain": "/cookies/__Host-a?domain=localhost",
    },
    "partitioned": {"not a boolean": "/cookies/a?partitioned=yes"},
    "pth": {"unknown query parameter": "/cookies/a?pth=/x"},
}
REFUSED = {
    f"{field} {label}": (url, field)
    for field, cases in REFUSED_BY_FIELD.items()
    for label, url in cases.items()
}


@pytest.mark.parametrize(("url", "field"), REFUSED.values(), ids=REFUSED.keys())
def test_deletion_browsers_would_ignore_is_refused(client, url, field):
    response = client.delete(url, base_url="http://localhost")

    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"]
    assert "Set-Cookie" not in response.headers
