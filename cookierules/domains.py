"""The Domain attribute: normalising it, domain-match and the public suffix rule.

RFC 6265bis §5.1.3 (domain-match), §5.6.3 (the Domain attribute) and §5.7 steps 9 and 10.
"""

from __future__ import annotations

import ipaddress
import re
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
    if host.endswith("."):
        # Chromium keeps the trailing dot: "example.com." is another site than "example.com"
        # (net/base/registry_controlled_domains), where the list's lookup drops it.
        registrable = public_suffix_list().privatesuffix(host[:-1])
        return registrable + "." if registrable else None
    return public_suffix_list().privatesuffix(host)


@host_fact
def is_ip_address(host: str) -> bool:
    """Whether ``host`` is an IPv4 or IPv6 address rather than a name."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class InvalidHost(ValueError):
    """Text the URL parser refuses as a host."""


# WHATWG URL: the forbidden domain code points (C0 controls, space, and these).
_FORBIDDEN_HOST = re.compile(r"[\x00-\x20\x7f#%/:<>?@\[\\\]^|]")
_IPV4_PART = re.compile(r"0[xX][0-9a-fA-F]*|[0-9]+")


def canonical_host(text: str) -> str:
    """A host name as the URL parser writes it (the WHATWG URL host parser, which Chromium's
    url/url_canon_host.cc follows): lower-case, an IDNA A-label for each non-ASCII label, and
    an IPv4 address in any of its forms (2130706433, 127.1, 0x7f.0.0.1) as four decimals.

    Underscores, leading or doubled hyphens and labels over 63 octets stay: the URL parser's
    UTS #46 runs without the STD3 and DNS-length checks. Raises ``InvalidHost``.
    """
    host = _ascii_host(text)
    if not host or _FORBIDDEN_HOST.search(host):
        raise InvalidHost(f"{text!r} holds a character no host name may hold")
    if "" in host.split(".")[:-1]:
        raise InvalidHost(f"{text!r} has an empty label")
    return _ipv4_or_name(host)


def _ascii_host(text: str) -> str:
    """``text`` lower-case, with an IDNA A-label for each non-ASCII label (UTS #46 without
    the STD3 rules). Raises ``InvalidHost``."""
    host = text.lower()
    if host.isascii():
        return host
    try:
        mapped = idna.uts46_remap(host, std3_rules=False, transitional=False)
    except idna.IDNAError as error:
        raise InvalidHost(str(error)) from None
    return ".".join(
        label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
        for label in mapped.split(".")
    )


def _ipv4_or_name(host: str) -> str:
    """An ASCII host whose last label is a number as an IPv4 address, another one as it is."""
    last = host.removesuffix(".").rpartition(".")[2]
    if _IPV4_PART.fullmatch(last):
        return _ipv4(host)
    return host


def _ipv4(host: str) -> str:
    """WHATWG URL's IPv4 parser: parts in decimal, 0x hex or 0 octal, the last one filling the
    bytes left over."""
    parts = host.removesuffix(".").split(".")
    if len(parts) > 4:
        raise InvalidHost(f"{host!r} has more than four IPv4 parts")
    numbers = []
    for part in parts:
        if not _IPV4_PART.fullmatch(part) or (
            part[:1] == "0" and part[1:2].isdigit() and ("8" in part or "9" in part)
        ):
            raise InvalidHost(f"{host!r} has an IPv4 part that is no number")
        if part[:2] in ("0x", "0X"):
            numbers.append(int(part[2:] or "0", 16))
        else:
            numbers.append(int(part, 8 if len(part) > 1 and part[0] == "0" else 10))
    *leading, last = numbers
    if any(number > 255 for number in leading) or last >= 256 ** (5 - len(numbers)):
        raise InvalidHost(f"{host!r} is an IPv4 address out of range")
    address = last + sum(number * 256 ** (3 - index) for index, number in enumerate(leading))
    return str(ipaddress.IPv4Address(address))


@host_fact
def normalize_domain(domain: str) -> str:
    """The Domain attribute browsers would store: no leading dot, canonical as a URL host.

    Raises ``InvalidDomain`` for anything that is not a host name. As in Chromium's
    GetCookieDomainWithString (net/cookies/cookie_util.cc), the domain is the URL parser's
    canonical host: "my_app", "-x", "ab--cd" and 64-octet labels are kept, a non-ASCII name
    becomes punycode, and a trailing dot stays (it then matches only a host written with one).
    """
    # RFC 6265bis §5.6.3: a leading "." is ignored.
    host = domain[1:] if domain.startswith(".") else domain
    if not host or host == ".":
        raise InvalidDomain("domain must be a host name such as example.com.")
    if ":" in host and is_ip_address(host):
        # Browsers disagree on the form of an IPv6 Domain attribute; a host-only cookie is sure.
        raise InvalidDomain("domain cannot be an IPv6 address; omit domain for a host-only cookie.")
    try:
        canonical = canonical_host(host)
    except InvalidHost as error:
        raise InvalidDomain(f"domain is not a valid host name: {error}.") from None
    if is_ip_address(canonical) and canonical != host.lower():
        # Chromium matches an IP address Domain against the host as written, not canonicalised.
        raise InvalidDomain(
            f'domain "{host}" is an IPv4 address not written as four decimals ({canonical}).'
        )
    return canonical


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
    if domain.endswith(".") != request_host.endswith("."):
        return [
            finding(
                "domain_mismatch",
                "domain",
                f'domain "{domain}" and the request host "{request_host}" differ in a trailing '
                "dot; browsers match a domain ending with a dot only to a host written with one.",
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


# What Chromium's host canonicaliser (url/url_canon_host.cc) refuses in a Domain attribute, as
# Chromium 156 shows: the WHATWG forbidden host code points but the space, which it escapes.
# Control characters never get this far: they drop the whole header.
_CHROMIUM_FORBIDDEN_HOST = re.compile(r"[#%/:<>?@\[\\\]^|]")


def _chromium_domain_site(domain_attribute: str) -> str | None:
    """The registrable domain Chromium finds for a Domain attribute (GetCookieDomainWithString,
    net/cookies/cookie_util.cc), None for one without: an IP address, a public suffix, "." or
    "a b". Its host canonicaliser is laxer than the URL parser's: a space, an empty label, an
    IPv4 address in any form and an IPv6 address in brackets pass.

    Raises ``InvalidHost`` where Chromium gives up before it compares sites: a "%" anywhere,
    or a host its canonicaliser refuses.
    """
    if domain_attribute.startswith("[") and domain_attribute.endswith("]"):
        try:
            ipaddress.IPv6Address(domain_attribute[1:-1])
        except ValueError:
            raise InvalidHost(f"{domain_attribute!r} is no IPv6 address") from None
        return None
    host = _ascii_host(domain_attribute)
    if _CHROMIUM_FORBIDDEN_HOST.search(host):
        raise InvalidHost(f"{domain_attribute!r} holds a character Chromium refuses in a host")
    # net/base/registry_controlled_domains: leading dots are skipped, and the registrable
    # domain is the registry and the label before it, empty in "example..test".
    return registrable_domain(_ipv4_or_name(host).lstrip(".").rpartition("..")[2])


def check_domain_site(domain_attribute: str, request_host: str) -> list[Finding]:
    """For a Domain browsers refuse: whether it is on another site than the request host.

    ``domain_attribute`` is the Domain attribute as written, valid or not. Chromium then names
    EXCLUDE_DOMAIN_MISMATCH beside EXCLUDE_INVALID_DOMAIN (GetCookieDomainWithString,
    net/cookies/cookie_util.cc, as Chromium 156's NetLog shows), also for a Domain that is no
    host name ("ex ample.test", "."), unless it gives up on it before comparing sites; a host
    without a registrable domain (an IP address, a public suffix) gets the second alone.
    """
    host_site = registrable_domain(request_host)
    if host_site is None:
        return []
    try:
        if _chromium_domain_site(domain_attribute) == host_site:
            return []
    except InvalidHost:
        return []
    return [
        finding(
            "domain_other_site",
            "domain",
            f'domain "{domain_attribute}" is not on the site of the request host '
            f'"{request_host}" ({host_site}); browsers drop cookies for another site.',
        )
    ]
