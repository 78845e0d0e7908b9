"""WebKitGTK's reading of Set-Cookie (``cookierules.libsoup``) against the installed libsoup.

The system Python (``/usr/bin/python3`` with python3-gi) calls the libsoup 3 that WebKitGTK runs
on: ``Soup.Cookie.parse`` for every header of the conformance table and of 2,000 fuzzed cases,
and its public suffix functions for their hosts. The engine must read each the same way. What
WebKit adds around libsoup, and the whole, are checked against WebKitGTK itself
(tests/test_lint_webkit.py).
"""

from __future__ import annotations

import json
import random
import subprocess
from datetime import UTC, datetime

import pytest

from api import create_app
from cookierules.libsoup import _base_domain, is_public_suffix, read_header, soup_date
from cookierules.lint import InvalidUrl, Location
from tests.browser_oracle import conformance_cases
from tests.conftest import require
from tests.fuzz_cases import generate_cases
from tests.webkit_oracle import SYSTEM_PYTHON

# Run by the system Python: JSON in, JSON out. GLib's URI flags are libsoup's for HTTP URIs.
_PROBE = """
import json, sys
import gi
gi.require_version("Soup", "3.0")
from gi.repository import GLib, Soup
FLAGS = (GLib.UriFlags.ENCODED_PATH | GLib.UriFlags.ENCODED_QUERY
         | GLib.UriFlags.ENCODED_FRAGMENT | GLib.UriFlags.SCHEME_NORMALIZE)
asked = json.load(sys.stdin)
cookies = []
for header, url in asked["headers"]:
    cookie = Soup.Cookie.parse(header, GLib.Uri.parse(url, FLAGS))
    if cookie is None:
        cookies.append(None)
        continue
    expires = cookie.get_expires()
    cookies.append([cookie.get_name(), cookie.get_value(), cookie.get_domain(),
                    cookie.get_path(), expires.to_unix() if expires else None,
                    cookie.get_secure(), cookie.get_http_only(),
                    cookie.get_same_site_policy().value_nick])
hosts = []
for host in asked["hosts"]:
    try:
        base = Soup.tld_get_base_domain(host)
    except GLib.Error:
        base = None
    hosts.append([base, Soup.tld_domain_is_public_suffix(host)])
dates = []
for text in asked["dates"]:
    date = Soup.date_time_new_from_http_string(text)
    dates.append(date.to_unix() if date else None)
json.dump({"now": GLib.DateTime.new_now_utc().to_unix(), "cookies": cookies, "hosts": hosts,
           "dates": dates}, sys.stdout)
"""
_SAMESITE = {None: "none", "Lax": "lax", "Strict": "strict"}


def _libsoup(headers: list[tuple[str, str]], hosts: list[str], dates: list[str]) -> dict:
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import gi; gi.require_version('Soup', '3.0')"],
        capture_output=True,
        timeout=60,
    )
    require(
        probe.returncode == 0, "python3-gi with libsoup 3 is not installed for /usr/bin/python3"
    )
    answer = subprocess.run(
        [SYSTEM_PYTHON, "-c", _PROBE],
        input=json.dumps({"headers": headers, "hosts": hosts, "dates": dates}),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(answer.stdout)


def _headers() -> list[tuple[str, str]]:
    """Every header of the conformance table and of 2,000 fuzzed cases, with its URL as
    WebKit's URL parser leaves it; NUL ends a C string, so headers holding one are left out."""
    cases = list(conformance_cases().values()) + generate_cases(17, 2000)
    headers = [
        "a=café; Path=/",
        "a,b=1",
        "=",
        "",
        "a=1; Secure,x; HttpOnly",
        "a=1; Max-Age=60; Expires=junk",
        "a=1; Max-Age=4294967297",
        "a=1; Max-Age=",
        "a=1; SameSite=Strict; SameSite=None",
        "a=1; Domain=.EXAMPLE.test",
        "a=1; Domain=WWW.example.test",
    ]
    found = [(header, "https://www.example.test/%7Ea/b") for header in headers]
    for case in cases:
        place = case.response
        try:
            location = Location.of(f"{place.scheme}://{place.host}{place.path}")
        except InvalidUrl:
            continue
        url = f"{location.scheme}://{location.host}{location.path}"
        found += [(header, url) for header in case.set_cookie if "\0" not in header]
    return found


HOSTS = [
    "www.example.test",
    "localhost",
    "127.0.0.1",
    "co.uk",
    ".co.uk",
    "CO.UK",
    "www.example.co.uk",
    "www.EXAMPLE.co.uk",
    "WWW.Example.CO.UK",
    "github.io",
    "alice.github.io",
    "Alice.GitHub.io",
    "www.example.COM",
    "com",
    "xn--bcher-kva.example.test",
]


def _dates(count: int) -> list[str]:
    """Date-like texts from a seeded generator: HTTP, cookie and asctime dates whose every field
    may be odd (digits of any width, names cut or unknown, any zone, other separators)."""
    pick = random.Random(19).choice
    weekdays = ["Tue, ", "Wed ", "Sunday, ", "", "", "X, ", "1, "]
    days = ["15", "1", "01", "015", "31", "32", "00", "-1", "+5", " 7", "4294967297", "x"]
    months = ["Jun", "jun", "JUNE", "Feb", "Dec", "Foo", "J"]
    years = ["2027", "27", "69", "70", "99", "027", "1969", "10000", "9999", "1", "0", "x"]
    times = [
        "08:09:10",
        "8:9:10",
        "24:00:00",
        "23:59:60",
        "08:09",
        "08.09.10",
        "0:0:0",
        "23:59:59:1",
        "+8:-9:10",
        "x",
    ]
    zones = [
        "GMT",
        "UTC",
        "Z",
        "EST",
        "PST",
        "PDT",
        "CST",
        "MDT",
        "+0500",
        "-0800",
        "+05:30",
        "-00",
        "+9999",
        "-2500",
        "+2459",
        "GMT+1",
        "gmt",
        "",
        "PST EXTRA",
        "junk",
    ]
    separators = [" ", "-", "  ", "\t", "/", ""]
    found = []
    for _ in range(count):
        day, month, year = pick(days), pick(months), pick(years)
        time, zone, sep = pick(times), pick(zones), pick(separators)
        if pick([True, False, False]):
            found.append(f"{pick(weekdays)}{month} {day} {time} {year}{sep}{zone}")
        else:
            found.append(f"{pick(weekdays)}{day}{sep}{month}{sep}{year} {time} {zone}")
    return [
        *found,
        "Tue, 15 Jun 2027 08:09:10 PST",
        "Wed, 21-Oct-69 07:28:00 GMT",
        "Tue, 15 Jun 2027 GMT",
        "Sat, 01 Jan 10000 00:00:00 GMT",
        "Sun Nov  6 08:49:37 1994",
        "2027-06-15T08:09:10Z",
    ]


@pytest.fixture(scope="module")
def libsoup() -> tuple[list[tuple[str, str]], dict, list[str]]:
    headers, dates = _headers(), _dates(10000)
    return headers, _libsoup(headers, HOSTS, dates), dates


def test_the_engine_reads_every_date_as_libsoup_does(libsoup):
    _, answer, dates = libsoup
    differ = []
    for text, expected in zip(dates, answer["dates"], strict=True):
        date = soup_date(text)
        got = int(date.timestamp()) if date is not None else None
        if got != expected:
            differ.append(f"{text!r}: libsoup {expected}, engine {got}")
    assert not differ, "\n".join(differ[:30]) + f"\n{len(differ)} of {len(dates)} differ"


def test_the_engine_reads_every_header_as_libsoup_does(libsoup):
    headers, answer, _ = libsoup
    now = datetime.fromtimestamp(answer["now"], UTC)
    differ = []
    for (header, url), expected in zip(headers, answer["cookies"], strict=True):
        location = Location.of(url)
        cookie = read_header(header, location.host, location.path, now).cookie
        got = None
        if cookie is not None:
            expiry = int(cookie.expires.timestamp()) if cookie.expires is not None else None
            got = [
                cookie.name,
                cookie.value,
                cookie.domain,
                cookie.path,
                expiry,
                cookie.secure,
                cookie.httponly,
                _SAMESITE[cookie.samesite],
            ]
            if expected is not None and expected[4] is not None and expiry is not None:
                # Max-Age counts from the engine's clock, read a moment apart from libsoup's.
                got[4] = expected[4] if abs(expected[4] - expiry) <= 5 else expiry
        if got != expected:
            differ.append(
                f"{header!r:.200} at {url}: libsoup {expected!s:.200}, engine {got!s:.200}"
            )
    assert len(headers) > 4000
    assert not differ, "\n".join(differ[:20]) + f"\n{len(differ)} of {len(headers)} differ"


def test_base_domains_and_public_suffixes_are_libsoups(libsoup):
    _, answer, _ = libsoup
    engine = [[_base_domain(host), is_public_suffix(host)] for host in HOSTS]
    assert engine == answer["hosts"]


@pytest.fixture(scope="module")
def client():
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret"}).test_client()


def _lint(client, set_cookie: list[str], **body) -> dict:
    response = client.post(
        "/lint",
        json={
            "url": "https://www.example.test/a/b",
            "set_cookie": set_cookie,
            "then_url": "https://www.example.test/a/b",
            "browser": "webkitgtk",
            **body,
        },
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_webkitgtk_cuts_a_header_at_its_first_non_ascii_byte(client):
    report = _lint(client, ["a=café; Path=/"])
    result = report["results"][0]
    assert result["outcome"] == "stored"
    assert [problem["code"] for problem in result["problems"]] == ["header_cut"]
    assert report["cookie_header"] == "a=caf"
    assert [(cookie["value"], cookie["path"]) for cookie in report["cookies"]] == [("caf", "/a")]


def test_webkitgtk_stops_reading_attributes_after_a_comma(client):
    report = _lint(client, ["a=1; Secure,x; HttpOnly"])
    (cookie,) = report["cookies"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is False


def test_webkitgtk_keeps_an_empty_cookie_but_never_sends_it(client):
    report = _lint(client, ["=", "b=2"])
    assert [result["outcome"] for result in report["results"]] == ["stored", "stored"]
    assert report["cookie_header"] == "b=2"


def test_webkitgtk_sends_a_domain_cookie_before_host_only_ones(client):
    report = _lint(
        client,
        ["a=1; Path=/", "c=1; Domain=example.test; Path=/", "d=1; Domain=www.example.test; Path=/"],
    )
    assert report["cookie_header"] == "d=1; a=1; c=1"


def test_webkitgtk_reads_each_line_of_a_script_write(client):
    report = _lint(client, ["a=1\nb=2"], from_script=True)
    assert report["cookie_header"] == "a=1; b=2"


def test_webkitgtk_wraps_max_age_to_32_bits(client):
    report = _lint(client, ["a=1; Max-Age=4294967295", "b=1; Max-Age=99999999999999999999"])
    # 2^32 - 1 is -1 as an int: a session cookie; the saturated long is -1 too.
    assert [cookie["expiry"] for cookie in report["cookies"]] == [None, None]
    assert report["cookie_header"] == "a=1; b=1"
