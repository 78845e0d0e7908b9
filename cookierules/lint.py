"""What a browser does with Set-Cookie headers, why, and what it sends back next (POST /lint).

Each header is parsed (``parse``), checked by the same storage rules as POST /cookies
(``storage``, ``prefixes``, ``domains``, ``expiry``), stored into a jar (``jar``), and the jar
is then read for a later URL (``retrieval``). This module only puts those steps in order.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Literal
from urllib.parse import unquote

from cookierules.browsers import CHROMIUM, Browser, ignored_codes
from cookierules.cookie import Cookie
from cookierules.domains import InvalidHost, canonical_host, check_domain_site, is_ip_address
from cookierules.expiry import expiry_of
from cookierules.findings import (
    QUOTED_CHARS,
    Finding,
    collapse,
    finding,
    in_header_words,
    quoted,
    shortened,
)
from cookierules.jar import CookieJar, StoredCookie
from cookierules.joined import check_joined
from cookierules.libsoup import as_received, read_header, refusals
from cookierules.parse import DEFAULT_PRIORITY, parse_set_cookie
from cookierules.paths import canonical_path, cookie_path
from cookierules.prefixes import check_nameless_prefix
from cookierules.retrieval import Request, cookie_header, exclusion, in_send_order
from cookierules.sites import (
    MAX_HOST_CHARS,
    MAX_ORIGIN_CHARS,
    is_secure_origin,
    site_of,
    urlsplit_uncached,
)
from cookierules.storage import SetContext, check_storage, context_warnings, stored_cookie

Outcome = Literal["stored", "rejected"]

# Context warnings that, once the context is known for sure, mean the cookie is dropped.
_DROPPED_IN_CONTEXT = frozenset(
    {
        "secure_from_insecure_origin",
        "prefix_from_insecure_origin",
        "partitioned_from_insecure_origin",
        "samesite_lax_cross_site",
        "samesite_strict_cross_site",
        "samesite_unspecified_cross_site",
    }
)
# A Domain browsers refuse, for which Chromium may also name EXCLUDE_DOMAIN_MISMATCH.
_REFUSED_DOMAIN = frozenset({"domain_invalid", "domain_mismatch", "domain_public_suffix"})
# Said better by the expiry finding made here.
_SAID_BY_EXPIRY = frozenset({"max_age_zero", "already_expired", "lifetime_over_400_days"})


class InvalidUrl(ValueError):
    """A URL that is not an absolute http: or https: URL with a host."""

    code = "url_invalid"


class UrlTooLong(InvalidUrl):
    """A URL, host or path longer than any a browser or server works with."""

    code = "url_too_long"


# Servers refuse a longer request line (nginx's large_client_header_buffers, Apache's
# LimitRequestLine: 8 KiB), so no response that sets a cookie comes from a longer URL.
MAX_URL_BYTES = 8 * 1024
# The path becomes a cookie's default path (RFC 6265bis §5.1.4), and every cookie in the report
# repeats it: held to the size of a Path attribute (§5.6: 1024 bytes), so the report stays small.
MAX_PATH_BYTES = 1024


def check_url(url: str) -> list[Finding]:
    """A URL cookies can be set from or sent to: absolute, http: or https:, with a host, and
    no longer than ``MAX_URL_BYTES`` (its host and path held to their own limits)."""
    try:
        Location.of(url)
    except InvalidUrl as error:
        return [finding(error.code, "url", str(error))]
    return []


@dataclass(frozen=True, slots=True)
class Location:
    """The parts of an absolute http(s) URL that cookies care about."""

    scheme: str
    host: str  # canonical: lower-case ASCII (IDNA), no port, no brackets
    path: str  # canonical, as the URL parser writes it

    @classmethod
    def of(cls, url: str) -> Location:
        """Raises ``InvalidUrl`` for anything but an absolute http: or https: URL."""
        # Cached: POST /lint's body is checked for a valid URL before the engine reads it, and
        # clients ask about the same few URLs again and again. A long URL is not kept, so the
        # cache stays small whatever the bodies hold.
        if len(url) <= _CACHED_URL_CHARS:
            return _cached_location(url)
        return _location(url)

    @property
    def site(self) -> tuple[str, str]:
        return site_of(self.scheme, self.host)

    @property
    def secure(self) -> bool:
        """A secure context: https, or a loopback host (localhost counts)."""
        return is_secure_origin(self.scheme, self.host)


def _location(url: str) -> Location:
    _check_size("A URL", url, MAX_URL_BYTES)
    try:
        parts = urlsplit_uncached(url)
        host = parts.hostname
    except ValueError as error:
        raise InvalidUrl(f"{quoted(url)} is not a URL: {error}.") from None
    if parts.scheme not in ("http", "https") or not host:
        raise InvalidUrl(f"{quoted(url)} is not an absolute http: or https: URL.")
    if len(host) > MAX_HOST_CHARS * 3:
        # Longer than any host name even with every character percent-encoded: not decoded.
        raise _host_too_long(host)
    if not is_ip_address(host):
        # RFC 6265bis §5.1.2: the canonicalized host name, as the URL parser writes it
        # (percent-decoded, IDNA A-labels, an IPv4 address such as 127.1 as 127.0.0.1).
        try:
            host = canonical_host(unquote(host))
        except InvalidHost as error:
            raise InvalidUrl(f"{quoted(url)} has no valid host name: {error}.") from None
    if len(host) > MAX_HOST_CHARS:
        raise _host_too_long(host)
    path = canonical_path(parts.path)
    _check_size("The path of a URL", path, MAX_PATH_BYTES)
    return Location(parts.scheme, host, path)


def _host_too_long(host: str) -> UrlTooLong:
    return UrlTooLong(
        f"The host of {len(host):,} characters is over the {MAX_HOST_CHARS}-character "
        "limit of a domain name."
    )


def _check_size(what: str, text: str, limit: int) -> None:
    """``UrlTooLong`` when ``text`` takes more than ``limit`` bytes in UTF-8."""
    # A character takes at most 4 bytes: the count of bytes is needed only near the limit.
    if len(text) * 4 > limit and (size := len(text.encode("utf-8", "surrogatepass"))) > limit:
        raise UrlTooLong(f"{what} of {size:,} bytes is over the {limit:,}-byte limit.")


# No key longer than an origin: a URL with a long path or query is parsed each time.
_CACHED_URL_CHARS = MAX_ORIGIN_CHARS
_cached_location = lru_cache(maxsize=256)(_location)


@dataclass(frozen=True, slots=True)
class HeaderResult:
    """What a browser did with one Set-Cookie header."""

    set_cookie: str
    outcome: Outcome
    cookie: StoredCookie | None
    problems: list[Finding]


@dataclass(frozen=True, slots=True)
class NotSent:
    """A cookie of the jar that the later request does not carry, and why."""

    cookie: StoredCookie
    problem: Finding


@dataclass(frozen=True, slots=True)
class LintReport:
    results: list[HeaderResult]
    cookies: list[StoredCookie]  # the jar, in the order §5.8.3 sends cookies
    cookie_header: str | None  # for then_url, when given
    not_sent: list[NotSent]
    browser: str | None = None  # the engine asked for by name; None: Chromium, by default


def lint_set_cookies(
    url: str,
    set_cookie: list[str],
    *,
    now: datetime,
    then_url: str | None = None,
    site_for_cookies: str | None = None,
    from_script: bool = False,
    browser: Browser = CHROMIUM,
) -> LintReport:
    """Run ``set_cookie`` through ``browser``'s parser and jar, as received from ``url``.

    Raises ``InvalidUrl`` when ``url``, ``then_url`` or ``site_for_cookies`` is no absolute
    http(s) URL.
    """
    now = now.astimezone(UTC)
    response = Location.of(url)
    later = Location.of(then_url) if then_url is not None else None
    top_level = Location.of(site_for_cookies) if site_for_cookies is not None else None
    top_site = top_level.site if top_level is not None else None
    context = SetContext(
        host=response.host,
        secure_origin=_secure(response, browser),
        cross_site=_cross_site(top_site, response, browser),
        from_script=from_script,
        now=now,
        initiator=site_for_cookies,
    )
    jar = CookieJar()
    results = receive_response(
        set_cookie,
        response,
        context,
        jar,
        _partition_key(top_site or response.site),
        browser=browser,
    )
    jar.remove_expired(now)
    cookies = in_send_order(jar.cookies, browser.send_order_by_domain)
    if later is None:
        return LintReport(results, cookies, None, [])
    request = Request(
        host=later.host,
        path=later.path,
        secure=_secure(later, browser),
        cross_site=_cross_site(top_site, later, browser),
        now=now,
        # Without site_for_cookies, each URL is a top-level page: the partition is its site.
        partition_key=_partition_key(top_site or later.site),
        lax_by_default=browser.unspecified_samesite_is_lax,
    )
    sent, not_sent = [], []
    for cookie in cookies:
        problem = exclusion(cookie, request)
        if problem is None:
            sent.append(cookie)
        else:
            not_sent.append(NotSent(cookie, _shortened(problem)))
    return LintReport(results, cookies, cookie_header(sent), not_sent)


def receive_response(
    set_cookie: list[str],
    response: Location,
    context: SetContext,
    jar: CookieJar,
    partition_key: str,
    cross_site_ancestor: bool = False,
    browser: Browser = CHROMIUM,
) -> list[HeaderResult]:
    """What a browser does with the Set-Cookie headers of one response (or the
    ``document.cookie`` writes of a page), in order; a Partitioned cookie gets
    ``partition_key`` and the ancestor chain bit ``cross_site_ancestor``."""
    if not context.from_script and any("\0" in header for header in set_cookie):
        return [_refused(header) for header in set_cookie]
    partition = partition_key, cross_site_ancestor
    return [_receive(header, response, context, jar, partition, browser) for header in set_cookie]


def _secure(location: Location, browser: Browser) -> bool:
    """Whether ``browser`` counts ``location`` as a secure origin."""
    return location.secure and (browser.loopback_is_secure or location.scheme == "https")


def _cross_site(top_site: tuple[str, str] | None, location: Location, browser: Browser) -> bool:
    """Whether ``location`` is of another site than the top-level page's, as ``browser``
    compares sites (``Browser.schemeful_same_site``)."""
    if top_site is None:
        return False
    if browser.schemeful_same_site:
        return top_site != location.site
    return top_site[1] != location.site[1]


def _partition_key(site: tuple[str, str]) -> str:
    """The key of a top-level site's partition, as DevTools writes it: the schemeful site."""
    scheme, host = site
    return f"{scheme}://{host}"


def _receive(
    header: str,
    response: Location,
    context: SetContext,
    jar: CookieJar,
    partition: tuple[str, bool],
    browser: Browser = CHROMIUM,
) -> HeaderResult:
    """Parse, check and store one header."""
    if browser.reads_with_libsoup:
        return _receive_libsoup(header, response, context, jar, browser)
    parsed = parse_set_cookie(header, from_script=context.from_script, browser=browser)
    problems = list(parsed.findings)
    if "=" in header and ("," in header or ":" in header or "\n" in header or "\r" in header):
        problems += check_joined(header)
    if parsed.cookie is None:
        return HeaderResult(header, "rejected", None, _reported(problems))
    cookie = parsed.cookie
    if not cookie.name and not browser.nameless_is_value:
        if parsed.has_equals:
            problems.append(
                finding(
                    "nameless_cookie",
                    "name",
                    f"{browser.label} drops a cookie with an empty name before its `=`.",
                    severity="rejected",
                )
            )
            return HeaderResult(header, "rejected", None, _reported(problems))
        # The text without `=` is the name, the value empty.
        cookie = replace(cookie, name=cookie.value, value="")
        problems = [item for item in problems if item.code != "nameless_cookie"]
    # The expiry findings of the storage rules are left out (_SAID_BY_EXPIRY): those made below
    # read the attribute that counts, Max-Age over Expires (§5.7).
    problems += _in_context(
        check_storage(cookie, context, parsed.domain_attribute) + context_warnings(cookie, context)
    )
    if parsed.domain_attribute and any(item.code in _REFUSED_DOMAIN for item in problems):
        problems += check_domain_site(parsed.domain_attribute, context.host)
    problems += check_nameless_prefix(cookie)
    expiry = expiry_of(cookie, context.now)
    problems += _expiry_findings(cookie, expiry.at, expiry.capped, context.now)
    partitioned = cookie.partitioned
    if browser is not CHROMIUM:
        problems = _as_in(browser, problems, cookie, context, response)
        # Firefox keeps a cookie set from another site in the top-level site's partition.
        partitioned = partitioned or (browser.partitions_third_party and context.cross_site)
    if problems and any(
        problem.severity == "rejected" for problem in problems if problem.code != "already_expired"
    ):
        return HeaderResult(header, "rejected", None, _reported(problems))
    # The attributes browsers ignore here are left out (a Domain that makes it host-only).
    kept = stored_cookie(cookie, problems)
    stored = StoredCookie(
        name=cookie.name,
        value=cookie.value,
        domain=kept.domain or context.host,
        host_only=kept.domain is None,
        path=cookie_path(cookie.path, response.path),
        expiry=expiry.at,
        secure=cookie.secure,
        httponly=cookie.httponly,
        samesite=cookie.samesite,
        partitioned=partitioned,
        priority=parsed.priority,
        partition_key=partition[0] if partitioned else None,
        cross_site_ancestor=partition[1] and partitioned,
        created=context.now,
    )
    refused = jar.store(
        stored,
        from_script=context.from_script,
        secure_scheme=context.secure_origin,
        now=context.now,
        keep_place=browser.replacement_keeps_place,
    )
    problems += refused
    if (refused and any(item.severity == "rejected" for item in refused)) or (
        expiry.at is not None and expiry.at <= context.now
    ):
        return HeaderResult(header, "rejected", None, _reported(problems))
    return HeaderResult(header, "stored", stored, _reported(problems))


def _receive_libsoup(
    header: str, response: Location, context: SetContext, jar: CookieJar, browser: Browser
) -> HeaderResult:
    """One header as WebKitGTK reads and keeps it: libsoup's parser and jar
    (``cookierules.libsoup``), then the same jar as the other engines. A document.cookie
    string may hold several cookies, one per line; the last one kept is the result's."""
    pieces, problems = as_received(header, from_script=context.from_script)
    cookie = None
    for piece in pieces:
        stored, found = _store_libsoup(piece, response, context, jar, browser)
        cookie = stored or cookie
        problems += found
    return HeaderResult(
        header, "rejected" if cookie is None else "stored", cookie, _reported(problems)
    )


def _store_libsoup(
    header: str, response: Location, context: SetContext, jar: CookieJar, browser: Browser
) -> tuple[StoredCookie | None, list[Finding]]:
    read = read_header(header, context.host, response.path, context.now)
    problems = read.findings
    soup = read.cookie
    if soup is not None:
        problems = problems + refusals(soup, response.scheme, context, browser)
    if soup is None or any(problem.severity == "rejected" for problem in problems):
        return None, problems
    stored = StoredCookie(
        name=soup.name,
        value=soup.value,
        domain=soup.domain.removeprefix("."),
        host_only=not soup.domain.startswith("."),
        path=soup.path,
        expiry=soup.expires,
        secure=soup.secure,
        httponly=soup.httponly,
        samesite=soup.samesite,
        partitioned=False,
        priority=DEFAULT_PRIORITY,
        created=context.now,
    )
    problems += jar.store(
        stored,
        from_script=context.from_script,
        secure_scheme=response.scheme == "https",
        now=context.now,
        keep_place=True,
    )
    if any(item.severity == "rejected" for item in problems) or (
        stored.expiry is not None and stored.expiry <= context.now
    ):
        return None, problems
    return stored, problems


def _as_in(
    browser: Browser,
    problems: list[Finding],
    cookie: Cookie,
    context: SetContext,
    response: Location,
) -> list[Finding]:
    """``problems`` as ``browser`` acts on them: the rules it does not apply left out, the
    ones only it has added (``cookierules.browsers`` says which and why)."""
    ignored = ignored_codes(browser)
    if not browser.host_prefix_reads_attributes:
        # The cookie as stored: its path, and whether it is host-only.
        if cookie_path(cookie.path, response.path) == "/":
            ignored |= {"prefix_requires_root_path"}
        if stored_cookie(cookie, problems).domain is None:
            ignored |= {"prefix_forbids_domain"}
    kept = [item for item in problems if item.code not in ignored]
    if context.cross_site and not browser.stores_third_party:
        kept.append(
            finding(
                "third_party_blocked",
                "set_cookie",
                f"The response is another site's than the page ({context.initiator}): "
                f"{browser.label} stores no cookie set from another site.",
            )
        )
    elif context.cross_site and browser.partitions_third_party and not cookie.partitioned:
        kept.append(
            finding(
                "third_party_unpartitioned",
                "partitioned",
                f"The response is another site's than the page ({context.initiator}): "
                f"{browser.label} keeps the cookie in that page's partition (Total Cookie "
                "Protection) and sends it only under that top-level site.",
                severity="attribute_ignored",
            )
        )
    return kept


# The longest message the report gives: a rule's words and a name or two, not a 4 KiB name quoted
# for each of 50 cookies.
MAX_MESSAGE_CHARS = 300


def _reported(problems: list[Finding]) -> list[Finding]:
    """A header's problems as the report gives them: each rule once, in the header's words (the
    rules shared with POST /cookies say what to change in it), each message short."""
    return [_shortened(in_header_words(item)) for item in collapse(problems)]


def _shortened(item: Finding) -> Finding:
    """``item`` with a field, a message and a fix that quote at most a little of the input."""
    fix = item.fix or ""
    if (
        len(item.field) <= QUOTED_CHARS
        and len(item.message) <= MAX_MESSAGE_CHARS
        and len(fix) <= MAX_MESSAGE_CHARS
    ):
        return item
    return replace(
        item,
        field=shortened(item.field, QUOTED_CHARS),
        message=shortened(item.message, MAX_MESSAGE_CHARS),
        fix=shortened(item.fix, MAX_MESSAGE_CHARS) if item.fix is not None else None,
    )


def _refused(header: str) -> HeaderResult:
    """A header of a response Chromium refuses for a NUL in its headers: nothing is stored."""
    which = "This header" if "\0" in header else "Another header of this response"
    problem = finding(
        "response_refused",
        "set_cookie",
        f"{which} holds a NUL character: Chromium refuses the whole response "
        "(net::ERR_INVALID_HTTP_RESPONSE), so it stores none of its cookies.",
    )
    return HeaderResult(header, "rejected", None, [problem])


def _in_context(findings: list[Finding]) -> list[Finding]:
    """The findings for a context that is known: some warnings become rejections."""
    return [
        replace(item, severity="rejected") if item.code in _DROPPED_IN_CONTEXT else item
        for item in findings
        if item.code not in _SAID_BY_EXPIRY
    ]


def _expiry_findings(
    cookie: Cookie, at: datetime | None, capped: bool, now: datetime
) -> list[Finding]:
    attribute = "max-age" if cookie.max_age is not None else "expires"
    if at is not None and at <= now:
        given = f"Max-Age={cookie.max_age}" if cookie.max_age is not None else "Expires"
        return [
            finding(
                "already_expired",
                attribute,
                f"{given} puts the expiry at or before now: browsers store nothing and delete "
                "a cookie of the same name, domain and path. That is how a server deletes one.",
            )
        ]
    if capped:
        return [
            finding(
                "lifetime_over_400_days",
                attribute,
                "The lifetime is over 400 days: browsers cut it to 400 days from now.",
            )
        ]
    return []
