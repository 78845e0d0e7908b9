"""Real WebKitGTK as an oracle for POST /lint with ``"browser": "webkitgtk"``.

WebKitGTK is the WebKit of GNOME Web and of WebKit on Linux; its cookies are libsoup's. It is
not Safari, whose cookie storage (CFNetwork) does not run on Linux.

The GTK build has no headless mode: ``tests/webkit_view.py`` runs a web view under ``xvfb-run``,
in the system Python, where python3-gi and WebKit2 4.1 are, and this driver sends it JSON
commands on a pipe. Per case it opens a fresh view in a context of its own with an ephemeral
(private) data manager, so an empty jar; navigates, runs the fetch and the ``document.cookie``
writes as JavaScript in the page; and reads the whole jar from the context's cookie manager
(WebDriver's ``GET /cookie`` would show only the current URL's cookies). The responses come from
the oracle's test server (``tests/chromium_oracle.py``); every host name reaches it through the
context's proxy settings: plain HTTP to its HTTP listener as to a proxy, HTTPS through a CONNECT
tunnel to its HTTPS listener (``tests.firefox_oracle.ConnectProxy``), so neither DNS nor
/etc/hosts is involved. TLS errors are ignored (a self-signed certificate).

What the cookie manager does not show:
- libsoup shows an unspecified SameSite as "None", like ``SameSite=None``: "None" is not
  compared (None); Lax and Strict are;
- it has no Partitioned (libsoup 3.2 has no partitioned cookies): not compared;
- priority is not a WebKit attribute: not compared.

A command unanswered for ``COMMAND_TIMEOUT_SECONDS`` is a hang: the view's process group is
ended and started again, and the case played once more (``tests.browser_oracle.run``).

    python -m tests.webkit_oracle --cases 320 --seed 17 --conformance   # against /lint
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import yaml

from api import create_app
from api.liveness import wait_or_kill
from tests.browser_oracle import (
    DriverHung,
    KnownDifference,
    Played,
    conformance_cases,
    known_differences_file,
    lint_body,
    now,
    run,
    timestamp,
)
from tests.chromium_oracle import FETCH, OracleServer, make_certificate, oracle_server
from tests.firefox_oracle import ConnectProxy
from tests.fuzz_cases import Case, generate_cases

SYSTEM_PYTHON = "/usr/bin/python3"
XVFB_RUN = shutil.which("xvfb-run") or "/usr/bin/xvfb-run"
VIEW = Path(__file__).with_name("webkit_view.py")
# How long one command may take before WebKit is taken as hung.
COMMAND_TIMEOUT_SECONDS = 20.0
_START_TIMEOUT_SECONDS = 60.0
# Function bodies run in the page, their arguments named.
_FETCH = f"return ({FETCH})(url).then(() => null);"
_WRITE_COOKIE = "document.cookie = header;"
_CANONICAL_PATHS = "return [url, then, top].map((each) => new URL(each).pathname);"


def request(case: Case) -> str:
    """The case's mode and where its request goes from: ``fetch http://a.test -> https://a.test``
    (``-`` for no top page)."""
    top = f"{case.top.scheme}://{case.top.host}" if case.top else "-"
    return f"{case.mode} {top} -> {case.response.scheme}://{case.response.host}"


@dataclass(frozen=True)
class WebKitKnownDifference(KnownDifference):
    """A known difference that may also name the request: libsoup decides some things by host
    and scheme alone (a public suffix, a site without a registrable domain)."""

    request: str | None = None  # a pattern searched in ``request(case)``

    def matches(self, case: Case, aspect: str, detail: str) -> bool:
        if self.request is not None and re.search(self.request, request(case)) is None:
            return False
        return super().matches(case, aspect, detail)


def known_differences() -> list[WebKitKnownDifference]:
    """tests/fuzz_known_differences_webkitgtk.yaml."""
    text = known_differences_file("webkitgtk").read_text(encoding="utf-8")
    return [WebKitKnownDifference(**row) for row in yaml.safe_load(text) or []]


def webkit_available() -> str | None:
    """Why WebKitGTK cannot be driven here, or None when it can."""
    if not Path(XVFB_RUN).exists():
        return "xvfb-run is not installed"
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import gi; gi.require_version('WebKit2', '4.1')"],
        capture_output=True,
        timeout=60,
    )
    if probe.returncode != 0:
        return "python3-gi with gir1.2-webkit2-4.1 is not installed for /usr/bin/python3"
    return None


class ViewError(Exception):
    """A command the web view answered with an error."""


class WebKitDriver:
    """One web view process playing cases, each in a fresh private context."""

    name = "webkitgtk"
    engine = "WebKitGTK"

    def __init__(self, server: OracleServer, folder: Path) -> None:
        self.server = server
        self.folder = folder
        self.proxy = ConnectProxy()
        self.process: subprocess.Popen | None = None
        self.version = ""
        self.starts = 0
        self._start()

    def _start(self) -> None:
        self.starts += 1
        log = (self.folder / f"webkit-{self.starts}.log").open("wb")
        self.process = subprocess.Popen(
            [XVFB_RUN, "-a", SYSTEM_PYTHON, str(VIEW)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            env={**os.environ, "WEBKIT_DISABLE_COMPOSITING_MODE": "1"},
            start_new_session=True,  # Xvfb and WebKit's processes are ended with it
        )
        log.close()
        versions = self._send("version", timeout=_START_TIMEOUT_SECONDS)
        self.version = f"WebKitGTK {versions['webkit']}, libsoup {versions['libsoup']}"

    def _send(self, op: str, timeout: float = COMMAND_TIMEOUT_SECONDS, **arguments) -> object:
        message = json.dumps({"op": op, **arguments}) + "\n"
        try:
            self.process.stdin.write(message.encode("utf-8"))
            self.process.stdin.flush()
        except OSError as error:
            raise DriverHung(f"{op}: the view's process is gone ({error})") from error
        readable, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not readable:
            raise DriverHung(f"{op} unanswered after {timeout:.0f} s")
        line = self.process.stdout.readline()
        if not line:
            raise DriverHung(f"{op}: the view's process ended")
        answer = json.loads(line)
        if "error" in answer:
            raise ViewError(f"{op}: {answer['error']}")
        return answer["ok"]

    def play(self, case: Case) -> Played:
        body = {**lint_body(self.server, case, now()), "browser": self.name}
        played = Played(case, body)
        try:
            self._send(
                "open",
                http_proxy=f"http://127.0.0.1:{self.server.http_port}",
                https_proxy=f"http://127.0.0.1:{self.proxy.port}",
            )
            self._play(played)
        except ViewError as error:
            played.error = str(error)
        self._send("close")  # not after a hang: the view is restarted
        return played

    def _call(self, body: str, **arguments: str) -> object:
        result = self._send("call", body=body, arguments=arguments)
        if "exception" in result:
            raise ViewError(f"script: {result['exception']}")
        return result["value"]

    def _play(self, played: Played) -> None:
        case, body, server = played.case, played.body, self.server
        url, then_url = body["url"], body.get("then_url")
        top_url = body.get("site_for_cookies")
        # The server sees the path as WebKit's URL parser made it.
        self._send("navigate", url="about:blank")
        path, then_path, top_path = self._call(
            _CANONICAL_PATHS, url=url, then=then_url or url, top=top_url or url
        )
        # /lint's clock is read as the responses are about to come, as WebKit reads its own.
        body["now"] = timestamp(now())
        if case.mode == "script":
            server.serve(path, [])
            self._send("navigate", url=url)
            for header in case.set_cookie:
                self._call(_WRITE_COOKIE, header=header)
            # The writes reach the network process by messages the jar's reader does not wait
            # for; a fetch from the page is sent after them on the same connection.
            self._fetch(url)
        elif case.mode == "fetch":
            server.serve(top_path, [])
            server.serve(path, list(case.set_cookie))
            self._send("navigate", url=top_url)
            self._fetch(url)
        else:
            server.serve(path, list(case.set_cookie))
            self._send("navigate", url=url)
        if then_url is not None:
            server.serve(then_path, [])
            if case.mode == "fetch":
                self._fetch(then_url)
            else:
                self._send("navigate", url=then_url)
            played.cookie_header = server.cookie_received(then_path) or ""
        played.cookies = [self._cookie(cookie) for cookie in self._send("jar")]

    def _fetch(self, url: str) -> None:
        try:
            self._call(_FETCH, url=url)
        except ViewError as error:
            # A response WebKit refuses fails the fetch: its cookies are judged by the jar.
            if "Load failed" not in str(error) and "TypeError" not in str(error):
                raise

    @staticmethod
    def _cookie(cookie: dict) -> dict:
        same_site = cookie["samesite"]
        return {
            "name": cookie["name"],
            "value": cookie["value"],
            "domain": cookie["domain"],
            "path": cookie["path"],
            "secure": cookie["secure"],
            "httponly": cookie["httponly"],
            "samesite": None if same_site == "None" else same_site,
            "partitioned": None,
            "priority": None,
            "expiry": cookie["expiry"],
        }

    def restart(self) -> None:
        self._stop()
        self._start()

    def _stop(self) -> None:
        if self.process is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
            os.killpg(self.process.pid, signal.SIGCONT)  # a stopped process takes it too
        wait_or_kill(self.process, timeout=10)
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # Xvfb and WebKit's processes
        for pipe in (self.process.stdin, self.process.stdout):
            pipe.close()
        self.process = None

    def close(self) -> None:
        self._stop()
        self.proxy.close()


@contextmanager
def webkit(folder: Path) -> Iterator[WebKitDriver]:
    """A WebKitGTK driver on a test server of its own, with a certificate made for the run."""
    certificate = make_certificate(folder)
    with oracle_server(certificate) as server:
        driver = WebKitDriver(server, folder)
        try:
            yield driver
        finally:
            driver.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Cookie cases through WebKitGTK and /lint.")
    parser.add_argument("--cases", type=int, default=320, help="how many fuzzed cases (320)")
    parser.add_argument("--seed", type=int, default=17, help="the generator's seed (17)")
    parser.add_argument("--first", type=int, default=0, help="the number of the first case (0)")
    parser.add_argument("--conformance", action="store_true", help="the conformance rows too")
    parser.add_argument(
        "--rules", default="webkitgtk", help='the "browser" asked of /lint; "" for none'
    )
    parser.add_argument("--verbose", action="store_true", help="print known differences too")
    options = parser.parse_args(argv)
    client = create_app({"TESTING": True, "SECRET_KEY": secrets.token_hex(32)}).test_client(
        use_cookies=False
    )
    tables = {"fuzzed": generate_cases(options.seed, options.cases, options.first)}
    if options.conformance:
        tables = {"conformance": list(conformance_cases().values()), **tables}
    listed = known_differences() if options.rules == "webkitgtk" else []
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as folder, webkit(Path(folder)) as driver:
        results = {
            name: run(driver, client, cases, options.rules or None, listed)
            for name, cases in tables.items()
        }
    for name, result in results.items():
        shown = result.disagreements if options.verbose else result.unexplained
        for item in shown:
            print(item.describe())
        print(f"{name}: {result.summary(driver.engine)}")
    print(f"{driver.version}, {time.monotonic() - started:.0f} s")
    return 1 if any(result.unexplained for result in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
