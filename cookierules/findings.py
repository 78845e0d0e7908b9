"""Findings: what a rule says about a cookie, each with a stable code from one catalogue.

The catalogue ``RULES`` holds, per code, its default severity, the specification that states it
and Chromium's name for the same reason (``net/cookies/cookie_inclusion_status.h``), so that a
finding made by code never drifts from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["rejected", "attribute_ignored", "warning"]
# rejected: browsers drop the cookie (or, for request codes, the API refuses the request);
# attribute_ignored: browsers store the cookie without that attribute, or cut it;
# warning: whether browsers keep the cookie depends on the context.
SEVERITIES: tuple[Severity, ...] = ("rejected", "attribute_ignored", "warning")


@dataclass(frozen=True, slots=True)
class Rule:
    """One entry of the catalogue: what a code means, wherever it is reported."""

    code: str
    severity: Severity
    spec: str | None  # None only for the API's own request rules
    chromium: str | None  # the CookieInclusionStatus reason, where Chromium has one
    summary: str  # the rule in a few words, for the rule tables of the documentation
    effect: str  # what browsers do when it is broken


@dataclass(frozen=True, slots=True)
class Finding:
    """One broken rule, about one field, in words a frontend developer understands."""

    code: str
    field: str
    severity: Severity
    message: str
    spec: str | None
    chromium: str | None


DROPPED = "browsers drop the cookie"
IGNORED = "browsers ignore the attribute"
REFUSED = "the API refuses the request"


def _rules(*rules: Rule) -> dict[str, Rule]:
    return {rule.code: rule for rule in rules}


RULES: dict[str, Rule] = _rules(
    # The name and value (RFC 6265bis §4.1.1 and §5.6).
    Rule(
        "name_not_token",
        "rejected",
        "RFC 6265bis §4.1.1",
        None,
        "the name is a token: no spaces, quotes, separators or `=`",
        "the cookie is dropped or split",
    ),
    Rule(
        "name_disallowed_character",
        "rejected",
        "RFC 6265bis §5.6",
        "EXCLUDE_DISALLOWED_CHARACTER",
        "the name has no control characters",
        DROPPED,
    ),
    Rule(
        "name_value_too_large",
        "rejected",
        "RFC 6265bis §5.6",
        "EXCLUDE_NAME_VALUE_PAIR_EXCEEDS_MAX_SIZE",
        "name plus value on the wire at most 4096 bytes, after encoding and signing",
        DROPPED,
    ),
    # Attributes (RFC 6265bis §5.6).
    Rule(
        "attribute_too_large",
        "attribute_ignored",
        "RFC 6265bis §5.6",
        "WARN_ATTRIBUTE_VALUE_EXCEEDS_MAX_SIZE",
        "path and domain at most 1024 bytes",
        IGNORED,
    ),
    Rule(
        "path_invalid",
        "attribute_ignored",
        "RFC 6265bis §4.1.1, §5.6.4",
        None,
        "path starts with `/` and is printable ASCII without `;` and no trailing space",
        "the path is ignored or changed",
    ),
    Rule(
        "domain_invalid",
        "rejected",
        "RFC 6265bis §5.6.3",
        "EXCLUDE_INVALID_DOMAIN",
        "domain is a host name (IDN allowed), or an IPv4 address",
        DROPPED,
    ),
    Rule(
        "domain_mismatch",
        "rejected",
        "RFC 6265bis §5.7 step 10",
        "EXCLUDE_INVALID_DOMAIN",
        "the request host is the domain or a subdomain of it",
        DROPPED,
    ),
    Rule(
        "domain_public_suffix",
        "rejected",
        "RFC 6265bis §5.7 step 9",
        "EXCLUDE_INVALID_DOMAIN",
        "domain is not a public suffix, nor an unknown top-level name",
        DROPPED,
    ),
    Rule(
        "domain_becomes_host_only",
        "attribute_ignored",
        "RFC 6265bis §5.7 step 9",
        None,
        "a domain that is a public suffix and also the request host makes a host-only cookie",
        "the domain is ignored: the cookie is host-only",
    ),
    # Expiry (RFC 6265bis §5.6.1, §5.6.2).
    Rule(
        "lifetime_over_400_days",
        "attribute_ignored",
        "RFC 6265bis §5.6.1, §5.6.2",
        None,
        "`max_age` and `expires` within 400 days",
        "the lifetime is cut to 400 days",
    ),
    Rule(
        "already_expired",
        "rejected",
        "RFC 6265bis §5.7",
        None,
        "`expires` in the future and `max_age` not negative (use DELETE to remove a cookie)",
        "the cookie is deleted, not set",
    ),
    # Attributes that need a Secure cookie.
    Rule(
        "samesite_none_requires_secure",
        "rejected",
        "RFC 6265bis §5.7 step 15",
        "EXCLUDE_SAMESITE_NONE_INSECURE",
        "`SameSite=None` requires `secure: true`",
        DROPPED,
    ),
    Rule(
        "partitioned_requires_secure",
        "rejected",
        "CHIPS (draft-cutler-httpbis-partitioned-cookies) §2.1",
        "EXCLUDE_INVALID_PARTITIONED",
        "`partitioned: true` requires `secure: true`",
        DROPPED,
    ),
    # Name prefixes (RFC 6265bis §4.1.3).
    Rule(
        "prefix_requires_secure",
        "rejected",
        "RFC 6265bis §4.1.3",
        "EXCLUDE_INVALID_PREFIX",
        "`__Secure-`, `__Host-`, `__Http-` and `__Host-Http-` require `secure: true`",
        DROPPED,
    ),
    Rule(
        "prefix_requires_httponly",
        "rejected",
        "RFC 6265bis §4.1.3",
        "EXCLUDE_INVALID_PREFIX",
        "`__Http-` and `__Host-Http-` require `httponly: true`",
        DROPPED,
    ),
    Rule(
        "prefix_requires_root_path",
        "rejected",
        "RFC 6265bis §4.1.3",
        "EXCLUDE_INVALID_PREFIX",
        "`__Host-` and `__Host-Http-` require path `/`",
        DROPPED,
    ),
    Rule(
        "prefix_forbids_domain",
        "rejected",
        "RFC 6265bis §4.1.3",
        "EXCLUDE_INVALID_PREFIX",
        "`__Host-` and `__Host-Http-` forbid a domain",
        DROPPED,
    ),
    # Context: where the Set-Cookie comes from.
    Rule(
        "secure_from_insecure_origin",
        "warning",
        "RFC 6265bis §5.7 step 8",
        "EXCLUDE_SECURE_ONLY",
        "`secure: true` over plain HTTP to a host other than localhost",
        "the cookie is dropped",
    ),
    Rule(
        "samesite_lax_cross_site",
        "warning",
        "RFC 6265bis §5.7 step 14",
        "EXCLUDE_SAMESITE_LAX",
        "a `SameSite=Lax` cookie set from another site's `fetch`",
        "the cookie is dropped",
    ),
    Rule(
        "samesite_strict_cross_site",
        "warning",
        "RFC 6265bis §5.7 step 14",
        "EXCLUDE_SAMESITE_STRICT",
        "a `SameSite=Strict` cookie set from another site's `fetch`",
        "the cookie is dropped",
    ),
    Rule(
        "third_party_unpartitioned",
        "warning",
        "CHIPS (draft-cutler-httpbis-partitioned-cookies) §1",
        "EXCLUDE_THIRD_PARTY_PHASEOUT",
        "an unpartitioned cookie set from another site",
        "browsers that block third-party cookies drop it",
    ),
    Rule(
        "max_age_overrides_expires",
        "warning",
        "RFC 6265bis §5.7 step 3",
        None,
        "`max_age` beside `expires`",
        "`max_age` wins",
    ),
    Rule(
        "max_age_zero",
        "warning",
        "RFC 6265bis §5.6.2",
        None,
        "`max_age: 0`",
        "the cookie is deleted at once",
    ),
    # The API's own request rules: no browser states them.
    Rule("invalid_body", "rejected", None, None, "the body is one JSON object", REFUSED),
    Rule("invalid_type", "rejected", None, None, "each field has its JSON type", REFUSED),
    Rule("invalid_choice", "rejected", None, None, "a field takes one of its values", REFUSED),
    Rule("unknown_field", "rejected", None, None, "no field beyond those listed", REFUSED),
    Rule("field_required", "rejected", None, None, "`name` and `value` are given", REFUSED),
    Rule("parameter_repeated", "rejected", None, None, "a query parameter is given once", REFUSED),
    Rule(
        "value_not_unicode",
        "rejected",
        None,
        None,
        "the value is well-formed Unicode (no lone surrogates)",
        REFUSED,
    ),
    Rule(
        "name_hidden",
        "rejected",
        None,
        None,
        "the name is not one of `COOKIE_API_HIDDEN_COOKIES`",
        REFUSED,
    ),
    Rule(
        "signing_key_missing",
        "rejected",
        None,
        None,
        "`signed: true` needs `COOKIE_API_SECRET_KEY`",
        REFUSED,
    ),
)

CODES: tuple[str, ...] = tuple(RULES)


def finding(code: str, field: str, message: str, severity: Severity | None = None) -> Finding:
    """A finding for ``code``, with its spec and Chromium name from the catalogue."""
    rule = RULES[code]
    return Finding(
        code=code,
        field=field,
        severity=severity or rule.severity,
        message=message,
        spec=rule.spec,
        chromium=rule.chromium,
    )
