"""The servers the benchmark starts: which app, under which server, with which command line.

Every Granian server gets ``cookie-api``'s own settings (``api.cli.server_settings``) unless it
is there to compare settings: "previous" is Cookie API under the Granian WSGI settings that
``cookie-api`` used before, and each ``--candidate`` runs Cookie API under settings to try.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import granian

from api.cli import APP_FACTORY, SERVER_APP_FACTORY, server_settings
from api.liveness import wait_until_healthy

BENCH_DIR = Path(__file__).resolve().parent
BIN_DIR = Path(sys.executable).parent
SERVE = str(BENCH_DIR / "serve.py")
HTTPBIN_VENV = BENCH_DIR / ".venv-httpbin"
HTTPBIN_REQUIREMENT = "httpbin==0.10.4"


@dataclass(frozen=True)
class Server:
    """One app under one server, as a command line without its port."""

    key: str
    app: str
    server: str
    command: list[str]
    health_path: str = "/healthz"
    env: dict[str, str] = field(default_factory=dict)

    def command_on(self, port: int) -> list[str]:
        """The command line, bound to 127.0.0.1 on ``port``."""
        executable, *rest = self.command
        if self.key == "gunicorn":
            return [executable, f"--bind=127.0.0.1:{port}", *rest]
        return [*self.command, "--port", str(port)]


def previous_settings(workers: int) -> dict[str, Any]:
    """Granian's WSGI interface with its default thread pool: how cookie-api served before."""
    settings = {**server_settings(workers), "interface": "wsgi"}
    # Granian's default backpressure: under WSGI, ours would start 1,024 threads per worker.
    del settings["backpressure"]
    return settings


def clean_env() -> dict[str, str]:
    """This environment without COOKIE_API_* settings: every run measures the defaults."""
    return {key: value for key, value in os.environ.items() if not key.startswith("COOKIE_API_")}


def serve_command(
    python: str, target: str, settings: dict[str, Any], *, adapt: bool = False
) -> list[str]:
    """bench/serve.py serving ``target`` (a factory unless it is httpbin's app)."""
    command = [python, SERVE, target, "--settings", json.dumps(settings)]
    if not target.startswith("httpbin:"):
        command.append("--factory")
    if target.startswith("baseline_app:"):
        command += ["--app-dir", str(BENCH_DIR)]
    return [*command, "--adapt"] if adapt else command


def our_app_under(settings: dict[str, Any]) -> list[str]:
    """Cookie API under other Granian settings: over WSGI directly, or over ASGI as we serve it."""
    if settings["interface"] == "wsgi":
        return serve_command(sys.executable, APP_FACTORY, settings)
    return serve_command(sys.executable, SERVER_APP_FACTORY, settings)


def ensure_httpbin_venv(log: Path) -> Path | None:
    """httpbin's own virtualenv, with our versions of the server's packages; None on failure."""
    pins = {"granian": granian.__version__, "a2wsgi": version("a2wsgi")}
    if find_spec("uvloop"):
        pins["uvloop"] = version("uvloop")
    python = HTTPBIN_VENV / "bin" / "python"
    probe = [
        str(python),
        "-c",
        "import httpbin; from importlib.metadata import version; "
        f"assert {{name: version(name) for name in {list(pins)!r}}} == {pins!r}",
    ]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    print(f"Installing {HTTPBIN_REQUIREMENT} into {HTTPBIN_VENV} ...", flush=True)
    steps = [
        [sys.executable, "-m", "venv", "--clear", str(HTTPBIN_VENV)],
        [str(python), "-m", "pip", "install", HTTPBIN_REQUIREMENT]
        + [f"{name}=={pinned}" for name, pinned in pins.items()],
    ]
    with log.open("w") as output:
        made = all(
            subprocess.run(step, stdout=output, stderr=subprocess.STDOUT).returncode == 0
            for step in steps
        )
    return python if made else None


def servers(
    workers: int,
    ours: dict[str, Any],
    candidates: dict[str, dict[str, Any]],
    wanted: set[str] | None,
    with_httpbin: bool,
    logs: Path,
) -> tuple[list[Server], dict[str, str]]:
    """The servers to start, and why any other is left out.

    ``ours`` are the Granian settings every app runs under (cookie-api's, unless changed on
    the command line); ``candidates`` maps a name to other settings to run Cookie API under.
    """
    env = clean_env()
    granian_name = "cookie-api's Granian"
    if ours == server_settings(workers):
        our_command = [str(BIN_DIR / "cookie-api"), "--workers", str(workers)]
    else:
        our_command = our_app_under(ours)
    found = [
        Server(
            "baseline",
            "baseline (bare Flask)",
            granian_name,
            serve_command(sys.executable, "baseline_app:create_app", ours, adapt=True),
            "/getcookie",
            env,
        ),
        Server("cookie-api", "Cookie API", granian_name, our_command, env=env),
        Server(
            "previous",
            "Cookie API",
            "Granian WSGI, default threads (before)",
            our_app_under(previous_settings(workers)),
            env=env,
        ),
    ]
    found += [
        Server(
            name, "Cookie API", f"Granian {json.dumps(settings)}", our_app_under(settings), env=env
        )
        for name, settings in candidates.items()
    ]
    skipped = {}
    if not with_httpbin or (wanted and "httpbin" not in wanted):
        skipped["httpbin"] = "left out (--no-httpbin, --servers or --smoke)"
    elif python := ensure_httpbin_venv(logs / "httpbin-install.log"):
        found.append(
            Server(
                "httpbin",
                "httpbin 0.10.4",
                granian_name,
                serve_command(str(python), "httpbin:app", ours, adapt=True),
                "/cookies",
                env,
            )
        )
    else:
        skipped["httpbin"] = f"{HTTPBIN_REQUIREMENT} did not install (see {logs})"
        print(f"httpbin: {skipped['httpbin']}; going on without it", flush=True)
    if (BIN_DIR / "gunicorn").exists():
        found.append(
            Server(
                "gunicorn",
                "Cookie API",
                "gunicorn sync (default worker)",
                [str(BIN_DIR / "gunicorn"), "--workers", str(workers), f"{APP_FACTORY}()"],
                env=env,
            )
        )
    else:
        skipped["gunicorn"] = "gunicorn is not installed: pip install -e '.[bench]'"
    if wanted:
        skipped.update({s.key: "left out (--servers)" for s in found if s.key not in wanted})
        found = [server for server in found if server.key in wanted]
    return found, skipped


def start(server: Server, port: int, log: Path) -> subprocess.Popen:
    """Start a server in its own process group, its output to ``log``."""
    with log.open("w") as output:
        return subprocess.Popen(
            server.command_on(port),
            env=server.env or None,
            cwd=BENCH_DIR.parent,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_until_serving(server: Server, port: int, process: subprocess.Popen, log: Path) -> None:
    """Wait until the server answers its health path with 200."""
    wait_until_healthy(port, process, log, path=server.health_path, timeout=60)


def stop(process: subprocess.Popen) -> None:
    """Stop a server and every process it started (its process group)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
