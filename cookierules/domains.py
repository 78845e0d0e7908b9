"""The Domain attribute: normalising it, domain-match and the public suffix rule.

RFC 6265bis §5.1.3 (domain-match), §5.6.3 (the Domain attribute) and §5.7 steps 9 and 10.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from functools import cache, lru_cache, wraps
from typing import TypeVar

import idna
from publicsuffixlist import PublicSuffixList

from cookierules.findings import Finding, finding

_Fact = TypeVar("_Fact")
# The longest host name DNS allows (RFC 1035 §2.3.4); a longer text is no host to remember.
MAX_HOST_CHARS = 253


def host_fact(read: Callable[[str], _Fact]) -> Callable[[str], _Fact]:
    """``read`` remembered for the last 1,024 host names it was asked about.

    POST /lint asks the same few questions of the same host and Domain for every header and
    every cookie it sends; each answer (an IDNA encoding, a parse as an IP address, a walk of
    the public suffix list) costs microseconds. A text longer than a host name is read anew,
    so that no long input is kept; an exception is not remembered.
    """
    remembered = lru_cache(maxsize=1024)(read)

    @wraps(read)
    def fact(host: str) -> _Fact:
        return remembered(host) if len(host) <= MAX_HOST_CHARS else read(host)

    return fact


class InvalidDomain(ValueError):
    """A Domain attribute that is no host name, with the finding that says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.finding = finding("domain_invalid", "domain", message)


@cache
def public_suffix_list() -> PublicSuffixList:
    """The Public Suffix List bundled with the ``publicsuffixlist`` package, loaded once.

    Its private section counts, and an unknown top-level name ("corp", "localhost") counts as
    a public suffix, as Chromium counts registries: INCLUDE_PRIVATE_REGISTRIES and
    INCLUDE_UNKNOWN_REGISTRIES in net/base/registry_controlled_domains.
    """
    return PublicSuffixList(accept_unknown=True)


@host_fact
def registrable_domain(host: str) -> str | None:
    """The host's registrable domain (its public suffix and one label more), if it has one.

    None for an IP address, a public suffix, and a host of one unknown label such as "corp":
    Chromium's GetDomainAndRegistry, which counts an unknown top-level name as a registry.
    """
    if is_ip_address(host):
        return None
    return public_suffix_list().privatesuffix(host)


@host_fact
def is_ip_address(host: str) -> bool:
    """Whether ``host`` is an IPv4 or IPv6 address rather than a name."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@host_fact
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
    """Rules for a normalised Domain attribute against the request host.

    This follows Chromium's GetCookieDomainWithString (net/cookies/cookie_util.cc): a host with
    no registrable domain (an IP address, a public suffix, an intranet name such as "corp")
    gets a host-only cookie when the Domain is the host itself, and no domain cookie at all;
    otherwise the Domain must be the host or a parent of it, with the same registrable domain.
    """
    # RFC 6265bis §5.7 step 9: a public suffix equal to the host becomes a host-only cookie.
    if domain == request_host and registrable_domain(request_host) is None:
        return [
            finding(
                "domain_becomes_host_only",
                "domain",
                f'"{domain}" is the request host but has no registrable domain (an IP address, '
                "a public suffix or an intranet name): browsers ignore the domain and store "
                "a host-only cookie, so it is left out.",
            )
        ]
    # RFC 6265bis §5.1.3: an IP address domain-matches only itself.
    if is_ip_address(domain):
        return [
            finding(
                "domain_mismatch",
                "domain",
                f'domain "{domain}" is an IP address other than the request host '
                f'"{request_host}"; omit domain for a host-only cookie.',
            )
        ]
    # RFC 6265bis §5.7 step 9: browsers refuse a Domain that is a public suffix.
    if registrable_domain(domain) is None:
        known = public_suffix_list().publicsuffix(domain, accept_unknown=False) == domain
        kind = "a public suffix" if known else "a top-level name that browsers do not know"
        return [
            finding(
                "domain_public_suffix",
                "domain",
                f'"{domain}" is {kind}; browsers refuse cookies for it, as for any public suffix.',
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
