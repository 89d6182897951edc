"""Kubernetes protobuf request bodies, decoded to the dict the same object's JSON would give.

Clients built on client-go (kubectl's ``create`` generators among them) send typed objects as
``application/vnd.kubernetes.protobuf``: the magic ``k8s\\x00`` followed by a
``runtime.Unknown`` message whose ``raw`` field holds the object's own protobuf encoding.
Decoding needs no generated code, only a field table per message, which lives in
``data/protobuf.json.gz``::

    {"messages": {full message name: [[field number, json name, kind, flags], ...]},
     "lists": [messages that are a Go slice type, so JSON is the bare list of ``items``],
     "packages": {"apps/v1": "k8s.io.api.apps.v1", ...}}

``kind`` is a scalar type (string, int32, int64, uint32, uint64, bool, bytes, double, float),
``message:<full name>`` or ``map:<key type>:<value kind>``. A json name of ``""`` marks a Go
embedded struct whose fields JSON inlines into the parent. ``flags`` holds ``r`` (repeated),
``p`` (Go pointer: a zero value on the wire was set on purpose), ``k`` (the Go json tag has
no omitempty, so a zero or absent value is still written) and ``z`` (omitzero: a zero value,
struct or not, is left out).

The table was built by joining each message of the ``generated.proto`` files of k8s.io/api
(every group/version the sandbox serves), k8s.io/apimachinery (meta/v1, api/resource,
util/intstr, runtime), apiextensions-apiserver and kube-aggregator with the Go struct of the
same name in that package's ``types*.go``: field numbers and types come from the .proto, the
json name, omitempty, omitzero and pointer-ness from the struct field carrying the matching
``protobuf:"...,<number>,..."`` tag. To regenerate, repeat that join for the current sources
and write the JSON above, gzip-compressed.

Types with hand-written JSON marshalling (Time, MicroTime, Duration, Quantity, IntOrString,
RawExtension, FieldsV1, apiextensions' JSON and JSONSchemaPropsOr*) are converted here, the
same way their Go MarshalJSON methods render them.
"""

from __future__ import annotations

import base64
import functools
import gzip
import json
import struct
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from importlib import resources
from typing import Any

from kctl.util.goformat import go_duration_nanos as go_duration

__all__ = [
    "MAGIC",
    "UnknownKindError",
    "decode_message",
    "decode_object",
    "go_duration",
    "iter_fields",
    "unwrap",
]

MAGIC = b"k8s\x00"

_META = "k8s.io.apimachinery.pkg.apis.meta.v1."
_APIEXT = "k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1."
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_VARINT, _FIXED64, _BYTES, _FIXED32 = 0, 1, 2, 5
_ZERO: dict[str, Any] = {
    "string": "",
    "bool": False,
    "double": 0,
    "float": 0,
    "int32": 0,
    "int64": 0,
    "uint32": 0,
    "uint64": 0,
}

_Field = tuple[int, str, str, str]
_OMIT = object()


class UnknownKindError(LookupError):
    """The envelope names an apiVersion/kind with no protobuf schema (custom resources)."""


@functools.cache
def _schema() -> tuple[dict[str, dict[int, _Field]], frozenset[str], dict[str, str]]:
    raw = resources.files("kctl.sandbox").joinpath("data/protobuf.json.gz").read_bytes()
    doc = json.loads(gzip.decompress(raw))
    messages = {
        name: {row[0]: (row[0], row[1], row[2], row[3]) for row in rows}
        for name, rows in doc["messages"].items()
    }
    return messages, frozenset(doc["lists"]), dict(doc["packages"])


# --- wire format ---------------------------------------------------------------------------


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data):
            raise ValueError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise ValueError("varint longer than 10 bytes")


def iter_fields(data: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """Yield (field number, wire type, value): an int for varint/fixed, bytes otherwise."""
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise ValueError("invalid field number 0")
        value: int | bytes
        if wire == _VARINT:
            value, pos = _varint(data, pos)
        elif wire == _FIXED64:
            if pos + 8 > len(data):
                raise ValueError("truncated fixed64")
            value = int.from_bytes(data[pos : pos + 8], "little")
            pos += 8
        elif wire == _FIXED32:
            if pos + 4 > len(data):
                raise ValueError("truncated fixed32")
            value = int.from_bytes(data[pos : pos + 4], "little")
            pos += 4
        elif wire == _BYTES:
            size, pos = _varint(data, pos)
            if pos + size > len(data):
                raise ValueError("truncated length-delimited field")
            value = data[pos : pos + size]
            pos += size
        else:
            raise ValueError(f"unsupported wire type {wire}")
        yield number, wire, value


def _scalar(kind: str, wire: int, value: int | bytes) -> Any:
    if kind == "string" or kind == "bytes":
        if not isinstance(value, bytes):
            raise ValueError(f"wire type {wire} for a {kind} field")
        if kind == "bytes":
            return base64.b64encode(value).decode("ascii")
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("string field is not valid UTF-8") from None
    if not isinstance(value, int):
        raise ValueError(f"wire type {wire} for a {kind} field")
    if kind == "bool":
        return value != 0
    if kind in ("double", "float"):
        fmt, size = ("<d", 8) if kind == "double" else ("<f", 4)
        number: float = struct.unpack(fmt, value.to_bytes(size, "little"))[0]
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if kind in ("int32", "int64") and value >= 1 << 63:
        return value - (1 << 64)
    if kind in ("int32", "int64", "uint32", "uint64"):
        return value
    raise ValueError(f"unknown scalar kind {kind}")


def _packed(kind: str, data: bytes) -> list[Any]:
    """Numeric repeated fields may arrive packed into one length-delimited run."""
    out: list[Any] = []
    pos = 0
    while pos < len(data):
        if kind == "double" or kind == "float":
            size = 8 if kind == "double" else 4
            out.append(_scalar(kind, _FIXED64, int.from_bytes(data[pos : pos + size], "little")))
            pos += size
        else:
            value, pos = _varint(data, pos)
            out.append(_scalar(kind, _VARINT, value))
    return out


# --- messages --------------------------------------------------------------------------------


def _is_zero(value: Any) -> bool:
    return value is None or value == "" or value == 0 or value == [] or value == {}


def _value(kind: str, wire: int, value: int | bytes) -> Any:
    if kind.startswith("message:"):
        if not isinstance(value, bytes):
            raise ValueError(f"wire type {wire} for a message field")
        return decode_message(kind[8:], value)
    return _scalar(kind, wire, value)


def _map_entry(kind: str, data: bytes) -> tuple[Any, Any]:
    _, key_kind, value_kind = kind.split(":", 2)
    key: Any = _ZERO.get(key_kind, "")
    value: Any = _OMIT
    for number, wire, raw in iter_fields(data):
        if number == 1:
            key = _scalar(key_kind, wire, raw)
        elif number == 2:
            value = _value(value_kind, wire, raw)
    if value is _OMIT:
        # An entry without a value holds the value type's zero.
        if value_kind.startswith("message:"):
            value = _value(value_kind, _BYTES, b"")
        else:
            value = _ZERO.get(value_kind, "")
    return key if isinstance(key, str) else str(key), value


def _special(name: str, data: bytes) -> tuple[bool, Any]:
    """Messages whose Go type marshals its own JSON."""
    short = name.rsplit(".", 1)[-1]
    if name in (_META + "Time", _META + "MicroTime"):
        seconds = nanos = 0
        for number, _, value in iter_fields(data):
            if number == 1 and isinstance(value, int):
                seconds = _scalar("int64", _VARINT, value)
            elif number == 2 and isinstance(value, int):
                nanos = _scalar("int32", _VARINT, value)
        if seconds == 0 and nanos == 0:
            return True, None
        moment = _EPOCH + timedelta(seconds=seconds, microseconds=nanos // 1000)
        if short == "Time":
            return True, moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        return True, moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if name == _META + "Duration":
        nanos = 0
        for number, _, value in iter_fields(data):
            if number == 1 and isinstance(value, int):
                nanos = _scalar("int64", _VARINT, value)
        return True, go_duration(nanos)
    if name in (
        "k8s.io.apimachinery.pkg.api.resource.Quantity",
        "k8s.io.apimachinery.pkg.api.resource.QuantityValue",
    ):
        text = "0"
        for number, wire, value in iter_fields(data):
            if number == 1:
                text = _scalar("string", wire, value)
        return True, text
    if name == "k8s.io.apimachinery.pkg.util.intstr.IntOrString":
        kind, int_val, str_val = 0, 0, ""
        for number, wire, value in iter_fields(data):
            if number == 1:
                kind = _scalar("int64", wire, value)
            elif number == 2:
                int_val = _scalar("int32", wire, value)
            elif number == 3:
                str_val = _scalar("string", wire, value)
        return True, str_val if kind == 1 else int_val
    if name in (
        "k8s.io.apimachinery.pkg.runtime.RawExtension",
        _META + "FieldsV1",
        _APIEXT + "JSON",
    ):
        raw = b""
        for number, _, value in iter_fields(data):
            if number == 1 and isinstance(value, bytes):
                raw = value
        if not raw:
            return True, None
        if raw.startswith(MAGIC):
            return True, decode_object(raw)
        try:
            return True, json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise ValueError(f"{short} does not hold JSON") from None
    if name.startswith(_APIEXT + "JSONSchemaPropsOr"):
        return True, _schema_props_or(short, data)
    return False, None


def _schema_props_or(short: str, data: bytes) -> Any:
    props = _APIEXT + "JSONSchemaProps"
    schema: Any = None
    items: list[Any] = []
    allows = False
    for number, wire, value in iter_fields(data):
        if short == "JSONSchemaPropsOrBool" and number == 1:
            allows = bool(_scalar("bool", wire, value))
        elif number == (2 if short == "JSONSchemaPropsOrBool" else 1):
            schema = _value("message:" + props, wire, value)
        elif number == 2 and short == "JSONSchemaPropsOrArray":
            items.append(_value("message:" + props, wire, value))
        elif number == 2 and short == "JSONSchemaPropsOrStringArray":
            items.append(_scalar("string", wire, value))
    if short == "JSONSchemaPropsOrBool":
        return schema if schema is not None else allows
    if items:
        return items
    return schema


def decode_message(name: str, data: bytes) -> Any:
    """Decode one message to its Go encoding/json form (usually a dict)."""
    handled, special = _special(name, data)
    if handled:
        return special
    messages, lists, _ = _schema()
    fields = messages.get(name)
    if fields is None:
        raise ValueError(f"no protobuf schema for {name}")
    if name in lists:
        return [_value(fields[1][2], wire, value) for number, wire, value in iter_fields(data)]
    seen: dict[int, Any] = {}
    for number, wire, value in iter_fields(data):
        spec = fields.get(number)
        if spec is None:
            continue  # unknown fields are skipped, as gogo-protobuf does
        _, _, kind, flags = spec
        if kind.startswith("map:"):
            if not isinstance(value, bytes):
                raise ValueError(f"wire type {wire} for a map field")
            key, item = _map_entry(kind, value)
            seen.setdefault(number, {})[key] = item
        elif "r" in flags:
            bucket = seen.setdefault(number, [])
            if wire == _BYTES and kind in _ZERO and kind != "string" and isinstance(value, bytes):
                bucket.extend(_packed(kind, value))
            else:
                bucket.append(_value(kind, wire, value))
        else:
            seen[number] = _value(kind, wire, value)
    out: dict[str, Any] = {}
    for number, (_, json_name, kind, flags) in fields.items():
        value = seen[number] if number in seen else _absent(kind, flags)
        if value is _OMIT:
            continue
        if number in seen and _omitted(kind, flags, value):
            continue
        if "z" in flags and _is_zero(value):
            continue
        if json_name == "" and isinstance(value, dict):
            out.update(value)
        elif json_name:
            out[json_name] = value
    return out


def _omitted(kind: str, flags: str, value: Any) -> bool:
    """Whether encoding/json's omitempty drops a value that was on the wire.

    gogo-protobuf writes every non-pointer scalar, zero or not; structs are never empty to
    omitempty, and a pointer on the wire was set, even to a zero value.
    """
    if "k" in flags or ("p" in flags and "r" not in flags):
        return False
    if kind.startswith("message:") and "r" not in flags:
        return False
    return _is_zero(value)


def _absent(kind: str, flags: str) -> Any:
    """The JSON a field not on the wire has: null, a zero value, or nothing at all."""
    if "r" in flags or kind.startswith("map:") or "p" in flags:
        # nil slices, maps and pointers: null without omitempty, else left out
        return None if "k" in flags else _OMIT
    if kind.startswith("message:"):
        # Go's omitempty never drops a struct, so an absent one is its zero value.
        return decode_message(kind[8:], b"")
    if "k" in flags:
        return None if kind == "bytes" else _ZERO.get(kind)
    return _OMIT


# --- envelope --------------------------------------------------------------------------------


def unwrap(body: bytes) -> tuple[str, str, bytes]:
    """Split a ``k8s\\x00`` + runtime.Unknown envelope into (apiVersion, kind, raw)."""
    if not body.startswith(MAGIC):
        raise ValueError("provided object is not a protobuf message (missing magic prefix)")
    api_version = kind = encoding = ""
    raw = b""
    for number, wire, value in iter_fields(body[len(MAGIC) :]):
        if number == 1 and isinstance(value, bytes):
            for sub, sub_wire, sub_value in iter_fields(value):
                if sub == 1:
                    api_version = _scalar("string", sub_wire, sub_value)
                elif sub == 2:
                    kind = _scalar("string", sub_wire, sub_value)
        elif number == 2 and isinstance(value, bytes):
            raw = value
        elif number == 3:
            encoding = _scalar("string", wire, value)
    if encoding:
        raise ValueError(f"unsupported content encoding {encoding!r}")
    return api_version, kind, raw


def decode_object(body: bytes) -> dict[str, Any]:
    """Decode an enveloped object to the dict its JSON form would parse to.

    Raises ValueError for malformed bytes and UnknownKindError when the apiVersion/kind has
    no built-in schema.
    """
    api_version, kind, raw = unwrap(body)
    messages, _, packages = _schema()
    package = packages.get(api_version)
    name = f"{package}.{kind}"
    if package is None or not kind or name not in messages:
        raise UnknownKindError(f"no protobuf schema for {api_version}, Kind={kind}")
    try:
        decoded = decode_message(name, raw)
    except ValueError as err:
        version = api_version.rpartition("/")[2]
        raise ValueError(
            f'{kind} in version "{version}" cannot be handled as a {kind}: {err}'
        ) from None
    return {"kind": kind, "apiVersion": api_version, **decoded}
