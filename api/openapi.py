"""The OpenAPI 3.0 document, generated from the resources and the marshmallow schemas.

Each resource method's docstring is its operation: the first line is the summary, the
paragraphs up to ``---`` the description, and the YAML after it the rest. Schemas are named in
that YAML and converted by apispec's MarshmallowPlugin, so shapes are written once.
"""

from __future__ import annotations

import inspect
import json
import re
from functools import cache
from http import HTTPStatus
from pathlib import Path
from typing import Any

import click
import yaml
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.yaml_utils import load_yaml_from_docstring
from flask import Flask, Response
from flask_restx import Api
from marshmallow import Schema, fields

from api.errors import PROBLEM_JSON, problem_body
from cookierules.cookie import Cookie
from cookierules.storage import check_secure_requirements
from schemas.findings import FindingSchema
from schemas.problems import ProblemSchema, ValidationProblemSchema

OPENAPI_VERSION = "3.0.3"
_FLASK_PARAMETER = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")
_METHOD_ORDER = ("get", "post", "put", "patch", "delete")

DESCRIPTION = """\
Set HTTP cookies with every attribute through a validated JSON API, and read back the cookies
a request carries as JSON.

Every browser rule is checked before a cookie is sent: a cookie that browsers would silently
drop is refused with a 400 that names each broken rule ([the rules](rules)). Errors are RFC 9457
problem details (`application/problem+json`).

**Why was my cookie not set?** Paste the `Set-Cookie` headers, a `curl -i` answer or a HAR file
into [the inspector](inspect): it shows what a browser does with each one, the jar as DevTools
shows it, and the `Cookie` header it sends next.
"""


# The conventional order of a document's top-level keys: what it is, then what it does.
_TOP_LEVEL_ORDER = ("openapi", "info", "servers", "tags", "paths", "components")


def _problem_response(
    status: HTTPStatus, description: str, detail: str, schema: str = "Problem", **members: Any
) -> dict[str, Any]:
    """A problem+json response, with an example body as the app writes it."""
    example = problem_body(status.value, detail, **members)
    return {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": schema, "example": example}},
    }


def _extension_of(
    plugin: MarshmallowPlugin, schema: type[Schema], base: type[Schema], base_name: str
) -> dict[str, Any]:
    """``schema`` as ``allOf`` the component ``base_name`` plus the fields it adds to ``base``.

    Written as ``allOf`` so that every error body visibly shares the one Problem schema, and
    generated clients get a model that extends it.
    """
    added = [name for name in schema._declared_fields if name not in base._declared_fields]
    return {
        "allOf": [
            {"$ref": f"#/components/schemas/{base_name}"},
            plugin.converter.schema2jsonschema(schema(only=added)),
        ]
    }


def _nullable_reference(
    self: Any, field: fields.Field, ret: dict[str, Any], **kwargs: Any
) -> dict[str, Any]:
    """A nullable nested schema as ``anyOf`` its reference or null (``enum: [null]``).

    apispec writes ``anyOf`` an empty nullable object and the reference, which generated
    clients read as "an unnamed object or the schema"; this form they read as "the schema or
    null", and validators agree.
    """
    any_of = ret.get("anyOf")
    if not (isinstance(field, fields.Nested) and field.allow_none and any_of):
        return {}
    (reference,) = [item for item in any_of if "$ref" in item]
    del ret["anyOf"]
    return {"anyOf": [reference, {"nullable": True, "enum": [None]}]}


def operation_from_docstring(method: Any) -> dict[str, Any]:
    """An OpenAPI operation from a resource method's docstring."""
    doc = inspect.getdoc(method) or ""
    prose = doc.split("---", 1)[0].strip()
    summary, _, description = prose.partition("\n")
    operation = {"summary": summary.strip().rstrip("."), "description": description.strip()}
    operation.update(load_yaml_from_docstring(doc))
    return operation


def build_openapi(api: Api) -> dict[str, Any]:
    """The OpenAPI 3.0 document of ``api`` as a plain dict."""
    plugin = MarshmallowPlugin()
    spec = APISpec(
        title=api.title,
        version=api.version,
        openapi_version=OPENAPI_VERSION,
        plugins=[plugin],
        info={"description": DESCRIPTION},
    )
    plugin.converter.add_attribute_function(_nullable_reference)
    spec.components.schema("Problem", schema=ProblemSchema)
    spec.components.schema(
        "ValidationProblem",
        _extension_of(plugin, ValidationProblemSchema, ProblemSchema, "Problem"),
    )
    spec.components.header(
        "NoStore",
        {"description": "Always `no-store`.", "schema": {"type": "string", "enum": ["no-store"]}},
    )
    spec.components.header(
        "VaryCookie", {"description": "Includes `Cookie`.", "schema": {"type": "string"}}
    )
    # The example is what the engine says of SameSite=None without Secure.
    [samesite_rule] = check_secure_requirements(Cookie("theme", "dark", samesite="None"))
    spec.components.response(
        "InvalidCookie",
        _problem_response(
            HTTPStatus.BAD_REQUEST,
            "The request breaks one or more rules; `findings` lists each with its code, and "
            "`errors` lists their messages by field.",
            f"samesite: {samesite_rule.message}",
            "ValidationProblem",
            errors={"samesite": [samesite_rule.message]},
            findings=FindingSchema(many=True).dump([samesite_rule]),
        ),
    )
    spec.components.response(
        "CookieNotFound",
        {
            **_problem_response(
                HTTPStatus.NOT_FOUND,
                "No cookie of that name.",
                "This request carries no cookie named 'theme'.",
            ),
            "headers": {"Cache-Control": "NoStore", "Vary": "VaryCookie"},
        },
    )
    spec.components.response(
        "PayloadTooLarge",
        _problem_response(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            "The body is over the size limit: 64 KiB unless COOKIE_API_MAX_CONTENT_LENGTH says "
            "otherwise, and 2,400 KiB more for POST /lint. The detail states the limit.",
            "The request body is larger than 65536 bytes.",
        ),
    )
    spec.components.response(
        "TooManyCookies",
        _problem_response(
            HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
            "The Cookie header carries more than 3,000 cookies, more than a browser keeps in all.",
            "The Cookie header carries more than 3,000 cookies, the most a browser keeps in all.",
        ),
    )
    spec.components.response(
        "UnsupportedMediaType",
        _problem_response(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            "The body is not JSON (application/json).",
            "Send the body as JSON with Content-Type: application/json "
            "(got application/x-www-form-urlencoded).",
        ),
    )
    for namespace in api.namespaces:
        if not namespace.resources:
            continue
        spec.tag({"name": namespace.name, "description": namespace.description})
        for route in namespace.resources:
            for url in api.ns_urls(namespace, route.urls):
                operations = {}
                for method in _METHOD_ORDER:
                    if method.upper() in route.resource.methods:
                        operation = operation_from_docstring(getattr(route.resource, method))
                        operations[method] = {"tags": [namespace.name], **operation}
                spec.path(path=_FLASK_PARAMETER.sub(r"{\1}", url), operations=operations)
    document = spec.to_dict()
    info = document["info"]
    document["info"] = {"title": info.pop("title"), "version": info.pop("version"), **info}
    ordered = {key: document[key] for key in _TOP_LEVEL_ORDER if key in document}
    return ordered | document


class _ReadableDumper(yaml.SafeDumper):
    """Writes multi-line strings as literal blocks, so descriptions read as they were written."""


def _represent_string(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_ReadableDumper.add_representer(str, _represent_string)


def to_yaml(document: dict[str, Any]) -> str:
    """The document as committed in openapi.yaml: keys in document order, prose as written."""
    return yaml.dump(
        document, Dumper=_ReadableDumper, sort_keys=False, allow_unicode=True, width=100
    )


def init_app(app: Flask, api: Api) -> None:
    """Serve the document at /openapi.json and add ``flask openapi write``."""
    app.extensions["openapi"] = api

    @cache
    def document_json() -> str:
        # Not app.json, which sorts keys: Swagger UI shows operations in document order.
        return json.dumps(build_openapi(api))

    @app.get("/openapi.json")
    def openapi_json() -> Response:
        return app.response_class(document_json(), mimetype="application/json")

    @app.cli.group("openapi")
    def openapi_group() -> None:
        """The OpenAPI document."""

    @openapi_group.command("write")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    def write(path: Path) -> None:
        """Write the OpenAPI document to PATH as YAML (openapi.yaml)."""
        path.write_text(to_yaml(build_openapi(api)), encoding="utf-8")
        click.echo(f"Wrote {path}")
