"""Findings speak the words of their input: a header's attributes to POST /lint, the body's
field names to POST /cookies; and the small mismatches between the two are gone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cookierules.findings import RULES, WORDS

# Words of a JSON body that mean nothing to someone holding a Set-Cookie header.
BODY_WORDS = (
    "secure: true",
    "httponly: true",
    "partitioned: true",
    "samesite:",
    "max_age",
    "signing",
)
HTTPS_PAGE = "https://www.example.com/"

# (Set-Cookie, extra body fields, code, what to change in the header)
HEADERS = [
    ("a=1; SameSite=None", {}, "samesite_none_requires_secure", 'add "; Secure"'),
    ("a=1; SameSite=None; Partitioned", {}, "partitioned_requires_secure", 'add "; Secure"'),
    ("__Secure-a=1", {}, "prefix_requires_secure", 'add "; Secure"'),
    ("__Http-a=1; Secure", {}, "prefix_requires_httponly", 'add "; HttpOnly"'),
    ("__Host-a=1; Secure; Path=/app", {}, "prefix_requires_root_path", 'set "; Path=/"'),
    (
        "__Host-a=1; Secure; Path=/; Domain=example.com",
        {},
        "prefix_forbids_domain",
        'remove "; Domain=example.com"',
    ),
    ("a=" + "v" * 4100, {}, "name_value_too_large", "shorten the name or the value by 5 bytes"),
    (
        "a=1; Secure",
        {"url": "http://www.example.com/"},
        "secure_from_insecure_origin",
        'send it over HTTPS, or remove "; Secure"',
    ),
    (
        "a=1; SameSite=Lax",
        {"url": "https://api.example.net/", "site_for_cookies": HTTPS_PAGE},
        "samesite_lax_cross_site",
        'use "SameSite=None; Secure"',
    ),
    (
        "a=1",
        {"url": "https://api.example.net/", "site_for_cookies": HTTPS_PAGE},
        "samesite_unspecified_cross_site",
        'add "; SameSite=None; Secure"',
    ),
    (
        "a=1; SameSite=None; Secure",
        {"url": "https://api.example.net/", "site_for_cookies": HTTPS_PAGE},
        "third_party_unpartitioned",
        'add "; Partitioned" to keep it within that site',
    ),
]


@pytest.mark.parametrize(
    ("header", "fields", "code", "fix"), HEADERS, ids=[case[2] for case in HEADERS]
)
def test_a_finding_about_a_header_says_what_to_change_in_it(client, header, fields, code, fix):
    response = client.post("/lint", json={"url": HTTPS_PAGE, "set_cookie": [header], **fields})

    (result,) = response.get_json()["results"]
    (problem,) = [item for item in result["problems"] if item["code"] == code]
    assert problem["fix"] == fix
    assert problem["message"].endswith(f"{fix[0].upper()}{fix[1:]}.")
    for words in BODY_WORDS:
        assert words not in problem["message"]


def test_the_same_rule_keeps_the_field_names_about_a_json_body(client):
    response = client.post(
        "/cookies",
        json={"name": "__Host-a", "value": "1", "samesite": "None", "path": "/app"},
        base_url="http://localhost",
    )

    messages = {item["code"]: item["message"] for item in response.get_json()["findings"]}
    assert messages == {
        "samesite_none_requires_secure": "SameSite=None requires secure: true; "
        "browsers drop such cookies.",
        "prefix_requires_secure": "the __Host- prefix requires secure: true; "
        "browsers drop such cookies.",
        "prefix_requires_root_path": 'the __Host- prefix requires path "/"; '
        "browsers drop such cookies.",
    }
    assert all("fix" not in item for item in response.get_json()["findings"])


def test_one_catalogue_holds_both_voices():
    assert set(WORDS) <= set(RULES)
    for code, words in WORDS.items():
        assert words.body.endswith("."), code
        assert not words.header.endswith("."), code  # the fix, if any, follows


@pytest.mark.parametrize(
    ("unknown", "meant"),
    [
        ("maxAge", "max_age"),
        ("httpOnly", "httponly"),
        ("sameSite", "samesite"),
        ("expire", "expires"),
    ],
)
def test_an_unknown_field_gets_a_did_you_mean(client, unknown, meant):
    response = client.post("/cookies", json={"name": "a", "value": "1", unknown: 1})

    assert response.status_code == 400
    (problem,) = response.get_json()["findings"]
    assert (problem["code"], problem["field"]) == ("unknown_field", unknown)
    assert problem["message"] == f'Unknown field. Did you mean "{meant}"?'


def test_a_field_like_no_other_gets_no_guess(client):
    response = client.post("/lint", json={"url": HTTPS_PAGE, "set_cookie": ["a=1"], "zzz": 1})

    assert response.get_json()["errors"] == {"zzz": ["Unknown field."]}


@pytest.mark.parametrize(
    ("given", "echoed"), [("lax", "Lax"), ("STRICT", "Strict"), ("nOnE", "None")]
)
def test_samesite_in_any_case_is_taken_and_echoed_as_written(client, given, echoed):
    # RFC 6265bis §5.6.7: browsers read SameSite's value case-insensitively.
    response = client.post(
        "/cookies", json={"name": "a", "value": "1", "samesite": given, "secure": True}
    )

    assert response.status_code == 201, response.get_json()
    assert response.get_json()["samesite"] == echoed
    assert response.headers["Set-Cookie"].endswith(f"SameSite={echoed}")


@pytest.mark.parametrize(
    "fields",
    [
        {"max_age": 400 * 86400 + 1},
        {"expires": (datetime.now(UTC) + timedelta(days=401)).isoformat()},
    ],
    ids=["max_age", "expires"],
)
def test_a_lifetime_over_400_days_is_refused_as_a_refusal(client, fields):
    response = client.post("/cookies", json={"name": "a", "value": "1", **fields})

    assert response.status_code == 400
    (problem,) = response.get_json()["findings"]
    assert (problem["code"], problem["severity"]) == ("lifetime_over_400_days", "rejected")


def test_an_expires_without_offset_gets_the_same_code_in_both_operations(client):
    naive = "2030-01-01T00:00:00"
    set_answer = client.post("/cookies", json={"name": "a", "value": "1", "expires": naive})
    lint_answer = client.post(
        "/lint", json={"url": HTTPS_PAGE, "set_cookie": ["a=1"], "now": naive}
    )

    (set_problem,) = set_answer.get_json()["findings"]
    (lint_problem,) = lint_answer.get_json()["findings"]
    assert set_problem["code"] == lint_problem["code"] == "offset_required"
    assert set_problem["message"] == lint_problem["message"]
