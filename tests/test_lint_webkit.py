"""Real WebKitGTK is an oracle for POST /lint with ``"browser": "webkitgtk"``.

One WebKit web view (``tests/webkit_oracle.py``, under ``xvfb-run``) plays every row of the
conformance table (``tests/lint_conformance.yaml``) and a fixed-seed run of fuzzed cases
(``tests/fuzz_cases.py``), each in a fresh private context; /lint is asked about the same case.
The jar, and the Cookie header at the later request, must agree (``tests/browser_oracle.py``),
but where ``fuzz_known_differences_webkitgtk.yaml`` lists the difference with its reason; and the
cases that agree on everything must be at least 98% of each table. The WebKitGTK and libsoup
versions are written to the test output: Debian security updates move them. For another seed::

    python -m tests.webkit_oracle --cases 1000 --seed 7 --conformance
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from api import create_app
from tests.browser_oracle import ASPECTS, RunResult, conformance_cases, run
from tests.conftest import require
from tests.fuzz_cases import generate_cases
from tests.webkit_oracle import WebKitDriver, known_differences, webkit, webkit_available

RULES = "webkitgtk"
SEED = 17
CASES = 320
ROWS = conformance_cases()
# The share of cases where /lint and WebKitGTK agree on everything, known differences included.
AGREEMENT = 0.98


@pytest.fixture(scope="module")
def driver(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[WebKitDriver]:
    """One WebKit web view for the module, its versions written to the test output."""
    missing = webkit_available()
    require(missing is None, missing or "")
    require(shutil.which("openssl") is not None, "openssl is not installed")
    with webkit(tmp_path_factory.mktemp("webkit")) as playing:
        plugins = request.config.pluginmanager
        reporter, capture = (
            plugins.get_plugin("terminalreporter"),
            plugins.get_plugin("capturemanager"),
        )
        if reporter is not None and capture is not None:
            with capture.global_and_fixture_disabled():  # not hidden by output capture
                reporter.write_line(f"\nWebKitGTK oracle: {playing.version}")
        yield playing


@pytest.fixture(scope="module")
def client():
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret"}).test_client(use_cookies=False)


@pytest.fixture(scope="module")
def conformance_run(driver: WebKitDriver, client) -> RunResult:
    return run(driver, client, list(ROWS.values()), RULES, known_differences())


@pytest.fixture(scope="module")
def fuzz_run(driver: WebKitDriver, client) -> RunResult:
    return run(driver, client, generate_cases(SEED, CASES), RULES, known_differences())


@pytest.mark.parametrize("row_id", ROWS)
def test_lint_agrees_with_webkit_on_the_conformance_row(row_id: str, conformance_run: RunResult):
    number = ROWS[row_id].number
    unexplained = [item for item in conformance_run.unexplained if item.case.number == number]
    assert not unexplained, "\n".join(item.describe() for item in unexplained)


def test_lint_agrees_with_webkit_on_every_fuzzed_case(fuzz_run: RunResult):
    unexplained = fuzz_run.unexplained
    report = "\n".join(item.describe() for item in unexplained)
    assert not unexplained, f"{report}\n{fuzz_run.summary('WebKitGTK')}"


# What the oracle must reach: the cases WebKitGTK and /lint agree on, known differences apart.
@pytest.mark.parametrize("table", ["conformance_run", "fuzz_run"])
def test_known_differences_leave_at_least_98_percent_agreement(
    table: str, request: pytest.FixtureRequest
):
    result: RunResult = request.getfixturevalue(table)
    known = "\n".join(item.describe() for item in result.disagreements)
    assert result.agreement >= AGREEMENT, f"{result.summary('WebKitGTK')}\n{known}"


def test_the_fuzzed_cases_reach_what_webkit_decides(fuzz_run: RunResult):
    """A run where WebKit failed, stored nothing or never sent a cookie would prove little."""
    assert len(fuzz_run.played) == CASES
    assert not [played for played in fuzz_run.played if played.error], "WebKitGTK failed a case"
    assert {played.case.mode for played in fuzz_run.played} == {"navigate", "fetch", "script"}
    stored = sum(len(played.cookies) for played in fuzz_run.played)
    assert stored >= 250, stored
    from_fetch = [c for p in fuzz_run.played if p.case.mode == "fetch" for c in p.cookies]
    assert len(from_fetch) >= 10, "too few cookies set by a fetch"
    reads = [played for played in fuzz_run.played if played.cookie_header]
    assert len(reads) >= 60, "too few later requests carried cookies"


def test_the_webkit_known_differences_are_well_formed():
    for difference in known_differences():
        assert difference.aspect in ASPECTS
        assert difference.reason and difference.source
        assert difference.header or difference.detail or difference.request, (
            "a row must say which cases it covers"
        )
