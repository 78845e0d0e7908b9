"""Cookie API: set and read HTTP cookies through a validated JSON API."""

from __future__ import annotations

import fnmatch
import re
from typing import Any

from flask import Flask, redirect, url_for
from flask_restx import Api
from flask_restx.apidoc import ui_for
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from api import openapi, rules, wire
from api.cookies import ns as cookies_ns
from api.cors import init_cors
from api.errors import problem_response
from api.setcookie import CookieApiState

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


class CookieApi(Api):
    """Flask-RESTX, answering errors as problem+json and documented by OpenAPI 3."""

    @property
    def specs_url(self) -> str:
        return "openapi.json"

    def render_root(self) -> Response:
        return redirect(url_for("docs"))

    def handle_error(self, e: Exception) -> Response:
        if isinstance(e, HTTPException):
            return problem_response(e)
        # Anything else is a bug: let Flask log it and answer the 500.
        raise e


def _string_list(app: Flask, key: str) -> list[str]:
    value = app.config[key]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"COOKIE_API_{key} must be a JSON list of strings, got {value!r}")
    return value


def _count(app: Flask, key: str) -> int:
    value = app.config[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"COOKIE_API_{key} must be a whole number, got {value!r}")
    return value


def _make_state(app: Flask) -> CookieApiState:
    secret_key = app.config["SECRET_KEY"]
    fallbacks = _string_list(app, "SECRET_KEY_FALLBACKS")
    if secret_key and not isinstance(secret_key, str | bytes):
        secret_key = str(secret_key)  # COOKIE_API_SECRET_KEY=12345 arrives as a number
    signer = wire.make_signer(secret_key, fallbacks) if secret_key else None
    patterns = _string_list(app, "HIDDEN_COOKIES")
    hidden = re.compile("|".join(map(fnmatch.translate, patterns))) if patterns else None
    return CookieApiState(signer=signer, hidden=hidden)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then COOKIE_API_* environment variables, then ``config``."""
    app = Flask(__name__)
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

    app.extensions["cookie_api"] = _make_state(app)
    rules.public_suffix_list()  # load the bundled list now, not on the first request
    init_cors(app, _string_list(app, "CORS_ORIGINS"))
    app.register_error_handler(HTTPException, problem_response)

    api = CookieApi(title=TITLE, version=VERSION, doc=False, add_specs=False)
    api.add_namespace(cookies_ns)
    # init_app reads add_specs again and defaults it to True, which would serve Swagger 2.0.
    api.init_app(app, add_specs=False)
    app.add_url_rule("/docs", "docs", lambda: ui_for(api))
    openapi.init_app(app, api)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.after_request
    def add_hygiene_headers(response: Response) -> Response:
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    return app
