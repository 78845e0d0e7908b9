"""cookierules.dates: the cookie-date algorithm (RFC 6265bis §5.1.1) and Max-Age values (§5.6.2).

Rows marked wpt come from web-platform-tests cookies/attributes/expires.html and max-age.html,
or the http-state tests in cookies/http-state/.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cookierules.dates import parse_cookie_date, parse_max_age


def utc(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The IMF-fixdate of RFC 9110, as servers send it.
        ("Wed, 21 Oct 2015 07:28:00 GMT", utc(2015, 10, 21, 7, 28)),
        # RFC 850 and asctime forms: the tokens may come in any order.
        ("Wednesday, 21-Oct-15 07:28:00 GMT", utc(2015, 10, 21, 7, 28)),
        ("Wed Oct 21 07:28:00 2015", utc(2015, 10, 21, 7, 28)),
        # §5.1.1 step 3 and 4: two-digit years 70-99 are 19xx, 00-69 are 20xx.
        ("21 Oct 70 00:00:00", utc(1970, 10, 21)),
        ("21 Oct 69 00:00:00", utc(2069, 10, 21)),
        # Month names match case-insensitively by their first three letters.
        ("21 OCTOBER 2030 1:2:3", utc(2030, 10, 21, 1, 2, 3)),
        # Delimiters are any of the listed punctuation; the time zone is ignored (always UTC).
        ("2030/oct/21;07:28:00+0200", utc(2030, 10, 21, 7, 28)),
        # Chromium (ParseCookieExpirationTime, net/cookies/cookie_util.cc), checked in Chromium
        # 156 by tests/test_lint_chromium.py: time fields of any length, years of 1 to 5
        # digits, a year before 1601 read as a past date, one beyond 9999 as the far future.
        ("Wed, 11 Dec 1996 20:21:004 GMT", utc(1996, 12, 11, 20, 21, 4)),
        ("Wed, 10 Jan 7 10:00:00 GMT", utc(2007, 1, 10, 10)),
        ("Wed, 10 Jan 02027 0000010:00:00 GMT", utc(2027, 1, 10, 10)),
        ("Sat, 01 Jan 1600 00:00:00 GMT", utc(1600, 1, 1)),
        ("Sat, 01 Jan 10000 00:00:00 GMT", datetime.max.replace(tzinfo=UTC)),
        ("Tue, 29 Feb 10000 00:00:00 GMT", datetime.max.replace(tzinfo=UTC)),
        ("Wed, 1O 10 Jan 2027 10:00:4x 11:00:00 GMT", utc(2027, 1, 10, 11)),
        ("Jan 5 123456 27 10:00:00", utc(2027, 1, 5, 10)),
    ],
)
def test_cookie_dates_browsers_read(text: str, expected: datetime):
    assert parse_cookie_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "tomorrow",
        "Wed, 21 Oct 2015",  # no time
        "Wed, 21 2015 07:28:00 GMT",  # no month
        "Wed, 32 Oct 2015 07:28:00 GMT",  # day 32
        "Wed, 31 Feb 2015 07:28:00 GMT",  # no such date
        "Thu, 1st Jul 2027 10:00:00 GMT",  # a day is the whole token (§5.1.1 reads 1)
        "Jan 10th 2020 10:00:00",
        "Wed, 1O Jan 2027 10:00:00 GMT",
        "Wed, 10 Jan 2027x 10:00:00 GMT",  # so is a year
        "Wed, 10 Jan 2027 10:00:00Z",  # and a time
        "Wed, 10 Jan 100000 10:00:00 GMT",  # a year of six digits is none
        "Wed, 29 Feb 2027 10:00:00 GMT",  # no such date
        "Wed, 31 Feb 30828 10:00:00 GMT",  # nor beyond 9999
        "Wed, 29 Feb 10001 10:00:00 GMT",
        "Wed, 21 Oct 2015 24:00:00 GMT",  # hour 24
        "Wed, 21 Oct 2015 07:60:00 GMT",  # minute 60
        "Wed, 21 Oct 2015 07:28:60 GMT",  # no leap seconds
        "Wed, 21 Oct 2015 07:28 GMT",  # a time needs three fields
        "Wed, ٢١ Oct 2015 07:28:00 GMT",  # Arabic-Indic digits are no DIGIT
    ],
)
def test_text_that_is_no_cookie_date_is_ignored(text: str):
    assert parse_cookie_date(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3600", 3600),
        ("0", 0),
        ("-1", -1),
        ("007", 7),
        # Chromium takes a leading "+" (base::StringToInt64, net/cookies/canonical_cookie.cc).
        ("+3600", 3600),
        ("+0", 0),
        # Far beyond the 400-day cap: the exact size no longer matters, only the sign.
        ("9" * 5000, 10**18),
        ("-" + "9" * 5000, -(10**18)),
    ],
)
def test_max_age_values(text: str, expected: int):
    assert parse_max_age(text) == expected


@pytest.mark.parametrize(
    "text", ["", "+-1", "-+1", "++1", "1e3", "1.5", " 1", "1 ", "--1", "٣", "0x10"]
)
def test_max_age_that_is_not_digits_is_ignored(text: str):
    assert parse_max_age(text) is None
