"""A schema's load and dump, planned once from its declared fields, for the per-request paths.

marshmallow's ``Schema.load`` and ``Schema.dump`` work out on every call what stays the same from
call to call: each field's key and attribute, a getter closure and keyword arguments per field,
an accessor per value. For a small body that bookkeeping costs more than the fields' own work.
``compile_loader`` and ``compile_dumper`` work it out once, then call each field's own
``_deserialize`` and validators, or ``_serialize``, so the types, validators, defaults and
messages are still the schema's, and nothing about a shape is written here. A validator marked
``documents_only`` (a constraint stated for the OpenAPI document, enforced by another validator
beside it) is not called. A schema using something they do not plan for (load hooks, a
post_dump hook given the original, ``many``, ``partial``, dotted attributes, a custom accessor)
gets marshmallow's own method instead, and a field that deserializes or validates its own way
keeps its own ``deserialize``. A nested schema (``Nested``, or a ``List`` of them) is dumped by
its own compiled dumper. ``tests/test_compiled_schemas.py`` checks that each gives what
marshmallow gives, errors included.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from marshmallow import EXCLUDE, INCLUDE, Schema, ValidationError, fields
from marshmallow.decorators import (
    POST_DUMP,
    POST_LOAD,
    PRE_DUMP,
    PRE_LOAD,
    VALIDATES,
    VALIDATES_SCHEMA,
)
from marshmallow.error_store import ErrorStore
from marshmallow.utils import get_value, missing

Loader = Callable[[Mapping[str, Any]], dict[str, Any]]
Dumper = Callable[[Any], dict[str, Any]]


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
        (
            field.data_key if field.data_key is not None else name,
            field.attribute or name,
            _value_loader(field),
            _plain_loading(field),
            field.required,
            field.load_default,
            field.make_error("required").messages,
        )
        for name, field in schema.load_fields.items()
    )
    known = frozenset(key for key, *_ in plan)
    unknown = schema.unknown
    type_error = [schema.error_messages["type"]]
    unknown_error = [schema.error_messages["unknown"]]

    def load(data: Mapping[str, Any]) -> dict[str, Any]:
        errors = ErrorStore()
        result = schema.dict_class()
        if not isinstance(data, Mapping):
            errors.store_error(type_error)
        else:
            for key, attribute, load_value, plain, required, default, required_error in plan:
                value = data.get(key, missing)
                if value is missing and plain:
                    # What Field.deserialize does with a missing value.
                    if required:
                        errors.store_error(required_error, key)
                    elif default is not missing:
                        result[attribute] = default() if callable(default) else default
                    continue
                try:
                    value = load_value(value, key, data)
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


def _plain_loading(field: fields.Field) -> bool:
    """Whether the field deserializes and validates the usual way, so the plan may do it."""
    kind = type(field)
    return (
        kind.deserialize is fields.Field.deserialize
        and kind._validate_missing is fields.Field._validate_missing
        and kind._validate is fields.Field._validate
        and kind._validate_all is fields.Field._validate_all
        and not field.pre_load
        and not field.post_load
    )


def _value_loader(field: fields.Field) -> Callable[[Any, str, Any], Any]:
    """``field.deserialize`` of a given value, as marshmallow does it, with the validators
    gathered once; a field that deserializes or validates its own way keeps its own."""
    if not _plain_loading(field):
        return lambda value, key, data: field.deserialize(value, key, data)
    deserialize = field._deserialize
    allow_none = field.allow_none
    validators = tuple(
        validator
        for validator in field.validators
        # Marked on the class itself: a subclass that checks something is called.
        if not vars(type(validator)).get("documents_only", False)
    )

    def load_value(value: Any, key: str, data: Any) -> Any:
        if value is None:
            if allow_none:
                return None
            raise field.make_error("null")
        output = deserialize(value, key, data)
        if validators:
            _validate(validators, output)
        return output

    return load_value


def _validate(validators: tuple[Callable[[Any], Any], ...], value: Any) -> None:
    """marshmallow's ``And`` of the validators: every one runs, and their messages add up."""
    messages: list[Any] = []
    kwargs: dict[str, Any] = {}
    for validator in validators:
        try:
            validator(value)
        except ValidationError as error:
            kwargs.update(error.kwargs)
            if isinstance(error.messages, dict):
                messages.append(error.messages)
            else:
                messages.extend(error.messages)
    if messages:
        raise ValidationError(messages, **kwargs)


def _plain(field: fields.Field) -> bool:
    """Whether the field reads its value the usual way, so the dumper may read it for it."""
    kind = type(field)
    return (
        kind.serialize is fields.Field.serialize
        and kind.get_value is fields.Field.get_value
        and field._CHECK_ATTRIBUTE
    )


def compile_dumper(schema: Schema) -> Dumper:
    """``schema.dump`` of one object as marshmallow does it, with the per-field plan made once."""
    hooks = schema._hooks
    if (
        schema.many
        or any(options.get("pass_original") for _, _, options in hooks[POST_DUMP])
        or type(schema).get_attribute is not Schema.get_attribute
        or _dotted(schema, schema.dump_fields)
    ):
        return schema.dump
    plan = tuple(
        (
            field.data_key if field.data_key is not None else name,
            name,
            field.attribute or name,
            field,
            _plain(field),
            _nested_dumper(field) or field._serialize,
        )
        for name, field in schema.dump_fields.items()
    )
    pre_dump = _processors(schema, PRE_DUMP)
    post_dump = _processors(schema, POST_DUMP)

    def dump(obj: Any) -> dict[str, Any]:
        for processor in pre_dump:
            obj = processor(obj, many=False)
        result = schema.dict_class()
        mapping = type(obj) is dict
        # marshmallow's get_value reads an object without __getitem__ (a dataclass) by getattr.
        by_attribute = not mapping and not hasattr(obj, "__getitem__")
        for key, name, attribute, field, plain, serialize in plan:
            if not plain:
                value = field.serialize(name, obj, accessor=schema.get_attribute)
                if value is not missing:
                    result[key] = value
                continue
            if by_attribute:
                value = getattr(obj, attribute, missing)
            elif mapping and attribute in obj:
                value = obj[attribute]
            else:
                value = get_value(obj, attribute, missing)
            if value is missing:
                default = field.dump_default
                value = default() if callable(default) else default
                if value is missing:
                    continue
            result[key] = serialize(value, name, obj)
        for processor in post_dump:
            result = processor(result, many=False)
        return result

    return dump


def _processors(schema: Schema, tag: str) -> tuple[Callable[..., Any], ...]:
    """The schema's methods for ``tag`` in marshmallow's order: those for one item, then those
    for the collection; with many false, each is called with the item."""
    return tuple(
        getattr(schema, name)
        for pass_collection in (False, True)
        for name, hook_many, _ in schema._hooks[tag]
        if hook_many == pass_collection
    )


def _nested_dumper(field: fields.Field) -> Callable[[Any, str, Any], Any] | None:
    """``field._serialize`` for a ``Nested`` field, or a ``List`` of one, through the nested
    schema's compiled dumper; None for any other field."""
    nested = field.inner if type(field) is fields.List else field
    if type(nested) is not fields.Nested or nested.many or nested.schema.many:
        return None
    if nested.only is not None or nested.exclude:
        return None
    dump_one = compile_dumper(nested.schema)
    if nested is field:
        return lambda value, name, obj: None if value is None else dump_one(value)
    return lambda value, name, obj: (
        None if value is None else [None if item is None else dump_one(item) for item in value]
    )
