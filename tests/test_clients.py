"""Clients generated from openapi.yaml work: a Python client against a live server, and
TypeScript types that a small openapi-fetch program type-checks against.

The generated code is written to temporary folders and never committed.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

from tests.conftest import require

ROOT = Path(__file__).resolve().parent.parent
OPENAPI_YAML = ROOT / "openapi.yaml"
TYPESCRIPT = Path(__file__).resolve().parent / "typescript"
VENV_BIN = Path(sys.executable).parent
PACKAGE = "cookie_api_client"

# Every character a cookie value cannot hold on the wire without encoding, plus spaces at
# both ends, a non-ASCII letter and a character outside the Basic Multilingual Plane.
AWKWARD_VALUE = ' "; , \\" \\\\ % é 🍪 \t=x '
# A name with every punctuation character a token allows.
AWKWARD_NAME = "odd!#$%&'*+-.^_`|~name"


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run ``command``; fail the test with its output if it does not succeed."""
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{output}"
    return output


@pytest.fixture(scope="module")
def python_client(tmp_path_factory) -> Iterator[ModuleType]:
    """The package openapi-python-client generates from openapi.yaml, imported."""
    generator = VENV_BIN / "openapi-python-client"
    require(generator.exists(), f"openapi-python-client is not installed at {generator}")
    folder = tmp_path_factory.mktemp("python-client")
    # The generator formats its output with ruff, which it looks up on PATH.
    env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    output = run(
        [
            str(generator),
            "generate",
            "--path",
            str(OPENAPI_YAML),
            "--output-path",
            str(folder / PACKAGE),
            "--meta",
            "none",
            "--fail-on-warning",
        ],
        cwd=folder,
        env=env,
    )
    assert "warning" not in output.lower(), output
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name.partition(".")[0] == PACKAGE]:
            del sys.modules[name]


@pytest.fixture
def generated(python_client) -> SimpleNamespace:
    """The generated models and operation modules, by name."""
    operations = {
        name: importlib.import_module(f"{PACKAGE}.api.cookies.{name}")
        for name in ("set_cookie", "list_cookies", "get_cookie", "delete_cookie")
    }
    operations["lint_set_cookie"] = importlib.import_module(f"{PACKAGE}.api.lint.lint_set_cookie")
    return SimpleNamespace(models=importlib.import_module(f"{PACKAGE}.models"), **operations)


@pytest.fixture
def api_client(python_client, live_server) -> Iterator[Any]:
    """One generated Client for a whole test: its httpx client keeps the cookie jar."""
    with python_client.Client(base_url=live_server, raise_on_unexpected_status=True) as client:
        yield client


def test_python_client_sets_lists_reads_and_deletes_an_awkward_cookie(generated, api_client):
    models = generated.models

    created = generated.set_cookie.sync_detailed(
        client=api_client,
        body=models.CookieRequest(name=AWKWARD_NAME, value=AWKWARD_VALUE, max_age=600, signed=True),
    )
    assert created.status_code == 201
    assert isinstance(created.parsed, models.Cookie)
    assert (created.parsed.name, created.parsed.value) == (AWKWARD_NAME, AWKWARD_VALUE)
    assert created.parsed.samesite == models.CookieSamesite.LAX
    assert created.headers["Set-Cookie"] == created.parsed.set_cookie

    listed = generated.list_cookies.sync_detailed(client=api_client)
    assert listed.status_code == 200
    assert isinstance(listed.parsed, models.CookieList)
    assert [(c.name, c.value, c.signature) for c in listed.parsed.cookies] == [
        (AWKWARD_NAME, AWKWARD_VALUE, models.ReceivedCookieSignature.VALID)
    ]

    read = generated.get_cookie.sync_detailed(AWKWARD_NAME, client=api_client)
    assert read.status_code == 200
    assert isinstance(read.parsed, models.ReceivedCookie)
    assert read.parsed.value == AWKWARD_VALUE

    deleted = generated.delete_cookie.sync_detailed(AWKWARD_NAME, client=api_client)
    assert deleted.status_code == 200
    assert deleted.parsed.set_cookie == deleted.headers["Set-Cookie"]
    assert "Max-Age=0" in deleted.headers["Set-Cookie"]

    gone = generated.get_cookie.sync_detailed(AWKWARD_NAME, client=api_client)
    assert gone.status_code == 404
    assert isinstance(gone.parsed, models.Problem)
    assert gone.parsed.status == 404
    assert generated.list_cookies.sync(client=api_client).cookies == []


def test_python_client_parses_a_refused_cookie_as_a_validation_problem(generated, api_client):
    models = generated.models

    refused = generated.set_cookie.sync_detailed(
        client=api_client,
        # SameSite=None needs Secure, which is off by default over plain HTTP.
        body=models.CookieRequest(
            name="widget", value="1", samesite=models.CookieRequestSamesite.NONE
        ),
    )

    assert refused.status_code == 400
    assert isinstance(refused.parsed, models.ValidationProblem)
    assert refused.parsed.status == 400
    assert list(refused.parsed.errors.additional_properties) == ["samesite"]


def test_python_client_lints_set_cookie_headers(generated, api_client):
    models = generated.models

    linted = generated.lint_set_cookie.sync_detailed(
        client=api_client,
        body=models.LintRequest(
            url="https://www.example.com/app/page",
            set_cookie=["session=abc; SameSite=None", "theme=dark", '"quoted"'],
            then_url="https://www.example.com/app/other",
        ),
    )

    assert linted.status_code == 200
    report = linted.parsed
    assert isinstance(report, models.LintReport)
    refused, theme, nameless = report.results
    assert refused.outcome == models.LintResultOutcome.REJECTED
    assert refused.cookie is None
    assert [problem.code for problem in refused.problems] == [
        models.LintFindingCode.SAMESITE_NONE_REQUIRES_SECURE
    ]
    assert refused.problems[0].chromium == "EXCLUDE_SAMESITE_NONE_INSECURE"
    assert (theme.outcome, theme.cookie.path, theme.cookie.host_only) == (
        models.LintResultOutcome.STORED,
        "/app",
        True,
    )
    assert (nameless.cookie.name, nameless.cookie.value) == ("", '"quoted"')
    assert report.cookie_header == 'theme=dark; "quoted"'


def test_python_client_parses_a_bad_lint_request_as_a_validation_problem(generated, api_client):
    models = generated.models

    refused = generated.lint_set_cookie.sync_detailed(
        client=api_client, body=models.LintRequest(url="/relative", set_cookie=["a=1"])
    )

    assert refused.status_code == 400
    assert isinstance(refused.parsed, models.ValidationProblem)
    assert [item.code for item in refused.parsed.findings] == [models.FindingCode.URL_INVALID]


@pytest.fixture(scope="module")
def typescript_tools() -> Path:
    """tests/typescript with its npm packages installed (``npm ci --prefix tests/typescript``)."""
    require(shutil.which("node") is not None, "node is not installed")
    binaries = TYPESCRIPT / "node_modules" / ".bin"
    require(
        (binaries / "openapi-typescript").exists() and (binaries / "tsc").exists(),
        "the npm packages are not installed: run npm ci --prefix tests/typescript",
    )
    return binaries


def test_typescript_types_generate_and_the_usage_example_type_checks(typescript_tools, tmp_path):
    # The example and its compiler settings, beside freshly generated types; node_modules is
    # linked so that imports of openapi-fetch resolve as they do in tests/typescript.
    for name in ("tsconfig.json", "usage.ts"):
        shutil.copy(TYPESCRIPT / name, tmp_path / name)
    (tmp_path / "node_modules").symlink_to(TYPESCRIPT / "node_modules")
    run(
        [
            str(typescript_tools / "openapi-typescript"),
            str(OPENAPI_YAML),
            "--output",
            str(tmp_path / "openapi.d.ts"),
            "--default-non-nullable",
            "false",
        ],
        cwd=tmp_path,
    )
    types = (tmp_path / "openapi.d.ts").read_text()
    for operation in (
        "set_cookie",
        "list_cookies",
        "get_cookie",
        "delete_cookie",
        "lint_set_cookie",
    ):
        assert f"{operation}: {{" in types

    run([str(typescript_tools / "tsc"), "--noEmit", "--project", str(tmp_path)], cwd=tmp_path)
