"""Values on the wire: exactly JavaScript's ``encodeURIComponent`` and ``decodeURIComponent``.

Every encoded value is plain cookie-octets (RFC 6265bis §4.1.1), never a quoted string.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

from cookierules.findings import Finding, finding

# encodeURIComponent leaves exactly these (and ASCII letters and digits) unescaped.
_URI_COMPONENT_SAFE = "-_.!~*'()"


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


def check_encodable(value: str) -> list[Finding]:
    """A value must be well-formed Unicode: a lone surrogate has no UTF-8 encoding."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        bad = f"U+{ord(value[error.start]):04X}"
        return [
            finding(
                "value_not_unicode",
                "value",
                f"Contains a lone surrogate ({bad}), which has no UTF-8 encoding; "
                "send well-formed Unicode.",
            )
        ]
    return []
