"""From a request to set or delete a cookie to its Set-Cookie header, or to every broken rule.

No Flask here: the resources pass in what they know of the request. The rules are the engine's
(``cookierules``); this module only gathers their findings and applies the API's defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from datetime import datetime
from typing import Any

from api.arguments import load_partially
from api.errors import ValidationFailed
from api.settings import CookieSettings
from cookierules.cookie import Cookie, expired
from cookierules.encoding import encode_value
from cookierules.findings import LINT_CODES, REPLAY_CODES, RULES, Finding, finding
from cookierules.limits import check_room_for_one_more
from cookierules.outcome import FetchMetadata, Judgement, judge_outcome
from cookierules.prefixes import cookie_prefix, prefix_requirements
from cookierules.signing import sign_value
from cookierules.sites import is_secure_origin
from cookierules.storage import (
    APPLIED_CODES,
    SetContext,
    check_storage,
    context_warnings,
    stored_cookie,
)
from schemas.cookies import CookieNameSchema, CookieRequestSchema, DeleteCookieQuerySchema

_COOKIE_REQUEST = CookieRequestSchema()
_COOKIE_NAME = CookieNameSchema()
_DELETE_QUERY = DeleteCookieQuerySchema()

HIDDEN_NAME = (
    "this name is reserved by the server (COOKIE_API_HIDDEN_COOKIES): "
    "it cannot be set, read or deleted through this API."
)
NO_SECRET_KEY = (
    "signed: true needs a secret key, and this server has none: "
    "set COOKIE_API_SECRET_KEY to enable signed cookies."
)
# The browser rules POST /cookies refuses, and those it answers with a warning in the 201.
REFUSED_RULES = tuple(
    code
    for code, rule in RULES.items()
    if rule.spec
    and rule.severity != "warning"
    and code not in APPLIED_CODES
    and code not in LINT_CODES + REPLAY_CODES
)
WARNED_RULES = tuple(
    code
    for code, rule in RULES.items()
    if rule.severity == "warning" and code not in LINT_CODES + REPLAY_CODES
)
# What a field that failed to load stands in for, so the rules that need it stay silent.
_BREAKS_NO_RULE: dict[str, Any] = {"name": "", "path": "/", "secure": True, "httponly": True}
# The request fields that are the cookie's own (the request's value is encoded first).
_ATTRIBUTES = tuple(field.name for field in dataclass_fields(Cookie) if field.name != "value")


@dataclass(frozen=True, slots=True)
class RequestFacts:
    """What the rules need to know of the request that asks for a cookie."""

    host: str
    is_https: bool
    origin: str | None
    now: datetime
    # Sec-Fetch-* headers; without them, only Origin says where the request comes from.
    fetch: FetchMetadata | None = None
    carried_cookies: int = 0  # how many cookies the request carries

    @property
    def scheme(self) -> str:
        return "https" if self.is_https else "http"

    def fetch_metadata(self) -> FetchMetadata:
        return self.fetch or FetchMetadata(origin=self.origin)

    def cross_site(self) -> bool | None:
        """Whether the cookie is set in a cross-site context; None when the request does not say."""
        return self.fetch_metadata().cross_site(self.scheme, self.host)

    def set_context(self) -> SetContext:
        """The engine's view of where the Set-Cookie comes from."""
        return SetContext(
            host=self.host,
            secure_origin=is_secure_origin(self.scheme, self.host),
            cross_site=bool(self.cross_site()),
            from_script=False,
            now=self.now,
            initiator=self.origin,
        )


@dataclass(frozen=True, slots=True)
class CookieSet:
    """A cookie this API sets: as sent, with the value as given and what browsers make of it."""

    cookie: Cookie  # value: as on the wire, encoded and maybe signed
    value: str
    signed: bool
    findings: list[Finding]
    judgement: Judgement  # whether the browser that asked keeps it


def _hidden_name(name: str | None, settings: CookieSettings) -> list[Finding]:
    if name and settings.is_hidden(name):
        return [finding("name_hidden", "name", HIDDEN_NAME)]
    return []


def _wire_value(fields: dict[str, Any], settings: CookieSettings) -> tuple[str, list[Finding]]:
    """The value as sent: encoded, and signed when asked."""
    if not {"name", "value", "signed"} <= fields.keys():
        return "", []
    encoded = encode_value(fields["value"])
    if not fields["signed"]:
        return encoded, []
    if settings.signer is None:
        return "", [finding("signing_key_missing", "signed", NO_SECRET_KEY)]
    return sign_value(settings.signer, fields["name"], encoded), []


def as_browsers_store_it(cookie: Cookie, findings: list[Finding]) -> Cookie:
    """The cookie with the changes browsers make; ``ValidationFailed`` for what they refuse."""
    refused = [item for item in findings if item.code not in APPLIED_CODES]
    if refused:
        raise ValidationFailed(refused)
    return stored_cookie(cookie, findings)


def build_cookie(body: dict[str, Any], facts: RequestFacts, settings: CookieSettings) -> CookieSet:
    """The cookie a POST /cookies body asks for, checked against every rule.

    Raises ``ValidationFailed`` naming every field and every rule broken.
    """
    fields, findings = load_partially(_COOKIE_REQUEST, body)
    findings += _hidden_name(fields.get("name"), settings)
    findings += check_room_for_one_more(facts.carried_cookies)
    failed = {item.field for item in findings}
    if "secure" not in fields and "secure" not in failed:
        fields["secure"] = facts.is_https
    wire_value, signing = _wire_value(fields, settings)
    findings += signing
    attributes = {key: fields[key] for key in _ATTRIBUTES if key in fields}
    cookie = Cookie(**{**_BREAKS_NO_RULE, **attributes, "value": wire_value})
    context = facts.set_context()
    findings += check_storage(cookie, context)
    # What is left, browsers apply and store the cookie: the answer says what they store.
    cookie = as_browsers_store_it(cookie, findings)
    warnings = context_warnings(cookie, context)
    return CookieSet(
        cookie=cookie,
        value=fields["value"],
        signed=fields["signed"],
        findings=findings + warnings,
        judgement=judge_outcome(warnings, facts.fetch_metadata(), facts.cross_site()),
    )


def build_deletion(
    name: str, query: dict[str, Any], facts: RequestFacts, settings: CookieSettings
) -> Cookie:
    """The expired cookie whose Set-Cookie deletes a cookie, made so that browsers accept it.

    Raises ``ValidationFailed`` for a name, path or domain that no browser would match.
    """
    loaded_name, findings = load_partially(_COOKIE_NAME, {"name": name})
    args, query_findings = load_partially(_DELETE_QUERY, query)
    findings += query_findings
    name = loaded_name.get("name", "")
    findings += _hidden_name(name, settings)
    required = prefix_requirements(cookie_prefix(name))
    # A prefixed or partitioned cookie is only replaced by a Secure one.
    secure = facts.is_https or "secure" in required or bool(args.get("partitioned"))
    cookie = Cookie(
        name=name,
        value="",
        path=args.get("path", _BREAKS_NO_RULE["path"]),
        domain=args.get("domain"),
        secure=secure,
        httponly=True,
        # SameSite=None lets the deletion through from a cross-site fetch as well.
        samesite="None" if secure else None,
        partitioned=bool(args.get("partitioned")),
    )
    findings += check_storage(cookie, facts.set_context())
    # The cookie to delete was stored as browsers store it; the deletion must match that.
    return expired(as_browsers_store_it(cookie, findings))
