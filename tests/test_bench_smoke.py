"""The benchmark command still runs: a smoke run of bench/run.py prints every row and writes JSON.

Only that it runs and measures something: speed itself is the benchmark's business, not a test's.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import require

BENCH = Path(__file__).resolve().parent.parent / "bench" / "run.py"
MEASURED = [
    ("baseline POST", "POST /setcookie"),
    ("cookie-api POST", "POST /cookies"),
    ("cookie-api lint", "POST /lint"),
    ("baseline GET", "GET /getcookie"),
    ("cookie-api GET", "GET /cookies"),
    ("previous GET", "GET /cookies"),
    ("previous POST", "POST /cookies"),
    ("gunicorn GET", "GET /cookies"),
    ("gunicorn POST", "POST /cookies"),
]
COMPARISONS = [
    "POST /lint vs POST /cookies",
    "POST /cookies vs baseline POST /setcookie",
    "GET /cookies vs baseline GET /getcookie",
    "GET /cookies vs httpbin GET /cookies",
    "cookie-api vs Granian WSGI 512 threads, GET",
    "cookie-api vs Granian WSGI 512 threads, POST",
    "p99 vs Granian WSGI 512 threads, GET",
    "p99 vs Granian WSGI 512 threads, POST",
    "cookie-api vs gunicorn sync, GET",
    "cookie-api vs gunicorn sync, POST",
    "peak RSS per worker vs baseline",
]
# The smoke run leaves httpbin out, so its one comparison has no ratio.
NOT_RUN_IN_SMOKE = {"GET /cookies vs httpbin GET /cookies"}


@pytest.fixture(scope="module", params=["python", "wrk"])
def smoke_run(request, tmp_path_factory) -> tuple[str, dict]:
    """Run ``bench/run.py --smoke`` once per load generator; its output and its JSON."""
    loadgen = request.param
    if loadgen == "wrk":
        require(shutil.which("wrk") is not None, "wrk is not installed (apt-get install -y wrk)")
    output = tmp_path_factory.mktemp("bench") / "smoke.json"
    finished = subprocess.run(
        [sys.executable, str(BENCH), "--smoke", "--loadgen", loadgen, "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    return finished.stdout, json.loads(output.read_text())


def test_smoke_run_measures_every_app_without_errors(smoke_run):
    _, report = smoke_run
    assert set(report["results"]) == {key for key, _ in MEASURED}
    for key, request_line in MEASURED:
        result = report["results"][key]
        assert result["request"] == request_line
        (only_round,) = result["rounds"]
        assert only_round["requests"] > 0, key
        assert only_round["socket_errors"] == only_round["status_errors"] == 0, key
        assert result["median"]["p99_ms"] >= result["median"]["p50_ms"] > 0, key
    for server in report["servers"].values():
        assert server["peak_rss_mb"] > 0


def test_smoke_run_reports_every_comparison(smoke_run):
    _, report = smoke_run
    by_label = {entry["comparison"]: entry for entry in report["comparisons"]}
    assert list(by_label) == COMPARISONS
    for label, entry in by_label.items():
        if label in NOT_RUN_IN_SMOKE:
            assert entry["ratio"] is None
        else:
            assert entry["ratio"] > 0, label


def test_smoke_run_prints_the_tables(smoke_run):
    stdout, report = smoke_run
    for key, request_line in MEASURED:
        server = report["servers"][report["results"][key]["server"]]
        assert f"| {server['server']} | {server['app']} | {request_line} |" in stdout
    for label in COMPARISONS:
        assert f"| {label} |" in stdout
    assert "| httpbin | | | not run:" in stdout


APPCOST = BENCH.parent / "appcost.py"


def test_the_in_process_app_cost_script_measures_both_ratios(tmp_path):
    output = tmp_path / "appcost.json"
    finished = subprocess.run(
        [
            sys.executable,
            str(APPCOST),
            "--rounds",
            "1",
            "--seconds",
            "0.05",
            "--output",
            str(output),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    # Exit status 1 means a target was missed: speed is the benchmark's business, not a test's.
    assert finished.returncode in (0, 1), finished.stdout + finished.stderr
    report = json.loads(output.read_text())
    assert set(report["us_per_call"]) == {
        "POST /cookies",
        "POST /setcookie",
        "POST /lint",
        "GET /cookies",
        "GET /getcookie",
    }
    assert [entry["label"] for entry in report["ratios"]] == [
        "POST /cookies vs floor POST /setcookie",
        "GET /cookies vs floor GET /getcookie",
        "POST /lint vs POST /cookies",
    ]
    assert all(entry["ratio"] > 0 for entry in report["ratios"])
    assert "| POST /cookies vs floor POST /setcookie |" in finished.stdout


ENGINE = BENCH.parent / "engine.py"
TOUGH_COOKIE = BENCH.parent / "toughcookie"


def run_engine_bench(tmp_path: Path, *extra: str) -> tuple[str, dict]:
    """``bench/engine.py`` with tiny counts; its output and its JSON."""
    output = tmp_path / "engine.json"
    tiny = ["--rounds", "2", "--seconds", "0.01", "--headers", "5", "--output", str(output)]
    finished = subprocess.run(
        [sys.executable, str(ENGINE), *tiny, *extra],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    return finished.stdout, json.loads(output.read_text())


def test_the_engine_script_measures_the_engine_beside_http_cookiejar(tmp_path):
    """Each jar's Cookie header is checked before it is timed; the engine at a git ref as well."""
    stdout, report = run_engine_bench(tmp_path, "--against", "HEAD")
    measured = [
        "lint_set_cookies",
        "lint_set_cookies, attributes new each header",
        "lint_set_cookies at HEAD",
        "lint_set_cookies at HEAD, attributes new each header",
        "http.cookiejar",
    ]
    installed = shutil.which("node") and (TOUGH_COOKIE / "node_modules" / "tough-cookie").is_dir()
    if installed:
        measured.append("tough-cookie 5 (Node)")
    else:
        assert "| tough-cookie 5 (Node) | not run: " in stdout
    assert list(report["us_per_header"]) == measured
    for label in measured:
        assert report["us_per_header"][label] > 0
        assert len(report["per_round"][label]) == 2
        assert f"| {label} | " in stdout
    assert "| lint_set_cookies vs http.cookiejar | " in stdout
    assert "| lint_set_cookies at HEAD vs lint_set_cookies | " in stdout
    assert all(ratio > 0 for ratio in report["ratios"].values())


def test_the_engine_script_runs_without_tough_cookie(tmp_path):
    stdout, report = run_engine_bench(tmp_path, "--toughcookie", str(tmp_path))
    assert list(report["us_per_header"]) == [
        "lint_set_cookies",
        "lint_set_cookies, attributes new each header",
        "http.cookiejar",
    ]
    assert report["not_run"] == {
        "tough-cookie 5 (Node)": f"tough-cookie is not installed: npm ci --prefix {tmp_path}"
    }
    assert "| tough-cookie 5 (Node) | not run: tough-cookie is not installed" in stdout
