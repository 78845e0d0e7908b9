"""What goes on the wire: value encoding, signing, Set-Cookie and Cookie headers.

Pure functions with no Flask in them, so the HTTP layer never re-implements them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Literal
from urllib.parse import quote, unquote

from itsdangerous import Signer

# encodeURIComponent leaves exactly these (and ASCII letters and digits) unescaped.
_URI_COMPONENT_SAFE = "-_.!~*'()"
# encodeURIComponent never emits "$", so a wire value starting with it is always ours and signed.
SIGNED_MARKER = "$"
_SIGNER_SALT = "cookie-api.signed-cookie"
# Marker, encoded value, ".", and an HMAC-SHA1 in unpadded URL-safe base64 (27 characters).
_SIGNED_SHAPE = re.compile(r"\$(.*)\.([A-Za-z0-9_-]{27})")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Signature = Literal["none", "valid", "invalid"]


def encode_value(value: str) -> str:
    """Encode a value exactly as JavaScript's ``encodeURIComponent`` does.

    Raises ``UnicodeEncodeError`` for lone surrogates, as ``encodeURIComponent`` throws for them.
    """
    return quote(value, safe=_URI_COMPONENT_SAFE, encoding="utf-8", errors="strict")


def decode_value(wire: str) -> str:
    """Decode like ``decodeURIComponent``; a value that does not decode is returned as it is."""
    if "%" not in wire:
        return wire
    try:
        return unquote(wire, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        return wire


def make_signer(secret_key: str | bytes, fallbacks: list[str | bytes]) -> Signer:
    """A signer that signs with ``secret_key`` and verifies with it and every fallback."""
    # itsdangerous signs with the last key and verifies with any of them.
    return Signer([*fallbacks, secret_key], salt=_SIGNER_SALT)


def sign_value(signer: Signer, name: str, encoded: str) -> str:
    """The signed wire value: marker, encoded value, ".", HMAC over name and value."""
    signature = signer.get_signature(f"{name}={encoded}").decode("ascii")
    return f"{SIGNED_MARKER}{encoded}.{signature}"


def read_wire_value(name: str, wire: str, signer: Signer | None) -> tuple[str | None, Signature]:
    """The decoded value of a received cookie and the state of its signature.

    Only a value shaped like ours (marker, value, ".", a signature) counts as signed, so that a
    cookie someone else set to, say, "$5" is read as the plain value it is.
    """
    signed = _SIGNED_SHAPE.fullmatch(wire)
    if signed is None:
        return decode_value(wire), "none"
    encoded, signature = signed.groups()
    if signer is None:
        return None, "invalid"
    valid = signer.verify_signature(f"{name}={encoded}", signature)
    return (decode_value(encoded), "valid") if valid else (None, "invalid")


def parse_cookie_header(header: str) -> list[tuple[str, str]]:
    """Split a Cookie header into (name, raw value) pairs, keeping order and duplicates.

    Pairs without "=" are kept with an empty name, as browsers send them for
    nameless cookies set through ``document.cookie = "value"``.
    """
    pairs = []
    for part in header.split(";"):
        name, eq, value = part.partition("=")
        if not eq:
            name, value = "", name
        name, value = name.strip(" \t"), value.strip(" \t")
        if name or value:
            pairs.append((name, value))
    return pairs


@dataclass(frozen=True, slots=True)
class SetCookie:
    """The attributes of one Set-Cookie header, already validated."""

    name: str
    wire_value: str
    path: str = "/"
    domain: str | None = None
    max_age: int | None = None
    expires: datetime | None = None
    secure: bool = False
    httponly: bool = False
    samesite: str | None = None
    partitioned: bool = False


def format_set_cookie(cookie: SetCookie) -> str:
    """Serialise a Set-Cookie header value (RFC 6265bis §4.1.1)."""
    parts = [f"{cookie.name}={cookie.wire_value}"]
    if cookie.domain is not None:
        parts.append(f"Domain={cookie.domain}")
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


def format_deletion(
    name: str,
    *,
    path: str,
    domain: str | None,
    secure: bool,
    samesite: str | None,
    partitioned: bool,
) -> str:
    """A Set-Cookie header value that makes browsers drop the cookie at once."""
    return format_set_cookie(
        SetCookie(
            name=name,
            wire_value="",
            path=path,
            domain=domain,
            max_age=0,
            expires=EPOCH,
            secure=secure,
            httponly=True,
            samesite=samesite,
            partitioned=partitioned,
        )
    )
