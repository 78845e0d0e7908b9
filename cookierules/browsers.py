"""Where browser engines differ on cookies: one field per behaviour, read by the rule it changes.

The engine follows Chromium (``CHROMIUM``); each other engine is the same engine with some of
these fields set otherwise. A rule that differs reads its field in one place (``cookierules.lint``
for storing, ``cookierules.expiry`` for the lifetime cap, ``cookierules.jar`` for the order after a
replacement); there is no second engine.

WebKitGTK is the engine of GNOME Web (Epiphany) and of WebKit on Linux, whose cookies libsoup
stores. It is not Safari: Safari's cookie storage is Apple's CFNetwork, which runs only on Apple
systems, so nothing here claims to predict Safari.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


# Compared and hashed by identity: each engine is one instance, and the parser's caches hash it.
@dataclass(frozen=True, slots=True, eq=False)
class Browser:
    name: str  # as POST /lint and POST /replay name it
    label: str  # as the answers name it
    # Chromium: a cookie without SameSite is Lax, so another site cannot set it (net/cookies/
    # cookie_inclusion_status.h EXCLUDE_SAMESITE_UNSPECIFIED_TREATED_AS_LAX); Firefox: None while
    # network.cookie.sameSite.laxByDefault is false (netwerk/cookie/CookieParser.cpp
    # SetSameSiteAttributeDefault).
    unspecified_samesite_is_lax: bool = True
    # Firefox's Total Cookie Protection (cookieBehavior 5) keeps every cookie set in a
    # third-party context in the top-level site's partition (netwerk/cookie/CookieService.cpp
    # SetCookieStringFromHttp, the channel's partitioned principal).
    partitions_third_party: bool = False
    # WebKit never stores a cookie set by a cross-site subresource (WebCore/platform/network/
    # NetworkStorageSession.cpp shouldBlockCookies, third-party cookie blocking by default).
    stores_third_party: bool = True
    # libsoup knows no name prefixes: __Secure-/__Host-/__Http- are plain names
    # (libsoup/cookies/soup-cookie-jar.c soup_cookie_jar_add_cookie_full has no prefix check).
    name_prefixes: bool = True
    # Firefox checks a __Host- cookie as stored: its path, the default path included, and that
    # it is host-only, which a Domain naming the IP address host leaves it
    # (netwerk/cookie/CookieValidation.cpp gCookiePrefixes, after CookieParser.cpp CheckPath and
    # CheckDomain); Chromium needs Path=/ written and no Domain attribute but the host's own
    # without a dot (net/cookies/cookie_util.cc HasValidHostPrefixAttributes).
    host_prefix_reads_attributes: bool = True
    # RFC 6265bis §5.7 step 15, in Chromium (canonical_cookie.cc) and Firefox
    # (CookieValidation.cpp); libsoup stores SameSite=None without Secure (soup-cookie-jar.c).
    samesite_none_requires_secure: bool = True
    # CHIPS §2.1 in Chromium (canonical_cookie.cc IsCookiePartitionedValid) and Firefox; libsoup
    # ignores the attribute (soup-cookie.c parse_one_cookie knows no "Partitioned").
    partitioned_requires_secure: bool = True
    # RFC 6265bis §5.6.1: 400 days in Chromium (canonical_cookie.cc ValidateAndAdjustExpiryDate),
    # Firefox (network.cookie.maxageCap); libsoup keeps any expiry (soup-cookie.c parse_date).
    max_lifetime: timedelta | None = timedelta(days=400)
    # Firefox keeps a replaced cookie's creation time, so its place in the Cookie header
    # (netwerk/cookie/CookieStorage.cpp AddCookie "Preserve creation time"); libsoup replaces
    # it in place (soup-cookie-jar.c soup_cookie_jar_add_cookie_full); Chromium only for an
    # unchanged value (net/cookies/cookie_monster.h MaybeDeleteEquivalentCookieAndUpdateStatus).
    replacement_keeps_place: bool = False
    # Chromium stores `v` and `=v` as a nameless cookie with value v (net/cookies/parsed_cookie.cc
    # ParseTokenValuePairs); Firefox stores `v` as name v with an empty value and refuses `=v`
    # (netwerk/cookie/CookieParser.cpp ParseAttributes, CookieValidation.cpp ValidateInternal).
    nameless_is_value: bool = True
    # Chromium and Firefox count http://localhost and 127.0.0.0/8 as secure origins
    # (net/cookies/cookie_util.cc, CookieCommons.cpp); libsoup only https
    # (soup-cookie-jar.c: a Secure cookie needs an https URI, soup_uri_is_https).
    loopback_is_secure: bool = True
    # Chromium drops a cookie with a tab inside its name, value or an attribute value
    # (net/cookies/parsed_cookie.cc, kBlockTabInCookie); Firefox keeps it: its illegal
    # characters are 0x00-0x08, 0x0A-0x1F, 0x3B and 0x7F (netwerk/cookie/CookieParser.cpp
    # ContainsControlChars "An exception is made for HTAB", CookieValidation.cpp CheckName).
    tab_in_cookie_drops_it: bool = True
    # Chromium's HTTP parser ends a header at a bare CR (parsed_cookie.cc FindFirstTerminator);
    # Firefox cuts the Set-Cookie text into cookies at LF only and then refuses the CR as a
    # control character (netwerk/cookie/CookieService.cpp, CookieParser.cpp).
    cr_ends_header: bool = True
    # Chromium reads Expires as RFC 6265bis §5.1.1 says (cookierules/dates.py
    # parse_cookie_date); Firefox with NSPR's PR_ParseTimeString, which honours time zones
    # and carries 24:00:00 or 31 February over (CookieParser.cpp GetExpiry; dates.py
    # nspr_date); libsoup as an HTTP date (cookierules/libsoup.py soup_date).
    expires_by_nspr: bool = False
    # Chromium reads Max-Age with base::StringToInt64, which takes a leading "+"
    # (canonical_cookie.cc); Firefox takes only "-" or a digit first (CookieParser.cpp
    # ParseMaxAgeAttribute), RFC 6265bis §5.6.2.
    max_age_takes_plus: bool = True
    # Chromium converts a non-ASCII Domain to punycode (WARN_DOMAIN_NON_ASCII, cookie_util.cc);
    # Firefox compares its bytes with the ASCII host and drops the cookie (CookieParser.cpp
    # CheckDomain).
    converts_non_ascii_domain: bool = True
    # Chromium's sites are schemeful: http://x.example and https://x.example are two sites
    # (net/cookies/cookie_util.cc ComputeSameSiteContext); Firefox compares schemes only when
    # network.cookie.sameSite.schemeful is set, off in ESR (netwerk/cookie/CookieCommons.cpp
    # IsSameSiteSchemeEqual); WebKit compares registrable domains alone
    # (WebCore/platform/RegistrableDomain.h areRegistrableDomainsEqual, ResourceRequest's
    # isSameSite).
    schemeful_same_site: bool = True
    # libsoup 3.2 reads a Set-Cookie header and decides whether to keep it its own way, in a
    # dozen places at once (cookierules/libsoup.py, from libsoup/cookies/soup-cookie.c
    # parse_one_cookie and soup-cookie-jar.c soup_cookie_jar_add_cookie_full).
    reads_with_libsoup: bool = False
    # Among cookies of equal paths, libsoup sends them by domain, the most specific first, as
    # its jar looks them up (".host", "host", ".parent", ...), then in the order each domain's
    # list keeps (soup-cookie-jar.c get_cookies, compare_cookies sorts by path length alone);
    # Chromium and Firefox by creation time (RFC 6265bis §5.8.3).
    send_order_by_domain: bool = False


CHROMIUM = Browser("chromium", "Chromium")
FIREFOX = Browser(
    "firefox",
    "Firefox",
    unspecified_samesite_is_lax=False,
    partitions_third_party=True,
    host_prefix_reads_attributes=False,
    replacement_keeps_place=True,
    nameless_is_value=False,
    tab_in_cookie_drops_it=False,
    cr_ends_header=False,
    max_age_takes_plus=False,
    converts_non_ascii_domain=False,
    expires_by_nspr=True,
    schemeful_same_site=False,
)
WEBKITGTK = Browser(
    "webkitgtk",
    "WebKitGTK",
    # libsoup 3.2's default policy is None (soup-cookie.c; 3.4 made it Lax).
    unspecified_samesite_is_lax=False,
    stores_third_party=False,
    name_prefixes=False,
    samesite_none_requires_secure=False,
    partitioned_requires_secure=False,
    max_lifetime=None,
    replacement_keeps_place=True,
    loopback_is_secure=False,
    tab_in_cookie_drops_it=False,
    cr_ends_header=False,
    converts_non_ascii_domain=False,
    schemeful_same_site=False,
    reads_with_libsoup=True,
    send_order_by_domain=True,
)
BROWSERS: dict[str, Browser] = {browser.name: browser for browser in (CHROMIUM, FIREFOX, WEBKITGTK)}

# The finding codes each field makes a browser leave out, for the README and findings'
# `browsers` text: a code listed here is a rule that browser does not apply.
_PREFIX_CODES = frozenset(
    {
        "prefix_requires_secure",
        "prefix_requires_httponly",
        "prefix_requires_root_path",
        "prefix_forbids_domain",
        "prefix_from_insecure_origin",
        "prefix_in_nameless_value",
    }
)


def ignored_codes(browser: Browser) -> frozenset[str]:
    """The findings ``browser`` does not act on: the rules it does not apply."""
    codes = set()
    if not browser.name_prefixes:
        codes |= _PREFIX_CODES
    if not browser.samesite_none_requires_secure:
        codes.add("samesite_none_requires_secure")
    if not browser.partitioned_requires_secure:
        codes.add("partitioned_requires_secure")
    if not browser.unspecified_samesite_is_lax:
        codes.add("samesite_unspecified_cross_site")
    if browser.partitions_third_party:
        codes.add("third_party_unpartitioned")
    if browser.max_lifetime is None:
        codes.add("lifetime_over_400_days")
    return frozenset(codes)


_IGNORED = {browser.name: ignored_codes(browser) for browser in BROWSERS.values()}


# What each field means, in a user's words, for the table the README copies (``browser_table``).
BEHAVIOURS = {
    "unspecified_samesite_is_lax": "a cookie without SameSite counts as Lax (not set or sent "
    "cross-site)",
    "partitions_third_party": "a cookie set from another site is kept in the top-level site's "
    "partition, Partitioned or not",
    "stores_third_party": "a cookie set by a cross-site request is stored at all",
    "name_prefixes": "`__Secure-`, `__Host-`, `__Http-` prefixes are enforced",
    "host_prefix_reads_attributes": "`__Host-` needs `Path=/` and no Domain written (a default "
    "path of `/`, or a Domain that leaves the cookie host-only, is not enough)",
    "samesite_none_requires_secure": "`SameSite=None` needs Secure",
    "partitioned_requires_secure": "`Partitioned` needs Secure",
    "max_lifetime": "the longest lifetime kept",
    "replacement_keeps_place": "a replaced cookie keeps its place in the Cookie header",
    "nameless_is_value": "`v` and `=v` are a cookie without a name whose value is v (else `v` is "
    "named v, `=v` dropped)",
    "loopback_is_secure": "http://localhost and 127.0.0.1 count as secure origins",
    "tab_in_cookie_drops_it": "a tab inside a name, value or attribute drops the cookie",
    "cr_ends_header": "a CR inside a header ends it there",
    "expires_by_nspr": "Expires is read by NSPR (time zones honoured, `24:00:00` and 31 February "
    "carried over, no 3-digit years)",
    "max_age_takes_plus": "`Max-Age=+60` is read as 60 (else ignored)",
    "converts_non_ascii_domain": "a non-ASCII Domain is converted to punycode",
    "schemeful_same_site": "http:// and https:// of one domain are two sites",
    "send_order_by_domain": "the Cookie header lists cookies of equal paths by domain, the "
    "most specific first (else by creation time)",
    "reads_with_libsoup": "the header is read by libsoup 3.2 (cut at a control or non-ASCII "
    "byte, no size limits, HTTP dates, the last of Expires and Max-Age wins)",
}


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, timedelta):
        return f"{value.days} days"
    return "no limit" if value is None else str(value)


def browser_table() -> str:
    """A Markdown table of where the engines differ, made from the instances above."""
    engines = list(BROWSERS.values())
    rows = [
        "| behaviour | " + " | ".join(engine.label for engine in engines) + " |",
        "|---|" + "---|" * len(engines),
    ]
    for name, words in BEHAVIOURS.items():
        cells = " | ".join(_cell(getattr(engine, name)) for engine in engines)
        rows.append(f"| {words} | {cells} |")
    return "\n".join(rows) + "\n"


def differences(code: str) -> str | None:
    """Which engines do not apply the rule ``code``, in words; None where all do."""
    names = [BROWSERS[name].label for name, codes in _IGNORED.items() if code in codes]
    if not names:
        return None
    return f"{' and '.join(names)} {'do' if len(names) > 1 else 'does'} not apply this rule."
