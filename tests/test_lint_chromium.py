"""Real Chromium is the oracle for POST /lint: for every row, what /lint predicts is what it did.

Each row is served by a local test server (see ``tests/chromium_oracle.py``) to a Chromium
whose resolver maps every host name to 127.0.0.1, over HTTPS with a certificate made for the
run. The same headers go to POST /lint. For every row the test asserts that:
- the jar /lint predicts is the jar Chromium has (``Network.getAllCookies``): names, values,
  domains, host-only, paths, flags, session or persistent, priority;
- each cookie /lint rejects for a reason Chromium reports is one Chromium blocked, for that
  reason (``Network.responseReceivedExtraInfo`` blockedCookies[].blockedReasons, mapped to
  the ``CookieInclusionStatus`` names /lint gives in ``chromium``);
- with ``then_url``, the Cookie header /lint predicts is the one Chromium sent.
Rows set by ``document.cookie``, and expired cookies, have no DevTools reason: Chromium reports
none, and the jar shows the outcome.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from playwright.sync_api import BrowserContext, Playwright
from playwright.sync_api import Error as PlaywrightError

from tests.chromium_oracle import (
    Observation,
    Oracle,
    as_json,
    launch_oracle_chromium,
    make_certificate,
    oracle_server,
    store_statuses,
)
from tests.conftest import require
from tests.test_browser import CHROMIUM

SITE = "www.example.test"
OTHER_SITE = "www.other.test"
# The DevTools SetCookieBlockedReason for each CookieInclusionStatus exclusion reason
# (content/browser/devtools/protocol/network_handler.cc); "Schemeful" variants are folded in.
DEVTOOLS_REASON = {
    "EXCLUDE_SECURE_ONLY": "SecureOnly",
    "EXCLUDE_SAMESITE_STRICT": "SameSiteStrict",
    "EXCLUDE_SAMESITE_LAX": "SameSiteLax",
    "EXCLUDE_SAMESITE_UNSPECIFIED_TREATED_AS_LAX": "SameSiteUnspecifiedTreatedAsLax",
    "EXCLUDE_SAMESITE_NONE_INSECURE": "SameSiteNoneInsecure",
    "EXCLUDE_INVALID_DOMAIN": "InvalidDomain",
    "EXCLUDE_DOMAIN_NON_ASCII": "InvalidDomain",
    "EXCLUDE_INVALID_PREFIX": "InvalidPrefix",
    "EXCLUDE_NAME_VALUE_PAIR_EXCEEDS_MAX_SIZE": "NameValuePairExceedsMaxSize",
    "EXCLUDE_DISALLOWED_CHARACTER": "DisallowedCharacter",
    "EXCLUDE_NO_COOKIE_CONTENT": "NoCookieContent",
    "EXCLUDE_OVERWRITE_SECURE": "OverwriteSecure",
}
# Reasons DevTools has no name for: Chromium stops at them (CanonicalCookie::Create), so DevTools
# lists no blocked cookie at all; test_chromium_names_the_reasons_lint_gives reads them.
DEVTOOLS_SILENT = frozenset({"EXCLUDE_INVALID_PARTITIONED", "EXCLUDE_AMBIGUOUS_SERIALIZATION"})
# The reasons CanonicalCookie::Create names before it stops: beside a silent one, DevTools lists
# the cookie with these alone (an invalid Domain, a prefix), and without them not at all.
CREATE_REASONS = frozenset(
    {
        "EXCLUDE_INVALID_DOMAIN",
        "EXCLUDE_DOMAIN_NON_ASCII",
        "EXCLUDE_INVALID_PREFIX",
        "EXCLUDE_NAME_VALUE_PAIR_EXCEEDS_MAX_SIZE",
        "EXCLUDE_DISALLOWED_CHARACTER",
        "EXCLUDE_NO_COOKIE_CONTENT",
    }
)
# Chromium's clock and the server's are read a moment apart.
EXPIRY_TOLERANCE_SECONDS = 300


@dataclass(frozen=True)
class Row:
    id: str
    set_cookie: list[str]
    path: str = "/r/page"
    host: str = SITE
    scheme: str = "https"
    cross_site: bool = False  # fetched as a subresource of a page on OTHER_SITE
    from_script: bool = False
    then: tuple[str, str, str] | None = None  # scheme, host, path of a later request
    # The paths Chromium requests, where path and then's path are not canonical.
    requested_paths: tuple[str, str] | None = None


LONG_LABEL = "a" * 64 + ".example.test"
BUECHER = "xn--bcher-kva.example.test"
ELEVE = "xn--lve-6lad.example.test"
# Rows of one header, served over HTTPS from the default host and path: the row's id and header.
PLAIN_ROWS = {
    # The required rows.
    "samesite_none_without_secure": "id=1; SameSite=None",
    "host_prefix_with_domain": "__Host-id=1; Secure; Path=/; Domain=example.test",
    "domain_of_another_site": "id=1; Domain=other.test",
    "over_long": "id=" + "x" * 4095,
    "expired_expires": "id=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT",
    "quoted_value": 'id="quoted value"',
    "nameless": "just-a-value",
    "partitioned_without_secure": "id=1; Partitioned",
    # Parsing (RFC 6265bis §5.6).
    "exactly_4096_bytes": "id=" + "x" * 4094,
    "nameless_after_equals": "=value",
    "neither_name_nor_value": "=",
    "control_character": "id=1\x01x",
    "tab_inside_value": "id=a\tb",
    "tab_inside_name": "a\tb=1",
    "tab_inside_attribute": "id=1; Colour=re\td",
    "tabs_around_are_whitespace": "id \t=\t1\t; Path=/ \t",
    "last_path_wins": "id=1; Path=/x; Path=/y",
    "unknown_attribute_and_samesite": "id=1; Colour=blue; SameSite=Sometimes",
    "expires_not_a_date": "id=1; Expires=tomorrow",
    "max_age_beats_expires": "id=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Max-Age=3600",
    "max_age_zero": "id=1; Max-Age=0",
    "max_age_not_a_number": "id=1; Max-Age=1e3",
    "max_age_over_400_days": "id=1; Max-Age=99999999999",
    "expires_over_400_days": "id=1; Expires=Fri, 01 Jan 2100 00:00:00 GMT",
    "priority": "id=1; Priority=high",
    "expires_two_digit_year": "id=1; Expires=Wed, 21-Oct-69 07:28:00 GMT",
    "path_relative": "id=1; Path=docs",
    "samesite_lower_case": "id=1; SameSite=none; Secure",
    "max_age_last_invalid": "id=1; Max-Age=60; Max-Age=soon",
    "expires_last_invalid": "id=1; Expires=Fri, 01 Jan 2100 00:00:00 GMT; Expires=soon",
    "host_http_prefix_right": "__Host-Http-id=1; Secure; Path=/; HttpOnly",
    "line_feed_cuts_the_header": "test=13\nZYX",
    "carriage_return_cuts_the_header": "cookiesarebananas=\rtest\f",
    "line_feed_cuts_a_nameless_cookie": "test10\nname=10",
    "max_age_with_a_plus_sign": "id=1; Max-Age=+3600",
    "max_age_plus_zero": "id=1; Max-Age=+0",
    "nameless_value_with_equals": "=test=2",
    "nameless_value_of_equals": "===test=2b",
    "nameless_spaced_value_with_equals": " = x=y",
    "nameless_value_ending_in_equals": "=a=",
    "expires_before_1601": "id=1; Expires=Sat, 01 Jan 1600 00:00:00 GMT",
    "expires_one_digit_year": "id=1; Expires=Wed, 10 Jan 7 10:00:00 GMT",
    "expires_five_digit_year": "id=1; Expires=Sat, 01 Jan 10000 00:00:00 GMT",
    "expires_year_30828": "id=1; Expires=Sat, 01 Jan 30828 00:00:00 GMT",
    "expires_day_with_a_suffix": "id=1; Expires=Thu, 1st Jul 2027 10:00:00 GMT",
    "expires_day_with_th": "id=1; Expires=Jan 10th 2027 10:00:00",
    "expires_day_with_a_letter": "id=1; Expires=Wed, 1O Jan 2027 10:00:00 GMT",
    "expires_february_31_beyond_9999": "id=1; Expires=Wed, 31 Feb 30828 10:00:00 GMT",
    # wpt cookies/size/attributes.www.sub.html: over 8 KiB, with a valid last Domain.
    "repeated_max_size_attributes": "n" * 2048
    + "="
    + "v" * 2048
    + ("; domain=" + "a" * 1020 + ".com") * 4
    + "; domain=www.example.test",
    "host_http_without_a_dash": "__HostHttp-id=1",
    "over_long_with_an_unparseable_domain": "id=" + "x" * 4100 + "; Domain=%%",
    "over_long_with_a_control_character": "id=" + "x" * 4100 + "; X=\x01",
    # Storage (RFC 6265bis §5.7).
    "domain_parent_with_dot_and_capitals": "id=1; Domain=.EXAMPLE.test",
    "domain_equal_to_host": "id=1; Domain=www.example.test",
    "empty_domain_last_wins": "id=1; Domain=example.test; Domain=",
    "domain_unknown_top_level": "id=1; Domain=test",
    "domain_not_ascii": "id=1; Domain=bücher.example.test",
    "partitioned_with_secure": "id=1; Partitioned; Secure",
    "secure_prefix_lower_case": "__secure-id=1",
    "host_prefix_right": "__Host-id=1; Secure; Path=/",
    "http_prefix_without_httponly": "__Http-id=1; Secure",
    "nameless_value_with_prefix": "=__Host-id",
    # A Domain that is no host name (GetCookieDomainWithString, net/cookies/cookie_util.cc).
    "domain_with_a_space_of_another_site": "id=1; Domain=ex ample.test",
    "domain_with_a_space_on_the_site": "id=1; Domain=x y.example.test",
    "domain_only_a_dot": "id=1; Domain=.",
    "domain_with_an_empty_label": "id=1; Domain=example..test",
    "domain_ipv6_in_brackets": "id=1; Domain=[::1]",
    "domain_invalid_and_partitioned_without_secure": "id=1; Domain=ex:ample.test; Partitioned",
    "domain_invalid_and_host_prefix": "__Host-id=1; Secure; Path=/; Domain=ex ample.test",
    "prefix_and_partitioned_without_secure": "__Secure-id=1; Partitioned",
}
ROWS = [Row(id, [header]) for id, header in PLAIN_ROWS.items()] + [
    # The required rows.
    Row("domain_public_suffix", ["id=1; Domain=co.uk"], host="www.example.co.uk"),
    Row("secure_over_http", ["id=1; Secure"], scheme="http"),
    Row("httponly_from_script", ["id=1; HttpOnly"], from_script=True),
    # Parsing (RFC 6265bis §5.6).
    Row("line_feed_from_script", ["id=1\nrest; Secure"], from_script=True),
    Row("nameless_value_with_equals_from_script", ["=a=b"], from_script=True),
    Row("path_over_1024_bytes", ["id=1; Path=/" + "a" * 1030]),
    # Storage (RFC 6265bis §5.7).
    Row("domain_private_suffix", ["id=1; Domain=github.io"], host="alice.github.io"),
    Row("domain_ip_address_is_host", ["id=1; Domain=127.0.0.1"], scheme="http", host="127.0.0.1"),
    Row("domain_localhost_is_host", ["id=1; Domain=localhost"], scheme="http", host="localhost"),
    Row("domain_public_suffix_is_host", ["id=1; Domain=github.io"], host="github.io"),
    Row("domain_tld_suffix_is_host", ["id=1; Domain=co.uk"], host="co.uk"),
    Row("secure_on_localhost", ["id=1; Secure"], scheme="http", host="localhost"),
    Row("secure_prefix_over_http", ["__Secure-id=1; Secure"], scheme="http"),
    Row("host_prefix_over_http", ["__Host-id=1; Secure; Path=/"], scheme="http"),
    Row("partitioned_over_http", ["id=1; Secure; Partitioned"], scheme="http"),
    Row("secure_prefix_on_localhost", ["__Secure-id=1; Secure"], scheme="http", host="localhost"),
    Row("partitioned_on_localhost", ["id=1; Secure; Partitioned"], scheme="http", host="localhost"),
    Row("host_prefix_without_path", ["__Host-id=1; Secure"], path="/"),
    Row("host_prefix_empty_path", ["__Host-id=1; Secure; Path="], path="/"),
    Row("script_sets_plain_cookie", ["id=1; Path=/"], from_script=True),
    Row("cross_site_lax", ["id=1; SameSite=Lax; Secure"], cross_site=True),
    Row("cross_site_strict", ["id=1; SameSite=Strict; Secure"], cross_site=True),
    Row("cross_site_without_samesite", ["id=1; Secure"], cross_site=True),
    Row("cross_site_none", ["id=1; Secure; SameSite=None"], cross_site=True),
    Row("cross_site_partitioned", ["id=1; Secure; SameSite=None; Partitioned"], cross_site=True),
    Row(
        "domain_with_an_underscore",
        ["id=1; Domain=my_app.example.test"],
        host="my_app.example.test",
    ),
    Row("domain_with_a_leading_hyphen", ["id=1; Domain=-x.example.test"], host="-x.example.test"),
    Row(
        "domain_with_two_hyphens", ["id=1; Domain=ab--cd.example.test"], host="ab--cd.example.test"
    ),
    Row("domain_label_of_64", ["id=1; Domain=" + LONG_LABEL], host=LONG_LABEL),
    Row("domain_trailing_dot", ["id=1; Domain=example.test."], host="www.example.test."),
    Row("domain_without_the_dot", ["id=1; Domain=example.test"], host="www.example.test."),
    Row("domain_with_a_dot_host_without", ["id=1; Domain=example.test."]),
    Row("domain_not_ascii_to_punycode", ["id=1; Domain=bücher.example.test"], host=BUECHER),
    Row("domain_accented_to_punycode", ["id=1; Domain=élève.example.test"], host=ELEVE),
    Row("domain_in_octal_from_an_ip_address", ["id=1; Domain=0177.1; Partitioned"], host="0177.1"),
    # URLs as the URL parser writes them (WHATWG URL; Chromium's GURL).
    Row(
        "ipv4_host_as_one_number",
        ["id=1; Secure", "d=1; Domain=127.0.0.1"],
        scheme="http",
        host="2130706433",
        then=("http", "127.1", "/r/next"),
    ),
    Row("host_percent_encoded", ["id=1"], host="www.ex%61mple.test", then=("https", SITE, "/")),
    Row("ipv4_host_in_hex_and_octal", ["id=1"], host="0x7f.0.0.1", then=("https", "0177.1", "/")),
    Row(
        "url_path_with_dot_segments",
        ["id=1"],
        path="/a/b/../c",
        then=("https", SITE, "/a/./d"),
        requested_paths=("/a/c", "/a/d"),
    ),
    Row(
        "url_path_with_a_space_and_non_ascii",
        ["id=1"],
        path="/dir one/é/page",
        then=("https", SITE, "/dir one/é/next"),
        requested_paths=("/dir%20one/%C3%A9/page", "/dir%20one/%C3%A9/next"),
    ),
    # Retrieval (RFC 6265bis §5.8.3).
    Row(
        "send_order",
        ["a=1; Path=/", "a=2; Path=/docs", "b=3; Path=/docs/x", "c=4"],
        path="/docs/x/page",
        then=("https", SITE, "/docs/x/next"),
    ),
    Row("replace", ["a=1", "b=2", "a=3"], then=("https", SITE, "/r/next")),
    Row("replace_unchanged", ["a=1", "b=2", "a=1"], then=("https", SITE, "/r/next")),
    Row("delete", ["a=1", "b=2", "a=; Max-Age=0"], then=("https", SITE, "/r/next")),
    Row("secure_not_sent_over_http", ["s=1; Secure", "p=2"], then=("http", SITE, "/r/next")),
    Row(
        "domain_cookie_to_sibling",
        ["d=1; Domain=example.test", "h=2"],
        then=("https", "api.example.test", "/r/next"),
    ),
    Row("path_segment_boundary", ["p=1; Path=/docs"], then=("https", SITE, "/docsearch")),
    Row("nameless_sent_as_value", ["solo", "a="], then=("https", SITE, "/r/next")),
    Row(
        "cross_site_send",
        ["n=1; Secure; SameSite=None", "p=2; Secure; SameSite=None; Partitioned"],
        cross_site=True,
        then=("https", SITE, "/r/next"),
    ),
]


@pytest.fixture(scope="module")
def oracle(playwright: Playwright, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Oracle]:
    """One Chromium profile for every row, trusting only the certificate made for this run."""
    require(Path(CHROMIUM).exists(), f"Chromium is not installed at {CHROMIUM}")
    require(shutil.which("openssl") is not None, "openssl is not installed")
    folder = tmp_path_factory.mktemp("oracle")
    certificate = make_certificate(folder)
    with oracle_server(certificate) as server:
        context = launch_oracle_chromium(playwright, folder, certificate)
        try:
            yield Oracle(context, server)
        finally:
            context.close()


def _devtools(reason: str) -> str:
    return reason.removeprefix("Schemeful")


def predicted_blocks(report: dict) -> list[list[str]]:
    """The DevTools reasons Chromium should give, per rejected header, from /lint's findings."""
    blocks = []
    for result in report["results"]:
        if result["outcome"] != "rejected":
            continue
        silent = any(problem["chromium"] in DEVTOOLS_SILENT for problem in result["problems"])
        reasons = {
            DEVTOOLS_REASON[problem["chromium"]]
            for problem in result["problems"]
            if problem["severity"] == "rejected"
            and problem["chromium"] in DEVTOOLS_REASON
            and (not silent or problem["chromium"] in CREATE_REASONS)
        }
        if reasons:
            blocks.append(sorted(reasons))
    return blocks


def predicted_jar(report: dict) -> list[tuple]:
    return sorted(
        (
            cookie["name"],
            cookie["value"],
            cookie["domain"] if cookie["host_only"] else f".{cookie['domain']}",
            cookie["path"],
            cookie["secure"],
            cookie["httponly"],
            cookie["samesite"],
            cookie["partitioned"],
            cookie["expiry"] is None,
            cookie["priority"],
        )
        for cookie in report["cookies"]
    )


def chromium_jar(observation: Observation) -> list[tuple]:
    return sorted(
        (
            cookie["name"],
            cookie["value"],
            cookie["domain"],
            cookie["path"],
            cookie["secure"],
            cookie["httpOnly"],
            cookie.get("sameSite"),
            "partitionKey" in cookie,
            cookie["session"],
            cookie["priority"],
        )
        for cookie in observation.cookies
    )


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_lint_predicts_what_chromium_does(row: Row, oracle: Oracle, client: FlaskClient):
    server = oracle.server
    url = server.url(row.scheme, row.host, row.path)
    site_for_cookies = server.url("https", OTHER_SITE, "/top") if row.cross_site else None
    then_url = server.url(*row.then) if row.then else None

    observation = oracle.observe(
        url=url,
        set_cookie=row.set_cookie,
        site_for_cookies=site_for_cookies,
        from_script=row.from_script,
        then_url=then_url,
        requested_paths=row.requested_paths,
    )
    body = {"url": url, "set_cookie": row.set_cookie, "from_script": row.from_script}
    if site_for_cookies:
        body["site_for_cookies"] = site_for_cookies
    if then_url:
        body["then_url"] = then_url
    response = client.post("/lint", json=body)

    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    seen = f"Chromium:\n{as_json(observation)}\n/lint:\n{json.dumps(report, indent=1)}"
    assert predicted_jar(report) == chromium_jar(observation), seen
    chromium_blocks = [set(map(_devtools, reasons)) for reasons in observation.blocked]
    # document.cookie is no network response: DevTools reports no reason for it. /lint names
    # every reason where Chromium may stop at the first: it must name each one Chromium gives.
    predicted = predicted_blocks(report) if not row.from_script else []
    assert len(predicted) == len(chromium_blocks), seen
    pairs = zip(chromium_blocks, predicted, strict=True)
    assert all(given <= set(named) for given, named in pairs), seen
    if then_url is not None:
        assert report["cookie_header"] == observation.cookie_header, seen
    for predicted, stored in zip(
        sorted(report["cookies"], key=lambda c: (c["name"], c["path"])),
        sorted(observation.cookies, key=lambda c: (c["name"], c["path"])),
        strict=True,
    ):
        if predicted["expiry"] is not None:
            expiry = datetime.fromisoformat(predicted["expiry"]).timestamp()
            assert abs(expiry - stored["expires"]) < EXPIRY_TOLERANCE_SECONDS, seen


def test_the_rows_cover_both_outcomes_and_many_reasons(client: FlaskClient):
    """A table where Chromium stored everything, or always gave one reason, would prove little."""
    outcomes, reasons = [], set()
    for row in ROWS:
        body = {"url": f"{row.scheme}://{row.host}{row.path}", "set_cookie": row.set_cookie}
        if row.cross_site:
            body["site_for_cookies"] = f"https://{OTHER_SITE}/top"
        report = client.post("/lint", json=body).get_json()
        outcomes += [result["outcome"] for result in report["results"]]
        reasons.update(reason for block in predicted_blocks(report) for reason in block)
    assert len(ROWS) >= 25
    assert outcomes.count("stored") >= 15 and outcomes.count("rejected") >= 15
    assert len(reasons) >= 8, reasons


def test_expires_is_read_to_the_second(oracle: Oracle, client: FlaskClient):
    """Dates within 400 days (no cap, no clock in between): the expiry is exact."""
    year = datetime.now(UTC).year + 1
    dates = [
        f"Sun, 10 Jan {year} 10:00:004 GMT",  # a time field of three digits
        f"10 Jan {year % 100} 0000010:00:00",  # a two-digit year, a long hour
        f"{year} Jan 10 1:2:3",  # a year first, one-digit fields
        f"Wed, 1O 10 Jan {year} 10:00:4x 11:00:00 GMT",  # tokens that are no field are skipped
    ]
    set_cookie = [f"c{index}=1; Expires={date}" for index, date in enumerate(dates)]
    url = oracle.server.url("https", SITE, "/r/page")

    observation = oracle.observe(url=url, set_cookie=set_cookie)
    report = client.post("/lint", json={"url": url, "set_cookie": set_cookie}).get_json()

    stored = {cookie["name"]: cookie["expires"] for cookie in observation.cookies}
    predicted = {
        cookie["name"]: datetime.fromisoformat(cookie["expiry"]).timestamp()
        for cookie in report["cookies"]
    }
    assert predicted == stored, as_json(observation)


# (scheme, host, headers) whose reasons are read from the NetLog, where DevTools shows them
# only in part: these, and every row above that a page load sets.
NETLOG_ROWS = {
    "nameless_value_with_equals_a_b": ("https", SITE, ["=a=b"]),
    "domain_a_child_of_the_host": ("https", SITE, ["id=1; Domain=sub.www.example.test"]),
    "domain_from_an_ip_address": ("http", "127.0.0.1", ["id=1; Domain=127.0.0.2"]),
} | {
    row.id: (row.scheme, row.host, row.set_cookie)
    for row in ROWS
    if not row.from_script and not row.cross_site
}


@pytest.fixture(scope="module")
def netlog_reasons(
    playwright: Playwright, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[str, list[list[str]]]]:
    """Per NETLOG_ROWS id: the URL its headers came from and Chromium's EXCLUDE_ reasons for
    each header."""
    require(Path(CHROMIUM).exists(), f"Chromium is not installed at {CHROMIUM}")
    require(shutil.which("openssl") is not None, "openssl is not installed")
    folder = tmp_path_factory.mktemp("netlog")
    certificate = make_certificate(folder)

    def context_of(extra: list[str]) -> BrowserContext:
        return launch_oracle_chromium(playwright, folder, certificate, *extra)

    with oracle_server(certificate) as server:
        responses = [
            (server.url(scheme, host, ""), headers)
            for scheme, host, headers in NETLOG_ROWS.values()
        ]
        statuses = store_statuses(context_of, server, folder / "netlog.json", responses)
    return {
        row_id: (f"{url}/netlog/{index}", status)
        for index, (row_id, (url, _), status) in enumerate(
            zip(NETLOG_ROWS, responses, statuses, strict=True)
        )
    }


def test_a_nul_in_a_header_refuses_the_whole_response(
    playwright: Playwright, tmp_path: Path, client: FlaskClient
):
    """Chromium refuses the response (no DevTools event, no jar change); /lint says so."""
    require(Path(CHROMIUM).exists(), f"Chromium is not installed at {CHROMIUM}")
    certificate = make_certificate(tmp_path)
    set_cookie = ["a=1", "b=1\0x"]
    with oracle_server(certificate) as server:
        context = launch_oracle_chromium(playwright, tmp_path, certificate)
        try:
            server.serve("/nul", set_cookie)
            page = context.pages[0] if context.pages else context.new_page()
            with pytest.raises(PlaywrightError, match="ERR_INVALID_HTTP_RESPONSE"):
                page.goto(server.url("https", SITE, "/nul"))
            stored = context.cookies()
        finally:
            context.close()
    url = f"https://{SITE}/nul"

    report = client.post("/lint", json={"url": url, "set_cookie": set_cookie}).get_json()

    assert stored == []
    assert [result["outcome"] for result in report["results"]] == ["rejected", "rejected"]


@pytest.mark.parametrize("row_id", NETLOG_ROWS)
def test_chromium_names_the_reasons_lint_gives(
    row_id: str, netlog_reasons: dict[str, tuple[str, list[list[str]]]], client: FlaskClient
):
    """Every reason Chromium's NetLog gives for a header is among those /lint gives."""
    url, chromium = netlog_reasons[row_id]
    set_cookie = NETLOG_ROWS[row_id][2]

    report = client.post("/lint", json={"url": url, "set_cookie": set_cookie}).get_json()

    if len(chromium) != len(set_cookie):
        # Chromium logs nothing for a cookie that expires as it is set: only then may a header
        # have no event, and then no event may name a reason (it could not be paired).
        assert not any(chromium), chromium
        return
    for given, result in zip(chromium, report["results"], strict=True):
        named = {
            problem["chromium"]
            for problem in result["problems"]
            if problem["severity"] == "rejected" and problem["chromium"]
        }
        assert set(given) <= named, (given, result)
        assert result["outcome"] == "rejected" or not given, (given, result)


def test_the_netlog_rows_show_reasons_devtools_does_not(netlog_reasons):
    """The NetLog check proves something DevTools cannot: these reasons and pairs appear."""
    given = {
        reason for _, per_header in netlog_reasons.values() for r in per_header for reason in r
    }
    assert {"EXCLUDE_INVALID_PARTITIONED", "EXCLUDE_AMBIGUOUS_SERIALIZATION"} <= given
    assert ["EXCLUDE_DOMAIN_MISMATCH", "EXCLUDE_INVALID_DOMAIN"] in [
        r for _, per_header in netlog_reasons.values() for r in per_header
    ]
