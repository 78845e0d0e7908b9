"""Fixtures: the app and its test client, and real ``cookie-api`` processes on loopback."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Playwright, sync_playwright

from api import create_app
from api.liveness import free_port, wait_or_kill, wait_until_healthy

IN_CI = os.environ.get("CI", "").lower() == "true"
# Settings a developer's shell might carry into the server under test.
_ISOLATED = {key for key in os.environ if key.startswith("COOKIE_API_")}


# Each phase's report ("setup", "call", "teardown"), kept on the test item by the hook below.
PHASE_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport:
    """Keep each phase's report, so a fixture can tell at teardown that its test failed."""
    report = yield
    item.stash.setdefault(PHASE_REPORTS, {})[report.when] = report
    return report


def require(condition: bool, reason: str) -> None:
    """Skip a test whose tool is missing, but fail it in CI, where a skip would hide a gap."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """The one Playwright driver of the session: the sync API allows only one at a time."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def app():
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret"})


@pytest.fixture
def client(app):
    # Each request states its own Cookie header: no cookie jar carries state between them.
    return app.test_client(use_cookies=False)


def cookie_api_executable() -> str:
    """The ``cookie-api`` console script installed beside this Python."""
    path = Path(sys.executable).parent / "cookie-api"
    require(path.exists(), f"the cookie-api console script is not installed at {path}")
    return str(path)


@pytest.fixture(scope="session")
def start_server(tmp_path_factory) -> Iterator[Callable[..., str]]:
    """Start real ``cookie-api`` processes; returns their base URLs. All stop at session end."""
    processes: list[subprocess.Popen] = []
    logs = tmp_path_factory.mktemp("servers")

    def start(workers: int = 1, **settings: str) -> str:
        port = free_port()
        env = {key: value for key, value in os.environ.items() if key not in _ISOLATED}
        env.update({f"COOKIE_API_{key}": value for key, value in settings.items()})
        log = logs / f"cookie-api-{port}.log"
        with log.open("w") as output:
            process = subprocess.Popen(
                [cookie_api_executable(), "--port", str(port), "--workers", str(workers)],
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its workers are killed with it (wait_or_kill)
            )
        processes.append(process)
        wait_until_healthy(port, process, log)
        return f"http://127.0.0.1:{port}"

    try:
        yield start
    finally:
        # Signalled all at once, so that they shut down side by side; each one then reaped,
        # killed first if it is still running after its 10 seconds.
        for process in processes:
            process.terminate()
        for process in processes:
            wait_or_kill(process, timeout=10)


@pytest.fixture(scope="session")
def live_server(start_server) -> str:
    """One real server with a secret key, shared by the tests that only talk to it."""
    return start_server(SECRET_KEY="live-secret")


def memory_kept(action: Callable[[], object]) -> int:
    """Bytes still allocated after ``action`` ran and the garbage was collected."""
    tracemalloc.start()
    try:
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        action()
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
