# ruff: noqa: F811 (the fixtures of tests/test_browser.py, imported, are parameters here)
"""POST /cookies says whether the browser that asked keeps the cookie: ``outcome``.

The request says where it comes from (Origin, Sec-Fetch-Site, Sec-Fetch-Mode, Sec-Fetch-Dest,
Sec-Fetch-Storage-Access, the scheme); the headers below are those Chromium sends (checked in
tests/test_browser.py, where a real Chromium's jar is compared with each outcome).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.test_browser import (  # noqa: F401 (fixtures)
    ExampleOrigins,
    ExamplePage,
    api,
    browser,
    context,
    example_origins,
)

API = "http://127.0.0.1:8000"
SAME_ORIGIN = {"Origin": API, "Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "cors"}
CROSS_SITE = {
    "Origin": "http://localhost:5173",
    "Sec-Fetch-Site": "cross-site",
    "Sec-Fetch-Mode": "cors",
}
THIRD_PARTY_BLOCKED = {**CROSS_SITE, "Sec-Fetch-Storage-Access": "none"}
NONE_SECURE = {"samesite": "None", "secure": True}

CASES = {
    "curl: nothing said": ({}, {}, API, "unknown", []),
    "same origin": (SAME_ORIGIN, {}, API, "stored", []),
    "same site, another port": (
        {**SAME_ORIGIN, "Origin": "http://127.0.0.1:3000", "Sec-Fetch-Site": "same-site"},
        {},
        API,
        "stored",
        [],
    ),
    "cross-site Lax": (CROSS_SITE, {}, API, "rejected", ["samesite_lax_cross_site"]),
    "cross-site Strict": (
        CROSS_SITE,
        {"samesite": "Strict"},
        API,
        "rejected",
        ["samesite_strict_cross_site"],
    ),
    "cross-site None, third-party cookies blocked": (
        THIRD_PARTY_BLOCKED,
        NONE_SECURE,
        API,
        "rejected",
        ["third_party_unpartitioned"],
    ),
    "cross-site None, storage access active": (
        {**CROSS_SITE, "Sec-Fetch-Storage-Access": "active"},
        NONE_SECURE,
        API,
        "stored",
        [],
    ),
    "cross-site None, the browser's settings decide": (
        CROSS_SITE,
        NONE_SECURE,
        API,
        "unknown",
        ["third_party_unpartitioned"],
    ),
    "cross-site None Partitioned": (
        THIRD_PARTY_BLOCKED,
        {**NONE_SECURE, "partitioned": True},
        API,
        "stored",
        [],
    ),
    "Origin alone, cross-site": (
        {"Origin": "https://app.example"},
        {},
        "https://api.example.net",
        "rejected",
        ["samesite_lax_cross_site"],
    ),
    "top-level navigation from another site": (
        {
            "Sec-Fetch-Site": "cross-site",
            "Sec-Fetch-Mode": "navigate",
            "Sec-Fetch-Dest": "document",
        },
        {},
        API,
        "stored",
        [],
    ),
    "Secure over plain HTTP, any context": (
        {},
        {"secure": True},
        "http://api.example.com",
        "rejected",
        ["secure_from_insecure_origin"],
    ),
    "max_age 0 deletes it": (SAME_ORIGIN, {"max_age": 0}, API, "rejected", ["max_age_zero"]),
}


@pytest.mark.parametrize(
    ("headers", "attributes", "base_url", "outcome", "decided_by"),
    CASES.values(),
    ids=CASES.keys(),
)
def test_the_201_says_whether_the_browser_keeps_the_cookie(
    client, headers, attributes, base_url, outcome, decided_by
):
    response = client.post(
        "/cookies",
        json={"name": "a", "value": "1", **attributes},
        headers=headers,
        base_url=base_url,
    )

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["outcome"], body["decided_by"]) == (outcome, decided_by)
    # Each deciding code is one of the findings, with its message.
    assert set(decided_by) <= {item["code"] for item in body["findings"]}


# In a real browser: the page of examples/browser/ on one origin, the API on another.

SAME_SITE_CASES = {
    "Lax": ({}, "stored"),
    "Secure on loopback": ({"secure": True}, "stored"),
    "None, Secure": ({"samesite": "None", "secure": True}, "stored"),
    "max_age 0": ({"max_age": 0}, "rejected"),
}
CROSS_SITE_CASES = {
    "Lax": ({}, "rejected"),
    "Strict": ({"samesite": "Strict"}, "rejected"),
    "None, Secure": ({"samesite": "None", "secure": True}, "rejected"),
    "None, Secure, Partitioned": (
        {"samesite": "None", "secure": True, "partitioned": True},
        "stored",
    ),
}


def set_from_example_page(page, attributes: dict) -> tuple[str, list[str]]:
    """Set a cookie through the example page's form; the outcome it shows."""
    example = page
    if "max_age" in attributes:
        example.page.fill("#set-max-age", str(attributes.pop("max_age")))
    result = example.set_cookie("probe", "1", **attributes)
    expect(result).to_have_attribute("data-status", "201")
    outcome = result.locator("#outcome")
    return outcome.get_attribute("data-outcome"), outcome.inner_text()


@pytest.mark.parametrize(
    ("site", "attributes", "outcome"),
    [("same-site", *case) for case in SAME_SITE_CASES.values()]
    + [("cross-site", *case) for case in CROSS_SITE_CASES.values()],
    ids=[f"same-site {name}" for name in SAME_SITE_CASES]
    + [f"cross-site {name}" for name in CROSS_SITE_CASES],
)
def test_the_outcome_is_what_chromium_did(
    context: BrowserContext,
    example_origins: ExampleOrigins,
    api: str,
    site: str,
    attributes: dict,
    outcome: str,
):
    # http://localhost:P calling http://127.0.0.1:Q is cross-site; 127.0.0.1:P is same-site.
    origin = example_origins.cross_site if site == "cross-site" else example_origins.listed
    example = ExamplePage(context.new_page(), origin, api)

    shown, text = set_from_example_page(example, dict(attributes))

    stored = [cookie["name"] for cookie in context.cookies()]
    chromium = "stored" if stored == ["probe"] else "rejected"
    assert (shown, chromium) == (outcome, outcome), text
