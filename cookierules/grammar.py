"""The grammar of names, values and attribute values (RFC 6265bis §4.1.1 and §5.6)."""

from __future__ import annotations

import re

from cookierules.findings import Finding, finding

# RFC 6265bis §4.1.1: cookie-name is an RFC 9110 token (tchar).
TOKEN_PATTERN = r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$"
# RFC 6265bis §4.1.1: path-value is av-octets (printable ASCII without ";"); browsers trim a
# trailing space (§5.6), so none is allowed, to keep the echo what browsers store.
PATH_PATTERN = r"^/(?:[ -:<-~]*[!-:<-~])?$"
# RFC 6265bis §5.6: browsers ignore a cookie whose name and value exceed 4096 octets.
MAX_COOKIE_BYTES = 4096
# RFC 6265bis §5.6: browsers ignore an attribute value over 1024 octets.
MAX_ATTRIBUTE_BYTES = 1024

_TOKEN = re.compile(TOKEN_PATTERN)
_PATH = re.compile(PATH_PATTERN)
# RFC 6265bis §5.6: control characters other than a horizontal tab make browsers drop the line.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")

NOT_A_TOKEN = (
    "Must be a token: letters, digits and !#$%&'*+-.^_`|~ only "
    "(no spaces, quotes, commas, semicolons or =)."
)


def first_control_character(text: str) -> re.Match[str] | None:
    """RFC 6265bis §5.6: the first control character other than a horizontal tab, if any."""
    return _CONTROL.search(text)


def check_name(name: str) -> list[Finding]:
    """A cookie name must be a non-empty token that fits the size limit."""
    if not name:
        return [finding("name_not_token", "name", "Must not be empty.")]
    if len(name) > MAX_COOKIE_BYTES:
        return [
            finding(
                "name_value_too_large",
                "name",
                f"Longer than {MAX_COOKIE_BYTES} characters; "
                f"browsers drop cookies over {MAX_COOKIE_BYTES} bytes.",
            )
        ]
    if _TOKEN.fullmatch(name):
        return []
    if _CONTROL.search(name):
        return [
            finding(
                "name_disallowed_character",
                "name",
                f"{NOT_A_TOKEN[:-1]}; a control character makes browsers drop the cookie.",
            )
        ]
    return [finding("name_not_token", "name", NOT_A_TOKEN)]


def check_value_length(value: str) -> list[Finding]:
    """A value longer than the limit in characters is over it in bytes on the wire too."""
    if len(value) <= MAX_COOKIE_BYTES:
        return []
    return [
        finding(
            "name_value_too_large",
            "value",
            f"Longer than {MAX_COOKIE_BYTES} characters; "
            f"browsers drop cookies over {MAX_COOKIE_BYTES} bytes.",
        )
    ]


def check_name_value_size(name: str, wire_value: str) -> list[Finding]:
    """RFC 6265bis §5.6: name plus the value as sent must fit in 4096 bytes."""
    size = len(name) + len(wire_value)
    if not (name.isascii() and wire_value.isascii()):  # one byte a character otherwise
        size = len(name.encode()) + len(wire_value.encode())
    if size <= MAX_COOKIE_BYTES:
        return []
    return [
        finding(
            "name_value_too_large",
            "value",
            size=size,
            limit=MAX_COOKIE_BYTES,
            excess=size - MAX_COOKIE_BYTES,
        )
    ]


def check_attribute_length(field: str, value: str) -> list[Finding]:
    """RFC 6265bis §5.6: browsers ignore an attribute value over 1024 bytes."""
    # Short enough to need no count: UTF-8 takes at most 4 bytes a character.
    if len(value) <= MAX_ATTRIBUTE_BYTES // 4:
        return []
    if len(value.encode("utf-8", "surrogatepass")) <= MAX_ATTRIBUTE_BYTES:
        return []
    return [
        finding(
            "attribute_too_large",
            field,
            f"{field} is longer than {MAX_ATTRIBUTE_BYTES} bytes; browsers ignore it.",
        )
    ]


def check_path(path: str) -> list[Finding]:
    """A Path attribute browsers keep as it is: "/" then printable ASCII without ";"."""
    findings = check_attribute_length("path", path)
    if not findings and _PATH.fullmatch(path) is None:
        findings.append(
            finding(
                "path_invalid",
                "path",
                'Must start with "/" and hold printable ASCII only, without ";" '
                "(percent-encode anything else).",
            )
        )
    return findings
