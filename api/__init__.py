"""Cookie API: set and read HTTP cookies through a validated JSON API."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Flask, request, url_for
from flask_restx import Api
from flask_restx.apidoc import ui_for
from werkzeug.exceptions import BadHost, HTTPException
from werkzeug.exceptions import NotImplemented as MethodNotImplemented
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from api import openapi
from api.cookies import ns as cookies_ns
from api.cors import init_cors
from api.errors import problem_response
from api.inspect import bp as inspect_bp
from api.lint import ns as lint_ns
from api.replay import ns as replay_ns
from api.settings import load_settings, string_list
from cookierules.domains import public_suffix_list

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

TITLE = "Cookie API"
VERSION = "1.0.0"

DEFAULTS: dict[str, Any] = {
    "SECRET_KEY": None,
    "SECRET_KEY_FALLBACKS": [],
    "CORS_ORIGINS": [],
    "HIDDEN_COOKIES": [],
    "MAX_CONTENT_LENGTH": 64 * 1024,
    "TRUSTED_PROXIES": 0,
    "RESTX_MASK_SWAGGER": False,
    "RESTX_ERROR_404_HELP": False,
    "SWAGGER_UI_DOC_EXPANSION": "list",
    "SWAGGER_UI_OPERATION_ID": True,
}


# No sniffing; and no page of another origin may frame /docs (clickjacking "Try it out"). The API
# has no page meant for a frame, so every answer says so, the / redirect included.
HYGIENE_HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Content-Security-Policy", "frame-ancestors 'none'"),
]


class CookieApi(Api):
    """Flask-RESTX, answering errors as problem+json and documented by OpenAPI 3."""

    @property
    def specs_url(self) -> str:
        return "openapi.json"

    def render_root(self) -> Response:
        # The pages for people besides the docs (RFC 8288 links, relative to /).
        links = '<inspect>; rel="help", <rules>; rel="glossary"'
        return _without_body(
            Response(status=302, headers={"Location": url_for("docs"), "Link": links})
        )

    def error_router(self, original_handler: Callable[[Exception], Response], e: Exception):
        """Answer every HTTP error with problem+json, whichever view it came from.

        Flask-RESTX first asks whether one of its routes failed by matching the URL again, and
        that match raises BadHost for a Host header such as "a..b": a 500. The answer is the
        same for every route here, so there is nothing to ask.
        """
        if isinstance(e, HTTPException):
            return problem_response(e)
        # Anything else is a bug: let Flask log it and answer the 500.
        return original_handler(e)


class CookieFlask(Flask):
    """Flask, answering OPTIONS without a Content-Type: its answer has no body, let alone HTML."""

    def make_default_options_response(self) -> Response:
        return _without_body(super().make_default_options_response())


def _without_body(response: Response) -> Response:
    del response.headers["Content-Type"]
    return response


# RFC 9110 §7.2: Host is uri-host [":" port]. Here: a host name (letters, digits, "-", "_",
# "." as browsers send them, IDNs in punycode) or an IPv6 literal, then a port of 1-5 digits.
# No userinfo ("good@evil"), no list ("a,b": two Host lines joined), nothing else.
_HOST = re.compile(r"(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::([0-9]{1,5}))?")


def is_valid_host(host: str) -> bool:
    """Whether a Host header (or X-Forwarded-Host, as ProxyFix put it there) names one host."""
    match = _HOST.fullmatch(host)
    return match is not None and (match[1] is None or 0 < int(match[1]) <= 65535)


def check_request_line() -> None:
    """Refuse what no client should send, before any route runs.

    - A method not in upper case: methods are case-sensitive (RFC 9110 §9.1), so "get" is an
      unknown method, 501 (Werkzeug would upper-case it and serve GET).
    - An HTTP/1.1 request without Host, or whose Host is no host (RFC 9112 §3.2 asks for a
      400): 400 with the detail of every bad Host (``api.errors.problem_response``).
    """
    environ = request.environ
    if not environ["REQUEST_METHOD"].isupper():
        raise MethodNotImplemented("Methods are case-sensitive: none in lower case is known here.")
    host = environ.get("HTTP_HOST")
    if host is None and environ.get("SERVER_PROTOCOL") == "HTTP/1.0":
        return  # HTTP/1.0 has no Host: the server's own name stands in
    if host is None or not is_valid_host(host):
        raise BadHost()


def _count(app: Flask, key: str) -> int:
    value = app.config[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"COOKIE_API_{key} must be a whole number, got {value!r}")
    return value


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then COOKIE_API_* environment variables, then ``config``."""
    app = CookieFlask(__name__)
    # "/cookies//x" is no route: a 404, not a 308 to "/cookies/x" (a POST that follows a
    # redirect is sent again, and a problem body has no Location to follow).
    app.url_map.merge_slashes = False
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("COOKIE_API")
    if config:
        app.config.from_mapping(config)

    _count(app, "MAX_CONTENT_LENGTH")
    proxies = _count(app, "TRUSTED_PROXIES")
    if proxies:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )

    app.extensions["cookie_api"] = load_settings(app)
    public_suffix_list()  # load the bundled list now, not on the first request
    init_cors(app, string_list(app, "CORS_ORIGINS"))
    app.register_error_handler(HTTPException, problem_response)
    app.before_request(check_request_line)

    api = CookieApi(title=TITLE, version=VERSION, doc=False, add_specs=False)
    api.add_namespace(cookies_ns)
    api.add_namespace(lint_ns)
    api.add_namespace(replay_ns)
    # init_app reads add_specs again and defaults it to True, which would serve Swagger 2.0.
    api.init_app(app, add_specs=False)
    app.add_url_rule("/docs", "docs", lambda: ui_for(api))
    app.register_blueprint(inspect_bp)
    openapi.init_app(app, api)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.wsgi_app = HygieneHeaders(app.wsgi_app)
    return app


class HygieneHeaders:
    """WSGI middleware that adds ``HYGIENE_HEADERS`` to every answer.

    At the WSGI level it is one list concatenation per answer, where setting each header on the
    Response scans its headers again, and it covers answers Flask could not finish too.
    """

    def __init__(self, wsgi_app: WSGIApplication) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse):
        def start(status: str, headers: list[tuple[str, str]], exc_info=None):
            return start_response(status, headers + HYGIENE_HEADERS, exc_info)

        return self.wsgi_app(environ, start)
