"""Findings: what a rule says about a cookie, each with a stable code from one catalogue.

The catalogue ``RULES`` holds, per code, its default severity, the specification that states it
and Chromium's name for the same reason (``net/cookies/cookie_inclusion_status.h``), so that a
finding made by code never drifts from them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field, replace
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
    browsers: str | None = None  # where browser engines differ, with the source that shows it


@dataclass(frozen=True, slots=True)
class Finding:
    """One broken rule, about one field, in words a frontend developer understands."""

    code: str
    field: str
    severity: Severity
    message: str
    spec: str | None
    chromium: str | None
    browsers: str | None = None  # where browser engines differ, with the source that shows it
    fix: str | None = None  # what to change, in the words of the input (a header's, so far)
    # The values of the message's template in WORDS; None for a message written out.
    params: tuple[tuple[str, object], ...] | None = field(default=None, compare=False)
    count: int = 1  # how many findings this one stands for (see ``collapse``)


DROPPED = "the cookie is dropped"
CHROMIUM_LAX_BY_DEFAULT = (
    "Chromium treats a cookie without SameSite as SameSite=Lax "
    "(EXCLUDE_SAMESITE_UNSPECIFIED_TREATED_AS_LAX, net/cookies/cookie_inclusion_status.h); "
    'RFC 6265bis §5.6.7 leaves it at "Default".'
)
IGNORED = "the attribute is ignored"
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
        "domain_other_site",
        "rejected",
        "RFC 6265bis §5.7 step 10",
        "EXCLUDE_DOMAIN_MISMATCH",
        "domain is on the request host's site (its registrable domain)",
        DROPPED,
        browsers="Chromium names EXCLUDE_DOMAIN_MISMATCH beside EXCLUDE_INVALID_DOMAIN when the "
        "Domain is on another registrable domain than the host (GetCookieDomainWithString, "
        "net/cookies/cookie_util.cc); a host without one gets EXCLUDE_INVALID_DOMAIN alone.",
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
    Rule(
        "prefix_in_nameless_value",
        "rejected",
        "RFC 6265bis §5.7",
        "EXCLUDE_INVALID_PREFIX",
        "a cookie without a name has no value starting with a prefix",
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
        "prefix_from_insecure_origin",
        "warning",
        "RFC 6265bis §4.1.3, §5.7 step 8",
        "EXCLUDE_INVALID_PREFIX",
        "a `__Secure-`, `__Host-`, `__Http-` or `__Host-Http-` cookie over plain HTTP to a host "
        "other than localhost",
        "the cookie is dropped",
        browsers="Chromium names the prefix, not the Secure attribute, for a prefixed cookie "
        "from a non-secure origin (IsCookiePrefixValid, net/cookies/cookie_util.cc): "
        "EXCLUDE_INVALID_PREFIX instead of EXCLUDE_SECURE_ONLY.",
    ),
    Rule(
        "partitioned_from_insecure_origin",
        "warning",
        "CHIPS (draft-cutler-httpbis-partitioned-cookies) §2.1",
        "EXCLUDE_INVALID_PARTITIONED",
        "`partitioned: true` over plain HTTP to a host other than localhost",
        "the cookie is dropped",
        browsers="Chromium names the Partitioned attribute, not the Secure one, for a "
        "partitioned cookie from a non-secure origin (IsCookiePartitionedValid, "
        "net/cookies/cookie_util.cc): EXCLUDE_INVALID_PARTITIONED instead of "
        "EXCLUDE_SECURE_ONLY, which DevTools does not show.",
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
        "samesite_unspecified_cross_site",
        "warning",
        "RFC 6265bis §5.7",
        "EXCLUDE_SAMESITE_UNSPECIFIED_TREATED_AS_LAX",
        "a cookie without SameSite set from another site's `fetch`",
        "the cookie is dropped",
        browsers=CHROMIUM_LAX_BY_DEFAULT,
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
    # Parsing a Set-Cookie header (RFC 6265bis §5.6), for POST /lint.
    Rule(
        "disallowed_character",
        "rejected",
        "RFC 6265bis §5.6",
        "EXCLUDE_DISALLOWED_CHARACTER",
        "a Set-Cookie holds no control characters",
        DROPPED,
    ),
    Rule(
        "tab_character",
        "rejected",
        "RFC 6265bis §5.6",
        "EXCLUDE_DISALLOWED_CHARACTER",
        "no tab inside a name, a value or an attribute",
        DROPPED,
        browsers="Chromium drops a cookie with a tab inside its name, value or an attribute: "
        "net/cookies/parsed_cookie.cc allows no control character there (cookie-name-octet and "
        "cookie-value-octet are %x20-3A / %x3C-7E / %x80-FF), tab included; RFC 6265bis §5.6 "
        "allows a horizontal tab.",
    ),
    Rule(
        "no_cookie_content",
        "rejected",
        "RFC 6265bis §5.7",
        "EXCLUDE_NO_COOKIE_CONTENT",
        "a cookie has a name or a value",
        DROPPED,
    ),
    Rule(
        "line_break_cuts_header",
        "attribute_ignored",
        "RFC 6265bis §5.6",
        None,
        "a Set-Cookie holds no CR or LF",
        "the header ends at the first of them: the rest is not part of the cookie",
        browsers="Chromium ends the header at a CR or LF and keeps what comes before "
        "(FindFirstTerminator, net/cookies/parsed_cookie.cc; wpt cookies/value/value.html "
        '"Set cookie but ignore value after LF"), refuses a response with a NUL in a header, '
        "and drops a document.cookie string holding any of them (kBlockTruncatedCookies, "
        "net/base/features.h); RFC 6265bis §5.6 drops the whole line, and RFC 9110 §5.5 "
        "lets a recipient replace them with spaces.",
    ),
    Rule(
        "header_cut",
        "attribute_ignored",
        "RFC 6265bis §5.6",
        None,
        "a Set-Cookie holds only printable ASCII, and no `,` where a name is read",
        "WebKitGTK reads the header up to the first control character, tab or non-ASCII byte, "
        "or a `,` ending an attribute: the rest is not part of the cookie",
        browsers="WebKitGTK only: libsoup 3.2 ends a name at `;`, `,` or `=`, a value at `;`, "
        "and both at any byte below 0x20 or above 0x7F, and reads attributes only while a `;` "
        "follows (is_attr_ender, is_value_ender and parse_one_cookie in "
        "libsoup/cookies/soup-cookie.c); Chromium and Firefox drop a header with a control "
        "character and keep UTF-8.",
    ),
    Rule(
        "response_refused",
        "rejected",
        "RFC 6265bis §5.6",
        None,
        "no header of the response holds a NUL",
        "Chromium refuses the whole response: none of its cookies is stored",
        browsers="Chromium refuses a response with a NUL in a header "
        "(net::ERR_INVALID_HTTP_RESPONSE), as RFC 9110 §5.5 allows (wpt "
        "cookies/name/name-ctl.html accepts a rejected message or a NUL replaced with a space); "
        "RFC 6265bis §5.6 drops only the line that holds it.",
    ),
    Rule(
        "nameless_value_with_equals",
        "rejected",
        "RFC 6265bis §5.6",
        "EXCLUDE_AMBIGUOUS_SERIALIZATION",
        "a cookie without a name has no `=` in its value",
        DROPPED,
        browsers="Chromium drops a nameless cookie whose value holds `=`, which it would send "
        "as another cookie's name and value (EXCLUDE_AMBIGUOUS_SERIALIZATION, "
        "net/cookies/cookie_inclusion_status.h); RFC 6265bis §5.6 stores it.",
    ),
    Rule(
        "nameless_cookie",
        "warning",
        "RFC 6265bis §5.6",
        None,
        "a cookie has a name",
        "browsers store it with an empty name and send its value alone",
    ),
    Rule(
        "value_quoted",
        "warning",
        "RFC 6265bis §5.6",
        None,
        "quotes around a value are part of it",
        "browsers keep the quotes",
    ),
    Rule(
        "unknown_attribute",
        "attribute_ignored",
        "RFC 6265bis §5.6",
        None,
        "attributes are ones browsers know",
        IGNORED,
    ),
    Rule(
        "attribute_repeated",
        "attribute_ignored",
        "RFC 6265bis §5.6, §5.7",
        None,
        "each attribute is given once",
        "browsers use the last one",
    ),
    Rule(
        "expires_invalid",
        "attribute_ignored",
        "RFC 6265bis §5.1.1, §5.6.1",
        None,
        "Expires is a date such as Wed, 21 Oct 2026 07:28:00 GMT",
        IGNORED,
        browsers="Chromium reads only the last Expires (SetupAttributes in "
        "net/cookies/parsed_cookie.cc keeps the last one), so an invalid last one also hides an "
        "earlier valid one; RFC 6265bis §5.6.1 ignores only the invalid one. Chromium reads "
        'a day, year or time only as a whole token ("1st Jul" is no date), time fields of any '
        "length, years of 1 to 5 digits, and a year before 1601 as a past date "
        "(ParseCookieExpirationTime, net/cookies/cookie_util.cc); RFC 6265bis §5.1.1 differs "
        "on each.",
    ),
    Rule(
        "max_age_invalid",
        "attribute_ignored",
        "RFC 6265bis §5.6.2",
        None,
        "Max-Age is a whole number of seconds",
        IGNORED,
        browsers="Chromium reads only the last Max-Age (SetupAttributes in "
        "net/cookies/parsed_cookie.cc keeps the last one), so an invalid last one also hides an "
        "earlier valid one; RFC 6265bis §5.6.2 ignores only the invalid one. Chromium also "
        'takes a leading "+" (Max-Age=+3600: base::StringToInt64 in ParseExpiration, '
        "net/cookies/canonical_cookie.cc), which RFC 6265bis §5.6.2 ignores.",
    ),
    Rule(
        "samesite_invalid",
        "attribute_ignored",
        "RFC 6265bis §5.6.7",
        None,
        "SameSite is Strict, Lax or None",
        IGNORED,
    ),
    Rule(
        "domain_non_ascii",
        "warning",
        "RFC 6265bis §5.6.3",
        "WARN_DOMAIN_NON_ASCII",
        "Domain is ASCII (punycode for international names)",
        "Chromium converts it to punycode; Firefox and WebKit drop the cookie",
        browsers="Chromium converts a non-ASCII Domain to punycode and stores the cookie "
        "(WARN_DOMAIN_NON_ASCII; EXCLUDE_DOMAIN_NON_ASCII only behind the "
        "kCookieDomainRejectNonASCII feature, GetCookieDomainWithString in "
        "net/cookies/cookie_util.cc); Firefox and WebKit drop the cookie.",
    ),
    # Storing into a jar that already holds cookies (RFC 6265bis §5.7).
    Rule(
        "httponly_from_script",
        "rejected",
        "RFC 6265bis §5.7",
        "EXCLUDE_HTTP_ONLY",
        "document.cookie cannot set an HttpOnly cookie",
        DROPPED,
    ),
    Rule(
        "overwrite_httponly",
        "rejected",
        "RFC 6265bis §5.7",
        "EXCLUDE_OVERWRITE_HTTP_ONLY",
        "document.cookie cannot replace an HttpOnly cookie",
        DROPPED,
    ),
    Rule(
        "overwrite_secure",
        "rejected",
        "RFC 6265bis §5.7",
        "EXCLUDE_OVERWRITE_SECURE",
        "an insecure URL cannot overwrite a Secure cookie",
        DROPPED,
    ),
    Rule(
        "replaces_cookie",
        "warning",
        "RFC 6265bis §5.7",
        None,
        "a cookie replaces one with the same name, domain and path",
        "the earlier cookie is gone",
        browsers="Chromium keeps the replaced cookie's creation time, which orders the Cookie "
        "header, only when the value is unchanged (MaybeDeleteEquivalentCookieAndUpdateStatus, "
        "net/cookies/cookie_monster.h); RFC 6265bis §5.7 always keeps it.",
    ),
    # Retrieval: why a stored cookie is not sent with a request (RFC 6265bis §5.8.3).
    Rule(
        "not_sent_domain",
        "warning",
        "RFC 6265bis §5.8.3",
        "EXCLUDE_DOMAIN_MISMATCH",
        "the request host is the cookie's host, or under its domain",
        "the cookie is not sent",
    ),
    Rule(
        "not_sent_path",
        "warning",
        "RFC 6265bis §5.1.4, §5.8.3",
        "EXCLUDE_NOT_ON_PATH",
        "the request path is under the cookie's path",
        "the cookie is not sent",
    ),
    Rule(
        "not_sent_secure",
        "warning",
        "RFC 6265bis §5.8.3",
        "EXCLUDE_SECURE_ONLY",
        "a Secure cookie goes over HTTPS or to localhost only",
        "the cookie is not sent",
    ),
    Rule(
        "not_sent_expired",
        "warning",
        "RFC 6265bis §5.8.3",
        None,
        "the cookie has not expired",
        "the cookie is not sent",
    ),
    Rule(
        "not_sent_samesite_strict",
        "warning",
        "RFC 6265bis §5.8.3",
        "EXCLUDE_SAMESITE_STRICT",
        "a SameSite=Strict cookie goes with same-site requests only",
        "the cookie is not sent",
    ),
    Rule(
        "not_sent_samesite_lax",
        "warning",
        "RFC 6265bis §5.8.3",
        "EXCLUDE_SAMESITE_LAX",
        "a SameSite=Lax cookie goes with same-site requests and top-level navigations only",
        "the cookie is not sent",
    ),
    Rule(
        "not_sent_samesite_unspecified",
        "warning",
        "RFC 6265bis §5.8.3",
        "EXCLUDE_SAMESITE_UNSPECIFIED_TREATED_AS_LAX",
        "a cookie without SameSite goes with same-site requests only, in Chromium",
        "the cookie is not sent",
        browsers=CHROMIUM_LAX_BY_DEFAULT,
    ),
    # A Set-Cookie value that is several headers joined into one (POST /lint and POST /replay).
    Rule(
        "set_cookie_comma_joined",
        "warning",
        "RFC 6265bis §3",
        None,
        "one value per Set-Cookie header, not several joined with `, `",
        "browsers read one cookie; the next ones end up in its value or attributes",
    ),
    Rule(
        "set_cookie_newline_joined",
        "warning",
        "RFC 6265bis §3",
        None,
        "one value per Set-Cookie header, not several joined with a line break",
        "browsers read up to the line break, or drop the line",
    ),
    Rule(
        "set_cookie_prefix_pasted",
        "warning",
        "RFC 6265bis §5.6",
        None,
        "the value without the `Set-Cookie:` header name",
        "browsers store a cookie whose name starts with `Set-Cookie:`",
    ),
    # A flow of requests (POST /replay): contexts beyond SameSite, and what a flow shows.
    Rule(
        "third_party_blocked",
        "rejected",
        "CHIPS (draft-cutler-httpbis-partitioned-cookies) §1",
        "EXCLUDE_USER_PREFERENCES",
        "no unpartitioned cookie in a third-party context when third-party cookies are blocked",
        "the cookie is not stored or not sent",
    ),
    Rule(
        "credentials_omitted",
        "rejected",
        "Fetch §4.5 (HTTP-network-or-cache fetch, includeCredentials)",
        None,
        "a fetch with `credentials: omit`, or `same-origin` to another origin, has no cookies",
        "no cookie is sent and Set-Cookie is ignored",
    ),
    Rule(
        "lax_allow_unsafe",
        "warning",
        "RFC 6265bis §5.8.3",
        "WARN_SAMESITE_UNSPECIFIED_LAX_ALLOW_UNSAFE",
        "a cookie without SameSite goes with a cross-site POST navigation for 2 minutes only",
        "sent while under 2 minutes old, then not",
    ),
    Rule(
        "cookie_name_shadowed",
        "warning",
        "RFC 6265bis §5.8.3, §4.2.2",
        None,
        "one cookie per name in a Cookie header",
        "servers read one of them, most the first",
    ),
    Rule(
        "set_never_sent",
        "warning",
        "RFC 6265bis §5.8.3",
        None,
        "a cookie that is set is sent with a later request of the flow",
        "the cookie is stored but never sent",
    ),
    Rule(
        "default_path",
        "warning",
        "RFC 6265bis §5.1.4",
        None,
        "a cookie without Path gets the directory of the URL that set it",
        "the cookie is not sent outside that directory",
    ),
    Rule(
        "cookie_header_too_large",
        "warning",
        "RFC 6265bis §6.1",
        None,
        "a Cookie header within the servers' limits (nginx 8 KiB per header, Node 16 KiB)",
        "servers answer 400 or 431",
    ),
    Rule(
        "har_sanitised",
        "warning",
        "HAR 1.2",
        None,
        "a HAR exported with its cookies",
        "the recorded Cookie and Set-Cookie headers are missing",
    ),
    Rule(
        "har_credentials_inferred",
        "warning",
        "Fetch §4.5 (HTTP-network-or-cache fetch, includeCredentials)",
        None,
        "a recorded fetch that sent no cookie while the jar had some for it was made without "
        "credentials",
        "replayed without credentials: nothing sent, Set-Cookie ignored",
    ),
    Rule(
        "har_cookie_not_set_in_recording",
        "warning",
        "HAR 1.2",
        None,
        "every cookie a recorded request sent was set by a response of the recording",
        "a cookie from document.cookie or from before the recording is added to the jar",
    ),
    Rule(
        "redirect_hop_inserted",
        "warning",
        "Fetch §4.4 (HTTP-redirect fetch)",
        None,
        "a redirect's next step is its Location",
        "the hop is added with an empty response",
    ),
    Rule(
        "not_sent_partition",
        "warning",
        "CHIPS (draft-cutler-httpbis-partitioned-cookies), abstract",
        None,
        "a Partitioned cookie goes only where the top-level site is the one it was set under",
        "the cookie is not sent",
        browsers="Chromium keys the partition by the schemeful site: http://localhost and "
        "https://localhost are two partitions (net/cookies/cookie_partition_key.h).",
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
        "every string is well-formed Unicode (no lone surrogates)",
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
        "url_invalid",
        "rejected",
        None,
        None,
        "`url`, `then_url` and `site_for_cookies` are absolute http: or https: URLs",
        REFUSED,
    ),
    Rule(
        "url_too_long",
        "rejected",
        None,
        None,
        "a URL is at most 8 KiB, its host at most 253 characters and its path at most 1 KiB",
        REFUSED,
    ),
    Rule(
        "now_out_of_range",
        "rejected",
        None,
        None,
        "`now` lies in the years 1970 to 9000",
        REFUSED,
    ),
    Rule(
        "too_many_cookies",
        "rejected",
        "RFC 6265bis §6.1",
        None,
        "the request carries fewer than 180 cookies (Chromium's kDomainMaxCookies)",
        "one more makes browsers evict other cookies of the site",
    ),
    Rule(
        "header_count",
        "rejected",
        None,
        None,
        "`set_cookie` holds 1 to 50 headers",
        REFUSED,
    ),
    Rule(
        "header_too_long",
        "rejected",
        None,
        None,
        "each `set_cookie` header is at most 256 KiB, what Chromium reads of a response",
        REFUSED,
    ),
    Rule(
        "headers_too_long",
        "rejected",
        None,
        None,
        "the `set_cookie` headers together are at most 256 KiB, what Chromium reads of a response",
        REFUSED,
    ),
    Rule(
        "too_many_attributes",
        "rejected",
        None,
        None,
        "each `set_cookie` header holds at most 100 attributes",
        REFUSED,
    ),
    Rule(
        "offset_required",
        "rejected",
        None,
        None,
        "a date-time carries an offset such as Z or +02:00",
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
    Rule(
        "steps_or_har",
        "rejected",
        None,
        None,
        "POST /replay has `steps` or `har`, not both",
        REFUSED,
    ),
    Rule("step_count", "rejected", None, None, "a flow has 1 to 100 steps", REFUSED),
    Rule(
        "har_invalid", "rejected", None, None, "`har` is a HAR 1.2 log of 1 to 100 entries", REFUSED
    ),
    Rule("url_too_long", "rejected", None, None, "each URL is at most 8 KiB", REFUSED),
    Rule(
        "replay_too_large",
        "rejected",
        None,
        None,
        "a replay's answer fits in 1 MiB, and its flow sets at most 1000 cookies",
        REFUSED,
    ),
)


@dataclass(frozen=True, slots=True)
class Words:
    """What a finding says, in the words of the input it is about."""

    body: str  # about a JSON body (POST /cookies): its field names
    header: str  # about a Set-Cookie header (POST /lint): its attributes
    fix: str | None = None  # what to change in the header


_SECURE = 'add "; Secure"'
_SAMESITE_NONE = 'use "SameSite=None; Secure"'
_FROM_ANOTHER_SITE = (
    "this request comes from another site ({initiator}): browsers store a SameSite={samesite} "
    'cookie only from same-site requests; use samesite: "None" with secure: true.'
)
_RESPONSE_OF_ANOTHER_SITE = (
    "The response is another site's than the page ({initiator}): browsers store a "
    "SameSite={samesite} cookie only from same-site requests"
)
# Messages with placeholders, in both voices: a check makes its finding with
# ``finding(code, field, **values)``, and a finding about a header is put in its words by
# ``in_header_words``. The messages of other codes are written out where they are found.
WORDS: dict[str, Words] = {
    "samesite_none_requires_secure": Words(
        "SameSite=None requires secure: true; browsers drop such cookies.",
        "SameSite=None requires Secure; browsers drop such cookies",
        _SECURE,
    ),
    "partitioned_requires_secure": Words(
        "partitioned: true requires secure: true; browsers drop such cookies.",
        "Partitioned requires Secure; browsers drop such cookies",
        _SECURE,
    ),
    "prefix_requires_secure": Words(
        "the {prefix} prefix requires secure: true; browsers drop such cookies.",
        "The {prefix} prefix requires Secure; browsers drop such cookies",
        _SECURE,
    ),
    "prefix_requires_httponly": Words(
        "the {prefix} prefix requires httponly: true; browsers drop such cookies.",
        "The {prefix} prefix requires HttpOnly; browsers drop such cookies",
        'add "; HttpOnly"',
    ),
    "prefix_requires_root_path": Words(
        'the {prefix} prefix requires path "/"; browsers drop such cookies.',
        "The {prefix} prefix requires Path=/; browsers drop such cookies",
        'set "; Path=/"',
    ),
    "prefix_forbids_domain": Words(
        "the {prefix} prefix forbids a domain; browsers drop such cookies.",
        "The {prefix} prefix forbids a Domain attribute; browsers drop such cookies",
        'remove "; Domain={domain}"',
    ),
    "name_value_too_large": Words(
        "name and value take {size} bytes on the wire (after percent-encoding and signing); "
        "browsers drop cookies over {limit} bytes.",
        "The name and value take {size} bytes; browsers drop cookies over {limit} bytes",
        "shorten the name or the value by {excess} bytes",
    ),
    "prefix_from_insecure_origin": Words(
        "the {prefix} prefix needs a secure origin: over plain HTTP (except on localhost) "
        "browsers drop such cookies.",
        "The {prefix} prefix needs a secure origin: over plain HTTP (except on localhost) "
        "browsers drop such cookies",
        "send it over HTTPS",
    ),
    "partitioned_from_insecure_origin": Words(
        "partitioned: true needs a secure origin: over plain HTTP (except on localhost) "
        "browsers drop such cookies.",
        "Partitioned needs a secure origin: over plain HTTP (except on localhost) browsers "
        "drop such cookies",
        "send it over HTTPS",
    ),
    "secure_from_insecure_origin": Words(
        "secure: true over plain HTTP: browsers ignore this cookie (except on localhost).",
        "Secure over plain HTTP: browsers ignore this cookie (except on localhost)",
        'send it over HTTPS, or remove "; Secure"',
    ),
    "samesite_unspecified_cross_site": Words(
        "this request comes from another site ({initiator}): browsers treat a cookie without "
        "SameSite as SameSite=Lax and store it only from same-site requests; "
        'use samesite: "None" with secure: true.',
        "The response is another site's than the page ({initiator}): browsers treat a cookie "
        "without SameSite as SameSite=Lax and store it only from same-site requests",
        'add "; SameSite=None; Secure"',
    ),
    "samesite_lax_cross_site": Words(_FROM_ANOTHER_SITE, _RESPONSE_OF_ANOTHER_SITE, _SAMESITE_NONE),
    "samesite_strict_cross_site": Words(
        _FROM_ANOTHER_SITE, _RESPONSE_OF_ANOTHER_SITE, _SAMESITE_NONE
    ),
    "third_party_unpartitioned": Words(
        "this request comes from another site ({initiator}): browsers that block third-party "
        "cookies drop an unpartitioned cookie set from another site; add partitioned: true to "
        "keep it within that site.",
        "The response is another site's than the page ({initiator}): browsers that block "
        "third-party cookies drop an unpartitioned cookie set from another site",
        'add "; Partitioned" to keep it within that site',
    ),
    "max_age_overrides_expires": Words(
        "max_age and expires are both set: browsers use max_age.",
        "Max-Age and Expires are both given: browsers use Max-Age",
    ),
    "max_age_zero": Words(
        "max_age: 0 expires the cookie at once: browsers delete it.",
        "Max-Age=0 expires the cookie at once: browsers delete it",
    ),
}

CODES: tuple[str, ...] = tuple(RULES)
# The codes only POST /lint reports: about a Set-Cookie header as received, a jar that already
# holds cookies, or the request that comes next. POST /cookies never makes such a cookie.
LINT_CODES: tuple[str, ...] = (
    "disallowed_character",
    "tab_character",
    "line_break_cuts_header",
    "header_cut",
    "response_refused",
    "no_cookie_content",
    "nameless_value_with_equals",
    "nameless_cookie",
    "value_quoted",
    "unknown_attribute",
    "attribute_repeated",
    "expires_invalid",
    "max_age_invalid",
    "samesite_invalid",
    "domain_non_ascii",
    "domain_other_site",
    "prefix_in_nameless_value",
    "samesite_unspecified_cross_site",
    "httponly_from_script",
    "overwrite_httponly",
    "overwrite_secure",
    "replaces_cookie",
    "not_sent_domain",
    "not_sent_path",
    "not_sent_secure",
    "not_sent_expired",
    "not_sent_samesite_strict",
    "not_sent_samesite_lax",
    "not_sent_samesite_unspecified",
    "not_sent_partition",
    "set_cookie_comma_joined",
    "set_cookie_newline_joined",
    "set_cookie_prefix_pasted",
)
# The codes POST /replay adds to those of POST /lint: contexts beyond SameSite, and the flow.
REPLAY_CODES: tuple[str, ...] = (
    "third_party_blocked",
    "credentials_omitted",
    "lax_allow_unsafe",
    "cookie_name_shadowed",
    "set_never_sent",
    "default_path",
    "cookie_header_too_large",
    "har_sanitised",
    "har_credentials_inferred",
    "har_cookie_not_set_in_recording",
    "redirect_hop_inserted",
)


def rule_table(codes: Iterable[str]) -> str:
    """A Markdown table of these rules, for documentation made from the catalogue."""
    rows = [
        "| rule | what browsers do | source | code | Chromium |",
        "|---|---|---|---|---|",
    ]
    for code in codes:
        rule = RULES[code]
        chromium = f"`{rule.chromium}`" if rule.chromium else ""
        rows.append(f"| {rule.summary} | {rule.effect} | {rule.spec} | `{code}` | {chromium} |")
    return "\n".join(rows) + "\n"


def finding(
    code: str,
    field: str,
    message: str | None = None,
    severity: Severity | None = None,
    **values: object,
) -> Finding:
    """A finding for ``code``, with its spec and Chromium name from the catalogue.

    Without ``message``, the message is the code's ``WORDS`` about a JSON body, filled in
    with ``values``; ``in_header_words`` can then say it about a header.
    """
    rule = RULES[code]
    params = None
    if message is None:
        message = WORDS[code].body.format(**values)
        params = tuple(values.items())
    return Finding(
        code=code,
        field=field,
        severity=severity or rule.severity,
        message=message,
        spec=rule.spec,
        chromium=rule.chromium,
        browsers=rule.browsers,
        params=params,
    )


def in_header_words(item: Finding) -> Finding:
    """The finding said about a Set-Cookie header: its attributes, and what to change in it."""
    if item.params is None:
        return item
    words = WORDS[item.code]
    values = dict(item.params)
    message = words.header.format(**values)
    if words.fix is None:
        return replace(item, message=f"{message}.")
    fix = words.fix.format(**values)
    return replace(item, message=f"{message}. {fix[0].upper()}{fix[1:]}.", fix=fix)


# Past this many findings, those of one code are told once, whatever their fields.
MAX_FINDINGS = 20


def collapse(findings: list[Finding]) -> list[Finding]:
    """The findings with each repeated rule told once, at its first place, with its ``count``.

    Findings of the same code and field are always one; when that still leaves more than
    ``MAX_FINDINGS``, those of the same code are one, with the first one's field and message,
    but for the first ``MAX_FINDINGS`` that carry a ``fix``.
    A header of 4,000 unknown attributes, or a body of 10,000 unknown keys, gets a few findings
    back, not thousands.
    """
    if len(findings) < 2:
        return findings
    collapsed = _group(findings, lambda item: (item.code, item.field))
    if len(collapsed) > MAX_FINDINGS:
        # The first findings that say what to fix (a did-you-mean) stay apart: each names its
        # own change.
        kept = set([id(item) for item in collapsed if item.fix is not None][:MAX_FINDINGS])
        collapsed = _group(
            collapsed, lambda item: (item.code, item.field) if id(item) in kept else item.code
        )
    return collapsed


def _group(findings: list[Finding], key: Callable[[Finding], Hashable]) -> list[Finding]:
    firsts: dict[Hashable, Finding] = {}
    counts: dict[Hashable, int] = {}
    for item in findings:
        group = key(item)
        if group in firsts:
            counts[group] += item.count
        else:
            firsts[group] = item
            counts[group] = item.count
    if len(firsts) == len(findings):
        return findings
    return [
        item if counts[group] == item.count else replace(item, count=counts[group])
        for group, item in firsts.items()
    ]


# The most of an input a message quotes: enough to recognise it, never the whole of a long one.
QUOTED_CHARS = 100


def quoted(text: str) -> str:
    """``text`` as a message quotes it: its repr, cut to ``QUOTED_CHARS`` characters."""
    if len(text) <= QUOTED_CHARS:
        return repr(text)
    return f"{text[:QUOTED_CHARS]!r}… ({len(text):,} characters)"


def shortened(text: str, limit: int = QUOTED_CHARS) -> str:
    """``text`` cut to ``limit`` characters, with "…" where it was cut."""
    return text if len(text) <= limit else f"{text[: limit - 1]}…"
