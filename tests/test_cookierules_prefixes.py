"""Name prefixes and what they require (RFC 6265bis §4.1.3)."""

from __future__ import annotations

import pytest

from cookierules.cookie import Cookie
from cookierules.prefixes import check_prefix, cookie_prefix, prefix_requirements


@pytest.mark.parametrize(
    ("name", "prefix"),
    [
        ("__Secure-a", "__Secure-"),
        ("__secure-a", "__Secure-"),
        ("__Host-a", "__Host-"),
        ("__HOST-a", "__Host-"),
        ("__Http-a", "__Http-"),
        ("__Host-Http-a", "__Host-Http-"),
        ("__host-http-a", "__Host-Http-"),
        ("__Hosted", None),
        ("Secure-a", None),
    ],
)
def test_prefixes_match_case_insensitively(name, prefix):
    assert cookie_prefix(name) == prefix


def test_what_each_prefix_requires():
    assert prefix_requirements(None) == frozenset()
    assert prefix_requirements("__Secure-") == {"secure"}
    assert prefix_requirements("__Host-") == {"secure", "host"}
    assert prefix_requirements("__Http-") == {"secure", "httponly"}
    assert prefix_requirements("__Host-Http-") == {"secure", "host", "httponly"}


BROKEN = {
    "__Secure- without Secure": (Cookie("__Secure-a", "1"), ["prefix_requires_secure"]),
    "__Secure- with Secure": (Cookie("__Secure-a", "1", secure=True), []),
    "__Host- with a path and a domain": (
        Cookie("__Host-a", "1", secure=True, path="/app", domain="example.com"),
        ["prefix_requires_root_path", "prefix_forbids_domain"],
    ),
    # The Path attribute itself must say "/" (wpt cookies/prefix/__host.explicit-path.https).
    "__Host- without a path given": (
        Cookie("__Host-a", "1", secure=True),
        ["prefix_requires_root_path"],
    ),
    "__Http- without HttpOnly": (
        Cookie("__Http-a", "1", secure=True),
        ["prefix_requires_httponly"],
    ),
    "__Host-Http- breaking everything": (
        Cookie("__Host-Http-a", "1", path="/x", domain="example.com"),
        [
            "prefix_requires_secure",
            "prefix_requires_httponly",
            "prefix_requires_root_path",
            "prefix_forbids_domain",
        ],
    ),
    "no prefix": (Cookie("a", "1", path="/x", domain="example.com"), []),
}


@pytest.mark.parametrize(("cookie", "expected"), BROKEN.values(), ids=BROKEN.keys())
def test_a_prefix_refuses_what_it_forbids(cookie, expected):
    findings = check_prefix(cookie)
    assert [finding.code for finding in findings] == expected
    assert all(finding.chromium == "EXCLUDE_INVALID_PREFIX" for finding in findings)


def test_a_host_prefix_may_name_its_ip_address_host_as_the_url_writes_it():
    """Chromium's HasValidHostPrefixAttributes (net/cookies/cookie_util.cc)."""
    ipv4 = Cookie("__Host-id", "1", path="/", secure=True, domain="127.0.0.1")
    ipv6 = Cookie("__Host-id", "1", path="/", secure=True, domain="::1")
    named = Cookie("__Host-id", "1", path="/", secure=True, domain="www.example.com")
    assert check_prefix(ipv4, host="127.0.0.1", domain_attribute="127.0.0.1") == []
    assert check_prefix(ipv6, host="::1", domain_attribute="[::1]") == []
    refused = [
        check_prefix(ipv4, host="127.0.0.1", domain_attribute=".127.0.0.1"),
        check_prefix(ipv4, host="127.0.0.2", domain_attribute="127.0.0.1"),
        check_prefix(ipv6, host="::1", domain_attribute="::1"),
        check_prefix(named, host="www.example.com", domain_attribute="www.example.com"),
        check_prefix(ipv4),
    ]
    assert [[item.code for item in findings] for findings in refused] == [
        ["prefix_forbids_domain"]
    ] * 5
