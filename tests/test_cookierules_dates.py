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
        # A token may carry trailing non-digits after its digits.
        ("21st Oct 2030 07:28:00am", utc(2030, 10, 21, 7, 28)),
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
        "Wed, 21 Oct 1600 07:28:00 GMT",  # before 1601
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
