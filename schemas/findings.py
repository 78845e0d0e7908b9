"""The shape of a finding: one broken rule, with its stable code."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, fields, post_dump, validate

from cookierules.findings import CODES, SEVERITIES


class FindingSchema(Schema):
    """One rule a cookie or a request breaks, with a code that clients can switch on."""

    class Meta:
        unknown = EXCLUDE

    code = fields.String(
        required=True,
        validate=validate.OneOf(CODES),
        metadata={"description": "Stable snake_case code of the rule; new codes may be added."},
    )
    field = fields.String(
        required=True,
        metadata={"description": 'The field concerned, or "_body" for the body as a whole.'},
    )
    severity = fields.String(
        required=True,
        validate=validate.OneOf(SEVERITIES),
        metadata={
            "description": '"rejected": browsers drop the cookie (or the API refuses the '
            'request); "attribute_ignored": browsers store the cookie without that attribute, '
            'or cut it; "warning": whether browsers keep it depends on the context.'
        },
    )
    message = fields.String(
        required=True, metadata={"description": "The rule, in words for a person."}
    )
    spec = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "The specification section that states the rule, such as "
            '"RFC 6265bis §5.7 step 15"; null for the API\'s own request rules.'
        },
    )
    chromium = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "Chromium's name for the same reason (net/cookies/"
            "cookie_inclusion_status.h), such as EXCLUDE_SAMESITE_NONE_INSECURE; null where "
            "Chromium has none."
        },
    )
    count = fields.Integer(
        metadata={
            "description": "Present only when this finding stands for several: the rule is "
            "broken `count` times. Findings of one code and field are told once; past 20 "
            "findings, those of one code are. `field` and `message` are then the first one's."
        },
    )

    @post_dump
    def drop_single(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if data.get("count") == 1:
            del data["count"]
        return data
