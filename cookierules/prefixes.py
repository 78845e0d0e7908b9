"""Cookie name prefixes and what they require (RFC 6265bis §4.1.3)."""

from __future__ import annotations

from cookierules.cookie import Cookie
from cookierules.domains import is_ip_address
from cookierules.findings import Finding, finding

PREFIXES = ("__Host-Http-", "__Host-", "__Http-", "__Secure-")
_LOWER_CASE_PREFIXES = tuple((prefix.lower(), prefix) for prefix in PREFIXES)

_REQUIREMENTS: dict[str, frozenset[str]] = {
    # RFC 6265bis §4.1.3.1: __Secure- requires Secure.
    "__Secure-": frozenset({"secure"}),
    # RFC 6265bis §4.1.3.2: __Host- requires Secure, Path=/ and no Domain.
    "__Host-": frozenset({"secure", "host"}),
    # RFC 6265bis §4.1.3.3: __Http- requires Secure and HttpOnly.
    "__Http-": frozenset({"secure", "httponly"}),
    # RFC 6265bis §4.1.3.4: __Host-Http- requires all of the above.
    "__Host-Http-": frozenset({"secure", "host", "httponly"}),
}


def cookie_prefix(name: str) -> str | None:
    """The name prefix browsers give a meaning to, matched case-insensitively."""
    if not name.startswith("__"):  # every prefix does
        return None
    lowered = name.lower()
    for lower_case, prefix in _LOWER_CASE_PREFIXES:
        if lowered.startswith(lower_case):
            return prefix
    return None


def prefix_requirements(prefix: str | None) -> frozenset[str]:
    """What a prefix requires: any of "secure", "httponly", "host" (path "/" and no domain)."""
    return _REQUIREMENTS.get(prefix, frozenset()) if prefix else frozenset()


def check_nameless_prefix(cookie: Cookie) -> list[Finding]:
    """RFC 6265bis §5.7: a cookie without a name cannot pass for a prefixed one by its value."""
    prefix = None if cookie.name else cookie_prefix(cookie.value)
    if prefix is None:
        return []
    return [
        finding(
            "prefix_in_nameless_value",
            "name",
            f"a cookie without a name whose value starts with {prefix} would be sent as if it "
            "had that prefix; browsers drop such cookies.",
        )
    ]


def check_prefix(
    cookie: Cookie, *, host: str | None = None, domain_attribute: str | None = None
) -> list[Finding]:
    """RFC 6265bis §4.1.3: what the __Secure-, __Host-, __Http- and __Host-Http- prefixes need.

    ``host`` is the request host and ``domain_attribute`` the Domain attribute as written, where
    they are known: a __Host- cookie may then name an IP-address host itself. A Domain that is
    no host name (the cookie's domain None) still counts: Chromium reads the attribute as
    written (IsCookiePrefixValid, net/cookies/canonical_cookie.cc).
    """
    prefix = cookie_prefix(cookie.name)
    required = prefix_requirements(prefix)
    findings = []
    if "secure" in required and not cookie.secure:
        findings.append(finding("prefix_requires_secure", "secure", prefix=prefix))
    if "httponly" in required and not cookie.httponly:
        findings.append(finding("prefix_requires_httponly", "httponly", prefix=prefix))
    # The Path attribute itself must be "/": a default path of "/" is not enough, so a cookie
    # without one (path None) breaks the rule (wpt cookies/prefix/__host.explicit-path.https).
    if "host" in required and cookie.path != "/":
        findings.append(finding("prefix_requires_root_path", "path", prefix=prefix))
    domain = cookie.domain or domain_attribute
    if "host" in required and domain and not _names_ip_host(domain_attribute, host):
        findings.append(finding("prefix_forbids_domain", "domain", prefix=prefix, domain=domain))
    return findings


def _names_ip_host(domain_attribute: str | None, host: str | None) -> bool:
    """Whether the Domain attribute is the request host, an IP address, written as its URL does.

    Chromium lets a __Host- cookie give such a Domain, which makes it host-only anyway
    (HasValidHostPrefixAttributes, net/cookies/cookie_util.cc); RFC 6265bis §4.1.3.2 forbids any
    Domain. The attribute is compared as written: ".127.0.0.1" is refused.
    """
    if domain_attribute is None or host is None or not is_ip_address(host):
        return False
    return domain_attribute == (f"[{host}]" if ":" in host else host)
