"""The lint namespace: what a browser does with any Set-Cookie header, why, and what it sends next.

The resource is thin: it loads the body, runs the engine (``cookierules.lint``) and dumps the
report. It sets no cookie and reads none, so every caller gets the same answer.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from flask import Flask, Response, current_app, request
from flask_restx import Namespace, Resource

from api.arguments import json_object_body, load_partially
from api.cookies import json_response
from api.errors import ValidationFailed
from cookierules.browsers import BROWSERS
from cookierules.compare import lint_in_every_browser
from cookierules.lint import lint_set_cookies
from schemas.compiled import compile_dumper
from schemas.lint import MAX_SET_COOKIE_JSON_BYTES, LintReportSchema, LintRequestSchema

ns = Namespace(
    "lint",
    path="/lint",
    description="""\
Explain any Set-Cookie header: whether a browser stores the cookie, every reason it does not
(with the codes, the RFC 6265bis section and Chromium's name for it), the cookie as the browser
keeps it, and the Cookie header it sends to a later URL. Nothing is set. The same answer, drawn
as tables: [the inspector](inspect). Every rule of POST /cookies applies, and more:
[the rule tables](rules).""",
)

_REQUEST = LintRequestSchema()
_DUMP_REPORT = compile_dumper(LintReportSchema())


def body_limit(app: Flask) -> int:
    """POST /lint's body limit: the app's, plus room for the largest set_cookie there can be."""
    return app.config["MAX_CONTENT_LENGTH"] + MAX_SET_COOKIE_JSON_BYTES


@ns.route("")
class Lint(Resource):
    def post(self) -> Response:
        """Explain what a browser does with Set-Cookie headers.

        Give the URL of the response and its `Set-Cookie` header values, in order. Each is
        parsed, checked and stored as a browser does (RFC 6265bis §5.6 and §5.7, the way
        Chromium implements them): `results` says for each whether it was `stored` or
        `rejected`, the cookie as kept, and `problems` with stable codes. `cookies` is the jar
        after all of them; with `then_url`, `cookie_header` is the exact `Cookie` header a
        browser sends there, and `not_sent` says why the other cookies stay home. Set
        `site_for_cookies` when the response is a cross-site subresource, and `from_script`
        for `document.cookie`. `browser` picks the engine: `chromium` (the default),
        `firefox`, `webkitgtk` (WebKit on Linux with libsoup, not Safari), or `all` for each
        engine's answer side by side and the differences in words.
        ---
        operationId: lint_set_cookie
        requestBody:
          required: true
          content:
            application/json:
              schema: LintRequestSchema
              examples:
                samesite_none_without_secure:
                  summary: SameSite=None without Secure (dropped)
                  value:
                    url: https://www.example.com/login
                    set_cookie: ['session=abc123; SameSite=None; HttpOnly']
                host_prefix_with_domain:
                  summary: A __Host- cookie with a Domain (dropped)
                  value:
                    url: https://www.example.com/
                    set_cookie: ['__Host-id=1; Secure; Path=/; Domain=example.com']
                domain_of_another_site:
                  summary: A Domain of another site (dropped)
                  value:
                    url: https://www.example.com/
                    set_cookie: ['id=1; Domain=example.org']
                domain_public_suffix:
                  summary: A Domain that is a public suffix (dropped)
                  value:
                    url: https://shop.example.co.uk/
                    set_cookie: ['id=1; Domain=co.uk']
                secure_over_http:
                  summary: Secure over plain HTTP (dropped)
                  value:
                    url: http://www.example.com/
                    set_cookie: ['id=1; Secure']
                expired:
                  summary: An Expires in the past (deletes, stores nothing)
                  value:
                    url: https://www.example.com/
                    set_cookie: ['id=1', 'id=; Expires=Thu, 01 Jan 1970 00:00:00 GMT']
                quoted_and_nameless:
                  summary: A quoted value and a nameless cookie (stored, as given)
                  value:
                    url: https://www.example.com/app/page
                    set_cookie: ['theme="dark mode"', 'just-a-value']
                    then_url: https://www.example.com/app/other
                partitioned_without_secure:
                  summary: Partitioned without Secure (dropped)
                  value:
                    url: https://widget.example.net/embed
                    set_cookie: ['widget=1; SameSite=None; Partitioned']
                    site_for_cookies: https://www.example.com/
                httponly_from_script:
                  summary: An HttpOnly cookie from document.cookie (dropped)
                  value:
                    url: https://www.example.com/
                    set_cookie: ['token=1; HttpOnly']
                    from_script: true
                in_every_browser:
                  summary: Every engine, a cookie from another site (dropped), Firefox partitions it
                  value:
                    url: https://widget.example.net/embed
                    set_cookie: ['widget=1; Secure']
                    site_for_cookies: https://www.example.com/
                    then_url: https://widget.example.net/embed
                    browser: all
                what_is_sent:
                  summary: Which cookies go with a later request, in which order
                  value:
                    url: https://www.example.com/docs/page
                    set_cookie: ['a=1; Path=/', 'b=2', 'c=3; Secure; SameSite=Strict']
                    then_url: http://www.example.com/docs/other
        responses:
          200:
            description: What a browser does with each header, its jar, and what it sends next.
            headers:
              Cache-Control: NoStore
            content:
              application/json:
                schema: LintReportSchema
                example:
                  results:
                    - set_cookie: session=abc123; SameSite=None; HttpOnly
                      outcome: rejected
                      cookie: null
                      problems:
                        - code: samesite_none_requires_secure
                          field: samesite
                          severity: rejected
                          message: >-
                            SameSite=None requires Secure; browsers drop such cookies.
                            Add "; Secure".
                          spec: RFC 6265bis §5.7 step 15
                          chromium: EXCLUDE_SAMESITE_NONE_INSECURE
                          fix: add "; Secure"
                  cookies: []
          400: InvalidCookie
          413: PayloadTooLarge
          415: UnsupportedMediaType
        """
        # The request itself, not the proxy, which looks up the context on every read.
        current = request._get_current_object()
        # Flask 3.1 holds this one request to its own limit; every other keeps the app's.
        current.max_content_length = body_limit(current_app)
        fields, findings = load_partially(_REQUEST, json_object_body(current))
        if findings:
            raise ValidationFailed(findings)
        name = fields.get("browser")
        options = {
            "now": fields.get("now") or datetime.now(UTC),
            "then_url": fields.get("then_url"),
            "site_for_cookies": fields.get("site_for_cookies"),
            "from_script": fields["from_script"],
        }
        if name == "all":
            report = lint_in_every_browser(fields["url"], fields["set_cookie"], **options)
        elif name is not None:
            report = lint_set_cookies(
                fields["url"], fields["set_cookie"], browser=BROWSERS[name], **options
            )
            report = replace(report, browser=name)
        else:
            report = lint_set_cookies(fields["url"], fields["set_cookie"], **options)
        return json_response(_DUMP_REPORT(report))
