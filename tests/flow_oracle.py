"""Real Chromium plays a flow of POST /replay steps; what its server received is the oracle.

A flow is a list of steps in POST /replay's request shape (``url``, ``method``, ``kind``,
``top_level_url``, ``initiator``, ``credentials``, ``response`` with ``status``, ``set_cookie``
and ``location``, ``document_cookie``). The test server (``tests/chromium_oracle.py``'s
certificate and resolver rules) answers each step's request with the step's response, on the
step's host, and records the ``Cookie`` header of every request. The page that starts a step is
a blank launcher page at ``/__launch`` of the initiator's origin, or of the top-level page's
origin for iframes and fetches; an iframe or fetch whose initiator is another origin than the
top-level page's starts from an iframe of the initiator inside it. Launchers set no cookies, so
they change nothing a prediction depends on.

- ``navigation`` without an initiator is typed into the address bar (``page.goto``); with one,
  the launcher sets ``location`` (GET) or submits a form (POST).
- ``iframe`` adds an ``<iframe>`` (GET) or submits a form into one (POST).
- ``subresource`` is ``fetch(url, {method, credentials})`` in CORS mode (a POST sends JSON);
  the server allows the requesting origin with credentials and answers preflights, so CORS
  never hides a cookie.
- A 3xx ``response`` with a ``location`` makes the next step its redirect hop: Chromium follows
  it by itself, and the hop's response is served to it.

After each chain of requests the jar is read with ``Network.getAllCookies``. Each played step
gets the time it was played as ``at``, so that predictions judge time as Chromium did.

Two minutes of cookie age (Chromium's Lax-allowing-unsafe window, ``kLaxAllowUnsafeMaxAge`` in
net/cookies/cookie_constants.h) cannot be waited for in a short test, and DevTools cannot set a
cookie's creation time. A step with ``after_seconds`` therefore closes the browser (which writes
its persistent cookies to the profile's ``Cookies`` database), moves every time in that database
back by that many seconds, and opens the profile again: to Chromium, the earlier steps then
happened that long ago, and the earlier steps' ``at`` are moved back the same way. Session
cookies do not outlive the restart, so the earlier steps of such a flow set persistent cookies.
"""

from __future__ import annotations

import copy
import http.server
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from playwright.sync_api import Browser, BrowserContext, CDPSession, Frame, Page, Playwright

from tests.chromium_oracle import Certificate, chromium_args, launch_oracle_chromium, listen
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS

LAUNCH_PATH = "/__launch"
# Chromium does not send or store a cookie for these; the driver never asks for them.
_IGNORED_PATHS = {"/favicon.ico"}
_WAIT_SECONDS = 10.0
# The profile's cookie times are microseconds since 1601 (base::Time's internal value).
_COOKIE_TIME_COLUMNS = ("creation_utc", "expires_utc", "last_access_utc", "last_update_utc")


@dataclass(frozen=True)
class Request:
    """What the server received."""

    method: str
    host: str
    path: str
    cookie: str | None


class _FlowState:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.responses: dict[tuple[str, str], dict] = {}  # (host, path) -> a step's response
        self.received: list[Request] = []
        self.preflights = 0  # CORS preflights (OPTIONS): never credentialed, so not steps


_PAGE = b"<!doctype html><meta charset=utf-8><title>flow</title><p>flow page</p>"


class _FlowHandler(http.server.BaseHTTPRequestHandler):
    state: _FlowState
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def do_OPTIONS(self) -> None:
        with self.state.lock:
            self.state.preflights += 1
        self._write(204, [], b"")

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        path = urlsplit(self.path).path
        with self.state.lock:
            if path != LAUNCH_PATH and path not in _IGNORED_PATHS:
                self.state.received.append(
                    Request(self.command, host, path, self.headers.get("Cookie"))
                )
            response = self.state.responses.get((host, path), {}) if path != LAUNCH_PATH else {}
        extra = [f"Set-Cookie: {header}" for header in response.get("set_cookie", [])]
        if response.get("location"):
            extra.append(f"Location: {response['location']}")
        self._write(response.get("status", 200), extra, _PAGE)

    def _write(self, status: int, extra: list[str], body: bytes) -> None:
        lines = [f"HTTP/1.1 {status} Flow", "Content-Type: text/html", "Cache-Control: no-store"]
        origin = self.headers.get("Origin")
        if origin:  # any origin may read, with credentials: CORS never hides what happened
            lines += [
                f"Access-Control-Allow-Origin: {origin}",
                "Access-Control-Allow-Credentials: true",
                "Access-Control-Allow-Methods: GET, POST",
                "Access-Control-Allow-Headers: content-type",
            ]
        lines += [*extra, f"Content-Length: {len(body)}", "", ""]
        # Written by hand: a Set-Cookie may hold UTF-8, as on the wire.
        self.wfile.write("\r\n".join(lines).encode("utf-8") + body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass
class FlowServer:
    https_port: int
    http_port: int
    state: _FlowState

    def port_of(self, url: str) -> str:
        """``url`` with the server's port for its scheme (the table's URLs have none)."""
        parts = urlsplit(url)
        if parts.port is not None or not parts.hostname:
            return url
        port = self.https_port if parts.scheme == "https" else self.http_port
        return urlunsplit(parts._replace(netloc=f"{parts.hostname}:{port}"))


@contextmanager
def flow_server(certificate: Certificate) -> Iterator[FlowServer]:
    state = _FlowState()
    handler = type("FlowHandler", (_FlowHandler,), {"state": state})
    with listen(certificate, handler) as (secure, plain):
        yield FlowServer(secure.server_address[1], plain.server_address[1], state)


@dataclass
class Played:
    """A flow as Chromium played it."""

    steps: list[dict]  # the flow's steps with ports and ``at``: POST /replay's ``steps``
    cookie_headers: list[str | None]  # the Cookie header the server received, per step
    jars: list[list[dict] | None]  # Network.getAllCookies after each chain's last step


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _chains(steps: list[dict]) -> list[list[int]]:
    """Step indexes grouped into redirect chains: a 3xx with a location leads to the next."""
    chains: list[list[int]] = []
    for index in range(len(steps)):
        response = steps[index - 1].get("response", {}) if index else {}
        if index and 300 <= response.get("status", 200) < 400 and response.get("location"):
            chains[-1].append(index)
        else:
            chains.append([index])
    return chains


_NAVIGATE = """([url, method]) => {
    if (method === "GET") { location.href = url; return; }
    const form = document.createElement("form");
    form.method = method; form.action = url;
    document.body.append(form); form.submit();
}"""
_FRAME = """([url, method, name]) => new Promise((resolve) => {
    const frame = document.createElement("iframe");
    frame.name = name;
    if (method === "GET") frame.src = url;
    // Appended without a src, the frame loads about:blank at once: not the load awaited.
    document.body.append(frame);
    frame.addEventListener("load", () => resolve(), {once: true});
    if (method === "GET") return;
    const form = document.createElement("form");
    form.method = method; form.action = url; form.target = name;
    document.body.append(form); form.submit();
})"""
# A POST sends JSON, as API calls do: cross-origin, that needs a CORS preflight.
_FETCH = """([url, method, credentials]) => fetch(url, method === "GET"
    ? {method, credentials, mode: "cors"}
    : {method, credentials, mode: "cors", body: "{}", headers: {"content-type": "application/json"}}
).then((response) => response.text(), () => null)"""
_WRITE_COOKIES = "(headers) => { for (const header of headers) document.cookie = header; }"


class FlowPlayer:
    """One Chromium profile that plays flows; each flow starts from an empty jar."""

    def __init__(
        self,
        playwright: Playwright,
        server: FlowServer,
        certificate: Certificate,
        profile: Path | None,
        har: Path | None = None,
    ) -> None:
        """``profile``: the folder of a persistent profile that allows third-party cookies
        (``launch_oracle_chromium``); ``None``: contexts of one browser, which block them, as
        Incognito does (DevTools' Network.setCookieControls does not change that). ``har``:
        where Playwright records each context's HAR, written when the context closes (after
        each flow, or at ``close`` for a profile)."""
        self.playwright, self.server, self.profile = playwright, server, profile
        self.certificate = certificate
        self.recording = {"record_har_path": har} if har is not None else {}
        self.browser: Browser | None = None
        self.context: BrowserContext | None = None
        self.page: Page
        self.session: CDPSession
        if profile is not None:
            self._open_profile()
        else:
            self.browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=[*CHROMIUM_ARGS, *chromium_args(certificate)],
            )

    def _open_profile(self) -> None:
        assert self.profile is not None
        self.context = launch_oracle_chromium(
            self.playwright, self.profile, self.certificate, **self.recording
        )
        self._attach(self.context)

    def _attach(self, context: BrowserContext) -> None:
        self.page = context.pages[0] if context.pages else context.new_page()
        self.session = context.new_cdp_session(self.page)

    def close(self) -> None:
        if self.context is not None:
            self.context.close()
        if self.browser is not None:
            self.browser.close()

    @contextmanager
    def _fresh_jar(self) -> Iterator[None]:
        if self.browser is not None:
            self.context = self.browser.new_context(**self.recording)
            self._attach(self.context)
            try:
                yield
            finally:
                self.context.close()
                self.context = None
        else:
            self.session.send("Network.clearBrowserCookies")
            self.page.goto("about:blank")
            yield

    def play(self, flow: list[dict]) -> Played:
        """Play ``flow`` (the table's steps) in a fresh jar."""
        steps = [self._with_ports(step) for step in flow]
        played = Played(steps, [None] * len(steps), [None] * len(steps))
        with self._fresh_jar():
            for chain in _chains(steps):
                first = steps[chain[0]]
                if first.get("after_seconds"):
                    self._age(float(first.pop("after_seconds")), played, chain[0])
                self._play_chain([steps[index] for index in chain], played, chain)
        return played

    def _with_ports(self, step: dict) -> dict:
        step = copy.deepcopy(step)
        for key in ("url", "top_level_url", "initiator"):
            if step.get(key):
                step[key] = self.server.port_of(step[key])
        response = step.get("response", {})
        if response.get("location"):
            response["location"] = self.server.port_of(response["location"])
        return step

    def _play_chain(self, chain: list[dict], played: Played, indexes: list[int]) -> None:
        state = self.server.state
        targets = [(urlsplit(step["url"]).hostname, urlsplit(step["url"]).path) for step in chain]
        with state.lock:
            state.responses = {
                target: step.get("response", {})
                for target, step in zip(targets, chain, strict=True)
            }
            state.received = []
        first = chain[0]
        frame = self._start(first)
        at = datetime.now(UTC)
        for step in chain:
            step["at"] = at.isoformat()
        self._trigger(first, chain[-1]["url"], frame)
        received = self._received(len(chain))
        with state.lock:
            state.responses = {}
        for index, step, target, request in zip(indexes, chain, targets, received, strict=True):
            expected = (step.get("method", "GET").upper(), *target)
            got = (request.method, request.host, request.path)
            assert expected == got, f"expected the request {expected}, the server got {got}"
            played.cookie_headers[index] = request.cookie
        played.jars[indexes[-1]] = self.session.send("Network.getAllCookies")["cookies"]

    def _start(self, step: dict) -> Frame | None:
        """Open the page that starts ``step``; the frame to run its script in (None: typed)."""
        kind = step.get("kind", "navigation")
        initiator = step.get("initiator")
        if kind == "navigation":
            if initiator is None:
                return None
            self.page.goto(initiator + LAUNCH_PATH)
            return self.page.main_frame
        top = _origin(step["top_level_url"])
        self.page.goto(top + LAUNCH_PATH)
        if initiator is None or initiator == top:
            return self.page.main_frame
        self.page.evaluate(_FRAME, [initiator + LAUNCH_PATH, "GET", "initiator"])
        frame = self.page.frame(name="initiator")
        assert frame is not None
        return frame

    def _trigger(self, step: dict, final_url: str, frame: Frame | None) -> None:
        kind, method = step.get("kind", "navigation"), step.get("method", "GET").upper()
        writes = step.get("document_cookie", [])
        if kind == "navigation":
            if frame is None:
                assert method == "GET", "a typed navigation is a GET"
                self.page.goto(step["url"])
            else:
                frame.evaluate(_NAVIGATE, [step["url"], method])
                self.page.wait_for_url(final_url)
                self.page.wait_for_load_state()
            if writes:
                self.page.evaluate(_WRITE_COOKIES, writes)
        elif kind == "iframe":
            assert frame is not None
            frame.evaluate(_FRAME, [step["url"], method, "step"])
            target = self.page.frame(name="step")
            assert target is not None
            if writes:
                target.evaluate(_WRITE_COOKIES, writes)
        else:
            assert frame is not None
            frame.evaluate(_FETCH, [step["url"], method, step.get("credentials", "include")])

    def _received(self, count: int) -> list[Request]:
        deadline = time.monotonic() + _WAIT_SECONDS
        while time.monotonic() < deadline:
            with self.server.state.lock:
                if len(self.server.state.received) >= count:
                    return list(self.server.state.received)
            self.page.wait_for_timeout(10)
        with self.server.state.lock:
            got = self.server.state.received
        raise AssertionError(f"the server received {got}, not {count} requests")

    def _age(self, seconds: float, played: Played, until: int) -> None:
        """Make everything so far ``seconds`` older: in Chromium's profile and in ``at``."""
        assert self.profile is not None, "aging needs a persistent profile"
        assert self.context is not None
        jar = self.session.send("Network.getAllCookies")["cookies"]
        assert all(not cookie["session"] for cookie in jar), "session cookies end on restart"
        self.context.close()
        shift = int(seconds * 1_000_000)
        with sqlite3.connect(self.profile / "profile" / "Default" / "Cookies") as database:
            columns = {row[1] for row in database.execute("PRAGMA table_info(cookies)")}
            moves = ", ".join(
                f"{column} = {column} - {shift}"
                for column in _COOKIE_TIME_COLUMNS
                if column in columns
            )
            database.execute(f"UPDATE cookies SET {moves}")
            stored = database.execute("SELECT count(*) FROM cookies").fetchone()[0]
        database.close()
        assert stored == len(jar), f"the profile holds {stored} cookies, the jar had {len(jar)}"
        earlier = timedelta(seconds=seconds)
        for step in played.steps[:until]:
            step["at"] = (datetime.fromisoformat(step["at"]) - earlier).isoformat()
        for earlier_jar in played.jars[:until]:
            for cookie in earlier_jar or []:
                if not cookie["session"]:
                    cookie["expires"] -= seconds
        self._open_profile()


def as_json(played: Played) -> str:
    """What Chromium did, for a failure message."""
    return json.dumps(
        {"steps": played.steps, "cookie_headers": played.cookie_headers, "jars": played.jars},
        indent=1,
    )
