"""Request and response shapes: the one source of the API's fields and per-field rules.

The OpenAPI document is generated from these schemas, constraints included.
"""

from __future__ import annotations

from typing import Any, ClassVar

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from api.rules import (
    MAX_AGE_LIMIT,
    MAX_ATTRIBUTE_BYTES,
    MAX_COOKIE_BYTES,
    PATH_PATTERN,
    SAMESITE_VALUES,
    TOKEN_PATTERN,
    normalize_domain,
)


class FullMatch(validate.Regexp):
    """A pattern that must match the whole string: ``$`` alone would accept a trailing newline."""

    def __call__(self, value: str) -> str:
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
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


class Domain(fields.String):
    """A host name for the Domain attribute, stored as browsers would: lower-case ASCII."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text.encode("utf-8", "surrogatepass")) > MAX_ATTRIBUTE_BYTES:
            raise ValidationError(f"domain is longer than {MAX_ATTRIBUTE_BYTES} bytes.")
        try:
            return normalize_domain(text)
        except ValueError as error:
            raise ValidationError(f"{error}.") from None


def _no_lone_surrogates(value: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        bad = f"U+{ord(value[error.start]):04X}"
        raise ValidationError(
            f"Contains a lone surrogate ({bad}), which has no UTF-8 encoding; "
            "send well-formed Unicode."
        ) from None


def cookie_name_field(**kwargs: Any) -> fields.String:
    """The ``name`` of a cookie: an RFC 9110 token."""
    return fields.String(
        validate=[
            validate.Length(
                min=1, max=MAX_COOKIE_BYTES, error="Must not be empty, nor longer than {max}."
            ),
            FullMatch(
                TOKEN_PATTERN,
                error="Must be a token: letters, digits and !#$%&'*+-.^_`|~ only "
                "(no spaces, quotes, commas, semicolons or =).",
            ),
        ],
        metadata={"description": "Cookie name: an RFC 9110 token.", "example": "theme"},
        **kwargs,
    )


def cookie_path_field(**kwargs: Any) -> fields.String:
    """The Path attribute: printable ASCII starting with "/", without ";"."""
    return fields.String(
        load_default="/",
        validate=[
            validate.Length(max=MAX_ATTRIBUTE_BYTES),
            FullMatch(
                PATH_PATTERN,
                error='Must start with "/" and hold printable ASCII only, without ";" '
                "(percent-encode anything else).",
            ),
        ],
        metadata={"description": "Path attribute: the cookie is sent for this path and below."},
        **kwargs,
    )


def cookie_domain_field(**kwargs: Any) -> Domain:
    """The Domain attribute: absent means a host-only cookie."""
    return Domain(
        validate=validate.Length(max=MAX_ATTRIBUTE_BYTES),
        metadata={
            "description": "Domain attribute (IDN allowed). The request host must be this domain "
            "or a subdomain of it, and it cannot be a public suffix. Omit it for a host-only "
            "cookie.",
            "example": "example.com",
        },
        **kwargs,
    )


class CookieRequestSchema(Schema):
    """The body of POST /cookies. Unknown keys are refused."""

    name = cookie_name_field(required=True)
    value = fields.String(
        required=True,
        validate=[
            validate.Length(
                max=MAX_COOKIE_BYTES,
                error=f"Longer than {MAX_COOKIE_BYTES} characters; "
                f"browsers drop cookies over {MAX_COOKIE_BYTES} bytes.",
            ),
            _no_lone_surrogates,
        ],
        metadata={
            "description": "Any Unicode string, empty included. It is sent percent-encoded "
            "exactly like encodeURIComponent, so decodeURIComponent gives it back.",
            "example": "dark; contrast=high",
        },
    )
    max_age = StrictInteger(
        validate=validate.Range(min=0, max=MAX_AGE_LIMIT),
        metadata={"description": "Max-Age in seconds, at most 400 days.", "example": 3600},
    )
    expires = fields.AwareDateTime(
        format="iso",
        error_messages={
            "invalid": "Must be an ISO 8601 date-time such as 2030-01-01T00:00:00Z.",
            "invalid_awareness": "Must carry an explicit offset such as Z or +02:00.",
        },
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
    samesite = fields.String(
        load_default="Lax",
        validate=validate.OneOf(SAMESITE_VALUES),
        metadata={"description": "SameSite attribute. None requires secure: true."},
    )
    partitioned = StrictBoolean(
        load_default=False,
        metadata={"description": "Partitioned attribute (CHIPS). Requires secure: true."},
    )
    signed = StrictBoolean(
        load_default=False,
        metadata={"description": "Sign the value with the server's secret key (HMAC)."},
    )


class CookieSchema(Schema):
    """The cookie that was set, with every default applied."""

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
            "for example Secure over plain HTTP or a SameSite=Lax cookie set cross-site."
        },
    )


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
            "description": '"none" for an unsigned cookie, "valid" when the value is the '
            'verified payload, "invalid" when it failed verification (value is null).'
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
