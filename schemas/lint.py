"""Request and response shapes of POST /lint: Set-Cookie headers in, what a browser does out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_dump, validate

from cookierules.browsers import BROWSERS
from cookierules.cookie import SAMESITE_VALUES
from cookierules.encoding import check_encodable
from cookierules.findings import finding
from cookierules.lint import MAX_URL_BYTES, check_url
from cookierules.parse import PRIORITIES
from schemas.cookies import DeclaredLength, EngineCheck, OffsetDateTime, StrictBoolean
from schemas.findings import FindingSchema

MAX_HEADERS = 50
# What Chromium reads of one response's headers: 256 KiB (kMaxHeaderBufSize,
# net/http/http_stream_parser.h; a longer head is ERR_RESPONSE_HEADERS_TOO_BIG). One Set-Cookie
# may take all of it: RFC 6265bis bounds only the name and value (4096 bytes) and each attribute
# value (1024 bytes), and attributes may repeat (wpt cookies/size/attributes.www.sub.html sends
# one of 8,255 bytes), so any header up to that size may change what Chromium stores.
MAX_HEADER_BYTES = 256 * 1024
# Room in a POST /lint body for set_cookie: 2,400 KiB, enough for one header of 256 KiB or 50 of
# 8 KiB even when JSON writes every byte as a six-byte \uXXXX escape (a control character must
# be). The body limit, not the header limit, bounds what a request holds in all. The rest of the
# body, the URLs and the JSON around the strings, gets the limit any other body gets
# (api.lint.body_limit).
MAX_SET_COOKIE_JSON_BYTES = MAX_HEADERS * 8 * 1024 * len(r"\u0000")


def _check_header(header: str) -> list:
    """A header as received: well-formed Unicode, at most 256 KiB in UTF-8."""
    unencodable = check_encodable(header)
    if unencodable:
        return unencodable
    size = len(header.encode("utf-8"))
    if size > MAX_HEADER_BYTES:
        return [
            finding(
                "header_too_long",
                "set_cookie",
                f"A header of {size} bytes is over the {MAX_HEADER_BYTES}-byte limit; "
                "Chromium reads at most that much of one response's headers.",
            )
        ]
    return []


# No header that a server sends holds more attributes (browsers know ten); a header of thousands
# costs the parser thousands of findings, so the API reads at most this many.
MAX_ATTRIBUTES = 100


def _check_attribute_count(header: str) -> list:
    """A header of at most ``MAX_ATTRIBUTES`` attributes: each ";" starts one (§5.6)."""
    count = header.count(";")
    if count <= MAX_ATTRIBUTES:
        return []
    return [
        finding(
            "too_many_attributes",
            "set_cookie",
            f"A header of {count:,} attributes is over the API's limit of {MAX_ATTRIBUTES}.",
        )
    ]


def _check_count(headers: list[str]) -> list:
    if not 1 <= len(headers) <= MAX_HEADERS:
        return [
            finding(
                "header_count",
                "set_cookie",
                f"Give 1 to {MAX_HEADERS} Set-Cookie header values, not {len(headers)}.",
            )
        ]
    return _check_total(headers)


def _check_total(headers: list[str]) -> list:
    """All headers together at most ``MAX_HEADER_BYTES``: Chromium reads no more of one
    response's headers, and a report echoes every header (50 of 48 KiB would be answered with
    2.4 MB)."""
    strings = [header for header in headers if isinstance(header, str)]
    if len(strings) < 2:
        return []  # one header is held to the limit as an item (header_too_long)
    # A character takes at most 4 bytes: the count of bytes is needed only near the limit.
    if sum(map(len, strings)) * 4 <= MAX_HEADER_BYTES:
        return []
    size = sum(len(header.encode("utf-8", "surrogatepass")) for header in strings)
    if size <= MAX_HEADER_BYTES:
        return []
    return [
        finding(
            "headers_too_long",
            "set_cookie",
            f"The headers take {size:,} bytes together, over the {MAX_HEADER_BYTES:,}-byte "
            "limit; Chromium reads at most that much of one response's headers.",
        )
    ]


class CountedList(fields.List):
    """A JSON array whose length ``count_check`` judges before any item is loaded: an array of
    a million items costs one ``len``, not a million item errors."""

    def __init__(
        self, inner: fields.Field, *, count_check: Callable[[list], list], **kwargs: Any
    ) -> None:
        super().__init__(inner, **kwargs)
        self.count_check = count_check

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, list):
            findings = self.count_check(value)
            if findings:
                raise ValidationError(findings)
        return super()._deserialize(value, attr, data, **kwargs)


# The years `now` may name: from the Unix epoch, which no cookie predates, to well before the end
# of what a date-time holds (year 9999), so that 400 days and any offset later still fit.
NOW_YEARS = (1970, 9000)


class NowDateTime(OffsetDateTime):
    """``now``: a date-time with its offset, in the years ``NOW_YEARS``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        moment = super()._deserialize(value, attr, data, **kwargs)
        first, last = NOW_YEARS
        if not first <= moment.year <= last:
            message = f"Must lie in the years {first} to {last}, not {moment.year}."
            raise ValidationError([finding("now_out_of_range", "", message)])
        return moment


def url_field(description: str, **kwargs: Any) -> fields.String:
    return fields.String(
        validate=[DeclaredLength(max=MAX_URL_BYTES), EngineCheck(check_url)],
        metadata={
            "description": f"{description} At most 8 KiB, with a host of at most 253 "
            "characters and a path of at most 1 KiB.",
            "format": "uri",
        },
        **kwargs,
    )


class LintRequestSchema(Schema):
    """The body of POST /lint. Unknown keys are refused."""

    url = url_field(
        "Absolute http: or https: URL of the response that carried the headers.",
        required=True,
    )
    set_cookie = CountedList(
        fields.String(
            validate=[
                DeclaredLength(max=MAX_HEADER_BYTES),
                EngineCheck(_check_header),
                EngineCheck(_check_attribute_count),
            ]
        ),
        count_check=_check_count,
        required=True,
        validate=DeclaredLength(min=1, max=MAX_HEADERS),
        metadata={
            "description": "The Set-Cookie header values, as received, in order (without "
            "`Set-Cookie:`), each of at most 100 attributes, all together at most 256 KiB in "
            "UTF-8: what Chromium reads of a response's headers. The body may be 2,400 KiB over "
            "the server's body limit (64 KiB unless COOKIE_API_MAX_CONTENT_LENGTH says "
            "otherwise): room for them even with every character written as a \\uXXXX escape."
        },
    )
    then_url = url_field(
        "The URL of a later request: the answer adds the Cookie header a browser sends there."
    )
    now = NowDateTime(
        format="iso",
        metadata={
            "description": "The moment every expiry is judged at, with an offset, in the "
            "years 1970 to 9000 (default: the server's clock)."
        },
    )
    site_for_cookies = url_field(
        "The top-level page's URL, when it is not the same site as `url`: it decides SameSite "
        "and third-party behaviour, for storing and for sending."
    )
    from_script = StrictBoolean(
        load_default=False,
        metadata={
            "description": "true when the cookies are set through document.cookie rather than "
            "a Set-Cookie header."
        },
    )
    browser = fields.String(
        validate=validate.OneOf((*BROWSERS, "all")),
        metadata={
            "description": "The engine whose rules apply: `chromium` (the default), `firefox` "
            "(Firefox ESR, its default Total Cookie Protection), `webkitgtk` (WebKitGTK with "
            "libsoup, the engine of GNOME Web and WebKit on Linux; not Safari, whose cookie "
            "storage is Apple's CFNetwork), or `all`: Chromium's answer, each engine's in "
            "`browsers`, and `differences` in words. The answer then names `browser`."
        },
    )


class LintFindingSchema(FindingSchema):
    """A finding, with how browser engines differ where that is known and cited."""

    browsers = fields.String(
        metadata={
            "description": "Where browser engines differ from the specification or each "
            "other, with the source (a Chromium or Firefox file, or a wpt test) that shows "
            "it. Present only then."
        },
    )

    fix = fields.String(
        metadata={
            "description": 'What to change in the header, such as `add "; Secure"`. Present '
            "only where one change fixes it."
        },
    )

    @post_dump
    def drop_uncited(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        for key in ("browsers", "fix"):
            if data.get(key) is None:
                data.pop(key, None)
        return data


class LintCookieSchema(Schema):
    """A cookie as the browser keeps it."""

    class Meta:
        unknown = EXCLUDE

    name = fields.String(required=True, metadata={"description": "Empty for a nameless cookie."})
    value = fields.String(required=True, metadata={"description": "As stored, quotes included."})
    domain = fields.String(
        required=True,
        metadata={"description": "The host for a host-only cookie, else the Domain attribute."},
    )
    host_only = fields.Boolean(
        required=True,
        metadata={"description": "true: sent to exactly that host; false: subdomains too."},
    )
    path = fields.String(required=True)
    expiry = fields.AwareDateTime(
        required=True,
        allow_none=True,
        attribute="expiry",
        metadata={"description": "When it expires (400 days at most); null: a session cookie."},
    )
    secure = fields.Boolean(required=True)
    httponly = fields.Boolean(required=True)
    samesite = fields.String(
        required=True,
        allow_none=True,
        validate=validate.OneOf(SAMESITE_VALUES),
        metadata={"description": "As given; null when not given (Chromium treats it as Lax)."},
    )
    partitioned = fields.Boolean(required=True)
    priority = fields.String(
        required=True,
        validate=validate.OneOf(PRIORITIES),
        metadata={"description": "Chromium's Priority attribute: Medium unless given."},
    )
    partition_key = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "For a partitioned cookie, the top-level site it is kept for, "
            "as DevTools shows it (https://example.com); null otherwise."
        },
    )


class LintResultSchema(Schema):
    """What a browser did with one Set-Cookie header."""

    class Meta:
        unknown = EXCLUDE

    set_cookie = fields.String(required=True, metadata={"description": "The header, echoed."})
    outcome = fields.String(
        required=True,
        validate=validate.OneOf(("stored", "rejected")),
        metadata={
            "description": '"stored", or "rejected" when browsers keep nothing (an expired '
            "cookie deletes the one it replaces)."
        },
    )
    cookie = fields.Nested(LintCookieSchema, required=True, allow_none=True)
    problems = fields.List(
        fields.Nested(LintFindingSchema),
        required=True,
        metadata={"description": "Why, with codes: every rule this header breaks."},
    )


class NotSentSchema(Schema):
    """A cookie of the jar that the request to then_url does not carry."""

    class Meta:
        unknown = EXCLUDE

    cookie = fields.Nested(LintCookieSchema, required=True)
    problem = fields.Nested(LintFindingSchema, required=True)


class EngineReportSchema(Schema):
    """What a browser does with the headers, and what it sends back next."""

    class Meta:
        unknown = EXCLUDE

    results = fields.List(
        fields.Nested(LintResultSchema),
        required=True,
        metadata={"description": "One entry per header, in order."},
    )
    cookies = fields.List(
        fields.Nested(LintCookieSchema),
        required=True,
        metadata={
            "description": "The jar after every header, in the order browsers send cookies "
            "(RFC 6265bis §5.8.3: longer paths first, then earlier created)."
        },
    )
    cookie_header = fields.String(
        metadata={
            "description": 'Only with then_url: the Cookie header sent there, or "" for none.'
        },
    )
    not_sent = fields.List(
        fields.Nested(NotSentSchema),
        metadata={"description": "Only with then_url: the cookies not sent there, and why."},
    )

    @post_dump
    def drop_unasked(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if data.get("cookie_header") is None:
            data.pop("cookie_header", None)
            data.pop("not_sent", None)
        return data


class BrowserReportSchema(EngineReportSchema):
    """What one engine does with the headers, and what it sends back next."""

    browser = fields.String(required=True, validate=validate.OneOf(tuple(BROWSERS)))


class DifferenceSchema(Schema):
    """Where the engines part, in words."""

    class Meta:
        unknown = EXCLUDE

    set_cookie = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The header they treat differently; null: the Cookie header."},
    )
    summary = fields.String(
        required=True,
        metadata={
            "description": 'What each does, such as "Firefox stores it partitioned; Chromium '
            'and WebKitGTK drop it."'
        },
    )


class LintReportSchema(EngineReportSchema):
    """What a browser does with the headers, and what it sends back next; with ``browser``,
    which engine, and for ``all`` each engine's answer and the differences."""

    browser = fields.String(
        validate=validate.OneOf((*BROWSERS, "all")),
        metadata={"description": "Only when asked for: the engine of the answer, or `all`."},
    )
    browsers = fields.List(
        fields.Nested(BrowserReportSchema),
        metadata={"description": "Only for `all`: each engine's answer, Chromium first."},
    )
    differences = fields.List(
        fields.Nested(DifferenceSchema),
        metadata={"description": "Only for `all`: where the engines part, in words."},
    )

    @post_dump
    def drop_unasked_browser(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        for key in ("browser", "browsers", "differences"):
            if data.get(key) is None:
                data.pop(key, None)
        return data
