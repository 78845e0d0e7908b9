"""The browser rules for cookies, as plain functions with no Flask in them.

Each check returns the broken rules as ``(field, message)`` pairs, in words a frontend developer
understands, so that one response can name every rule a request breaks.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta
from functools import cache, lru_cache
from urllib.parse import urlsplit

import idna
from publicsuffixlist import PublicSuffixList

Violation = tuple[str, str]

# RFC 6265bis §4.1.1: cookie-name is an RFC 9110 token (tchar).
TOKEN_PATTERN = r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$"
# RFC 6265bis §4.1.1: path-value is av-octets (printable ASCII without ";"); browsers trim a
# trailing space (§5.6), so none is allowed, to keep the echo what browsers store.
PATH_PATTERN = r"^/(?:[ -:<-~]*[!-:<-~])?$"
# RFC 6265bis §5.6: browsers ignore a cookie whose name and value exceed 4096 octets.
MAX_COOKIE_BYTES = 4096
# RFC 6265bis §5.6: browsers ignore an attribute value over 1024 octets.
MAX_ATTRIBUTE_BYTES = 1024
# RFC 6265bis §5.6.1 and §5.6.2: browsers cap a cookie's lifetime at 400 days.
MAX_LIFETIME = timedelta(days=400)
MAX_AGE_LIMIT = int(MAX_LIFETIME.total_seconds())
SAMESITE_VALUES = ("Strict", "Lax", "None")

DROPPED = "browsers drop such cookies"


@cache
def public_suffix_list() -> PublicSuffixList:
    """The bundled Public Suffix List, loaded once."""
    # Unknown top-level names such as "localhost" are not public suffixes to browsers.
    return PublicSuffixList(accept_unknown=False)


def cookie_prefix(name: str) -> str | None:
    """The name prefix browsers give a meaning to, matched case-insensitively."""
    lowered = name.lower()
    for prefix in ("__Host-Http-", "__Host-", "__Http-", "__Secure-"):
        if lowered.startswith(prefix.lower()):
            return prefix
    return None


def prefix_requirements(prefix: str | None) -> set[str]:
    """What a name prefix requires: any of "secure", "httponly", "host" (path "/" and no domain)."""
    return {
        # RFC 6265bis §4.1.3.1: __Secure- requires Secure.
        "__Secure-": {"secure"},
        # RFC 6265bis §4.1.3.2: __Host- requires Secure, Path=/ and no Domain.
        "__Host-": {"secure", "host"},
        # RFC 6265bis §4.1.3.3: __Http- requires Secure and HttpOnly.
        "__Http-": {"secure", "httponly"},
        # RFC 6265bis §4.1.3.4: __Host-Http- requires all of the above.
        "__Host-Http-": {"secure", "host", "httponly"},
    }.get(prefix, set())


def normalize_domain(domain: str) -> str:
    """The Domain attribute browsers would store: lower-case ASCII (IDNA), no leading dot.

    Raises ``ValueError`` with a message for anything that is not a host name.
    """
    # RFC 6265bis §5.6.3: a leading "." is ignored.
    host = domain[1:] if domain.startswith(".") else domain
    if not host:
        raise ValueError("domain must be a host name such as example.com")
    if host.endswith("."):
        raise ValueError("domain must not end with a dot; browsers do not match it to the host")
    if _is_ip_address(host):
        address = ipaddress.ip_address(host)
        # Browsers disagree on the form of an IPv6 Domain attribute; a host-only cookie is sure.
        if address.version == 6:
            raise ValueError("domain cannot be an IPv6 address; omit domain for a host-only cookie")
        return str(address)
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as error:
        raise ValueError(f"domain is not a valid host name: {error}") from None


def check_domain(domain: str, request_host: str) -> list[Violation]:
    """Rules for an already normalised Domain attribute against the request host."""
    # RFC 6265bis §5.1.3: an IP address domain-matches only itself.
    if _is_ip_address(domain) and domain != request_host:
        return [
            (
                "domain",
                f'domain "{domain}" is an IP address other than the request host '
                f'"{request_host}"; omit domain for a host-only cookie',
            )
        ]
    # RFC 6265bis §5.7 step 9: browsers refuse a Domain that is a public suffix.
    if public_suffix_list().is_public(domain):
        return [("domain", f'"{domain}" is a public suffix; browsers refuse cookies for it')]
    # RFC 6265bis §5.7 step 10 (§5.1.3): the request host must domain-match the Domain.
    if not domain_matches(request_host, domain):
        return [
            (
                "domain",
                f'domain "{domain}" does not match the request host "{request_host}"; '
                "browsers drop cookies for another domain",
            )
        ]
    return []


def domain_matches(host: str, domain: str) -> bool:
    """RFC 6265bis §5.1.3 domain-match: identical, or a subdomain of a host name."""
    if host == domain:
        return True
    return host.endswith("." + domain) and not _is_ip_address(host)


def check_secure_requirements(
    *, samesite: str | None, partitioned: bool | None, secure: bool | None
) -> list[Violation]:
    """Attributes that browsers accept only on a Secure cookie."""
    if secure is None or secure:
        return []
    violations = []
    # RFC 6265bis §5.7 step 15: SameSite=None without Secure is ignored.
    if samesite == "None":
        violations.append(("samesite", f"SameSite=None requires secure: true; {DROPPED}"))
    # CHIPS (draft-cutler-httpbis-partitioned-cookies §2.1): Partitioned requires Secure.
    if partitioned:
        violations.append(("partitioned", f"partitioned: true requires secure: true; {DROPPED}"))
    return violations


def check_prefix_rules(
    name: str,
    *,
    secure: bool | None,
    httponly: bool | None,
    path: str | None,
    domain: str | None,
) -> list[Violation]:
    """RFC 6265bis §4.1.3: what the __Secure-, __Host-, __Http- and __Host-Http- prefixes need."""
    prefix = cookie_prefix(name)
    required = prefix_requirements(prefix)
    violations = []
    if "secure" in required and secure is False:
        violations.append(("secure", f"the {prefix} prefix requires secure: true; {DROPPED}"))
    if "httponly" in required and httponly is False:
        violations.append(("httponly", f"the {prefix} prefix requires httponly: true; {DROPPED}"))
    if "host" in required and path is not None and path != "/":
        violations.append(("path", f'the {prefix} prefix requires path "/"; {DROPPED}'))
    if "host" in required and domain is not None:
        violations.append(("domain", f"the {prefix} prefix forbids a domain; {DROPPED}"))
    return violations


def check_size(name: str, wire_value: str) -> list[Violation]:
    """RFC 6265bis §5.6: name plus the value as sent must fit in 4096 bytes."""
    size = len(name.encode()) + len(wire_value.encode())
    if size <= MAX_COOKIE_BYTES:
        return []
    return [
        (
            "value",
            f"name and value take {size} bytes on the wire (after percent-encoding"
            f" and signing); browsers drop cookies over {MAX_COOKIE_BYTES} bytes",
        )
    ]


def check_expires(expires: datetime, now: datetime) -> list[Violation]:
    """An Expires date must lie in the future and within the 400-day cap."""
    if expires <= now:
        return [
            ("expires", "expires is in the past; to remove a cookie, use DELETE /cookies/{name}")
        ]
    # RFC 6265bis §5.6.1: browsers cap Expires at 400 days from now.
    if expires - now > MAX_LIFETIME:
        return [
            ("expires", "expires is more than 400 days ahead; browsers cap cookies at 400 days")
        ]
    return []


@lru_cache(maxsize=64)
def is_loopback_host(host: str) -> bool:
    """Hosts that browsers treat as secure contexts even over plain HTTP."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    return _is_ip_address(host) and ipaddress.ip_address(host).is_loopback


def site_of(scheme: str, host: str) -> tuple[str, str]:
    """The schemeful site of a host: its registrable domain, or the host itself."""
    return scheme, public_suffix_list().privatesuffix(host) or host


def origin_site(origin: str) -> tuple[str, str] | None:
    """The schemeful site of an Origin header, or None for "null" and garbage."""
    try:
        parts = urlsplit(origin)
        host = parts.hostname
    except ValueError:
        return None
    if not parts.scheme or not host:
        return None
    return site_of(parts.scheme, host)


def context_warnings(
    cookie: dict, *, request_host: str, is_https: bool, origin: str | None
) -> list[str]:
    """Context-dependent reasons why a browser may still not store or send a valid cookie."""
    warnings = []
    if cookie["secure"] and not is_https and not is_loopback_host(request_host):
        # RFC 6265bis §5.7 step 8: a Secure cookie from a non-secure origin is ignored.
        warnings.append(
            "secure: true over plain HTTP: browsers ignore this cookie (except on localhost)"
        )
    caller = origin_site(origin) if origin else None
    scheme = "https" if is_https else "http"
    cross_site = caller is not None and caller != site_of(scheme, request_host)
    if cross_site and cookie["samesite"] != "None":
        # RFC 6265bis §5.7 step 14: a cross-site response cannot set a SameSite=Lax/Strict cookie.
        warnings.append(
            f"this request comes from another site ({origin}): browsers store a "
            f"SameSite={cookie['samesite']} cookie only from same-site requests; "
            'use samesite: "None" with secure: true'
        )
    elif cross_site and not cookie["partitioned"]:
        # CHIPS §1: browsers that block third-party cookies keep only partitioned ones.
        warnings.append(
            f"this request comes from another site ({origin}): browsers that block "
            "third-party cookies drop an unpartitioned cookie set from another site; "
            "add partitioned: true to keep it within that site"
        )
    if cookie["max_age"] is not None and cookie["expires"] is not None:
        warnings.append("max_age and expires are both set: browsers use max_age")
    if cookie["max_age"] == 0:
        warnings.append("max_age: 0 expires the cookie at once: browsers delete it")
    return warnings


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
