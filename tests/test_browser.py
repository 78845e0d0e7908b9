"""What a real browser does with the API: headless Chromium drives Swagger UI and the example page.

The API runs as a real ``cookie-api`` process; ``examples/browser/`` is served by a static server
on other loopback ports. Two ports of 127.0.0.1 are different origins but the same site, and
cookies ignore ports: the API's cookies are the page's cookies, so only CORS decides whether the
page may use the API.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Playwright, expect

from tests.conftest import PHASE_REPORTS, require

EXAMPLE_DIR = Path(__file__).resolve().parent.parent / "examples" / "browser"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    # No calls home: they would wait on a network that tests must not need.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# decodeURIComponent of a cookie's entry in document.cookie, as frontend code reads it.
READ_DOCUMENT_COOKIE = """name => {
    const entry = document.cookie.split("; ").find((pair) => pair.startsWith(name + "="));
    return entry === undefined ? null : decodeURIComponent(entry.slice(name.length + 1));
}"""


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves files without logging each request to stderr."""

    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass(frozen=True)
class ExampleOrigins:
    """Origins that serve ``examples/browser/``.

    The API lists ``listed`` (the API's site) and ``cross_site`` (another site, "localhost"),
    and not ``unlisted`` (the API's site, another port).
    """

    listed: str
    unlisted: str
    cross_site: str


@pytest.fixture(scope="session")
def example_origins() -> Iterator[ExampleOrigins]:
    """Two static servers of the example page on loopback ports chosen by the OS."""
    handler = partial(QuietHandler, directory=str(EXAMPLE_DIR))
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), handler) for _ in range(2)]
    threads = [threading.Thread(target=server.serve_forever, daemon=True) for server in servers]
    for thread in threads:
        thread.start()
    listed_port, unlisted_port = (server.server_address[1] for server in servers)
    yield ExampleOrigins(
        listed=f"http://127.0.0.1:{listed_port}",
        unlisted=f"http://127.0.0.1:{unlisted_port}",
        cross_site=f"http://localhost:{listed_port}",
    )
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def api(start_server, example_origins: ExampleOrigins) -> str:
    """A real cookie-api whose CORS lists the example's ``listed`` and ``cross_site`` origins."""
    return start_server(
        CORS_ORIGINS=json.dumps([example_origins.listed, example_origins.cross_site])
    )


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """One headless Chromium for the session; each test gets its own context."""
    require(Path(CHROMIUM).exists(), f"Chromium is not installed at {CHROMIUM}")
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()


@pytest.fixture
def context(browser: Browser, request: pytest.FixtureRequest) -> Iterator[BrowserContext]:
    """A fresh browser profile (empty cookie jar); screenshots of its pages if the test fails."""
    artifacts = request.config.rootpath / "test-artifacts"
    stem = re.sub(r"[^\w.-]+", "_", request.node.name)
    for stale in [artifacts / f"{stem}.png", *artifacts.glob(f"{stem}-[0-9]*.png")]:
        stale.unlink(missing_ok=True)
    fresh = browser.new_context(viewport={"width": 1100, "height": 900})
    fresh.set_default_timeout(10_000)
    yield fresh
    reports = request.node.stash.get(PHASE_REPORTS, {})
    if any(report.failed for report in reports.values()):
        artifacts.mkdir(exist_ok=True)
        for index, page in enumerate(fresh.pages):
            suffix = f"-{index}" if index else ""
            screenshot = artifacts / f"{stem}{suffix}.png"
            page.screenshot(path=screenshot, full_page=True)
            print(f"screenshot of {page.url}: {screenshot}")
    fresh.close()


class ExamplePage:
    """``examples/browser/index.html``, used through its form as a person would."""

    def __init__(self, page: Page, origin: str, api: str) -> None:
        self.page = page
        self.result = page.locator("#result")
        page.goto(f"{origin}/?{urlencode({'api': api})}")
        expect(page.locator("body")).to_have_attribute("data-ready", "true")

    def _act(self, button: str) -> Locator:
        """Click, then wait until "What happened" shows this action's outcome."""
        sequence = int(self.result.get_attribute("data-sequence") or "0")
        self.page.click(button)
        expect(self.result).to_have_attribute("data-sequence", str(sequence + 1))
        return self.result

    def set_cookie(
        self,
        name: str,
        value: str,
        *,
        httponly: bool = True,
        samesite: str = "Lax",
        secure: bool | None = None,
        partitioned: bool = False,
    ) -> Locator:
        self.page.fill("#set-name", name)
        self.page.fill("#set-value", value)
        self.page.set_checked("#set-httponly", httponly)
        self.page.select_option("#set-samesite", samesite)
        self.page.select_option("#set-secure", "" if secure is None else str(secure).lower())
        self.page.set_checked("#set-partitioned", partitioned)
        return self._act("#set-button")

    def read_cookie(self, name: str) -> Locator:
        self.page.fill("#one-name", name)
        return self._act("#read-button")

    def delete_cookie(self, name: str) -> Locator:
        self.page.fill("#one-name", name)
        return self._act("#delete-button")

    def list_cookies(self) -> list[tuple[str, str]]:
        """The (name, value) rows the page shows after "List all"; fails unless the API answered."""
        expect(self._act("#list-button")).to_have_attribute("data-status", "200")
        rows = self.page.locator("#cookie-table tbody tr")
        return [
            (row.locator("td").nth(0).inner_text(), row.locator("td").nth(1).inner_text())
            for row in rows.all()
        ]


def document_cookie_value(page: Page, name: str) -> str | None:
    """``decodeURIComponent`` of the cookie's entry in ``document.cookie``; None if absent."""
    return page.evaluate(READ_DOCUMENT_COOKIE, name)


def try_it_out(page: Page, operation_id: str, body: dict | None = None) -> Locator:
    """Open an operation in Swagger UI, "Try it out", execute it; the row of the live response."""
    operation = page.locator(f"#operations-cookies-{operation_id}")
    operation.locator(".opblock-summary-control").click()
    operation.get_by_role("button", name="Try it out").click()
    if body is not None:
        operation.locator("textarea.body-param__text").fill(json.dumps(body))
    operation.get_by_role("button", name="Execute").click()
    return operation.locator(".live-responses-table .response")


def shown_json(response: Locator) -> object:
    """The response body that Swagger UI shows, parsed."""
    return json.loads(response.locator(".highlight-code pre").first.inner_text())


def test_swagger_ui_try_it_out_sets_a_cookie_and_lists_it(context: BrowserContext, api: str):
    page = context.new_page()
    page.goto(f"{api}/docs")

    created = try_it_out(page, "set_cookie", {"name": "flavour", "value": "oat raisin"})

    # A status that the document does not list would read "201 Undocumented".
    expect(created.locator(".response-col_status")).to_have_text("201")
    expect(created.locator(".response-undocumented")).to_have_count(0)
    assert (
        shown_json(created)["set_cookie"] == "flavour=oat%20raisin; Path=/; HttpOnly; SameSite=Lax"
    )
    listed = try_it_out(page, "list_cookies")
    expect(listed.locator(".response-col_status")).to_have_text("200")
    assert shown_json(listed) == {
        "cookies": [{"name": "flavour", "value": "oat raisin", "signature": "none"}]
    }


def test_listed_origin_sets_lists_reads_and_deletes_a_cookie(
    context: BrowserContext, example_origins: ExampleOrigins, api: str
):
    example = ExamplePage(context.new_page(), example_origins.listed, api)

    result = example.set_cookie("flavour", "oatmeal raisin")
    expect(result).to_have_attribute("data-status", "201")
    expect(result.locator("#set-cookie")).to_have_text(
        "flavour=oatmeal%20raisin; Path=/; HttpOnly; SameSite=Lax"
    )
    expect(result.locator("#warnings")).to_have_text("None.")
    assert example.list_cookies() == [("flavour", "oatmeal raisin")]

    result = example.read_cookie("flavour")
    expect(result).to_have_attribute("data-status", "200")
    expect(result.locator("#read-cookie .value")).to_have_text("oatmeal raisin")

    result = example.delete_cookie("flavour")
    expect(result).to_have_attribute("data-status", "200")
    expect(result.locator("#deletion-check")).to_have_attribute("data-gone", "true")
    assert example.list_cookies() == []
    result = example.read_cookie("flavour")
    expect(result).to_have_attribute("data-outcome", "problem")
    expect(result.locator("#problem")).to_contain_text("404 Not Found")
    assert context.cookies(api) == []


def test_page_shows_warnings_that_the_browser_then_proves_true(
    context: BrowserContext, example_origins: ExampleOrigins, api: str
):
    example = ExamplePage(context.new_page(), example_origins.listed, api)
    example.page.fill("#set-max-age", "0")

    result = example.set_cookie("short_lived", "gone")

    expect(result).to_have_attribute("data-status", "201")
    expect(result.locator("#warnings li")).to_have_text(
        ["max_age: 0 expires the cookie at once: browsers delete it."]
    )
    assert example.list_cookies() == []


def test_unlisted_origin_cannot_read_answers_and_sets_no_cookie(
    context: BrowserContext, example_origins: ExampleOrigins, api: str
):
    # The unlisted origin is the same site as the API: SameSite cannot be what stops the
    # cookie, so only CORS stands between the page and the API.
    refused = ExamplePage(context.new_page(), example_origins.unlisted, api)

    # A JSON body is preflighted: the refused preflight means the POST is never sent.
    result = refused.set_cookie("flavour", "oatmeal raisin", httponly=False)
    expect(result).to_have_attribute("data-outcome", "network-error")
    expect(result.locator("#network-error")).to_contain_text("Failed to fetch")
    # A GET is sent without asking first, but the page may not read the answer.
    result = refused.read_cookie("flavour")
    expect(result).to_have_attribute("data-outcome", "network-error")

    assert context.cookies(api) == []
    assert document_cookie_value(refused.page, "flavour") is None
    # The same request from the listed origin, in the same browser, does set the cookie.
    listed = ExamplePage(context.new_page(), example_origins.listed, api)
    assert listed.list_cookies() == []
    expect(listed.set_cookie("flavour", "oatmeal raisin")).to_have_attribute("data-status", "201")
    assert listed.list_cookies() == [("flavour", "oatmeal raisin")]


@pytest.mark.parametrize(
    "value",
    [
        'semi; comma, "quoted" back\\slash 100% é 🍪 and  two spaces',
        "",
        "  leading and trailing spaces  ",
        "a=b=c",
        "%41 is not A, %ZZ is not an escape",
        "日本語のクッキー",
    ],
    ids=["mixed", "empty", "edge-spaces", "equals", "percent", "cjk"],
)
def test_document_cookie_decodes_to_the_value_sent(
    context: BrowserContext, example_origins: ExampleOrigins, api: str, value: str
):
    example = ExamplePage(context.new_page(), example_origins.listed, api)

    result = example.set_cookie("note", value, httponly=False)

    expect(result).to_have_attribute("data-status", "201")
    wire_value = example.page.evaluate("value => encodeURIComponent(value)", value)
    expect(result.locator("#set-cookie")).to_have_text(f"note={wire_value}; Path=/; SameSite=Lax")
    example.page.goto(f"{api}/healthz")
    assert document_cookie_value(example.page, "note") == value


def test_httponly_cookie_is_hidden_from_script_but_sent_to_the_api(
    context: BrowserContext, example_origins: ExampleOrigins, api: str
):
    example = ExamplePage(context.new_page(), example_origins.listed, api)

    example.set_cookie("session", "s3cr3t", httponly=True)
    example.set_cookie("theme", "dark", httponly=False)

    assert example.list_cookies() == [("session", "s3cr3t"), ("theme", "dark")]
    page = context.new_page()
    page.goto(f"{api}/healthz")
    assert document_cookie_value(page, "theme") == "dark"
    assert document_cookie_value(page, "session") is None
    assert "session" not in page.evaluate("document.cookie")


@pytest.mark.parametrize(
    ("attributes", "warning"),
    [
        ({}, "browsers store a SameSite=Lax cookie only from same-site requests"),
        (
            {"samesite": "None", "secure": True},
            "browsers that block third-party cookies drop an unpartitioned cookie",
        ),
        ({"samesite": "None", "secure": True, "partitioned": True}, None),
    ],
    ids=["lax", "none-unpartitioned", "none-partitioned"],
)
def test_cross_site_page_is_warned_of_exactly_the_cookies_chromium_drops(
    context: BrowserContext,
    example_origins: ExampleOrigins,
    api: str,
    attributes: dict,
    warning: str | None,
):
    # localhost and 127.0.0.1 are different sites: the API's cookies are third-party here.
    example = ExamplePage(context.new_page(), example_origins.cross_site, api)

    result = example.set_cookie("widget", "1", **attributes)

    expect(result).to_have_attribute("data-status", "201")
    if warning is None:
        expect(result.locator("#warnings")).to_have_text("None.")
        assert example.list_cookies() == [("widget", "1")]
    else:
        expect(result.locator("#warnings li")).to_have_count(1)
        expect(result.locator("#warnings li")).to_contain_text(warning)
        assert example.list_cookies() == []
        assert context.cookies() == []


@pytest.fixture(scope="module")
def named_hosts_browser(browser: Browser) -> Iterator[Browser]:
    """A Chromium that resolves every name to 127.0.0.1, for hosts such as foo.corp."""
    chromium = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP * 127.0.0.1"],
    )
    yield chromium
    chromium.close()


POST_COOKIE = """async body => {
    const response = await fetch("/cookies", {
        method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
    });
    return [response.status, await response.json()];
}"""


def stored_domains(context: BrowserContext) -> dict[str, str]:
    """Each stored cookie's domain: a leading dot marks a domain cookie, none a host-only one."""
    return {cookie["name"]: cookie["domain"] for cookie in context.cookies()}


def test_chromium_stores_domains_under_unknown_top_level_names_as_the_api_says(
    named_hosts_browser: Browser, api: str
):
    """Chromium counts an unknown top-level name as a registry, as the API now does."""
    port = api.rsplit(":", 1)[1]
    context = named_hosts_browser.new_context()
    page = context.new_page()

    page.goto(f"http://foo.corp:{port}/docs")
    status, problem = page.evaluate(POST_COOKIE, {"name": "a", "value": "1", "domain": "corp"})
    assert (status, problem["findings"][0]["code"]) == (400, "domain_public_suffix")
    page.evaluate('document.cookie = "b=1; domain=corp"')
    status, _ = page.evaluate(POST_COOKIE, {"name": "c", "value": "1", "domain": "foo.corp"})
    assert status == 201
    assert stored_domains(context) == {"c": ".foo.corp"}

    page.goto(f"http://corp:{port}/docs")
    status, echo = page.evaluate(POST_COOKIE, {"name": "d", "value": "1", "domain": "corp"})
    assert (status, echo["domain"]) == (201, None)
    page.evaluate('document.cookie = "e=1; domain=corp"')
    # Both host-only: the Domain attribute equal to this host was ignored, as the answer said.
    assert stored_domains(context) == {"c": ".foo.corp", "d": "corp", "e": "corp"}
    context.close()


FRAME = """src => new Promise((resolve) => {
    const frame = document.createElement("iframe");
    frame.src = src;
    frame.onload = () => resolve(null);
    document.body.append(frame);
})"""


def test_a_page_of_another_origin_cannot_frame_the_docs(
    context: BrowserContext, example_origins: ExampleOrigins, api: str
):
    page = context.new_page()
    page.goto(f"{example_origins.listed}/index.html")

    page.evaluate(FRAME, f"{api}/docs")
    page.evaluate(FRAME, f"{example_origins.unlisted}/index.html")

    docs, example = page.frames[1:]
    # Chromium replaces a refused frame with its error page; a framable page loads as usual.
    assert docs.locator("#swagger-ui").count() == 0
    assert docs.url != f"{api}/docs"
    assert example.url.startswith(f"{example_origins.unlisted}/index.html")
    expect(example.locator("body")).not_to_be_empty()


def test_swagger_ui_teaches_lint_with_its_named_examples(context: BrowserContext, api: str):
    page = context.new_page()
    page.goto(f"{api}/docs")
    operation = page.locator("#operations-lint-lint_set_cookie")
    operation.locator(".opblock-summary-control").click()
    operation.get_by_role("button", name="Try it out").click()
    examples = operation.locator("select.examples-select-element")
    expect(examples).to_contain_text("A __Host- cookie with a Domain (dropped)")

    examples.select_option(label="A __Host- cookie with a Domain (dropped)")
    operation.get_by_role("button", name="Execute").click()

    response = operation.locator(".live-responses-table .response")
    expect(response.locator(".response-col_status")).to_have_text("200")
    expect(response.locator(".response-undocumented")).to_have_count(0)
    (result,) = shown_json(response)["results"]
    assert result["outcome"] == "rejected"
    assert [problem["code"] for problem in result["problems"]] == ["prefix_forbids_domain"]
    # It set nothing in the browser.
    assert context.cookies(api) == []
