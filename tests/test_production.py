"""The production shape, with the real processes: nginx ends TLS in front of two cookie-api instances.

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
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.conftest import (
    _ISOLATED,
    PHASE_REPORTS,
    cookie_api_executable,
    free_port,
    require,
    wait_until_healthy,
)
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, try_it_out

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
    """A fresh key and certificate made with the openssl command line."""
    require(shutil.which("openssl") is not None, "openssl is not installed")
    certificate, key = directory / "tls.crt", directory / "tls.key"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
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
        self.starts += 1
        with self.log.open("a") as output:
            output.write(f"--- start {self.starts}\n")
            output.flush()
            self.process = subprocess.Popen(
                [cookie_api_executable(), "--host", "127.0.0.1", "--port", str(self.port)],
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        wait_until_healthy(self.port, self.process, self.log)

    def stop(self) -> int:
        """SIGTERM, then wait until the process has exited; its exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=PATIENCE_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise

    def kill_if_running(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@dataclass
class Deployment:
    """nginx on loopback in front of two instances; where its logs are."""

    port: int
    instances: list[Instance]
    certificate: Certificate
    access_log: Path
    error_log: Path
    directory: Path
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
        answered = re.compile(rf" upstream=(?:\S+, )*{re.escape(instance.address)} upstream_status=2")
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
            payload = json.dumps(body)
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

    env = {key: value for key, value in os.environ.items() if key not in _ISOLATED}
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
                "COOKIE_API_LISTEN": f"127.0.0.1:{port}",
                "COOKIE_API_SERVER_NAME": API_HOST,
                "COOKIE_API_TLS_CERTIFICATE": str(certificate.certificate),
                "COOKIE_API_TLS_CERTIFICATE_KEY": str(certificate.key),
                "COOKIE_API_ACCESS_LOG": str(access_log),
                "COOKIE_API_INSTANCE_1": instances[0].address,
                "COOKIE_API_INSTANCE_2": instances[1].address,
            },
        )
    )
    config = directory / "nginx.conf"
    config.write_text(nginx_main_config(directory, site, certificate, port))

    proxy = None
    try:
        for instance in instances:
            instance.start()
        with (directory / "nginx.out").open("w") as output:
            proxy = subprocess.Popen(
                [nginx, "-p", str(directory), "-c", str(config), "-e", str(error_log)],
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        deployment = Deployment(port, instances, certificate, access_log, error_log, directory)
        wait_until(lambda: _answers_healthz(deployment, proxy), "nginx to answer /healthz")
        yield deployment
    finally:
        if proxy is not None:
            # SIGQUIT is nginx's graceful stop: the master waits for its workers to finish.
            proxy.send_signal(signal.SIGQUIT)
            try:
                proxy.wait(timeout=PATIENCE_SECONDS)
            except subprocess.TimeoutExpired:
                proxy.kill()
                proxy.wait()
        for instance in instances:
            if instance.process is not None and instance.process.poll() is None:
                instance.stop()


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
            if response.status != 204 or "Max-Age=0" not in response.getheader("Set-Cookie", ""):
                return f"DELETE {name}: {response.status} {body[:200]!r}"
            return None

        return [post, listing, read, delete]


def test_a_rolling_restart_under_load_loses_no_request(deployment: Deployment):
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
            stopped_at = time.monotonic()
            assert instance.stop() == 0
            log_size = deployment.access_log.stat().st_size
            instance.start()
            # nginx sends it requests again only once fail_timeout has passed since its last
            # failure; stopping the other instance before that would leave no instance at all.
            wait_until(
                lambda: deployment.served_by(instance, since=log_size),
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
    print(f"rolling restart: {len(failures)} failed of {total} requests; during downtimes {during}")
    print(deployment.error_log.read_text()[-3000:])
    assert failures == []
