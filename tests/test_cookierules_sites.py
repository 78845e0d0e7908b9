"""Sites and secure contexts (RFC 6265bis §5.2)."""

from __future__ import annotations

import pytest

from cookierules.sites import (
    is_cross_site,
    is_loopback_host,
    is_secure_origin,
    origin_site,
    site_of,
)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("app.localhost", True),
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("example.com", False),
        ("10.0.0.1", False),
        ("localhost.example", False),
    ],
)
def test_loopback_hosts_are_secure_contexts_over_http(host, loopback):
    assert is_loopback_host(host) is loopback
    assert is_secure_origin("http", host) is loopback
    assert is_secure_origin("https", host)


def test_a_site_is_the_scheme_and_registrable_domain():
    assert site_of("https", "a.b.example.co.uk") == ("https", "example.co.uk")
    assert site_of("http", "localhost") == ("http", "localhost")
    # An IP address has no registrable domain: it is its own site, not its last two numbers.
    assert site_of("http", "10.0.0.1") == ("http", "10.0.0.1")
    assert site_of("http", "::1") == ("http", "::1")
    assert origin_site("https://app.example.com:8443") == ("https", "example.com")
    for garbage in ("null", "http://[x", "example.com"):
        assert origin_site(garbage) is None


@pytest.mark.parametrize(
    ("origin", "scheme", "host", "cross"),
    [
        (None, "https", "api.example.com", False),
        ("https://app.example.com", "https", "api.example.com", False),
        ("http://app.example.com", "https", "api.example.com", True),
        ("https://other.test", "https", "api.example.com", True),
        ("null", "https", "api.example.com", False),
        ("http://10.0.0.2", "http", "10.0.0.1", True),
        ("http://10.0.0.1:8080", "http", "10.0.0.1", False),
    ],
)
def test_cross_site_compares_schemeful_sites(origin, scheme, host, cross):
    assert is_cross_site(origin, scheme, host) is cross
