"""A cookie jar: storing, replacing and deleting cookies as RFC 6265bis §5.7 says.

The jar holds what a browser keeps from a series of Set-Cookie headers (or ``document.cookie``
writes) for one response URL. Whether a cookie may be stored at all is decided by the shared
storage rules (``cookierules.storage``); the jar adds what depends on the cookies already in it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from cookierules.domains import domain_matches
from cookierules.findings import Finding, finding
from cookierules.paths import path_matches


@dataclass(frozen=True, slots=True)
class StoredCookie:
    """A cookie as the browser keeps it (the fields of RFC 6265bis §5.7)."""

    name: str
    value: str
    domain: str  # the request host for a host-only cookie, else the Domain attribute
    host_only: bool
    path: str
    expiry: datetime | None  # None: a session cookie
    secure: bool
    httponly: bool
    samesite: str | None  # as given: "Strict", "Lax", "None", or None
    partitioned: bool
    priority: str
    # CHIPS §2.2: a partitioned cookie's key is the top-level site, as DevTools shows it
    # ("https://site.example", CookiePartitionKey in net/cookies/cookie_partition_key.cc).
    partition_key: str | None = None
    # CHIPS's ancestor chain bit, the other half of Chromium's partition key: set from a frame
    # or request with a cross-site ancestor, a partitioned cookie is in another partition than
    # one set first-party (CookiePartitionKey::FromNetworkIsolationKey, cookie_partition_key.cc).
    cross_site_ancestor: bool = False
    created: datetime | None = None  # the creation time, which Chromium's Lax-allowing-unsafe reads
    # What makes two cookies the same one (§5.7; CHIPS adds the partition).
    key: Key = field(init=False, repr=False, compare=False)

    def created_at(self, created: datetime) -> StoredCookie:
        """This cookie with another creation time: ``dataclasses.replace`` without its generic
        cost, since a flow keeps the creation time of most cookies it sets again."""
        return StoredCookie(
            self.name, self.value, self.domain, self.host_only, self.path, self.expiry,
            self.secure, self.httponly, self.samesite, self.partitioned, self.priority,
            self.partition_key, self.cross_site_ancestor, created,
        )  # fmt: skip

    def __post_init__(self) -> None:
        # Made once: a flow looks a cookie up by its key several times per step.
        object.__setattr__(
            self,
            "key",
            (
                self.name,
                self.domain,
                self.host_only,
                self.path,
                self.partitioned,
                self.partition_key,
                self.cross_site_ancestor,
            ),
        )


Key = tuple[str, str, bool, str, bool, str | None, bool]


def _replaces_cookie(key: Key) -> Finding:
    name, domain, _host_only, path = key[:4]
    return finding(
        "replaces_cookie",
        "name",
        f'This replaces the cookie "{name}" for {domain}{path} set before it (same name, '
        "domain and path).",
    )


# A flow sets the same few cookies again at every step; a long name or path is not kept.
_cached_replaces_cookie = lru_cache(maxsize=256)(_replaces_cookie)
_CACHED_KEY_CHARS = 512


def replaces_cookie(key: Key) -> Finding:
    """The finding for a cookie that replaces the one stored with ``key`` (§5.7)."""
    if len(key[0]) + len(key[3]) <= _CACHED_KEY_CHARS:
        return _cached_replaces_cookie(key)
    return _replaces_cookie(key)


class CookieJar:
    """The cookies of one browser profile, in the order they were created (a cookie that
    replaces another with the same value takes its place).

    Indexed by what makes two cookies the same one, and by name, so that storing a cookie looks
    at the cookies it may replace or be shadowed by, not at the whole jar: the dictionaries keep
    their keys in creation order, and an assignment to a key already there keeps its place.
    """

    def __init__(self, cookies: Iterable[StoredCookie] = ()) -> None:
        self._cookies: dict[Key, StoredCookie] = {}
        self._by_name: dict[str, dict[Key, StoredCookie]] = {}
        self._soonest: datetime | None = None  # no cookie of the jar expires before it
        for cookie in cookies:
            self._put(cookie.key, cookie)

    @property
    def cookies(self) -> list[StoredCookie]:
        """The cookies, in creation order."""
        return list(self._cookies.values())

    def _put(self, key: Key, cookie: StoredCookie) -> None:
        """Add ``cookie`` at the end, or in the place of the one with its key."""
        self._cookies[key] = cookie
        if cookie.expiry is not None and (self._soonest is None or cookie.expiry < self._soonest):
            self._soonest = cookie.expiry
        self._by_name.setdefault(cookie.name, {})[key] = cookie

    def _remove(self, key: Key, name: str) -> None:
        del self._cookies[key]
        named = self._by_name[name]
        del named[key]
        if not named:
            del self._by_name[name]

    def store(
        self,
        cookie: StoredCookie,
        *,
        from_script: bool,
        secure_scheme: bool,
        now: datetime,
        keep_place: bool = False,
    ) -> list[Finding]:
        """Store, replace or delete per RFC 6265bis §5.7; what happened, as findings.

        A refused cookie gets a finding of severity rejected; a replacement, a warning.

        ``secure_scheme`` is whether the URL that sets it may set Secure cookies: https, or a
        loopback host, as Chromium allows (``CookieMonster::SetCanonicalCookie``).
        ``keep_place``: a replacement keeps the creation time whatever its value
        (``Browser.replacement_keeps_place``).
        """
        if not cookie.secure and not secure_scheme:
            shadowed = self._secure_cookie_shadowed_by(cookie)
            if shadowed is not None:
                # RFC 6265bis §5.7: a non-Secure cookie cannot overwrite a Secure one.
                return [
                    finding(
                        "overwrite_secure",
                        "secure",
                        f'A Secure cookie "{shadowed.name}" for {shadowed.domain}'
                        f"{shadowed.path} exists; browsers refuse a non-Secure cookie of that "
                        "name from an insecure URL, so it cannot be overwritten from here.",
                    )
                ]
        key = cookie.key
        old = self._cookies.get(key)
        if old is not None and from_script and old.httponly:
            # RFC 6265bis §5.7: a non-HTTP API (document.cookie) cannot replace an HttpOnly cookie.
            return [
                finding(
                    "overwrite_httponly",
                    "httponly",
                    f'An HttpOnly cookie "{old.name}" exists for {old.domain}{old.path}; '
                    "document.cookie cannot replace or delete it.",
                )
            ]
        findings = [replaces_cookie(key)] if old is not None else []
        if cookie.expiry is not None and cookie.expiry <= now:
            # RFC 6265bis §5.7: an expired cookie is removed at once, with the one it replaced:
            # how a server deletes a cookie.
            if old is not None:
                self._remove(key, old.name)
            return findings
        if old is not None and old.value != cookie.value and not keep_place:
            # Chromium keeps the creation time, which orders the Cookie header, only for an
            # unchanged value (MaybeDeleteEquivalentCookieAndUpdateStatus in
            # net/cookies/cookie_monster.h); RFC 6265bis §5.7 keeps it always. Any other
            # replacement comes last, as a new cookie.
            self._remove(key, old.name)
        elif old is not None and old.created is not None:
            cookie = cookie.created_at(old.created)
        self._put(key, cookie)
        return findings

    def _secure_cookie_shadowed_by(self, cookie: StoredCookie) -> StoredCookie | None:
        for stored in self._by_name.get(cookie.name, {}).values():
            if (
                stored.secure
                and (
                    domain_matches(stored.domain, cookie.domain)
                    or domain_matches(cookie.domain, stored.domain)
                )
                and path_matches(cookie.path, stored.path)
            ):
                return stored
        return None

    def remove_expired(self, now: datetime) -> None:
        """RFC 6265bis §5.7 and §5.8.3: expired cookies leave the jar."""
        if self._soonest is None or now < self._soonest:
            return  # a flow asks at every step; most steps, nothing has expired
        self._soonest = None
        for key, cookie in list(self._cookies.items()):
            if cookie.expiry is None:
                continue
            if cookie.expiry <= now:
                self._remove(key, cookie.name)
            elif self._soonest is None or cookie.expiry < self._soonest:
                self._soonest = cookie.expiry
