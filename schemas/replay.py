"""Request and response shapes of POST /replay: a flow of requests in, what each carried out."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_dump, post_load, validate

from cookierules.findings import finding
from cookierules.flow import (
    CREDENTIALS,
    KINDS,
    MAX_SET_COOKIES,
    MAX_STEPS,
    MAX_URL_BYTES,
    PROFILES,
    Response,
    Step,
    check_initiator,
    check_location,
    check_step_url,
    normalize_method,
)
from cookierules.grammar import TOKEN_PATTERN
from cookierules.headers_text import read_headers_text
from schemas.cookies import Choice, DeclaredLength, EngineCheck, StrictInteger
from schemas.lint import (
    MAX_HEADER_BYTES,
    LintCookieSchema,
    LintFindingSchema,
    LintResultSchema,
    OffsetDateTime,
    _check_header,
)

# A response's raw header block: at most what Chromium reads of one response's headers.
MAX_HEADERS_TEXT_BYTES = MAX_HEADER_BYTES
_MAX_METHOD_CHARS = 32
_TOKEN = re.compile(TOKEN_PATTERN)


def _url(description: str, **kwargs: Any) -> fields.String:
    return fields.String(
        validate=[DeclaredLength(max=MAX_URL_BYTES), EngineCheck(check_step_url)],
        metadata={"description": description, "format": "uri"},
        **kwargs,
    )


def _headers(description: str) -> fields.List:
    return fields.List(
        fields.String(validate=[DeclaredLength(max=MAX_HEADER_BYTES), EngineCheck(_check_header)]),
        validate=DeclaredLength(max=MAX_SET_COOKIES),
        load_default=list,
        metadata={"description": description},
    )


class Method(fields.String):
    """An HTTP method: a token, normalized as browsers send it (Fetch: the six standard ones
    upper-cased, any other as given)."""

    default_error_messages: ClassVar[dict[str, str]] = {
        "invalid": "Must be an HTTP method, a token such as GET or POST."
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > _MAX_METHOD_CHARS or not _TOKEN.match(text):
            raise self.make_error("invalid")
        return normalize_method(text)


class ReplayResponseSchema(Schema):
    """The response to a step: its status, Set-Cookie values and a redirect's Location."""

    status = StrictInteger(
        validate=validate.Range(min=100, max=599),
        metadata={"description": "The status (default 200); a 3xx with `location` redirects."},
    )
    set_cookie = _headers("The Set-Cookie values, in order, each without `Set-Cookie:`.")
    location = fields.String(
        allow_none=True,
        validate=[DeclaredLength(max=MAX_URL_BYTES), EngineCheck(check_location)],
        metadata={"description": "A redirect's Location, absolute or relative to the URL."},
    )
    headers_text = fields.String(
        validate=DeclaredLength(max=MAX_HEADERS_TEXT_BYTES),
        metadata={
            "description": "Instead of the fields above: the raw header block as copied "
            "(`curl -i` output, DevTools' raw headers, lines starting `Set-Cookie:`). Its "
            "status line, `Set-Cookie:` lines and `Location:` are read; fields given beside "
            "it win."
        },
    )

    @post_load
    def to_response(self, data: dict[str, Any], **kwargs: Any) -> Response:
        status, set_cookie, location = None, [], None
        if "headers_text" in data:
            text = data["headers_text"]
            if len(text.encode("utf-8", "surrogatepass")) > MAX_HEADERS_TEXT_BYTES:
                message = f"At most {MAX_HEADERS_TEXT_BYTES} bytes."
                raise ValidationError({"headers_text": [finding("header_too_long", "", message)]})
            status, set_cookie, location = read_headers_text(text)
        return Response(
            status=data.get("status", status or 200),
            set_cookie=(*set_cookie, *data["set_cookie"]),
            location=data.get("location", location),
        )


class ReplayStepSchema(Schema):
    """One request of the flow and its response."""

    url = _url("The request's URL.", required=True)
    method = Method(
        load_default="GET",
        metadata={"description": "Default GET; get, post... are upper-cased as browsers do."},
    )
    kind = fields.String(
        load_default="navigation",
        validate=Choice(KINDS),
        metadata={
            "description": '"navigation" (top-level), "iframe" or "subresource" (fetch, XHR, '
            "img...)."
        },
    )
    top_level_url = _url(
        "The page it belongs to; a navigation's is its own URL and may be left out.",
        allow_none=True,
    )
    initiator = fields.String(
        allow_none=True,
        validate=[DeclaredLength(max=MAX_URL_BYTES), EngineCheck(check_initiator)],
        metadata={
            "description": 'The origin that started it ("https://app.example", or "null"); '
            "absent or null: typed into the address bar (a navigation), the page itself "
            "(otherwise). For an iframe or a subresource, an origin of another site than the "
            "top-level page's is a frame of that site in between: a cross-site ancestor."
        },
    )
    credentials = fields.String(
        load_default="include",
        validate=Choice(CREDENTIALS),
        metadata={"description": 'A subresource fetch\'s credentials mode; default "include".'},
    )
    at = OffsetDateTime(
        format="iso",
        metadata={
            "description": "When it is made, with an offset; default: the step before's time "
            "(the first: the server's clock)."
        },
    )
    response = fields.Nested(ReplayResponseSchema, load_default=lambda: Response())
    document_cookie = _headers(
        "`document.cookie` writes by the page's script after the response, in order."
    )

    @post_load
    def to_step(self, data: dict[str, Any], **kwargs: Any) -> Step:
        for key in ("initiator", "at"):
            data.setdefault(key, None)
        return Step(
            url=data["url"],
            method=data["method"],
            kind=data["kind"],
            top_level_url=data.get("top_level_url"),
            initiator=data["initiator"],
            credentials=data["credentials"],
            at=data["at"],
            response=data["response"],
            document_cookie=tuple(data["document_cookie"]),
        )


class ReplayRequestSchema(Schema):
    """The body of POST /replay: `steps`, or `har`. Unknown keys are refused."""

    browser = fields.String(
        load_default="chromium",
        validate=Choice(PROFILES),
        metadata={
            "description": '"chromium" (third-party cookies allowed, the default), '
            '"chromium-third-party-blocked" (Incognito, Playwright\'s new_context(), users '
            'who block them), "firefox" (its default Total Cookie Protection partitions '
            'third-party cookies) or "webkitgtk" (WebKit on Linux with libsoup, not Safari: '
            "it never stores a cookie set by a cross-site request)."
        },
    )
    steps = fields.List(
        fields.Nested(ReplayStepSchema),
        validate=DeclaredLength(min=1, max=MAX_STEPS),
        metadata={"description": f"The requests, in order: 1 to {MAX_STEPS}."},
    )
    har = fields.Dict(
        metadata={
            "description": "Instead of `steps`: a HAR 1.2 file's JSON as exported (DevTools "
            '"Export HAR (with sensitive data)", Playwright\'s record_har_path), 1 to '
            f"{MAX_STEPS} entries; each entry is a step, in the file's order."
        },
    )


class ReplayCookieSchema(LintCookieSchema):
    """A cookie as the browser keeps it, with its CHIPS partition."""

    partition_key = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": 'The top-level site of a Partitioned cookie ("https://site.example"); '
            "null when unpartitioned."
        },
    )
    partition_cross_site_ancestor = fields.Boolean(
        attribute="cross_site_ancestor",
        required=True,
        metadata={
            "description": "The other half of the partition (DevTools' hasCrossSiteAncestor): "
            "true when a Partitioned cookie was set from a frame or request with a cross-site "
            "ancestor, which is another partition than the same top-level site first-party."
        },
    )


class ReplayResultSchema(LintResultSchema):
    cookie = fields.Nested(ReplayCookieSchema, required=True, allow_none=True)


class ReplayNotSentSchema(Schema):
    """A cookie for the request's host that it does not carry, and every reason."""

    class Meta:
        unknown = EXCLUDE

    name = fields.String(required=True)
    domain = fields.String(required=True)
    path = fields.String(required=True)
    partition_key = fields.String(required=True, allow_none=True)
    problems = fields.List(fields.Nested(LintFindingSchema), required=True)


class FlowFindingSchema(LintFindingSchema):
    """Something the flow as a whole shows, at the step (from 0) where it shows."""

    step = fields.Integer(required=True, metadata={"description": "The answer step, from 0."})
    name = fields.String(allow_none=True, metadata={"description": "The cookie's name, if one."})


class ReplayStepReportSchema(Schema):
    """What one request carried, what its response set, and the jar after it."""

    class Meta:
        unknown = EXCLUDE

    url = fields.String(required=True)
    method = fields.String(required=True)
    kind = fields.String(required=True)
    top_level_url = fields.String(required=True)
    initiator = fields.String(required=True, allow_none=True)
    at = fields.AwareDateTime(required=True)
    context = fields.String(
        required=True,
        metadata={"description": 'The SameSite context in words: "cross-site POST navigation".'},
    )
    samesite_context = fields.String(
        required=True,
        metadata={
            "description": "Chromium's name for it: SAME_SITE_STRICT, SAME_SITE_LAX, "
            "SAME_SITE_LAX_METHOD_UNSAFE or CROSS_SITE."
        },
    )
    partition_key = fields.String(
        required=True, metadata={"description": "The CHIPS partition: the top-level site."}
    )
    cookie_header = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The exact Cookie header sent; null when none is."},
    )
    not_sent = fields.List(fields.Nested(ReplayNotSentSchema), required=True)
    results = fields.List(
        fields.Nested(ReplayResultSchema),
        required=True,
        metadata={"description": "One per Set-Cookie of the response, as POST /lint has them."},
    )
    document_cookie_results = fields.List(fields.Nested(ReplayResultSchema), required=True)
    jar = fields.List(
        fields.Nested(ReplayCookieSchema),
        required=True,
        metadata={"description": "The jar after the step, in the order cookies are sent."},
    )
    inserted = fields.Boolean(
        required=True,
        metadata={"description": "true for a redirect hop the flow left out, replayed empty."},
    )
    recorded = fields.Boolean(
        required=True, metadata={"description": "true for a step read from a HAR entry."}
    )
    recorded_cookie_header = fields.String(
        allow_none=True,
        metadata={"description": "HAR only: the Cookie header the browser sent (null if none)."},
    )
    matches = fields.Boolean(
        metadata={"description": "HAR only: cookie_header equals recorded_cookie_header."}
    )

    @post_dump
    def drop_unrecorded(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if not data["recorded"]:
            del data["recorded_cookie_header"], data["matches"]
        return data


class ReplayReportSchema(Schema):
    """What a browser sent and stored at each step, and what the flow shows."""

    class Meta:
        unknown = EXCLUDE

    browser = fields.String(required=True)
    steps = fields.List(
        fields.Nested(ReplayStepReportSchema),
        required=True,
        metadata={"description": "One per request, in request order."},
    )
    findings = fields.List(
        fields.Nested(FlowFindingSchema),
        required=True,
        metadata={
            "description": "Across the flow: names sent twice, cookies set and never sent, "
            "default paths, a Cookie header over 8 KiB, a sanitised HAR..."
        },
    )
