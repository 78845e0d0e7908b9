"""CORS with credentials for the configured origins only.

Written out rather than taken from flask-cors, whose ``Vary: Origin`` is left out when a single
origin is configured: a shared cache could then serve one origin's credentialed answer to another.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request

ALLOWED_METHODS = "GET, POST, DELETE"
ALLOWED_HEADERS = "Content-Type"
PREFLIGHT_MAX_AGE = "600"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def check_origin(origin: object) -> str:
    """A configured origin, as browsers send it in the Origin header; ValueError otherwise."""
    if not isinstance(origin, str) or origin == "*":
        raise ValueError(
            f"COOKIE_API_CORS_ORIGINS lists {origin!r}: list origins such as "
            '"https://app.example" (credentials cannot be shared with "*")'
        )
    try:
        parts = urlsplit(origin.lower())
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.path not in ("", "/")
    ):
        raise ValueError(
            f"COOKIE_API_CORS_ORIGINS lists {origin!r}, which is not an origin "
            "(scheme://host[:port], no path)"
        )
    # Browsers send the scheme and host in lower case and leave out a default port.
    port = parts.port if parts.port not in (None, _DEFAULT_PORTS[parts.scheme]) else None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


def init_cors(app: Flask, origins: list[str]) -> None:
    """Answer CORS for ``origins`` with credentials; other origins get no CORS headers."""
    allowed = frozenset(check_origin(origin) for origin in origins)
    if not allowed:
        return

    @app.after_request
    def add_cors_headers(response: Response) -> Response:
        # Every answer depends on Origin once CORS is on, refused origins included.
        response.vary.add("Origin")
        origin = request.headers.get("Origin")
        if origin not in allowed:
            return response
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
            response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
            response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
        else:
            response.headers["Access-Control-Expose-Headers"] = "Location"
        return response
