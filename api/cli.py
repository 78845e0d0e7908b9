"""``cookie-api``: serve the app with Granian, over its ASGI interface (see ``api.asgi``)."""

from __future__ import annotations

import argparse
import importlib.util
import socket
from collections.abc import Callable
from typing import Any

from flask import Flask
from granian import Granian
from granian.http import HTTP1Settings

from api import HygieneHeaders, create_app
from api.asgi import BODY_DEADLINE, BODY_IDLE_TIMEOUT, InlineWSGI
from api.errors import problem
from api.lint import body_limit

# The Flask app, for WSGI servers such as gunicorn; cookie-api itself serves SERVER_APP_FACTORY.
APP_FACTORY = "api:create_app"
SERVER_APP_FACTORY = "api.cli:create_server_app"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line: where to listen and how many worker processes to run."""
    parser = argparse.ArgumentParser(
        prog="cookie-api",
        description="Serve Cookie API. Configure it with COOKIE_API_* environment variables.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    return args


def docs_url(host: str, port: int) -> str:
    """The Swagger UI address to print at start."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/docs"


def ensure_port_is_free(host: str, port: int) -> None:
    """Exit with a message when another process listens on ``host:port``.

    Granian binds with SO_REUSEPORT, so without this check a second server would share the
    port with the first and the kernel would split requests between them.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # SO_REUSEADDR lets the probe bind over TIME_WAIT leftovers, never over a listener.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise SystemExit(
                f"cookie-api: cannot listen on {host}:{port}: {error.strerror}"
            ) from None


def route_body_limit(app: Flask) -> Callable[[str, str], int]:
    """Each route's body limit, by method and path: POST /lint's, or the app's."""
    lint_limit = body_limit(app)
    app_limit = app.config["MAX_CONTENT_LENGTH"]

    def limit(method: str, path: str) -> int:
        return lint_limit if method == "POST" and path == "/lint" else app_limit

    return limit


BODY_TIMEOUT_DETAIL = (
    f"The request body stopped arriving: no byte for {BODY_IDLE_TIMEOUT:g} s, "
    f"or not all of it within {BODY_DEADLINE:g} s."
)


def body_timeout(environ: dict[str, Any], start_response: Callable[..., Any]):
    """The 408 for a body that stopped arriving, in problem+json as every error."""
    return problem(408, BODY_TIMEOUT_DETAIL)(environ, start_response)


def create_server_app() -> InlineWSGI:
    """The app as ``cookie-api`` serves it: over ASGI, each body read up to its route's limit
    before the app runs, and a body that stops arriving answered 408."""
    app = create_app()
    return InlineWSGI(
        app,
        max_body=body_limit(app),
        body_limit=route_body_limit(app),
        timeout_app=HygieneHeaders(body_timeout),
    )


# Connections each worker holds at once. Granian's "backpressure" caps connections, not
# requests: a worker with this many open stops accepting, and every new client waits in the
# listen queue (its default, 1,024 for one worker, is how 1,030 stalled clients locked everyone
# out). A stalled body is answered 408 within BODY_IDLE_TIMEOUT and headers that do not arrive
# are cut after HEADER_READ_TIMEOUT_MS, so it takes more than this many connections, renewed
# every few seconds, to keep others waiting. Each costs one file descriptor (Granian raises its
# soft open-file limit to the hard one at start; the hard one must allow this many) and, while
# its body is read, at most its route's body limit.
CONNECTIONS_PER_WORKER = 2048
# Connections the kernel queues before a worker accepts them (capped by net.core.somaxconn).
LISTEN_BACKLOG = 2048
# Headers that are not all in after this long, and a kept-alive connection idle this long, are
# closed (Granian's default is 30 s). Keep nginx's upstream keepalive_timeout below it.
HEADER_READ_TIMEOUT_MS = 5_000


def server_settings(workers: int) -> dict[str, Any]:
    """Granian's settings, as plain JSON values so the benchmark can run other apps under them."""
    return {
        # ASGI without the lifespan protocol, which a WSGI app has no use for.
        "interface": "asginl",
        # uvloop where it installs (not on Windows): the event loop runs every request.
        "loop": "uvloop" if importlib.util.find_spec("uvloop") else "asyncio",
        # Plain-text HTTP/2 (h2c) is never spoken by browsers; HTTP/1 alone costs less per request.
        "http": "1",
        "workers": workers,
        "respawn_failed_workers": True,
        # Without a limit, a stop signal that lands while a worker starts can hang the server.
        "workers_kill_timeout": 10,
        "backlog": LISTEN_BACKLOG,
        "backpressure": CONNECTIONS_PER_WORKER,
        "http1_settings": {"header_read_timeout": HEADER_READ_TIMEOUT_MS},
    }


def granian_options(settings: dict[str, Any]) -> dict[str, Any]:
    """``server_settings`` as Granian's keyword arguments (its HTTP/1 settings are an object)."""
    return {**settings, "http1_settings": HTTP1Settings(**settings["http1_settings"])}


def main(argv: list[str] | None = None) -> None:
    """Start the server and print where the docs are."""
    args = parse_args(argv)
    ensure_port_is_free(args.host, args.port)
    server = Granian(
        SERVER_APP_FACTORY,
        factory=True,
        address=args.host,
        port=args.port,
        **granian_options(server_settings(args.workers)),
    )
    print(f"Cookie API docs at {docs_url(args.host, args.port)}", flush=True)
    server.serve()
