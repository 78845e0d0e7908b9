"""The OpenAPI 3.0 document, generated from the resources and the marshmallow schemas.

Each resource method's docstring is its operation: the first line is the summary, the
paragraphs up to ``---`` the description, and the YAML after it the rest. Schemas are named in
that YAML and converted by apispec's MarshmallowPlugin, so shapes are written once.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import click
import yaml
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.yaml_utils import load_yaml_from_docstring
from flask import Flask, Response, json
from flask_restx import Api

from schemas.problems import ProblemSchema, ValidationProblemSchema

OPENAPI_VERSION = "3.0.3"
PROBLEM_JSON = "application/problem+json"
_FLASK_PARAMETER = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")
_METHOD_ORDER = ("get", "post", "put", "patch", "delete")

DESCRIPTION = """\
Set HTTP cookies with every attribute through a validated JSON API, and read back the cookies
a request carries as JSON.

Every browser rule is checked before a cookie is sent: a cookie that browsers would silently
drop is refused with a 400 that names each broken rule. Errors are RFC 9457 problem details
(`application/problem+json`).
"""


def _problem_response(description: str, schema: type = ProblemSchema) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": schema}}}


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
    spec = APISpec(
        title=api.title,
        version=api.version,
        openapi_version=OPENAPI_VERSION,
        plugins=[MarshmallowPlugin()],
        info={"description": DESCRIPTION},
    )
    spec.components.schema("Problem", schema=ProblemSchema)
    spec.components.schema("ValidationProblem", schema=ValidationProblemSchema)
    spec.components.response(
        "InvalidCookie",
        _problem_response(
            "The request breaks one or more rules; `errors` lists each by field.",
            ValidationProblemSchema,
        ),
    )
    spec.components.response("CookieNotFound", _problem_response("No cookie of that name."))
    spec.components.response(
        "PayloadTooLarge", _problem_response("The body is over the size limit (64 KiB).")
    )
    spec.components.response(
        "UnsupportedMediaType", _problem_response("The body is not JSON (application/json).")
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
    return spec.to_dict()


def to_yaml(document: dict[str, Any]) -> str:
    """The document as committed in openapi.yaml."""
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def init_app(app: Flask, api: Api) -> None:
    """Serve the document at /openapi.json and add ``flask openapi write``."""
    document: dict[str, Any] = {}

    @app.get("/openapi.json")
    def openapi_json() -> Response:
        if not document:
            document.update(build_openapi(api))
        return app.response_class(json.dumps(document), mimetype="application/json")

    @app.cli.group("openapi")
    def openapi_group() -> None:
        """The OpenAPI document."""

    @openapi_group.command("write")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    def write(path: Path) -> None:
        """Write the OpenAPI document to PATH as YAML (openapi.yaml)."""
        path.write_text(to_yaml(build_openapi(api)), encoding="utf-8")
        click.echo(f"Wrote {path}")
