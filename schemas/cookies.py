"""Request and response shapes: the one source of the API's fields and their types.

Fields hold types only. Every rule on a value is an engine check from ``cookierules``, run by
``EngineCheck``; the limits it enforces are also declared here, from the same engine constants,
so the OpenAPI document (generated from these schemas) states them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields as dataclass_fields
from typing import Any, ClassVar

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_dump, validate

from cookierules.cookie import SAMESITE_VALUES, Cookie, format_set_cookie
from cookierules.domains import InvalidDomain, normalize_domain
from cookierules.encoding import check_encodable
from cookierules.expiry import MAX_AGE_LIMIT, check_max_age
from cookierules.findings import Finding, finding
from cookierules.grammar import (
    MAX_ATTRIBUTE_BYTES,
    MAX_COOKIE_BYTES,
    PATH_PATTERN,
    TOKEN_PATTERN,
    check_attribute_length,
    check_name,
    check_path,
    check_value_length,
)
from cookierules.outcome import OUTCOMES
from schemas.findings import FindingSchema


class EngineCheck(validate.Validator):
    """Run an engine check on a loaded value; its findings become the field's errors."""

    def __init__(self, check: Callable[[Any], list[Finding]]) -> None:
        self.check = check

    def __call__(self, value: Any) -> Any:
        findings = self.check(value)
        if findings:
            raise ValidationError(findings)
        return value


def _declared(constraint: type[validate.Validator]) -> type[validate.Validator]:
    """``constraint`` as a declaration only: it is in the OpenAPI document (minLength, pattern,
    minimum...), and an EngineCheck beside it enforces it, with the engine's words.
    """

    def accept(self: validate.Validator, value: Any) -> Any:
        return value

    return type(
        f"Declared{constraint.__name__}",
        (constraint,),
        {"__call__": accept, "documents_only": True},
    )


DeclaredLength = _declared(validate.Length)
DeclaredPattern = _declared(validate.Regexp)
DeclaredRange = _declared(validate.Range)


class Choice(validate.OneOf):
    """One of a few values, declared as an enum; the finding's field is filled in on load."""

    def __call__(self, value: Any) -> Any:
        if value not in self.choices:
            message = f"Must be one of: {', '.join(map(str, self.choices))}."
            raise ValidationError([finding("invalid_choice", "", message)])
        return value


class StrictBoolean(fields.Boolean):
    """A JSON boolean, and nothing that merely looks like one ("yes", 1, "true")."""

    default_error_messages: ClassVar[dict[str, str]] = {
        "invalid": "Must be a JSON boolean: true or false."
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class StrictInteger(fields.Integer):
    """A JSON integer, and no string, float or boolean."""

    default_error_messages: ClassVar[dict[str, str]] = {"invalid": "Must be a JSON integer."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return value


class SameSite(fields.String):
    """Strict, Lax or None in any case, as browsers read the attribute; loaded as written here."""

    # RFC 6265bis §5.6.7: the attribute's value is matched case-insensitively.
    _CANONICAL: ClassVar[dict[str, str]] = {value.lower(): value for value in SAMESITE_VALUES}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        return self._CANONICAL.get(text.lower(), text)


class Domain(fields.String):
    """A host name for the Domain attribute, loaded as browsers store it: lower-case ASCII."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        too_long = check_attribute_length("domain", text)
        if too_long:
            raise ValidationError(too_long)
        try:
            return normalize_domain(text)
        except InvalidDomain as error:
            raise ValidationError([error.finding]) from None


class OffsetDateTime(fields.AwareDateTime):
    """An ISO 8601 date-time that names its offset, since the server's zone means nothing here."""

    default_error_messages: ClassVar[dict[str, str]] = {
        "invalid": "Must be an ISO 8601 date-time such as 2030-01-01T00:00:00Z.",
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        moment = fields.DateTime._deserialize(self, value, attr, data, **kwargs)
        if moment.tzinfo is None:
            message = "Must carry an explicit offset such as Z or +02:00."
            raise ValidationError([finding("offset_required", "", message)])
        return moment


def cookie_name_field(**kwargs: Any) -> fields.String:
    """The ``name`` of a cookie: an RFC 9110 token."""
    return fields.String(
        validate=[
            DeclaredLength(min=1, max=MAX_COOKIE_BYTES),
            DeclaredPattern(TOKEN_PATTERN),
            EngineCheck(check_name),
        ],
        metadata={"description": "Cookie name: an RFC 9110 token.", "example": "theme"},
        **kwargs,
    )


def cookie_path_field(**kwargs: Any) -> fields.String:
    """The Path attribute: printable ASCII starting with "/", without ";"."""
    return fields.String(
        load_default="/",
        validate=[
            DeclaredLength(max=MAX_ATTRIBUTE_BYTES),
            DeclaredPattern(PATH_PATTERN),
            EngineCheck(check_path),
        ],
        metadata={"description": "Path attribute: the cookie is sent for this path and below."},
        **kwargs,
    )


def cookie_domain_field(**kwargs: Any) -> Domain:
    """The Domain attribute: absent means a host-only cookie.

    No example value: Swagger UI fills a query parameter in with it, and a domain the request
    host does not match fails "Try it out".
    """
    return Domain(
        validate=DeclaredLength(max=MAX_ATTRIBUTE_BYTES),
        metadata={
            "description": "Domain attribute (IDN allowed). The request host must be this domain "
            "or a subdomain of it, and it cannot be a public suffix or a top-level name browsers "
            "do not know. Equal to a request host without registrable domain (localhost, an IP "
            "address, an intranet name), it is left out, as browsers ignore it. Omit it for a "
            "host-only cookie.",
        },
        **kwargs,
    )


class CookieRequestSchema(Schema):
    """The body of POST /cookies. Unknown keys are refused."""

    name = cookie_name_field(required=True)
    value = fields.String(
        required=True,
        validate=[
            DeclaredLength(max=MAX_COOKIE_BYTES),
            EngineCheck(check_value_length),
            EngineCheck(check_encodable),
        ],
        metadata={
            "description": "Any Unicode string, empty included. It is sent percent-encoded "
            "exactly like encodeURIComponent, so decodeURIComponent gives it back.",
            "example": "dark; contrast=high",
        },
    )
    max_age = StrictInteger(
        validate=[DeclaredRange(min=0, max=MAX_AGE_LIMIT), EngineCheck(check_max_age)],
        metadata={"description": "Max-Age in seconds, at most 400 days.", "example": 3600},
    )
    expires = OffsetDateTime(
        format="iso",
        metadata={
            "description": "Expires, as an ISO 8601 date-time with an offset, in the future "
            "and at most 400 days ahead."
        },
    )
    path = cookie_path_field()
    domain = cookie_domain_field()
    secure = StrictBoolean(
        metadata={"description": "Secure attribute. Default: true when the request is HTTPS."}
    )
    httponly = StrictBoolean(
        load_default=True,
        metadata={"description": "HttpOnly attribute: hides the cookie from document.cookie."},
    )
    samesite = SameSite(
        load_default="Lax",
        validate=Choice(SAMESITE_VALUES),
        metadata={
            "description": "SameSite attribute. None requires secure: true. Any case is "
            'accepted, as browsers accept it ("lax"), and the answer spells it as listed.'
        },
    )
    partitioned = StrictBoolean(
        load_default=False,
        metadata={"description": "Partitioned attribute (CHIPS). Requires secure: true."},
    )
    signed = StrictBoolean(
        load_default=False,
        metadata={
            "description": "Sign the value with the server's secret key (HMAC). GET then "
            'reports it "valid" only if it is unchanged: an edit through document.cookie, '
            "another subdomain or a hand-made cookie reads as invalid. Anyone who may call "
            "this API can get any value signed, so a valid signature says where the cookie "
            "was set, not that its value can be trusted."
        },
    )


# The engine's cookie attributes, read once rather than on every dump.
_COOKIE_ATTRIBUTES = tuple(item.name for item in dataclass_fields(Cookie))


class CookieSchema(Schema):
    """The cookie that was set, with every default applied.

    Dumped from ``api.cookie_requests.CookieSet``: the cookie as sent, with the value as given.
    """

    class Meta:
        unknown = EXCLUDE

    name = fields.String(required=True)
    value = fields.String(required=True)
    max_age = fields.Integer(required=True, allow_none=True)
    expires = fields.AwareDateTime(required=True, allow_none=True)
    path = fields.String(required=True)
    domain = fields.String(required=True, allow_none=True)
    secure = fields.Boolean(required=True)
    httponly = fields.Boolean(required=True)
    samesite = fields.String(required=True, validate=validate.OneOf(SAMESITE_VALUES))
    partitioned = fields.Boolean(required=True)
    signed = fields.Boolean(required=True)
    set_cookie = fields.String(
        required=True,
        metadata={"description": "The exact Set-Cookie header value that was sent."},
    )
    warnings = fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": "Why a browser may still not store or send this cookie here, "
            "for example Secure over plain HTTP or a SameSite=Lax cookie set cross-site: "
            "the messages of `findings`."
        },
    )
    findings = fields.List(
        fields.Nested(FindingSchema),
        required=True,
        metadata={
            "description": "The warnings with their codes, and any attribute browsers "
            "ignore here (severity attribute_ignored), which the cookie above already leaves out."
        },
    )
    outcome = fields.String(
        required=True,
        validate=validate.OneOf(OUTCOMES),
        metadata={
            "description": "Whether the browser that sent this request keeps the cookie, judged "
            "from the request's `Origin`, `Sec-Fetch-Site`, `Sec-Fetch-Mode`, `Sec-Fetch-Dest`, "
            "`Sec-Fetch-Storage-Access` and scheme: `stored`, `rejected` (the 201 still sent "
            "the header, and the browser drops it: see `decided_by`), or `unknown` when the "
            "request does not say enough, as from curl or a server, or from another site to a "
            "browser that may or may not block third-party cookies."
        },
    )
    decided_by = fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": "The codes of the `findings` that make the outcome `rejected` or "
            "`unknown`; empty when it is `stored`, or `unknown` for want of any context."
        },
    )

    @pre_dump
    def flatten(self, result: Any, **kwargs: Any) -> dict[str, Any]:
        """The cookie's attributes, then what the request added: the value as given, and more."""
        cookie = result.cookie
        return {
            **{name: getattr(cookie, name) for name in _COOKIE_ATTRIBUTES},
            "value": result.value,
            "signed": result.signed,
            "set_cookie": format_set_cookie(cookie),
            "warnings": [item.message for item in result.findings],
            "findings": result.findings,
            "outcome": result.judgement.outcome,
            "decided_by": result.judgement.decided_by,
        }


class DeletionSchema(Schema):
    """The cookie a DELETE expires, and the Set-Cookie header that does it.

    Dumped from the expired ``cookierules.cookie.Cookie``.
    """

    class Meta:
        unknown = EXCLUDE

    name = fields.String(required=True)
    path = fields.String(required=True)
    domain = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "null: the host-only cookie of the request host."},
    )
    partitioned = fields.Boolean(required=True)
    secure = fields.Boolean(
        required=True,
        metadata={
            "description": "Whether the deletion is Secure: over HTTPS, for a prefixed name or "
            "a partitioned cookie. Browsers ignore a Secure one over plain HTTP to a host other "
            "than localhost."
        },
    )
    set_cookie = fields.String(
        required=True,
        metadata={
            "description": "The exact Set-Cookie header value that was sent: the cookie, "
            "empty, with `Max-Age=0` and an `Expires` in 1970."
        },
    )

    @pre_dump
    def with_header(self, cookie: Cookie, **kwargs: Any) -> dict[str, Any]:
        """The expired cookie's attributes, and the header that carries it."""
        return {
            **{name: getattr(cookie, name) for name in _COOKIE_ATTRIBUTES},
            "set_cookie": format_set_cookie(cookie),
        }


class ReceivedCookieSchema(Schema):
    """One cookie of the Cookie request header."""

    class Meta:
        unknown = EXCLUDE

    name = fields.String(required=True)
    value = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The decoded value; null when the signature is invalid."},
    )
    signature = fields.String(
        required=True,
        validate=validate.OneOf(("none", "valid", "invalid")),
        metadata={
            "description": '"none" for an unsigned cookie; "valid" when it was set through '
            "this API's POST /cookies with signed: true and this server's key, and is "
            "unchanged since (the value is the verified payload; anyone who may call POST "
            "/cookies can get a value signed, so valid does not make the value trustworthy); "
            '"invalid" when it failed verification, for example after an edit through '
            "document.cookie, from another subdomain or by hand (value is null)."
        },
    )


class CookieListSchema(Schema):
    """Every cookie of the Cookie request header, in order, duplicates kept."""

    class Meta:
        unknown = EXCLUDE

    cookies = fields.List(fields.Nested(ReceivedCookieSchema), required=True)


class CookieNameSchema(Schema):
    """The name in /cookies/{name} for DELETE."""

    name = cookie_name_field(required=True)


class DeleteCookieQuerySchema(Schema):
    """Which cookie to delete: browsers match path and domain exactly."""

    path = cookie_path_field()
    domain = cookie_domain_field()
    partitioned = fields.Boolean(
        load_default=False,
        truthy={"true"},
        falsy={"false"},
        metadata={"description": "Delete the partitioned (CHIPS) cookie of that name."},
    )
