"""The conformance table of POST /lint: one row per behaviour, each with the source that states it.

Sources are RFC 6265bis sections, web-platform-tests cookies/ tests ("wpt ..."), or Chromium
files where browsers differ from the RFC. Each row posts Set-Cookie headers and checks what
/lint answers: the outcome of each header, codes among its problems, fields of the cookie as
kept, and the Cookie header sent to ``then_url``. The rules that only a jar with cookies set
from another URL can show are checked on the engine's jar (tests/test_cookierules_jar.py and
tests/test_cookierules_retrieval.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

NOW = "2026-03-01T12:00:00Z"
NOW_DATE = datetime(2026, 3, 1, 12, tzinfo=UTC)
URL = "https://www.example.com/app/page"


@dataclass(frozen=True)
class Case:
    id: str
    source: str
    set_cookie: list[str]
    outcomes: list[str]  # per header
    codes: list[set[str]] = field(default_factory=list)  # per header: codes among the problems
    cookie: dict[str, Any] = field(default_factory=dict)  # fields of the first header's cookie
    url: str = URL
    then_url: str | None = None
    cookie_header: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


CASES = [
    # Parsing, RFC 6265bis §5.6.
    Case(
        "nameless_cookie",
        'wpt cookies/value/value.html "Set nameless cookie to its value"',
        ["test7"],
        ["stored"],
        [{"nameless_cookie"}],
        {"name": "", "value": "test7"},
    ),
    Case(
        "nameless_after_equals",
        "wpt cookies/value/value.html \"Set nameless cookie followed by '=' to its value\"",
        ["=test10"],
        ["stored"],
        [{"nameless_cookie"}],
        {"name": "", "value": "test10"},
    ),
    Case(
        "value_keeps_its_quotes",
        'wpt cookies/value/value.html "Set cookie with quotes in value"',
        ['test="17"'],
        ["stored"],
        [{"value_quoted"}],
        {"name": "test", "value": '"17"'},
    ),
    Case(
        "whitespace_around_value_trimmed",
        'wpt cookies/value/value.html "Set cookie keeping whitespace inside quoted value"',
        ['test =  "  18 "  '],
        ["stored"],
        cookie={"name": "test", "value": '"  18 "'},
    ),
    Case(
        "value_ends_at_semicolon",
        'wpt cookies/value/value.html "Set cookie value ignoring characters after semicolon"',
        ['test="19;wow"'],
        ["stored"],
        [{"unknown_attribute"}],
        {"value": '"19'},
    ),
    Case(
        "last_attribute_wins",
        "RFC 6265bis §5.7 (the last attribute of a name counts); "
        "wpt cookies/size/attributes.www.sub.html",
        ["a=1; Path=/x; path=/y"],
        ["stored"],
        [{"attribute_repeated"}],
        {"path": "/y"},
    ),
    Case(
        "unknown_attribute_ignored",
        "RFC 6265bis §5.6 step 6 of attribute parsing",
        ["a=1; Colour=blue; Secure"],
        ["stored"],
        [{"unknown_attribute"}],
        {"secure": True},
    ),
    Case(
        "attribute_names_case_insensitive",
        "RFC 6265bis §5.6",
        ["a=1; sEcUrE; HTTPONLY; samesite=STRICT"],
        ["stored"],
        cookie={"secure": True, "httponly": True, "samesite": "Strict"},
    ),
    Case(
        "expires_cookie_date",
        "RFC 6265bis §5.1.1; wpt cookies/attributes/expires.html",
        ["a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT"],
        ["stored"],
        cookie={"expiry": "2026-10-21T07:28:00+00:00"},
    ),
    Case(
        "expires_not_a_date_is_ignored",
        "RFC 6265bis §5.6.1",
        ["a=1; Expires=next tuesday"],
        ["stored"],
        [{"expires_invalid"}],
        {"expiry": None},
    ),
    Case(
        "max_age_wins_over_expires",
        "RFC 6265bis §5.7 (Max-Age first); wpt cookies/attributes/max-age.html",
        ["a=1; Max-Age=60; Expires=Wed, 21 Oct 2015 07:28:00 GMT"],
        ["stored"],
        [{"max_age_overrides_expires"}],
        {"expiry": "2026-03-01T12:01:00+00:00"},
    ),
    Case(
        "max_age_not_a_number_is_ignored",
        "RFC 6265bis §5.6.2",
        ["a=1; Max-Age=1e3"],
        ["stored"],
        [{"max_age_invalid"}],
        {"expiry": None},
    ),
    Case(
        "max_age_zero_or_less_deletes",
        "RFC 6265bis §5.6.2; wpt cookies/attributes/max-age.html",
        ["a=1", "a=; Max-Age=-1"],
        ["stored", "rejected"],
        [set(), {"already_expired"}],
        then_url=URL,
        cookie_header="",
    ),
    Case(
        "leading_dot_in_domain",
        "RFC 6265bis §5.6.3; wpt cookies/attributes/domain.sub.html",
        ["a=1; Domain=.EXAMPLE.com"],
        ["stored"],
        cookie={"domain": "example.com", "host_only": False},
    ),
    Case(
        "default_path",
        "RFC 6265bis §5.1.4; wpt cookies/path/match.html",
        ["a=1"],
        ["stored"],
        cookie={"path": "/app"},
    ),
    Case(
        "path_not_starting_with_slash",
        "RFC 6265bis §5.6.4",
        ["a=1; Path=docs"],
        ["stored"],
        [{"path_invalid"}],
        {"path": "/app"},
    ),
    Case(
        "control_character_drops_the_line",
        "RFC 6265bis §5.6",
        ["a=1\x07"],
        ["rejected"],
        [{"disallowed_character"}],
    ),
    Case(
        "line_feed_drops_the_line",
        "RFC 6265bis §5.6",
        ["test=13\nZYX"],
        ["rejected"],
        [{"disallowed_character"}],
    ),
    Case(
        "tab_inside_value",
        "Chromium net/cookies/parsed_cookie.cc (cookie-value-octet)",
        ["a=x\ty", "b=1; Colour=re\td", "c \t=\t1\t; Path=/ \t"],
        ["rejected", "rejected", "stored"],
        [{"tab_character"}, {"tab_character"}, set()],
    ),
    Case(
        "name_and_value_4096_bytes",
        "RFC 6265bis §5.6; wpt cookies/size/name-and-value.html",
        ["a=" + "x" * 4096, "b=" + "x" * 4095],
        ["rejected", "stored"],
        [{"name_value_too_large"}, set()],
    ),
    Case(
        "attribute_over_1024_bytes_ignored",
        "RFC 6265bis §5.6; wpt cookies/size/attributes.www.sub.html",
        ["a=1; Path=/" + "p" * 1024],
        ["stored"],
        [{"attribute_too_large"}],
        {"path": "/app"},
    ),
    Case(
        "neither_name_nor_value",
        "RFC 6265bis §5.7",
        ["="],
        ["rejected"],
        [{"no_cookie_content"}],
    ),
    Case(
        "samesite_other_value_is_not_given",
        "RFC 6265bis §5.6.7",
        ["a=1; SameSite=Relaxed"],
        ["stored"],
        [{"samesite_invalid"}],
        {"samesite": None},
    ),
    Case(
        "priority",
        "Chromium net/cookies/cookie_constants.cc (StringToCookiePriority)",
        ["a=1; Priority=HIGH", "b=1"],
        ["stored", "stored"],
        cookie={"priority": "High"},
    ),
    # Storage, RFC 6265bis §5.7.
    Case(
        "host_only_without_domain",
        "RFC 6265bis §5.7",
        ["a=1"],
        ["stored"],
        cookie={"domain": "www.example.com", "host_only": True},
    ),
    Case(
        "domain_equal_to_host_is_a_domain_cookie",
        "RFC 6265bis §5.7",
        ["a=1; Domain=www.example.com"],
        ["stored"],
        cookie={"domain": "www.example.com", "host_only": False},
    ),
    Case(
        "domain_must_domain_match",
        "RFC 6265bis §5.1.3, §5.7; wpt cookies/attributes/domain.sub.html",
        ["a=1; Domain=example.org", "b=1; Domain=ample.com"],
        ["rejected", "rejected"],
        [{"domain_mismatch"}, {"domain_mismatch"}],
    ),
    Case(
        "domain_public_suffix",
        "RFC 6265bis §5.7",
        ["a=1; Domain=co.uk"],
        ["rejected"],
        [{"domain_public_suffix"}],
        url="https://shop.example.co.uk/",
    ),
    Case(
        "domain_unknown_top_level",
        "Chromium net/cookies/cookie_util.cc (GetCookieDomainWithString)",
        ["a=1; Domain=test"],
        ["rejected"],
        url="https://www.example.test/",
    ),
    Case(
        "secure_needs_a_secure_origin",
        "RFC 6265bis §5.7; wpt cookies/rfc6265bis/secure/create-cookie-http.html",
        ["a=1; Secure"],
        ["rejected"],
        [{"secure_from_insecure_origin"}],
        url="http://www.example.com/",
    ),
    Case(
        "http_localhost_is_a_secure_origin",
        "RFC 6265bis §5.7 (user agents may treat localhost as secure), as Chromium does",
        ["a=1; Secure; SameSite=None"],
        ["stored"],
        url="http://localhost:8000/",
    ),
    Case(
        "prefixes_match_case_insensitively",
        "RFC 6265bis §4.1.3, §5.7; wpt cookies/rfc6265bis/prefix/",
        ["__secure-a=1", "__HOST-b=1; Secure; Path=/; Domain=example.com"],
        ["rejected", "rejected"],
        [{"prefix_requires_secure"}, {"prefix_forbids_domain"}],
    ),
    Case(
        "host_prefix_needs_an_explicit_path",
        "wpt cookies/prefix/__host.explicit-path.https.window.js",
        ["__Host-a=1; Secure", "__Host-b=1; Secure; Path=/"],
        ["rejected", "stored"],
        [{"prefix_requires_root_path"}, set()],
        url="https://www.example.com/",
    ),
    Case(
        "http_prefixes_need_httponly",
        "RFC 6265bis §4.1.3",
        ["__Http-a=1; Secure", "__Host-Http-b=1; Secure; Path=/; HttpOnly"],
        ["rejected", "stored"],
        [{"prefix_requires_httponly"}, set()],
    ),
    Case(
        "nameless_cookie_cannot_look_prefixed",
        "RFC 6265bis §5.7",
        ["=__Secure-a"],
        ["rejected"],
        [{"prefix_in_nameless_value"}],
    ),
    Case(
        "samesite_none_needs_secure",
        "RFC 6265bis §5.7",
        ["a=1; SameSite=None"],
        ["rejected"],
        [{"samesite_none_requires_secure"}],
    ),
    Case(
        "partitioned_needs_secure",
        "CHIPS (draft-cutler-httpbis-partitioned-cookies); wpt cookies/partitioned-cookies/",
        ["a=1; Partitioned"],
        ["rejected"],
        [{"partitioned_requires_secure"}],
    ),
    Case(
        "max_age_capped_at_400_days",
        "RFC 6265bis §5.6.2",
        ["a=1; Max-Age=999999999"],
        ["stored"],
        [{"lifetime_over_400_days"}],
        {"expiry": (NOW_DATE + timedelta(days=400)).isoformat()},
    ),
    Case(
        "expires_capped_at_400_days",
        "RFC 6265bis §5.6.1",
        ["a=1; Expires=Fri, 01 Jan 2100 00:00:00 GMT"],
        ["stored"],
        [{"lifetime_over_400_days"}],
        {"expiry": (NOW_DATE + timedelta(days=400)).isoformat()},
    ),
    Case(
        "httponly_not_from_script",
        "RFC 6265bis §5.7; wpt cookies/attributes/httponly-overwrite.https.window.js",
        ["a=1; HttpOnly", "b=1"],
        ["rejected", "stored"],
        [{"httponly_from_script"}, set()],
        options={"from_script": True},
    ),
    Case(
        "cross_site_needs_samesite_none",
        "RFC 6265bis §5.7; wpt cookies/samesite/",
        ["a=1; Secure; SameSite=Lax", "b=1; Secure", "c=1; Secure; SameSite=None"],
        ["rejected", "rejected", "stored"],
        [
            {"samesite_lax_cross_site"},
            {"samesite_unspecified_cross_site"},
            {"third_party_unpartitioned"},
        ],
        options={"site_for_cookies": "https://www.news.example/"},
    ),
    Case(
        "later_header_replaces_same_name_domain_path",
        "RFC 6265bis §5.7",
        ["a=1", "a=2"],
        ["stored", "stored"],
        [set(), {"replaces_cookie"}],
        then_url=URL,
        cookie_header="a=2",
    ),
    Case(
        "another_path_is_another_cookie",
        "RFC 6265bis §5.7",
        ["a=1; Path=/", "a=2; Path=/app"],
        ["stored", "stored"],
        then_url=URL,
        cookie_header="a=2; a=1",
    ),
    Case(
        "past_expires_deletes",
        "RFC 6265bis §5.7; wpt cookies/attributes/expires.html",
        ["a=1", "b=1", "a=; Expires=Thu, 01 Jan 1970 00:00:00 GMT"],
        ["stored", "stored", "rejected"],
        [set(), set(), {"already_expired"}],
        then_url=URL,
        cookie_header="b=1",
    ),
    # Retrieval, RFC 6265bis §5.8.3.
    Case(
        "host_only_not_sent_to_subdomains",
        "RFC 6265bis §5.8.3",
        ["h=1", "d=2; Domain=example.com"],
        ["stored", "stored"],
        then_url="https://api.www.example.com/app/x",
        cookie_header="d=2",
    ),
    Case(
        "path_match",
        "RFC 6265bis §5.1.4; wpt cookies/path/match.html",
        ["a=1; Path=/app", "b=2; Path=/ap"],
        ["stored", "stored"],
        then_url="https://www.example.com/apple",
        cookie_header="",
    ),
    Case(
        "secure_not_sent_over_http",
        "RFC 6265bis §5.8.3",
        ["s=1; Secure", "p=2"],
        ["stored", "stored"],
        then_url="http://www.example.com/app/x",
        cookie_header="p=2",
    ),
    Case(
        "longer_paths_first_then_earlier_created",
        "RFC 6265bis §5.8.3; wpt cookies/ordering/ordering-refresh.www.sub.html",
        ["a=1; Path=/", "b=2; Path=/app/page", "c=3; Path=/app", "d=4"],
        ["stored"] * 4,
        then_url="https://www.example.com/app/page",
        cookie_header="b=2; c=3; d=4; a=1",
    ),
    Case(
        "nameless_cookie_sent_as_its_value",
        "RFC 6265bis §5.8.3",
        ["solo", "empty="],
        ["stored", "stored"],
        then_url=URL,
        cookie_header="solo; empty=",
    ),
    Case(
        "cross_site_request_carries_samesite_none",
        "RFC 6265bis §5.8.3",
        ["n=1; Secure; SameSite=None", "p=2; Secure; SameSite=None; Partitioned"],
        ["stored", "stored"],
        then_url=URL,
        cookie_header="n=1; p=2",
        options={"site_for_cookies": "https://www.news.example/"},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_conformance(case: Case, client):
    body = {"url": case.url, "set_cookie": case.set_cookie, "now": NOW, **case.options}
    if case.then_url is not None:
        body["then_url"] = case.then_url

    response = client.post("/lint", json=body)

    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    results = report["results"]
    assert [result["outcome"] for result in results] == case.outcomes, report
    for result, codes in zip(results, case.codes, strict=False):
        assert codes <= {problem["code"] for problem in result["problems"]}, result
        if result["outcome"] == "rejected":
            assert result["cookie"] is None
            assert any(problem["severity"] == "rejected" for problem in result["problems"])
    if case.cookie:
        kept = results[0]["cookie"]
        assert {key: kept[key] for key in case.cookie} == case.cookie, kept
    if case.then_url is not None:
        assert report["cookie_header"] == case.cookie_header, report
    else:
        assert "cookie_header" not in report


def test_every_row_names_its_source():
    assert all(
        case.source.startswith(("RFC 6265bis §", "wpt cookies/", "Chromium net/", "CHIPS"))
        for case in CASES
    )
    assert len({case.id for case in CASES}) == len(CASES)
