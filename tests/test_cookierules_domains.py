"""The Domain attribute (RFC 6265bis §5.1.3, §5.6.3, §5.7), as Chromium applies it."""

from __future__ import annotations

import contextlib

import pytest

from cookierules.domains import (
    InvalidDomain,
    InvalidHost,
    canonical_host,
    check_domain,
    check_domain_site,
    domain_matches,
    is_ip_address,
    normalize_domain,
    registrable_domain,
)
from tests.conftest import memory_kept


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("Example.COM", "example.com"),
        (".example.com", "example.com"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("127.0.0.1", "127.0.0.1"),
        # Chromium keeps what the URL parser keeps (GetCookieDomainWithString,
        # net/cookies/cookie_util.cc): no STD3 or DNS-length rules, a trailing dot.
        ("My_App.example.com", "my_app.example.com"),
        ("-x.example.com", "-x.example.com"),
        ("ab--cd.example.com", "ab--cd.example.com"),
        ("a" * 64 + ".example.com", "a" * 64 + ".example.com"),
        ("Example.COM.", "example.com."),
        ("élève.web-platform.test", "xn--lve-6lad.web-platform.test"),
    ],
)
def test_a_domain_is_stored_lower_case_ascii_without_a_leading_dot(given, stored):
    assert normalize_domain(given) == stored


@pytest.mark.parametrize(
    ("given", "phrase"),
    [
        ("", "host name"),
        (".", "host name"),
        ("2130706433", "four decimals"),
        ("%65xample.com", "host name"),
        ("::1", "IPv6"),
        ("a b.com", "host name"),
        ("a..b", "host name"),
    ],
)
def test_what_is_no_host_name_is_invalid(given, phrase):
    with pytest.raises(InvalidDomain) as raised:
        normalize_domain(given)
    assert raised.value.finding.code == "domain_invalid"
    assert phrase in raised.value.finding.message


@pytest.mark.parametrize(
    ("host", "domain", "matches"),
    [
        ("example.com", "example.com", True),
        ("www.example.com", "example.com", True),
        ("wwwexample.com", "example.com", False),
        ("example.com", "www.example.com", False),
        ("10.0.0.1", "0.1", False),
    ],
)
def test_domain_match(host, domain, matches):
    assert domain_matches(host, domain) is matches


@pytest.mark.parametrize(
    ("host", "registrable"),
    [
        ("www.example.co.uk", "example.co.uk"),
        ("a.github.io", "a.github.io"),
        ("foo.corp", "foo.corp"),
        ("github.io", None),
        ("corp", None),
        ("localhost", None),
        ("127.0.0.1", None),
    ],
)
def test_an_unknown_top_level_name_counts_as_a_registry(host, registrable):
    """As Chromium's GetDomainAndRegistry, with INCLUDE_UNKNOWN_REGISTRIES."""
    assert registrable_domain(host) == registrable


# (request host, domain, code or None): Chromium's GetCookieDomainWithString, case by case.
CASES = {
    "the host itself": ("www.example.com", "www.example.com", None),
    "a parent": ("www.example.com", "example.com", None),
    "another site": ("www.example.com", "example.org", "domain_mismatch"),
    "a child of the host": ("example.com", "www.example.com", "domain_mismatch"),
    "a public suffix": ("www.example.co.uk", "co.uk", "domain_public_suffix"),
    "an unknown top-level name": ("foo.corp", "corp", "domain_public_suffix"),
    "an intranet host itself": ("foo.corp", "foo.corp", None),
    "localhost itself": ("localhost", "localhost", "domain_becomes_host_only"),
    "a single-label host itself": ("corp", "corp", "domain_becomes_host_only"),
    "a public suffix host itself": ("github.io", "github.io", "domain_becomes_host_only"),
    "an IP address host itself": ("127.0.0.1", "127.0.0.1", "domain_becomes_host_only"),
    "another IP address": ("127.0.0.1", "10.0.0.1", "domain_mismatch"),
    "a name from an IP address": ("127.0.0.1", "example.com", "domain_mismatch"),
    "a parent, both with a trailing dot": ("www.example.com.", "example.com.", None),
    "a parent without the host's dot": ("www.example.com.", "example.com", "domain_mismatch"),
    "a parent with a dot the host lacks": ("www.example.com", "example.com.", "domain_mismatch"),
    "underscores and hyphens": ("my_app.-x.example.com", "-x.example.com", None),
}


@pytest.mark.parametrize(("host", "domain", "code"), CASES.values(), ids=CASES.keys())
def test_a_domain_against_the_request_host(host, domain, code):
    findings = check_domain(domain, host)
    assert [finding.code for finding in findings] == ([code] if code else [])
    assert all(finding.field == "domain" for finding in findings)


def test_facts_about_long_host_names_are_not_kept():
    """The facts about the hosts and Domains asked about last are remembered; a text longer
    than a host name is not (10 MB here)."""

    def ask_about_long_hosts() -> None:
        for number in range(10):
            host = f"{number}.example.com".rjust(1_000_000, "a")
            assert registrable_domain(host) == "example.com"
            assert not is_ip_address(host)
            with contextlib.suppress(InvalidDomain):
                normalize_domain(host)

    assert memory_kept(ask_about_long_hosts) < 1_000_000


# (request host, domain, whether Chromium also names EXCLUDE_DOMAIN_MISMATCH), as the NetLog of
# Chromium 156 shows it: only when the host has a registrable domain the Domain's is not.
SITES = {
    "another site": ("www.example.com", "example.org", True),
    "a public suffix": ("www.example.co.uk", "co.uk", True),
    "the same site, not a parent": ("www.example.com", "sub.www.example.com", False),
    "from an IP address": ("127.0.0.1", "127.0.0.2", False),
    "a trailing dot": ("www.example.com", "example.com.", True),
    # A Domain that is no host name, as Chromium's host canonicaliser reads it.
    "a space, another site": ("www.example.com", "ex ample.com", True),
    "a space, the same site": ("www.example.com", "x y.example.com", False),
    "a quote and an asterisk": ("www.example.com", 'e"x*ample.com', True),
    "only a dot": ("www.example.com", ".", True),
    "an empty label": ("www.example.com", "example..com", True),
    "an empty label under the site": ("www.example.com", "x..example.com", False),
    "two leading dots": ("www.example.com", "..example.com", False),
    "an IPv6 address in brackets": ("www.example.com", "[::1]", True),
    "an IPv4 address in octal": ("www.example.com", "0177.1", True),
    "an IPv4 address out of range": ("www.example.com", "1.2.3.999", False),
    "a percent sign": ("www.example.com", "ex%61mple.com", False),
    "a colon": ("www.example.com", "example.com:443", False),
    "a slash": ("www.example.com", "/", False),
    "a space, from a host without a site": ("localhost", "a b", False),
}


@pytest.mark.parametrize(("host", "domain", "named"), SITES.values(), ids=SITES.keys())
def test_another_site_is_named_as_chromium_names_it(host, domain, named):
    findings = check_domain_site(domain, host)
    assert [finding.chromium for finding in findings] == (
        ["EXCLUDE_DOMAIN_MISMATCH"] if named else []
    )


@pytest.mark.parametrize(
    ("host", "canonical"),
    [
        ("2130706433", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0x7F.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.0.0.1.", "127.0.0.1"),
        ("BÜcher.Example", "xn--bcher-kva.example"),
        ("My_App.-x.ab--cd.example", "my_app.-x.ab--cd.example"),
        ("www.example.com.", "www.example.com."),
        ("1.2.3.x", "1.2.3.x"),
    ],
)
def test_a_host_as_the_url_parser_writes_it(host: str, canonical: str):
    # WHATWG URL's host parser, as Chromium's url/url_canon_host.cc and url_canon_ip.cc apply it.
    assert canonical_host(host) == canonical


@pytest.mark.parametrize(
    "host",
    ["", "a..b", "a b", "a%62", "1.2.3.256", "256.1", "1.2.3.4.5", "foo.09", "08.1", "\ufffd.com"],
)
def test_what_the_url_parser_refuses_as_a_host(host: str):
    with pytest.raises(InvalidHost):
        canonical_host(host)
