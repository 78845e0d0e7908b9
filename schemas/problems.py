"""The RFC 9457 problem details body of every error response."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields

from schemas.findings import FindingSchema


class ProblemSchema(Schema):
    """An RFC 9457 problem: application/problem+json."""

    class Meta:
        unknown = EXCLUDE

    type = fields.String(
        required=True,
        metadata={
            "description": 'A URI for the problem type; "about:blank" for plain HTTP errors.'
        },
    )
    title = fields.String(required=True, metadata={"description": "The HTTP status phrase."})
    status = fields.Integer(required=True, metadata={"description": "The HTTP status code."})
    detail = fields.String(
        required=True, metadata={"description": "What went wrong, in words for a person."}
    )


class ValidationProblemSchema(ProblemSchema):
    """A problem with every broken rule listed by field, and each rule's code."""

    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        required=True,
        metadata={
            "description": 'Each failing field (or "_body" for the body as a whole) '
            "with the rules it breaks: the messages of `findings`, grouped by field."
        },
    )
    findings = fields.List(
        fields.Nested(FindingSchema),
        required=True,
        metadata={"description": "Each broken rule with its stable code, in the order found."},
    )
