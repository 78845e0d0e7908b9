"""Reading request bodies and arguments strictly, with a clear error for anything off."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache
from typing import Any

from flask import Request
from marshmallow import Schema, ValidationError, fields
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge, UnsupportedMediaType
from werkzeug.wsgi import get_content_length

from api.errors import ValidationFailed, body_error
from cookierules.findings import MAX_FINDINGS, Finding, finding, shortened
from schemas.compiled import compile_loader

# A JSON integer longer than this is no cookie attribute; refuse it before int() does the work.
_MAX_INTEGER_DIGITS = 100


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen = set()
        duplicate = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise ValueError(f"duplicate key {duplicate!r}")
    return result


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def _parse_integer(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_INTEGER_DIGITS:
        raise ValueError(f"a number with {len(text)} digits is too large")
    return int(text)


# One decoder for every request: json.loads with hooks builds a new decoder and scanner per call.
_STRICT_JSON = json.JSONDecoder(
    object_pairs_hook=_refuse_duplicate_keys,
    parse_constant=_refuse_constant,
    parse_int=_parse_integer,
)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "a string" if isinstance(value, str) else "an array"


def _read_body(request: Request) -> bytes:
    """The whole body, held to the request's size limit: a 413 for a longer one, a 400 for one
    cut short of its Content-Length."""
    limit = request.max_content_length
    # Read from the environ: the same answer as request.content_length, without the header
    # lookups that cost more than the rest of this check.
    announced = get_content_length(request.environ)
    if announced is None:
        raw = request.get_data(cache=False)
        # Werkzeug stops reading a chunked body at the limit without saying so; one more byte
        # from the server's stream tells a body of exactly the limit from a longer one.
        if limit is not None and len(raw) >= limit and request.environ["wsgi.input"].read(1):
            raise RequestEntityTooLarge()
        return raw
    if limit is not None and announced > limit:
        raise RequestEntityTooLarge()
    # Exactly what was announced, straight from the server's stream (as Werkzeug's stream would
    # read it, without the wrapper that costs more than reading a small body, and whose read()
    # under a size limit fills a new 64 KiB buffer for every request).
    stream = request.environ["wsgi.input"]
    chunks = []
    size = 0
    while size < announced:
        chunk = stream.read(announced - size)
        if not chunk:
            # A server that terminates the input hands over whatever came before the client left.
            raise body_error(
                f"The body ended after {size} of the {announced} bytes "
                "that Content-Length announced."
            )
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


# The most values, arrays and objects a body may hold, counted by the commas, brackets and braces
# that make them: a POST /lint body may be 2.4 MB for its set_cookie strings, but a body of
# 800,000 empty arrays costs the parser a third of a second, and no request needs more than a
# few dozen. Those characters inside strings count too, which no body near the limit has.
MAX_JSON_PUNCTUATION = 16 * 1024


def _check_structure(raw: bytes) -> None:
    """A 400 for a body of more JSON structure than any request needs, before it is parsed."""
    if len(raw) <= MAX_JSON_PUNCTUATION:
        return
    count = raw.count(b",") + raw.count(b"[") + raw.count(b"{")
    if count > MAX_JSON_PUNCTUATION:
        raise body_error(
            f"The body holds {count:,} commas, brackets and braces; the API reads at most "
            f"{MAX_JSON_PUNCTUATION:,}, far more than any request needs."
        )


def is_json_mimetype(mimetype: str) -> bool:
    """application/json, or any application/*+json type such as application/merge-patch+json."""
    return mimetype == "application/json" or (
        mimetype.startswith("application/") and mimetype.endswith("+json")
    )


def _check_json_content_type(request: Request) -> None:
    """A 415 unless the body is JSON (application/json or +json) in UTF-8."""
    if not is_json_mimetype(request.mimetype):
        raise UnsupportedMediaType(
            "Send the body as JSON with Content-Type: application/json "
            f"(got {request.mimetype or 'no Content-Type'})."
        )
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"JSON must be UTF-8, not {charset}.")


def json_object_body(request: Request) -> dict[str, Any]:
    """The request body as a JSON object: UTF-8, no duplicate keys, no NaN or Infinity."""
    # The usual Content-Type needs no parsing.
    if request.environ.get("CONTENT_TYPE") != "application/json":
        _check_json_content_type(request)
    raw = _read_body(request)
    _check_structure(raw)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise body_error(
            f"The body is not valid UTF-8 (bad byte at offset {error.start})."
        ) from None
    try:
        if text.startswith("\ufeff"):
            # What json.loads says of a byte order mark; the decoder alone would not check.
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
        body = _STRICT_JSON.decode(text)
    except RecursionError:
        raise body_error("The JSON is nested too deeply.") from None
    except ValueError as error:
        raise body_error(f"The body is not valid JSON: {error}.") from None
    if not isinstance(body, dict):
        raise body_error(f"The body must be a JSON object, not {_json_type(body)}.")
    if _SURROGATE_ESCAPE.search(text):
        ill_formed = [
            finding("value_not_unicode", shortened(key), _ILL_FORMED)
            for key, value in body.items()
            if _holds_lone_surrogate(value)
        ]
        if ill_formed:
            raise ValidationFailed(ill_formed)
    return body


# UTF-8 cannot carry a lone surrogate: one can only come in as a \uXXXX escape of D800 to DFFF.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_ILL_FORMED = (
    "Contains a lone surrogate (a \\uD800 to \\uDFFF escape without its pair), which has no "
    "UTF-8 encoding; send well-formed Unicode."
)


def _holds_lone_surrogate(value: Any) -> bool:
    """Whether a JSON value holds a string with a lone surrogate, at any depth."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if not is_well_formed(item):
                return True
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
    return False


def is_well_formed(text: str) -> bool:
    """Whether ``text`` is well-formed Unicode: it has a UTF-8 encoding."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# Each schema's loader, planned on its first load (the schemas are made once, at import;
# the bound only keeps a schema made per call from piling up).
_loader = lru_cache(maxsize=32)(compile_loader)


_UNKNOWN_FIELD = Schema._default_error_messages["unknown"]
_REQUIRED = fields.Field.default_error_messages["required"]


def _as_finding(field: str, message: str | Finding) -> Finding:
    """A field error as a finding: the engine's own, or a type error marshmallow found."""
    field = shortened(field)
    if isinstance(message, Finding):
        return replace(message, field=field)
    if message == _UNKNOWN_FIELD:
        return finding("unknown_field", field, message)
    if message == _REQUIRED:
        return finding("field_required", field, message)
    return finding("invalid_type", field, message)


def _flat(messages: list | dict) -> list[str | Finding]:
    """The messages of a field; those of a list's items say which item (counted from 0)."""
    if isinstance(messages, list):
        return messages
    flat: list[str | Finding] = []
    for index, item_messages in messages.items():
        for message in _flat(item_messages):
            if isinstance(message, Finding):
                flat.append(replace(message, message=f"Item {index}: {message.message}"))
            else:
                flat.append(f"Item {index}: {message}")
    return flat


def _folded(name: str) -> str:
    return name.replace("_", "").replace("-", "").lower()


def did_you_mean(unknown: str, known: Iterable[str]) -> str | None:
    """The field ``unknown`` most likely stands for: the same but for case and "_" (maxAge,
    httpOnly, sameSite, as Express spells them), or else one close in spelling."""
    names = list(known)
    for name in names:
        if _folded(name) == _folded(unknown):
            return name
    close = difflib.get_close_matches(unknown.lower(), names, n=1, cutoff=0.75)
    return close[0] if close else None


def _with_suggestion(item: Finding, schema: Schema) -> Finding:
    if item.code != "unknown_field":
        return item
    suggestion = did_you_mean(item.field, schema.load_fields)
    if suggestion is None:
        return item
    # The fix keeps the finding apart when many are told as one (``collapse``).
    return replace(
        item,
        message=f'{item.message} Did you mean "{suggestion}"?',
        fix=f'rename "{item.field}" to "{suggestion}"',
    )


@lru_cache(maxsize=32)
def _known_keys(schema: Schema) -> frozenset[str]:
    return frozenset(
        name if field.data_key is None else field.data_key
        for name, field in schema.load_fields.items()
    )


def _many_unknown_keys(
    schema: Schema, data: dict[str, Any]
) -> tuple[dict[str, Any], list[Finding]]:
    """``data`` without its unknown keys, and their findings, when they are more than
    ``MAX_FINDINGS``: the first ``MAX_FINDINGS`` each (with a did-you-mean), the rest as one,
    as ``collapse`` would tell them anyway; 10,000 of them cost the loader 20 ms.
    """
    known = _known_keys(schema)
    if len(data) <= len(known) + MAX_FINDINGS:
        return data, []
    unknown = [key for key in data if key not in known]
    if len(unknown) <= MAX_FINDINGS:
        return data, []
    # The first ones as the loader would tell them, each with its did-you-mean; the rest as one.
    told = [
        _with_suggestion(_as_finding(key, _UNKNOWN_FIELD), schema) for key in unknown[:MAX_FINDINGS]
    ]
    rest = unknown[MAX_FINDINGS:]
    told.append(replace(_as_finding(rest[0], _UNKNOWN_FIELD), count=len(rest)))
    return {key: value for key, value in data.items() if key in known}, told


def load_partially(schema: Schema, data: dict[str, Any]) -> tuple[dict[str, Any], list[Finding]]:
    """Load what is valid and collect the findings of the rest, so later rules can still run."""
    data, unknown = _many_unknown_keys(schema, data)
    try:
        return _loader(schema)(data), unknown
    except ValidationError as error:
        findings = [
            _with_suggestion(_as_finding(field, message), schema)
            for field, field_messages in error.normalized_messages().items()
            for message in _flat(field_messages)
        ]
        return error.valid_data or {}, findings + unknown


def single_valued(args: MultiDict[str, str]) -> dict[str, str]:
    """Query arguments as a dict, refusing any given twice rather than picking one."""
    repeated = [
        finding("parameter_repeated", key, "Given more than once.")
        for key, values in args.lists()
        if len(values) > 1
    ]
    if repeated:
        raise ValidationFailed(repeated)
    return args.to_dict()
