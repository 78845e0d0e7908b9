"""The differential fuzzer in CI: a fixed seed of cases through real Chromium and POST /lint.

``tests/fuzz_cases.py`` makes the cases, ``tests/fuzz_chromium.py`` plays them in Chromium,
reads its NetLog and compares; see there for what is compared. Here the run must show zero
disagreements, but those ``fuzz_known_differences.yaml`` lists as Chromium's on purpose. For
thousands of cases, or another seed::

    python -m tests.fuzz_chromium --cases 5000 --seed 7
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from playwright.sync_api import Playwright

from api import create_app
from tests.conftest import require
from tests.fuzz_cases import generate_case, generate_cases
from tests.fuzz_chromium import (
    ASPECTS,
    KnownDifference,
    RunResult,
    known_differences,
    run_cases,
)
from tests.test_browser import CHROMIUM

SEED = 17
CASES = 320


@pytest.fixture(scope="module")
def fuzz_run(playwright: Playwright, tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    require(Path(CHROMIUM).exists(), f"Chromium is not installed at {CHROMIUM}")
    require(shutil.which("openssl") is not None, "openssl is not installed")
    client = create_app({"TESTING": True, "SECRET_KEY": "test-secret"}).test_client(
        use_cookies=False
    )
    cases = generate_cases(SEED, CASES)
    return run_cases(playwright, client, cases, tmp_path_factory.mktemp("fuzz"))


def test_lint_agrees_with_chromium_on_every_fuzzed_case(fuzz_run: RunResult):
    unexplained = fuzz_run.unexplained
    report = "\n".join(item.describe() for item in unexplained)
    assert not unexplained, f"{report}\n{fuzz_run.summary()}"


def test_the_fuzzed_cases_reach_both_outcomes_and_many_reasons(fuzz_run: RunResult):
    """A run where Chromium stored everything, or always gave one reason, would prove little."""
    assert len(fuzz_run.seen) == CASES
    assert not [seen for seen in fuzz_run.seen if seen.error], "Chromium failed to play a case"
    assert fuzz_run.outcomes["stored"] >= 250 and fuzz_run.outcomes["rejected"] >= 250
    assert len(fuzz_run.reasons) >= 10, fuzz_run.reasons
    modes = {seen.case.mode for seen in fuzz_run.seen}
    assert modes == {"navigate", "fetch", "script"}
    reads = [seen for seen in fuzz_run.seen if seen.cookie_header]
    assert len(reads) >= 60, "too few later requests carried cookies"


def test_a_case_is_the_same_alone_as_in_its_run():
    """``--first N --cases 1`` replays case N of a long run exactly."""
    assert generate_cases(7, 40)[31] == generate_case(7, 31) == generate_cases(7, 1, 31)[0]
    assert generate_case(7, 31) != generate_case(8, 31)


def test_a_known_difference_explains_only_the_cases_it_names():
    row = KnownDifference("jar", "a flag", "net/base/features.cc", header="(?i)partitioned")
    partitioned = replace(generate_case(7, 1), set_cookie=("a=1; Secure; Partitioned",))
    plain = replace(partitioned, set_cookie=("a=1; Secure",))

    assert row.matches(partitioned, "jar", "only Chromium has a")
    assert not row.matches(partitioned, "outcome", "only Chromium has a")
    assert not row.matches(plain, "jar", "only Chromium has a")
    narrowed = replace(row, detail="only /lint")
    assert not narrowed.matches(partitioned, "jar", "only Chromium has a")


def test_the_known_differences_are_well_formed():
    for difference in known_differences():
        assert difference.aspect in ASPECTS
        assert difference.reason and difference.source
        assert difference.header or difference.detail, "a row must say which cases it covers"
