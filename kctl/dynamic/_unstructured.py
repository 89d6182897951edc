"""Nested-field helpers over plain decoded JSON, as apimachinery's ``unstructured.Nested*``.

The getters return ``(value, found)``; a value of the wrong type raises ValueError with
apimachinery's ``<path> accessor error: ...`` text. Getters return the stored value itself
(client-go's ``NoCopy`` flavour): copy it before mutating if the object is shared.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

__all__ = [
    "nested_bool",
    "nested_field",
    "nested_int64",
    "nested_map",
    "nested_slice",
    "nested_string",
    "nested_string_map",
    "nested_string_slice",
    "remove_nested_field",
    "set_nested_field",
]

# Go's names for the JSON types, for error texts that match apimachinery's.
_GO_TYPES = {
    dict: "map[string]interface {}",
    list: "[]interface {}",
    str: "string",
    bool: "bool",
    int: "int64",
    float: "float64",
    type(None): "<nil>",
}


def _path(fields: tuple[str, ...]) -> str:
    return "." + ".".join(fields)


def _type_error(fields: tuple[str, ...], value: Any, expected: str) -> ValueError:
    go_type = _GO_TYPES.get(type(value), type(value).__name__)
    shown = "<nil>" if value is None else value
    return ValueError(
        f"{_path(fields)} accessor error: {shown} is of the type {go_type}, expected {expected}"
    )


def nested_field(obj: Any, *fields: str) -> tuple[Any, bool]:
    """The value at ``fields`` and whether it was there."""
    value = obj
    for i, field in enumerate(fields):
        if value is None:
            return None, False
        if not isinstance(value, dict):
            raise _type_error(fields[: i + 1], value, "map[string]interface{}")
        if field not in value:
            return None, False
        value = value[field]
    return value, True


def nested_string(obj: Any, *fields: str) -> tuple[str, bool]:
    value, found = nested_field(obj, *fields)
    if not found:
        return "", False
    if not isinstance(value, str):
        raise _type_error(fields, value, "string")
    return value, True


def nested_bool(obj: Any, *fields: str) -> tuple[bool, bool]:
    value, found = nested_field(obj, *fields)
    if not found:
        return False, False
    if not isinstance(value, bool):
        raise _type_error(fields, value, "bool")
    return value, True


def nested_int64(obj: Any, *fields: str) -> tuple[int, bool]:
    value, found = nested_field(obj, *fields)
    if not found:
        return 0, False
    if isinstance(value, bool) or not isinstance(value, int):
        raise _type_error(fields, value, "int64")
    return value, True


def nested_map(obj: Any, *fields: str) -> tuple[dict[str, Any], bool]:
    value, found = nested_field(obj, *fields)
    if not found:
        return {}, False
    if not isinstance(value, dict):
        raise _type_error(fields, value, "map[string]interface{}")
    return value, True


def nested_slice(obj: Any, *fields: str) -> tuple[list[Any], bool]:
    value, found = nested_field(obj, *fields)
    if not found:
        return [], False
    if not isinstance(value, list):
        raise _type_error(fields, value, "[]interface{}")
    return value, True


def nested_string_slice(obj: Any, *fields: str) -> tuple[list[str], bool]:
    values, found = nested_slice(obj, *fields)
    for value in values:
        if not isinstance(value, str):
            raise ValueError(
                f"{_path(fields)} accessor error: contains non-string value in the slice: "
                f"{value!r} is of the type {_GO_TYPES.get(type(value), type(value).__name__)}"
                ", expected string"
            )
    return values, found


def nested_string_map(obj: Any, *fields: str) -> tuple[dict[str, str], bool]:
    values, found = nested_map(obj, *fields)
    for value in values.values():
        if not isinstance(value, str):
            raise ValueError(
                f"{_path(fields)} accessor error: contains non-string value in the map under "
                f"key: {value!r} is of the type "
                f"{_GO_TYPES.get(type(value), type(value).__name__)}, expected string"
            )
    return values, found


def set_nested_field(obj: MutableMapping[str, Any], value: Any, *fields: str) -> None:
    """Sets ``value`` at ``fields``, creating the maps on the way."""
    if not fields:
        raise ValueError("no fields given")
    current: MutableMapping[str, Any] = obj
    for i, field in enumerate(fields[:-1]):
        child = current.get(field)
        if child is None:
            child = {}
            current[field] = child
        elif not isinstance(child, MutableMapping):
            raise ValueError(
                f"value cannot be set because {_path(fields[: i + 1])} is not a "
                "map[string]interface{}"
            )
        current = child
    current[fields[-1]] = value


def remove_nested_field(obj: MutableMapping[str, Any], *fields: str) -> None:
    """Removes the field at ``fields`` if present (no error when a parent is missing)."""
    current: Any = obj
    for field in fields[:-1]:
        if not isinstance(current, MutableMapping) or field not in current:
            return
        current = current[field]
    if isinstance(current, MutableMapping) and fields:
        current.pop(fields[-1], None)
