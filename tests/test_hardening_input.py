"""Bounded work per request: what one hostile body costs a real ``cookie-api`` worker.

Each hostile request goes to a real single-worker server. Its answer must be at most 1 MiB and at
most 8 times its body plus 64 KiB; the worker must spend at most 100 ms of CPU on it (read from
/proc, user plus system time), and ``GET /healthz`` on the same worker must be answered within
250 ms while such requests keep it busy. The rest checks the smaller faults of the same review
through the app: bounded ``now``, total date arithmetic, percent-encoded hidden names, lone
surrogates in any field, the per-site cookie limit and caches that keep no huge key.
"""

from __future__ import annotations

import gc
import json
import os
import threading
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest

from api import create_app
from cookierules.cookie import Cookie
from cookierules.expiry import LATEST, expiry_of
from cookierules.sites import is_loopback_host, origin_site
from tests.conftest import require
from tests.raw_http import build_request, exchange, is_healthy, server_processes
from tests.test_lint_chromium import oracle  # noqa: F401  (the Chromium fixture)

MIB = 1024 * 1024
URL = "https://a.example/"
# The longest host name (RFC 1035: 253 characters) and the longest path the API takes (1 KiB).
LONG_HOST = ".".join(["a" * 63] * 3) + "." + "b" * 61
LONG_PATH = "/" + "p" * 1020 + "/x"


def compact(body: object) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def unknown_keys(prefix: bytes, size: int) -> bytes:
    """A JSON object that starts with ``prefix`` and fills ``size`` bytes with unknown keys."""
    keys = b",".join(b'"k%d":0' % number for number in range(size // 6))
    body = prefix + keys[: size - len(prefix)]
    return body.rsplit(b",", 1)[0] + b"}"


# Each hostile body, the path it goes to and the status it gets. The first five are the rows of
# the review that found the faults (issue 16, section 1); the others are the worst found since.
HOSTILE = {
    "1.26 million set_cookie items": (
        "/lint",
        compact({"url": URL, "set_cookie": [0] * 1_261_538}),
        400,
    ),
    "a 2.5 MB path, 50 headers, then_url": (
        "/lint",
        compact(
            {
                "url": "http://a.example/" + "x" * 2_500_000 + "/y",
                "set_cookie": [f"c{number}=1" for number in range(50)],
                "then_url": "http://a.example/",
            }
        ),
        400,
    ),
    "a 1.2 MB host, 50 headers, then_url": (
        "/lint",
        compact(
            {
                "url": "http://" + "a" * 1_200_000 + "/",
                "set_cookie": [f"c{number}=1" for number in range(50)],
                "then_url": "http://" + "a" * 1_200_000 + "/",
            }
        ),
        400,
    ),
    "50 headers of 8 KiB, a=1;a;a;...": (
        "/lint",
        compact({"url": URL, "set_cookie": ["a=1" + ";a" * 4094] * 50}),
        400,
    ),
    "a URL of 2.5 MB of DEL": (
        "/lint",
        compact({"url": "\x7f" * 2_500_000, "set_cookie": ["a=1"]}),
        400,
    ),
    "2.4 MB of unknown keys": (
        "/lint",
        unknown_keys(b'{"url":"https://a.example/",', 2_400_000),
        400,
    ),
    "60 KB of unknown keys to POST /cookies": ("/cookies", unknown_keys(b"{", 60_000), 400),
    "800,000 empty arrays": ("/lint", b'{"x":[' + b"[]," * 800_000 + b"[]]}", 400),
    "nesting 1.2 million deep": (
        "/lint",
        b'{"url":' + b"[" * 1_200_000 + b"]" * 1_200_000 + b"}",
        400,
    ),
    "a 2.4 MB string of lone surrogates": (
        "/lint",
        json.dumps({"url": URL + "\ud800" * 400_000, "set_cookie": ["a=1"]}).encode(),
        400,
    ),
    "50 headers of 100 distinct unknown attributes": (
        "/lint",
        compact(
            {
                "url": URL,
                "set_cookie": [
                    f"a{header}=1" + "".join(f"; {'x' * 45}{number}" for number in range(100))
                    for header in range(50)
                ],
                "then_url": URL,
            }
        ),
        200,
    ),
    "50 headers of 100 known attributes, cross-site": (
        "/lint",
        compact(
            {
                "url": URL,
                "set_cookie": [
                    f"a{header}=1"
                    + "; Expires=Wed, 21 Oct 2035 07:28:00 GMT; Domain=a.example; Path=/p; "
                    "Max-Age=100; SameSite=Lax; Secure; HttpOnly; Partitioned; Priority=High" * 10
                    for header in range(50)
                ],
                "then_url": URL,
                "site_for_cookies": "https://b.example/",
            }
        ),
        200,
    ),
    "50 headers of 5 KiB with an IDN Domain": (
        "/lint",
        compact(
            {
                "url": URL,
                "set_cookie": [
                    f"a{n}=1; x" + "x" * 4000 + "; Domain=" + "é" * 500 for n in range(50)
                ],
            }
        ),
        200,
    ),
    # Headers of 256 KiB in all (what Chromium reads of a response), of the costliest shapes.
    "50 headers of 256 KiB in all, 100 known attributes each, cross-site": (
        "/lint",
        compact(
            {
                "url": URL,
                "set_cookie": [
                    (
                        f"a{header}=1"
                        + "; Expires=Wed, 21 Oct 2035 07:28:00 GMT; Domain=a.example; Path=/p; "
                        "Max-Age=100; SameSite=Lax; Secure; HttpOnly; Partitioned; Priority=High"
                        * 10
                        + "; x="
                        + "y" * 5000
                    )[:5240]
                    for header in range(50)
                ],
                "then_url": URL,
                "site_for_cookies": "https://b.example/",
            }
        ),
        200,
    ),
    "50 headers of 256 KiB in all, long Domain and Path": (
        "/lint",
        compact(
            {
                "url": URL,
                "set_cookie": [
                    (f"a{header}=1" + f"; Domain={'a.' * 40}example; Path=/{'p' * 90}" * 50)[:5240]
                    for header in range(50)
                ],
                "then_url": URL,
            }
        ),
        200,
    ),
    "one header of 256 KiB, a long Path": (
        "/lint",
        compact({"url": URL, "set_cookie": ["a=1; Path=/" + "p/" * 131_000]}),
        200,
    ),
    "one header of 256 KiB, a long Expires": (
        "/lint",
        compact(
            {"url": URL, "set_cookie": ["a=1; Expires=" + "Wed 21 Oct 2035 07:28:00 GMT " * 9000]}
        ),
        200,
    ),
    "50 headers of 48 KiB, up to the body limit": (
        "/lint",
        compact(
            {
                "url": URL,
                "set_cookie": [f"a{header}=" + "v" * 49_000 for header in range(50)],
                "then_url": URL,
            }
        ),
        400,
    ),
}
# Where the answer is still larger than the targets: every cookie of the report is written out
# three times (results, cookies, not_sent), and with it its name, value, domain and path.
OVER_TARGET = {
    "50 cookies from the longest URL, none sent": (
        "/lint",
        compact(
            {
                "url": f"http://{LONG_HOST}{LONG_PATH}",
                "set_cookie": [f"c{number}=1" for number in range(50)],
                "then_url": "https://o.example/",
            }
        ),
        200,
    ),
    "50 headers of 256 KiB in all of control characters, each echoed": (
        "/lint",
        json.dumps(
            {"url": URL, "set_cookie": [f"a{n}=" + "\x01" * 5200 for n in range(50)]}
        ).encode(),
        200,
    ),
    "50 cookies with 4 KiB names, none sent": (
        "/lint",
        compact(
            {
                "url": f"http://{LONG_HOST}{LONG_PATH}",
                "set_cookie": [f"{'n' * 4090}{number:03}=" + "; Path" * 99 for number in range(50)],
                "then_url": "https://o.example/",
            }
        ),
        200,
    ),
}


@pytest.fixture(scope="module")
def server(start_server) -> str:
    require(Path("/proc").is_dir(), "/proc is needed to read the worker's CPU time")
    return start_server()


def worker_pid(base_url: str) -> int:
    """The one worker process of a ``--workers 1`` server: the child of the main process."""
    pids = server_processes(base_url)
    workers = [pid for pid in pids if _parent(pid) in pids]
    assert len(workers) == 1, f"expected one worker among {pids}"
    return workers[0]


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def post(base_url: str, path: str, body: bytes, headers=()) -> tuple[int | None, bytes]:
    request = build_request(
        "POST", path.encode(), [(b"Content-Type", b"application/json"), *headers], body
    )
    response = exchange(base_url, request, timeout=60)
    return response.status, response.body


def healthz_seconds(base_url: str) -> float:
    start = time.monotonic()
    assert is_healthy(base_url)
    return time.monotonic() - start


def _assert_bounded(server: str, path: str, body: bytes, status: int) -> None:
    got, answer = post(server, path, body)

    assert got == status, answer[:500]
    assert len(answer) <= MIB
    assert len(answer) <= 8 * len(body) + 64 * 1024


@pytest.mark.parametrize(("path", "body", "status"), HOSTILE.values(), ids=HOSTILE.keys())
def test_an_answer_is_at_most_1_mib_and_8_times_the_body(server, path, body, status):
    _assert_bounded(server, path, body, status)


@pytest.mark.xfail(
    strict=True, reason="the report writes each cookie three times: see bench/README.md"
)
@pytest.mark.parametrize(("path", "body", "status"), OVER_TARGET.values(), ids=OVER_TARGET.keys())
def test_reports_of_many_long_cookies_are_still_over_the_target(server, path, body, status):
    _assert_bounded(server, path, body, status)


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [*HOSTILE.values(), *OVER_TARGET.values()],
    ids=[*HOSTILE.keys(), *OVER_TARGET.keys()],
)
def test_a_hostile_request_costs_at_most_100_ms_of_worker_cpu(server, path, body, status):
    worker = worker_pid(server)
    repeats = 5  # the kernel counts CPU time in 10 ms ticks: the mean of a few is finer
    before = cpu_seconds(worker)
    for _ in range(repeats):
        assert post(server, path, body)[0] == status
    spent = (cpu_seconds(worker) - before) / repeats

    assert spent <= 0.100, f"{spent * 1000:.0f} ms of CPU per request"


def get_cookies(base_url: str, cookie_header: bytes) -> tuple[int | None, bytes, int]:
    """GET /cookies with that Cookie header: the status, the answer and the request's size."""
    request = build_request("GET", b"/cookies", [(b"Cookie", cookie_header)])
    response = exchange(base_url, request, timeout=60)
    return response.status, response.body, len(request)


@pytest.mark.parametrize(
    ("count", "status"), [(100_000, 431), (3001, 431), (3000, 200), (180, 200)]
)
def test_a_cookie_list_is_bounded_by_the_request(server, count, status):
    """A GET has no body: its answer is held to 8 times the request (its Cookie header). 100,000
    nameless cookies (400 KB) used to be answered with 4.4 MB at 100 ms of CPU."""
    worker = worker_pid(server)
    before = cpu_seconds(worker)
    got, answer, sent = get_cookies(server, b"; ".join([b"ab"] * count))
    spent = cpu_seconds(worker) - before

    assert got == status
    assert len(answer) <= min(MIB, 8 * sent + 64 * 1024)
    assert spent <= 0.100


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        HOSTILE["1.26 million set_cookie items"],
        HOSTILE["50 headers of 5 KiB with an IDN Domain"],
    ],
    ids=["issue-worst", "worst-found"],
)
def test_healthz_answers_within_250_ms_while_hostile_requests_run(server, path, body, status):
    """The worker runs the app on its event loop: a slow request would hold up /healthz.

    18 of 20 probes must be answered within 250 ms: on a shared machine another process can hold
    the worker off its core for a while, which no request of ours causes (on main, every probe
    beside the first request here waited seconds)."""
    stop = threading.Event()
    statuses: list[int | None] = []

    def attack() -> None:
        while not stop.is_set():
            statuses.append(post(server, path, body)[0])

    attacker = threading.Thread(target=attack)
    attacker.start()
    try:
        time.sleep(0.05)
        waits = sorted(healthz_seconds(server) for _ in range(20))
    finally:
        stop.set()
        attacker.join()

    assert statuses and set(statuses) == {status}
    assert waits[17] <= 0.250, [f"{wait * 1000:.0f} ms" for wait in waits]


def rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def test_huge_origins_and_hosts_are_not_kept_by_any_cache(start_server):
    """128 distinct 400 KB Origin headers and 128 distinct 2.4 MB hosts: caches keep none.

    glibc's malloc keeps freed blocks of this size for reuse unless they are mapped apart: with
    a fixed mmap threshold each is given back when freed, so the worker's RSS shows what is kept.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MALLOC_MMAP_THRESHOLD_", str(128 * 1024))
        server = start_server()
    worker = worker_pid(server)

    def send_all(numbers: range) -> None:
        for number in numbers:
            origin = f"https://{number}{'o' * 400_000}.example"
            headers = [(b"Origin", origin.encode())]
            assert post(server, "/cookies", compact({"name": "a", "value": "1"}), headers)[0] == 201
        for number in numbers:
            url = f"http://{number}{'h' * 2_400_000}/"
            assert post(server, "/lint", compact({"url": url, "set_cookie": ["a=1"]}))[0] == 400

    # The same host and origin again and again: the buffers for such requests, and no more.
    for _ in range(8):
        send_all(range(1))
    before = rss_mib(worker)
    send_all(range(1, 129))
    grown = rss_mib(worker) - before

    assert grown < 30, f"the worker grew by {grown:.0f} MiB"


def test_no_cache_keeps_a_huge_host_or_origin():
    tracemalloc.start()
    try:
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        for number in range(64):
            is_loopback_host(f"{number}{'h' * 1_000_000}")
            origin_site(f"https://{number}{'o' * 1_000_000}.example")
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()

    assert kept < 1_000_000


# The app, for the faults that need no server to show.


def lint(client, **fields):
    return client.post("/lint", json={"url": URL, "set_cookie": ["a=1"], **fields})


def codes(response) -> list[str]:
    return [item["code"] for item in response.get_json()["findings"]]


@pytest.mark.parametrize(
    "now", ["9999-06-01T00:00:00Z", "0001-01-01T00:00:00+23:59", "1969-12-31T23:59:59Z"]
)
def test_a_now_outside_1970_to_9000_is_a_400(client, now):
    response = lint(
        client,
        now=now,
        set_cookie=["a=1; Max-Age=100", "b=1; Expires=Fri, 31 Dec 9999 23:59:59 GMT"],
    )

    assert response.status_code == 400
    assert codes(response) == ["now_out_of_range"]


@pytest.mark.parametrize("now", ["9000-12-31T23:59:59-23:59", "1970-01-01T00:00:00+23:59"])
def test_the_ends_of_the_range_of_now_are_answered(client, now):
    response = lint(
        client,
        now=now,
        set_cookie=["a=1; Max-Age=999999999", "b=1; Expires=Fri, 31 Dec 9999 23:59:59 GMT"],
    )

    assert response.status_code == 200
    assert [result["outcome"] for result in response.get_json()["results"]] == ["stored"] * 2


def test_an_expiry_past_the_last_datetime_is_clamped():
    now = datetime(9999, 12, 1, tzinfo=UTC)

    expiry = expiry_of(Cookie(name="a", value="1", max_age=400 * 86400), now)

    assert (expiry.at, expiry.capped) == (LATEST, False)
    soon = now + timedelta(days=20)
    assert expiry_of(Cookie(name="a", value="1", expires=soon), now).at == soon


@pytest.fixture
def hiding_client():
    app = create_app({"TESTING": True, "HIDDEN_COOKIES": ["session", "my.sid"]})
    return app.test_client(use_cookies=False)


@pytest.mark.parametrize("name", ["sess%69on", "my%2Esid", "my+sid", "SESS%49ON", "%73ession"])
def test_a_percent_encoded_hidden_name_is_refused(hiding_client, name):
    response = hiding_client.post("/cookies", json={"name": name, "value": "x"})

    assert response.status_code == 400
    assert codes(response) == ["name_hidden"]
    assert hiding_client.delete(f"/cookies/{quote(name)}").status_code == 400


def test_a_percent_encoded_hidden_name_is_not_read(hiding_client):
    response = hiding_client.get("/cookies", headers={"Cookie": "sess%69on=SECRET; theme=dark"})

    assert response.get_json()["cookies"] == [
        {"name": "theme", "value": "dark", "signature": "none"}
    ]


@pytest.mark.parametrize("name", ["sess%70on", "my%2Esids", "a%zz"])
def test_other_percent_encoded_names_are_set(hiding_client, name):
    assert hiding_client.post("/cookies", json={"name": name, "value": "x"}).status_code == 201


@pytest.mark.parametrize("field", ["url", "then_url", "site_for_cookies", "extra"])
def test_a_lone_surrogate_in_any_lint_field_is_a_400(client, field):
    body = {"url": URL, "set_cookie": ["a=1"], field: "https://a.example/\ud800/x"}
    response = client.post("/lint", data=json.dumps(body), content_type="application/json")

    assert response.status_code == 400
    assert ("value_not_unicode", field) in [
        (item["code"], item["field"]) for item in response.get_json()["findings"]
    ]


def test_a_lone_surrogate_deep_in_an_unknown_field_is_a_400(client):
    body = '{"name": "a", "value": "b", "x": [{"y": ["\\udc00"]}]}'
    response = client.post("/cookies", data=body, content_type="application/json")

    assert response.status_code == 400
    assert codes(response) == ["value_not_unicode"]


def test_a_surrogate_pair_is_fine(client):
    response = lint(client, url="https://a.example/\U0001f36a/x")

    assert response.status_code == 200
    # The path as the URL parser writes it: the pair's UTF-8, percent-encoded.
    assert response.get_json()["results"][0]["cookie"]["path"] == "/%F0%9F%8D%AA"


def carrying(count: int) -> dict[str, str]:
    return {"Cookie": "; ".join(f"c{number}=1" for number in range(count))}


def test_a_new_cookie_is_refused_when_the_request_carries_180(client):
    response = client.post("/cookies", json={"name": "n", "value": "1"}, headers=carrying(180))

    assert response.status_code == 400
    assert codes(response) == ["too_many_cookies"]


def test_a_new_cookie_is_set_when_the_request_carries_179(client):
    response = client.post("/cookies", json={"name": "n", "value": "1"}, headers=carrying(179))

    assert response.status_code == 201


def test_a_cookie_can_still_be_deleted_when_the_request_carries_180(client):
    assert client.delete("/cookies/c0", headers=carrying(180)).status_code == 200


def test_repeated_findings_are_one_with_a_count(client):
    response = lint(client, set_cookie=["a=1; x; x; x; Path=/; Path=/a"])

    problems = response.get_json()["results"][0]["problems"]
    assert [(item["code"], item["field"], item.get("count")) for item in problems] == [
        ("unknown_attribute", "x", 3),
        ("attribute_repeated", "Path", None),
    ]


def test_a_header_told_in_few_findings_keeps_its_words_and_fix(client):
    unknown = "".join(f"; x{number}" for number in range(30))
    response = lint(client, set_cookie=[f"a=1; SameSite=None{unknown}"])

    problems = {item["code"]: item for item in response.get_json()["results"][0]["problems"]}
    assert problems["unknown_attribute"]["count"] == 30
    assert problems["samesite_none_requires_secure"]["fix"] == 'add "; Secure"'
    assert problems["samesite_none_requires_secure"]["message"].startswith(
        "SameSite=None requires Secure;"
    )


def test_many_unknown_keys_are_one_finding(client):
    body = {"name": "a", "value": "b", **{f"k{number}": 0 for number in range(1000)}}
    response = client.post("/cookies", json=body)

    problem = response.get_json()
    assert problem["findings"] == [
        {
            "code": "unknown_field",
            "field": "k0",
            "severity": "rejected",
            "message": "Unknown field.",
            "spec": None,
            "chromium": None,
            "count": 1000,
        }
    ]
    assert problem["errors"] == {"k0": ["Unknown field."]}
    assert problem["detail"] == "k0: Unknown field."


@pytest.mark.parametrize("many", [25, 1000])
def test_misspelt_keys_among_many_unknown_keys_keep_their_did_you_mean(client, many: int):
    # Keys that come before the others ("k…"), as the test client sends them sorted.
    typos = {"expire": 1, "httpOnly": True}
    body = {"name": "a", "value": "b", **typos, **{f"k{number}": 0 for number in range(many)}}
    response = client.post("/cookies", json=body)

    findings = response.get_json()["findings"]
    told = sorted((item["field"], item["message"], item.get("count")) for item in findings)
    assert told[:2] == [
        ("expire", 'Unknown field. Did you mean "expires"?', None),
        ("httpOnly", 'Unknown field. Did you mean "httponly"?', None),
    ]
    assert [(message, count) for _, message, count in told[2:]] == [("Unknown field.", many)]


def test_a_few_type_errors_are_each_their_own_finding(client):
    response = client.post(
        "/cookies", json={"name": "a", "value": "b", "max_age": "1", "secure": "x"}
    )

    assert sorted(response.get_json()["errors"]) == ["max_age", "secure"]


def test_a_long_unknown_key_is_cut_short(client):
    response = client.post("/cookies", json={"name": "a", "value": "b", "k" * 50_000: 0})

    assert response.status_code == 400
    assert len(response.get_data()) < 2_000
    assert response.get_json()["findings"][0]["field"] == "k" * 99 + "…"


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("https://a.example/" + "q" * 8 * 1024, "url_too_long"),
        ("https://" + "a" * 254 + "/", "url_too_long"),
        ("https://a.example/" + "p" * 1024, "url_too_long"),
        ("\x7f" * 10_000, "url_too_long"),
        ("\x7f" * 100, "url_invalid"),
    ],
)
def test_long_urls_are_refused_with_a_code(client, url, code):
    for field in ("url", "then_url", "site_for_cookies"):
        response = lint(client, **{field: url})

        assert response.status_code == 400
        assert (code, field) in [
            (item["code"], item["field"]) for item in response.get_json()["findings"]
        ]
        assert len(response.get_data()) < 2_000


def test_the_longest_urls_are_taken(client):
    url = f"https://{LONG_HOST}/" + "p" * 1023 + "?" + "q" * 6000

    assert lint(client, url=url, then_url=url, site_for_cookies=url).status_code == 200


def test_a_set_cookie_of_10000_items_gets_one_finding(client):
    body = compact({"url": URL, "set_cookie": [0] * 10_000})
    response = client.post("/lint", data=body, content_type="application/json")

    assert response.status_code == 400
    assert codes(response) == ["header_count"]


def test_a_header_of_over_100_attributes_is_refused(client):
    response = lint(client, set_cookie=["a=1" + "; Secure" * 101])

    assert response.status_code == 400
    assert codes(response) == ["too_many_attributes"]
    assert lint(client, set_cookie=["a=1" + "; Secure" * 100]).status_code == 200


def test_a_body_of_huge_json_structure_is_refused_before_parsing(client):
    body = b'{"url":"https://a.example/","set_cookie":["a=1"],"x":[' + b"0," * 20_000 + b"0]}"
    response = client.post("/lint", data=body, content_type="application/json")

    assert response.status_code == 400
    assert codes(response) == ["invalid_body"]


@pytest.mark.parametrize(("count", "kept"), [(180, 180), (181, 150)])
def test_chromium_evicts_cookies_past_180_for_a_site(oracle, count, kept):  # noqa: F811
    """Why too_many_cookies stops at 180: the 181st cookie of a site makes Chromium evict down
    to 150 (net/cookies/cookie_monster.cc: kDomainMaxCookies 180, kDomainPurgeCookies 30)."""
    url = oracle.server.url("https", "www.example.test", "/many")

    observation = oracle.observe(url=url, set_cookie=[f"c{number}=1" for number in range(count)])

    assert len(observation.cookies) == kept
