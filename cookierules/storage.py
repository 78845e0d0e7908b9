"""Whether browsers store a cookie, and how (RFC 6265bis §5.7, the storage model).

``check_storage`` gives the findings that hold wherever the cookie comes from; context
warnings give the ones that depend on who sets it and over what.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache

from cookierules.cookie import Cookie
from cookierules.domains import MAX_HOST_CHARS, check_domain
from cookierules.expiry import check_expires
from cookierules.findings import Finding, finding
from cookierules.grammar import check_name_value_size
from cookierules.prefixes import check_prefix, cookie_prefix, prefix_requirements

DROPPED = "browsers drop such cookies"
_CROSS_SITE_CODES = {"Lax": "samesite_lax_cross_site", "Strict": "samesite_strict_cross_site"}
# Findings after which browsers still store the cookie, changed as ``stored_cookie`` says.
APPLIED_CODES = frozenset({"domain_becomes_host_only"})


@dataclass(frozen=True, slots=True)
class SetContext:
    """Where a Set-Cookie comes from."""

    host: str  # the request host name: lower-case, no port
    secure_origin: bool  # https, or a loopback host (localhost, 127.0.0.0/8, ::1)
    cross_site: bool  # the site that asked differs from the response's site
    from_script: bool  # document.cookie rather than a Set-Cookie header
    now: datetime  # aware
    initiator: str | None = None  # the origin that asked, as it is named in messages


def check_secure_requirements(cookie: Cookie) -> list[Finding]:
    """Attributes that browsers accept only on a Secure cookie."""
    if cookie.secure:
        return []
    findings = []
    # RFC 6265bis §5.7 step 15: SameSite=None without Secure is ignored.
    if cookie.samesite == "None":
        findings.append(finding("samesite_none_requires_secure", "samesite"))
    # CHIPS (draft-cutler-httpbis-partitioned-cookies §2.1): Partitioned requires Secure.
    if cookie.partitioned:
        findings.append(finding("partitioned_requires_secure", "partitioned"))
    return findings


def check_storage(
    cookie: Cookie, context: SetContext, domain_attribute: str | None = None
) -> list[Finding]:
    """The rules of RFC 6265bis §5.7 that make browsers drop or change this cookie.

    ``domain_attribute``: the Domain attribute as the header wrote it, when there is one.
    """
    findings = check_secure_requirements(cookie)
    findings += check_prefix(cookie, host=context.host, domain_attribute=domain_attribute)
    findings += check_name_value_size(cookie.name, cookie.value)
    if cookie.domain is not None:
        findings += _checked_domain(cookie.domain, context.host)
    if cookie.expires is not None:
        findings += check_expires(cookie.expires, context.now)
    if context.from_script and cookie.httponly:
        # RFC 6265bis §5.7: a non-HTTP API such as document.cookie cannot set an HttpOnly cookie.
        findings.append(
            finding(
                "httponly_from_script",
                "httponly",
                f"document.cookie cannot set an HttpOnly cookie; {DROPPED}.",
            )
        )
    return findings


def _checked_domain(domain: str, request_host: str) -> tuple[Finding, ...]:
    """``check_domain``, remembered for the pairs of Domain and host asked about last: each
    header of a response asks again (the answer depends on nothing else). Host names only:
    a longer text is checked anew, so that no long input is kept."""
    if len(domain) <= MAX_HOST_CHARS and len(request_host) <= MAX_HOST_CHARS:
        return _cached_domain_check(domain, request_host)
    return tuple(check_domain(domain, request_host))


@lru_cache(maxsize=256)
def _cached_domain_check(domain: str, request_host: str) -> tuple[Finding, ...]:
    return tuple(check_domain(domain, request_host))


def stored_cookie(cookie: Cookie, findings: list[Finding]) -> Cookie:
    """The cookie as browsers store it, once the attributes they ignore are left out."""
    if findings and any(item.code == "domain_becomes_host_only" for item in findings):
        return replace(cookie, domain=None)
    return cookie


def context_warnings(cookie: Cookie, context: SetContext) -> list[Finding]:
    """Reasons why a browser may still not store or keep a valid cookie, from its context."""
    warnings = []
    if cookie.secure and not context.secure_origin:
        # RFC 6265bis §5.7 step 8: a Secure cookie from a non-secure origin is ignored.
        warnings.append(finding("secure_from_insecure_origin", "secure"))
    if not context.secure_origin:
        warnings += _insecure_origin_checks(cookie)
    if context.cross_site and cookie.samesite is None:
        # RFC 6265bis §5.7: only a SameSite=None cookie comes from a cross-site response;
        # Chromium treats one without SameSite as Lax.
        warnings.append(
            finding("samesite_unspecified_cross_site", "samesite", initiator=context.initiator)
        )
    elif context.cross_site and cookie.samesite in ("Lax", "Strict"):
        # RFC 6265bis §5.7 step 14: a cross-site response cannot set a SameSite=Lax/Strict cookie.
        warnings.append(
            finding(
                _CROSS_SITE_CODES[cookie.samesite],
                "samesite",
                initiator=context.initiator,
                samesite=cookie.samesite,
            )
        )
    elif context.cross_site and not cookie.partitioned:
        # CHIPS §1: browsers that block third-party cookies keep only partitioned ones.
        warnings.append(
            finding("third_party_unpartitioned", "partitioned", initiator=context.initiator)
        )
    if cookie.max_age is not None and cookie.expires is not None:
        warnings.append(finding("max_age_overrides_expires", "max_age"))
    if cookie.max_age == 0:
        warnings.append(finding("max_age_zero", "max_age"))
    return warnings


def _insecure_origin_checks(cookie: Cookie) -> list[Finding]:
    """What a non-secure origin cannot set, as Chromium names it first (net/cookies/
    cookie_util.cc: IsCookiePrefixValid and IsCookiePartitionedValid need a secure source)."""
    warnings = []
    prefix = cookie_prefix(cookie.name)
    if "secure" in prefix_requirements(prefix) and cookie.secure:
        # RFC 6265bis §4.1.3: a prefixed cookie needs Secure, which needs a secure origin.
        warnings.append(finding("prefix_from_insecure_origin", "name", prefix=prefix))
    if cookie.partitioned and cookie.secure:
        # CHIPS §2.1: a partitioned cookie needs Secure, which needs a secure origin.
        warnings.append(finding("partitioned_from_insecure_origin", "partitioned"))
    return warnings
