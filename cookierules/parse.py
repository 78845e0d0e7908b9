"""Parsing one Set-Cookie header value the way browsers do (RFC 6265bis §5.6).

``parse_set_cookie`` never fails: what browsers would drop or ignore while parsing becomes a
finding, and the cookie is handed to the storage rules (``cookierules.storage``) with the
attributes exactly as browsers keep them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar

from cookierules.browsers import CHROMIUM, Browser
from cookierules.cookie import WHITESPACE, Cookie, split_pair
from cookierules.dates import nspr_date, parse_cookie_date, parse_max_age
from cookierules.domains import InvalidDomain, normalize_domain
from cookierules.findings import Finding, finding
from cookierules.grammar import (
    check_attribute_length,
    check_name_value_size,
    first_control_character,
)

_Value = TypeVar("_Value")

_SAMESITE = {"strict": "Strict", "lax": "Lax", "none": "None"}
# Chromium's Priority attribute (net/cookies/cookie_constants.cc), Medium when absent.
PRIORITIES = ("Low", "Medium", "High")
_PRIORITIES = {priority.lower(): priority for priority in PRIORITIES}
DEFAULT_PRIORITY = "Medium"
_KNOWN_ATTRIBUTES = frozenset(
    {
        "expires",
        "max-age",
        "domain",
        "path",
        "secure",
        "httponly",
        "samesite",
        "partitioned",
        "priority",
    }
)


@dataclass(frozen=True, slots=True)
class ParsedSetCookie:
    """What parsing one Set-Cookie header gives: the cookie, or None when browsers drop the line.

    ``cookie.path`` is the Path attribute as given (None when absent): the storage turns it into
    the cookie's path with the request URL (``cookierules.paths.cookie_path``).
    """

    cookie: Cookie | None
    findings: list[Finding] = field(default_factory=list)
    priority: str = DEFAULT_PRIORITY
    domain_attribute: str | None = None  # the Domain attribute that counts, as written
    has_equals: bool = True  # whether the name-value pair holds "=" (else it is a value alone)


def _inner_tab(name: str, value: str, attributes: str) -> str | None:
    """Where a tab stands inside a name, value or attribute, not around them; None if nowhere."""
    if "\t" in name:
        return "name"
    if "\t" in value:
        return "value"
    if "\t" not in attributes:
        return None
    for cookie_av in attributes.split(";"):
        attribute, _, attribute_value = cookie_av.partition("=")
        if "\t" in attribute.strip(WHITESPACE) or "\t" in attribute_value.strip(WHITESPACE):
            return "attribute"
    return None


def parse_set_cookie(
    header: str, *, from_script: bool = False, browser: Browser = CHROMIUM
) -> ParsedSetCookie:
    """Parse one Set-Cookie header value as RFC 6265bis §5.6 and ``browser`` do.

    ``from_script``: the line is a document.cookie string rather than a header received.
    """
    findings: list[Finding] = []
    if not from_script:
        header, findings = _cut_at_line_break(header, browser.cr_ends_header)
    pair, _, attributes = header.partition(";")
    name, value, has_equals = split_pair(pair)
    # RFC 6265bis §5.6: control characters drop the whole line (from a script, CR, LF and NUL
    # too: Chromium's kBlockTruncatedCookies, net/base/features.h).
    control = first_control_character(header)
    inner_tab = None
    if control is None and browser.tab_in_cookie_drops_it:
        inner_tab = _inner_tab(name, value, attributes)
    if control is not None:
        findings.append(
            finding(
                "disallowed_character",
                "set_cookie",
                f"The header holds the control character U+{ord(control.group()):04X}; "
                "browsers drop the whole cookie.",
            )
        )
    elif inner_tab is not None:
        findings.append(
            finding(
                "tab_character",
                inner_tab,
                f"The {inner_tab} holds a tab; Chromium drops the whole cookie.",
            )
        )
    if control is not None or inner_tab is not None:
        # Chromium checks the size first (IsValidCookieNameValuePair, parsed_cookie.cc) and
        # names it: every reason is listed, not only the first.
        findings += check_name_value_size(name, value)
        return ParsedSetCookie(None, findings)
    # RFC 6265bis §5.7: a cookie with neither name nor value is dropped.
    if not name and not value:
        findings.append(
            finding(
                "no_cookie_content",
                "set_cookie",
                "The cookie has neither a name nor a value; browsers drop it.",
            )
        )
        return ParsedSetCookie(None, findings)
    # Chromium net/cookies/canonical_cookie.cc: a nameless cookie whose value holds "=" would
    # be sent as "a=b", another cookie's name and value (EXCLUDE_AMBIGUOUS_SERIALIZATION).
    if not name and "=" in value:
        findings.append(
            finding(
                "nameless_value_with_equals",
                "value",
                f'The cookie has no name and its value "{value}" holds "=": it would be sent '
                "as if it were a cookie of another name; Chromium drops it.",
            )
        )
        return ParsedSetCookie(None, findings)
    if not name:
        findings.append(
            finding(
                "nameless_cookie",
                "name",
                f"The cookie has no name{'' if has_equals else ' (no =)'}: browsers store it "
                "with an empty name and send only its value, which most servers cannot read.",
            )
        )
    if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
        findings.append(
            finding(
                "value_quoted",
                "value",
                "The quotes are part of the value: browsers store and send them as they are, "
                "and servers differ on whether they strip them.",
            )
        )

    attribute_findings, fields, priority, domain_attribute = _read_attributes(attributes, browser)
    findings.extend(attribute_findings)
    return ParsedSetCookie(
        Cookie(name, value, *fields), findings, priority, domain_attribute, has_equals
    )


# The attributes of a Set-Cookie header as browsers read them, whatever its name and value:
# what they break, the Cookie's fields after name and value, the priority, and the Domain
# attribute that counts, as written.
_Attributes = tuple[tuple[Finding, ...], tuple[Any, ...], str, str | None]


def _read_attributes(attributes: str, browser: Browser) -> _Attributes:
    """The attributes of a header, remembered: a response's headers often share them
    (``; Path=/; Secure; HttpOnly``, the same Expires), and reading them is most of parsing.
    Long attribute text is read anew, so that no long input is kept."""
    if len(attributes) <= _CACHED_ATTRIBUTES_CHARS:
        return _cached_attributes(attributes, browser)
    return _attributes(attributes, browser)


def _attributes(attributes: str, browser: Browser = CHROMIUM) -> _Attributes:
    """Each cookie-av in turn (RFC 6265bis §5.6), then the last value of each attribute."""
    findings: list[Finding] = []
    values: dict[str, str] = {}
    seen: set[str] = set()
    for cookie_av in attributes.split(";") if attributes else ():
        # RFC 6265bis §5.6: an attribute without "=" is a name with an empty value.
        attribute, _, attribute_value = cookie_av.partition("=")
        attribute, attribute_value = (
            attribute.strip(WHITESPACE),
            attribute_value.strip(WHITESPACE),
        )
        if not attribute and not attribute_value:
            continue
        key = attribute.lower()
        shown = attribute or "(empty)"
        # RFC 6265bis §5.6: an attribute value over 1024 bytes is ignored.
        too_large = check_attribute_length(shown, attribute_value)
        if too_large:
            findings.extend(too_large)
            continue
        if key not in _KNOWN_ATTRIBUTES:
            findings.append(
                finding(
                    "unknown_attribute",
                    shown,
                    f'Browsers do not know the attribute "{shown}" and ignore it.',
                )
            )
            continue
        if key in seen:
            findings.append(
                finding(
                    "attribute_repeated",
                    shown,
                    f"{shown} is given more than once: browsers use the last one.",
                )
            )
        seen.add(key)
        values[key] = attribute_value
    fields, priority = _apply_attributes(values, findings, browser)
    return tuple(findings), fields, priority, values.get("domain")


_CACHED_ATTRIBUTES_CHARS = 512
_cached_attributes = lru_cache(maxsize=256)(_attributes)


def _cut_at_line_break(header: str, at_cr: bool = True) -> tuple[str, list[Finding]]:
    """The header as Chromium's cookie parser gets it: cut at the first CR or LF.

    Chromium's HTTP parser ends a header line at a bare CR or LF, and ParsedCookie stops at the
    first CR, LF or NUL (FindFirstTerminator, net/cookies/parsed_cookie.cc). A NUL refuses the
    whole response (``cookierules.lint``). ``at_cr`` False: at LF only
    (``Browser.cr_ends_header``); a CR is then a control character.
    """
    if ("\r" not in header or not at_cr) and "\n" not in header:
        return header, []
    ends = (header.find("\r") if at_cr else -1, header.find("\n"))
    cut = min(at for at in ends if at >= 0)
    if not at_cr and header[cut - 1 : cut] == "\r":
        cut -= 1  # a CR before the LF is part of the line break
    return header[:cut], [
        finding(
            "line_break_cuts_header",
            "set_cookie",
            f"The header holds a line break (CR or LF) at character {cut}: the header ends "
            "there for browsers, and the rest is not part of the cookie.",
        )
    ]


def _max_age_without_plus(text: str) -> int | None:
    return None if text.startswith("+") else parse_max_age(text)


def _apply_attributes(
    values: dict[str, str], findings: list[Finding], browser: Browser = CHROMIUM
) -> tuple[tuple[Any, ...], str]:
    """The cookie's fields with the last value of each attribute, as §5.6.1 to §5.6.7 read
    them; what they break goes to ``findings``. A Domain that is no host name leaves the
    domain None beside its rejecting finding (domain_invalid)."""
    domain = None
    path = values.get("path")
    if path is not None and not path.startswith("/"):
        # RFC 6265bis §5.6.4: the cookie gets the default path instead.
        findings.append(
            finding(
                "path_invalid",
                "path",
                f'Path "{path}" does not start with "/"; browsers ignore it and use the '
                "default path, the directory of the URL that set the cookie.",
            )
        )
    # RFC 6265bis §5.6.1 and §5.6.2: an Expires that is no cookie-date, or a Max-Age that is
    # not an integer, is ignored.
    expires = _read_attribute(
        values,
        "expires",
        nspr_date if browser.expires_by_nspr else parse_cookie_date,
        findings,
        "expires_invalid",
        'Expires "{}" is not a date browsers read; they ignore it. '
        "Use the form Wed, 21 Oct 2026 07:28:00 GMT.",
    )
    max_age = _read_attribute(
        values,
        "max-age",
        parse_max_age if browser.max_age_takes_plus else _max_age_without_plus,
        findings,
        "max_age_invalid",
        'Max-Age "{}" is not a whole number of seconds; browsers ignore it.',
    )
    if values.get("domain"):
        # RFC 6265bis §5.6.3: a leading "." is ignored, and the domain is lower-cased.
        given = values["domain"]
        if not given.isascii():
            # Chromium converts it (WARN_DOMAIN_NON_ASCII, net/cookies/cookie_util.cc).
            findings.append(
                finding(
                    "domain_non_ascii",
                    "domain",
                    f'Domain "{given}" is not ASCII: Chromium converts it to punycode, Firefox '
                    "and WebKit drop the cookie; write it in punycode (xn--...).",
                    severity=None if browser.converts_non_ascii_domain else "rejected",
                )
            )
        try:
            domain = normalize_domain(given)
        except InvalidDomain as error:
            # Chromium still reads the other attributes and names what else is wrong
            # (CanonicalCookie::Create, net/cookies/canonical_cookie.cc).
            findings.append(error.finding)
    # RFC 6265bis §5.6.7: any other value leaves the enforcement at "Default".
    samesite = _read_attribute(
        values,
        "samesite",
        lambda given: _SAMESITE.get(given.lower()),
        findings,
        "samesite_invalid",
        'SameSite "{}" is none of Strict, Lax and None; browsers ignore it and treat the '
        "cookie as if SameSite were not given.",
    )
    priority = _PRIORITIES.get(values.get("priority", "").lower(), DEFAULT_PRIORITY)
    # In the order of Cookie's fields.
    fields = (
        domain,
        path,
        expires,
        max_age,
        "secure" in values,
        "httponly" in values,
        samesite,
        "partitioned" in values,
    )
    return fields, priority


def _read_attribute(
    values: dict[str, str],
    key: str,
    read: Callable[[str], _Value | None],
    findings: list[Finding],
    code: str,
    message: str,
) -> _Value | None:
    """The attribute's value as ``read`` reads it, or None; one it cannot read is ignored, and
    ``findings`` gets ``code`` with ``message`` naming the value."""
    if key not in values:
        return None
    result = read(values[key])
    if result is None:
        findings.append(finding(code, key, message.format(values[key])))
    return result
