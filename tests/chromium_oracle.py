"""Real Chromium as the oracle for POST /lint: what it stores from a Set-Cookie header, and why not.

A local test server answers on real-looking host names (``--host-resolver-rules`` maps every
name to 127.0.0.1) over HTTPS, with a certificate made for the run that Chromium trusts by its
key alone (``--ignore-certificate-errors-spki-list``), and over plain HTTP. Each scenario gets a
fresh browser context, so a fresh cookie jar. What Chromium did is read through the DevTools
protocol: ``Network.getAllCookies`` for the jar, ``Network.responseReceivedExtraInfo`` for the
reasons it blocked a cookie, and the ``Cookie`` header the server receives next.

DevTools has no name for some reasons (EXCLUDE_INVALID_PARTITIONED,
EXCLUDE_AMBIGUOUS_SERIALIZATION): ``store_statuses`` reads every reason from Chromium's NetLog,
its COOKIE_INCLUSION_STATUS events, for a batch of headers.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import json
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Playwright

from cookierules.libsoup import normalized_path
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS

# Names the test certificate covers; every one resolves to 127.0.0.1 in this Chromium.
CERTIFICATE_NAMES = (
    "example.test",
    "*.example.test",
    "example.co.uk",
    "*.example.co.uk",
    "co.uk",
    "github.io",
    "*.github.io",
)
# How long to wait for the DevTools event that carries a response's blocked cookies.
_EVENT_WAIT_SECONDS = 5.0


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path
    spki_sha256: str  # base64 of the SHA-256 of the DER SubjectPublicKeyInfo


def make_certificate(folder: Path) -> Certificate:
    """A self-signed certificate for ``CERTIFICATE_NAMES``, made with the openssl CLI."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    names = ",".join(f"DNS:{name}" for name in CERTIFICATE_NAMES)
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2",
            "-subj", "/CN=cookie-api-oracle", "-addext", f"subjectAltName={names}",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    public_key = subprocess.run(
        ["openssl", "x509", "-in", str(cert), "-pubkey", "-noout"],
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout
    der = subprocess.run(
        ["openssl", "pkey", "-pubin", "-outform", "der"],
        input=public_key,
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout
    return Certificate(cert, key, base64.b64encode(hashlib.sha256(der).digest()).decode())


class _Routes:
    """What the server answers, by path: Set-Cookie headers to send; and what it was sent."""

    def __init__(self) -> None:
        self.set_cookies: dict[str, list[str]] = {}
        self.received_cookie: dict[str, str | None] = {}
        self.lock = threading.Lock()


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: _Routes
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        path = route(urlsplit(self.path).path)
        with self.routes.lock:
            headers = self.routes.set_cookies.get(path, [])
            self.routes.received_cookie[path] = _utf8(self.headers.get("Cookie"))
        body = b"<!doctype html><title>oracle</title><p>ok</p>"
        # Written by hand: a Set-Cookie may hold control characters or UTF-8, as on the wire.
        lines = [b"HTTP/1.1 200 OK", b"Content-Type: text/html", b"Cache-Control: no-store"]
        lines += [b"Set-Cookie: " + header.encode("utf-8") for header in headers]
        lines += [f"Content-Length: {len(body)}".encode(), b"", b""]
        self.wfile.write(b"\r\n".join(lines) + body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def route(path: str) -> str:
    """A request path as a route: WebKitGTK's networking (GLib's GUri) decodes percent-escapes
    of unreserved characters before it sends a path; Chromium does not."""
    return normalized_path(path)


def _utf8(header: str | None) -> str | None:
    """A header as sent: http.server decodes the bytes as Latin-1, Chromium sends UTF-8."""
    if header is None:
        return None
    return header.encode("latin-1").decode("utf-8", errors="backslashreplace")


@dataclass
class OracleServer:
    """An HTTPS and an HTTP listener on loopback, answering every host name."""

    https_port: int
    http_port: int
    routes: _Routes

    def url(self, scheme: str, host: str, path: str) -> str:
        port = self.https_port if scheme == "https" else self.http_port
        return f"{scheme}://{host}:{port}{path}"

    def serve(self, path: str, set_cookies: list[str]) -> None:
        """Answer ``path`` with these headers from now on, and forget the Cookie it was sent."""
        with self.routes.lock:
            self.routes.set_cookies[route(path)] = set_cookies
            self.routes.received_cookie.pop(route(path), None)

    def cookie_received(self, path: str) -> str | None:
        with self.routes.lock:
            return self.routes.received_cookie.get(route(path))


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """A browser that drops a kept-alive connection is no error of the test."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def listen(
    certificate: Certificate, handler: type[http.server.BaseHTTPRequestHandler]
) -> Iterator[list[http.server.ThreadingHTTPServer]]:
    """``handler`` served over HTTPS (the first server) and plain HTTP on loopback ports."""
    secure = _Server(("127.0.0.1", 0), handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate.cert, certificate.key)
    secure.socket = context.wrap_socket(secure.socket, server_side=True)
    plain = _Server(("127.0.0.1", 0), handler)
    servers = [secure, plain]
    threads = [threading.Thread(target=server.serve_forever, daemon=True) for server in servers]
    for thread in threads:
        thread.start()
    try:
        yield servers
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
        for thread in threads:
            thread.join(timeout=10)


@contextmanager
def oracle_server(certificate: Certificate) -> Iterator[OracleServer]:
    routes = _Routes()
    handler = type("Handler", (_Handler,), {"routes": routes})
    with listen(certificate, handler) as (secure, plain):
        yield OracleServer(secure.server_address[1], plain.server_address[1], routes)


def chromium_args(certificate: Certificate) -> list[str]:
    """Flags that send every host name to loopback and trust only the test certificate."""
    return [
        "--host-resolver-rules=MAP * 127.0.0.1",
        f"--ignore-certificate-errors-spki-list={certificate.spki_sha256}",
    ]


def launch_oracle_chromium(
    playwright: Playwright, folder: Path, certificate: Certificate, *args: str, **options: Any
) -> BrowserContext:
    """Headless Chromium with its profile in ``folder`` (made if new), trusting only
    ``certificate``; ``options`` go to Playwright's ``launch_persistent_context``."""
    profile = folder / "profile"
    (profile / "Default").mkdir(parents=True, exist_ok=True)
    # Third-party cookies allowed, as Chrome ships for regular windows (cookie_controls_mode
    # 0): a cross-site row is then decided by SameSite alone. Browsers that block third-party
    # cookies are what the third_party_unpartitioned warning is about.
    (profile / "Default" / "Preferences").write_text(
        json.dumps({"profile": {"cookie_controls_mode": 0, "block_third_party_cookies": False}})
    )
    return playwright.chromium.launch_persistent_context(
        profile,
        executable_path=CHROMIUM,
        headless=True,
        args=[*CHROMIUM_ARGS, *chromium_args(certificate), *args],
        **options,
    )


@dataclass(frozen=True)
class Observation:
    """What Chromium did with the Set-Cookie headers of one response."""

    cookies: list[dict]  # Network.getAllCookies
    blocked: list[list[str]]  # blockedReasons of each blocked cookie, in header order
    cookie_header: str | None  # the Cookie header of the request to then_url, if any


class Oracle:
    """One Chromium profile and page, with its DevTools session; the jar is emptied per look."""

    def __init__(self, context: BrowserContext, server: OracleServer) -> None:
        self.server = server
        self.page = context.pages[0] if context.pages else context.new_page()
        self.session = context.new_cdp_session(self.page)
        self.events: list[dict] = []
        self.request_ids: dict[str, str] = {}
        self.session.on("Network.requestWillBeSent", self._request_will_be_sent)
        self.session.on("Network.responseReceivedExtraInfo", self._response_extra_info)
        self.session.send("Network.enable")

    def _request_will_be_sent(self, event: dict) -> None:
        self.request_ids[event["request"]["url"]] = event["requestId"]

    def _response_extra_info(self, event: dict) -> None:
        self.events.append(event)

    def observe(
        self,
        *,
        url: str,
        set_cookie: list[str],
        site_for_cookies: str | None = None,
        from_script: bool = False,
        then_url: str | None = None,
        requested_paths: tuple[str, str] | None = None,
    ) -> Observation:
        """Let Chromium, with an empty jar, receive ``set_cookie`` from ``url``, then look.

        ``requested_paths``: the paths Chromium asks the server for, at ``url`` and at
        ``then_url``, where they are not written canonically in the URLs.
        """
        self.session.send("Network.clearBrowserCookies")
        self.events.clear()
        self.request_ids.clear()
        page, server = self.page, self.server
        path = requested_paths[0] if requested_paths else urlsplit(url).path
        blocked: list[list[str]] = []
        if from_script:
            server.serve(path, [])
            page.goto(url)
            for header in set_cookie:
                page.evaluate("header => { document.cookie = header; }", header)
        else:
            server.serve(path, set_cookie)
            if site_for_cookies is None:
                page.goto(url)
            else:
                # A subresource of a page on another site: the response is cross-site.
                server.serve(urlsplit(site_for_cookies).path, [])
                page.goto(site_for_cookies)
                page.evaluate(FETCH, url)
            blocked = self._blocked_reasons(url)
        cookie_header = None
        if then_url is not None:
            then_path = requested_paths[1] if requested_paths else urlsplit(then_url).path
            server.serve(then_path, [])
            if site_for_cookies is None:
                page.goto(then_url)
            else:
                page.evaluate(FETCH, then_url)
            cookie_header = server.cookie_received(then_path) or ""
        cookies = self.session.send("Network.getAllCookies")["cookies"]
        return Observation(cookies=cookies, blocked=blocked, cookie_header=cookie_header)

    def _blocked_reasons(self, url: str) -> list[list[str]]:
        """The blockedReasons Chromium reported for the response of ``url``."""
        deadline = time.monotonic() + _EVENT_WAIT_SECONDS
        while time.monotonic() < deadline:
            # The only request of the look: its URL is the canonical form of ``url``.
            request_id = self.request_ids.get(url) or next(iter(self.request_ids.values()), None)
            for event in self.events:
                if request_id is not None and event["requestId"] == request_id:
                    return [cookie["blockedReasons"] for cookie in event["blockedCookies"]]
            self.page.wait_for_timeout(20)
        raise AssertionError(f"Chromium reported no response headers for {url}")


# A no-cors fetch that sends and stores cookies, awaited to the end of its body.
FETCH = "url => fetch(url, {mode: 'no-cors', credentials: 'include'}).then(r => r.blob())"


def as_json(observation: Observation) -> str:
    """The observation, for a failure message."""
    return json.dumps(
        {
            "cookies": observation.cookies,
            "blocked": observation.blocked,
            "cookie_header": observation.cookie_header,
        },
        indent=1,
    )


def store_statuses(
    context_of: Callable[[list[str]], BrowserContext],
    server: OracleServer,
    log: Path,
    responses: list[tuple[str, list[str]]],
) -> list[list[list[str]]]:
    """The EXCLUDE_ reasons Chromium gives each Set-Cookie header, from its NetLog.

    ``context_of(args)`` launches a browser with these extra flags; each response (a URL and
    its headers) is loaded in turn at a path of its own, the browser is closed so the log is
    complete, and the COOKIE_INCLUSION_STATUS "store" events of each response's request are
    read in order: per response, one list of reasons per header Chromium parsed.
    """
    context = context_of([f"--log-net-log={log}", "--net-log-capture-mode=Everything"])
    urls = []
    try:
        page = context.pages[0] if context.pages else context.new_page()
        for index, (url, headers) in enumerate(responses):
            path = f"/netlog/{index}"
            server.serve(path, headers)
            urls.append(url + path)
            page.goto(urls[-1])
    finally:
        context.close()
    # Chromium logs the canonical URL (127.1 becomes 127.0.0.1): each path is the look's own.
    by_path = {
        urlsplit(url).path: [
            [reason for reason in params["status"].split(", ") if reason.startswith("EXCLUDE_")]
            for params in events
            if params["operation"] == "store"
        ]
        for url, events in netlog_cookie_statuses(log).items()
    }
    return [by_path.get(urlsplit(url).path, []) for url in urls]


def netlog_cookie_statuses(log: Path) -> dict[str, list[dict]]:
    """Per request URL, as Chromium logged it (canonical), its COOKIE_INCLUSION_STATUS events.

    Each is the event's parameters, in order: ``operation`` ("store", "expire" or "send"),
    ``status`` (every EXCLUDE_ and WARN_ reason), and ``name`` (absent when empty), ``domain``,
    ``path`` and ``partition_key`` where there is a cookie. A URL requested again keeps the last
    request's events. The NetLog writes one event per line, so a long log is read line by line.
    """
    urls: dict[int, str] = {}
    events: dict[int, list[dict]] = {}
    with log.open(encoding="utf-8") as lines:
        constants = json.loads(next(lines).rstrip().rstrip(",").removeprefix('{"constants":'))
        kinds = constants["logEventTypes"]
        start_job, inclusion = kinds["URL_REQUEST_START_JOB"], kinds["COOKIE_INCLUSION_STATUS"]
        for line in lines:
            if not line.startswith('{"'):
                continue
            event, _ = _DECODER.raw_decode(line)  # the last one is followed by "]"
            source, params = event["source"]["id"], event.get("params") or {}
            if event["type"] == start_job and "url" in params:
                urls.setdefault(source, params["url"])
            elif event["type"] == inclusion:
                events.setdefault(source, []).append(params)
    return {urls[source]: found for source, found in events.items() if source in urls}


_DECODER = json.JSONDecoder()
