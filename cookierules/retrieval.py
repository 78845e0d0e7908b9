"""The cookies a browser sends to a URL, their order, the Cookie header (RFC 6265bis §5.8.3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from cookierules.domains import domain_matches
from cookierules.findings import Finding, finding
from cookierules.jar import StoredCookie
from cookierules.paths import path_matches


@dataclass(frozen=True, slots=True)
class Request:
    """The request that may carry cookies (RFC 6265bis §5.8.3)."""

    host: str  # lower-case, no port
    path: str
    secure: bool  # https, or a loopback host, where Secure cookies go too
    cross_site: bool  # the top-level site differs from the request's site
    now: datetime
    partition_key: str | None = None  # the top-level site's, where partitioned cookies go
    lax_by_default: bool = True  # Browser.unspecified_samesite_is_lax
    cross_site_ancestor: bool = False  # the partition key's ancestor chain bit


def for_host(cookie: StoredCookie, host: str) -> bool:
    """Whether ``cookie`` goes to ``host`` by its domain (§5.8.3): a host-only cookie to its
    host alone, a domain cookie to the domain and its subdomains."""
    domain = cookie.domain
    if cookie.host_only:
        return domain == host
    if domain_matches(host, domain):
        return True
    # Only WebKitGTK keeps a Domain in upper case, as written, and finds it ignoring case: its
    # jar's table of domains hashes with soup_str_case_hash (libsoup/cookies/soup-cookie-jar.c).
    lowered = domain.lower()
    return lowered != domain and domain_matches(host, lowered)


def exclusion(cookie: StoredCookie, request: Request) -> Finding | None:
    """Why ``cookie`` is not sent with ``request``; None when it is sent."""
    if for_host(cookie, request.host):
        return exclusion_for_host(cookie, request)
    if cookie.host_only:
        return finding(
            "not_sent_domain",
            "domain",
            f'"{cookie.name}" is host-only for {cookie.domain}; it is not sent to {request.host}.',
        )
    return finding(
        "not_sent_domain",
        "domain",
        f'"{cookie.name}" is for {cookie.domain} and its subdomains, not {request.host}.',
    )


def _not_on_path(name: str, path: str, request_path: str) -> Finding:
    return finding(
        "not_sent_path", "path", f'"{name}" has path {path}, which {request_path} is not under.'
    )


# A flow asks about the same few cookies and paths at every step; long ones are not kept.
_cached_not_on_path = lru_cache(maxsize=256)(_not_on_path)
_CACHED_CHARS = 512


def not_on_path(name: str, path: str, request_path: str) -> Finding:
    """The reason a cookie of ``path`` is not sent to ``request_path`` (§5.1.4)."""
    if len(name) + len(path) + len(request_path) <= _CACHED_CHARS:
        return _cached_not_on_path(name, path, request_path)
    return _not_on_path(name, path, request_path)


def exclusion_for_host(cookie: StoredCookie, request: Request) -> Finding | None:
    """Why ``cookie``, one that goes to the request's host (``for_host``), is not sent with
    ``request``; None when it is sent."""
    if not path_matches(request.path, cookie.path):
        return not_on_path(cookie.name, cookie.path, request.path)
    if cookie.secure and not request.secure:
        return finding(
            "not_sent_secure",
            "secure",
            f'"{cookie.name}" is Secure; browsers send it only over HTTPS (or to localhost).',
        )
    if cookie.expiry is not None and cookie.expiry <= request.now:
        where = f"{cookie.domain}{cookie.path}"
        return finding("not_sent_expired", "expires", f'"{cookie.name}" ({where}) has expired.')
    if (
        request.cross_site
        and cookie.samesite != "None"
        and (cookie.samesite is not None or request.lax_by_default)
    ):
        # RFC 6265bis §5.8.3: a cross-site subresource request leaves out SameSite=Strict and
        # Lax cookies; Chromium treats a cookie without SameSite as Lax.
        code = {"Strict": "not_sent_samesite_strict", "Lax": "not_sent_samesite_lax"}.get(
            cookie.samesite or "", "not_sent_samesite_unspecified"
        )
        return finding(
            code,
            "samesite",
            f'"{cookie.name}" is SameSite={cookie.samesite or "Lax (by default)"}; browsers do '
            "not send it with requests from another site.",
        )
    if cookie.partition_key is not None and (
        cookie.partition_key != request.partition_key
        or cookie.cross_site_ancestor != request.cross_site_ancestor
    ):
        # CHIPS: a partitioned cookie is kept for the top-level site it was set under (its
        # schemeful site in Chromium, net/cookies/cookie_partition_key.h) and sent only there.
        return finding(
            "not_sent_partition",
            "partitioned",
            f'"{cookie.name}" is partitioned: it is sent only where the top-level site is the '
            "one it was set under, and this request's is another.",
        )
    return None


def in_send_order(cookies: list[StoredCookie], by_domain: bool = False) -> list[StoredCookie]:
    """RFC 6265bis §5.8.3: longer paths first, then the earlier created (``cookies`` are in the
    order they were created, which the sort keeps among equal paths).

    ``by_domain`` (``Browser.send_order_by_domain``): among equal paths, the longer domain
    first, a domain cookie before a host-only one of the same name.
    """
    if by_domain:
        return sorted(
            cookies, key=lambda cookie: (-len(cookie.path), -len(cookie.domain), cookie.host_only)
        )
    return sorted(cookies, key=lambda cookie: -len(cookie.path))


def cookies_to_send(cookies: list[StoredCookie], request: Request) -> list[StoredCookie]:
    """The cookies sent with ``request``, in the order they are sent (§5.8.3)."""
    return in_send_order([cookie for cookie in cookies if exclusion(cookie, request) is None])


def cookie_header(cookies: list[StoredCookie]) -> str:
    """The Cookie header value for ``cookies`` in order: a nameless cookie is its value alone,
    and one with neither name nor value, which only WebKitGTK keeps, is left out
    (libsoup/cookies/soup-cookie.c serialize_cookie)."""
    return "; ".join(
        f"{cookie.name}={cookie.value}" if cookie.name else cookie.value
        for cookie in cookies
        if cookie.name or cookie.value
    )
