"""The conformance table of POST /lint: one row per behaviour, each with the source that states it.

The rows are in ``lint_conformance.yaml``. Sources are RFC 6265bis sections, web-platform-tests
cookies/ tests ("wpt ..."), or Chromium files where browsers differ from the RFC. Each row posts
Set-Cookie headers and checks what /lint answers: the outcome of each header, codes among its
problems, fields of the cookie as kept, and the Cookie header sent to ``then_url``. The rules that
only a jar with cookies set from another URL can show are checked on the engine's jar
(tests/test_cookierules_jar.py and tests/test_cookierules_retrieval.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

NOW = "2026-03-01T12:00:00Z"
URL = "https://www.example.com/app/page"
TABLE = Path(__file__).with_name("lint_conformance.yaml")
# "<4096 x>" in a header of the table: the character x written 4096 times.
_REPEATED = re.compile(r"<(\d+) (.)>")


@dataclass(frozen=True)
class Case:
    id: str
    source: str
    set_cookie: list[str]
    outcomes: list[str]  # per header
    codes: list[list[str]] = field(default_factory=list)  # per header: codes among the problems
    cookie: dict[str, Any] = field(default_factory=dict)  # fields of the first header's cookie
    url: str = URL
    then_url: str | None = None
    cookie_header: str | None = None
    from_script: bool | None = None
    site_for_cookies: str | None = None

    @classmethod
    def of(cls, row: dict[str, Any]) -> Case:
        headers = [
            _REPEATED.sub(lambda match: match[2] * int(match[1]), header)
            for header in row["set_cookie"]
        ]
        return cls(**{**row, "set_cookie": headers})

    @property
    def options(self) -> dict[str, Any]:
        given = {"from_script": self.from_script, "site_for_cookies": self.site_for_cookies}
        return {key: value for key, value in given.items() if value is not None}


CASES = [Case.of(row) for row in yaml.safe_load(TABLE.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_conformance(case: Case, client):
    body = {"url": case.url, "set_cookie": case.set_cookie, "now": NOW, **case.options}
    if case.then_url is not None:
        body["then_url"] = case.then_url

    response = client.post("/lint", json=body)

    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    results = report["results"]
    assert [result["outcome"] for result in results] == case.outcomes, report
    for result, codes in zip(results, case.codes, strict=False):
        assert set(codes) <= {problem["code"] for problem in result["problems"]}, result
        if result["outcome"] == "rejected":
            assert result["cookie"] is None
            assert any(problem["severity"] == "rejected" for problem in result["problems"])
    if case.cookie:
        kept = results[0]["cookie"]
        assert {key: kept[key] for key in case.cookie} == case.cookie, kept
    if case.then_url is not None:
        assert report["cookie_header"] == case.cookie_header, report
    else:
        assert "cookie_header" not in report


def test_every_row_names_its_source():
    assert all(
        case.source.startswith(("RFC 6265bis §", "wpt cookies/", "Chromium net/", "CHIPS"))
        for case in CASES
    )
    assert len({case.id for case in CASES}) == len(CASES)


def test_size_rows_are_written_out():
    sizes = {case.id: [len(header) for header in case.set_cookie] for case in CASES}
    assert sizes["name_and_value_4096_bytes"] == [2 + 4096, 2 + 4095]
    assert sizes["attribute_over_1024_bytes_ignored"] == [len("a=1; Path=/") + 1024]
    assert sizes["header_of_8255_bytes_with_repeated_max_size_attributes"] == [8255]
