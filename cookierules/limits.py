"""How many cookies browsers keep for a site before they evict some (RFC 6265bis §6.1).

Chromium (net/cookies/cookie_monster.cc) keeps at most ``kDomainMaxCookies`` = 180 cookies per
registrable domain, and evicts down to 150 when one more arrives; in all it keeps
``kMaxCookies`` = 3,300 and evicts down to 3,000. Eviction goes by priority and last access, not
by who set the cookie: a cookie set through this API can push out one the server hides.
"""

from __future__ import annotations

from cookierules.cookie import parse_cookie_header
from cookierules.findings import Finding, finding

# net/cookies/cookie_monster.cc: kDomainMaxCookies, the most cookies of one registrable domain.
MAX_COOKIES_PER_DOMAIN = 180
# net/cookies/cookie_monster.cc: kMaxCookies - kPurgeCookies, what a full jar is cut back to.
MAX_COOKIES = 3000


def carried_cookies(cookie_header: str) -> int:
    """How many cookies a Cookie header carries; a header of far more than one site can hold is
    counted by its ";"-separated parts, without the work of parsing them."""
    if not cookie_header:
        return 0
    parts = cookie_header.count(";") + 1
    if parts > 2 * MAX_COOKIES_PER_DOMAIN:
        return parts
    return len(parse_cookie_header(cookie_header))


def too_many_sent(cookie_header: str) -> bool:
    """Whether a Cookie header carries more cookies than a browser holds in all: no browser
    sends it, and listing 100,000 nameless cookies would answer 4 MB."""
    return cookie_header.count(";") + 1 > MAX_COOKIES


def check_room_for_one_more(carried: int) -> list[Finding]:
    """A new cookie must not push the site past the number browsers keep, or they evict one."""
    if carried < MAX_COOKIES_PER_DOMAIN:
        return []
    return [
        finding(
            "too_many_cookies",
            "_body",
            f"This request carries {carried} cookies, and browsers keep at most "
            f"{MAX_COOKIES_PER_DOMAIN} per site: one more would make them evict another, "
            "perhaps one the server relies on. Delete a cookie first.",
        )
    ]
