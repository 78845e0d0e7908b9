"""Real Firefox ESR as an oracle for POST /lint with ``"browser": "firefox"``.

One headless ``firefox-esr`` (``--remote-debugging-port``, a fresh profile) is driven over
WebDriver BiDi, a websocket, with no geckodriver: ``session.new`` accepting the test server's
self-signed certificate, then per case a fresh user context (its own cookie jar), a tab in it,
``browsingContext.navigate``, ``script.evaluate`` for the fetch and the ``document.cookie``
writes, and ``storage.getCookies`` for the jar. The responses come from the oracle's test server
(``tests/chromium_oracle.py``); every host name reaches it through proxy preferences: plain HTTP
goes to its HTTP listener as to a proxy (the request line carries the whole URL), HTTPS through
a CONNECT tunnel to its HTTPS listener (``ConnectProxy``). The profile stays offline: no
updates, telemetry, captive portal check, remote settings or safe browsing lists.

What BiDi does not show, and how the jar is read all the same:
- ``storage.getCookies`` gives a cookie's name and value as Latin-1 text of its bytes: they are
  decoded back from UTF-8;
- it has no Partitioned field: a cookie set by a fetch from another site is partitioned when it
  is in the jar of the top-level site's partition and does not belong to that site; for the
  others, Firefox cannot tell a first-party Partitioned cookie from a plain one, and
  ``partitioned`` is None (not compared);
- SameSite: "default" where it was not given (None, as /lint writes it); priority is not a
  Firefox attribute (None, not compared);
- an expiry past 2038 may come back wrapped through 32 bits: it is unwrapped when the wrapped
  value lies before the case was played.

    python -m tests.firefox_oracle --cases 300 --seed 17   # a fuzz run against /lint
"""

from __future__ import annotations

import argparse
import base64
import itertools
import json
import os
import re
import secrets
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from urllib.parse import urlsplit

from websockets.exceptions import WebSocketException
from websockets.sync.client import ClientConnection, connect

from api import create_app
from api.liveness import free_port, wait_or_kill
from cookierules.domains import registrable_domain
from tests.browser_oracle import (
    DriverHung,
    Played,
    conformance_cases,
    lint_body,
    now,
    run,
    timestamp,
)
from tests.chromium_oracle import OracleServer, make_certificate, oracle_server
from tests.fuzz_cases import Case, generate_cases

FIREFOX = shutil.which("firefox-esr") or "/usr/bin/firefox-esr"
# How long one BiDi command may take before the browser is taken as hung.
COMMAND_TIMEOUT_SECONDS = 20.0
_START_TIMEOUT_SECONDS = 60.0
# What BiDi listens on, as firefox prints it at start.
_LISTENING = re.compile(rb"WebDriver BiDi listening on (ws://\S+)")
# A no-cors fetch that sends and stores cookies, awaited to the end of its body.
_FETCH = "url => fetch(url, {mode: 'no-cors', credentials: 'include'}).then(r => r.blob())"
_WRITE_COOKIE = "header => { document.cookie = header; }"
_CANONICAL_PATHS = "(...urls) => urls.map((url) => new URL(url).pathname)"
# 2**32 seconds: an expiry that went through a 32-bit integer lost this much.
_WRAP = 1 << 32


def profile_preferences(http_port: int, connect_port: int) -> dict[str, object]:
    """user.js: every request through the test server, and nothing else on the network."""
    return {
        # Plain HTTP to the test server's HTTP listener, HTTPS through the CONNECT tunnel;
        # localhost and IP addresses too, and no DNS lookup of its own.
        "network.proxy.type": 1,
        "network.proxy.http": "127.0.0.1",
        "network.proxy.http_port": http_port,
        "network.proxy.ssl": "127.0.0.1",
        "network.proxy.ssl_port": connect_port,
        "network.proxy.share_proxy_settings": False,
        "network.proxy.no_proxies_on": "",
        "network.proxy.allow_hijacking_localhost": True,
        "network.proxy.socks_remote_dns": True,
        "network.trr.mode": 5,
        "network.dns.disablePrefetch": True,
        "network.prefetch-next": False,
        "network.predictor.enabled": False,
        "network.http.speculative-parallel-limit": 0,
        # http:// stays http:// (no HTTPS-First, no preloaded HSTS), as the case says.
        "dom.security.https_first": False,
        "dom.security.https_first_schemeless": False,
        "dom.security.https_only_mode": False,
        "network.stricttransportsecurity.preloadlist": False,
        # Offline: no update, telemetry, captive portal, remote settings, safe browsing.
        "app.update.disabledForTesting": True,
        "app.update.auto": False,
        "toolkit.telemetry.enabled": False,
        "toolkit.telemetry.unified": False,
        "toolkit.telemetry.reportingpolicy.firstRun": False,
        "datareporting.healthreport.uploadEnabled": False,
        "datareporting.policy.dataSubmissionEnabled": False,
        "network.captive-portal-service.enabled": False,
        "network.connectivity-service.enabled": False,
        "services.settings.server": "data:,#remote-settings-off",
        "browser.safebrowsing.malware.enabled": False,
        "browser.safebrowsing.phishing.enabled": False,
        "browser.safebrowsing.downloads.enabled": False,
        "browser.safebrowsing.blockedURIs.enabled": False,
        "browser.safebrowsing.update.enabled": False,
        "extensions.update.enabled": False,
        "extensions.getAddons.cache.enabled": False,
        "extensions.blocklist.enabled": False,
        "media.gmp-manager.updateEnabled": False,
        "browser.shell.checkDefaultBrowser": False,
        "browser.startup.page": 0,
        "browser.startup.homepage_override.mstone": "ignore",
        "browser.newtabpage.enabled": False,
        "browser.newtab.preload": False,
        "browser.topsites.contile.enabled": False,
        "browser.ping-centre.telemetry": False,
        "security.certerrors.mitm.priming.enabled": False,
        "security.OCSP.enabled": 0,
        "security.remote_settings.crlite_filters.enabled": False,
        "security.remote_settings.intermediates.enabled": False,
    }


def write_user_js(profile: Path, preferences: dict[str, object]) -> None:
    lines = [
        f"user_pref({json.dumps(key)}, {json.dumps(value)});" for key, value in preferences.items()
    ]
    (profile / "user.js").write_text("\n".join(lines) + "\n", encoding="utf-8")


class ConnectProxy:
    """A forward proxy that answers CONNECT only, tunnelling to that port on 127.0.0.1,
    whatever the host name: HTTPS to every test host reaches the test server."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._tunnel, args=(client,), daemon=True).start()

    def _tunnel(self, client: socket.socket) -> None:
        # A browser resets a tunnel it no longer needs: the end of it, not an error.
        with client, suppress(OSError):
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = client.recv(4096)
                if not chunk:
                    return
                request += chunk
            method, target, *_ = request.split(b"\r\n", 1)[0].split(b" ")
            if method != b"CONNECT":
                client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                return
            port = int(target.rsplit(b":", 1)[1])
            try:
                upstream = socket.create_connection(("127.0.0.1", port), timeout=10)
            except OSError:
                client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                return
            with upstream:
                client.sendall(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                _pipe(client, upstream)

    def close(self) -> None:
        self.listener.close()


def _pipe(one: socket.socket, other: socket.socket) -> None:
    """Bytes both ways until either side closes."""
    sockets = [one, other]
    while True:
        readable, _, _ = select.select(sockets, [], [], 60)
        if not readable:
            return
        for source in readable:
            data = source.recv(65536)
            if not data:
                return
            (other if source is one else one).sendall(data)


class BidiError(Exception):
    """A BiDi command answered with an error."""


class Bidi:
    """A WebDriver BiDi session over one websocket: commands and their results, in order."""

    def __init__(self, url: str) -> None:
        self.exit = ExitStack()  # the connection is a context: closed with the session
        self.socket: ClientConnection = self.exit.enter_context(
            connect(url, max_size=None, open_timeout=10)
        )
        self.ids = itertools.count(1)

    def send(self, method: str, timeout: float = COMMAND_TIMEOUT_SECONDS, **params) -> dict:
        number = next(self.ids)
        self.socket.send(json.dumps({"id": number, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                message = json.loads(self.socket.recv(timeout=max(left, 0)))
            except TimeoutError as error:
                raise DriverHung(f"{method} unanswered after {timeout:.0f} s") from error
            except WebSocketException as error:
                raise DriverHung(f"{method}: the connection closed ({error})") from error
            if message.get("id") != number:
                continue  # an event, or the answer to a command that timed out
            if message["type"] == "error":
                raise BidiError(f"{method}: {message['error']}: {message.get('message', '')}")
            return message["result"]

    def close(self) -> None:
        self.exit.close()


def _text(bytes_as_latin1: str) -> str:
    """A name or value BiDi gave as Latin-1 text of its bytes, read as the UTF-8 it was."""
    try:
        return bytes_as_latin1.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return bytes_as_latin1


def _value(value: dict) -> str:
    if value["type"] == "base64":
        return base64.b64decode(value["value"]).decode("utf-8", errors="replace")
    return _text(value["value"])


def _expiry(expiry: int | None, played_at: float) -> int | None:
    """Seconds since the epoch; a date past 2038 that came back wrapped, unwrapped."""
    if expiry is None:
        return None
    while expiry < played_at - 2 * 86400 and expiry + _WRAP < played_at + 401 * 86400:
        expiry += _WRAP
    return expiry


def _same_site(host: str, domain: str) -> bool:
    """Whether a cookie's domain is of the top-level host's site, by registrable domain and
    whatever the scheme, as Total Cookie Protection keys partitions: only a cookie of another
    site can be in the top-level site's partition without a Partitioned attribute."""
    domain = domain.lstrip(".")
    return (registrable_domain(host) or host) == (registrable_domain(domain) or domain)


class FirefoxDriver:
    """One Firefox ESR process playing cases, each in a user context of its own."""

    name = "firefox"
    engine = "Firefox"

    def __init__(self, server: OracleServer, folder: Path) -> None:
        self.server = server
        self.folder = folder
        self.proxy = ConnectProxy()
        self.process: subprocess.Popen | None = None
        self.bidi: Bidi | None = None
        self.version = ""
        self.starts = 0
        self._start()

    def _start(self) -> None:
        self.starts += 1
        profile = self.folder / f"profile-{self.starts}"
        profile.mkdir(parents=True)
        write_user_js(profile, profile_preferences(self.server.http_port, self.proxy.port))
        log = self.folder / f"firefox-{self.starts}.log"
        port = free_port()
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                [
                    FIREFOX, "--headless", "--no-remote", "--remote-debugging-port", str(port),
                    "--profile", str(profile),
                ],
                stdout=output,
                stderr=subprocess.STDOUT,
                env={**os.environ, "MOZ_CRASHREPORTER_DISABLE": "1"},
                start_new_session=True,  # its content processes are ended with it
            )  # fmt: skip
        url = self._wait_for_bidi(log)
        self.bidi = Bidi(url + "/session")
        session = self.bidi.send(
            "session.new",
            capabilities={"alwaysMatch": {"acceptInsecureCerts": True}},
            timeout=_START_TIMEOUT_SECONDS,
        )
        capabilities = session["capabilities"]
        self.version = f"{capabilities['browserName']} {capabilities['browserVersion']}"

    def _wait_for_bidi(self, log: Path) -> str:
        deadline = time.monotonic() + _START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            found = _LISTENING.search(log.read_bytes())
            if found:
                return found[1].decode()
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(f"Firefox did not start BiDi: {log.read_text(errors='replace')[-2000:]}")

    def play(self, case: Case) -> Played:
        body = {**lint_body(self.server, case, now()), "browser": self.name}
        played = Played(case, body, unknown=("partitioned", "priority"))
        context = user_context = None
        try:
            user_context = self.bidi.send("browser.createUserContext")["userContext"]
            context = self.bidi.send(
                "browsingContext.create", type="tab", userContext=user_context
            )["context"]
            self._play(played, context, user_context)
        except BidiError as error:
            played.error = str(error)
        finally:
            if context is not None:
                self.bidi.send("browsingContext.close", context=context)
            if user_context is not None:
                self.bidi.send("browser.removeUserContext", userContext=user_context)
        return played

    def _evaluate(self, context: str, function: str, *arguments: str) -> dict:
        result = self.bidi.send(
            "script.callFunction",
            functionDeclaration=function,
            awaitPromise=True,
            target={"context": context},
            arguments=[{"type": "string", "value": argument} for argument in arguments],
        )
        if result["type"] == "exception":
            raise BidiError(f"script: {result['exceptionDetails']['text']}")
        return result["result"]

    def _navigate(self, context: str, url: str) -> None:
        try:
            self.bidi.send("browsingContext.navigate", context=context, url=url, wait="complete")
        except BidiError as error:
            # A response Firefox refuses is an error page: its cookies are judged by the jar.
            if "NS_ERROR" not in str(error):
                raise

    def _play(self, played: Played, context: str, user_context: str) -> None:
        case, body, server = played.case, played.body, self.server
        url, then_url = body["url"], body.get("then_url")
        top_url = body.get("site_for_cookies")
        # The server sees the path as Firefox's URL parser made it.
        paths = self._evaluate(context, _CANONICAL_PATHS, url, then_url or url, top_url or url)
        path, then_path, top_path = (item["value"] for item in paths["value"])
        # /lint's clock is read as the responses are about to come, as Firefox reads its own.
        body["now"] = timestamp(now())
        played_at = time.time()
        if case.mode == "script":
            server.serve(path, [])
            self._navigate(context, url)
            for header in case.set_cookie:
                self._evaluate(context, _WRITE_COOKIE, header)
        elif case.mode == "fetch":
            server.serve(top_path, [])
            server.serve(path, list(case.set_cookie))
            self._navigate(context, top_url)
            self._fetch(context, url)
        else:
            server.serve(path, list(case.set_cookie))
            self._navigate(context, url)
        if then_url is not None:
            server.serve(then_path, [])
            if case.mode == "fetch":
                self._fetch(context, then_url)
            else:
                self._navigate(context, then_url)
            played.cookie_header = server.cookie_received(then_path) or ""
        played.cookies = self._jar(user_context, top_url, played_at)

    def _fetch(self, context: str, url: str) -> None:
        try:
            self._evaluate(context, _FETCH, url)
        except BidiError as error:
            # A response Firefox refuses fails the fetch: its cookies are judged by the jar.
            if "NetworkError" not in str(error):
                raise

    def _jar(self, user_context: str, top_url: str | None, played_at: float) -> list[dict]:
        every = self.bidi.send(
            "storage.getCookies", partition={"type": "storageKey", "userContext": user_context}
        )["cookies"]
        partitioned: list[dict] = []
        top_host = None
        if top_url is not None:
            top = urlsplit(top_url)
            top_host = top.hostname
            partitioned = self.bidi.send(
                "storage.getCookies",
                partition={
                    "type": "storageKey",
                    "userContext": user_context,
                    "sourceOrigin": f"{top.scheme}://{top.netloc}",
                },
            )["cookies"]
        return [self._cookie(cookie, partitioned, top_host, played_at) for cookie in every]

    @staticmethod
    def _cookie(
        cookie: dict, partitioned: list[dict], top_host: str | None, played_at: float
    ) -> dict:
        domain = cookie["domain"]
        if top_host is None or _same_site(top_host, domain):
            # First party: Partitioned or not, BiDi does not say (a partition's cookies, read
            # with its sourceOrigin, hold the site's own).
            partition = None
        else:
            partition = cookie in partitioned
        same_site = cookie.get("sameSite", "default")
        return {
            "name": _text(cookie["name"]),
            "value": _value(cookie["value"]),
            "domain": domain,
            "path": cookie["path"],
            "secure": cookie["secure"],
            "httponly": cookie["httpOnly"],
            "samesite": None if same_site == "default" else same_site.capitalize(),
            "partitioned": partition,
            "priority": None,
            "expiry": _expiry(cookie.get("expiry"), played_at),
        }

    def restart(self) -> None:
        self._stop()
        self._start()

    def _stop(self) -> None:
        if self.bidi is not None:
            self.bidi.close()
            self.bidi = None
        if self.process is not None:
            self.process.terminate()
            wait_or_kill(self.process, timeout=10)  # its content processes with it
            self.process = None

    def close(self) -> None:
        self._stop()
        self.proxy.close()


@contextmanager
def firefox(folder: Path) -> Iterator[FirefoxDriver]:
    """A Firefox driver on a test server of its own, with a certificate made for the run."""
    certificate = make_certificate(folder)
    with oracle_server(certificate) as server:
        driver = FirefoxDriver(server, folder)
        try:
            yield driver
        finally:
            driver.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Cookie cases through Firefox and POST /lint.")
    parser.add_argument("--cases", type=int, default=300, help="how many fuzzed cases (300)")
    parser.add_argument("--seed", type=int, default=17, help="the generator's seed (17)")
    parser.add_argument("--first", type=int, default=0, help="the number of the first case (0)")
    parser.add_argument("--conformance", action="store_true", help="the conformance rows too")
    parser.add_argument(
        "--rules", default="firefox", help='the "browser" asked of /lint; "" for none (firefox)'
    )
    parser.add_argument("--verbose", action="store_true", help="print known differences too")
    options = parser.parse_args(argv)
    client = create_app({"TESTING": True, "SECRET_KEY": secrets.token_hex(32)}).test_client(
        use_cookies=False
    )
    tables = {"fuzzed": generate_cases(options.seed, options.cases, options.first)}
    if options.conformance:
        tables = {"conformance": list(conformance_cases().values()), **tables}
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as folder, firefox(Path(folder)) as driver:
        results = {
            name: run(driver, client, cases, options.rules or None)
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
