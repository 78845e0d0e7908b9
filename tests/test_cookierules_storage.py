"""What browsers store (RFC 6265bis §5.7), and the warnings that depend on the context."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from cookierules.cookie import Cookie
from cookierules.storage import SetContext, check_storage, context_warnings, stored_cookie
from tests.conftest import memory_kept

NOW = datetime(2030, 1, 1, tzinfo=UTC)
SAME_SITE = SetContext(
    host="www.example.com", secure_origin=True, cross_site=False, from_script=False, now=NOW
)
CROSS_SITE = replace(SAME_SITE, cross_site=True, initiator="https://other.test")
PLAIN_HTTP = replace(SAME_SITE, secure_origin=False)


def codes(findings) -> list[str]:
    return [finding.code for finding in findings]


STORAGE = {
    "a plain cookie": (Cookie("a", "1"), []),
    "SameSite=None without Secure": (
        Cookie("a", "1", samesite="None"),
        ["samesite_none_requires_secure"],
    ),
    "Partitioned without Secure": (
        Cookie("a", "1", partitioned=True),
        ["partitioned_requires_secure"],
    ),
    "both, with Secure": (Cookie("a", "1", samesite="None", partitioned=True, secure=True), []),
    "a prefix": (Cookie("__Secure-a", "1"), ["prefix_requires_secure"]),
    "too large": (Cookie("a", "v" * 4096), ["name_value_too_large"]),
    "another site's domain": (Cookie("a", "1", domain="example.org"), ["domain_mismatch"]),
    "the parent domain": (Cookie("a", "1", domain="example.com"), []),
    "expired": (Cookie("a", "1", expires=NOW), ["already_expired"]),
    "past the cap": (
        Cookie("a", "1", expires=NOW + timedelta(days=401)),
        ["lifetime_over_400_days"],
    ),
}


@pytest.mark.parametrize(("cookie", "expected"), STORAGE.values(), ids=STORAGE.keys())
def test_check_storage(cookie, expected):
    assert codes(check_storage(cookie, SAME_SITE)) == expected


def test_a_domain_equal_to_a_host_without_registrable_domain_is_left_out():
    cookie = Cookie("a", "1", domain="localhost")
    findings = check_storage(cookie, replace(SAME_SITE, host="localhost"))
    assert codes(findings) == ["domain_becomes_host_only"]
    assert stored_cookie(cookie, findings) == Cookie("a", "1")
    assert stored_cookie(cookie, []) is cookie


WARNINGS = {
    "nothing to say": (Cookie("a", "1", samesite="Lax"), SAME_SITE, []),
    "Secure over plain HTTP": (
        Cookie("a", "1", secure=True),
        PLAIN_HTTP,
        ["secure_from_insecure_origin"],
    ),
    "Lax from another site": (
        Cookie("a", "1", samesite="Lax"),
        CROSS_SITE,
        ["samesite_lax_cross_site"],
    ),
    "Strict from another site": (
        Cookie("a", "1", samesite="Strict"),
        CROSS_SITE,
        ["samesite_strict_cross_site"],
    ),
    "unpartitioned from another site": (
        Cookie("a", "1", samesite="None", secure=True),
        CROSS_SITE,
        ["third_party_unpartitioned"],
    ),
    "partitioned from another site": (
        Cookie("a", "1", samesite="None", secure=True, partitioned=True),
        CROSS_SITE,
        [],
    ),
    "max_age beside expires, and zero": (
        Cookie("a", "1", max_age=0, expires=NOW + timedelta(days=1)),
        SAME_SITE,
        ["max_age_overrides_expires", "max_age_zero"],
    ),
}


@pytest.mark.parametrize(("cookie", "context", "expected"), WARNINGS.values(), ids=WARNINGS.keys())
def test_context_warnings(cookie, context, expected):
    findings = context_warnings(cookie, context)
    assert codes(findings) == expected
    assert all(finding.severity == "warning" for finding in findings)
    for finding in findings:
        if "another site" in finding.message:
            assert "(https://other.test)" in finding.message


def test_a_domain_is_checked_the_same_again_and_long_ones_are_not_kept():
    """The Domain check is remembered per Domain and host; a text longer than a host name is
    checked anew and not kept (10 MB here)."""
    cookie = Cookie("a", "1", domain="other.org")
    assert codes(check_storage(cookie, SAME_SITE)) == ["domain_mismatch"]
    assert codes(check_storage(cookie, SAME_SITE)) == ["domain_mismatch"]

    def check_long_domains() -> None:
        for number in range(10):
            domain = f"{number}.example.com".rjust(1_000_000, "a")
            long_cookie = Cookie("a", "1", domain=domain)
            assert codes(check_storage(long_cookie, SAME_SITE)) == ["domain_mismatch"]

    assert memory_kept(check_long_domains) < 1_000_000
