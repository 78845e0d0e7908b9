"""The production shape, with real processes: nginx ends TLS in front of two cookie-api instances.

nginx runs ``deploy/nginx/cookie-api.conf.template`` as shipped, rendered with loopback ports, a
certificate made for the test and log paths in a temporary directory. Chromium reaches the API at
``https://api.cookies.test`` and a page at ``https://app.example.test``, two different sites,
both mapped to nginx on loopback by ``--host-resolver-rules``; it trusts the test's certificate
by its public key and nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect

from api.liveness import wait_or_kill
from tests.conftest import (
    PHASE_REPORTS,
    cookie_api_executable,
    free_port,
    require,
    wait_until_healthy,
)
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, try_it_out
from tests.test_lint import LARGEST_SET_COOKIE, LINT_LIMIT, largest_body

TEMPLATE = Path(__file__).resolve().parent.parent / "deploy" / "nginx" / "cookie-api.conf.template"
API_HOST = "api.cookies.test"
APP_HOST = "app.example.test"
API = f"https://{API_HOST}"
APP = f"https://{APP_HOST}"
SECRET_KEY = "shared-production-secret"
PROBLEM_JSON = "application/problem+json"
# How long any one wait may last before the test fails instead of hanging the suite.
PATIENCE_SECONDS = 30


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Poll ``condition`` until it holds, or fail naming ``what`` was awaited."""
    deadline = time.monotonic() + PATIENCE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def render_template(template: str, values: dict[str, str]) -> str:
    """Fill in ``${NAME}`` as ``envsubst '${NAME} ...'`` does, leaving nginx's ``$name`` alone."""
    rendered = re.sub(r"\$\{(\w+)\}", lambda match: values[match.group(1)], template)
    assert "${" not in rendered
    return rendered


@dataclass(frozen=True)
class Certificate:
    """A self-signed certificate for both test host names, and its public key's pin."""

    certificate: Path
    key: Path
    spki_sha256: str


def make_certificate(directory: Path) -> Certificate:
    """A fresh key and certificate made with the openssl command line.

    RSA, as most certificates still are: with an RSA key, TLS 1.2 offers suites without forward
    secrecy (RSA key exchange) unless the configuration leaves them out, which an EC key hides.
    """
    require(shutil.which("openssl") is not None, "openssl is not installed")
    certificate, key = directory / "tls.crt", directory / "tls.key"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048",
            "-nodes", "-days", "2", "-subj", f"/CN={API_HOST}",
            "-addext", f"subjectAltName=DNS:{API_HOST},DNS:{APP_HOST}",
            "-keyout", str(key), "-out", str(certificate),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    public_key = subprocess.run(
        ["openssl", "x509", "-in", str(certificate), "-noout", "-pubkey"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    # A PEM "PUBLIC KEY" is the DER SubjectPublicKeyInfo, which Chromium pins by its SHA-256.
    der = base64.b64decode("".join(public_key.strip().splitlines()[1:-1]))
    pin = base64.b64encode(hashlib.sha256(der).digest()).decode()
    return Certificate(certificate, key, pin)


@dataclass
class Instance:
    """One ``cookie-api`` process on a fixed loopback port, which can be stopped and started."""

    port: int
    log: Path
    env: dict[str, str]
    process: subprocess.Popen | None = None
    starts: int = 0

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        # A process replaced before it was reaped would be left running or a zombie.
        assert self.process is None or self.process.returncode is not None, (
            f"{self.address} started again before its last process was waited for"
        )
        self.starts += 1
        with self.log.open("a") as output:
            output.write(f"--- start {self.starts}\n")
            output.flush()
            self.process = subprocess.Popen(
                [cookie_api_executable(), "--host", "127.0.0.1", "--port", str(self.port)],
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its workers are killed with it (wait_or_kill)
            )
        wait_until_healthy(self.port, self.process, self.log)

    def stop(self) -> int:
        """SIGTERM, then wait until the process has exited; its exit code."""
        self.terminate()
        return self.wait_for_exit()

    def stop_if_running(self) -> None:
        """``stop()`` a process that has not exited; reap one that has."""
        if self.process is not None and self.process.poll() is None:
            self.stop()

    def terminate(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)

    def wait_for_exit(self) -> int:
        assert self.process is not None
        try:
            return self.process.wait(timeout=PATIENCE_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise

    def refuses_connections(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except ConnectionRefusedError:
            return True
        return False


@dataclass
class Deployment:
    """nginx on loopback in front of two instances; where its logs are."""

    port: int
    instances: list[Instance]
    certificate: Certificate
    access_log: Path
    error_log: Path
    context: ssl.SSLContext = field(init=False)

    def __post_init__(self) -> None:
        self.context = ssl.create_default_context(cafile=str(self.certificate.certificate))

    def connect(self, host: str = API_HOST) -> ProxyConnection:
        """An HTTPS connection to nginx that names ``host`` in SNI and Host, as a browser would."""
        return ProxyConnection(host, self.port, self.context)

    def upstream_of(self, request_id: str) -> str:
        """The instance address that nginx's access log names for ``request_id``."""
        found: list[str] = []

        def logged() -> bool:
            for line in self.access_log.read_text().splitlines():
                if f"request_id={request_id} " in line:
                    found.append(re.search(r" upstream=(\S+)", line).group(1))
                    return True
            return False

        wait_until(logged, f"request {request_id} in nginx's access log")
        return found[0]

    def served_by(self, instance: Instance, since: int) -> bool:
        """Whether nginx logged an answer from ``instance`` after byte ``since`` of its log."""
        with self.access_log.open("rb") as log:
            log.seek(since)
            lines = log.read().decode().splitlines()
        # After a retry, $upstream_addr lists every instance tried: the last one answered.
        answered = re.compile(
            rf" upstream=(?:\S+, )*{re.escape(instance.address)} upstream_status=2"
        )
        return any(answered.search(line) for line in lines)


class ProxyConnection(http.client.HTTPSConnection):
    """HTTPS to nginx on its loopback port, for a host name that DNS does not know."""

    def __init__(self, host: str, port: int, context: ssl.SSLContext) -> None:
        super().__init__(host, port, context=context, timeout=PATIENCE_SECONDS)

    def connect(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)

    def call(
        self, method: str, path: str, body: object = None, headers: dict[str, str] | None = None
    ) -> tuple[http.client.HTTPResponse, bytes]:
        """One request; the response and its whole body."""
        headers = {"Host": self.host, **(headers or {})}
        payload = None
        if body is not None:
            payload = body if isinstance(body, bytes) else json.dumps(body)
            headers.setdefault("Content-Type", "application/json")
        self.request(method, path, payload, headers)
        response = self.getresponse()
        return response, response.read()


def nginx_main_config(directory: Path, site: Path, certificate: Certificate, port: int) -> str:
    """A whole nginx.conf that runs in the foreground as this user, everything in ``directory``."""
    user = pwd.getpwuid(os.geteuid()).pw_name
    return f"""\
daemon off;
master_process on;
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/error.log notice;
{"user " + user + ";" if os.geteuid() == 0 else ""}

events {{
    worker_connections 512;
}}

http {{
    client_body_temp_path {directory}/client_body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    types {{
        text/html html;
    }}

    include {site};

    # The other site: a blank page from which the test's script calls the API.
    server {{
        listen 127.0.0.1:{port} ssl http2;
        server_name {APP_HOST};
        ssl_certificate {certificate.certificate};
        ssl_certificate_key {certificate.key};
        access_log off;
        root {directory}/app;
    }}
}}
"""


@pytest.fixture(scope="module")
def deployment(tmp_path_factory) -> Iterator[Deployment]:
    """nginx with the shipped configuration, in front of two instances that share a key."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    require(Path(nginx).exists(), "nginx is not installed")
    directory = tmp_path_factory.mktemp("production")
    certificate = make_certificate(directory)
    (directory / "app").mkdir()
    (directory / "app" / "index.html").write_text(
        "<!doctype html><title>app.example.test</title><p>A page on another site.</p>\n"
    )

    # Only these settings: none that a developer's shell might carry.
    env = {key: value for key, value in os.environ.items() if not key.startswith("COOKIE_API_")}
    env.update(
        COOKIE_API_SECRET_KEY=SECRET_KEY,
        COOKIE_API_TRUSTED_PROXIES="1",
        COOKIE_API_CORS_ORIGINS=json.dumps([APP]),
    )
    instances = []
    for number in (1, 2):
        port = free_port()
        instances.append(Instance(port, directory / f"cookie-api-{number}.log", env))
    port = free_port()
    access_log, error_log = directory / "access.log", directory / "error.log"
    site = directory / "cookie-api.conf"
    site.write_text(
        render_template(
            TEMPLATE.read_text(),
            {
                "NGINX_LISTEN": f"127.0.0.1:{port}",
                "NGINX_SERVER_NAME": API_HOST,
                "NGINX_TLS_CERTIFICATE": str(certificate.certificate),
                "NGINX_TLS_CERTIFICATE_KEY": str(certificate.key),
                "NGINX_ACCESS_LOG": str(access_log),
                "NGINX_UPSTREAM_1": instances[0].address,
                "NGINX_UPSTREAM_2": instances[1].address,
            },
        )
    )
    config = directory / "nginx.conf"
    config.write_text(nginx_main_config(directory, site, certificate, port))

    # Each process is stopped at the end even if starting another, or stopping another, fails.
    with ExitStack() as stop:
        for instance in instances:
            stop.callback(instance.stop_if_running)
            instance.start()
        with (directory / "nginx.out").open("w") as output:
            proxy = subprocess.Popen(
                [nginx, "-p", str(directory), "-c", str(config), "-e", str(error_log)],
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        stop.callback(stop_nginx, proxy)
        deployment = Deployment(port, instances, certificate, access_log, error_log)
        wait_until(lambda: _answers_healthz(deployment, proxy), "nginx to answer /healthz")
        yield deployment


def stop_nginx(proxy: subprocess.Popen) -> None:
    # SIGQUIT is nginx's graceful stop: the master waits for its workers to finish.
    proxy.send_signal(signal.SIGQUIT)
    wait_or_kill(proxy, PATIENCE_SECONDS)


def _answers_healthz(deployment: Deployment, proxy: subprocess.Popen) -> bool:
    if proxy.poll() is not None:
        raise AssertionError(
            f"nginx exited with {proxy.returncode}:\n{deployment.error_log.read_text()}"
        )
    connection = deployment.connect()
    try:
        response, _ = connection.call("GET", "/healthz")
        return response.status == 200
    except OSError:
        return False
    finally:
        connection.close()


def call_api(deployment: Deployment, method: str, path: str, body: object = None, **headers: str):
    """One request through nginx on a fresh connection: status, headers and parsed body."""
    connection = deployment.connect()
    try:
        response, raw = connection.call(method, path, body, headers)
    finally:
        connection.close()
    parsed = json.loads(raw) if raw else None
    return response.status, response.headers, parsed


def call_instance(instance: Instance, method: str, path: str, body: object = None, **headers):
    """The same request in plain HTTP straight to an instance, as anyone who can reach it can."""
    connection = http.client.HTTPConnection("127.0.0.1", instance.port, timeout=PATIENCE_SECONDS)
    try:
        payload = None if body is None or isinstance(body, bytes) else json.dumps(body)
        payload = body if isinstance(body, bytes) else payload
        if payload is not None:
            headers.setdefault("Content-Type", "application/json")
        connection.request(method, path, payload, {"Host": API_HOST, **headers})
        response = connection.getresponse()
        raw = response.read()
    finally:
        connection.close()
    return response.status, response.headers, json.loads(raw) if raw else None


def test_https_through_the_proxy_makes_secure_the_default_without_a_plain_http_warning(
    deployment: Deployment,
):
    status, headers, created = call_api(deployment, "POST", "/cookies", {"name": "t", "value": "1"})

    assert status == 201
    assert created["secure"] is True
    assert (
        headers["Set-Cookie"]
        == created["set_cookie"]
        == "t=1; Path=/; Secure; HttpOnly; SameSite=Lax"
    )
    assert created["warnings"] == []
    status, _, created = call_api(
        deployment, "POST", "/cookies", {"name": "t", "value": "1", "secure": True}
    )
    assert (status, created["warnings"]) == (201, [])
    # The same request in plain HTTP to an instance: the warning the proxy's HTTPS avoids.
    status, _, direct = call_instance(
        deployment.instances[0], "POST", "/cookies", {"name": "t", "value": "1", "secure": True}
    )
    assert status == 201
    assert [warning.split(":")[0] for warning in direct["warnings"]] == ["secure"]


FORGED = {
    "X-Forwarded-Proto": "http",
    "X-Forwarded-Host": "evil.example",
    "X-Forwarded-Port": "8080",
    "X-Forwarded-For": "203.0.113.9",
}


def test_the_proxy_overwrites_forged_forwarding_headers(deployment: Deployment):
    # A Domain is accepted only when the request host domain-matches it (RFC 6265bis §5.7), so
    # the answer shows which host the app believed; the default of secure shows which scheme.
    body = {"name": "probe", "value": "1", "domain": "cookies.test"}

    status, _, created = call_api(deployment, "POST", "/cookies", body, **FORGED)

    assert status == 201, created
    assert (
        created["set_cookie"]
        == "probe=1; Domain=cookies.test; Path=/; Secure; HttpOnly; SameSite=Lax"
    )
    assert created["warnings"] == []
    # An instance believes these headers from whoever reaches it: why it listens on loopback only.
    status, _, refused = call_instance(deployment.instances[0], "POST", "/cookies", body, **FORGED)
    assert status == 400
    assert list(refused["errors"]) == ["domain"]
    status, _, believed = call_instance(
        deployment.instances[0], "POST", "/cookies", {"name": "probe", "value": "1"}, **FORGED
    )
    assert (status, believed["secure"]) == (201, False)


def test_cookie_headers_pass_through_the_proxy_untouched(deployment: Deployment):
    # Duplicates, order, odd spacing, quotes and escapes: what the app reads must not change.
    cookie = 'b=2; a=1;a=%20two; __Host-x="q"; e=; =nameless; f=%E6%97%A5'

    status, _, through_proxy = call_api(deployment, "GET", "/cookies", Cookie=cookie)

    assert status == 200
    assert (
        through_proxy == call_instance(deployment.instances[1], "GET", "/cookies", Cookie=cookie)[2]
    )
    assert [entry["name"] for entry in through_proxy["cookies"]][:3] == ["b", "a", "a"]


def test_the_proxy_refuses_a_body_over_the_limit_as_problem_json(deployment: Deployment):
    def body_of(size: int) -> dict:
        skeleton = json.dumps({"name": "big", "value": ""})
        return {"name": "big", "value": "x" * (size - len(skeleton))}

    # At the limit the body reaches an instance, which refuses the oversized cookie itself.
    status, headers, at_limit = call_api(deployment, "POST", "/cookies", body_of(65536))
    assert (status, headers["Content-Type"]) == (400, PROBLEM_JSON)
    assert list(at_limit["errors"]) == ["value"]

    status, headers, over = call_api(deployment, "POST", "/cookies", body_of(65537))

    assert (status, headers["Content-Type"]) == (413, PROBLEM_JSON)
    assert headers["X-Content-Type-Options"] == "nosniff"
    # nginx refused it before any instance saw it, with the very body an instance answers.
    assert deployment.upstream_of(headers["X-Request-ID"]) == "-"
    assert over == call_instance(deployment.instances[0], "POST", "/cookies", body_of(65537))[2]


def test_the_proxy_passes_the_largest_lint_body_on_and_refuses_one_byte_more(
    deployment: Deployment,
):
    # The largest set_cookie, padded with JSON whitespace to the size.
    body_of = largest_body

    status, _, at_limit = call_api(deployment, "POST", "/lint", body_of(LINT_LIMIT))
    assert status == 200
    assert len(at_limit["results"]) == len(LARGEST_SET_COOKIE)

    status, headers, over = call_api(deployment, "POST", "/lint", body_of(LINT_LIMIT + 1))

    assert (status, headers["Content-Type"]) == (413, PROBLEM_JSON)
    assert deployment.upstream_of(headers["X-Request-ID"]) == "-"
    assert over["detail"] == f"The request body is larger than {LINT_LIMIT} bytes."
    assert (
        over == call_instance(deployment.instances[0], "POST", "/lint", body_of(LINT_LIMIT + 1))[2]
    )


def test_a_long_cookie_header_reaches_the_api_and_a_longer_one_is_a_431_problem(
    deployment: Deployment,
):
    # A host's cookies travel in one Cookie header line; nginx takes up to 32 KiB of it.
    def cookie_header(count: int) -> str:
        return "; ".join(f"c{index:04}={'v' * 90}" for index in range(count))

    status, _, listed = call_api(deployment, "GET", "/cookies", Cookie=cookie_header(300))
    assert (status, len(listed["cookies"])) == (200, 300)

    status, headers, refused = call_api(deployment, "GET", "/cookies", Cookie=cookie_header(400))

    assert (status, headers["Content-Type"]) == (431, PROBLEM_JSON)
    assert (refused["status"], refused["title"]) == (431, "Request Header Fields Too Large")


def tls_1_2_context(deployment: Deployment, ciphers: str | None = None) -> ssl.SSLContext:
    """A TLS 1.2 client that trusts the test's certificate and offers only ``ciphers``; it
    checks no host name, so that it can name any in SNI."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(str(deployment.certificate.certificate))
    context.check_hostname = False
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    if ciphers:
        # Security level 0: let the client offer even the weakest suite, to see nginx refuse it.
        context.set_ciphers(f"{ciphers}:@SECLEVEL=0")
    return context


def tls_handshake(
    deployment: Deployment,
    context: ssl.SSLContext,
    server_name: str = API_HOST,
    session: ssl.SSLSession | None = None,
) -> ssl.SSLSocket | None:
    """A TLS connection to nginx naming ``server_name`` (resuming ``session``); None if nginx
    refuses the handshake."""
    sock = socket.create_connection(("127.0.0.1", deployment.port), timeout=PATIENCE_SECONDS)
    try:
        return context.wrap_socket(sock, server_hostname=server_name, session=session)
    except ssl.SSLError:
        sock.close()
        return None


# Mozilla's "intermediate" TLS 1.2 suites for an RSA certificate; every other is refused.
FORWARD_SECRET_SUITES = {
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-RSA-CHACHA20-POLY1305",
}


def test_tls_1_2_offers_only_forward_secret_aead_suites(deployment: Deployment):
    """nginx's default cipher list took 27 suites with an RSA certificate, AES128-SHA and
    CAMELLIA among them: no forward secrecy, CBC."""
    every_suite = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    every_suite.set_ciphers("ALL:COMPLEMENTOFALL:@SECLEVEL=0")
    tls_1_2 = {
        suite["name"] for suite in every_suite.get_ciphers() if suite["protocol"] == "TLSv1.2"
    }
    accepted = set()
    for suite in sorted(tls_1_2):
        sock = tls_handshake(deployment, tls_1_2_context(deployment, suite))
        if sock is not None:
            accepted.add(sock.cipher()[0])
            sock.close()
    assert accepted == FORWARD_SECRET_SUITES


def test_tls_sessions_resume_from_the_cache_without_tickets(deployment: Deployment):
    """A ticket is encrypted under a key that would decrypt every session resumed with it."""
    context = tls_1_2_context(deployment)
    first = tls_handshake(deployment, context)
    assert first is not None
    try:
        first.sendall(f"GET /healthz HTTP/1.1\r\nHost: {API_HOST}\r\n\r\n".encode())
        assert first.recv(65536).startswith(b"HTTP/1.1 200 ")
        session = first.session
    finally:
        first.close()
    assert session is not None
    assert not session.has_ticket
    again = tls_handshake(deployment, context, session=session)
    assert again is not None
    try:
        assert again.session_reused
    finally:
        again.close()


def test_every_answer_carries_hsts(deployment: Deployment):
    for method, path, body in [("GET", "/healthz", None), ("POST", "/cookies", {"name": 1})]:
        _, headers, _ = call_api(deployment, method, path, body)
        assert headers["Strict-Transport-Security"] == "max-age=63072000"
    connection = deployment.connect()
    try:
        response, _ = connection.call("POST", "/cookies", "x" * 70_000)  # nginx's own 413
    finally:
        connection.close()
    assert response.status == 413
    assert response.headers["Strict-Transport-Security"] == "max-age=63072000"


@pytest.mark.parametrize(
    ("server_name", "host"),
    [(API_HOST, "evil.example"), ("evil.example", "evil.example"), (API_HOST, "127.0.0.1")],
    ids=["other-host", "other-sni-and-host", "address-as-host"],
)
def test_a_request_for_another_host_is_a_421_problem_that_reaches_no_instance(
    deployment: Deployment, server_name: str, host: str
):
    """Before, nginx passed any Host on: an instance took "evil.example" for its own host."""
    sock = tls_handshake(deployment, tls_1_2_context(deployment), server_name)
    assert sock is not None
    try:
        sock.sendall(f"GET /cookies HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    finally:
        sock.close()
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 421 ")
    assert b"\r\nContent-Type: application/problem+json\r\n" in head
    problem = json.loads(body)
    assert (problem["status"], problem["title"]) == (421, "Misdirected Request")
    request_id = re.search(rb"\r\nX-Request-ID: (\w+)", head).group(1).decode()
    assert deployment.upstream_of(request_id) == "-"


def test_a_signed_cookie_set_through_one_instance_is_valid_through_the_other(
    deployment: Deployment,
):
    status, headers, _ = call_api(
        deployment, "POST", "/cookies", {"name": "__Host-id", "value": "42", "signed": True}
    )
    assert status == 201
    set_by = deployment.upstream_of(headers["X-Request-ID"])
    pair = headers["Set-Cookie"].split(";")[0]

    # Round robin alternates, but other clients can take a turn: ask until the other answers.
    read_by, listed = set_by, None
    for _ in range(10):
        status, headers, listed = call_api(deployment, "GET", "/cookies", Cookie=pair)
        assert status == 200
        read_by = deployment.upstream_of(headers["X-Request-ID"])
        if read_by != set_by:
            break

    assert {set_by, read_by} == {instance.address for instance in deployment.instances}
    assert listed == {"cookies": [{"name": "__Host-id", "value": "42", "signature": "valid"}]}


@pytest.fixture(scope="module")
def browser(playwright: Playwright, deployment: Deployment) -> Iterator[Browser]:
    """Chromium that resolves both test sites to nginx and trusts only the test's certificate."""
    require(Path(CHROMIUM).exists(), f"Chromium is not installed at {CHROMIUM}")
    # The URLs keep the default port 443, as in production; the mapping sends them to nginx.
    rules = ", ".join(
        f"MAP {host}:443 127.0.0.1:{deployment.port}" for host in (API_HOST, APP_HOST)
    )
    args = [
        *CHROMIUM_ARGS,
        f"--host-resolver-rules={rules}",
        f"--ignore-certificate-errors-spki-list={deployment.certificate.spki_sha256}",
    ]
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
    yield chromium
    chromium.close()


@pytest.fixture
def context(browser: Browser, request: pytest.FixtureRequest) -> Iterator[BrowserContext]:
    """A fresh profile; a screenshot of each page to test-artifacts/ if the test failed."""
    fresh = browser.new_context(viewport={"width": 1100, "height": 900})
    fresh.set_default_timeout(10_000)
    yield fresh
    reports = request.node.stash.get(PHASE_REPORTS, {})
    if any(report.failed for report in reports.values()):
        artifacts = request.config.rootpath / "test-artifacts"
        artifacts.mkdir(exist_ok=True)
        for index, page in enumerate(fresh.pages):
            page.screenshot(path=artifacts / f"{request.node.name}-{index}.png", full_page=True)
    fresh.close()


FETCH = """async ([url, method, body]) => {
    const init = {method, credentials: "include"};
    if (body !== null) {
        init.headers = {"Content-Type": "application/json"};
        init.body = JSON.stringify(body);
    }
    const response = await fetch(url, init);
    return {status: response.status, body: await response.json()};
}"""


def fetch(page: Page, method: str, path: str, body: object = None) -> tuple[int, object]:
    """``fetch(..., {credentials: "include"})`` of the API from the page's own script."""
    answer = page.evaluate(FETCH, [f"{API}{path}", method, body])
    return answer["status"], answer["body"]


def stored_cookies(page: Page) -> dict[str, dict]:
    """The cookies Chromium holds for the API, as CDP Network.getCookies reports them."""
    session = page.context.new_cdp_session(page)
    try:
        cookies = session.send("Network.getCookies", {"urls": [f"{API}/"]})["cookies"]
    finally:
        session.detach()
    return {cookie["name"]: cookie for cookie in cookies}


def test_a_page_on_another_site_sets_lists_and_deletes_partitioned_cookies(
    context: BrowserContext,
):
    page = context.new_page()
    page.goto(f"{APP}/")

    for name, value in [("widget", "blue"), ("__Host-session", "s1")]:
        status, created = fetch(
            page,
            "POST",
            "/cookies",
            {"name": name, "value": value, "samesite": "None", "partitioned": True},
        )
        assert status == 201
        assert created["warnings"] == []
        assert (
            created["set_cookie"]
            == f"{name}={value}; Path=/; Secure; HttpOnly; SameSite=None; Partitioned"
        )

    stored = stored_cookies(page)
    assert sorted(stored) == ["__Host-session", "widget"]
    for cookie in stored.values():
        assert (cookie["domain"], cookie["path"]) == (API_HOST, "/")
        assert (cookie["secure"], cookie["httpOnly"], cookie["sameSite"]) == (True, True, "None")
        # Kept in the partition of the top-level site, the page's (CHIPS, "Partitioned
        # cookies", and Chromium's net/cookies/cookie_partition_key.h).
        assert cookie["partitionKey"]["topLevelSite"] == "https://example.test"
    assert fetch(page, "GET", "/cookies") == (
        200,
        {
            "cookies": [
                {"name": "widget", "value": "blue", "signature": "none"},
                {"name": "__Host-session", "value": "s1", "signature": "none"},
            ]
        },
    )

    for name in ["widget", "__Host-session"]:
        status, deleted = fetch(page, "DELETE", f"/cookies/{name}?partitioned=true")
        assert (status, deleted["partitioned"]) == (200, True)
    assert stored_cookies(page) == {}
    assert fetch(page, "GET", "/cookies") == (200, {"cookies": []})


def test_swagger_ui_through_the_proxy_sets_a_secure_cookie(
    context: BrowserContext, deployment: Deployment
):
    status, _, spec = call_api(deployment, "GET", "/openapi.json")
    assert status == 200
    # No servers entry: OpenAPI's default "/" resolves against the document's own HTTPS URL.
    assert spec.get("servers", [{"url": "/"}]) == [{"url": "/"}]
    page = context.new_page()
    page.goto(f"{API}/docs")

    created = try_it_out(page, "set_cookie", {"name": "flavour", "value": "oat raisin"})

    expect(created.locator(".response-col_status")).to_have_text("201")
    expect(page.locator("#operations-cookies-set_cookie .request-url pre")).to_have_text(
        f"{API}/cookies"
    )
    stored = stored_cookies(page)["flavour"]
    assert (stored["value"], stored["secure"], stored["domain"]) == ("oat%20raisin", True, API_HOST)


@dataclass
class Load:
    """A stream of mixed requests over 8 keep-alive connections to nginx, each answer checked."""

    deployment: Deployment
    connections: int = 8
    done: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # (monotonic time it finished, failure or None), one per request.
    outcomes: list[tuple[float, str | None]] = field(default_factory=list)

    def record(self, failure: str | None) -> None:
        with self.lock:
            self.outcomes.append((time.monotonic(), failure))

    def count(self) -> int:
        with self.lock:
            return len(self.outcomes)

    def run(self, worker: int) -> None:
        connection = self.deployment.connect()
        exchange = 0
        try:
            while not self.done.is_set():
                exchange += 1
                name = f"w{worker}_{exchange}"
                value = f"{name} value; é"
                for step in self.steps(name, value):
                    try:
                        failure = step(connection)
                    except (OSError, http.client.HTTPException) as error:
                        # A broken connection is a failed request: start a fresh one.
                        failure = f"{name}: {error!r}"
                        connection.close()
                        connection = self.deployment.connect()
                    self.record(failure)
                    if failure:
                        break
        finally:
            connection.close()

    @staticmethod
    def steps(name: str, value: str) -> list[Callable[[ProxyConnection], str | None]]:
        """Set a signed cookie, list it, read it, delete it; each step checks its answer."""
        pair: list[str] = []

        def post(connection: ProxyConnection) -> str | None:
            response, body = connection.call(
                "POST", "/cookies", {"name": name, "value": value, "signed": True}
            )
            pair.append(response.getheader("Set-Cookie", "").split(";")[0])
            if response.status != 201 or json.loads(body)["value"] != value:
                return f"POST {name}: {response.status} {body[:200]!r}"
            return None

        def listing(connection: ProxyConnection) -> str | None:
            response, body = connection.call("GET", "/cookies", headers={"Cookie": pair[0]})
            expected = {"cookies": [{"name": name, "value": value, "signature": "valid"}]}
            if response.status != 200 or json.loads(body) != expected:
                return f"GET /cookies {name}: {response.status} {body[:200]!r}"
            return None

        def read(connection: ProxyConnection) -> str | None:
            response, body = connection.call(
                "GET", f"/cookies/{name}", headers={"Cookie": f"other=1; {pair[0]}"}
            )
            if response.status != 200 or json.loads(body)["signature"] != "valid":
                return f"GET /cookies/{name}: {response.status} {body[:200]!r}"
            return None

        def delete(connection: ProxyConnection) -> str | None:
            response, body = connection.call("DELETE", f"/cookies/{quote(name)}?path=/")
            if response.status != 200 or "Max-Age=0" not in response.getheader("Set-Cookie", ""):
                return f"DELETE {name}: {response.status} {body[:200]!r}"
            return None

        return [post, listing, read, delete]


class RequestInFlight:
    """A POST to an instance that has begun handling it and is waiting for its body.

    With ``Expect: 100-continue`` the server answers ``100 Continue`` once it has the request
    in hand and wants the body: from then on the request is in flight.
    """

    def __init__(self, instance: Instance) -> None:
        self.value = f"to {instance.address}"
        self.body = json.dumps({"name": "in_flight", "value": self.value}).encode()
        self.sock = socket.create_connection(("127.0.0.1", instance.port), PATIENCE_SECONDS)
        head = (
            f"POST /cookies HTTP/1.1\r\nHost: {API_HOST}\r\nExpect: 100-continue\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(self.body)}\r\n\r\n"
        )
        self.sock.sendall(head.encode())
        interim = b""
        while not interim.endswith(b"\r\n\r\n"):
            received = self.sock.recv(1)
            assert received, f"the instance closed the connection after {interim!r}"
            interim += received
        assert interim.startswith(b"HTTP/1.1 100 "), interim

    def finish(self) -> tuple[int, str]:
        """Send the body; the status and the cookie value of the answer."""
        response = http.client.HTTPResponse(self.sock)
        try:
            self.sock.sendall(self.body)
            response.begin()
            return response.status, json.loads(response.read())["value"]
        finally:
            response.close()
            self.sock.close()


def test_a_rolling_restart_under_load_loses_no_request(
    deployment: Deployment, capsys: pytest.CaptureFixture
):
    # The procedure of the README's "Rolling restart", under a stream of checked requests.
    load = Load(deployment)
    threads = [
        threading.Thread(target=load.run, args=(worker,)) for worker in range(load.connections)
    ]
    for thread in threads:
        thread.start()
    downtimes = []
    try:
        wait_until(lambda: load.count() >= 500, "500 requests before the restart")
        for instance in deployment.instances:
            in_flight = RequestInFlight(instance)
            stopped_at = time.monotonic()
            instance.terminate()
            wait_until(instance.refuses_connections, f"{instance.address} to stop listening")
            assert in_flight.finish() == (201, f"to {instance.address}")
            assert instance.wait_for_exit() == 0
            log_size = deployment.access_log.stat().st_size
            instance.start()
            # nginx sends it requests again only once fail_timeout has passed since its last
            # failure; stopping the other instance before that would leave no instance at all.
            wait_until(
                partial(deployment.served_by, instance, since=log_size),
                f"nginx to send requests to {instance.address} again",
            )
            downtimes.append((stopped_at, time.monotonic()))
        floor = load.count() + 500
        wait_until(lambda: load.count() >= floor, "500 requests after the restart")
    finally:
        load.done.set()
        for thread in threads:
            thread.join(timeout=PATIENCE_SECONDS)

    failures = [failure for _, failure in load.outcomes if failure]
    total = len(load.outcomes)
    during = [
        sum(start <= finished <= end for finished, _ in load.outcomes) for start, end in downtimes
    ]
    with capsys.disabled():  # the count is reported on every run, not only on failure
        print(
            f"\nrolling restart: {len(failures)} of {total} requests failed; "
            f"{during[0]} and {during[1]} were answered while an instance was down"
        )
    assert failures == []
    # The stream really did run while each instance was down.
    assert all(during), during
