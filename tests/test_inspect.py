# ruff: noqa: F811 (the fixtures of tests/test_browser.py, imported, are parameters here)
"""The inspector (/inspect) and the rule tables (/rules), served by the app.

In a real headless Chromium against a real ``cookie-api``: each table cell the inspector draws is
checked against the JSON that POST /lint answers for the same input, pasted as lines, a
``curl -i`` answer or a HAR file, and followed as a shared link. Screenshots go to
``test-artifacts/`` (git ignores it); axe-core, served from tests/typescript/node_modules,
checks accessibility.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from urllib.request import Request, urlopen

import pytest
import yaml
from playwright.sync_api import Browser, Page, expect

from api import create_app
from api.cookie_requests import REFUSED_RULES, WARNED_RULES
from api.inspect import PAGE_POLICY
from cookierules.findings import LINT_CODES, RULES
from tests.conftest import require
from tests.test_browser import browser  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "tests" / "typescript" / "node_modules" / "axe-core" / "axe.min.js"
README = (ROOT / "README.md").read_text(encoding="utf-8")
OPENAPI = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
NOW = "2026-03-01T12:00:00Z"


# Served by the app, under a strict policy


@pytest.mark.parametrize("path", ["/inspect", "/rules"])
def test_the_pages_are_html_under_a_strict_content_security_policy(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert response.mimetype == "text/html"
    policies = response.headers.getlist("Content-Security-Policy")
    assert PAGE_POLICY in policies
    assert "default-src 'self'" in PAGE_POLICY
    page = response.get_data(as_text=True)
    # Nothing inline that the policy would have to allow, and nothing from another origin.
    assert "<style" not in page
    assert " style=" not in page
    assert re.findall(r"<script(?![^>]*\ssrc=)", page) == []
    assert re.findall(r'(?:src|href)="(?:[a-z]+:)?//', page) == []


@pytest.mark.parametrize(
    ("path", "mimetype"),
    [
        ("/static/inspect/inspect.js", "text/javascript"),
        ("/static/inspect/style.css", "text/css"),
    ],
)
def test_the_inspector_files_are_served_by_the_app(client, path, mimetype):
    with client.get(path) as response:
        assert response.status_code == 200
        assert response.mimetype == mimetype
        assert response.get_data()


def test_the_rules_page_has_a_row_per_rule_with_its_anchor(client):
    page = client.get("/rules").get_data(as_text=True)

    for code in (*REFUSED_RULES, *WARNED_RULES, *LINT_CODES):
        row = re.search(rf'<tr id="{code}">(.*?)</tr>', page)
        assert row, code
        rule = RULES[code]
        assert f"<code>{code}</code>" in row.group(1)
        assert (rule.spec or "") in row.group(1)
        if rule.chromium:
            assert f"<code>{rule.chromium}</code>" in row.group(1)
    # Markdown's code spans become <code>, and the text is escaped.
    assert "<code>SameSite=None</code> requires <code>secure: true</code>" in page


def test_the_docs_link_the_inspector_and_the_rules(client):
    document = client.get("/openapi.json").get_json()

    assert "[the inspector](inspect)" in document["info"]["description"]
    assert "[the rules](rules)" in document["info"]["description"]
    for tag in document["tags"]:
        assert "[the rule tables](rules)" in tag["description"]
    # / leads to the docs, and links the inspector and the rules.
    root = client.get("/")
    assert root.headers["Location"] == "/docs"
    assert root.headers["Link"] == '<inspect>; rel="help", <rules>; rel="glossary"'


def test_a_partitioned_cookie_has_its_top_level_site_as_partition_key(client):
    response = client.post(
        "/lint",
        json={
            "url": "https://widget.example.net/embed",
            "set_cookie": ["w=1; Secure; SameSite=None; Partitioned", "u=1; Secure; SameSite=None"],
            "site_for_cookies": "https://www.shop.example.com/cart",
        },
    )

    keys = {cookie["name"]: cookie["partition_key"] for cookie in response.get_json()["cookies"]}
    assert keys == {"w": "https://example.com", "u": None}


# In Chromium


@pytest.fixture
def inspector(browser: Browser, live_server: str, request) -> Iterator[Page]:
    """The inspector at 900 px wide; a screenshot of it goes to test-artifacts/ after the test."""
    context = browser.new_context(viewport={"width": 900, "height": 1000})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors  # type: ignore[attr-defined]
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "_", request.node.name)
    page.screenshot(path=ARTIFACTS / f"inspect-{stem}.png", full_page=True)
    context.close()
    # No script error and no refusal by the page's Content-Security-Policy.
    assert errors == []


def open_inspector(page: Page, base: str, fragment: str = "") -> None:
    page.goto(f"{base}/inspect{fragment}")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")


def inspect(page: Page, text: str, url: str, then_url: str = "", **options: str) -> dict:
    """Fill the form in and press Inspect; the body POST /lint got, read from the fragment."""
    runs = int(page.locator("body").get_attribute("data-runs") or "0")
    page.fill("#input", text)
    page.fill("#url", url)
    page.fill("#then-url", then_url)
    page.fill("#site-for-cookies", options.get("site_for_cookies", ""))
    page.set_checked("#from-script", bool(options.get("from_script")))
    page.click("#inspect-button")
    expect(page.locator("body")).to_have_attribute("data-runs", str(runs + 1))
    return body_of(page)


def body_of(page: Page) -> dict:
    """The POST /lint body the page's fragment describes, as the page sends it."""
    fragment = parse_qs(urlsplit(page.url).fragment)
    body = {
        "url": fragment["url"][0],
        "set_cookie": fragment["c"],
        "now": fragment["now"][0],
        "then_url": fragment.get("then", fragment["url"])[0],
    }
    if "site" in fragment:
        body["site_for_cookies"] = fragment["site"][0]
    if "script" in fragment:
        body["from_script"] = True
    return body


def lint(base: str, body: dict) -> dict:
    request = Request(
        f"{base}/lint",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def cell_texts(page: Page, selector: str) -> list[list[str]]:
    """The text of each cell of each row of a table body."""
    return page.locator(selector).evaluate(
        """body => [...body.rows].map(row => [...row.cells].map(cell => cell.innerText.trim()))"""
    )


def expiry_text(expiry: str | None) -> str:
    if expiry is None:
        return "Session"
    moment = datetime.fromisoformat(expiry).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def assert_tables_show(page: Page, report: dict) -> None:
    """Every cell of the three tables is what the API's JSON says."""
    expect(page.locator("#report")).to_be_visible()
    timeline = cell_texts(page, "#timeline tbody")
    assert len(timeline) == len(report["results"])
    for index, (row, result) in enumerate(zip(timeline, report["results"], strict=True)):
        number, header, outcome, findings, fix = row
        assert (number, header, outcome) == (
            str(index + 1),
            result["set_cookie"],
            result["outcome"],
        )
        if result["problems"]:
            for problem in result["problems"]:
                assert problem["code"] in findings
                assert problem["message"] in findings
                assert problem["severity"].replace("_", " ") in findings.lower()
                if problem.get("fix"):
                    assert problem["fix"] in fix
        else:
            assert findings == "None."
    codes = page.locator("#timeline tbody tr").evaluate_all(
        "rows => rows.map(row => [...row.querySelectorAll('.finding')].map(li => li.dataset.code))"
    )
    assert codes == [[p["code"] for p in result["problems"]] for result in report["results"]]

    jar = cell_texts(page, "#jar tbody")
    expected = [
        [
            cookie["name"],
            cookie["value"],
            cookie["domain"] if cookie["host_only"] else f".{cookie['domain']}",
            cookie["path"],
            expiry_text(cookie["expiry"]),
            str(len(cookie["name"].encode()) + len(cookie["value"].encode())),
            "✓" if cookie["httponly"] else "",
            "✓" if cookie["secure"] else "",
            cookie["samesite"] or "",
            cookie["partition_key"] or "",
            cookie["priority"],
        ]
        for cookie in report["cookies"]
    ]
    assert jar == expected

    expect(page.locator("#cookie-header")).to_have_text(
        f"Cookie: {report['cookie_header']}" if report["cookie_header"] else "(no Cookie header)"
    )
    not_sent = cell_texts(page, "#not-sent tbody")
    assert [row[0] for row in not_sent] == [entry["cookie"]["name"] for entry in report["not_sent"]]
    for row, entry in zip(not_sent, report["not_sent"], strict=True):
        assert entry["problem"]["code"] in row[1]
        assert entry["problem"]["message"] in row[1]


def readme_lint_examples() -> list[dict]:
    """The bodies of the README's curl examples of POST /lint."""
    bodies = re.findall(r"curl \S+/lint .*?-d '(\{.*?\})'", README, re.DOTALL)
    assert bodies, "README.md has no POST /lint example"
    return [json.loads(body) for body in bodies]


def openapi_lint_examples() -> dict[str, dict]:
    operation = OPENAPI["paths"]["/lint"]["post"]
    examples = operation["requestBody"]["content"]["application/json"]["examples"]
    return {name: example["value"] for name, example in examples.items()}


EXAMPLES = {
    **{f"readme-{index}": body for index, body in enumerate(readme_lint_examples())},
    **{f"openapi-{name}": body for name, body in openapi_lint_examples().items()},
}


@pytest.mark.parametrize("body", EXAMPLES.values(), ids=EXAMPLES.keys())
def test_each_documented_example_is_drawn_cell_for_cell_as_the_api_answers(
    inspector: Page, live_server: str, body: dict
):
    open_inspector(inspector, live_server)

    sent = inspect(
        inspector,
        "\n".join(body["set_cookie"]),
        body["url"],
        body.get("then_url", ""),
        site_for_cookies=body.get("site_for_cookies", ""),
        from_script=body.get("from_script", False),
    )

    assert sent["set_cookie"] == body["set_cookie"]
    assert_tables_show(inspector, lint(live_server, sent))


CURL_I = (
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: application/json\r\n"
    "Set-Cookie: cart=42; SameSite=None; Path=/\r\n"
    "set-cookie: theme=dark; Path=/; Max-Age=600\r\n"
    "Set-Cookie: __Host-id=1; Secure; Path=/; Domain=example.com\r\n"
    "Cache-Control: no-store\r\n"
    "\r\n"
    '{"ok": true}'
)


def test_a_curl_i_answer_is_read_for_its_set_cookie_headers(inspector: Page, live_server: str):
    open_inspector(inspector, live_server)

    sent = inspect(inspector, CURL_I, "https://shop.example.com/cart")

    assert sent["set_cookie"] == [
        "cart=42; SameSite=None; Path=/",
        "theme=dark; Path=/; Max-Age=600",
        "__Host-id=1; Secure; Path=/; Domain=example.com",
    ]
    expect(inspector.locator("#input-kind")).to_contain_text("Read 3 Set-Cookie header(s)")
    report = lint(live_server, sent)
    assert_tables_show(inspector, report)
    assert [row[2] for row in cell_texts(inspector, "#timeline tbody")] == [
        "rejected",
        "stored",
        "rejected",
    ]
    # Readable at 900 px: neither the page nor a table scrolls sideways.
    assert inspector.evaluate("document.documentElement.scrollWidth") <= 900
    overflowing = inspector.locator(".scroll").evaluate_all(
        """regions => regions
            .filter((region) => region.scrollWidth > region.clientWidth)
            .map((region) => [region.getAttribute("aria-labelledby"), region.scrollWidth])"""
    )
    assert overflowing == []


def har(*entries: tuple[str, list[str]]) -> str:
    """A HAR file as Chromium exports one: a response's Set-Cookie headers joined by newlines."""
    return json.dumps(
        {
            "log": {
                "version": "1.2",
                "creator": {"name": "WebInspector", "version": "537.36"},
                "entries": [
                    {
                        "request": {"method": "GET", "url": url, "headers": []},
                        "response": {
                            "status": 200,
                            "headers": [{"name": "content-type", "value": "text/html"}]
                            + (
                                [{"name": "set-cookie", "value": "\n".join(cookies)}]
                                if cookies
                                else []
                            ),
                        },
                    }
                    for url, cookies in entries
                ],
            }
        }
    )


def test_a_har_file_is_read_per_response(inspector: Page, live_server: str, tmp_path: Path):
    archive = har(
        ("https://www.example.com/", []),
        (
            "https://www.example.com/login",
            ["session=abc; Secure; HttpOnly", "lang=en; Domain=example.org"],
        ),
        ("https://cdn.example.net/app.js", ["tracker=1; SameSite=None; Secure"]),
    )
    path = tmp_path / "session.har"
    path.write_text(archive)
    open_inspector(inspector, live_server)

    inspector.set_input_files("#har-file", path)
    expect(inspector.locator("#input-kind")).to_contain_text("2 response(s) set cookies")
    options = inspector.locator("#har-entry option")
    expect(options).to_have_text(
        [
            "GET https://www.example.com/login → 200 (2 Set-Cookie)",
            "GET https://cdn.example.net/app.js → 200 (1 Set-Cookie)",
        ]
    )
    inspector.click("#inspect-button")
    expect(inspector.locator("body")).to_have_attribute("data-runs", "1")

    sent = body_of(inspector)
    assert (sent["url"], sent["set_cookie"]) == (
        "https://www.example.com/login",
        ["session=abc; Secure; HttpOnly", "lang=en; Domain=example.org"],
    )
    # The form now holds that response: its lines, its URL.
    expect(inspector.locator("#url")).to_have_value("https://www.example.com/login")
    assert_tables_show(inspector, lint(live_server, sent))

    # The other response, chosen from the list, from the HAR pasted as text.
    inspector.fill("#input", archive)
    inspector.select_option("#har-entry", index=1)
    inspector.click("#inspect-button")
    expect(inspector.locator("body")).to_have_attribute("data-runs", "2")
    sent = body_of(inspector)
    assert sent["url"] == "https://cdn.example.net/app.js"
    assert_tables_show(inspector, lint(live_server, sent))


def test_a_har_file_recorded_by_chromium_is_read(
    inspector: Page, live_server: str, browser: Browser, tmp_path: Path
):
    archive = tmp_path / "recorded.har"
    recording = browser.new_context(record_har_path=archive)
    page = recording.new_page()
    page.goto(f"{live_server}/healthz")
    sent = page.evaluate(
        """async () => {
            const response = await fetch("/cookies", {
                method: "POST",
                headers: {"Content-Type": "application/json"},
                body: JSON.stringify({name: "recorded", value: "a b", max_age: 60}),
            });
            return (await response.json()).set_cookie;
        }"""
    )
    recording.close()  # writes the HAR file
    open_inspector(inspector, live_server)

    inspector.set_input_files("#har-file", archive)
    expect(inspector.locator("#har-entry option")).to_have_text(
        [f"POST {live_server}/cookies → 201 (1 Set-Cookie)"]
    )
    inspector.click("#inspect-button")
    expect(inspector.locator("body")).to_have_attribute("data-runs", "1")

    body = body_of(inspector)
    assert (body["url"], body["set_cookie"]) == (f"{live_server}/cookies", [sent])
    assert_tables_show(inspector, lint(live_server, body))
    expect(inspector.locator("#jar tbody th")).to_have_text(["recorded"])


def test_a_shared_link_shows_the_same_diagnosis(
    inspector: Page, live_server: str, browser: Browser
):
    open_inspector(inspector, live_server)
    body = EXAMPLES["readme-0"]
    inspect(inspector, "\n".join(body["set_cookie"]), body["url"], body["then_url"])
    link = inspector.url
    shown = cell_texts(inspector, "#timeline tbody"), cell_texts(inspector, "#jar tbody")

    # Another browser profile, with nothing but the link.
    other = browser.new_context(viewport={"width": 1240, "height": 900})
    page = other.new_page()
    page.goto(link)
    expect(page.locator("body")).to_have_attribute("data-runs", "1")

    assert (cell_texts(page, "#timeline tbody"), cell_texts(page, "#jar tbody")) == shown
    expect(page.locator("#url")).to_have_value(body["url"])
    expect(page.locator("#input")).to_have_value("\n".join(body["set_cookie"]))
    assert_tables_show(page, lint(live_server, body_of(page)))
    other.close()


def test_only_cookies_with_an_issue_hides_the_others(inspector: Page, live_server: str):
    open_inspector(inspector, live_server)
    inspect(
        inspector,
        "a=1; Path=/\nb=2; Secure; Path=/\nc=3; Foo=bar",
        "https://www.example.com/",
        "http://www.example.com/",
    )
    rows = inspector.locator("#jar tbody tr")
    expect(rows).to_have_count(3)

    inspector.check("#only-issues")

    # b is Secure and not sent over http; c has an unknown attribute. a is fine.
    expect(inspector.locator("#jar tbody tr:visible th")).to_have_text(["b", "c"])
    inspector.uncheck("#only-issues")
    expect(inspector.locator("#jar tbody tr:visible")).to_have_count(3)


INJECT = """() => new Promise((resolve) => {
    const refused = [];
    document.addEventListener(
        "securitypolicyviolation", (event) => refused.push(event.violatedDirective));
    const script = document.createElement("script");
    script.textContent = "window.injected = true";
    document.body.append(script);
    const style = document.createElement("div");
    style.setAttribute("style", "color: red");
    document.body.append(style);
    fetch("https://example.com/").catch(() => null).finally(() =>
        setTimeout(() => resolve([window.injected === true, refused]), 100));
})"""


def test_chromium_enforces_the_pages_policy(inspector: Page, live_server: str):
    open_inspector(inspector, live_server)

    ran, refused = inspector.evaluate(INJECT)

    # An injected inline script does not run; inline style and other origins are refused too.
    assert ran is False
    assert {"script-src-elem", "style-src-attr", "connect-src"} <= set(refused)
    inspector.errors.clear()  # type: ignore[attr-defined] (Chromium logs each refusal)


def test_a_refused_input_shows_the_problem(inspector: Page, live_server: str):
    open_inspector(inspector, live_server)

    inspect(inspector, "a=1", "ftp://example.com/")

    problem = inspector.locator("#problem")
    expect(problem).to_be_visible()
    expect(problem).to_contain_text("400")
    expect(problem).to_contain_text("url_invalid")
    expect(inspector.locator("#report")).to_be_hidden()
    # Chromium logs the 400 itself; nothing else went wrong.
    assert inspector.errors == [  # type: ignore[attr-defined]
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
    inspector.errors.clear()  # type: ignore[attr-defined]


def test_the_inspector_works_from_the_keyboard(inspector: Page, live_server: str):
    open_inspector(inspector, live_server)
    keyboard = inspector.keyboard

    # Tab from the top of the page: the header's links, then the input.
    for _ in range(4):
        keyboard.press("Tab")
        if inspector.evaluate("document.activeElement.id") == "input":
            break
    assert inspector.evaluate("document.activeElement.id") == "input"
    keyboard.type("id=1; SameSite=None")
    focused = []
    while inspector.evaluate("document.activeElement.id") != "url":
        keyboard.press("Tab")
        focused.append(inspector.evaluate("document.activeElement.id"))
    assert focused == ["har-file", "url"]
    keyboard.type("https://www.example.com/")
    keyboard.press("Enter")

    expect(inspector.locator("body")).to_have_attribute("data-runs", "1")
    expect(inspector.locator("#timeline tbody td:nth-child(3)")).to_have_text("rejected")
    inspector.focus("#only-issues")
    keyboard.press("Space")
    assert inspector.is_checked("#only-issues")


def axe_violations(page: Page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    require(AXE.exists(), f"axe-core is not installed at {AXE} (npm ci --prefix tests/typescript)")
    # Through the DevTools protocol, which the page's Content-Security-Policy does not govern.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    result = page.evaluate("async () => await axe.run(document)")
    return [
        {"id": item["id"], "impact": item["impact"], "nodes": [n["target"] for n in item["nodes"]]}
        for item in result["violations"]
        if item["impact"] in ("serious", "critical")
    ]


def test_axe_finds_no_serious_violation_in_the_inspector_or_the_rules(
    inspector: Page, live_server: str
):
    open_inspector(inspector, live_server)
    assert axe_violations(inspector) == []
    body = EXAMPLES["openapi-what_is_sent"]
    inspect(inspector, "\n".join(body["set_cookie"]), body["url"], body["then_url"])
    inspector.check("#only-issues")
    inspector.locator("details summary").click()
    assert axe_violations(inspector) == []

    inspector.goto(f"{live_server}/rules")
    assert axe_violations(inspector) == []


# Swagger UI


def test_the_first_operation_is_on_the_first_screen_of_the_docs(browser: Browser, live_server: str):
    context = browser.new_context(viewport={"width": 1240, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server}/docs")
    first = page.locator(".opblock").first
    expect(first).to_be_visible()

    top = first.bounding_box()["y"]
    lint_top = page.locator("#operations-lint-lint_set_cookie").bounding_box()["y"]
    print(f"first operation at {top:.0f} px, POST /lint at {lint_top:.0f} px")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "docs-first-screen.png")
    assert top + first.bounding_box()["height"] <= 900
    # The description links the rule tables and the inspector, and both links work.
    links = {
        name: page.get_by_role("link", name=name).first.evaluate("link => link.href")
        for name in ("the rules", "the inspector", "the rule tables")
    }
    assert links == {
        "the rules": f"{live_server}/rules",
        "the inspector": f"{live_server}/inspect",
        "the rule tables": f"{live_server}/rules",
    }
    page.goto(links["the rules"])
    expect(page.locator("#refused-rules tbody tr")).to_have_count(len(REFUSED_RULES))
    page.goto(links["the inspector"])
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    context.close()


def test_delete_try_it_out_works_as_prefilled(browser: Browser, live_server: str):
    context = browser.new_context(viewport={"width": 1240, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server}/docs")
    operation = page.locator("#operations-cookies-delete_cookie")
    operation.locator(".opblock-summary-control").click()
    operation.get_by_role("button", name="Try it out").click()

    # Nothing but the name (its example) and the path (its default) is filled in.
    expect(operation.locator("tr[data-param-name='domain'] input")).to_have_value("")
    operation.get_by_role("button", name="Execute").click()

    response = operation.locator(".live-responses-table .response")
    expect(response.locator(".response-col_status")).to_have_text("200")
    expect(response.locator(".response-undocumented")).to_have_count(0)
    shown = json.loads(response.locator(".highlight-code pre").first.inner_text())
    assert shown["set_cookie"].startswith("theme=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT")
    context.close()


# Every example of the document, executed as shown


def documented_requests() -> Iterator[tuple[str, str, str, dict, int]]:
    """(id, method, path, request arguments, documented success status) for each example."""
    for path, item in OPENAPI["paths"].items():
        for method, operation in item.items():
            success = min(int(status) for status in operation["responses"] if int(status) < 300)
            parameters = operation.get("parameters", [])
            filled = {
                p["name"]: p.get("example", p["schema"].get("example", p["schema"].get("default")))
                for p in parameters
            }
            url = path
            for name, value in filled.items():
                url = url.replace(f"{{{name}}}", str(value))
            query = {
                p["name"]: filled[p["name"]]
                for p in parameters
                if p["in"] == "query" and filled[p["name"]] is not None
            }
            query = {
                key: str(value).lower() if isinstance(value, bool) else value
                for key, value in query.items()
            }
            if any(p["in"] == "path" and filled[p["name"]] is None for p in parameters):
                continue  # nothing to show: Swagger UI asks for the value
            content = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if content is None:
                yield operation["operationId"], method, url, {"query_string": query}, success
                continue
            for name, example in content["examples"].items():
                yield (
                    f"{operation['operationId']}-{name}",
                    method,
                    url,
                    {"json": example["value"], "query_string": query},
                    success,
                )


DOCUMENTED = list(documented_requests())


@pytest.mark.parametrize(
    ("method", "path", "arguments", "status"),
    [case[1:] for case in DOCUMENTED],
    ids=[case[0] for case in DOCUMENTED],
)
def test_every_example_of_the_document_executes_as_shown(method, path, arguments, status):
    # On the server the README's first command starts (no COOKIE_API_SECRET_KEY), as Swagger
    # UI sends it from the docs page: same origin, over HTTPS.
    client = create_app({"TESTING": True}).test_client()
    response = client.open(path, method=method.upper(), base_url="https://localhost", **arguments)

    assert response.status_code == status, response.get_json()
