"""POST /lint as a client sees it: bad input, arbitrary input, the Swagger examples, caching."""

from __future__ import annotations

import gc
import json
import re
import tracemalloc
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cookierules.findings import LINT_CODES, RULES, rule_table
from schemas.lint import MAX_HEADER_BYTES, MAX_HEADERS
from tests.raw_http import PROBLEM_JSON, build_request, chunked, exchange

ROOT = Path(__file__).resolve().parent.parent
JSON = "application/json"
GOOD = {"url": "https://www.example.com/", "set_cookie": ["a=1"]}
# Where a per-browser claim may come from: Chromium or Firefox sources, or a wpt cookies/ test.
CITATION = re.compile(r"net/cookies/\w+\.(cc|h)|netwerk/cookie/|wpt cookies/|libsoup/cookies/")


def codes(response) -> list[str]:
    return [item["code"] for item in response.get_json()["findings"]]


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"url": "/relative/path"}, "url", "url_invalid"),
        ({"url": "www.example.com"}, "url", "url_invalid"),
        ({"url": "ftp://www.example.com/"}, "url", "url_invalid"),
        ({"url": "javascript:alert(1)"}, "url", "url_invalid"),
        ({"url": "https://"}, "url", "url_invalid"),
        ({"url": "https://[::1/"}, "url", "url_invalid"),
        ({"then_url": "file:///etc/passwd"}, "then_url", "url_invalid"),
        ({"site_for_cookies": "//www.example.com/"}, "site_for_cookies", "url_invalid"),
        ({"set_cookie": []}, "set_cookie", "header_count"),
        ({"set_cookie": ["a=1"] * 51}, "set_cookie", "header_count"),
        ({"set_cookie": ["a=" + "x" * (MAX_HEADER_BYTES - 1)]}, "set_cookie", "header_too_long"),
        ({"set_cookie": ["é" * (MAX_HEADER_BYTES // 2 + 1)]}, "set_cookie", "header_too_long"),
        ({"set_cookie": ["a=\ud800"]}, "set_cookie", "value_not_unicode"),
        ({"set_cookie": "a=1"}, "set_cookie", "invalid_type"),
        ({"set_cookie": [1]}, "set_cookie", "invalid_type"),
        ({"now": "2026-01-01T00:00:00"}, "now", "offset_required"),
        ({"now": "yesterday"}, "now", "invalid_type"),
        ({"from_script": "true"}, "from_script", "invalid_type"),
        ({"cookies": []}, "cookies", "unknown_field"),
    ],
)
def test_bad_input_is_a_400_problem_with_codes(client, change, field, code):
    response = client.post("/lint", json={**GOOD, **change})

    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert [(item["field"], item["code"]) for item in problem["findings"]] == [(field, code)]
    assert field in problem["errors"]


def test_missing_fields_are_named(client):
    response = client.post("/lint", json={})

    assert response.status_code == 400
    assert sorted(codes(response)) == ["field_required", "field_required"]
    assert sorted(response.get_json()["errors"]) == ["set_cookie", "url"]


def test_the_limits_are_inclusive(client):
    body = {**GOOD, "set_cookie": ["a=" + "x" * 8190] + ["b=1"] * 49}

    response = client.post("/lint", json=body)

    assert response.status_code == 200
    assert len(response.get_json()["results"]) == 50


# The largest set_cookie there is room for, as JSON: 50 headers of 256 KiB together, each byte a
# control character, which JSON must write as a six-byte \uXXXX escape.
LARGEST_SET_COOKIE = ["\x01" * (MAX_HEADER_BYTES // MAX_HEADERS)] * MAX_HEADERS
# POST /lint's body limit: the default 64 KiB, plus those 50 x 8 KiB x 6 bytes.
LINT_LIMIT = 2_523_136


def largest_body(size: int | None = None) -> bytes:
    """A valid body carrying LARGEST_SET_COOKIE, padded with whitespace to ``size`` bytes."""
    body = json.dumps({**GOOD, "set_cookie": LARGEST_SET_COOKIE}).encode()
    return body + b" " * ((size or 0) - len(body))


@pytest.mark.parametrize(
    "headers",
    [
        [f"c{i:02}=" + "x" * (MAX_HEADER_BYTES // MAX_HEADERS - 4) for i in range(MAX_HEADERS)],
        LARGEST_SET_COOKIE,
    ],
    ids=["plain", "every-byte-escaped"],
)
def test_fifty_headers_of_256_kib_together_are_all_explained(client, headers: list[str]):
    """The app-wide 64 KiB limit refused these with a 413: the body is 256 KiB to 1.5 MiB."""
    response = client.post("/lint", json={**GOOD, "set_cookie": headers})

    assert response.status_code == 200
    assert [result["set_cookie"] for result in response.get_json()["results"]] == headers


def test_headers_longer_together_than_chromium_reads_are_a_400(client):
    """50 headers of 8 KiB: a response whose headers Chromium refuses as too big."""
    headers = [f"c{i:02}=" + "x" * (8 * 1024 - 4) for i in range(MAX_HEADERS)]

    response = client.post("/lint", json={**GOOD, "set_cookie": headers})

    assert response.status_code == 400
    assert [item["code"] for item in response.get_json()["findings"]] == ["headers_too_long"]


@pytest.mark.parametrize("escaped", [False, True])
def test_one_header_as_long_as_chromium_reads_is_explained(client, escaped: bool):
    """256 KiB, as Chromium reads (kMaxHeaderBufSize, net/http/http_stream_parser.h): no 400."""
    header = ("\x01" if escaped else "x") * MAX_HEADER_BYTES

    response = client.post("/lint", json={**GOOD, "set_cookie": [header]})

    assert response.status_code == 200
    assert [result["outcome"] for result in response.get_json()["results"]] == ["rejected"]


def test_a_body_one_byte_over_the_lint_limit_is_a_413_naming_that_limit(client):
    assert client.post("/lint", data=largest_body(LINT_LIMIT), content_type=JSON).status_code == 200

    response = client.post("/lint", data=largest_body(LINT_LIMIT + 1), content_type=JSON)

    assert response.status_code == 413
    assert response.mimetype == PROBLEM_JSON
    assert response.get_json()["detail"] == f"The request body is larger than {LINT_LIMIT} bytes."
    # Every other route keeps the app's limit.
    cookies = client.post("/cookies", data=b"{}" + b" " * 65535, content_type=JSON)
    assert cookies.get_json()["detail"] == "The request body is larger than 65536 bytes."


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_a_live_server_reads_the_largest_body_whole_and_refuses_one_byte_more(
    live_server, framing: str
):
    """cookie-api reads bodies up to /lint's limit before the app runs, either framing."""

    def post(body: bytes):
        headers = [(b"Content-Type", JSON.encode())]
        if framing == "chunked":
            headers.append((b"Transfer-Encoding", b"chunked"))
            body = chunked(body, 64 * 1024)
        request = build_request(
            "POST", b"/lint", headers, body, content_length=framing == "content-length"
        )
        return exchange(live_server, request, timeout=30)

    at_limit = post(largest_body(LINT_LIMIT))
    assert at_limit.status == 200
    assert len(at_limit.json()["results"]) == MAX_HEADERS

    over = post(largest_body(LINT_LIMIT + 1))
    assert over.status == 413
    assert over.header("content-type") == [PROBLEM_JSON]
    assert over.json()["detail"] == f"The request body is larger than {LINT_LIMIT} bytes."


def test_a_body_that_is_not_json_is_a_415(client):
    response = client.post("/lint", data="url=https://a.test/")

    assert response.status_code == 415
    assert response.mimetype == "application/problem+json"


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(headers=st.lists(st.text(max_size=300), min_size=1, max_size=4))
def test_arbitrary_text_never_causes_a_5xx(client, headers: list[str]):
    response = client.post("/lint", json={**GOOD, "set_cookie": headers, "then_url": GOOD["url"]})

    assert response.status_code in (200, 400), response.get_data(as_text=True)
    report = response.get_json()
    if response.status_code == 200:
        assert [result["set_cookie"] for result in report["results"]] == headers
        assert {result["outcome"] for result in report["results"]} <= {"stored", "rejected"}
    else:
        assert codes(response) == ["value_not_unicode"] * len(codes(response))


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    header=st.lists(
        st.sampled_from([*"a=;, \t\"'_-/.%x", "Path", "Domain", "Max-Age", "Secure", "__Host-"]),
        max_size=20,
    ).map("".join),
    url=st.sampled_from(["https://www.example.com/a/b", "http://localhost/", "http://[::1]/x"]),
)
def test_cookie_like_text_is_always_explained(client, header: str, url: str):
    response = client.post("/lint", json={"url": url, "set_cookie": [header]})

    assert response.status_code == 200
    (result,) = response.get_json()["results"]
    rejected = [p for p in result["problems"] if p["severity"] == "rejected"]
    # A rejected cookie always says why; a stored one never carries a rejection.
    assert (result["outcome"] == "rejected") == bool(rejected), result
    assert (result["cookie"] is None) == (result["outcome"] == "rejected")


def test_lint_sets_nothing_and_ignores_the_callers_cookies(client):
    body = {**GOOD, "set_cookie": ["session=1; Path=/"], "then_url": GOOD["url"]}

    plain = client.post("/lint", json=body)
    with_cookies = client.post("/lint", json=body, headers={"Cookie": "session=other"})

    assert "Set-Cookie" not in plain.headers
    assert plain.headers["Cache-Control"] == "no-store"
    assert plain.get_json() == with_cookies.get_json()
    assert plain.get_json()["cookie_header"] == "session=1"


def test_a_stored_cookie_carries_every_field(client):
    response = client.post(
        "/lint",
        json={
            "url": "https://www.example.com/app/page",
            "set_cookie": ["__Host-id=abc; Secure; Path=/; HttpOnly; SameSite=Strict; Max-Age=60"],
            "now": "2026-01-01T01:00:00+01:00",
        },
    )

    (result,) = response.get_json()["results"]
    assert result == {
        "set_cookie": "__Host-id=abc; Secure; Path=/; HttpOnly; SameSite=Strict; Max-Age=60",
        "outcome": "stored",
        "cookie": {
            "name": "__Host-id",
            "value": "abc",
            "domain": "www.example.com",
            "host_only": True,
            "path": "/",
            "expiry": "2026-01-01T00:01:00+00:00",
            "secure": True,
            "httponly": True,
            "samesite": "Strict",
            "partitioned": False,
            "priority": "Medium",
            "partition_key": None,
        },
        "problems": [],
    }


def test_browsers_notes_appear_only_where_cited(client):
    cited = {code for code, rule in RULES.items() if rule.browsers}
    assert cited, "the catalogue has no per-browser note at all"
    for code in cited:
        assert CITATION.search(RULES[code].browsers), code

    response = client.post(
        "/lint",
        json={
            "url": "https://www.example.com/",
            "set_cookie": ["a=1; Domain=bücher.example.com", "a=1; SameSite=None"],
        },
    )

    first, second = (result["problems"] for result in response.get_json()["results"])
    assert first[0]["code"] == "domain_non_ascii"
    assert "EXCLUDE_DOMAIN_NON_ASCII" in first[0]["browsers"]
    assert "browsers" not in second[0]


def lint_examples() -> dict:
    document = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    operation = document["paths"]["/lint"]["post"]
    return operation["requestBody"]["content"]["application/json"]["examples"]


@pytest.mark.parametrize("name", list(lint_examples()))
def test_each_swagger_example_does_what_its_summary_says(client, name: str):
    example = lint_examples()[name]

    response = client.post("/lint", json=example["value"])

    assert response.status_code == 200
    outcomes = [result["outcome"] for result in response.get_json()["results"]]
    if "(dropped)" in example["summary"]:
        assert outcomes == ["rejected"]
    elif "stores nothing" in example["summary"]:
        assert outcomes[-1] == "rejected"
    else:
        assert "rejected" not in outcomes


def test_the_200_example_is_what_the_first_example_gets(client):
    document = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    operation = document["paths"]["/lint"]["post"]
    documented = operation["responses"]["200"]["content"]["application/json"]["example"]

    response = client.post("/lint", json=next(iter(lint_examples().values()))["value"])

    assert response.get_json() == documented


def test_an_international_host_is_canonicalized_to_punycode(client):
    response = client.post(
        "/lint",
        json={
            "url": "https://BÜCHER.example/",
            "set_cookie": ["a=1", "b=1; Domain=xn--bcher-kva.example", "c=1; Domain=example."],
            "then_url": "https://www.xn--bcher-kva.example/",
        },
    )

    first, second, third = response.get_json()["results"]
    assert first["cookie"]["domain"] == "xn--bcher-kva.example"
    assert second["cookie"]["domain"] == "xn--bcher-kva.example"
    assert [problem["code"] for problem in third["problems"]] == [
        "domain_mismatch",
        "domain_other_site",
    ]
    report = response.get_json()
    assert report["cookie_header"] == "b=1"
    assert [(item["cookie"]["name"], item["problem"]["code"]) for item in report["not_sent"]] == [
        ("a", "not_sent_domain")
    ]


@pytest.mark.parametrize("length", [100, 5000])
def test_a_long_url_is_read_like_a_short_one(client, length: int):
    """A URL of a usual length and a long one, which is parsed without being cached."""
    directory = "/" + "d" * min(length, 1000)
    url = f"https://www.example.com{directory}/page?q={'x' * length}"
    response = client.post("/lint", json={"url": url, "set_cookie": ["a=1"], "then_url": url})

    report = response.get_json()
    assert report["results"][0]["cookie"]["path"] == directory
    assert report["cookie_header"] == "a=1"


def _lint_long_urls(client) -> None:
    for number in range(10):
        url = f"https://www.example.com/{number}/" + "p" * 1_000_000
        assert client.post("/lint", json={"url": url, "set_cookie": ["a=1"]}).status_code == 400


def test_long_urls_are_not_kept_after_the_request(client):
    """A body may hold a URL of megabytes; no cache keeps one (10 MB of URLs here)."""
    tracemalloc.start()
    try:
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        _lint_long_urls(client)
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert kept < 1_000_000


def test_a_host_that_is_no_host_name_is_a_400(client):
    response = client.post("/lint", json={**GOOD, "url": "https://ex\u200dample..com/"})

    assert response.status_code == 400
    assert codes(response) == ["url_invalid"]


@pytest.mark.parametrize("character", ["\r", "\n"])
def test_a_line_break_ends_the_header(client, character: str):
    response = client.post("/lint", json={**GOOD, "set_cookie": [f"a=1{character}; Secure"]})

    (result,) = response.get_json()["results"]
    assert result["outcome"] == "stored"
    assert (result["cookie"]["value"], result["cookie"]["secure"]) == ("1", False)
    assert [problem["code"] for problem in result["problems"]] == ["line_break_cuts_header"]


def test_a_nul_refuses_the_response(client):
    response = client.post("/lint", json={**GOOD, "set_cookie": ["a=1\x00; Secure", "b=1"]})

    results = response.get_json()["results"]
    assert [result["outcome"] for result in results] == ["rejected", "rejected"]
    assert [problem["code"] for result in results for problem in result["problems"]] == [
        "response_refused",
        "response_refused",
    ]


def test_the_lint_rule_table_is_made_from_the_catalogue():
    document = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    [lint] = [tag for tag in document["tags"] if tag["name"] == "lint"]
    table = rule_table(LINT_CODES)
    # Swagger UI links the tables (served at /rules, tests/test_inspect.py); README holds them.
    assert "[the rule tables](rules)" in lint["description"]
    assert table in (ROOT / "README.md").read_text(), "README.md's /lint table: copy rule_table()"
