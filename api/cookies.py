"""The cookies namespace: set, list, read and delete cookies.

Resources stay thin: they read the request, call the rules, and answer. Each method's docstring
is its OpenAPI operation: summary, description, then YAML after ``---``.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from flask import Request, Response, current_app, request
from flask_restx import Namespace, Resource
from werkzeug.datastructures import Headers
from werkzeug.exceptions import RequestHeaderFieldsTooLarge
from werkzeug.urls import iri_to_uri

from api.arguments import json_object_body, single_valued
from api.cookie_requests import (
    RequestFacts,
    build_cookie,
    build_deletion,
)
from api.errors import json_bytes, problem
from api.settings import cookie_settings
from cookierules.cookie import parse_cookie_header
from cookierules.limits import MAX_COOKIES, carried_cookies, too_many_sent
from cookierules.outcome import FetchMetadata
from cookierules.signing import read_wire_value
from cookierules.sites import MAX_HOST_CHARS, MAX_ORIGIN_CHARS, urlsplit_uncached
from schemas.compiled import compile_dumper
from schemas.cookies import CookieSchema, DeletionSchema

ns = Namespace(
    "cookies",
    path="/cookies",
    description="""\
Set cookies with every attribute, and read back the ones the browser sends.

Browsers silently drop a cookie that breaks their rules (`SameSite=None` without `secure: true`,
`partitioned: true` without it, a `__Secure-`, `__Host-` or `__Http-` prefix whose terms are not
met...). This API refuses such a cookie with a 400 whose `findings` name every broken rule with
a stable `code`; rules that depend on where the request comes from are named in the 201, whose
`outcome` says whether the browser keeps the cookie. Every rule and its code:
[the rule tables](rules). Values are sent exactly as JavaScript's `encodeURIComponent` encodes
them, so `decodeURIComponent` in the browser gives back the original, byte for byte.
""",
)

NO_STORE = "no-store"
# Characters of a token that may stand unescaped in a URL path.
_PATH_SAFE = "!$&'*+-.^_`|~"
_SHOWN_NAME_LIMIT = 100
_NO_STORE_HEADERS = {"Cache-Control": NO_STORE}
# The answer depends on the Cookie request header, so shared caches must key on it.
_READ_HEADERS = {"Vary": "Cookie"}


class JsonAnswer(Response):
    """A JSON answer of the resources: status 200 or 201, its bytes already counted in
    Content-Length, and a Location, if any, already made a URI by ``cookie_location``.
    """

    def get_wsgi_headers(self, environ: dict[str, Any]) -> Headers:
        # Werkzeug copies every header to make Location a URI and to correct Content-Length
        # for 1xx, 204 and 304 answers: this answer has nothing left for it to correct.
        return self.headers


def json_response(
    body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A JSON answer that no cache keeps, with ``headers`` added."""
    # Every header goes in at once: setting them one by one scans the list each time.
    return JsonAnswer(
        json_bytes(body),
        status,
        headers={"Cache-Control": NO_STORE, **headers} if headers else _NO_STORE_HEADERS,
        content_type="application/json",
    )


def name_in_path(name: str) -> str:
    """A cookie name as one path segment, never a "." or ".." that clients resolve away."""
    if name in (".", ".."):
        # RFC 3986 §5.2.4 removes dot segments, but not their percent-encoded form.
        return name.replace(".", "%2E")
    return quote(name, safe=_PATH_SAFE)


def cookie_location(script_root: str, name: str) -> str:
    """Where to read a cookie back: its URL path, made a URI as Werkzeug makes a Location."""
    # Cached: a client sets the same few names again and again, and escaping is the costly part.
    # A long name (up to 4 KiB) is escaped each time, so that no cache keeps one.
    if len(script_root) + len(name) > MAX_HOST_CHARS:
        return _cookie_location(script_root, name)
    return _cached_cookie_location(script_root, name)


def _cookie_location(script_root: str, name: str) -> str:
    return iri_to_uri(f"{script_root}/cookies/{name_in_path(name)}")


_cached_cookie_location = lru_cache(maxsize=128)(_cookie_location)


def host_name(host_header: str) -> str:
    """The host name of a Host header: lower-case, without port or IPv6 brackets; "" if bad."""
    # Cached: a server sees few distinct Host headers, and parsing one costs more than a lookup.
    # A Host header longer than a host name and a port is parsed each time, never kept.
    if len(host_header) > MAX_ORIGIN_CHARS:
        return _host_name(host_header)
    return _cached_host_name(host_header)


def _host_name(host_header: str) -> str:
    try:
        return urlsplit_uncached(f"//{host_header}").hostname or ""
    except ValueError:
        return ""


_cached_host_name = lru_cache(maxsize=64)(_host_name)


_DUMP_COOKIE = compile_dumper(CookieSchema())
_DUMP_DELETION = compile_dumper(DeletionSchema())


def request_facts(current: Request) -> RequestFacts:
    """What the rules need to know of ``current``, the request being answered."""
    # Straight from the environ: through ``headers``, a request without Origin (most of
    # them) costs a KeyError raised and caught.
    environ = current.environ
    origin = environ.get("HTTP_ORIGIN")
    return RequestFacts(
        host=host_name(current.host),
        is_https=current.is_secure,
        origin=origin,
        now=datetime.now(UTC),
        fetch=FetchMetadata(
            origin=origin,
            site=environ.get("HTTP_SEC_FETCH_SITE"),
            mode=environ.get("HTTP_SEC_FETCH_MODE"),
            dest=environ.get("HTTP_SEC_FETCH_DEST"),
            storage_access=environ.get("HTTP_SEC_FETCH_STORAGE_ACCESS"),
        ),
        carried_cookies=carried_cookies(environ.get("HTTP_COOKIE", "")),
    )


def received_cookies(only: str | None = None) -> list[dict[str, Any]]:
    """The cookies of the Cookie header, in order, duplicates kept, hidden names left out; with
    ``only``, just the cookies of that name (the others are not decoded or verified)."""
    settings = cookie_settings(current_app)
    header = request.headers.get("Cookie", "")
    if too_many_sent(header):
        raise RequestHeaderFieldsTooLarge(
            f"The Cookie header carries more than {MAX_COOKIES:,} cookies, the most a browser "
            "keeps in all."
        )
    # WSGI hands headers over as latin-1; browsers send UTF-8.
    with suppress(UnicodeEncodeError):
        header = header.encode("latin-1").decode("utf-8", "replace")
    cookies = []
    for name, raw in parse_cookie_header(header):
        if (only is not None and name != only) or settings.is_hidden(name):
            continue
        value, signature = read_wire_value(name, raw, settings.signer)
        cookies.append({"name": name, "value": value, "signature": signature})
    return cookies


@ns.route("")
class CookieList(Resource):
    def get(self) -> Response:
        """List the cookies this request carries.

        Reads the `Cookie` request header that the browser (or your client) sent with this
        request and returns every cookie in it, in header order. The same name can appear twice,
        for example from two paths, and both are kept. Values are decoded the way
        `decodeURIComponent` decodes them. Signed cookies are verified: `signature` is `valid`
        when the cookie was set through this API with this server's key and has not been changed
        since (not through `document.cookie`, another subdomain or by hand). It does not make the
        value trustworthy: anyone who may call `POST /cookies` can get any value signed.
        HttpOnly cookies are listed too, since the browser sends them;
        names the server hides (`COOKIE_API_HIDDEN_COOKIES`) never are.
        ---
        operationId: list_cookies
        responses:
          200:
            description: The cookies of the Cookie request header, in order.
            headers:
              Cache-Control: NoStore
              Vary: VaryCookie
            content:
              application/json:
                schema: CookieListSchema
                example:
                  cookies:
                    - {name: theme, value: dark, signature: none}
                    - {name: cart, value: 'items=3; total=9.90 €', signature: valid}
          431: TooManyCookies
        """
        return json_response({"cookies": received_cookies()}, headers=_READ_HEADERS)

    def post(self) -> Response:
        """Set a cookie.

        Validates the cookie against every browser rule, then answers 201 with exactly one
        `Set-Cookie` header. The body echoes the effective cookie with every default applied,
        the exact `set_cookie` header value (frontend code cannot read `Set-Cookie`), and
        `warnings` for reasons a browser may still ignore it in this context. Defaults: path
        `/`, `secure` true over HTTPS, `httponly` true, `samesite` Lax, no expiry (a session
        cookie). Send `application/json` (or any `+json` type); unknown keys are refused.
        With `signed: true` the value carries an HMAC made with the server's key, and reading
        it back says `valid` while it is unchanged: that proves it was set through this
        operation, not that its value is trustworthy, since any caller can get any value
        signed. It does catch edits through `document.cookie`, other subdomains and hand-made
        cookies.
        ---
        operationId: set_cookie
        requestBody:
          required: true
          content:
            application/json:
              schema: CookieRequestSchema
              examples:
                plain:
                  summary: A plain cookie
                  value: {name: theme, value: dark, max_age: 3600}
                cross_site:
                  summary: A cross-site cookie (SameSite=None; Secure; Partitioned)
                  value:
                    name: widget_session
                    value: abc123
                    samesite: None
                    secure: true
                    partitioned: true
                host_prefix:
                  summary: A __Host- cookie (Secure, Path=/, no Domain)
                  value: {name: __Host-session, value: s3cr3t, secure: true, path: /}
        responses:
          201:
            description: The cookie was set.
            headers:
              Set-Cookie:
                description: The cookie, exactly as in `set_cookie` of the body.
                schema: {type: string}
              Location:
                description: Where to read the cookie back, `/cookies/{name}`.
                schema: {type: string}
              Cache-Control: NoStore
            content:
              application/json:
                schema: CookieSchema
                example:
                  name: theme
                  value: dark
                  max_age: 3600
                  expires: null
                  path: /
                  domain: null
                  secure: true
                  httponly: true
                  samesite: Lax
                  partitioned: false
                  signed: false
                  set_cookie: theme=dark; Path=/; Max-Age=3600; Secure; HttpOnly; SameSite=Lax
                  warnings: []
                  findings: []
                  outcome: unknown
                  decided_by: []
          400: InvalidCookie
          413: PayloadTooLarge
          415: UnsupportedMediaType
        """
        # The request itself, not the proxy: every attribute read through ``request`` looks up
        # the context again, which costs more than most of these reads.
        current = request._get_current_object()
        settings = cookie_settings(current_app)
        cookie = _DUMP_COOKIE(
            build_cookie(json_object_body(current), request_facts(current), settings)
        )
        location = cookie_location(current.script_root, cookie["name"])
        return json_response(
            cookie, 201, headers={"Set-Cookie": cookie["set_cookie"], "Location": location}
        )


@ns.route("/<name>")
class Cookie(Resource):
    def get(self, name: str) -> Response:
        """Read one cookie by name.

        Returns the first cookie of that name in the `Cookie` request header, decoded and
        verified as in `list_cookies`; 404 when the request carries none.
        ---
        operationId: get_cookie
        parameters:
          - name: name
            in: path
            required: true
            description: The cookie name.
            schema: {type: string}
        responses:
          200:
            description: The first cookie of that name.
            headers:
              Cache-Control: NoStore
              Vary: VaryCookie
            content:
              application/json:
                schema: ReceivedCookieSchema
                example: {name: theme, value: dark, signature: none}
          404: CookieNotFound
          431: TooManyCookies
        """
        found = received_cookies(only=name)
        if found:
            return json_response(found[0], headers=_READ_HEADERS)
        shown = name if len(name) <= _SHOWN_NAME_LIMIT else f"{name[:_SHOWN_NAME_LIMIT]}…"
        # The answer depends on the Cookie header as much as a 200 does.
        response = problem(404, f"This request carries no cookie named {shown!r}.")
        response.headers.update({"Cache-Control": NO_STORE, **_READ_HEADERS})
        return response

    def delete(self, name: str) -> Response:
        """Delete a cookie.

        Answers 200 with one `Set-Cookie` that expires the cookie at once (`Max-Age=0` and an
        `Expires` in 1970), and a body naming the cookie it targets and the exact `set_cookie`
        header, since script cannot read `Set-Cookie`. Browsers only replace a cookie with the
        same name, path and domain (and, for a partitioned cookie, `partitioned=true`), so pass
        the `path` and `domain` it was set with; leave `domain` out for a host-only cookie. The
        deletion is Secure when the request is HTTPS, when the name's prefix requires it, or for
        a partitioned cookie; a `__Host-` name is deleted at path `/`. Browsers ignore a Secure
        deletion sent over plain HTTP to a host other than localhost, as they ignore a Secure
        cookie. Deleting a cookie that does not exist is fine: the answer is the same.
        ---
        operationId: delete_cookie
        parameters:
          - in: path
            schema: CookieNameSchema
          - in: query
            schema: DeleteCookieQuerySchema
        responses:
          200:
            description: The cookie is expired in the browser.
            headers:
              Set-Cookie:
                description: The Set-Cookie of `set_cookie` in the body.
                schema: {type: string}
              Cache-Control: NoStore
            content:
              application/json:
                schema: DeletionSchema
                example:
                  name: theme
                  path: /
                  domain: null
                  partitioned: false
                  secure: true
                  set_cookie: >-
                    theme=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Secure;
                    HttpOnly; SameSite=None
          400: InvalidCookie
        """
        settings = cookie_settings(current_app)
        cookie = build_deletion(name, single_valued(request.args), request_facts(request), settings)
        deletion = _DUMP_DELETION(cookie)
        return json_response(deletion, headers={"Set-Cookie": deletion["set_cookie"]})
