"""RFC 9457 problem details for every error the service answers."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

import orjson
from flask import Response, request
from werkzeug.exceptions import BadHost, BadRequest, HTTPException

from cookierules.findings import Finding, collapse, finding
from schemas.compiled import compile_dumper
from schemas.findings import FindingSchema

PROBLEM_JSON = "application/problem+json"
_DUMP_FINDING = compile_dumper(FindingSchema())


class ValidationFailed(BadRequest):
    """A 400 that lists every broken rule, each with its code and field."""

    def __init__(self, findings: list[Finding]) -> None:
        # Each rule told once: a body of 10,000 unknown keys gets a few findings, not 10,000.
        self.findings = collapse(findings)
        super().__init__(
            " ".join(
                item.message if item.field == "_body" else f"{item.field}: {item.message}"
                for item in self.findings
            )
        )

    @property
    def errors(self) -> dict[str, list[str]]:
        """The messages by field, as ``errors`` has always had them."""
        errors: dict[str, list[str]] = {}
        for item in self.findings:
            errors.setdefault(item.field, []).append(item.message)
        return errors


def json_bytes(body: Any) -> bytes:
    """``body`` as JSON: orjson, or the standard library for a string orjson refuses.

    A lone surrogate (which a JSON body can carry as an escape, in a key say) is not UTF-8, so
    orjson refuses it; the standard library writes it back as the same escape.
    """
    try:
        return orjson.dumps(body)
    except orjson.JSONEncodeError:
        return json.dumps(body).encode()


def body_error(message: str) -> ValidationFailed:
    """A 400 about the body as a whole: not JSON, not UTF-8, not an object."""
    return ValidationFailed([finding("invalid_body", "_body", message)])


def problem_body(status: int, detail: str, **members: object) -> dict[str, object]:
    """An RFC 9457 problem details object; extension members such as ``errors`` go in
    ``members``."""
    return {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **members,
    }


def problem(status: int, detail: str, **members: object) -> Response:
    """A problem+json response; extension members such as ``errors`` go in ``members``."""
    return Response(
        json_bytes(problem_body(status, detail, **members)), status, mimetype=PROBLEM_JSON
    )


def problem_response(error: HTTPException) -> Response:
    """The one handler that turns every HTTP error into problem+json."""
    status = error.code or 500
    detail = error.description or HTTPStatus(status).description
    if isinstance(error, BadHost):
        detail = "The Host header is not a valid host name."
    elif status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE:
        # The limit that applied: the app's, or the one the view set for its request.
        detail = f"The request body is larger than {request.max_content_length} bytes."
    members = (
        {"errors": error.errors, "findings": [_DUMP_FINDING(item) for item in error.findings]}
        if isinstance(error, ValidationFailed)
        else {}
    )
    response = problem(status, detail, **members)
    for header, value in error.get_headers():
        if header.lower() != "content-type":
            response.headers.add(header, value)
    return response
