"""POST /cookies: every rule, accepted and refused, and the 201 contract."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import unquote, urljoin

import pytest

from api import create_app
from cookierules.findings import CODES

HTTPS = {"base_url": "https://localhost"}


def post(client, body, **kwargs):
    return client.post("/cookies", json=body, **kwargs)


def soon(**delta) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).isoformat()


def test_plain_cookie_answers_201_with_one_set_cookie(client):
    response = post(client, {"name": "theme", "value": "dark"})

    assert response.status_code == 201
    assert response.headers.getlist("Set-Cookie") == ["theme=dark; Path=/; HttpOnly; SameSite=Lax"]
    assert response.headers["Location"] == "/cookies/theme"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json() == {
        "name": "theme",
        "value": "dark",
        "max_age": None,
        "expires": None,
        "path": "/",
        "domain": None,
        "secure": False,
        "httponly": True,
        "samesite": "Lax",
        "partitioned": False,
        "signed": False,
        "set_cookie": "theme=dark; Path=/; HttpOnly; SameSite=Lax",
        "warnings": [],
        "findings": [],
        # No Origin, no Sec-Fetch-*: no browser said where it was.
        "outcome": "unknown",
        "decided_by": [],
    }


def test_set_cookie_field_is_the_header_sent(client):
    body = {
        "name": "__Host-Http-sid",
        "value": "a b",
        "max_age": 60,
        "expires": soon(days=1),
        "secure": True,
        "samesite": "None",
        "partitioned": True,
    }
    response = post(client, body, **HTTPS)

    assert response.status_code == 201, response.get_json()
    header = response.headers["Set-Cookie"]
    assert response.get_json()["set_cookie"] == header
    attributes = header.split("; ")
    assert attributes[0] == "__Host-Http-sid=a%20b"
    assert {"Path=/", "Max-Age=60", "Secure", "HttpOnly", "SameSite=None", "Partitioned"} <= set(
        attributes
    )
    expires = next(a for a in attributes if a.startswith("Expires="))
    assert expires.endswith(" GMT")


def test_secure_defaults_to_the_request_scheme(client):
    over_http = post(client, {"name": "a", "value": "1"}).get_json()
    over_https = post(client, {"name": "a", "value": "1"}, **HTTPS).get_json()

    assert over_http["secure"] is False
    assert over_https["secure"] is True
    assert "Secure" in over_https["set_cookie"].split("; ")


@pytest.mark.parametrize(
    ("name", "location"),
    [
        ("a%b", "/cookies/a%25b"),
        (".", "/cookies/%2E"),
        ("..", "/cookies/%2E%2E"),
        ("...", "/cookies/..."),
        ("a|b^`", "/cookies/a%7Cb%5E%60"),
    ],
)
def test_location_escapes_the_name(client, name, location):
    """Clients resolved the Location /cookies/.. to /."""
    response = post(client, {"name": name, "value": "1"})
    assert response.headers["Location"] == location
    assert urljoin("http://localhost/cookies", location) == f"http://localhost{location}"
    read = client.get(location, headers={"Cookie": f"{name}=1"})
    assert read.get_json() == {"name": name, "value": "1", "signature": "none"}


def test_location_is_a_uri_under_a_non_ascii_mount_point(client):
    response = post(
        client,
        {"name": "theme", "value": "1"},
        # WSGI carries SCRIPT_NAME as latin-1: these are the UTF-8 bytes of "/café".
        environ_overrides={"SCRIPT_NAME": "/caf\xc3\xa9"},
    )
    assert response.headers["Location"] == "/caf%C3%A9/cookies/theme"


def test_any_json_media_type_is_accepted(client):
    response = client.post(
        "/cookies",
        data='{"name": "a", "value": "1"}',
        content_type="application/merge-patch+json; charset=utf-8",
    )
    assert response.status_code == 201


# Each row: a body that browsers would store, sent over HTTPS unless it says otherwise.
ACCEPTED = {
    "empty value": {"name": "a", "value": ""},
    "every tchar in the name": {"name": "!#$%&'*+-.^_`|~09AZaz", "value": "x"},
    "max_age 0": {"name": "a", "value": "x", "max_age": 0},
    "max_age 400 days": {"name": "a", "value": "x", "max_age": 34_560_000},
    "expires in an hour": {"name": "a", "value": "x", "expires": soon(hours=1)},
    "expires with an offset": {
        "name": "a",
        "value": "x",
        "expires": (datetime.now(timezone(timedelta(hours=2))) + timedelta(days=3)).isoformat(),
    },
    "expires 399 days ahead": {"name": "a", "value": "x", "expires": soon(days=399)},
    "path with printable ASCII": {"name": "a", "value": "x", "path": "/a b/~!@$&*()[]{}"},
    "path 1024 bytes": {"name": "a", "value": "x", "path": "/" + "p" * 1023},
    "samesite Strict": {"name": "a", "value": "x", "samesite": "Strict"},
    "samesite None with secure": {"name": "a", "value": "x", "samesite": "None", "secure": True},
    "partitioned with secure": {"name": "a", "value": "x", "partitioned": True, "secure": True},
    "__Secure- with secure": {"name": "__Secure-a", "value": "x", "secure": True},
    "__Host- with secure, path /": {"name": "__Host-a", "value": "x", "secure": True},
    "__Http- with secure, httponly": {"name": "__Http-a", "value": "x", "secure": True},
    "__Host-Http- with everything": {"name": "__Host-Http-a", "value": "x", "secure": True},
    "prefix-like but not a prefix": {"name": "__Hosted", "value": "x", "secure": False},
    "httponly false": {"name": "a", "value": "x", "httponly": False},
    "name and value 4096 bytes": {"name": "n", "value": "v" * 4095},
    "signed": {"name": "a", "value": "x", "signed": True},
}


@pytest.mark.parametrize("body", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_browser_rules_accept(client, body):
    response = post(client, body, **HTTPS)

    assert response.status_code == 201, response.get_json()
    echo = response.get_json()
    for field, value in body.items():
        if field != "expires":
            assert echo[field] == value


# Each row: a body, sent over HTTPS, and the fields that must be named with a phrase of the rule.
REFUSED = {
    "missing name and value": ({}, {"name": "required", "value": "required"}),
    "empty name": ({"name": "", "value": "x"}, {"name": "empty"}),
    "space in name": ({"name": "a b", "value": "x"}, {"name": "token"}),
    "semicolon in name": ({"name": "a;b", "value": "x"}, {"name": "token"}),
    "= in name": ({"name": "a=b", "value": "x"}, {"name": "token"}),
    "newline after name": ({"name": "a\n", "value": "x"}, {"name": "token"}),
    "non-ASCII name": ({"name": "café", "value": "x"}, {"name": "token"}),
    "name not a string": ({"name": 7, "value": "x"}, {"name": "string"}),
    "value not a string": ({"name": "a", "value": 7}, {"value": "string"}),
    "lone surrogate": ({"name": "a", "value": "\ud800"}, {"value": "surrogate"}),
    "unknown key": ({"name": "a", "value": "x", "colour": "red"}, {"colour": "Unknown"}),
    "max_age negative": ({"name": "a", "value": "x", "max_age": -1}, {"max_age": "greater"}),
    "max_age over 400 days": (
        {"name": "a", "value": "x", "max_age": 34_560_001},
        {"max_age": "less"},
    ),
    "max_age as string": ({"name": "a", "value": "x", "max_age": "10"}, {"max_age": "integer"}),
    "max_age as float": ({"name": "a", "value": "x", "max_age": 10.0}, {"max_age": "integer"}),
    "max_age as boolean": ({"name": "a", "value": "x", "max_age": True}, {"max_age": "integer"}),
    "secure as string": ({"name": "a", "value": "x", "secure": "yes"}, {"secure": "boolean"}),
    "httponly as 1": ({"name": "a", "value": "x", "httponly": 1}, {"httponly": "boolean"}),
    "signed as string": ({"name": "a", "value": "x", "signed": "true"}, {"signed": "boolean"}),
    "null value": ({"name": "a", "value": None}, {"value": "null"}),
    "null domain": ({"name": "a", "value": "x", "domain": None}, {"domain": "null"}),
    "expires without offset": (
        {"name": "a", "value": "x", "expires": "2030-01-01T00:00:00"},
        {"expires": "offset"},
    ),
    "expires not a date": ({"name": "a", "value": "x", "expires": "soon"}, {"expires": "ISO"}),
    "expires in the past": (
        {"name": "a", "value": "x", "expires": soon(days=-1)},
        {"expires": "past"},
    ),
    "expires over 400 days": (
        {"name": "a", "value": "x", "expires": soon(days=401)},
        {"expires": "400 days"},
    ),
    "path without leading slash": ({"name": "a", "value": "x", "path": "a"}, {"path": "start"}),
    "semicolon in path": ({"name": "a", "value": "x", "path": "/a;b"}, {"path": '";"'}),
    "control character in path": ({"name": "a", "value": "x", "path": "/a\tb"}, {"path": "ASCII"}),
    "CR LF in path": ({"name": "a", "value": "x", "path": "/a\r\nX: y"}, {"path": "ASCII"}),
    "non-ASCII path": ({"name": "a", "value": "x", "path": "/é"}, {"path": "ASCII"}),
    "trailing space in path": ({"name": "a", "value": "x", "path": "/a "}, {"path": "ASCII"}),
    "path over 1024 bytes": (
        {"name": "a", "value": "x", "path": "/" + "p" * 1024},
        {"path": "1024"},
    ),
    "samesite not a value": (
        {"name": "a", "value": "x", "samesite": "Medium"},
        {"samesite": "one of"},
    ),
    "SameSite=None without Secure": (
        {"name": "a", "value": "x", "samesite": "None", "secure": False},
        {"samesite": "SameSite=None requires secure: true"},
    ),
    "Partitioned without Secure": (
        {"name": "a", "value": "x", "partitioned": True, "secure": False},
        {"partitioned": "partitioned: true requires secure: true"},
    ),
    "__Host-Http- breaking everything": (
        {
            "name": "__Host-Http-a",
            "value": "x",
            "secure": False,
            "httponly": False,
            "path": "/x",
            "domain": "localhost",
        },
        {
            "secure": "__Host-Http- prefix",
            "httponly": "__Host-Http- prefix",
            "path": "__Host-Http- prefix",
            "domain": "__Host-Http- prefix",
        },
    ),
    "over 4096 bytes": ({"name": "n", "value": "v" * 4096}, {"value": "4096 bytes"}),
    "over 4096 bytes once encoded": (
        {"name": "n", "value": "é" * 683},
        {"value": "take 4099 bytes"},
    ),
    "over 4096 characters": ({"name": "n", "value": "v" * 5000}, {"value": "4096"}),
    "over 4096 bytes once signed": (
        {"name": "n", "value": "v" * 4080, "signed": True},
        {"value": "after percent-encoding and signing"},
    ),
    "domain over 1024 bytes": (
        {"name": "a", "value": "x", "domain": "a" * 1025},
        {"domain": "1024"},
    ),
    "every failing field at once": (
        {"name": "a b", "value": 1, "max_age": -1, "samesite": "x", "secure": "no", "path": "x"},
        {
            "name": "token",
            "value": "string",
            "max_age": "greater",
            "samesite": "one of",
            "secure": "boolean",
            "path": "start",
        },
    ),
    "cross-field rules beside field errors": (
        {"name": "a b", "value": "x", "samesite": "None", "partitioned": True, "secure": False},
        {"name": "token", "samesite": "SameSite=None", "partitioned": "partitioned"},
    ),
}


# Each row: a domain sent from localhost over HTTPS, and a phrase of the rule it breaks.
REFUSED_DOMAINS = {
    "of another site": ("example.com", "does not match the request host"),
    "a public suffix": ("co.uk", "public suffix"),
    "an IP address": ("127.0.0.1", "IP address"),
    "an IPv6 address": ("::1", "IPv6 address"),
    "with a space": ("a b.com", "host name"),
    "with trailing dot": ("localhost.", "dot"),
    "just a dot": (".", "host name"),
}
# Each row: a prefixed name, its prefix, the attributes sent with it, the fields refused.
REFUSED_PREFIXES = {
    "__Secure- without Secure": ("__Secure-a", "__Secure-", {"secure": False}, {"secure"}),
    "__secure- matched without case": ("__secure-a", "__Secure-", {"secure": False}, {"secure"}),
    "__Host- without Secure": ("__Host-a", "__Host-", {"secure": False}, {"secure"}),
    "__Host- with a path": ("__Host-a", "__Host-", {"secure": True, "path": "/app"}, {"path"}),
    "__Host- with a domain": ("__HOST-a", "__Host-", {"secure": True, "domain": "x"}, {"domain"}),
    "__Http- without HttpOnly": ("__Http-a", "__Http-", {"httponly": False}, {"httponly"}),
    "__Http- without Secure": ("__Http-a", "__Http-", {"secure": False}, {"secure"}),
}
REFUSED |= {
    label: ({"name": name, "value": "x", **attributes}, dict.fromkeys(fields, f"{prefix} prefix"))
    for label, (name, prefix, attributes, fields) in REFUSED_PREFIXES.items()
}
REFUSED |= {
    f"domain {label}": ({"name": "a", "value": "x", "domain": domain}, {"domain": phrase})
    for label, (domain, phrase) in REFUSED_DOMAINS.items()
}


@pytest.mark.parametrize(("body", "named"), REFUSED.values(), ids=REFUSED.keys())
def test_browser_rules_refuse(client, body, named):
    response = post(client, body, **HTTPS)

    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert "Set-Cookie" not in response.headers
    problem = response.get_json()
    assert set(problem["errors"]) == set(named)
    for field, phrase in named.items():
        assert any(phrase in message for message in problem["errors"][field]), problem
    # One finding per message, with a code from the catalogue, and errors made of them.
    findings = problem["findings"]
    assert all(finding["code"] in CODES for finding in findings)
    errors: dict[str, list[str]] = {}
    for finding in findings:
        errors.setdefault(finding["field"], []).append(finding["message"])
    assert problem["errors"] == errors
    # The detail reads as sentences: "samesite: ... cookies. secure: ...", never run together.
    assert all(finding["message"].endswith(".") for finding in findings)
    assert problem["detail"] == " ".join(
        f"{finding['field']}: {finding['message']}" for finding in findings
    )


def test_domain_matching_the_host_or_a_parent(app):
    client = app.test_client(use_cookies=False)
    body = {"name": "a", "value": "x", "domain": ".Example.COM"}

    for host in ("example.com", "www.example.com", "a.b.example.com"):
        response = client.post("/cookies", json=body, base_url=f"http://{host}")
        assert response.status_code == 201, (host, response.get_json())
        assert response.get_json()["domain"] == "example.com"
        assert "Domain=example.com" in response.headers["Set-Cookie"]

    refused = client.post("/cookies", json=body, base_url="http://notexample.com")
    assert refused.status_code == 400


def test_idn_domain_is_sent_as_punycode(client):
    response = client.post(
        "/cookies",
        json={"name": "a", "value": "x", "domain": "Bücher.example"},
        base_url="http://shop.xn--bcher-kva.example",
    )

    assert response.status_code == 201, response.get_json()
    assert response.get_json()["domain"] == "xn--bcher-kva.example"
    assert "Domain=xn--bcher-kva.example;" in response.headers["Set-Cookie"]


def test_private_suffix_domains_are_refused(client):
    response = client.post(
        "/cookies",
        json={"name": "a", "value": "x", "domain": "github.io"},
        base_url="http://me.github.io",
    )
    assert response.status_code == 400
    assert "public suffix" in response.get_json()["errors"]["domain"][0]


def test_signed_without_a_secret_key_names_the_setting():
    client = create_app({"SECRET_KEY": None}).test_client(use_cookies=False)
    response = client.post("/cookies", json={"name": "a", "value": "x", "signed": True})

    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert "COOKIE_API_SECRET_KEY" in response.get_json()["detail"]
    assert "COOKIE_API_SECRET_KEY" in response.get_json()["errors"]["signed"][0]
    [finding] = response.get_json()["findings"]
    assert (finding["code"], finding["spec"]) == ("signing_key_missing", None)


def test_signed_wire_value_carries_the_encoded_value(client):
    response = post(client, {"name": "cart", "value": "a b", "signed": True})

    wire = response.headers["Set-Cookie"].split(";")[0].removeprefix("cart=")
    assert wire.startswith("$a%20b.")
    assert response.get_json()["value"] == "a b"


WARNINGS = {
    "secure over plain HTTP": (
        {"name": "a", "value": "x", "secure": True},
        {"base_url": "http://example.com"},
        "plain HTTP",
    ),
    "Lax cookie set cross-site": (
        {"name": "a", "value": "x"},
        {"base_url": "https://api.example.com", "headers": {"Origin": "https://other.test"}},
        "another site",
    ),
    "max_age and expires": (
        {"name": "a", "value": "x", "max_age": 5, "expires": soon(days=1)},
        HTTPS,
        "max_age and expires",
    ),
    "max_age 0": ({"name": "a", "value": "x", "max_age": 0}, HTTPS, "at once"),
}


@pytest.mark.parametrize(
    ("body", "request_kwargs", "phrase"), WARNINGS.values(), ids=WARNINGS.keys()
)
def test_context_warnings(client, body, request_kwargs, phrase):
    response = post(client, body, **request_kwargs)

    assert response.status_code == 201
    assert any(phrase in warning for warning in response.get_json()["warnings"])


NO_WARNING = {
    "secure on localhost over HTTP": ({"secure": True}, {"base_url": "http://localhost"}),
    "secure on loopback over HTTP": ({"secure": True}, {"base_url": "http://127.0.0.1:8000"}),
    "same-site origin on another port": (
        {},
        {
            "base_url": "https://api.example.com",
            "headers": {"Origin": "https://app.example.com:8443"},
        },
    ),
    "cross-site with SameSite=None, partitioned": (
        {"samesite": "None", "secure": True, "partitioned": True},
        {"base_url": "https://api.example.com", "headers": {"Origin": "https://other.test"}},
    ),
    "origin null": ({}, {"base_url": "https://api.example.com", "headers": {"Origin": "null"}}),
}


@pytest.mark.parametrize(("extra", "request_kwargs"), NO_WARNING.values(), ids=NO_WARNING.keys())
def test_no_warning_where_browsers_store_the_cookie(client, extra, request_kwargs):
    response = post(client, {"name": "a", "value": "x", **extra}, **request_kwargs)

    assert response.status_code == 201
    assert response.get_json()["warnings"] == []


def test_wire_value_is_plain_cookie_octets(client):
    value = 'a "quoted" \\ back;slash, comma % 100 é 🍪 \t tab'
    response = post(client, {"name": "a", "value": value})

    wire = response.headers["Set-Cookie"].split(";")[0].removeprefix("a=")
    # RFC 6265bis cookie-octet: no quotes, no backslash, no comma, no semicolon, no space.
    assert all(0x21 <= ord(c) <= 0x7E and c not in '",;\\' for c in wire)
    assert unquote(wire) == value


# Hosts with no registrable domain: the Domain attribute equal to the host makes a host-only
# cookie (RFC 6265bis §5.7 step 9; Chromium's GetCookieDomainWithString).
HOST_ONLY = {
    "loopback name": "localhost",
    "IPv4 address": "127.0.0.1",
    "intranet name": "corp",
    "public suffix": "github.io",
}


@pytest.mark.parametrize("host", HOST_ONLY.values(), ids=HOST_ONLY.keys())
def test_a_domain_equal_to_a_host_without_registrable_domain_becomes_host_only(client, host):
    body = {"name": "a", "value": "x", "domain": host.upper()}

    response = client.post("/cookies", json=body, base_url=f"https://{host}")

    assert response.status_code == 201, response.get_json()
    assert response.headers["Set-Cookie"] == "a=x; Path=/; Secure; HttpOnly; SameSite=Lax"
    echo = response.get_json()
    assert echo["domain"] is None
    [finding] = echo["findings"]
    assert (finding["code"], finding["field"], finding["severity"]) == (
        "domain_becomes_host_only",
        "domain",
        "attribute_ignored",
    )
    assert echo["warnings"] == [finding["message"]]


# (request host, domain): Chromium counts an unknown top-level name as a registry.
DOMAIN_COOKIES = {
    "parent under a known suffix": ("www.example.com", "example.com"),
    "host under an unknown top-level name": ("foo.corp", "foo.corp"),
    "parent under an unknown top-level name": ("a.foo.corp", "foo.corp"),
}


@pytest.mark.parametrize(("host", "domain"), DOMAIN_COOKIES.values(), ids=DOMAIN_COOKIES.keys())
def test_a_domain_with_a_registrable_domain_is_kept(client, host, domain):
    body = {"name": "a", "value": "x", "domain": domain}

    response = client.post("/cookies", json=body, base_url=f"https://{host}")

    assert response.status_code == 201, response.get_json()
    assert f"Domain={domain};" in response.headers["Set-Cookie"]
    assert response.get_json()["findings"] == []


PUBLIC_SUFFIX_DOMAINS = {
    "unknown top-level name above the host": ("foo.corp", "corp", "do not know"),
    "loopback name above the host": ("app.localhost", "localhost", "do not know"),
    "known public suffix above the host": ("a.github.io", "github.io", "a public suffix"),
}


@pytest.mark.parametrize(
    ("host", "domain", "phrase"), PUBLIC_SUFFIX_DOMAINS.values(), ids=PUBLIC_SUFFIX_DOMAINS.keys()
)
def test_a_public_suffix_or_unknown_top_level_domain_is_refused(client, host, domain, phrase):
    """{"domain": "corp"} from foo.corp was a 201; Chromium refuses it (EXCLUDE_INVALID_DOMAIN)."""
    body = {"name": "a", "value": "x", "domain": domain}

    response = client.post("/cookies", json=body, base_url=f"https://{host}")

    assert response.status_code == 400
    [finding] = response.get_json()["findings"]
    assert (finding["code"], finding["chromium"]) == (
        "domain_public_suffix",
        "EXCLUDE_INVALID_DOMAIN",
    )
    assert phrase in finding["message"]


def test_an_ip_address_domain_other_than_the_host_is_refused(client):
    body = {"name": "a", "value": "x", "domain": "10.0.0.1"}
    other = client.post("/cookies", json=body, base_url="http://127.0.0.1")
    assert "IP address other than the request host" in other.get_json()["errors"]["domain"][0]


def test_a_bytes_secret_key_signs_as_itself():
    pair = (
        create_app({"SECRET_KEY": b"raw-bytes"})
        .test_client(use_cookies=False)
        .post("/cookies", json={"name": "a", "value": "x", "signed": True})
        .headers["Set-Cookie"]
        .split(";")[0]
    )
    same_key_as_text = create_app({"SECRET_KEY": "raw-bytes"}).test_client(use_cookies=False)
    cookies = same_key_as_text.get("/cookies", headers={"Cookie": pair}).get_json()["cookies"]
    assert cookies[0]["signature"] == "valid"


@pytest.mark.parametrize("offset", ["+02:00", "-05:30", "+00:00", "Z"])
def test_expires_with_any_offset_is_sent_as_the_same_instant_in_gmt(client, offset):
    instant = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
    hours, minutes = (0, 0) if offset == "Z" else (int(offset[1:3]), int(offset[4:6]))
    shift = timedelta(hours=hours, minutes=minutes) * (-1 if offset.startswith("-") else 1)
    local = (instant + shift).replace(tzinfo=None).isoformat() + offset

    response = client.post("/cookies", json={"name": "theme", "value": "dark", "expires": local})

    assert response.status_code == 201
    gmt = instant.strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert f"Expires={gmt}" in response.headers["Set-Cookie"]
    assert response.json["set_cookie"] == response.headers["Set-Cookie"]
