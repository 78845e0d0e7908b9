"""The Domain attribute: normalising it, domain-match and the public suffix rule.

RFC 6265bis §5.1.3 (domain-match), §5.6.3 (the Domain attribute) and §5.7 steps 9 and 10.
"""

from __future__ import annotations

import ipaddress
from functools import cache

import idna
from publicsuffixlist import PublicSuffixList

from cookierules.findings import Finding, finding


class InvalidDomain(ValueError):
    """A Domain attribute that is no host name, with the finding that says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.finding = finding("domain_invalid", "domain", message)


@cache
def public_suffix_list() -> PublicSuffixList:
    """The Public Suffix List bundled with the ``publicsuffixlist`` package, loaded once."""
    # Unknown top-level names such as "localhost" are not public suffixes to browsers.
    return PublicSuffixList(accept_unknown=False)


def is_ip_address(host: str) -> bool:
    """Whether ``host`` is an IPv4 or IPv6 address rather than a name."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def normalize_domain(domain: str) -> str:
    """The Domain attribute browsers would store: lower-case ASCII (IDNA), no leading dot.

    Raises ``InvalidDomain`` for anything that is not a host name.
    """
    # RFC 6265bis §5.6.3: a leading "." is ignored.
    host = domain[1:] if domain.startswith(".") else domain
    if not host:
        raise InvalidDomain("domain must be a host name such as example.com.")
    if host.endswith("."):
        raise InvalidDomain("domain must not end with a dot; browsers do not match it to the host.")
    if is_ip_address(host):
        address = ipaddress.ip_address(host)
        # Browsers disagree on the form of an IPv6 Domain attribute; a host-only cookie is sure.
        if address.version == 6:
            raise InvalidDomain(
                "domain cannot be an IPv6 address; omit domain for a host-only cookie."
            )
        return str(address)
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as error:
        raise InvalidDomain(f"domain is not a valid host name: {error}.") from None


def domain_matches(host: str, domain: str) -> bool:
    """RFC 6265bis §5.1.3 domain-match: identical, or a subdomain of a host name."""
    if host == domain:
        return True
    return host.endswith("." + domain) and not is_ip_address(host)


def check_domain(domain: str, request_host: str) -> list[Finding]:
    """Rules for a normalised Domain attribute against the request host."""
    # RFC 6265bis §5.1.3: an IP address domain-matches only itself.
    if is_ip_address(domain) and domain != request_host:
        return [
            finding(
                "domain_mismatch",
                "domain",
                f'domain "{domain}" is an IP address other than the request host '
                f'"{request_host}"; omit domain for a host-only cookie.',
            )
        ]
    # RFC 6265bis §5.7 step 9: browsers refuse a Domain that is a public suffix.
    if public_suffix_list().is_public(domain):
        return [
            finding(
                "domain_public_suffix",
                "domain",
                f'"{domain}" is a public suffix; browsers refuse cookies for it.',
            )
        ]
    # RFC 6265bis §5.7 step 10 (§5.1.3): the request host must domain-match the Domain.
    if not domain_matches(request_host, domain):
        return [
            finding(
                "domain_mismatch",
                "domain",
                f'domain "{domain}" does not match the request host "{request_host}"; '
                "browsers drop cookies for another domain.",
            )
        ]
    return []
