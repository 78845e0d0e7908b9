"""POST /replay as a client sees it: the README's example, bad input, HAR files, bounds."""

from __future__ import annotations

import http.server
import json
import re
import shutil
import ssl
import sys
import threading
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api import create_app
from cookierules.findings import REPLAY_CODES, rule_table
from cookierules.flow import MAX_ANSWER_BYTES
from tests.chromium_oracle import chromium_args, make_certificate
from tests.conftest import require
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS
from tests.test_cookierules_flow import T0, entry, har

ROOT = Path(__file__).resolve().parent.parent
APP = "https://app.example"
ONE = {"steps": [{"url": f"{APP}/"}]}


def readme_replay_example() -> tuple[dict, str]:
    """The body of the README's POST /replay curl example, and the explanation it shows."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Why is my cookie not sent in this flow? POST /replay", 1)[1]
    [body] = re.findall(r"curl http://127\.0\.0\.1:8000/replay .*? -d '(.*?)'\n", section, re.S)
    [explanation] = re.findall(r'"message": "(cross-site POST navigation: [^"]*)"', section)
    return json.loads(body), explanation


def test_the_readme_oauth_form_post_example_explains_the_lost_session(client):
    body, explanation = readme_replay_example()

    response = client.post("/replay", json=body)

    assert response.status_code == 200
    callback = response.get_json()["steps"][2]
    assert (callback["method"], callback["context"], callback["cookie_header"]) == (
        "POST",
        "cross-site POST navigation",
        None,
    )
    [(name, [problem])] = [(item["name"], item["problems"]) for item in callback["not_sent"]]
    assert (name, problem["message"], problem["chromium"]) == (
        "sid",
        explanation,
        "EXCLUDE_SAMESITE_LAX",
    )
    assert explanation == "cross-site POST navigation: Lax cookies are not sent"


def test_a_real_server_answers_a_replay(live_server):
    body, explanation = readme_replay_example()

    response = requests.post(f"{live_server}/replay", json=body, timeout=10)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.json()["steps"][2]["not_sent"][0]["problems"][0]["message"] == explanation


def step(**fields):
    return {"steps": [{"url": f"{APP}/", **fields}]}


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({}, "_body", "steps_or_har"),
        ({**ONE, "har": {"log": {}}}, "_body", "steps_or_har"),
        ({"steps": []}, "steps", "step_count"),
        ({"steps": [{"url": f"{APP}/"}] * 101}, "steps", "step_count"),
        ({"steps": "x"}, "steps", "invalid_type"),
        ({"steps": [1]}, "steps[0]", "invalid_type"),
        ({"steps": [{}]}, "steps[0].url", "field_required"),
        ({"steps": [{"url": "/x"}]}, "steps[0].url", "url_invalid"),
        ({"steps": [{"url": f"{APP}/{'x' * 8200}"}]}, "steps[0].url", "url_too_long"),
        (step(initiator="0" * 8200), "steps[0].initiator", "url_too_long"),
        (
            step(response={"location": f"{APP}/{'x' * 8200}"}),
            "steps[0].response.location",
            "url_too_long",
        ),
        (step(method="GE T"), "steps[0].method", "invalid_type"),
        (step(kind="popup"), "steps[0].kind", "invalid_choice"),
        (step(credentials="always"), "steps[0].credentials", "invalid_choice"),
        (step(at="2026-12-04T10:00:00"), "steps[0].at", "offset_required"),
        (step(top_level_url="file:///x"), "steps[0].top_level_url", "url_invalid"),
        (step(response={"set_cookie": ["a=1"] * 51}), "steps", "header_count"),
        (
            step(response={"set_cookie": ["a=" + "x" * 262_200]}),
            "steps[0].response.set_cookie[0]",
            "header_too_long",
        ),
        (step(response={"status": "302"}), "steps[0].response.status", "invalid_type"),
        (step(response={"cookies": []}), "steps[0].response.cookies", "unknown_field"),
        (
            {"steps": [{"url": f"{APP}/", "response": {"set_cookie": ["a=1"] * 50}}] * 21},
            "steps",
            "replay_too_large",
        ),
        ({**ONE, "browser": "safari"}, "browser", "invalid_choice"),
        ({"har": {"log": {"entries": []}}}, "har", "har_invalid"),
        ({"har": {"log": {"entries": [{"request": {"url": 1}}]}}}, "har", "har_invalid"),
        ({"har": []}, "har", "invalid_type"),
        ({**ONE, "then_url": APP}, "then_url", "unknown_field"),
        (step(initiator="\ud800"), "steps", "value_not_unicode"),
        ({"har": {"log": {"\ud800": 1}}}, "har", "value_not_unicode"),
        (step(response={"status": 302, "location": "http://[::1"}), "location", "url_invalid"),
        (step(response={"status": 99}), "steps[0].response.status", "invalid_type"),
    ],
)
def test_bad_input_is_a_400_problem_with_codes(client, body, field, code):
    response = client.post("/replay", json=body)

    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert (field, code) in [(f["field"], f["code"]) for f in response.get_json()["findings"]]


def test_a_body_over_the_har_limit_is_a_413(client):
    response = client.post("/replay", json={"har": {}, "pad": "x" * (4 * 1024 * 1024 + 70_000)})

    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    ("steps", "size", "attributes", "status"),
    [
        (15, 100, "Path=/", 200),
        (6, 1000, "Path=/", 200),
        (7, 1000, "Max-Age=x", 200),
        (5, 2000, "Expires=x; Max-Age=x; Foo", 200),
        (20, 100, "Path=/", 400),
        (100, 10, "Max-Age=x", 400),
    ],
)
def test_no_answer_is_over_1_mib(client, steps, size, attributes, status):
    """Flows that grow the jar at every step: answered within 1 MiB, or refused with a 400."""
    body = {
        "steps": [
            {
                "url": f"{APP}/p{n}/q",
                "response": {
                    "set_cookie": [f"c{n}x{k}={'v' * size}; {attributes}" for k in range(10)]
                },
            }
            for n in range(steps)
        ]
    }

    response = client.post("/replay", json=body)

    assert response.status_code == status
    assert len(response.data) <= MAX_ANSWER_BYTES
    if status == 400:
        assert [f["code"] for f in response.get_json()["findings"]] == ["replay_too_large"]


def test_raw_header_text_is_read_like_set_cookie(client):
    body = {
        "steps": [
            {
                "url": f"{APP}/start",
                "response": {
                    "headers_text": "HTTP/2 302\r\nset-cookie: a=1; Path=/\r\nlocation: /home\r\n"
                },
            },
            {"url": f"{APP}/home"},
        ]
    }

    answer = client.post("/replay", json=body).get_json()

    assert [s["results"][0]["outcome"] for s in answer["steps"][:1]] == ["stored"]
    assert answer["steps"][1]["cookie_header"] == "a=1"


def test_a_har_answers_each_entry_in_order_with_what_was_recorded(client):
    entries = [
        {
            "request": {
                "method": "GET",
                "url": f"{APP}/login",
                "headers": [{"name": "Sec-Fetch-Dest", "value": "document"}],
            },
            "response": {
                "status": 302,
                "headers": [
                    {"name": "Set-Cookie", "value": "sid=1; Path=/; Secure; SameSite=Lax"},
                    {"name": "Location", "value": "/home"},
                ],
            },
        },
        {
            "request": {
                "method": "GET",
                "url": f"{APP}/home",
                "headers": [
                    {"name": "Sec-Fetch-Dest", "value": "document"},
                    {"name": "Cookie", "value": "sid=1"},
                ],
            },
            "response": {"status": 200, "headers": []},
        },
    ]

    answer = client.post("/replay", json={"har": {"log": {"entries": entries}}}).get_json()

    assert [
        (s["url"], s["method"], s["cookie_header"], s["recorded_cookie_header"], s["matches"])
        for s in answer["steps"]
    ] == [(f"{APP}/login", "GET", None, None, True), (f"{APP}/home", "GET", "sid=1", "sid=1", True)]
    assert answer["findings"] == []


# HAR entries a second apart, so each response is in before the next request leaves.
T1, T2 = T0 + timedelta(seconds=1), T0 + timedelta(seconds=2)


def set_cookie(value: str) -> dict:
    return {"name": "Set-Cookie", "value": value}


def test_a_recorded_fetch_that_sent_no_cookie_is_replayed_without_credentials(client):
    log = har(
        entry(f"{APP}/", received=[set_cookie("d=1; Path=/; Secure; SameSite=Lax")]),
        entry(f"{APP}/public", dest="empty", received=[set_cookie("api=1; Path=/; Secure")], at=T1),
        entry(f"{APP}/me", dest="empty", sent=[{"name": "Cookie", "value": "d=1"}], at=T2),
    )

    answer = client.post("/replay", json={"har": log}).get_json()

    steps = answer["steps"]
    assert [(s["cookie_header"], s["matches"]) for s in steps] == [
        (None, True),
        (None, True),
        ("d=1", True),
    ]
    assert steps[1]["results"][0]["outcome"] == "rejected"
    assert [(f["code"], f["step"]) for f in answer["findings"]] == [("har_credentials_inferred", 1)]


def test_a_recorded_cookie_no_response_set_joins_the_jar(client):
    sent = [{"name": "Cookie", "value": "sid=1; consent=yes"}]
    log = har(
        entry(f"{APP}/", received=[set_cookie("sid=1; Path=/; Secure; SameSite=Lax")]),
        entry(f"{APP}/next", sent=sent, at=T1),
        entry(f"{APP}/again", sent=sent, at=T2),
    )

    answer = client.post("/replay", json={"har": log}).get_json()

    assert [s["matches"] for s in answer["steps"]] == [True, True, True]
    assert [(f["code"], f["step"], f["name"]) for f in answer["findings"]] == [
        ("har_cookie_not_set_in_recording", 1, "consent")
    ]


def test_steps_typed_by_hand_have_no_recorded_header(client):
    answer = client.post("/replay", json=ONE).get_json()

    assert "recorded_cookie_header" not in answer["steps"][0]
    assert "matches" not in answer["steps"][0]


def test_post_lint_names_a_comma_joined_value(client):
    header = "a=1; Expires=Wed, 21 Oct 2027 07:28:00 GMT, b=2; HttpOnly"

    answer = client.post("/lint", json={"url": f"{APP}/", "set_cookie": [header]}).get_json()

    [result] = answer["results"]
    assert result["outcome"] == "stored"
    assert [c["name"] for c in answer["cookies"]] == ["a"]
    [joined] = [p for p in result["problems"] if p["code"] == "set_cookie_comma_joined"]
    assert "headers.get('set-cookie')" in joined["message"]
    assert "b=2; HttpOnly" in joined["message"]


def test_the_benchmark_runs():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import replay as bench
    finally:
        sys.path.remove(str(ROOT / "bench"))

    figures = bench.main(["--rounds", "1", "--seconds", "0.01"])

    assert set(figures) == {"replay_ms", "lint_ms", "ratio", "low", "high"}
    assert all(value > 0 for value in figures.values())


@pytest.mark.parametrize(("given", "sent"), [("post", "POST"), ("Get", "GET"), ("patch", "patch")])
def test_a_method_is_normalized_as_browsers_send_it(client, given, sent):
    answer = client.post("/replay", json=step(method=given)).get_json()

    assert answer["steps"][0]["method"] == sent


def test_the_readme_replay_table_is_made_from_the_catalogue(client):
    table = rule_table(REPLAY_CODES)

    assert table in (ROOT / "README.md").read_text(encoding="utf-8"), "copy rule_table()"
    page = client.get("/rules").get_data(as_text=True)
    assert all(f'<tr id="{code}">' in page for code in REPLAY_CODES)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
FIELDS = st.sampled_from(
    [
        "url",
        "method",
        "kind",
        "top_level_url",
        "initiator",
        "credentials",
        "at",
        "response",
        "document_cookie",
    ]
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    field=FIELDS,
    value=JSON,
    entry=st.dictionaries(
        st.sampled_from(["request", "response", "pageref", "_resourceType"]), JSON
    ),
)
def test_any_json_gets_an_answer_or_a_400_never_a_500(client, field, value, entry):
    for body in (step(**{field: value}), {"har": {"log": {"entries": [entry]}}}):
        response = client.post("/replay", json=body)

        assert response.status_code in (200, 400), response.get_data(as_text=True)


# A HAR recorded by real Chromium, replayed: every entry's Cookie header predicted


class _FlowSite(http.server.BaseHTTPRequestHandler):
    """An OAuth form_post login, then a page with a cross-site iframe and fetches, on two sites."""

    protocol_version = "HTTP/1.1"
    port = 0

    def answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        host, path = self.headers["Host"].split(":")[0], urlsplit(self.path).path
        app, idp = f"https://app.example.test:{self.port}", f"https://idp.example.co.uk:{self.port}"
        status, cookies, headers, body = 200, [], [], "ok"
        if (host, path) == ("app.example.test", "/login"):
            cookies = [
                "sid=1; Path=/; Secure; HttpOnly; SameSite=Lax",
                "pref=a; Path=/; Secure",
                "st=1; Path=/; Secure; SameSite=Strict",
            ]
            status, headers = 302, [f"Location: {idp}/authorize"]
        elif (host, path) == ("idp.example.co.uk", "/authorize"):
            cookies = ["idp=1; Path=/; Secure; SameSite=None"]
            body = (
                f'<form method=post action="{app}/callback"><input name=code value=1></form>'
                "<script>document.forms[0].submit()</script>"
            )
        elif (host, path) == ("app.example.test", "/callback"):
            cookies = ["sid=2; Path=/; Secure; HttpOnly; SameSite=Lax"]
            status, headers = 303, ["Location: /home"]
        elif (host, path) == ("app.example.test", "/home"):
            # The cross-site fetch waits for the iframe, whose response sets a cookie: entries
            # that overlap are replayed by their timings, which a loaded machine blurs.
            body = (
                f'<iframe src="{idp}/widget"></iframe><script>fetch("/api/me");'
                'document.querySelector("iframe").addEventListener("load", () => '
                f'fetch("{idp}/api/x", {{credentials: "include"}}))</script>'
            )
        elif (host, path) == ("idp.example.co.uk", "/widget"):
            cookies = ["w=1; Path=/; Secure; SameSite=None; Partitioned"]
            body = '<script>fetch("/api/ping", {credentials: "include"})</script>'
        elif path == "/api/x":
            headers = [
                f"Access-Control-Allow-Origin: {app}",
                "Access-Control-Allow-Credentials: true",
            ]
        page = f"<!doctype html><meta charset=utf-8><title>flow</title>{body}".encode()
        lines = [f"HTTP/1.1 {status} X", "Content-Type: text/html", "Cache-Control: no-store"]
        lines += [f"Set-Cookie: {cookie}" for cookie in cookies] + headers
        lines.append(f"Content-Length: {len(page)}")
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode() + page)

    do_GET = do_POST = answer

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.mark.parametrize(
    ("browser", "preferences"),
    [
        ("chromium", {"cookie_controls_mode": 0, "block_third_party_cookies": False}),
        (
            "chromium-third-party-blocked",
            {"cookie_controls_mode": 1, "block_third_party_cookies": True},
        ),
    ],
)
def test_a_har_recorded_by_chromium_is_predicted_entry_by_entry(
    playwright, tmp_path, browser, preferences
):
    require(Path(CHROMIUM).exists(), f"Chromium is not installed at {CHROMIUM}")
    require(shutil.which("openssl") is not None, "openssl is not installed")
    certificate = make_certificate(tmp_path)
    handler = type("Handler", (_FlowSite,), {})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(certificate.cert, certificate.key)
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    handler.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    (tmp_path / "profile" / "Default").mkdir(parents=True)
    (tmp_path / "profile" / "Default" / "Preferences").write_text(
        json.dumps({"profile": preferences})
    )
    har_path = tmp_path / "flow.har"
    try:
        context = playwright.chromium.launch_persistent_context(
            tmp_path / "profile",
            executable_path=CHROMIUM,
            headless=True,
            args=[*CHROMIUM_ARGS, *chromium_args(certificate)],
            record_har_path=str(har_path),
        )
        page = context.pages[0] if context.pages else context.new_page()
        with (
            page.expect_response(lambda response: response.url.endswith("/api/x")),
            page.expect_response(lambda response: response.url.endswith("/api/ping")),
        ):
            page.goto(f"https://app.example.test:{handler.port}/login")
        context.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
    har = json.loads(har_path.read_text(encoding="utf-8"))

    answer = requests_free_replay(har, browser)

    steps = answer["steps"]
    assert len(steps) == len(har["log"]["entries"]) >= 8
    assert [(s["url"], s["cookie_header"]) for s in steps if not s["matches"]] == []
    callback = next(s for s in steps if s["method"] == "POST")
    assert callback["context"] == "cross-site POST navigation"
    assert "cross-site POST navigation: Lax cookies are not sent" in [
        problem["message"] for item in callback["not_sent"] for problem in item["problems"]
    ]


def requests_free_replay(har: dict, browser: str) -> dict:
    """POST /replay through the app in process, with a body limit that fits the HAR."""
    app = create_app({"TESTING": True})
    response = app.test_client().post("/replay", json={"har": har, "browser": browser})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()
