"""From a request body to one Set-Cookie header, or to the list of every rule it breaks.

No Flask here: the resources pass in what they know of the request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from itsdangerous import Signer

from api import rules, wire
from api.arguments import load_partially
from api.errors import ValidationFailed
from schemas.cookies import CookieNameSchema, CookieRequestSchema, DeleteCookieQuerySchema

_COOKIE_REQUEST = CookieRequestSchema()
_COOKIE_NAME = CookieNameSchema()
_DELETE_QUERY = DeleteCookieQuerySchema()

HIDDEN_NAME = (
    "this name is reserved by the server (COOKIE_API_HIDDEN_COOKIES): "
    "it cannot be set, read or deleted through this API"
)
NO_SECRET_KEY = (
    "signed: true needs a secret key, and this server has none: "
    "set COOKIE_API_SECRET_KEY to enable signed cookies"
)


@dataclass(frozen=True)
class CookieApiState:
    """What the resources need from configuration, computed once at start."""

    signer: Signer | None
    hidden: re.Pattern[str] | None

    def is_hidden(self, name: str) -> bool:
        """Whether the API must never read, set or delete a cookie of this name."""
        return self.hidden is not None and self.hidden.fullmatch(name) is not None


@dataclass(frozen=True, slots=True)
class RequestContext:
    """What the rules need to know of the request that asks for a cookie."""

    host: str
    is_https: bool
    origin: str | None
    now: datetime


def _add(errors: dict[str, list[str]], violations: list[rules.Violation]) -> None:
    for field, message in violations:
        errors.setdefault(field, []).append(message)


def prepare_cookie(
    body: dict[str, Any], context: RequestContext, state: CookieApiState
) -> dict[str, Any]:
    """The effective cookie with its Set-Cookie header and warnings, as the 201 body.

    Raises ``ValidationFailed`` naming every field and every rule broken.
    """
    cookie, errors = load_partially(_COOKIE_REQUEST, body)
    if "name" in cookie and state.is_hidden(cookie["name"]):
        _add(errors, [("name", HIDDEN_NAME)])
    if "secure" not in cookie and "secure" not in errors:
        cookie["secure"] = context.is_https

    wire_value = None
    if "name" in cookie and "value" in cookie and "signed" in cookie:
        encoded = wire.encode_value(cookie["value"])
        if not cookie["signed"]:
            wire_value = encoded
        elif state.signer is None:
            _add(errors, [("signed", NO_SECRET_KEY)])
        else:
            wire_value = wire.sign_value(state.signer, cookie["name"], encoded)

    _add(errors, check_cookie(cookie, context, wire_value))
    if errors:
        raise ValidationFailed(errors)

    header = wire.format_set_cookie(
        wire.SetCookie(
            name=cookie["name"],
            wire_value=wire_value,
            path=cookie["path"],
            domain=cookie.get("domain"),
            max_age=cookie.get("max_age"),
            expires=cookie.get("expires"),
            secure=cookie["secure"],
            httponly=cookie["httponly"],
            samesite=cookie["samesite"],
            partitioned=cookie["partitioned"],
        )
    )
    effective = {
        "name": cookie["name"],
        "value": cookie["value"],
        "max_age": cookie.get("max_age"),
        "expires": cookie["expires"].isoformat() if "expires" in cookie else None,
        "path": cookie["path"],
        "domain": cookie.get("domain"),
        "secure": cookie["secure"],
        "httponly": cookie["httponly"],
        "samesite": cookie["samesite"],
        "partitioned": cookie["partitioned"],
        "signed": cookie["signed"],
        "set_cookie": header,
    }
    effective["warnings"] = rules.context_warnings(
        {**effective, "expires": cookie.get("expires")},
        request_host=context.host,
        is_https=context.is_https,
        origin=context.origin,
    )
    return effective


def check_cookie(
    cookie: dict[str, Any], context: RequestContext, wire_value: str | None
) -> list[rules.Violation]:
    """The cross-field and request-dependent rules, run on every field that loaded."""
    violations = rules.check_secure_requirements(
        samesite=cookie.get("samesite"),
        partitioned=cookie.get("partitioned"),
        secure=cookie.get("secure"),
    )
    if "name" in cookie:
        violations += rules.check_prefix_rules(
            cookie["name"],
            secure=cookie.get("secure"),
            httponly=cookie.get("httponly"),
            path=cookie.get("path"),
            domain=cookie.get("domain"),
        )
        if wire_value is not None:
            violations += rules.check_size(cookie["name"], wire_value)
    if "domain" in cookie:
        violations += rules.check_domain(cookie["domain"], context.host)
    if "expires" in cookie:
        violations += rules.check_expires(cookie["expires"], context.now)
    return violations


def prepare_deletion(
    name: str, query: dict[str, Any], context: RequestContext, state: CookieApiState
) -> str:
    """The Set-Cookie header that deletes a cookie, made so that browsers accept it.

    Raises ``ValidationFailed`` for a name, path or domain that no browser would match.
    """
    loaded_name, errors = load_partially(_COOKIE_NAME, {"name": name})
    args, query_errors = load_partially(_DELETE_QUERY, query)
    errors.update(query_errors)
    name = loaded_name.get("name")
    if name and state.is_hidden(name):
        _add(errors, [("name", HIDDEN_NAME)])
    required = rules.prefix_requirements(rules.cookie_prefix(name)) if name else set()
    # A prefixed or partitioned cookie is only replaced by a Secure one.
    secure = context.is_https or "secure" in required or bool(args.get("partitioned"))
    if name:
        _add(
            errors,
            rules.check_prefix_rules(
                name, secure=secure, httponly=True, path=args.get("path"), domain=args.get("domain")
            ),
        )
    if "domain" in args:
        _add(errors, rules.check_domain(args["domain"], context.host))
    if errors:
        raise ValidationFailed(errors)
    return wire.format_deletion(
        name,
        path=args["path"],
        domain=args.get("domain"),
        secure=secure,
        # SameSite=None lets the deletion through from a cross-site fetch as well.
        samesite="None" if secure else None,
        partitioned=args["partitioned"],
    )
