"""cookierules.parse: one Set-Cookie header into a Cookie, as RFC 6265bis §5.6 and Chromium read it.

The behaviours are in the conformance table of POST /lint (tests/lint_conformance.yaml);
these check what the parser hands to the storage rules.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from cookierules.cookie import Cookie
from cookierules.parse import parse_set_cookie
from tests.conftest import memory_kept


def test_every_attribute_is_read():
    parsed = parse_set_cookie(
        "id=a1; Domain=.Example.COM; Path=/app; Expires=Wed, 21 Oct 2026 07:28:00 GMT; "
        "Max-Age=60; Secure; HttpOnly; SameSite=lax; Partitioned; Priority=low"
    )

    assert parsed.cookie == Cookie(
        name="id",
        value="a1",
        domain="example.com",
        path="/app",
        expires=datetime(2026, 10, 21, 7, 28, tzinfo=UTC),
        max_age=60,
        secure=True,
        httponly=True,
        samesite="Lax",
        partitioned=True,
    )
    assert parsed.priority == "Low"
    assert parsed.findings == []


@pytest.mark.parametrize(
    ("header", "path"),
    [("a=1", None), ("a=1; Path=", ""), ("a=1; Path", ""), ("a=1; Path=/x", "/x")],
)
def test_the_path_is_kept_as_given_for_the_storage_to_resolve(header: str, path: str | None):
    # __Host- needs the Path attribute itself to say "/", so "not given" must stay visible.
    assert parse_set_cookie(header).cookie.path == path


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("a=1\x7f", "disallowed_character"),
        ("a=1; Path=/\x00", "disallowed_character"),
        ("=", "no_cookie_content"),
        ("  ;  Secure", "no_cookie_content"),
    ],
)
def test_what_drops_the_whole_line_leaves_no_cookie(header: str, code: str):
    parsed = parse_set_cookie(header)

    assert parsed.cookie is None
    assert [finding.code for finding in parsed.findings] == [code]


def test_a_domain_that_is_no_host_name_leaves_the_other_attributes_read():
    # Chromium names what else is wrong too (CanonicalCookie::Create, canonical_cookie.cc).
    parsed = parse_set_cookie("a=1; Domain=exa mple.com; Partitioned; Path=/x")

    assert [finding.code for finding in parsed.findings] == ["domain_invalid"]
    assert parsed.cookie.domain is None
    assert (parsed.cookie.partitioned, parsed.cookie.path) == (True, "/x")
    assert parsed.domain_attribute == "exa mple.com"


def test_an_unknown_priority_is_the_default():
    assert parse_set_cookie("a=1; Priority=urgent").priority == "Medium"


@pytest.mark.parametrize(
    "attributes",
    ["; Path=/x; Max-Age=5; Colour=red; Secure", "; Domain=exa..mple.com; Path=/x", ""],
)
def test_headers_that_share_their_attributes_each_keep_their_own_name_and_value(attributes: str):
    """The attributes a header shares with one read before are read the same, whatever its name."""
    first = parse_set_cookie("a=1" + attributes)
    second = parse_set_cookie("b=2" + attributes)

    assert second.findings == first.findings
    assert second.priority == first.priority
    if first.cookie is None:
        assert second.cookie is None
    else:
        assert (first.cookie.name, first.cookie.value) == ("a", "1")
        assert second.cookie == replace(first.cookie, name="b", value="2")


def test_long_attributes_are_not_kept_after_the_header_is_read():
    """Parsing remembers the attributes it read last, but none of megabytes (10 MB here)."""

    def parse_long_attributes() -> None:
        for number in range(10):
            parsed = parse_set_cookie(f"a=1; Path=/{number}; Colour=" + "c" * 1_000_000)
            assert [finding.code for finding in parsed.findings] == ["attribute_too_large"]

    assert memory_kept(parse_long_attributes) < 1_000_000


def test_a_non_ascii_domain_becomes_punycode_with_a_warning():
    # Chromium 156 converts it (WARN_DOMAIN_NON_ASCII, net/cookies/cookie_util.cc).
    parsed = parse_set_cookie("a=1; Domain=Bücher.example")

    assert parsed.cookie.domain == "xn--bcher-kva.example"
    assert [(item.code, item.severity) for item in parsed.findings] == [
        ("domain_non_ascii", "warning")
    ]
