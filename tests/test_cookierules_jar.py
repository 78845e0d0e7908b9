"""cookierules.jar: storing, replacing and deleting per RFC 6265bis §5.7, with a jar that already
holds cookies from another URL, which a single POST /lint cannot show."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from cookierules.jar import CookieJar, StoredCookie

NOW_DATE = datetime(2026, 3, 1, 12, tzinfo=UTC)


def stored(name: str, value: str = "1", **fields: Any) -> StoredCookie:
    defaults = {
        "domain": "www.example.com",
        "host_only": True,
        "path": "/",
        "expiry": None,
        "secure": False,
        "httponly": False,
        "samesite": None,
        "partitioned": False,
        "priority": "Medium",
    }
    return StoredCookie(name=name, value=value, **{**defaults, **fields})


def test_script_cannot_replace_an_httponly_cookie():
    """RFC 6265bis §5.7; wpt cookies/attributes/httponly-overwrite.https.window.js."""
    jar = CookieJar()
    assert (
        jar.store(stored("a", httponly=True), from_script=False, secure_scheme=True, now=NOW_DATE)
        == []
    )

    refused = jar.store(stored("a", "2"), from_script=True, secure_scheme=True, now=NOW_DATE)

    assert [item.code for item in refused] == ["overwrite_httponly"]
    assert refused[0].chromium == "EXCLUDE_OVERWRITE_HTTP_ONLY"
    assert [(c.name, c.value, c.httponly) for c in jar.cookies] == [("a", "1", True)]


def test_insecure_url_cannot_overwrite_a_secure_cookie():
    """RFC 6265bis §5.7 (leave Secure cookies alone); wpt cookies/rfc6265bis/secure/."""
    jar = CookieJar()
    jar.store(
        stored("a", secure=True, path="/"), from_script=False, secure_scheme=True, now=NOW_DATE
    )

    refused = jar.store(
        stored("a", "2", domain="example.com", host_only=False, path="/app"),
        from_script=False,
        secure_scheme=False,
        now=NOW_DATE,
    )
    allowed = jar.store(stored("b", "2"), from_script=False, secure_scheme=False, now=NOW_DATE)

    assert [item.code for item in refused] == ["overwrite_secure"]
    assert allowed == []
    assert [(c.name, c.value) for c in jar.cookies] == [("a", "1"), ("b", "2")]


def test_a_secure_url_may_overwrite_a_secure_cookie():
    jar = CookieJar()
    jar.store(stored("a", secure=True), from_script=False, secure_scheme=True, now=NOW_DATE)

    found = jar.store(stored("a", "2"), from_script=False, secure_scheme=True, now=NOW_DATE)

    assert [item.code for item in found] == ["replaces_cookie"]
    assert [(c.name, c.value, c.secure) for c in jar.cookies] == [("a", "2", False)]


def test_a_replacement_keeps_its_place_only_with_the_same_value():
    """The jar is in creation order; Chromium keeps the creation time of an unchanged value
    (MaybeDeleteEquivalentCookieAndUpdateStatus, net/cookies/cookie_monster.h)."""
    jar = CookieJar()
    for name, value in [("a", "1"), ("b", "2"), ("c", "3"), ("a", "1"), ("b", "9")]:
        jar.store(stored(name, value), from_script=False, secure_scheme=True, now=NOW_DATE)

    assert [(c.name, c.value) for c in jar.cookies] == [("a", "1"), ("c", "3"), ("b", "9")]


def test_a_copy_with_another_creation_time_keeps_every_other_field():
    # Every field set away from its default, so that a field created_at forgets shows.
    given = StoredCookie(
        "n", "v", "example.com", False, "/p", datetime(2027, 1, 1, tzinfo=UTC), True, True,
        "Strict", True, "High", "https://example.com", True, datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    later = datetime(2026, 6, 1, tzinfo=UTC)

    copied = given.created_at(later)

    assert copied == replace(given, created=later) and copied.key == given.key
    assert [getattr(copied, name) for name in StoredCookie.__slots__ if name != "created"] == [
        getattr(given, name) for name in StoredCookie.__slots__ if name != "created"
    ]
