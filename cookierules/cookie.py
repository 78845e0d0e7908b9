"""The cookie model, the Set-Cookie header that carries it, and the Cookie request header."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import format_datetime

SAMESITE_VALUES = ("Strict", "Lax", "None")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Whitespace around names, values and attributes: space and horizontal tab (RFC 6265bis §5.6).
WHITESPACE = " \t"


@dataclass(frozen=True, slots=True)
class Cookie:
    """One cookie with its attributes, as a Set-Cookie header sets it."""

    name: str
    value: str  # the value as it is on the wire and as the browser stores it
    domain: str | None = None  # normalised (lower-case ASCII, no leading dot); None: host-only
    path: str | None = None  # None: not given (the browser applies the default path)
    expires: datetime | None = None  # aware
    max_age: int | None = None
    secure: bool = False
    httponly: bool = False
    samesite: str | None = None  # "Strict", "Lax", "None", or None when not given
    partitioned: bool = False


def format_set_cookie(cookie: Cookie) -> str:
    """Serialise a Set-Cookie header value (RFC 6265bis §4.1.1)."""
    parts = [f"{cookie.name}={cookie.value}"]
    if cookie.domain is not None:
        parts.append(f"Domain={cookie.domain}")
    if cookie.path is not None:
        parts.append(f"Path={cookie.path}")
    if cookie.expires is not None:
        # HTTP dates are in GMT: an expiry given with another offset is the same instant in UTC.
        expires = cookie.expires.astimezone(UTC)
        parts.append(f"Expires={format_datetime(expires, usegmt=True)}")
    if cookie.max_age is not None:
        parts.append(f"Max-Age={cookie.max_age}")
    if cookie.secure:
        parts.append("Secure")
    if cookie.httponly:
        parts.append("HttpOnly")
    if cookie.samesite is not None:
        parts.append(f"SameSite={cookie.samesite}")
    if cookie.partitioned:
        parts.append("Partitioned")
    return "; ".join(parts)


def expired(cookie: Cookie) -> Cookie:
    """The same cookie, empty and expired at once: browsers delete the one it replaces."""
    return replace(cookie, value="", max_age=0, expires=EPOCH)


def split_pair(text: str) -> tuple[str, str, bool]:
    """Name and value of ``name=value``, and whether it had "="; a part without "=" is a value
    with no name (RFC 6265bis §5.6 for Set-Cookie, and how browsers send nameless cookies)."""
    name, equals, value = text.partition("=")
    if not equals:
        return "", text.strip(WHITESPACE), False
    return name.strip(WHITESPACE), value.strip(WHITESPACE), True


def parse_cookie_header(header: str) -> list[tuple[str, str]]:
    """Split a Cookie header into (name, raw value) pairs, keeping order and duplicates.

    Pairs without "=" are kept with an empty name, as browsers send them for
    nameless cookies set through ``document.cookie = "value"``.
    """
    pairs = []
    for part in header.split(";"):
        name, value, _ = split_pair(part)
        if name or value:
            pairs.append((name, value))
    return pairs
