"""The OpenAPI 3.0 document: equal to the app, valid, and teaching what the API does.

Where the document makes a promise (a constraint, an example, a response code, a header), the
test also asks the app, so a document that drifts from the behaviour fails here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from api import create_app
from api.cookie_requests import REFUSED_RULES, WARNED_RULES
from api.openapi import build_openapi, to_yaml
from cookierules.cookie import SAMESITE_VALUES
from cookierules.expiry import MAX_AGE_LIMIT
from cookierules.findings import CODES, rule_table
from cookierules.grammar import MAX_ATTRIBUTE_BYTES, MAX_COOKIE_BYTES, PATH_PATTERN, TOKEN_PATTERN

OPENAPI_YAML = Path(__file__).resolve().parent.parent / "openapi.yaml"
README = OPENAPI_YAML.parent / "README.md"
HTTPS = "https://localhost"
# Settings that change how the app behaves, and must not change how it is documented.
UNUSUAL_SETTINGS = {
    "COOKIE_API_SECRET_KEY": "another-secret",
    "COOKIE_API_MAX_CONTENT_LENGTH": "1000",
    "COOKIE_API_HIDDEN_COOKIES": '["session*"]',
    "COOKIE_API_CORS_ORIGINS": '["https://app.example"]',
    "COOKIE_API_TRUSTED_PROXIES": "1",
}
SWAGGER_2_KEYS = {
    "swagger",
    "definitions",
    "produces",
    "consumes",
    "basePath",
    "host",
    "schemes",
    "securityDefinitions",
}


@pytest.fixture(scope="module")
def committed() -> dict[str, Any]:
    """openapi.yaml as committed."""
    return yaml.safe_load(OPENAPI_YAML.read_text(encoding="utf-8"))


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every operation of the document as (path, method, operation)."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def operation_by_id(document: dict[str, Any], operation_id: str) -> dict[str, Any]:
    return next(op for _, _, op in operations(document) if op["operationId"] == operation_id)


def resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """``node``, or what its ``$ref`` points to within the document."""
    while "$ref" in node:
        reference = node["$ref"]
        assert reference.startswith("#/"), reference
        node = document
        for part in reference.removeprefix("#/").split("/"):
            node = node[part]
    return node


def schema_validator(document: dict[str, Any], schema: dict[str, Any]) -> OAS30Validator:
    """A validator for ``schema``, whose $refs point into the document's components."""
    return OAS30Validator({"allOf": [schema], "components": document["components"]})


def items_anywhere(node: Any) -> Iterator[tuple[str, Any]]:
    """Every (key, value) of every mapping in a nested structure."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from items_anywhere(value)
    elif isinstance(node, list):
        for item in node:
            yield from items_anywhere(item)


def in_order(node: Any) -> Any:
    """The structure with each mapping as a list of pairs, so comparisons see key order."""
    if isinstance(node, dict):
        return [(key, in_order(value)) for key, value in node.items()]
    if isinstance(node, list):
        return [in_order(item) for item in node]
    return node


# The file and the app agree


@pytest.mark.parametrize("settings", [{}, UNUSUAL_SETTINGS], ids=["defaults", "unusual-settings"])
def test_the_write_command_reproduces_the_committed_file(settings, monkeypatch, tmp_path):
    for key, value in settings.items():
        monkeypatch.setenv(key, value)
    written = tmp_path / "openapi.yaml"

    result = create_app().test_cli_runner().invoke(args=["openapi", "write", str(written)])

    assert result.exit_code == 0, result.output
    assert written.read_bytes() == OPENAPI_YAML.read_bytes(), (
        "openapi.yaml is out of date: run `flask --app api openapi write openapi.yaml`"
    )


def test_the_committed_file_is_the_document_of_a_fresh_app():
    app = create_app()
    assert to_yaml(build_openapi(app.extensions["openapi"])) == OPENAPI_YAML.read_text("utf-8")


def test_openapi_json_serves_the_committed_document_in_the_same_order(client, committed):
    response = client.get("/openapi.json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert in_order(response.get_json()) == in_order(committed)
    assert client.get("/openapi.json").data == response.data


def test_the_document_is_valid_openapi_3_0(client, committed):
    assert committed["openapi"] == "3.0.3"
    validate(committed)
    validate(client.get("/openapi.json").get_json())


def test_multi_line_text_is_written_as_literal_blocks():
    root = yaml.compose(OPENAPI_YAML.read_text("utf-8"))
    multi_line = []
    nodes = [root]
    while nodes:
        node = nodes.pop()
        if isinstance(node, yaml.MappingNode):
            nodes.extend(item for pair in node.value for item in pair)
        elif isinstance(node, yaml.SequenceNode):
            nodes.extend(node.value)
        elif "\n" in node.value:
            multi_line.append(node)

    assert multi_line, "the document has prose that spans lines"
    assert [node.value for node in multi_line if node.style != "|"] == []


def test_the_document_reads_top_down(committed):
    assert list(committed) == ["openapi", "info", "tags", "paths", "components"]
    assert list(committed["info"]) == ["title", "version", "description"]


# The document teaches


def test_the_cookies_tag_describes_the_rules(committed):
    tag, lint, replay = committed["tags"]
    assert (tag["name"], lint["name"], replay["name"]) == ("cookies", "lint", "replay")
    for rule in ("SameSite=None", "`partitioned: true`", "__Secure-", "__Host-", "__Http-"):
        assert rule in tag["description"]
    # The tables themselves are a page of their own, so the operations come first.
    assert "[the rule tables](rules)" in tag["description"]
    assert "| rule |" not in tag["description"]
    assert all(op["tags"] == [path.split("/")[1]] for path, _, op in operations(committed))


def test_every_operation_has_a_summary_a_description_and_its_operation_id(committed):
    found = {}
    for path, method, operation in operations(committed):
        assert operation["summary"].strip(), (path, method)
        assert len(operation["description"]) > len(operation["summary"]), (path, method)
        found[operation["operationId"]] = (method, path)

    assert found == {
        "list_cookies": ("get", "/cookies"),
        "set_cookie": ("post", "/cookies"),
        "get_cookie": ("get", "/cookies/{name}"),
        "delete_cookie": ("delete", "/cookies/{name}"),
        "lint_set_cookie": ("post", "/lint"),
        "replay_flow": ("post", "/replay"),
    }


def test_get_operations_explain_that_they_read_the_cookie_request_header(committed):
    for operation_id in ("list_cookies", "get_cookie"):
        assert "`Cookie` request header" in operation_by_id(committed, operation_id)["description"]


def test_the_request_body_is_closed_and_requires_name_and_value(committed):
    body = operation_by_id(committed, "set_cookie")["requestBody"]
    assert body["required"] is True
    assert list(body["content"]) == ["application/json"]
    schema = resolve(committed, body["content"]["application/json"]["schema"])

    assert schema["additionalProperties"] is False
    assert sorted(schema["required"]) == ["name", "value"]


# (field, documented constraint, value that breaks it): the document states the constraint
# and the app refuses a body that breaks it, naming the field.
CONSTRAINTS = [
    ("name", {"pattern": TOKEN_PATTERN}, "two words"),
    ("name", {"minLength": 1}, ""),
    ("name", {"maxLength": MAX_COOKIE_BYTES}, "n" * (MAX_COOKIE_BYTES + 1)),
    ("value", {"maxLength": MAX_COOKIE_BYTES}, "v" * (MAX_COOKIE_BYTES + 1)),
    ("max_age", {"minimum": 0}, -1),
    ("max_age", {"maximum": MAX_AGE_LIMIT}, MAX_AGE_LIMIT + 1),
    ("max_age", {"type": "integer"}, 1.5),
    ("expires", {"format": "date-time"}, "tomorrow"),
    ("path", {"pattern": PATH_PATTERN}, "no-leading-slash"),
    ("path", {"maxLength": MAX_ATTRIBUTE_BYTES}, "/" + "p" * MAX_ATTRIBUTE_BYTES),
    ("domain", {"maxLength": MAX_ATTRIBUTE_BYTES}, "d" * (MAX_ATTRIBUTE_BYTES + 1)),
    ("secure", {"type": "boolean"}, "yes"),
    ("samesite", {"enum": list(SAMESITE_VALUES)}, "Medium"),
]


def constraint_id(case: tuple[str, dict[str, Any], Any]) -> str:
    field, constraint, _ = case
    return f"{field}-{next(iter(constraint))}"


@pytest.mark.parametrize(
    ("field", "constraint", "bad_value"), CONSTRAINTS, ids=map(constraint_id, CONSTRAINTS)
)
def test_each_documented_constraint_is_one_the_app_enforces(
    committed, client, field, constraint, bad_value
):
    schema = committed["components"]["schemas"]["CookieRequest"]
    assert constraint.items() <= schema["properties"][field].items()

    response = client.post(
        "/cookies", json={"name": "theme", "value": "dark", field: bad_value}, base_url=HTTPS
    )

    assert response.status_code == 400
    assert list(response.get_json()["errors"]) == [field]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"value": "dark"}, "name"),
        ({"name": "theme", "value": "dark", "sameSite": "Lax"}, "sameSite"),
    ],
    ids=["required", "additionalProperties"],
)
def test_the_app_refuses_what_the_closed_request_schema_refuses(client, body, field):
    response = client.post("/cookies", json=body, base_url=HTTPS)

    assert response.status_code == 400
    assert list(response.get_json()["errors"]) == [field]


def test_response_schemas_carry_their_constraints(committed):
    schemas = committed["components"]["schemas"]
    assert schemas["Cookie"]["properties"]["samesite"]["enum"] == list(SAMESITE_VALUES)
    assert schemas["ReceivedCookie"]["properties"]["signature"]["enum"] == [
        "none",
        "valid",
        "invalid",
    ]
    assert schemas["ReceivedCookie"]["properties"]["value"]["nullable"] is True
    delete = operation_by_id(committed, "delete_cookie")
    name = next(p for p in delete["parameters"] if p["in"] == "path")
    assert name["schema"]["pattern"] == TOKEN_PATTERN


def post_examples(document: dict[str, Any]) -> dict[str, Any]:
    content = operation_by_id(document, "set_cookie")["requestBody"]["content"]
    return content["application/json"]["examples"]


def test_post_has_the_three_named_examples(committed):
    examples = post_examples(committed)

    # No signed example: it needs COOKIE_API_SECRET_KEY, and would fail in "Try it out" on
    # the server the README starts.
    assert list(examples) == ["plain", "cross_site", "host_prefix"]
    assert all(example["summary"] for example in examples.values())
    cross_site = examples["cross_site"]["value"]
    assert (cross_site["samesite"], cross_site["secure"], cross_site["partitioned"]) == (
        "None",
        True,
        True,
    )
    assert examples["host_prefix"]["value"]["name"].startswith("__Host-")


@pytest.mark.parametrize("name", ["plain", "cross_site", "host_prefix"])
def test_each_post_example_sets_its_cookie_over_https(committed, client, name):
    example = post_examples(committed)[name]["value"]

    response = client.post("/cookies", json=example, base_url=HTTPS)

    assert response.status_code == 201, response.get_json()
    cookie = response.get_json()
    assert {key: cookie[key] for key in example} == example
    assert cookie["warnings"] == []
    schema = operation_by_id(committed, "set_cookie")["responses"]["201"]["content"]
    schema_validator(committed, schema["application/json"]["schema"]).validate(cookie)


def media_types(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every request and response media type of the document, named for messages."""
    for path, method, operation in operations(document):
        for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
            yield f"{method} {path} request {media_type}", media
        for status, response in operation["responses"].items():
            for media_type, media in resolve(document, response).get("content", {}).items():
                yield f"{method} {path} {status} {media_type}", media


def test_every_body_has_examples_that_fit_its_schema(committed):
    for where, media in media_types(committed):
        examples = [media["example"]] if "example" in media else []
        examples += [named["value"] for named in media.get("examples", {}).values()]
        assert examples, f"{where} has no example"
        for example in examples:
            errors = list(schema_validator(committed, media["schema"]).iter_errors(example))
            assert errors == [], where


def test_the_201_example_is_what_the_plain_example_gets(committed, client):
    created = operation_by_id(committed, "set_cookie")["responses"]["201"]["content"]

    response = client.post(
        "/cookies", json=post_examples(committed)["plain"]["value"], base_url=HTTPS
    )

    assert response.get_json() == created["application/json"]["example"]


# (operationId, status, request): a request that gets each documented response.
RESPONSE_CASES = [
    ("list_cookies", 200, {"method": "GET", "path": "/cookies", "headers": {"Cookie": "a=1; b=2"}}),
    (
        "set_cookie",
        201,
        {"method": "POST", "path": "/cookies", "json": {"name": "a", "value": "1"}},
    ),
    (
        "set_cookie",
        400,
        {"method": "POST", "path": "/cookies", "json": {"name": "a b", "value": ""}},
    ),
    (
        "set_cookie",
        413,
        {"method": "POST", "path": "/cookies", "json": {"name": "a", "value": "v" * 70_000}},
    ),
    ("set_cookie", 415, {"method": "POST", "path": "/cookies", "data": "name=a&value=1"}),
    (
        "list_cookies",
        431,
        {"method": "GET", "path": "/cookies", "headers": {"Cookie": "c=1; " * 3_001}},
    ),
    ("get_cookie", 200, {"method": "GET", "path": "/cookies/a", "headers": {"Cookie": "a=1"}}),
    (
        "get_cookie",
        431,
        {"method": "GET", "path": "/cookies/a", "headers": {"Cookie": "a=1; " * 3_001}},
    ),
    ("get_cookie", 404, {"method": "GET", "path": "/cookies/a", "headers": {"Cookie": "b=1"}}),
    ("delete_cookie", 200, {"method": "DELETE", "path": "/cookies/a"}),
    ("delete_cookie", 400, {"method": "DELETE", "path": "/cookies/a", "query_string": "path=x"}),
    (
        "lint_set_cookie",
        200,
        {
            "method": "POST",
            "path": "/lint",
            "json": {"url": "https://a.test/", "set_cookie": ["a=1"]},
        },
    ),
    ("lint_set_cookie", 400, {"method": "POST", "path": "/lint", "json": {"url": "/a"}}),
    (
        "lint_set_cookie",
        413,
        {
            "method": "POST",
            "path": "/lint",
            "json": {"url": "https://a.test/", "x": "v" * 2_600_000},
        },
    ),
    ("lint_set_cookie", 415, {"method": "POST", "path": "/lint", "data": "url=a"}),
    (
        "replay_flow",
        200,
        {"method": "POST", "path": "/replay", "json": {"steps": [{"url": "https://a.test/"}]}},
    ),
    ("replay_flow", 400, {"method": "POST", "path": "/replay", "json": {"steps": []}}),
    (
        "replay_flow",
        413,
        {"method": "POST", "path": "/replay", "json": {"har": {}, "x": "v" * 4_300_000}},
    ),
    ("replay_flow", 415, {"method": "POST", "path": "/replay", "data": "steps=a"}),
]


def test_every_documented_response_has_a_case_below(committed):
    documented = {
        (operation["operationId"], int(status))
        for _, _, operation in operations(committed)
        for status in operation["responses"]
    }
    assert documented == {(operation_id, status) for operation_id, status, _ in RESPONSE_CASES}


@pytest.mark.parametrize(
    ("operation_id", "status", "request_args"),
    RESPONSE_CASES,
    ids=[f"{operation_id}-{status}" for operation_id, status, _ in RESPONSE_CASES],
)
def test_each_documented_response_is_what_the_app_answers(
    committed, client, operation_id, status, request_args
):
    documented = resolve(
        committed, operation_by_id(committed, operation_id)["responses"][str(status)]
    )

    response = client.open(base_url=HTTPS, **request_args)

    assert response.status_code == status
    assert documented["description"]
    assert list(documented["content"]) == [response.mimetype]
    media = documented["content"][response.mimetype]
    body = response.get_json()
    schema_validator(committed, media["schema"]).validate(body)
    if response.mimetype == "application/problem+json":
        example = media["example"]
        assert (body["type"], body["title"], body["status"]) == (
            example["type"],
            example["title"],
            example["status"],
        )
    for header, spec in documented.get("headers", {}).items():
        assert header in response.headers
        OAS30Validator(resolve(committed, spec)["schema"]).validate(response.headers[header])


def test_every_error_is_problem_json_sharing_the_problem_schema(committed):
    problem_ref = "#/components/schemas/Problem"
    for _, _, operation in operations(committed):
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            (media_type,) = resolve(committed, response)["content"]
            schema = resolve(committed, response)["content"][media_type]["schema"]
            named = resolve(committed, schema)
            assert media_type == "application/problem+json"
            assert schema == {"$ref": problem_ref} or named["allOf"][0] == {"$ref": problem_ref}


@pytest.mark.parametrize(
    ("operation_id", "status"), [("set_cookie", "201"), ("delete_cookie", "200")]
)
def test_set_cookie_header_is_documented(committed, operation_id, status):
    headers = operation_by_id(committed, operation_id)["responses"][status]["headers"]
    assert headers["Set-Cookie"]["description"]
    assert headers["Set-Cookie"]["schema"] == {"type": "string"}


# No Swagger 2.0, no Flask-RESTX leftovers


def test_no_swagger_2_leftovers(committed):
    assert SWAGGER_2_KEYS.isdisjoint(key for key, _ in items_anywhere(committed))
    references = [value for key, value in items_anywhere(committed) if key == "$ref"]
    assert references
    assert all(reference.startswith("#/components/") for reference in references)
    parameters = [
        parameter
        for _, _, operation in operations(committed)
        for parameter in operation.get("parameters", [])
    ]
    assert {parameter["in"] for parameter in parameters} <= {"path", "query"}
    assert "X-Fields" not in {parameter["name"] for parameter in parameters}


def test_no_swagger_json_is_served(client):
    assert client.get("/swagger.json").status_code == 404


def test_the_docs_page_shows_the_served_document(client):
    page = client.get("/docs")

    assert page.status_code == 200
    assert page.mimetype == "text/html"
    # Swagger UI fetches its document from this URL, relative to /docs.
    assert 'url: "openapi.json"' in page.get_data(as_text=True)
    assert client.get("/openapi.json").get_json()["openapi"] == "3.0.3"


def test_the_root_redirects_to_the_docs(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/docs"


def test_finding_codes_are_an_enum_of_every_code(committed):
    finding = committed["components"]["schemas"]["Finding"]["properties"]
    assert finding["code"]["enum"] == list(CODES)
    assert finding["severity"]["enum"] == ["rejected", "attribute_ignored", "warning"]


def test_the_rule_tables_are_made_from_the_catalogue():
    readme = README.read_text(encoding="utf-8")
    for table in (rule_table(REFUSED_RULES), rule_table(WARNED_RULES)):
        assert table in readme, "README.md's rule tables are out of date: copy rule_table()"


def test_a_valid_signature_is_described_as_what_it_proves(committed):
    """The word valid read as a value to trust, yet anyone who may POST gets any value signed."""
    schemas = committed["components"]["schemas"]
    texts = {
        "signature field": schemas["ReceivedCookie"]["properties"]["signature"]["description"],
        "signed field": schemas["CookieRequest"]["properties"]["signed"]["description"],
        "list_cookies": operation_by_id(committed, "list_cookies")["description"],
        "set_cookie": operation_by_id(committed, "set_cookie")["description"],
        "README": README.read_text(encoding="utf-8"),
    }
    for where, text in texts.items():
        flat = " ".join(text.split())
        # What it does not promise, and what it does protect against.
        assert "trust" in flat, where
        assert "document.cookie" in flat, where
        assert "subdomain" in flat, where
