"""The SameSite context of a request and of its response, as Chromium computes them.

RFC 6265bis §5.2 defines same-site and cross-site requests; Chromium's
``ComputeSameSiteContextForRequest`` and ``ComputeSameSiteContextForResponse``
(net/cookies/cookie_util.cc) decide them from the request URL, the site for cookies (the
top-level page's site; for a top-level navigation the URL itself), the initiator's origin and
the method. The redirect chain is not read: Chromium compares the initiator with each hop's own
URL (kCookieSameSiteConsidersRedirectChain is off), so a navigation that ends same-site with its
initiator carries Strict cookies whatever sites it went through, and a typed URL (no initiator)
is same-site at every hop.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from cookierules.sites import origin_site, site_of

Kind = Literal["navigation", "iframe", "subresource"]
# Chromium's CookieOptions::SameSiteCookieContext::ContextType, strictest first.
STRICT = "SAME_SITE_STRICT"
LAX = "SAME_SITE_LAX"
LAX_METHOD_UNSAFE = "SAME_SITE_LAX_METHOD_UNSAFE"
CROSS_SITE = "CROSS_SITE"
# net/http/http_util.cc IsMethodSafe: GET, HEAD, OPTIONS and TRACE.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_KIND_WORDS = {"navigation": "navigation", "iframe": "iframe navigation", "subresource": "request"}
Site = tuple[str, str]


@dataclass(frozen=True, slots=True)
class RequestContext:
    """What decides which cookies a request carries and which its response may set."""

    kind: Kind
    method: str
    samesite: str  # a ContextType of Chromium, for sending
    set_cross_site: bool  # ComputeSameSiteContextForResponse: only SameSite=None may be set
    # The URL's site is not first-party with the site for cookies (never for a navigation);
    # also the CHIPS ancestor chain bit (CookiePartitionKey::FromNetworkIsolationKey).
    third_party: bool
    partition_key: str  # CHIPS: the top-level site, "https://site.example"
    words: str  # "cross-site POST navigation"
    typed: bool  # no initiator: typed into the address bar, a bookmark


def _site_of_origin(origin: str) -> Site | None:
    return origin_site(origin)


def _site_of_host(scheme: str, host: str) -> Site:
    return site_of(scheme, host)


# A flow asks for the same few sites at every step; a long name is not kept.
_cached_origin_site = lru_cache(maxsize=256)(_site_of_origin)
_cached_host_site = lru_cache(maxsize=256)(_site_of_host)
_CACHED_NAME_CHARS = 256


def host_site(scheme: str, host: str) -> Site:
    """The schemeful site of a URL's host (RFC 6265bis §5.2): at most 253 characters, which
    ``lint.Location`` holds it to, so the cache keeps no long name."""
    return _cached_host_site(scheme, host)


def initiator_site(origin: str) -> Site | None:
    """The schemeful site of an initiator origin; None for "null" (opaque) and garbage."""
    if len(origin) <= _CACHED_NAME_CHARS:
        return _cached_origin_site(origin)
    return origin_site(origin)


def site_name(site: Site) -> str:
    """A schemeful site as browsers show it: "https://example.com"."""
    return f"{site[0]}://{site[1]}"


def same_site_context(
    method: str, url_site: Site, site_for_cookies: Site | None, initiator: Site | None, typed: bool
) -> str:
    """ComputeSameSiteContextForRequest (net/cookies/cookie_util.cc), schemeful."""
    # A null site for cookies (a frame below a cross-site one) is first-party with nothing.
    if site_for_cookies != url_site:
        return CROSS_SITE
    if typed or initiator == url_site:
        return STRICT
    # The URL is first-party with the page but the initiator is not: Lax, or Lax with an
    # unsafe method (RFC 6265bis §5.8.3 "safe" methods).
    return LAX if method in SAFE_METHODS else LAX_METHOD_UNSAFE


def request_context(
    kind: Kind,
    method: str,
    url_site: Site,
    top_site: Site,
    initiator: str | None,
    schemeful: bool = True,
) -> RequestContext:
    """The context of a request of ``kind`` to a URL of ``url_site`` on a page of ``top_site``.

    ``initiator`` is the origin that started it; None for a navigation typed into the address
    bar (browser-initiated). An opaque origin ("null") is cross-site with everything.
    ``schemeful``: whether sites differ by their scheme (``Browser.schemeful_same_site``).
    """
    if len(method) + len(initiator or "") <= _CACHED_NAME_CHARS:
        # A flow's steps ask about the same few pairs of sites (each at most 253 characters).
        return _cached_request_context(kind, method, url_site, top_site, initiator, schemeful)
    return _request_context(kind, method, url_site, top_site, initiator, schemeful)


def _request_context(
    kind: Kind,
    method: str,
    url_site: Site,
    top_site: Site,
    initiator: str | None,
    schemeful: bool = True,
) -> RequestContext:
    typed = initiator is None and kind == "navigation"
    initiator_site_ = initiator_site(initiator) if initiator is not None else None
    partition_key = site_name(top_site)
    if not schemeful:
        url_site, top_site = ("", url_site[1]), ("", top_site[1])
        if initiator_site_ is not None:
            initiator_site_ = ("", initiator_site_[1])
    if initiator is None and kind != "navigation":
        # A subresource or frame without a named initiator comes from the page itself.
        initiator_site_ = top_site
    if kind == "navigation":
        # For a top-level navigation the site for cookies is the URL's own.
        site_for_cookies: Site | None = url_site
    elif initiator_site_ != top_site:
        # A frame or request whose initiator is not the top-level site's is under a cross-site
        # frame: its site for cookies is null (RenderFrameHostImpl::ComputeSiteForCookies in
        # content/browser/renderer_host/render_frame_host_impl.cc: any cross-site ancestor
        # nulls it), cross-site for every URL, the top site's too.
        site_for_cookies = None
    else:
        site_for_cookies = top_site
    samesite = same_site_context(method, url_site, site_for_cookies, initiator_site_, typed)
    same = "same-site" if samesite == STRICT else "cross-site"
    words = f"{same} {method} {_KIND_WORDS[kind]}"
    if typed:
        words += " (typed URL)"
    return RequestContext(
        kind=kind,
        method=method,
        samesite=samesite,
        # ComputeSameSiteContextForResponse: a main frame navigation may set any cookie; else
        # only a response first-party with the site for cookies sets Lax and Strict ones.
        set_cross_site=site_for_cookies != url_site,
        # Third-party as CookieSettings reads it: the URL is not first-party with the site for
        # cookies (components/content_settings/core/common/cookie_settings_base.cc).
        third_party=site_for_cookies != url_site,
        # CHIPS: the partition is the top-level site (CookiePartitionKey::FromNetworkIsolationKey
        # in net/cookies/cookie_partition_key.cc).
        partition_key=partition_key,
        words=words,
        typed=typed,
    )


_cached_request_context = lru_cache(maxsize=256)(_request_context)
