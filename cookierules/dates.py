"""Dates in cookies: the cookie-date algorithm (RFC 6265bis §5.1.1) and Max-Age values (§5.6.2).

Both turn attribute text into a value, or None when browsers ignore the attribute. Capping a
lifetime at 400 days is the storage's job (``cookierules.expiry``), not the parser's.

The cookie-date is read as Chromium 156 reads it (ParseCookieExpirationTime in
net/cookies/cookie_util.cc, checked against Chromium itself), which differs from §5.1.1:
- a day, year or time is a whole date-token: §5.1.1 lets digits be followed by a non-digit and
  anything, so "1st", "10th", "2027x" and "10:00:00Z" are read there and ignored here;
- a time field may have any number of digits ("20:21:004" is 20:21:04), §5.1.1 takes 1 or 2;
- a year has 1 to 5 digits (§5.1.1: 2 to 4), so year 7 is 2007 and 10000 is read, then capped;
- a year before 1601 is a date in the past, which deletes the cookie; §5.1.1 fails the date.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

# §5.1.1: the delimiters that split a cookie-date into date-tokens.
_DELIMITERS = re.compile(r"[\x09\x20-\x2f\x3b-\x40\x5b-\x60\x7b-\x7e]+")
# Each date-token is one of these as a whole (ASCII digits only), or a month name.
_TIME = re.compile(r"([0-9]+):([0-9]+):([0-9]+)")
_DAY_OF_MONTH = re.compile(r"[0-9]{1,2}")
_YEAR = re.compile(r"[0-9]{1,5}")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
# A year Python's datetime cannot hold is far beyond any cap: the latest instant stands for it.
_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)
# §5.6.2: Max-Age is an optional "-" then digits, and nothing else. Chromium also takes a
# leading "+" (base::StringToInt64 in CanonicalCookie's ParseExpiration, canonical_cookie.cc).
_MAX_AGE = re.compile(r"[-+]?[0-9]+")
# Beyond this many digits the exact number no longer matters: any such lifetime is capped.
_MAX_AGE_DIGITS = 18


def parse_cookie_date(text: str) -> datetime | None:
    """The instant a cookie-date names, in UTC, or None where browsers ignore it.

    Chromium's reading of §5.1.1 (see the module docstring for where they differ).
    """
    time = day = month = year = None
    for token in _DELIMITERS.split(text):
        if not token:
            continue
        if time is None and (match := _TIME.fullmatch(token)):
            time = tuple(int(part) for part in match.groups())
        elif day is None and _DAY_OF_MONTH.fullmatch(token):
            day = int(token)
        elif month is None and token[:3].lower() in _MONTHS:
            month = _MONTHS.index(token[:3].lower()) + 1
        elif year is None and _YEAR.fullmatch(token):
            year = int(token)
    if time is None or day is None or month is None or year is None:
        return None
    # §5.1.1 steps 3 and 4: two-digit years (and, in Chromium, one-digit ones).
    if 70 <= year <= 99:
        year += 1900
    elif 0 <= year <= 69:
        year += 2000
    hour, minute, second = time
    # §5.1.1 step 5: out-of-range fields make the date invalid.
    if not 1 <= day <= _DAYS_IN_MONTH[month - 1] or hour > 23 or minute > 59 or second > 59:
        return None
    if year > _FAR_FUTURE.year:
        return _FAR_FUTURE if day < 29 or month != 2 or _is_leap(year) else None
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:  # §5.1.1 step 6: no such date, such as 29 February 2027
        return None


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def parse_max_age(text: str) -> int | None:
    """The delta-seconds of a Max-Age attribute value (§5.6.2), or None where it is ignored."""
    if _MAX_AGE.fullmatch(text) is None:
        return None
    digits = text.lstrip("-+").lstrip("0")
    if len(digits) > _MAX_AGE_DIGITS:
        # int() refuses very long numbers; the sign is all that is left to know.
        return -(10**_MAX_AGE_DIGITS) if text.startswith("-") else 10**_MAX_AGE_DIGITS
    return int(text)
