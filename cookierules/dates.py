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
from datetime import UTC, datetime, timedelta

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


# Firefox reads Expires with NSPR's PR_ParseTimeString(text, PR_TRUE, ...) (netwerk/cookie/
# CookieParser.cpp GetExpiry), not with §5.1.1: nsprpub/pr/src/misc/prtime.c
# PR_ParseTimeStringToExplodedTime scans the text once, token by token, for a month name, a zone,
# a time, a date and a year, then PR_ImplodeTime carries any field out of range into the next
# (24:00:00 is the next day, 31 February is 3 March).
_NSPR_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_NSPR_ZONES = {
    "pst": (-8 * 60, 0), "pdt": (-8 * 60, 60), "mst": (-7 * 60, 0), "mdt": (-7 * 60, 60),
    "cst": (-6 * 60, 0), "cdt": (-6 * 60, 60), "est": (-5 * 60, 0), "edt": (-5 * 60, 60),
    "ast": (-4 * 60, 0), "nst": (-3 * 60 - 30, 0), "gmt": (0, 0), "bst": (0, 60),
    "met": (60, 0), "eet": (2 * 60, 0), "jst": (9 * 60, 0),
}  # fmt: skip
_NSPR_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_NSPR_TOKEN_END = " \t,;-+/()[]"
_NSPR_SKIPPED = " \t,;/()[]"
_NSPR_MAX_YEAR = 2**15 - 1  # PR_INT16_MAX
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# The instants datetime can hold, in seconds from the epoch: a date beyond is carried to them.
_MIN_SECONDS = (datetime.min.replace(tzinfo=UTC) - _EPOCH).days * 86400
_MAX_SECONDS = (_FAR_FUTURE - _EPOCH).days * 86400 + (_FAR_FUTURE - _EPOCH).seconds


def _digit(char: str) -> bool:
    return "0" <= char <= "9"


def _alpha(char: str) -> bool:
    return ("a" <= char <= "z") or ("A" <= char <= "Z")


class _Nspr:
    """The fields PR_ParseTimeStringToExplodedTime fills in; -1 where not found."""

    def __init__(self) -> None:
        self.month: int | None = None  # 0 for January; -1 is December before (from 0/0/0)
        self.date = self.year = self.hour = self.minute = self.second = -1
        self.zone: str | None = None
        self.zone_offset = -1
        self.weekday = False

    def word(self, text: str, at: int) -> None:
        """A month, weekday or zone named by the three letters at ``at`` (the switch on the
        first letter: the first match that is not yet set wins, as the C code orders them)."""
        three = text[at : at + 3].lower()
        if three[:2] == "ut" and not _alpha(text[at + 2]) and self.zone is None:
            self.zone = "gmt"  # "UT is the same as GMT but UTx is not"
        elif three in _NSPR_MONTHS and self.month is None:
            self.month = _NSPR_MONTHS.index(three)
        elif three in _NSPR_ZONES and self.zone is None:
            self.zone = three

    def sign(self, text: str, at: int) -> int:
        """A "+" or "-" zone offset: HHMM, HH or H digits. Where the scan goes on from."""
        if self.zone_offset != -1 or self.zone not in (None, "gmt"):
            return at + 1  # already one, or "PST+0300", which is not read
        sign = 1 if text[at] == "+" else -1
        at += 1
        end = at
        while _digit(text[end]):
            end += 1
        digits = text[at:end]
        if len(digits) == 4:
            offset = int(digits[:2]) * 60 + int(digits[2:])
        elif len(digits) in (1, 2):
            offset = int(digits) * 60
        else:
            return at
        self.zone_offset, self.zone = sign * offset, "gmt"
        return at

    def number(self, text: str, at: int) -> int:
        """Digits at ``at``: a time, a numeric date, a year or a day. Where the scan goes on."""
        end = at + 1
        while _digit(text[end]):
            end += 1
        if text[end] == ":":
            return self._time(text, at, end)
        if text[end] in "/-" and _digit(text[end + 1]):
            return self._numeric_date(text, at)
        width = end - at
        if _alpha(text[end]):
            return at  # digits followed by letters: not read
        number = int(text[at:end])
        if width in (4, 5):
            self.year = number if self.year < 0 else self.year
        elif width == 2:
            if self.date < 0 and number < 32:
                self.date = number
            elif self.year < 0:
                self.year = 2000 + number if number < 70 else 1900 + number
        elif width == 1:
            self.date = number if self.date < 0 else self.date
        return at

    def _time(self, text: str, at: int, end: int) -> int:
        if (self.hour >= 0 and self.minute >= 0) or end - at > 2:
            return at
        hour = int(text[at:end])
        at = end = end + 1
        while _digit(text[end]):
            end += 1
        if end == at or end - at > 2:
            return at
        minute = int(text[at:end])
        at = end
        if text[at] == ":":
            at += 1
        end = at
        while _digit(text[end]):
            end += 1
        if end - at > 2:
            return at
        # One or no digit: the character's code less that of "0" (a space is -16 seconds).
        second = int(text[at:end]) if end - at == 2 else ord(text[at]) - ord("0")
        if hour <= 12:
            after = end
            while text[after] in " \t" and text[after] != "\0":
                after += 1
            meridiem = text[after : after + 2].lower()
            if meridiem == "pm":
                hour = 12 if hour == 12 else hour + 12
            elif hour == 12 and meridiem == "am":
                hour = 0
        self.hour, self.minute, self.second = hour, minute, second
        return end

    def _numeric_date(self, text: str, at: int) -> int:
        """6/16/95, 16/6/95, 95-06-05: three numbers between "/" or "-"."""
        if self.month is not None:
            return at
        numbers, position = [], at
        for index in range(3):
            if index and text[position] not in "/-":
                return at
            position += 1 if index else 0
            if not _digit(text[position]):
                return at
            start = position
            position += 2 if _digit(text[position + 1]) else 1
            if index == 2 and _digit(text[position]):  # digits 3 and 4, and 5 maybe
                if not _digit(text[position + 1]):
                    return at
                position += 3 if _digit(text[position + 2]) else 2
            numbers.append(int(text[start:position]))
        if _digit(text[position]) or _alpha(text[position]):
            return at
        first, second, third = numbers
        if first > 31 or first == 0:  # YY/MM/DD
            if second > 12 or third > 31:
                return at
            self.year = first + 2000 if first < 70 else first + 1900 if first < 100 else first
            self.month, self.date = second - 1, third
            return position
        if first > 12 and second > 12:
            return position
        third = third + 2000 if third < 70 else third + 1900 if third < 100 else third
        if first > 12:  # DD/MM/YY
            self.date, self.month, self.year = first, second - 1, third
        else:  # MM/DD/YY
            self.month, self.date, self.year = first - 1, second, third
        return position


def nspr_date(text: str) -> datetime | None:
    """The instant Firefox reads from an Expires value, or None where it reads none (a
    session cookie). NSPR's reading, with PR_TRUE: a date without a zone is in GMT."""
    text += "\0\0\0"
    fields = _Nspr()
    at, iterations = 0, 0
    while text[at] != "\0":
        iterations += 1
        if iterations > 1000:
            return None
        char = text[at]
        if _alpha(char):
            fields.word(text, at)
        elif char in "+-":
            at = fields.sign(text, at)
        elif _digit(char):
            at = fields.number(text, at)
        # The end of this token, then what lies between tokens.
        while text[at] != "\0" and text[at] not in _NSPR_TOKEN_END:
            at += 1
        while True:
            while text[at] != "\0" and text[at] in _NSPR_SKIPPED:
                at += 1
            # A "-" is skipped after a word while no year is read, or before a non-digit.
            dash_skipped = text[at] == "-" and (
                (at > 0 and text[at - 1].isascii() and text[at - 1].isalpha() and fields.year < 0)
                or not _digit(text[at + 1])
            )
            if not dash_skipped:
                break
            at += 1
    if fields.month is None or fields.date == -1 or fields.year == -1:
        return None
    if fields.year > _NSPR_MAX_YEAR:
        return None
    offset, daylight = (fields.zone_offset, 0) if fields.zone_offset != -1 else (0, 0)
    if fields.zone is not None and fields.zone_offset == -1:
        offset, daylight = _NSPR_ZONES[fields.zone]
    # PR_ImplodeTime: every field carried, whatever its range (a second of -1 means none).
    year = fields.year + fields.month // 12
    days = _days_from_civil(year, fields.month % 12 + 1) + fields.date - 1
    seconds = (
        days * 86400
        + max(fields.hour, 0) * 3600
        + max(fields.minute, 0) * 60
        + (0 if fields.second == -1 else fields.second)
        - (offset + daylight) * 60
    )
    seconds = min(max(seconds, _MIN_SECONDS), _MAX_SECONDS)
    return _EPOCH + timedelta(seconds=seconds)


def _days_from_civil(year: int, month: int) -> int:
    """Days from 1970-01-01 to the first of ``month`` of ``year``, proleptic Gregorian, any year."""
    year -= month <= 2
    era = year // 400
    of_era = year - era * 400
    of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5
    of_era_days = of_era * 365 + of_era // 4 - of_era // 100 + of_year
    return era * 146097 + of_era_days - 719468
