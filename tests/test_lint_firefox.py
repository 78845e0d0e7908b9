"""Real Firefox ESR is an oracle for POST /lint with ``"browser": "firefox"``.

One headless Firefox (``tests/firefox_oracle.py``) plays every row of the conformance table
(``tests/lint_conformance.yaml``) and a fixed-seed run of fuzzed cases (``tests/fuzz_cases.py``),
each in a fresh user context; /lint is asked about the same case. The jar, and the Cookie header
at the later request, must agree (``tests/browser_oracle.py``), but where
``fuzz_known_differences_firefox.yaml`` lists the difference with its reason; and the cases that
agree on everything must be at least 98% of each table. The Firefox version is written to the
test output: Debian security updates move it. For another seed::

    python -m tests.firefox_oracle --cases 1000 --seed 7 --conformance
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from api import create_app
from tests.browser_oracle import (
    ASPECTS,
    RunResult,
    conformance_cases,
    known_differences,
    known_differences_file,
    run,
)
from tests.conftest import require
from tests.firefox_oracle import FIREFOX, FirefoxDriver, firefox
from tests.fuzz_cases import generate_cases

RULES = "firefox"
SEED = 17
CASES = 320
ROWS = conformance_cases()
# The share of cases where /lint and Firefox agree on everything, known differences included.
AGREEMENT = 0.98


@pytest.fixture(scope="module")
def driver(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[FirefoxDriver]:
    """One Firefox for the module, its version written to the test output."""
    require(Path(FIREFOX).exists(), f"Firefox ESR is not installed at {FIREFOX}")
    require(shutil.which("openssl") is not None, "openssl is not installed")
    with firefox(tmp_path_factory.mktemp("firefox")) as playing:
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"\nFirefox oracle: {playing.version}")
        yield playing


@pytest.fixture(scope="module")
def client():
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret"}).test_client(use_cookies=False)


@pytest.fixture(scope="module")
def conformance_run(driver: FirefoxDriver, client) -> RunResult:
    return run(driver, client, list(ROWS.values()), RULES)


@pytest.fixture(scope="module")
def fuzz_run(driver: FirefoxDriver, client) -> RunResult:
    return run(driver, client, generate_cases(SEED, CASES), RULES)


@pytest.mark.parametrize("row_id", ROWS)
def test_lint_agrees_with_firefox_on_the_conformance_row(row_id: str, conformance_run: RunResult):
    number = ROWS[row_id].number
    unexplained = [item for item in conformance_run.unexplained if item.case.number == number]
    assert not unexplained, "\n".join(item.describe() for item in unexplained)


def test_lint_agrees_with_firefox_on_every_fuzzed_case(fuzz_run: RunResult):
    unexplained = fuzz_run.unexplained
    report = "\n".join(item.describe() for item in unexplained)
    assert not unexplained, f"{report}\n{fuzz_run.summary('Firefox')}"


# What the oracle must reach: the cases Firefox and /lint agree on, known differences apart.
@pytest.mark.parametrize("table", ["conformance_run", "fuzz_run"])
def test_known_differences_leave_at_least_98_percent_agreement(
    table: str, request: pytest.FixtureRequest
):
    result: RunResult = request.getfixturevalue(table)
    known = "\n".join(item.describe() for item in result.disagreements)
    assert result.agreement >= AGREEMENT, f"{result.summary('Firefox')}\n{known}"


def test_the_fuzzed_cases_reach_what_firefox_decides(fuzz_run: RunResult):
    """A run where Firefox failed, stored nothing or never sent a cookie would prove little."""
    assert len(fuzz_run.played) == CASES
    assert not [played for played in fuzz_run.played if played.error], "Firefox failed a case"
    assert {played.case.mode for played in fuzz_run.played} == {"navigate", "fetch", "script"}
    stored = sum(len(played.cookies) for played in fuzz_run.played)
    assert stored >= 250, stored
    partitioned = [c for p in fuzz_run.played for c in p.cookies if c["partitioned"]]
    assert len(partitioned) >= 20, "too few cookies set from another site"
    reads = [played for played in fuzz_run.played if played.cookie_header]
    assert len(reads) >= 60, "too few later requests carried cookies"


def test_the_firefox_known_differences_are_well_formed():
    for difference in known_differences(known_differences_file("firefox")):
        assert difference.aspect in ASPECTS
        assert difference.reason and difference.source
        assert difference.header or difference.detail, "a row must say which cases it covers"
