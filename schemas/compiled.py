"""A schema's load, planned once from its declared fields, for the per-request paths.

marshmallow's ``Schema.load`` works out on every call what stays the same from call to call:
each field's key and attribute, a getter closure and keyword arguments per field. For a small
body that bookkeeping costs more than the fields' own work. ``compile_loader`` works it out once,
then calls each field's own ``deserialize``, so the types, validators, defaults and messages are
still the schema's, and nothing about a shape is written here. A schema using something it does
not plan for (load hooks, ``many``, ``partial``, dotted attributes) gets marshmallow's own
``load`` instead. ``tests/test_compiled_schemas.py`` checks that it gives what marshmallow gives,
errors included.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from marshmallow import EXCLUDE, INCLUDE, Schema, ValidationError, fields
from marshmallow.decorators import (
    POST_LOAD,
    PRE_LOAD,
    VALIDATES,
    VALIDATES_SCHEMA,
)
from marshmallow.error_store import ErrorStore
from marshmallow.utils import missing

Loader = Callable[[Mapping[str, Any]], dict[str, Any]]


def _dotted(schema: Schema, names: dict[str, fields.Field]) -> bool:
    return any("." in (field.attribute or name) for name, field in names.items())


def compile_loader(schema: Schema) -> Loader:
    """``schema.load`` of one mapping as marshmallow does it, with the per-field plan made once."""
    hooks = schema._hooks
    if (
        schema.many
        or schema.partial is not None
        or any(hooks[tag] for tag in (PRE_LOAD, POST_LOAD, VALIDATES, VALIDATES_SCHEMA))
        or _dotted(schema, schema.load_fields)
    ):
        return schema.load
    plan = tuple(
        (field.data_key if field.data_key is not None else name, field.attribute or name, field)
        for name, field in schema.load_fields.items()
    )
    known = frozenset(key for key, _, _ in plan)
    unknown = schema.unknown
    type_error = [schema.error_messages["type"]]
    unknown_error = [schema.error_messages["unknown"]]

    def load(data: Mapping[str, Any]) -> dict[str, Any]:
        errors = ErrorStore()
        result = schema.dict_class()
        if not isinstance(data, Mapping):
            errors.store_error(type_error)
        else:
            for key, attribute, field in plan:
                try:
                    value = field.deserialize(data.get(key, missing), key, data)
                except ValidationError as error:
                    errors.store_error(error.messages, key)
                    value = error.valid_data or missing
                if value is not missing:
                    result[attribute] = value
            if unknown != EXCLUDE:
                for key in set(data) - known:
                    if unknown == INCLUDE:
                        result[key] = data[key]
                    else:
                        errors.store_error(unknown_error, key)
        if errors.errors:
            error = ValidationError(errors.errors, data=data, valid_data=result)
            schema.handle_error(error, data, many=False, partial=None)
            raise error
        return result

    return load
