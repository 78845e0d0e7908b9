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
from datetime import datetime
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from playwright.sync_api import Playwright

from tests.chromium_oracle import (
    Observation,
    Oracle,
    as_json,
    launch_oracle_chromium,
    make_certificate,
    oracle_server,
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
}
ROWS = [Row(id, [header]) for id, header in PLAIN_ROWS.items()] + [
    # The required rows.
    Row("domain_public_suffix", ["id=1; Domain=co.uk"], host="www.example.co.uk"),
    Row("secure_over_http", ["id=1; Secure"], scheme="http"),
    Row("httponly_from_script", ["id=1; HttpOnly"], from_script=True),
    # Parsing (RFC 6265bis §5.6).
    Row("line_feed_from_script", ["id=1\nrest; Secure"], from_script=True),
    Row("path_over_1024_bytes", ["id=1; Path=/" + "a" * 1030]),
    # Storage (RFC 6265bis §5.7).
    Row("domain_private_suffix", ["id=1; Domain=github.io"], host="alice.github.io"),
    Row("domain_ip_address_is_host", ["id=1; Domain=127.0.0.1"], scheme="http", host="127.0.0.1"),
    Row("domain_localhost_is_host", ["id=1; Domain=localhost"], scheme="http", host="localhost"),
    Row("domain_public_suffix_is_host", ["id=1; Domain=github.io"], host="github.io"),
    Row("domain_tld_suffix_is_host", ["id=1; Domain=co.uk"], host="co.uk"),
    Row("secure_on_localhost", ["id=1; Secure"], scheme="http", host="localhost"),
    Row("host_prefix_without_path", ["__Host-id=1; Secure"], path="/"),
    Row("host_prefix_empty_path", ["__Host-id=1; Secure; Path="], path="/"),
    Row("script_sets_plain_cookie", ["id=1; Path=/"], from_script=True),
    Row("cross_site_lax", ["id=1; SameSite=Lax; Secure"], cross_site=True),
    Row("cross_site_strict", ["id=1; SameSite=Strict; Secure"], cross_site=True),
    Row("cross_site_without_samesite", ["id=1; Secure"], cross_site=True),
    Row("cross_site_none", ["id=1; Secure; SameSite=None"], cross_site=True),
    Row("cross_site_partitioned", ["id=1; Secure; SameSite=None; Partitioned"], cross_site=True),
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
        reasons = {
            DEVTOOLS_REASON[problem["chromium"]]
            for problem in result["problems"]
            if problem["severity"] == "rejected" and problem["chromium"] in DEVTOOLS_REASON
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
    chromium_blocks = [sorted(map(_devtools, reasons)) for reasons in observation.blocked]
    # document.cookie is no network response: DevTools reports no reason for it.
    assert (predicted_blocks(report) if not row.from_script else []) == chromium_blocks, seen
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
