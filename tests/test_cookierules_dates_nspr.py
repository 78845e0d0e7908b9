"""Firefox's reading of Expires (``cookierules.dates.nspr_date``) against NSPR itself.

Firefox ESR on Debian runs on the system's libnspr4, whose PR_ParseTimeString it calls for every
Expires attribute (netwerk/cookie/CookieParser.cpp GetExpiry). The engine's port must read
every date the same: those of the conformance table and of 2,000 fuzzed cases, and 20,000 from
a seeded generator of odd dates.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import re
from datetime import UTC, datetime

import pytest

from cookierules.dates import nspr_date
from tests.browser_oracle import conformance_cases
from tests.conftest import require
from tests.fuzz_cases import generate_cases
from tests.test_cookierules_libsoup import _dates

EARLIEST, LATEST = -62135596800, 253402300799  # 0001-01-01, 9999-12-31T23:59:59Z
_EXPIRES = re.compile(r"expires\s*=([^;]*)", re.IGNORECASE)


@pytest.fixture(scope="module")
def parse_time_string():
    name = ctypes.util.find_library("nspr4")
    require(name is not None, "libnspr4 (a dependency of firefox-esr) is not installed")
    function = ctypes.CDLL(name).PR_ParseTimeString
    function.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_int64)]

    def parse(text: str) -> int | None:
        microseconds = ctypes.c_int64()
        if function(text.encode(), 1, ctypes.byref(microseconds)) != 0:
            return None
        return int(microseconds.value / 1_000_000)  # GetExpiry's division, toward zero

    return parse


def _texts() -> list[str]:
    cases = list(conformance_cases().values()) + generate_cases(17, 2000)
    found = [
        match.group(1).strip(" \t")
        for case in cases
        for header in case.set_cookie
        for match in _EXPIRES.finditer(header)
        if "\0" not in match.group(1)
    ]
    return found + _dates(20000)


def test_the_engine_reads_every_date_as_nspr_does(parse_time_string):
    texts = _texts()
    differ = []
    read = 0
    for text in texts:
        expected = parse_time_string(text)
        date = nspr_date(text)
        got = (
            None if date is None else int((date - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds())
        )
        read += expected is not None
        if expected is not None:
            # Beyond what datetime holds, the engine keeps the nearest instant it can: any such
            # expiry is capped at 400 days, or long past, all the same.
            expected = min(max(expected, EARLIEST), LATEST)
        if got != expected:
            differ.append(f"{text!r:.100}: NSPR {expected}, engine {got}")
    assert read > 5000, "too few dates NSPR reads"
    assert not differ, "\n".join(differ[:20]) + f"\n{len(differ)} of {len(texts)} differ"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tue, 15 Jun 2027 08:09:10 PST", "2027-06-15T16:09:10"),
        ("Tue, 15 Jun 2027 08:09:10 +0500", "2027-06-15T03:09:10"),
        ("Wed, 31 Feb 2027 10:00:00 GMT", "2027-03-03T10:00:00"),
        ("Tue, 15 Jun 2027 24:00:00 GMT", "2027-06-16T00:00:00"),
        ("07/01/2027 00:00:00", "2027-07-01T00:00:00"),
        ("Tue, 15 Jun 2027 8:9 GMT", "2027-06-15T08:08:44"),
        ("Tue, 15 Jun 027 08:09:10 GMT", None),
    ],
)
def test_nspr_dates_read_as_firefox_reads_them(text: str, expected: str | None):
    date = nspr_date(text)
    assert (date.strftime("%Y-%m-%dT%H:%M:%S") if date else None) == expected
