# ruff: noqa: F811 (the fixtures of tests/test_browser.py, imported, are parameters here)
"""The example page (examples/browser/) shows what DELETE sent, and whether the cookie went."""

from __future__ import annotations

from playwright.sync_api import BrowserContext, expect

from tests.test_browser import (  # noqa: F401 (fixtures)
    ExampleOrigins,
    ExamplePage,
    api,
    browser,
    context,
    example_origins,
)


def test_a_partitioned_cookie_is_deleted_once_the_page_says_partitioned(
    context: BrowserContext, example_origins: ExampleOrigins, api: str
):
    example = ExamplePage(context.new_page(), example_origins.listed, api)
    result = example.set_cookie("widget", "1", samesite="None", secure=True, partitioned=True)
    expect(result.locator("#outcome")).to_have_attribute("data-outcome", "stored")
    assert [cookie["name"] for cookie in context.cookies()] == ["widget"]

    result = example.delete_cookie("widget")

    # Not partitioned, the deletion is another cookie's: the page says the cookie stays.
    expect(result).to_have_attribute("data-status", "200")
    expect(result.locator("#deleted")).to_contain_text("widget=; Path=/; Expires=Thu, 01 Jan 1970")
    expect(result.locator("#deleted")).not_to_contain_text("Partitioned")
    expect(result.locator("#deletion-check")).to_have_attribute("data-gone", "false")
    expect(result.locator("#deletion-check")).to_contain_text("tick Partitioned")
    assert [cookie["name"] for cookie in context.cookies()] == ["widget"]

    example.page.check("#one-partitioned")
    result = example.delete_cookie("widget")

    expect(result.locator("#deleted")).to_contain_text("; Partitioned")
    expect(result.locator("#deletion-check")).to_have_attribute("data-gone", "true")
    expect(result.locator("#deletion-check")).to_have_text("The browser no longer sends widget.")
    assert context.cookies() == []
