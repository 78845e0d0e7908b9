"""``cookie-api``: serve the app with Granian, over its ASGI interface (see ``api.asgi``)."""

from __future__ import annotations

import argparse
import importlib.util
import socket
from typing import Any

from granian import Granian

from api import create_app
from api.asgi import InlineWSGI
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


def create_server_app() -> InlineWSGI:
    """The app as ``cookie-api`` serves it: over ASGI, reading bodies up to the largest limit.

    That is POST /lint's, so its bodies arrive whole; the app holds every other route to
    ``MAX_CONTENT_LENGTH`` itself, with its 413.
    """
    app = create_app()
    return InlineWSGI(app, max_body=body_limit(app))


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
    }


def main(argv: list[str] | None = None) -> None:
    """Start the server and print where the docs are."""
    args = parse_args(argv)
    ensure_port_is_free(args.host, args.port)
    server = Granian(
        SERVER_APP_FACTORY,
        factory=True,
        address=args.host,
        port=args.port,
        **server_settings(args.workers),
    )
    print(f"Cookie API docs at {docs_url(args.host, args.port)}", flush=True)
    server.serve()
