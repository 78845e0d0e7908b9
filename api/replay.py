"""The replay namespace: a flow of requests through one browser profile's cookie jar.

The resource is thin: it loads the body (steps, or a HAR file), runs the engine
(``cookierules.flow``, ``cookierules.har``) and dumps the report.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, current_app, request
from flask_restx import Namespace, Resource
from marshmallow import ValidationError

from api.arguments import _as_finding, json_object_body
from api.cookies import json_response
from api.errors import ValidationFailed
from cookierules.findings import Finding, finding
from cookierules.flow import FlowError, replay
from cookierules.har import InvalidHar, replay_har
from schemas.compiled import compile_dumper
from schemas.replay import ReplayReportSchema, ReplayRequestSchema

# A HAR file is larger than any other body: room for one of 4 MiB beside the app's limit.
MAX_HAR_BYTES = 4 * 1024 * 1024

ns = Namespace(
    "replay",
    path="/replay",
    description="""\
Replay a whole flow through one browser profile's cookie jar: navigations, cross-site POSTs,
iframes, fetches and redirects, typed as steps or read from a HAR file. For every request: the
exact Cookie header, why each other cookie of that host stays home (in the words of the SameSite
context: "cross-site POST navigation: Lax cookies are not sent"), what each Set-Cookie did, and
the jar with each cookie's CHIPS partition. Every rule of POST /lint applies, and those of
flows: [the rule tables](rules).""",
)

_REQUEST = ReplayRequestSchema()
_DUMP_REPORT = compile_dumper(ReplayReportSchema())


def body_limit(app: Flask) -> int:
    """POST /replay's body limit: the app's, plus room for a HAR file."""
    return app.config["MAX_CONTENT_LENGTH"] + MAX_HAR_BYTES


def _field(path: list[str | int]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
    return text


def _findings(messages: Any, path: list[str | int]) -> list[Finding]:
    """Every message of a nested load error, each named by its place: steps[0].url."""
    if isinstance(messages, dict):
        return [
            item
            for key, inner in messages.items()
            for item in _findings(inner, [*path, key] if key != "_schema" else path)
        ]
    if isinstance(messages, list):
        found = []
        for message in messages:
            if isinstance(message, list | dict):
                found += _findings(message, path)
            else:
                found.append(_as_finding(_field(path), message))
        return found
    return [_as_finding(_field(path), messages)]


@ns.route("")
class Replay(Resource):
    def post(self) -> Response:
        """Replay a flow of requests and say what each one carried.

        Give the requests in order, each with its response (`steps`), or a HAR file (`har`).
        Each request is judged in its context as Chromium does: a top-level navigation, an
        iframe or a subresource; its method; the page it is on (`top_level_url`) and who
        started it (`initiator`); its time (`at`); and a redirect's Location, which makes the
        next step its hop. `browser` picks the profile: `chromium`,
        `chromium-third-party-blocked`, `firefox` or `webkitgtk`. For a HAR, each step also
        gives the Cookie header the browser recorded and whether the prediction `matches` it.
        ---
        operationId: replay_flow
        requestBody:
          required: true
          content:
            application/json:
              schema: ReplayRequestSchema
              examples:
                oauth_form_post:
                  summary: An OAuth form_post callback loses a SameSite=Lax session
                  value:
                    steps:
                      - url: https://app.example/login
                        response:
                          set_cookie: ['sid=1; Path=/; SameSite=Lax; Secure; HttpOnly']
                      - url: https://idp.example/authorize
                        initiator: https://app.example
                      - url: https://app.example/callback
                        method: POST
                        initiator: https://idp.example
                partitioned_under_two_sites:
                  summary: A Partitioned cookie is not read under another top-level site
                  value:
                    steps:
                      - url: https://widget.example/embed
                        kind: iframe
                        top_level_url: https://shop.example/
                        response:
                          set_cookie: ['w=1; Secure; SameSite=None; Partitioned; Path=/']
                      - url: https://widget.example/embed
                        kind: iframe
                        top_level_url: https://news.example/
                raw_headers:
                  summary: A redirect pasted from curl -i
                  value:
                    browser: chromium-third-party-blocked
                    steps:
                      - url: https://app.example/start
                        response:
                          headers_text: |
                            HTTP/1.1 302 Found
                            Set-Cookie: a=1; Path=/
                            Location: /home
                      - url: https://app.example/home
        responses:
          200:
            description: What each request carried and set, the jar after it, and the findings.
            headers:
              Cache-Control: NoStore
            content:
              application/json:
                schema: ReplayReportSchema
                example:
                  browser: chromium
                  steps:
                    - url: https://app.example/callback
                      method: POST
                      kind: navigation
                      top_level_url: https://app.example/callback
                      initiator: https://idp.example
                      at: '2026-12-04T10:00:00+00:00'
                      context: cross-site POST navigation
                      samesite_context: SAME_SITE_LAX_METHOD_UNSAFE
                      partition_key: https://app.example
                      cookie_header: null
                      not_sent:
                        - name: sid
                          domain: app.example
                          path: /
                          partition_key: null
                          problems:
                            - code: not_sent_samesite_lax
                              field: samesite
                              severity: warning
                              message: 'cross-site POST navigation: Lax cookies are not sent'
                              spec: RFC 6265bis §5.8.3
                              chromium: EXCLUDE_SAMESITE_LAX
                      results: []
                      document_cookie_results: []
                      jar: []
                      inserted: false
                      recorded: false
                  findings: []
          400: InvalidCookie
          413: PayloadTooLarge
          415: UnsupportedMediaType
        """
        current = request._get_current_object()
        current.max_content_length = body_limit(current_app)
        body = json_object_body(current)
        try:
            fields = _REQUEST.load(body)
        except ValidationError as error:
            raise ValidationFailed(_findings(error.normalized_messages(), [])) from None
        if ("steps" in fields) == ("har" in fields):
            message = "Give `steps` (the requests in order) or `har` (a HAR file), not both."
            raise ValidationFailed([finding("steps_or_har", "_body", message)])
        now = datetime.now(UTC)
        try:
            if "har" in fields:
                report = replay_har(fields["har"], now=now, browser=fields["browser"])
            else:
                report = replay(fields["steps"], now=now, browser=fields["browser"])
        except InvalidHar as error:
            raise ValidationFailed([finding("har_invalid", "har", str(error))]) from None
        except FlowError as error:
            raise ValidationFailed([replace(error.finding)]) from None
        return json_response(_DUMP_REPORT(report))
