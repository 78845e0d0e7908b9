"""Dates in cookies: the cookie-date algorithm (RFC 6265bis §5.1.1) and Max-Age values (§5.6.2).

Both turn attribute text into a value, or None when browsers ignore the attribute. Capping a
lifetime at 400 days is the storage's job (``cookierules.expiry``), not the parser's.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

# §5.1.1: the delimiters that split a cookie-date into date-tokens.
_DELIMITERS = re.compile(r"[\x09\x20-\x2f\x3b-\x40\x5b-\x60\x7b-\x7e]+")
# §5.1.1 productions; each may be followed by a non-digit and anything.
_TIME = re.compile(r"([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:[^0-9].*)?", re.DOTALL)
_DAY_OF_MONTH = re.compile(r"([0-9]{1,2})(?:[^0-9].*)?", re.DOTALL)
_YEAR = re.compile(r"([0-9]{2,4})(?:[^0-9].*)?", re.DOTALL)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# §5.6.2: Max-Age is an optional "-" then digits, and nothing else. Chromium also takes a
# leading "+" (base::StringToInt64 in CanonicalCookie's ParseExpiration, canonical_cookie.cc).
_MAX_AGE = re.compile(r"[-+]?[0-9]+")
# Beyond this many digits the exact number no longer matters: any such lifetime is capped.
_MAX_AGE_DIGITS = 18


def parse_cookie_date(text: str) -> datetime | None:
    """The instant a cookie-date names (§5.1.1), in UTC, or None where browsers ignore it."""
    time = day = month = year = None
    for token in _DELIMITERS.split(text):
        if not token:
            continue
        if time is None and (match := _TIME.fullmatch(token)):
            time = tuple(int(part) for part in match.groups())
        elif day is None and (match := _DAY_OF_MONTH.fullmatch(token)):
            day = int(match.group(1))
        elif month is None and token[:3].lower() in _MONTHS:
            month = _MONTHS.index(token[:3].lower()) + 1
        elif year is None and (match := _YEAR.fullmatch(token)):
            year = int(match.group(1))
    if time is None or day is None or month is None or year is None:
        return None
    # §5.1.1 steps 3 and 4: two-digit years.
    if 70 <= year <= 99:
        year += 1900
    elif 0 <= year <= 69:
        year += 2000
    hour, minute, second = time
    # §5.1.1 step 5: out-of-range fields make the date invalid.
    if not 1 <= day <= 31 or year < 1601 or hour > 23 or minute > 59 or second > 59:
        return None
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:  # §5.1.1 step 6: no such date, such as 31 February
        return None


def parse_max_age(text: str) -> int | None:
    """The delta-seconds of a Max-Age attribute value (§5.6.2), or None where it is ignored."""
    if _MAX_AGE.fullmatch(text) is None:
        return None
    digits = text.lstrip("-+").lstrip("0")
    if len(digits) > _MAX_AGE_DIGITS:
        # int() refuses very long numbers; the sign is all that is left to know.
        return -(10**_MAX_AGE_DIGITS) if text.startswith("-") else 10**_MAX_AGE_DIGITS
    return int(text)
