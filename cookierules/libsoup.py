"""How WebKitGTK reads and keeps a Set-Cookie header: libsoup 3.2's cookie parser and jar.

WebKitGTK (GNOME Web, WebKit on Linux; not Safari) keeps its cookies in libsoup's
``SoupCookieJar``, and both Set-Cookie headers and ``document.cookie`` writes go through
libsoup's one parser (WebCore/platform/network/soup/NetworkStorageSessionSoup.cpp
setCookiesFromDOM calls ``soup_cookie_parse``). libsoup 3.2 (Debian 12's 3.2.3) reads a header
unlike RFC 6265bis in a dozen places at once, so it is read here step by step as
libsoup/cookies/soup-cookie.c ``parse_one_cookie`` reads it:

- a name ends at ``;``, ``,`` or ``=``, a value at ``;``, and both at a byte below 0x20 (a tab
  too) or at 0x80 and above (``is_attr_ender``/``is_value_ender`` compare a signed ``char``
  with ``' '``); reading stops there: ``a=café; Path=/`` is ``a=caf`` with the default path;
- attributes are read only while the next byte is ``;``: after ``Secure,x`` nothing more is;
- a cookie without ``=`` before the first ``;`` or ``,`` has an empty name and all of it as its
  value; an empty header is a cookie with an empty name and value;
- no size limit on a name, value, Path or Domain;
- Expires is an HTTP date (``soup_date_time_new_from_http_string``), Max-Age a C ``long``
  (``strtol``) cast to ``int``; each sets the expiry in turn, so the last one wins, and an
  Expires that is no date makes a session cookie even after a Max-Age;
- a Domain without a dot after its first character drops the cookie; the Domain is not
  lower-cased, and matches the host when it equals it ignoring case, or ends with it as written.

Then ``soup_cookie_jar_add_cookie_full`` (libsoup/cookies/soup-cookie-jar.c) keeps the cookie or
not: never for a public suffix, never from a third party (WebKitGTK's default policy
``SOUP_COOKIE_JAR_ACCEPT_NO_THIRD_PARTY``), never Secure over http; no name prefixes, no
SameSite=None or Partitioned rule. The tests compare ``read_header`` with the installed libsoup
(``Soup.Cookie.parse``) and the whole with WebKitGTK itself (tests/test_lint_webkit.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cookierules.browsers import Browser
from cookierules.domains import is_ip_address, public_suffix_list
from cookierules.findings import Finding, finding
from cookierules.sites import urlsplit_uncached
from cookierules.storage import SetContext

# skip_lws and unskip_lws in soup-cookie.c, 3.2: g_ascii_isspace, which is these (not \v).
_SPACE = " \t\n\f\r"
# C's LONG_MIN and LONG_MAX on Linux x86-64, where strtol saturates.
_LONG = 2**63
_EPOCH_SECONDS = 0
# soup-cookie.c, 3.2: Strict and Lax set the policy; "None" is the default and, like any other
# value, leaves the policy as it was.
_SAMESITE = {"strict": "Strict", "lax": "Lax"}


# libsoup/soup-headers.c soup_headers_parse: a line break followed by spaces or tabs folds
# into one space; any other line break ends the header line; a lone CR becomes a space.
_FOLD = re.compile(r"\r?\n[ \t]+")
_LINE_BREAK = re.compile(r"\r?\n")


def as_received(header: str, *, from_script: bool) -> tuple[list[str], list[Finding]]:
    """The cookie strings libsoup parses from a Set-Cookie header as received, or from a
    ``document.cookie`` string: WebKit parses each of its lines, empty ones left out
    (WebCore/platform/network/soup/NetworkStorageSessionSoup.cpp setCookiesFromDOM,
    ``value.split('\\n')``)."""
    if from_script:
        return [line for line in header.split("\n") if line], []
    unfolded = _FOLD.sub(" ", header)
    line = _LINE_BREAK.split(unfolded, maxsplit=1)[0]
    findings = []
    if line != unfolded:
        findings.append(
            finding(
                "line_break_cuts_header",
                "set_cookie",
                "The header holds a line break: WebKitGTK reads it up to there; what follows is "
                "a header line of its own, without a name, and is dropped.",
            )
        )
    return [line.replace("\r", " ")], findings


def _ends_name(char: str) -> bool:
    # soup-cookie.c is_attr_ender, 3.2: `(ch) < ' ' || (ch) == ';' || (ch) == ',' || (ch) == '='`
    # on a signed char, so every byte of a UTF-8 sequence (>= 0x80) is below ' ' too.
    return not " " <= char < "\x80" or char in ";,="


def _ends_value(char: str) -> bool:
    # soup-cookie.c is_value_ender, 3.2: `(ch) < ' ' || (ch) == ';'`.
    return not " " <= char < "\x80" or char == ";"


@dataclass(frozen=True, slots=True)
class SoupCookie:
    """A cookie as libsoup's parser leaves it, before the jar decides."""

    name: str
    value: str
    domain: str  # as libsoup keeps it: a leading dot for a domain cookie, else the host
    path: str
    expires: datetime | None  # None: a session cookie
    secure: bool
    httponly: bool
    samesite: str | None  # "Strict" or "Lax" as last written; None: libsoup's default, None


@dataclass(frozen=True, slots=True)
class SoupRead:
    """What libsoup reads of one header: the cookie or None, and why, in findings."""

    cookie: SoupCookie | None
    findings: list[Finding]


class _Reader:
    """``parse_one_cookie``'s pointer over the header."""

    def __init__(self, text: str) -> None:
        self.text = text + "\0"  # a C string: the end is a byte below ' ', as a NUL is
        self.at = 0

    def char(self) -> str:
        return self.text[self.at]

    def skip_space(self) -> None:
        while self.text[self.at] in _SPACE:
            self.at += 1

    def token(self, ends: object) -> str:
        """From here to the first character ``ends`` accepts, without surrounding spaces."""
        self.skip_space()
        start = self.at
        while not ends(self.text[self.at]):  # type: ignore[operator]
            self.at += 1
        return self.text[start : self.at].rstrip(_SPACE)

    def value(self) -> str:
        # soup-cookie.c parse_value: an "=" is skipped, then up to is_value_ender.
        if self.char() == "=":
            self.at += 1
        return self.token(_ends_value)


def _strtol(text: str) -> int | None:
    """C's ``strtol(text, &end, 10)`` when nothing follows the number (``!*end``), else None.

    An empty text is 0 with nothing after it: ``Max-Age=`` expires the cookie at once.
    """
    digits = text[1:] if text[:1] in "+-" else text
    if not text:
        return 0
    if not digits or not digits.isascii() or not digits.isdigit():
        return None
    number = int(text)
    return max(-_LONG, min(_LONG - 1, number))


def _as_int(number: int) -> int:
    """A C ``long`` passed to an ``int`` parameter: its low 32 bits, signed."""
    number &= 0xFFFFFFFF
    return number - 2**32 if number >= 2**31 else number


# libsoup/soup-date-utils.c, 3.2: soup_date_time_new_from_http_string, the reader of Expires.
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_C_SPACE = " \t\n\v\f\r"  # isspace, which strtoul skips
_G_SPACE = " \t\n\f\r"  # g_ascii_isspace
_ULONG = 2**64


class _Text:
    """A C string and a pointer into it, for the date reader."""

    def __init__(self, text: str) -> None:
        self.text = text + "\0"
        self.at = 0

    def char(self) -> str:
        return self.text[self.at]

    def strtoul(self) -> int | None:
        """strtoul(p, &end, 10), None when no digits were read (end == p); the pointer moves
        past what was read. The result is cast to a C int, as libsoup assigns it."""
        at = self.at
        while self.text[at] in _C_SPACE and self.text[at] != "\0":
            at += 1
        sign = self.text[at]
        if sign in "+-":
            at += 1
        start = at
        while "0" <= self.text[at] <= "9":
            at += 1
        if at == start:
            return None
        number = min(int(self.text[start:at]), _ULONG - 1)
        if sign == "-":
            number = (_ULONG - number) % _ULONG
        self.at = at
        return _as_int(number)

    def skip(self, chars: str) -> None:
        while self.text[self.at] in chars and self.text[self.at] != "\0":
            self.at += 1


def _day(text: _Text) -> int | None:
    day = text.strtoul()
    text.skip(" -")
    return day


def _month(text: _Text) -> int | None:
    word = text.text[text.at : text.at + 3].lower()
    if word not in _MONTHS:
        return None
    text.at += 3
    text.skip(" -")
    return _MONTHS.index(word) + 1


def _year(text: _Text) -> int | None:
    start = text.at
    year = text.strtoul()
    if year is None:
        return None
    # Two characters read are a year of this or the last century, three are after 1900.
    if text.at - start == 2:
        year += 2000 if year < 70 else 1900
    elif text.at - start == 3:
        year += 1900
    text.skip(" -")
    return year


def _time(text: _Text) -> tuple[int, int, int] | None:
    parts = []
    for ender in "::\0":
        number = text.strtoul()
        if number is None:
            return None
        parts.append(number)
        if ender == ":":
            if text.char() != ":":
                return None
            text.at += 1
    text.skip(" ")
    return parts[0], parts[1], parts[2]


def _zone(text: _Text) -> int:
    """parse_timezone: the offset in minutes; 0 (UTC) when there is none it reads."""
    rest = text.text[text.at : -1]
    first = rest[:1]
    if first in ("+", "-"):
        text.at += 1
        sign = 1 if first == "+" else -1
        value = text.strtoul() or 0
        if text.char() == ":":
            text.at += 1
            value = 60 * value + (text.strtoul() or 0)
        else:
            value = 60 * int(value / 100) + int(_c_remainder(value, 100))
        return sign * value
    if len(rest) >= 3 and rest[0] in "ECMP" and rest[1] in "DS" and rest[2] == "T":
        # -5 hours per letter of "ECMP" before the first one the rest holds (strcspn): EST is
        # read as UTC and PST as 15 hours behind; daylight time adds an hour.
        before = next(index for index, letter in enumerate("ECMP") if letter in rest)
        return -60 * 5 * before + (60 if rest[1] == "D" else 0)
    return 0


def _c_remainder(value: int, divisor: int) -> int:
    return value - divisor * int(value / divisor)


def soup_date(text: str) -> datetime | None:
    """The instant libsoup reads from an Expires value, or None where it reads none."""
    date = _Text(text.lstrip(_G_SPACE))
    if "0" <= date.char() <= "9" and not any(letter in date.text for letter in "JFMASOND"):
        return None  # "Unsupported format" (ISO 8601)
    if date.char().isascii() and date.char().isalpha():
        # A weekday, skipped.
        while date.char().isascii() and date.char().isalpha():
            date.at += 1
        if date.char() == ",":
            date.at += 1
        date.skip(_G_SPACE)
    if date.char().isascii() and date.char().isalpha():
        # asctime: (Sun) Nov  6 08:49:37 1994
        month = _month(date)
        day = _day(date) if month is not None else None
        time = _time(date) if day is not None else None
        year = _year(date) if time is not None else None
    else:
        # (Sun,) 06 Nov 1994 08:49:37 GMT
        day = _day(date)
        month = _month(date) if day is not None else None
        year = _year(date) if month is not None else None
        time = _time(date) if year is not None else None
    if month is None or day is None or year is None or time is None:
        return None
    offset = _zone(date)
    hour, minute, second = time
    # g_date_time_new: NULL out of range; an offset of 25 hours or more is no time zone
    # GLib makes (g_time_zone_new_offset), so UTC's.
    if abs(offset) >= 25 * 60:
        offset = 0
    try:
        local = datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    try:
        return (local - timedelta(minutes=offset)).replace(tzinfo=UTC)
    except OverflowError:  # before year 1 or after 9999 in UTC: beyond what any cookie needs
        return None


def _max_age_expiry(max_age: int, now: datetime) -> datetime | None:
    # soup-cookie.c: a negative Max-Age is 0, then soup_cookie_set_max_age(cookie, int): -1 is
    # a session cookie, 0 the epoch ("a date way in the past"), else now plus that many seconds.
    seconds = _as_int(max(max_age, 0))
    if seconds == -1:
        return None
    if seconds == 0:
        return datetime.fromtimestamp(_EPOCH_SECONDS, now.tzinfo)
    return now + timedelta(seconds=seconds)


def host_matches(domain: str, host: str) -> bool:
    """soup-uri-utils.c soup_host_matches_host: equal ignoring case, or, for a domain with a
    leading dot, equal after it ignoring case or ending with it exactly as written."""
    if domain.lower() == host.lower():
        return True
    if not domain.startswith("."):
        return False
    return domain[1:].lower() == host.lower() or host.endswith(domain)


# Percent-escapes: those of RFC 3986's unreserved characters, and any other.
_UNRESERVED = re.compile(r"%(2[DdEe]|3[0-9]|[46][1-9A-Fa-f]|[57][0-9Aa]|5[Ff]|7[Ee])")
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")


def normalized_path(path: str) -> str:
    """A URL path as GLib's GUri keeps it (guri.c uri_normalize, for soup_uri_copy_with_
    normalized_flags and every request): unreserved characters decoded (``%7E`` is ``~``), and
    other escapes in upper case (RFC 3986 §6.2.2)."""
    if "%" not in path:
        return path
    path = _ESCAPE.sub(lambda match: match.group().upper(), path)
    return _UNRESERVED.sub(lambda match: chr(int(match.group(1), 16)), path)


def _default_path(request_path: str) -> str:
    # parse_one_cookie: the normalized request path up to its last "/", or "/" when that is
    # the first.
    request_path = normalized_path(request_path)
    slash = request_path.rfind("/")
    return request_path[:slash] if slash > 0 else "/"


def read_header(header: str, host: str, request_path: str, now: datetime) -> SoupRead:
    """``soup_cookie_parse(header, origin)`` for a response from ``host`` at ``request_path``."""
    reader = _Reader(header)
    findings = []
    name = reader.token(_ends_name)
    if reader.char() != "=":
        # "No NAME; Set cookie->name to "" and then rewind to re-parse the string as a VALUE."
        name, reader.at = "", 0
    value = reader.value()
    domain = path = samesite = None
    expires: datetime | None = None
    secure = httponly = False
    while reader.char() == ";":
        reader.at += 1
        attribute = reader.token(_ends_name).lower()
        has_value = reader.char() == "="
        given = reader.value() if has_value else None
        if attribute == "domain" and given is not None:
            domain = given or None
        elif attribute == "expires" and given is not None:
            expires = soup_date(given)
        elif attribute == "max-age" and given is not None:
            if (max_age := _strtol(given)) is not None:
                expires = _max_age_expiry(max_age, now)
        elif attribute == "path" and given is not None:
            path = given if given.startswith("/") else None
        elif attribute == "secure":
            secure = True
        elif attribute == "httponly":
            httponly = True
        elif attribute == "samesite" and given is not None:
            samesite = _SAMESITE.get(given.lower(), samesite)
    if reader.at < len(header):
        findings.append(_cut(header, reader.at))
    if domain is not None:
        dropped = _domain_problem(domain, host)
        if dropped is not None:
            return SoupRead(None, [*findings, dropped])
        if not domain.startswith(".") and not is_ip_address(domain):
            domain = "." + domain
    cookie = SoupCookie(
        name,
        value,
        domain or host,
        path or _default_path(request_path),
        expires,
        secure,
        httponly,
        samesite,
    )
    return SoupRead(cookie, findings)


def _cut(header: str, at: int) -> Finding:
    stop = header[at]
    shown = f"U+{ord(stop):04X}" if not " " <= stop < "\x7f" else f'"{stop}"'
    return finding(
        "header_cut",
        "set_cookie",
        f"WebKitGTK stops reading the header at character {at + 1} ({shown}): what follows "
        "is not part of the cookie.",
    )


def _domain_problem(domain: str, host: str) -> Finding | None:
    # parse_one_cookie: "Domain must have at least one '.' (not counting an initial one)".
    if "." not in domain[1:]:
        return finding(
            "domain_invalid",
            "domain",
            f'Domain "{domain}" has no dot after its first character: WebKitGTK drops the cookie.',
        )
    dotted = domain if domain.startswith(".") or is_ip_address(domain) else "." + domain
    if not host_matches(dotted, host):
        return finding(
            "domain_mismatch",
            "domain",
            f'Domain "{domain}" does not match the host {host} as WebKitGTK compares them '
            "(the end of the host, letter case included): it drops the cookie.",
        )
    return None


def _public_suffix(host: str) -> str | None:
    """The host's public suffix as libsoup finds it (soup-tld.c, libpsl without its "*"
    rule): the list's names are lower-case and compared exactly, so only the labels after the
    last one holding an upper-case letter can be part of it; None for an unknown ending."""
    labels = host.split(".")
    lower = len(labels)
    while lower and labels[lower - 1] == labels[lower - 1].lower():
        lower -= 1
    tail = ".".join(labels[lower:])
    return public_suffix_list().publicsuffix(tail, accept_unknown=False) if tail else None


def _base_domain(host: str) -> str | None:
    # soup-tld.c soup_tld_get_base_domain: the public suffix and one label more; none for an IP
    # address, a public suffix or a host under an unknown top-level name (.test, localhost).
    host = host.lstrip(".")
    suffix = _public_suffix(host) if not is_ip_address(host) else None
    if suffix is None or len(suffix) >= len(host):
        return None
    return host[: -len(suffix) - 1].rsplit(".", 1)[-1] + "." + suffix


def third_party(domain: str, first_party: str | None) -> bool:
    """soup-cookie-jar.c incoming_cookie_is_third_party under ACCEPT_NO_THIRD_PARTY: the base
    domains of the cookie's domain and of the first party's host differ (a host without one
    stands for itself); schemes are not compared."""
    if first_party is None:
        return False
    first_host = urlsplit_uncached(first_party).hostname or ""
    cookie_base = _base_domain(domain) or domain
    return not host_matches(cookie_base, _base_domain(first_host) or first_host)


def is_public_suffix(domain: str) -> bool:
    """soup-cookie-jar.c soup_cookie_jar_add_cookie_full: "Never accept cookies for public
    domains" (soup_tld_domain_is_public_suffix)."""
    bare = domain.lstrip(".")
    return not is_ip_address(bare) and _public_suffix(bare) == bare


def refusals(
    cookie: SoupCookie, scheme: str, context: SetContext, browser: Browser
) -> list[Finding]:
    """Why WebKitGTK does not keep ``cookie``, set over ``scheme`` in ``context``: libsoup's
    soup_cookie_jar_add_cookie_full, and WebKit's document.cookie rule."""
    findings = []
    if is_public_suffix(cookie.domain):
        findings.append(
            finding(
                "domain_public_suffix",
                "domain",
                f"{cookie.domain.lstrip('.')} is a public suffix: WebKitGTK stores no cookie "
                "for it, not even a host-only one.",
            )
        )
    if not browser.stores_third_party and third_party(cookie.domain, context.initiator):
        findings.append(
            finding(
                "third_party_blocked",
                "set_cookie",
                f"The page ({context.initiator}) is of another site than {cookie.domain}, by "
                "base domain and ignoring the scheme: WebKitGTK stores no third-party cookie.",
            )
        )
    if cookie.secure and scheme != "https" and not browser.loopback_is_secure:
        # "Cannot set a secure cookie over http": http://localhost is no exception.
        findings.append(
            finding(
                "secure_from_insecure_origin",
                "secure",
                "WebKitGTK stores a Secure cookie only from an https URL.",
                severity="rejected",
            )
        )
    if context.from_script and cookie.httponly:
        # WebCore/platform/network/soup/NetworkStorageSessionSoup.cpp setCookiesFromDOM.
        findings.append(
            finding(
                "httponly_from_script",
                "httponly",
                "document.cookie cannot set an HttpOnly cookie; WebKitGTK drops it.",
            )
        )
    return findings
