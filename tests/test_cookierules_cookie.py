"""The Set-Cookie header of a Cookie, and the Cookie request header."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from cookierules.cookie import Cookie, expired, format_set_cookie, parse_cookie_header


def test_every_attribute_in_order():
    cookie = Cookie(
        "a",
        "b",
        domain="example.com",
        path="/app",
        expires=datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2))),
        max_age=60,
        secure=True,
        httponly=True,
        samesite="None",
        partitioned=True,
    )
    assert format_set_cookie(cookie) == (
        "a=b; Domain=example.com; Path=/app; Expires=Wed, 02 Jan 2030 01:04:05 GMT; "
        "Max-Age=60; Secure; HttpOnly; SameSite=None; Partitioned"
    )


def test_attributes_not_given_are_left_out():
    assert format_set_cookie(Cookie("a", "")) == "a="


def test_an_expired_cookie_has_no_value_and_ends_in_1970():
    gone = expired(Cookie("a", "b", path="/", max_age=60, expires=datetime.now(UTC)))
    assert format_set_cookie(gone) == (
        "a=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0"
    )


@pytest.mark.parametrize(
    ("header", "pairs"),
    [
        ("a=1; b=2", [("a", "1"), ("b", "2")]),
        ("a=1;a=2", [("a", "1"), ("a", "2")]),
        ("nameless; a=1", [("", "nameless"), ("a", "1")]),
        (" a = 1 ;; ", [("a", "1")]),
        ("a==b", [("a", "=b")]),
        ("", []),
    ],
)
def test_a_cookie_header_keeps_order_and_duplicates(header, pairs):
    assert parse_cookie_header(header) == pairs
