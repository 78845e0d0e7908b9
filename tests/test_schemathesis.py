"""Schemathesis against a real server and its own /openapi.json: every check, zero failures."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import HTTPCookieProcessor, Request, build_opener

from tests.conftest import require

# The whole run, every phase included, stays within this budget.
TIME_BUDGET_SECONDS = 100
EXCLUDED_CHECKS = [
    # Cross-field rules (SameSite=None needs secure: true, a __Host- name needs path "/", a
    # domain must match the request host...) cannot be written in an OpenAPI 3.0 schema, so
    # data that fits the schema may still rightly be refused with a 400.
    "positive_data_acceptance",
    # POST /cookies creates nothing on the server: the cookie lives in the client's jar, and
    # whether the client sends it back to GET /cookies/{name} depends on its Path, Domain,
    # Secure and Max-Age, which is what the API is for. Schemathesis also drops response cookies
    # between calls, so its follow-up GET carries no Cookie header and a 404 is the right answer.
    # test_a_cookie_jar_sees_set_read_delete below shows that cycle with a real cookie jar.
    # use_after_free stays on: after a DELETE, a GET must not answer 2xx.
    "ensure_resource_availability",
]

# Invalid data may also be too big: a body over its route's limit (64 KiB, 2,400 KiB more for
# POST /lint) is refused with a 413 before its fields are read. That is a rejection too; the
# other statuses are schemathesis's defaults.
NEGATIVE_DATA_CONFIG = """\
[checks.negative_data_rejection]
expected-statuses = [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429, "5xx"]
"""


def test_schemathesis_finds_nothing(live_server, tmp_path):
    beside_python = Path(sys.executable).parent / "st"
    executable = str(beside_python) if beside_python.exists() else shutil.which("st")
    require(executable is not None, "schemathesis (st) is not installed")
    config = tmp_path / "schemathesis.toml"
    config.write_text(NEGATIVE_DATA_CONFIG)
    command = [
        executable,
        "--config-file",
        str(config),
        "run",
        f"{live_server}/openapi.json",
        "--checks",
        "all",
        "--exclude-checks",
        ",".join(EXCLUDED_CHECKS),
        "--max-time",
        str(TIME_BUDGET_SECONDS),
        "--workers",
        "4",
        "--generation-database",
        "none",
        "--no-color",
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path),
    ]
    result = subprocess.run(
        command,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=TIME_BUDGET_SECONDS + 60,
        check=False,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    # A run that tested nothing would pass too: make sure every operation was exercised.
    assert "6 selected / 6 total" in report, report
    assert "Fuzzing" in report and "Stateful" in report, report


def test_a_cookie_jar_sees_set_read_delete(live_server):
    """What ensure_resource_availability and use_after_free mean here, with a client that keeps
    cookies: a set cookie is read back while the jar holds it, and gone once it is deleted."""
    jar = CookieJar()
    opener = build_opener(HTTPCookieProcessor(jar))

    def call(method: str, path: str, body: dict | None = None) -> tuple[int, dict | None]:
        data = None if body is None else json.dumps(body).encode()
        request = Request(f"{live_server}{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        try:
            with opener.open(request, timeout=10) as response:
                payload = response.read()
                return response.status, json.loads(payload) if payload else None
        except HTTPError as error:
            with error:
                return error.code, json.loads(error.read())

    status, created = call("POST", "/cookies", {"name": "jar", "value": "a; b", "signed": True})
    assert (status, created["value"]) == (201, "a; b")
    assert [cookie.name for cookie in jar] == ["jar"]
    assert call("GET", "/cookies/jar") == (
        200,
        {"name": "jar", "value": "a; b", "signature": "valid"},
    )
    status, deleted = call("DELETE", "/cookies/jar")
    assert (status, deleted["name"]) == (200, "jar")
    assert list(jar) == []
    assert call("GET", "/cookies/jar")[0] == 404
