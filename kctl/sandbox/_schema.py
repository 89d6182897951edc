"""Typed decoding of built-in objects: what kube-apiserver's strict JSON decoder does to a
request body before anything else looks at it.

The field structure comes from the protobuf field table (``data/protobuf.json.gz``, see
:mod:`kctl.sandbox._protobuf`): every message's JSON names in Go struct order, scalar kinds,
repeated/map/pointer flags and embedded structs, whose fields JSON inlines. Decoding an object
against its kind's root message

- drops what the Go struct has no field for (pruning happens in every fieldValidation mode,
  as a typed object can only hold its own fields) and reports those paths the way
  sigs.k8s.io/json's strict mode spells them (``spec.template.spec.containers[0].imagee``);
- finds the first value of the wrong JSON type and words it like encoding/json
  (``json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type
  int32``), or like the hand-written UnmarshalJSON of Quantity, Time, Duration and
  IntOrString;
- turns JSON nulls into what the Go value re-encodes to (absent for fields, zero values for
  list items and map values), writes a struct's fields in Go struct order, and writes the
  Time fields that are Go values (not pointers, no omitzero) even when zero, as ``null``:
  encoding/json's omitempty never drops a struct, so a pod condition always has its
  ``lastProbeTime``.

:func:`admit_builtin` applies the request's fieldValidation directive on top: Strict fails
with the apiserver's BadRequest (or, for a patch, its Invalid ``patch`` error), Warn and the
default add one warning per unknown field, Ignore prunes silently.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kctl.errors import StatusError
from kctl.sandbox import _status as st

if TYPE_CHECKING:
    from kctl.sandbox._catalog import ResourceType
    from kctl.sandbox._registry import Admission

__all__ = [
    "Decoded",
    "Field",
    "admit_builtin",
    "decode",
    "go_type",
    "is_list_message",
    "message_fields",
    "message_fields_raw",
    "object_meta_rank",
    "root_message",
]

_META = "k8s.io.apimachinery.pkg.apis.meta.v1."
_APIEXT = "k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1."
_SCALAR_GO = {
    "string": "string",
    "bool": "bool",
    "int32": "int32",
    "int64": "int64",
    "uint32": "uint32",
    "uint64": "uint64",
    "double": "float64",
    "float": "float32",
    "bytes": "[]uint8",
}
_INT_RANGES = {
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "uint32": (0, 2**32 - 1),
    "uint64": (0, 2**64 - 1),
}
_ZERO: dict[str, Any] = {
    "string": "",
    "bool": False,
    "int32": 0,
    "int64": 0,
    "uint32": 0,
    "uint64": 0,
    "double": 0,
    "float": 0,
}
# Types with their own UnmarshalJSON: what they are called for OpenAPI and decoding.
_SPECIAL = {
    _META + "Time": "time",
    _META + "MicroTime": "microtime",
    _META + "Duration": "duration",
    _META + "FieldsV1": "raw",
    "k8s.io.apimachinery.pkg.api.resource.Quantity": "quantity",
    "k8s.io.apimachinery.pkg.api.resource.QuantityValue": "quantity",
    "k8s.io.apimachinery.pkg.util.intstr.IntOrString": "intorstring",
    "k8s.io.apimachinery.pkg.runtime.RawExtension": "raw",
    _APIEXT + "JSON": "raw",
    _APIEXT + "JSONSchemaPropsOrBool": "raw",
    _APIEXT + "JSONSchemaPropsOrArray": "raw",
    _APIEXT + "JSONSchemaPropsOrStringArray": "raw",
}
_QUANTITY = re.compile(r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$")
_QUANTITY_ERROR = (
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
)
_DURATION = re.compile(r"^[-+]?(\d*\.?\d+(ns|us|µs|μs|ms|s|m|h))+$|^[-+]?0$")
_TYPE_META = ("apiVersion", "kind")


@dataclass(frozen=True)
class Field:
    """One JSON field of a message: ``kind`` as in the protobuf table (``string``,
    ``message:<name>``, ``map:<key>:<value kind>``), ``repeated`` for Go slices."""

    name: str
    kind: str
    repeated: bool
    pointer: bool
    # The Go json tag has no omitempty: the field is always written (OpenAPI: required).
    always: bool = False


def _table() -> tuple[
    dict[str, dict[int, tuple[int, str, str, str]]], frozenset[str], dict[str, str]
]:
    from kctl.sandbox._protobuf import _schema

    return _schema()


def root_message(api_version: str, kind: str) -> str | None:
    """The full message name of a built-in kind, or None when the table has none."""
    messages, _, packages = _table()
    package = packages.get(api_version)
    if package is None or not kind:
        return None
    name = f"{package}.{kind}"
    return name if name in messages else None


def is_list_message(message: str) -> bool:
    """A named Go slice type (``ExtraValue []string``): its JSON is the bare list."""
    return message in _table()[1]


@functools.cache
def message_fields(message: str) -> dict[str, Field]:
    """JSON name -> field, in Go struct order, with embedded structs' fields inlined."""
    messages, _, _ = _table()
    out: dict[str, Field] = {}
    for _, json_name, kind, flags in (messages.get(message) or {}).values():
        if json_name == "" and kind.startswith("message:"):
            out.update(message_fields(kind[8:]))
        elif json_name:
            out[json_name] = Field(json_name, kind, "r" in flags, "p" in flags, "k" in flags)
    return out


_TIMES = (f"message:{_META}Time", f"message:{_META}MicroTime")


@functools.cache
def _always_null(message: str) -> tuple[str, ...]:
    """The fields of ``message`` that encode as null when zero: Time and MicroTime values."""
    messages, _, _ = _table()
    return tuple(
        json_name
        for _, json_name, kind, flags in (messages.get(message) or {}).values()
        if json_name and kind in _TIMES and not {"p", "r", "z"} & set(flags)
    )


@functools.cache
def _rank(message: str) -> dict[str, int]:
    return {name: i for i, name in enumerate(message_fields(message))}


def object_meta_rank() -> dict[str, int]:
    """ObjectMeta's fields by their place in its Go struct (the stored metadata's order)."""
    return _rank(_META + "ObjectMeta")


def _go_message(message: str) -> str:
    package, _, name = message.rpartition(".")
    return f"{package.rpartition('.')[2]}.{name}"


def go_type(kind: str, repeated: bool = False) -> str:
    """The Go type encoding/json names in its errors (named scalar types like PullPolicy are
    not in the table, so those read as their underlying type)."""
    if repeated:
        return "[]" + go_type(kind)
    if kind.startswith("message:"):
        return _go_message(kind[8:])
    if kind.startswith("map:"):
        _, key, value = kind.split(":", 2)
        return f"map[{_SCALAR_GO.get(key, key)}]{go_type(value)}"
    return _SCALAR_GO.get(kind, kind)


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


class _Fatal(Exception):
    """An UnmarshalJSON error: encoding/json stops decoding at once."""


@dataclass
class Decoded:
    """What decoding found: the pruned object, unknown-field paths in document order and
    the decode error (type mismatch) that fails the request whatever the directive."""

    obj: dict[str, Any]
    unknown: list[str] = field(default_factory=list)
    error: str | None = None


class _Decoder:
    def __init__(self, sort_keys: bool) -> None:
        self.sort_keys = sort_keys
        self.unknown: list[str] = []
        self.error: str | None = None

    def type_error(self, value: Any, struct: str, stack: list[str], go: str) -> None:
        if self.error is None:
            self.error = (
                f"json: cannot unmarshal {value} into Go struct field "
                f"{struct}.{'.'.join(stack)} of type {go}"
            )

    def items(self, obj: dict[str, Any]) -> list[tuple[str, Any]]:
        return sorted(obj.items()) if self.sort_keys else list(obj.items())

    def struct(self, message: str, obj: dict[str, Any], path: str, stack: list[str]) -> Any:
        fields = message_fields(message)
        struct = message.rpartition(".")[2]
        out: dict[str, Any] = {}
        for key, value in self.items(obj):
            f = fields.get(key)
            child = f"{path}.{key}" if path else key
            if f is None:
                if not (path == "" and stack == [] and key in _TYPE_META):
                    self.unknown.append(child)
                    continue
                if isinstance(value, str) or value is None:
                    if value is not None:
                        out[key] = value
                    continue
                self.type_error(_json_kind(value), struct, [key], "string")
                continue
            if value is None:
                continue  # nil pointers, slices and maps and zero scalars re-encode as absent
            out[key] = self.field(f, value, child, [*stack, key], struct)
        for name in _always_null(message):
            out.setdefault(name, None)
        if len(out) > 1:
            rank = _rank(message)
            # Type meta (kind, apiVersion), which the struct has no field for, goes first.
            out = {k: out[k] for k in sorted(out, key=lambda k: rank.get(k, -1))}
        return out

    def field(self, f: Field, value: Any, path: str, stack: list[str], struct: str) -> Any:
        if f.repeated:
            if not isinstance(value, list):
                self.type_error(_json_kind(value), struct, stack, go_type(f.kind, True))
                return value
            return [
                self.value(f.kind, item, f"{path}[{i}]", stack, struct)
                for i, item in enumerate(value)
            ]
        return self.value(f.kind, value, path, stack, struct)

    def value(self, kind: str, value: Any, path: str, stack: list[str], struct: str) -> Any:
        if kind.startswith("map:"):
            _, _, item_kind = kind.split(":", 2)
            if value is None:
                return None
            if not isinstance(value, dict):
                self.type_error(_json_kind(value), struct, stack, go_type(kind))
                return value
            return {
                key: (
                    self.zero(item_kind)
                    if item is None
                    else self.value(item_kind, item, f"{path}.{key}", stack, struct)
                )
                for key, item in self.items(value)
            }
        if kind.startswith("message:"):
            message = kind[8:]
            if value is None:
                return self.zero(kind)
            special = _SPECIAL.get(message)
            if special is not None:
                return _special(special, value)
            if is_list_message(message):
                if not isinstance(value, list):
                    self.type_error(_json_kind(value), struct, stack, _go_message(message))
                    return value
                item_kind = next(iter(message_fields_raw(message).values()))
                return [self.value(item_kind, item, path, stack, struct) for item in value]
            if not isinstance(value, dict):
                self.type_error(_json_kind(value), struct, stack, _go_message(message))
                return value
            return self.struct(message, value, path, stack)
        return self.scalar(kind, value, stack, struct)

    def scalar(self, kind: str, value: Any, stack: list[str], struct: str) -> Any:
        if value is None:
            return self.zero(kind)
        got = _json_kind(value)
        go = go_type(kind)
        if kind == "string":
            if got != "string":
                self.type_error(got, struct, stack, go)
            return value
        if kind == "bool":
            if got != "bool":
                self.type_error(got, struct, stack, go)
            return value
        if kind == "bytes":
            if got != "string":
                self.type_error(got, struct, stack, go)
                return value
            _base64(value)
            return value
        if got != "number":
            self.type_error(got, struct, stack, go)
            return value
        bounds = _INT_RANGES.get(kind)
        if bounds is not None and (isinstance(value, float) or not bounds[0] <= value <= bounds[1]):
            self.type_error(f"number {value}", struct, stack, go)
        return value

    def zero(self, kind: str) -> Any:
        if kind.startswith("message:"):
            message = kind[8:]
            return None if message in _SPECIAL or is_list_message(message) else {}
        if kind.startswith("map:") or kind == "bytes":
            return None
        return _ZERO.get(kind)


def message_fields_raw(message: str) -> dict[str, str]:
    """Protobuf kinds by JSON name, without inlining (list messages' ``items``)."""
    messages, _, _ = _table()
    return {row[1]: row[2] for row in (messages.get(message) or {}).values()}


def _base64(text: str) -> None:
    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        good = re.match(r"[A-Za-z0-9+/]*", text)
        position = good.end() if good else 0
        raise _Fatal(f"illegal base64 data at input byte {position}") from None


def _special(kind: str, value: Any) -> Any:
    if kind == "raw":
        return value
    if kind == "intorstring":
        if isinstance(value, str):
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _Fatal(f"json: cannot unmarshal {_json_kind(value)} into Go value of type int32")
        if isinstance(value, float) or not -(2**31) <= value < 2**31:
            raise _Fatal(f"json: cannot unmarshal number {value} into Go value of type int32")
        return value
    if kind == "quantity":
        text = value if isinstance(value, str) else json.dumps(value)
        if isinstance(value, (dict, list)) or not _QUANTITY.match(text.strip()):
            raise _Fatal(_QUANTITY_ERROR)
        return value
    if not isinstance(value, str):
        raise _Fatal(f"json: cannot unmarshal {_json_kind(value)} into Go value of type string")
    if kind in ("time", "microtime"):
        from kctl.sandbox._times import normalize

        # Decoding and re-encoding normalises: UTC, Z, and Time's whole seconds.
        try:
            return normalize(value, micro=kind == "microtime")
        except ValueError as err:
            raise _Fatal(str(err)) from None
    if not _DURATION.match(value):
        raise _Fatal(f"time: invalid duration {json.dumps(value)}")
    return value


def decode(message: str, obj: dict[str, Any], *, sort_keys: bool = False) -> Decoded:
    """Decode ``obj`` (a built-in kind's JSON) against its root message.

    ``sort_keys`` reports unknown fields in sorted order, as for patched objects, which the
    apiserver re-marshals from a Go map before decoding.
    """
    decoder = _Decoder(sort_keys)
    try:
        pruned = decoder.struct(message, obj, "", [])
    except _Fatal as err:
        return Decoded(obj, [], str(err))
    return Decoded(pruned, decoder.unknown, decoder.error)


# --- admission ---------------------------------------------------------------------------


def go_format(value: Any) -> str:
    """fmt's %+v of a decoded JSON value (map keys sorted, as fmt prints maps)."""
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_format(value[k])}" for k in sorted(value)) + "]"
    if isinstance(value, list):
        return "[" + " ".join(go_format(v) for v in value) + "]"
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value)


def _go_json(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _patch_value(obj: dict[str, Any], admission: Admission) -> str:
    """The value the apiserver quotes in a failed patch: the patch map for strategic merge,
    the patched object's JSON (without managedFields) for JSON and merge patches."""
    if admission.patch_type == "application/strategic-merge-patch+json":
        try:
            patch = json.loads(admission.patch_body)
        except (ValueError, UnicodeDecodeError):
            patch = {}
        return go_format(patch)
    shown = dict(obj)
    meta = shown.get("metadata")
    if isinstance(meta, dict) and "managedFields" in meta:
        shown["metadata"] = {k: v for k, v in meta.items() if k != "managedFields"}
    return _go_json(shown)


def _patch_error(obj: dict[str, Any], admission: Admission, message: str) -> StatusError:
    return st.invalid(
        "",
        "",
        "",
        [
            {
                "reason": "FieldValueInvalid",
                "message": f"Invalid value: {json.dumps(_patch_value(obj, admission))}: {message}",
                "field": "patch",
            }
        ],
    )


def admit_builtin(rt: ResourceType, obj: dict[str, Any], admission: Admission) -> None:
    """Decode a built-in object in place: prune it, and apply the fieldValidation directive
    to what was unknown. Kinds without a table entry are left alone."""
    message = root_message(rt.api_version, rt.kind)
    if message is None:
        return
    patching = bool(admission.patch_type)
    result = decode(message, obj, sort_keys=patching)
    if result.error is not None:
        if patching:
            raise _patch_error(obj, admission, result.error)
        raise st.bad_request(
            f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}: {result.error}'
        )
    texts = [f"unknown field {json.dumps(path)}" for path in result.unknown]
    directive = admission.field_validation or "Warn"
    if texts and directive == "Strict":
        message_text = "strict decoding error: " + ", ".join(texts)
        if patching:
            raise _patch_error(obj, admission, message_text)
        raise st.bad_request(
            f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}: {message_text}'
        )
    if directive == "Warn":
        admission.warnings.extend(texts)
    obj.clear()
    obj.update(result.obj)
