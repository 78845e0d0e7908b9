"""Where Firefox and WebKitGTK differ from Chromium: each rule of cookierules.browsers, and the
`browser` choice of POST /lint and POST /replay."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cookierules.browsers import (
    BROWSERS,
    CHROMIUM,
    FIREFOX,
    WEBKITGTK,
    Browser,
    browser_table,
    differences,
)
from cookierules.lint import lint_set_cookies

NOW = datetime(2026, 12, 1, tzinfo=UTC)
PAGE = "https://www.example.test/a/b"
OTHER_SITE = "https://www.other.test/top"


def lint(browser: Browser, set_cookie: list[str], url: str = PAGE, **options):
    return lint_set_cookies(url, set_cookie, now=NOW, browser=browser, **options)


def outcomes(browser: Browser, set_cookie: list[str], url: str = PAGE, **options) -> list[str]:
    return [result.outcome for result in lint(browser, set_cookie, url, **options).results]


def test_every_field_of_a_browser_is_a_difference_some_engine_has():
    for field in fields(Browser):
        values = {repr(getattr(browser, field.name)) for browser in BROWSERS.values()}
        assert len(values) == 3 if field.name in ("name", "label") else len(values) == 2, field


def test_firefox_partitions_a_cookie_without_samesite_set_from_another_site():
    report = lint(FIREFOX, ["id=1"], site_for_cookies=OTHER_SITE, then_url=PAGE)

    assert report.results[0].outcome == "stored"
    assert report.cookies[0].partition_key == "https://other.test"
    assert report.cookie_header == "id=1"
    assert outcomes(CHROMIUM, ["id=1"], site_for_cookies=OTHER_SITE) == ["rejected"]


def test_firefox_partitions_samesite_none_from_another_site_chromium_does_not():
    header = ["id=1; SameSite=None; Secure"]

    assert lint(FIREFOX, header, site_for_cookies=OTHER_SITE).cookies[0].partition_key
    assert lint(CHROMIUM, header, site_for_cookies=OTHER_SITE).cookies[0].partition_key is None


def test_firefox_and_webkitgtk_count_http_and_https_of_a_site_as_one_site():
    header = ["id=1; SameSite=Lax; Secure"]
    insecure_page = "http://www.example.test/top"

    assert outcomes(CHROMIUM, header, site_for_cookies=insecure_page) == ["rejected"]
    for browser in (FIREFOX, WEBKITGTK):
        report = lint(browser, header, site_for_cookies=insecure_page, then_url=PAGE)
        assert report.cookie_header == "id=1", browser.name


def test_firefox_keeps_a_tab_inside_a_cookie():
    report = lint(FIREFOX, ["id=a\tb", "a\tb=1", "c=1; Colour=re\td"], then_url=PAGE)
    assert report.cookie_header == "id=a\tb; a\tb=1; c=1"
    assert outcomes(CHROMIUM, ["id=a\tb"]) == ["rejected"]


def test_firefox_drops_a_cookie_with_a_cr_where_chromium_cuts_it():
    assert outcomes(FIREFOX, ["id=a\rb"]) == ["rejected"]
    assert lint(CHROMIUM, ["id=a\rb"], then_url=PAGE).cookie_header == "id=a"


def test_firefox_ignores_max_age_with_a_plus_sign():
    assert lint(FIREFOX, ["id=1; Max-Age=+3600"]).cookies[0].expiry is None
    assert (lint(CHROMIUM, ["id=1; Max-Age=+3600"]).cookies[0].expiry - NOW).seconds == 3600


def test_firefox_drops_a_cookie_whose_domain_is_not_ascii():
    header = ["id=1; Domain=bücher.example.test"]
    url = "https://xn--bcher-kva.example.test/"
    assert outcomes(FIREFOX, header, url) == ["rejected"]
    assert outcomes(CHROMIUM, header, url) == ["stored"]


def test_firefox_takes_a_host_prefix_whose_domain_leaves_it_host_only():
    header = ["__Host-b=1; Secure; Path=/; Domain=.127.0.0.1"]
    assert outcomes(FIREFOX, header, "https://127.0.0.1/") == ["stored"]
    assert outcomes(CHROMIUM, header, "https://127.0.0.1/") == ["rejected"]
    assert outcomes(FIREFOX, ["__Host-b=1; Secure; Path=/; Domain=www.example.test"]) == [
        "rejected"
    ]


def test_lax_and_strict_from_another_site_are_dropped_everywhere():
    for browser in BROWSERS.values():
        header = ["id=1; SameSite=Lax; Secure"]
        assert outcomes(browser, header, site_for_cookies=OTHER_SITE) == ["rejected"]


def test_webkitgtk_stores_nothing_set_from_another_site():
    report = lint(WEBKITGTK, ["id=1; SameSite=None; Secure"], site_for_cookies=OTHER_SITE)

    assert report.results[0].outcome == "rejected"
    assert "third_party_blocked" in [item.code for item in report.results[0].problems]


def test_webkitgtk_knows_no_name_prefixes():
    header = ["__Host-id=1; Domain=example.test", "__Secure-id=1"]

    assert outcomes(WEBKITGTK, header) == ["stored", "stored"]
    assert outcomes(CHROMIUM, header) == ["rejected", "rejected"]


def test_firefox_takes_the_default_path_of_a_host_cookie_at_the_root():
    header = ["__Host-id=1; Secure"]

    assert outcomes(FIREFOX, header, "https://www.example.test/") == ["stored"]
    assert outcomes(FIREFOX, header, PAGE) == ["rejected"]  # default path /a
    assert outcomes(CHROMIUM, header, "https://www.example.test/") == ["rejected"]


def test_webkitgtk_stores_samesite_none_and_partitioned_without_secure():
    header = ["a=1; SameSite=None", "b=1; Partitioned"]

    assert outcomes(WEBKITGTK, header) == ["stored", "stored"]
    assert outcomes(CHROMIUM, header) == ["rejected", "rejected"]
    assert outcomes(FIREFOX, header) == ["rejected", "rejected"]


def test_webkitgtk_does_not_cap_the_lifetime_at_400_days():
    header = ["id=1; Max-Age=100000000"]

    uncapped = lint(WEBKITGTK, header).cookies[0].expiry
    capped = lint(CHROMIUM, header).cookies[0].expiry

    assert (capped - NOW).days == 400
    assert (uncapped - NOW).total_seconds() == 100_000_000


def test_webkitgtk_reads_max_age_as_a_32_bit_int():
    # strtol saturates at 2^63 - 1, whose low 32 bits are -1: a session cookie; 2^31 wraps
    # to a negative number of seconds: a date in the past.
    assert lint(WEBKITGTK, [f"id=1; Max-Age={10**20}"]).cookies[0].expiry is None
    assert outcomes(WEBKITGTK, ["id=1; Max-Age=2147483648"]) == ["rejected"]


def test_firefox_and_webkitgtk_keep_a_replaced_cookie_in_its_place():
    headers = ["a=1", "b=2", "a=3"]

    assert lint(CHROMIUM, headers, then_url=PAGE).cookie_header == "b=2; a=3"
    assert lint(FIREFOX, headers, then_url=PAGE).cookie_header == "a=3; b=2"
    assert lint(WEBKITGTK, headers, then_url=PAGE).cookie_header == "a=3; b=2"


def test_webkitgtk_does_not_count_localhost_as_secure():
    assert outcomes(WEBKITGTK, ["id=1; Secure"], "http://localhost/") == ["rejected"]
    assert outcomes(CHROMIUM, ["id=1; Secure"], "http://localhost/") == ["stored"]
    report = lint(WEBKITGTK, ["id=1; Secure"], "https://localhost/", then_url="http://localhost/")
    assert report.cookie_header == ""


def test_findings_say_which_engines_skip_the_rule():
    assert differences("prefix_requires_secure") == "WebKitGTK does not apply this rule."
    assert differences("third_party_unpartitioned") == "Firefox does not apply this rule."
    assert differences("domain_public_suffix") is None


# POST /lint ---------------------------------------------------------------------------------

CROSS_SITE_BODY = {
    "url": "https://widget.example.net/embed",
    "set_cookie": ["widget=1; Secure"],
    "site_for_cookies": "https://www.example.com/",
    "then_url": "https://widget.example.net/embed",
}


def test_lint_without_browser_answers_as_before_with_no_browser_key(client):
    answer = client.post("/lint", json=CROSS_SITE_BODY).get_json()

    assert "browser" not in answer
    assert "differences" not in answer
    chromium = client.post("/lint", json={**CROSS_SITE_BODY, "browser": "chromium"}).get_json()
    assert chromium.pop("browser") == "chromium"
    assert chromium == answer


@pytest.mark.parametrize(
    ("browser", "outcome", "header"),
    [
        ("chromium", "rejected", ""),
        ("firefox", "stored", "widget=1"),
        ("webkitgtk", "rejected", ""),
    ],
)
def test_lint_answers_for_the_browser_asked(client, browser, outcome, header):
    response = client.post("/lint", json={**CROSS_SITE_BODY, "browser": browser})

    assert response.status_code == 200
    answer = response.get_json()
    assert answer["browser"] == browser
    assert [result["outcome"] for result in answer["results"]] == [outcome]
    assert answer["cookie_header"] == header


def test_lint_for_all_names_the_differences_in_words(client):
    answer = client.post("/lint", json={**CROSS_SITE_BODY, "browser": "all"}).get_json()

    assert answer["browser"] == "all"
    assert [report["browser"] for report in answer["browsers"]] == [
        "chromium",
        "firefox",
        "webkitgtk",
    ]
    assert answer["results"] == answer["browsers"][0]["results"]
    assert answer["differences"] == [
        {
            "set_cookie": "widget=1; Secure",
            "summary": "Chromium and WebKitGTK drop it; Firefox stores it partitioned.",
        },
        {
            "set_cookie": None,
            "summary": 'Chromium and WebKitGTK send no cookie; Firefox sends "widget=1".',
        },
    ]


def test_lint_for_all_names_a_difference_in_the_stored_cookie(client):
    body = {"url": "https://www.example.com/", "set_cookie": ["id=1; Max-Age=100000000"]}
    body["now"] = "2026-12-01T00:00:00Z"

    answer = client.post("/lint", json={**body, "browser": "all"}).get_json()

    assert answer["differences"] == [
        {
            "set_cookie": "id=1; Max-Age=100000000",
            "summary": "Chromium and Firefox keep expiry 2028-01-05T00:00:00+00:00; "
            "WebKitGTK keeps expiry 2030-01-31T09:46:40+00:00.",
        }
    ]


def test_lint_for_all_where_engines_agree_has_no_differences(client):
    body = {"url": "https://www.example.com/", "set_cookie": ["id=1"], "browser": "all"}

    assert client.post("/lint", json=body).get_json()["differences"] == []


def test_lint_refuses_an_unknown_browser_with_a_problem(client):
    response = client.post("/lint", json={**CROSS_SITE_BODY, "browser": "safari"})

    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    assert response.get_json()["findings"][0]["field"] == "browser"


# POST /replay -------------------------------------------------------------------------------

THIRD_PARTY_FLOW = {
    "steps": [
        {
            "url": "https://widget.example/embed",
            "kind": "iframe",
            "top_level_url": "https://shop.example/",
            "response": {"set_cookie": ["w=1; Secure; SameSite=None; Path=/"]},
        },
        {
            "url": "https://widget.example/embed",
            "kind": "iframe",
            "top_level_url": "https://shop.example/",
        },
        {
            "url": "https://widget.example/embed",
            "kind": "iframe",
            "top_level_url": "https://news.example/",
        },
    ],
}


def sent_headers(client, browser: str) -> list:
    response = client.post("/replay", json={**THIRD_PARTY_FLOW, "browser": browser})
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert answer["browser"] == browser
    return [step["cookie_header"] for step in answer["steps"]]


def test_replay_in_firefox_partitions_a_third_party_cookie(client):
    # Chromium sends it under any top-level site; Firefox only under the one it was set under.
    assert sent_headers(client, "chromium")[1:] == ["w=1", "w=1"]
    assert sent_headers(client, "firefox")[1:] == ["w=1", None]


def test_replay_in_webkitgtk_never_stores_a_third_party_cookie(client):
    assert sent_headers(client, "webkitgtk")[1:] == [None, None]


def test_replay_in_firefox_and_webkitgtk_sends_lax_cookies_from_the_http_page_of_the_site(client):
    flow = {
        "steps": [
            {
                "url": "https://www.example.test/",
                "response": {"set_cookie": ["id=1; Secure; SameSite=Lax; Path=/"]},
            },
            {
                "url": "https://www.example.test/api",
                "kind": "subresource",
                "top_level_url": "http://www.example.test/",
            },
        ],
    }
    sent = {}
    for browser in ("chromium", "firefox", "webkitgtk"):
        response = client.post("/replay", json={**flow, "browser": browser})
        assert response.status_code == 200, response.get_json()
        sent[browser] = response.get_json()["steps"][1]["cookie_header"]
    assert sent == {"chromium": None, "firefox": "id=1", "webkitgtk": "id=1"}


def test_the_readme_browser_table_is_made_from_the_engine():
    readme = (Path(__file__).parent.parent / "README.md").read_text()

    assert browser_table() in readme, "README.md's browser table: copy browser_table()"
    assert "not Safari" in readme


def test_firefox_names_a_cookie_without_equals_and_drops_one_with_an_empty_name():
    assert lint(FIREFOX, ["test7"], then_url=PAGE).cookie_header == "test7="
    assert outcomes(FIREFOX, ["=test10"]) == ["rejected"]
    assert lint(CHROMIUM, ["test7"], then_url=PAGE).cookie_header == "test7"
    assert outcomes(CHROMIUM, ["=test10"]) == ["stored"]
