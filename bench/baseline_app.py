"""The floor: the tutorial's bare Flask cookie app, with no validation, docs or JSON answers.

``/setcookie`` reads the same JSON body as POST /cookies and calls ``set_cookie``;
``/getcookie`` reads one cookie with ``request.cookies.get``. Nothing built on Flask does less.
"""

from __future__ import annotations

from flask import Flask, Response, make_response, request


def create_app() -> Flask:
    """The baseline app, built the way ``cookie-api`` builds ours: from a factory."""
    app = Flask(__name__)

    @app.post("/setcookie")
    def setcookie() -> Response:
        body = request.get_json()
        response = make_response(f"Set {body['name']}")
        response.set_cookie(body["name"], body["value"], max_age=body.get("max_age"))
        return response

    @app.get("/getcookie")
    def getcookie() -> str:
        return f"theme is {request.cookies.get('theme')}"

    return app
