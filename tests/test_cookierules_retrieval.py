"""cookierules.retrieval: which cookies go with a request, and why the others do not (§5.8.3)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from cookierules.jar import CookieJar
from cookierules.retrieval import Request, cookie_header, cookies_to_send, exclusion, in_send_order
from tests.test_cookierules_jar import NOW_DATE, stored

DOMAIN_COOKIE = stored("a", domain="example.com", host_only=False)


def test_expired_cookies_leave_the_jar_and_are_not_sent():
    """RFC 6265bis §5.7 and §5.8.3: expiry is judged at the moment of the request."""
    later = NOW_DATE + timedelta(hours=2)
    short = stored("short", expiry=NOW_DATE + timedelta(hours=1))
    request = Request(host="www.example.com", path="/", secure=True, cross_site=False, now=later)

    assert exclusion(short, request).code == "not_sent_expired"
    jar = CookieJar([short, stored("long")])
    jar.remove_expired(later)
    assert [c.name for c in jar.cookies] == ["long"]


@pytest.mark.parametrize(
    ("samesite", "code"),
    [
        ("Strict", "not_sent_samesite_strict"),
        ("Lax", "not_sent_samesite_lax"),
        (None, "not_sent_samesite_unspecified"),
        ("None", None),
    ],
)
def test_cross_site_requests_leave_out_samesite_cookies(samesite: str | None, code: str | None):
    """RFC 6265bis §5.8.3; Chromium treats a cookie without SameSite as Lax."""
    cookie = stored("a", samesite=samesite, secure=True)
    request = Request(host="www.example.com", path="/", secure=True, cross_site=True, now=NOW_DATE)

    problem = exclusion(cookie, request)

    assert (problem.code if problem else None) == code
    assert cookie_header(cookies_to_send([cookie], request)) == ("" if code else "a=1")
    same_site = replace(request, cross_site=False)
    assert cookie_header(cookies_to_send([cookie], same_site)) == "a=1"


def test_send_order_is_longer_paths_first_then_earlier_created():
    """RFC 6265bis §5.8.3; wpt cookies/ordering/."""
    in_creation_order = [stored("a", path="/"), stored("c", path="/app"), stored("b", path="/app")]

    assert [cookie.name for cookie in in_send_order(in_creation_order)] == ["c", "b", "a"]


@pytest.mark.parametrize(
    ("cookie", "request_host", "request_path", "secure", "code"),
    [
        (stored("a"), "api.www.example.com", "/", True, "not_sent_domain"),
        (
            stored("a", domain="example.com", host_only=False),
            "example.org",
            "/",
            True,
            "not_sent_domain",
        ),
        (stored("a", path="/app"), "www.example.com", "/application", True, "not_sent_path"),
        (stored("a", secure=True), "www.example.com", "/", False, "not_sent_secure"),
        (DOMAIN_COOKIE, "api.example.com", "/", False, None),
    ],
)
def test_why_a_cookie_is_not_sent(cookie, request_host, request_path, secure, code):
    request = Request(request_host, request_path, secure, cross_site=False, now=NOW_DATE)

    problem = exclusion(cookie, request)

    assert (problem.code if problem else None) == code
    assert problem is None or problem.severity == "warning"


def test_a_nameless_cookie_is_sent_as_its_value_alone():
    assert cookie_header([stored("", "solo"), stored("empty", "")]) == "solo; empty="


def test_a_partitioned_cookie_is_not_sent_under_another_top_level_site():
    """CHIPS: a partitioned cookie is sent only under the top-level site it was set under."""
    partitioned = stored("p", secure=True, partitioned=True, partition_key="http://example.com")
    plain = stored("u", secure=True)
    elsewhere = Request("www.example.com", "/", True, cross_site=False, now=NOW_DATE)
    elsewhere = replace(elsewhere, partition_key="https://example.com")

    assert exclusion(partitioned, elsewhere).code == "not_sent_partition"
    assert exclusion(plain, elsewhere) is None
    assert exclusion(partitioned, replace(elsewhere, partition_key="http://example.com")) is None
