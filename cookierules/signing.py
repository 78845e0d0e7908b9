"""Signed values: an HMAC over the name and the encoded value, made with itsdangerous."""

from __future__ import annotations

import re
from typing import Literal

from itsdangerous import Signer

from cookierules.encoding import decode_value

# encodeURIComponent never emits "$", so a wire value starting with it is always ours and signed.
SIGNED_MARKER = "$"
_SIGNER_SALT = "cookie-api.signed-cookie"
# Marker, encoded value, ".", and an HMAC-SHA1 in unpadded URL-safe base64 (27 characters).
_SIGNED_SHAPE = re.compile(r"\$(.*)\.([A-Za-z0-9_-]{27})")

Signature = Literal["none", "valid", "invalid"]


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
