"""The loaders and dumpers planned from a schema give exactly what marshmallow's own give.

The API loads and dumps its shapes through ``schemas.compiled``; marshmallow's ``load`` and
``dump`` are the reference, compared on the API's schemas with generated and hand-picked input,
and on small schemas using what the plans hand back to marshmallow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import (
    EXCLUDE,
    INCLUDE,
    Schema,
    ValidationError,
    fields,
    post_dump,
    post_load,
    pre_dump,
    validate,
    validates,
    validates_schema,
)
from marshmallow.utils import missing

from api.cookie_requests import RequestFacts, build_cookie
from api.settings import CookieSettings
from cookierules.lint import lint_set_cookies
from schemas.compiled import compile_dumper, compile_loader
from schemas.cookies import (
    CookieNameSchema,
    CookieRequestSchema,
    CookieSchema,
    DeclaredLength,
    DeleteCookieQuerySchema,
    ReceivedCookieSchema,
)
from schemas.findings import FindingSchema
from schemas.lint import LintReportSchema


def outcome(load: Any, data: Any) -> tuple[str, Any, Any]:
    """What a load gives: the result, or the error messages and the valid part."""
    try:
        return ("loaded", load(data), None)
    except ValidationError as error:
        return ("refused", error.messages, error.valid_data)


def assert_loads_alike(schema: Schema, data: Any) -> None:
    assert outcome(compile_loader(schema), data) == outcome(schema.load, data)


FUTURE = (datetime.now(UTC) + timedelta(days=1)).isoformat()
REQUEST_BODIES = [
    {"name": "theme", "value": "dark"},
    {"name": "theme", "value": "dark", "max_age": 3600},
    {
        "name": "__Host-sid",
        "value": "a b; c",
        "max_age": 60,
        "expires": FUTURE,
        "path": "/",
        "secure": True,
        "httponly": False,
        "samesite": "None",
        "partitioned": True,
        "signed": True,
    },
    {"name": "sid", "value": "x", "domain": "Example.COM", "path": "/app"},
    {},
    {"name": "", "value": None},
    {"name": "a b", "value": "\ud800", "max_age": -1, "expires": "tomorrow"},
    {"name": "sid", "value": "x", "max_age": True, "secure": "yes", "samesite": "lax"},
    {"name": "sid", "value": "x", "domain": "a..b", "path": "no-slash"},
    {"name": "sid", "value": "x", "expires": "2030-01-01T00:00:00"},
    {"name": "sid", "value": "x", "colour": "red", "size": 3, "Name": "y"},
    {"name": ["sid"], "value": {"v": 1}, "httponly": None, "partitioned": 0},
    ["name", "value"],
    "name=sid",
]


@pytest.mark.parametrize("body", REQUEST_BODIES)
def test_cookie_request_loads_alike(body):
    assert_loads_alike(CookieRequestSchema(), body)


@pytest.mark.parametrize(
    ("schema", "data"),
    [
        (CookieNameSchema(), {"name": "theme"}),
        (CookieNameSchema(), {"name": "a;b"}),
        (DeleteCookieQuerySchema(), {}),
        (DeleteCookieQuerySchema(), {"path": "/a", "domain": "example.com", "partitioned": "true"}),
        (DeleteCookieQuerySchema(), {"path": "a", "partitioned": "yes", "other": "1"}),
    ],
)
def test_other_request_schemas_load_alike(schema, data):
    assert_loads_alike(schema, data)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=2) | st.dictionaries(st.text(max_size=3), children, max_size=2)
    ),
    max_leaves=4,
)
FIELD_VALUES = st.one_of(
    JSON_VALUES,
    st.sampled_from(["theme", "/", "/a", "example.com", "Lax", "None", FUTURE, "", "__Host-x"]),
)
KEYS = st.sampled_from([*CookieRequestSchema().load_fields, "extra", "NAME"])


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, FIELD_VALUES, max_size=8))
def test_any_body_loads_alike(body):
    assert_loads_alike(CookieRequestSchema(), body)


class Renamed(Schema):
    """Keys other than the attribute names, a default, and each way of treating unknown keys."""

    given_name = fields.String(data_key="givenName", required=True)
    age = fields.Integer(attribute="years", load_default=0)
    tags = fields.List(fields.String(), load_default=list)


@pytest.mark.parametrize("unknown", [EXCLUDE, INCLUDE, "raise"])
@pytest.mark.parametrize(
    "data",
    [
        {"givenName": "Ada", "age": 36},
        {"given_name": "Ada", "age": "x", "tags": ["a", 1], "other": None},
        {"tags": "a"},
    ],
)
def test_keys_defaults_and_unknown_keys_load_alike(unknown, data):
    assert_loads_alike(Renamed(unknown=unknown), data)


class WithLoadHooks(Schema):
    """Hooks and validators that only marshmallow's own load runs."""

    name = fields.String(required=True)

    @validates("name")
    def no_admin(self, value: str, **kwargs: Any) -> None:
        if value == "admin":
            raise ValidationError("reserved")

    @validates_schema
    def not_empty(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data.get("name"):
            raise ValidationError("empty", "name")

    @post_load
    def upper(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {"name": data["name"].upper()}


@pytest.mark.parametrize(
    "schema",
    [WithLoadHooks(), Renamed(partial=True), Renamed(many=True), Renamed(unknown=EXCLUDE)],
)
@pytest.mark.parametrize("data", [{"name": "ada"}, {"name": "admin"}, [{"givenName": "Ada"}]])
def test_schemas_with_what_the_plan_leaves_to_marshmallow_load_alike(schema, data):
    assert_loads_alike(schema, data)


class Shouting(fields.String):
    """A field that deserializes its own way, a missing value included."""

    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any):
        if value is missing:
            return "SILENCE"
        return super().deserialize(value, attr, data, **kwargs).upper()


def no_sevens(value: int) -> None:
    if value == 7:
        raise ValidationError({"digits": ["no sevens"]}, "count")


class WithFieldProcessors(Schema):
    """Fields that the plan leaves to their own deserialize, and one whose validators it runs."""

    trimmed = fields.String(pre_load=[str.strip], post_load=[str.title])
    loud = Shouting()
    count = fields.Integer(allow_none=True, validate=[validate.Range(min=0), no_sevens])


class AtMostThree(DeclaredLength):
    """A declared limit's subclass that checks it after all."""

    def __call__(self, value: Any) -> Any:
        return validate.Length.__call__(self, value)


class WithDeclaredLimits(Schema):
    documented = fields.String(validate=DeclaredLength(max=3))
    checked = fields.String(validate=AtMostThree(max=3))


@pytest.mark.parametrize("data", [{"documented": "long", "checked": "abc"}, {"checked": "long"}])
def test_only_validators_that_check_nothing_are_left_out(data):
    assert_loads_alike(WithDeclaredLimits(), data)


@pytest.mark.parametrize(
    "data",
    [
        {"trimmed": "  ada lovelace ", "loud": "hi", "count": None},
        {"trimmed": None, "loud": None, "count": -7},
        {"loud": 1, "count": 7},
        {"count": "7"},
    ],
)
def test_fields_with_their_own_ways_load_alike(data):
    assert_loads_alike(WithFieldProcessors(), data)


LOCAL = RequestFacts(host="localhost", is_https=False, origin=None, now=datetime.now(UTC))
CROSS_SITE = RequestFacts(
    host="api.example.com", is_https=True, origin="https://other.example", now=datetime.now(UTC)
)
SETTINGS = CookieSettings(signer=None, hidden=None)
COOKIES_SET = [
    (LOCAL, {"name": "theme", "value": "dark"}),
    (
        LOCAL,
        {"name": "t", "value": "dark €", "max_age": 0, "expires": FUTURE, "domain": "localhost"},
    ),
    (CROSS_SITE, {"name": "theme", "value": "dark"}),
    (CROSS_SITE, {"name": "sid", "value": "x", "samesite": "Strict", "domain": "example.com"}),
    (CROSS_SITE, {"name": "__Secure-id", "value": "", "samesite": "None", "partitioned": True}),
]


@pytest.mark.parametrize(("facts", "body"), COOKIES_SET)
def test_cookie_set_dumps_alike(facts, body):
    cookie_set = build_cookie(body, facts, SETTINGS)
    schema = CookieSchema()

    assert compile_dumper(schema)(cookie_set) == schema.dump(cookie_set)


@dataclass
class Person:
    given_name: str
    years: int | None


class Described(Schema):
    """Dumped from objects and dicts: keys, a default, a method field and a nested list."""

    given_name = fields.String(data_key="givenName")
    age = fields.Integer(attribute="years", dump_default=0)
    note = fields.String(dump_default=lambda: "none")
    label = fields.Method("make_label")
    # A function field that returns ``missing`` leaves its key out.
    maybe = fields.Function(lambda obj: obj.get("maybe", missing) if isinstance(obj, dict) else 0)
    friends = fields.List(fields.Nested(ReceivedCookieSchema), dump_default=list)

    def make_label(self, obj: Any) -> str:
        return f"<{obj.get('given_name') if isinstance(obj, dict) else obj.given_name}>"


@pytest.mark.parametrize(
    "obj",
    [
        Person("Ada", 36),
        Person("Ada", None),
        {"given_name": "Ada", "years": "7", "friends": [{"name": "a", "value": None}]},
        {"given_name": "Ada", "maybe": "yes"},
        {"years": 3},
    ],
)
def test_objects_and_dicts_dump_alike(obj):
    assert compile_dumper(Described())(obj) == Described().dump(obj)


class WithPreDumps(Schema):
    """Two pre_dump methods, declared in the other order than marshmallow calls them."""

    name = fields.String()
    steps = fields.List(fields.String())

    @pre_dump(pass_collection=True)
    def collection_step(self, data: dict[str, Any], many: bool, **kwargs: Any) -> dict[str, Any]:
        return {**data, "steps": [*data.get("steps", []), f"collection many={many}"]}

    @pre_dump
    def item_step(self, data: dict[str, Any], many: bool, **kwargs: Any) -> dict[str, Any]:
        return {**data, "steps": [*data.get("steps", []), f"item many={many}"]}


def test_pre_dump_methods_run_in_marshmallows_order():
    assert compile_dumper(WithPreDumps())({"name": "a"}) == WithPreDumps().dump({"name": "a"})


class WithPostDump(Schema):
    name = fields.String()

    @post_dump
    def envelope(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {"item": data}


class WithPostDumpGivenTheOriginal(Schema):
    name = fields.String()

    @post_dump(pass_original=True)
    def add_original(self, data: dict[str, Any], original: Any, **kwargs: Any) -> dict[str, Any]:
        return {**data, "original": original}


def test_post_dump_methods_run_on_the_compiled_dump():
    assert compile_dumper(WithPostDump())({"name": "a"}) == {"item": {"name": "a"}}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"set_cookie": ["id=1; SameSite=None"]},
        {"set_cookie": ['a="q"; Path=/', "b=2; Max-Age=60; Priority=High", "=x"]},
        {
            "set_cookie": [
                "a=1; Path=/docs",
                "b=2; Secure",
                "c=3; SameSite=Strict",
                "a=; Max-Age=0",
            ],
            "then_url": "http://www.example.com/docs/x",
        },
        {"set_cookie": ["__Host-x=1; Domain=example.com"], "from_script": True},
    ],
)
def test_lint_reports_dump_alike(kwargs):
    kwargs = {"from_script": False, **kwargs}
    report = lint_set_cookies(
        "http://www.example.com/docs/page",
        kwargs.pop("set_cookie"),
        now=datetime(2030, 1, 1, tzinfo=UTC),
        then_url=kwargs.pop("then_url", None),
        site_for_cookies=None,
        **kwargs,
    )
    schema = LintReportSchema()

    assert compile_dumper(schema)(report) == schema.dump(report)


@pytest.mark.parametrize(
    ("schema", "obj"),
    [
        (WithPostDumpGivenTheOriginal(), {"name": "a"}),
        (Described(many=True), [Person("Ada", 36), {"given_name": "Bob"}]),
        (FindingSchema(many=True), build_cookie(COOKIES_SET[1][1], LOCAL, SETTINGS).findings),
    ],
)
def test_schemas_with_what_the_plan_leaves_to_marshmallow_dump_alike(schema, obj):
    assert compile_dumper(schema)(obj) == schema.dump(obj)
