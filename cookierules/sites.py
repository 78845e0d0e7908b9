"""Sites and secure contexts: who is setting the cookie, and from where (RFC 6265bis §5.2)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from cookierules.domains import MAX_HOST_CHARS, host_fact, is_ip_address, registrable_domain

# A longer "host" is answered without the caches, so that none keeps a key of megabytes.
# An origin is a scheme, a host and a port: "https://" + a host + ":65535".
MAX_ORIGIN_CHARS = len("https://") + MAX_HOST_CHARS + len(":65535")


@host_fact
def is_loopback_host(host: str) -> bool:
    """Hosts that browsers treat as secure contexts even over plain HTTP."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    return is_ip_address(host) and ipaddress.ip_address(host).is_loopback


def is_secure_origin(scheme: str, host: str) -> bool:
    """A secure context: https, or a loopback host over plain HTTP."""
    return scheme == "https" or is_loopback_host(host)


def site_of(scheme: str, host: str) -> tuple[str, str]:
    """The schemeful site of a host: its registrable domain, or the host itself (an IP address
    has none, as in Chromium's net/base/schemeful_site.cc)."""
    return scheme, registrable_domain(host) or host


# urlsplit without the standard library's cache, which keeps strings of any length: an Origin
# header or a POST /lint URL may be megabytes long.
urlsplit_uncached = getattr(urlsplit, "__wrapped__", urlsplit)


def origin_site(origin: str) -> tuple[str, str] | None:
    """The schemeful site of an Origin header, or None for "null" and garbage."""
    if len(origin) > MAX_ORIGIN_CHARS:
        return None
    try:
        # Not urlsplit itself, whose cache keeps every string it is given.
        parts = urlsplit_uncached(origin)
        host = parts.hostname
    except ValueError:
        return None
    if not parts.scheme or not host:
        return None
    return site_of(parts.scheme, host)


def is_cross_site(origin: str | None, scheme: str, host: str) -> bool:
    """Whether a request from ``origin`` to ``scheme://host`` crosses sites."""
    caller = origin_site(origin) if origin else None
    return caller is not None and caller != site_of(scheme, host)
