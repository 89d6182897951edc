"""Coverage of the protobuf schema table: every served kind resolves, and whole objects survive.

A small table-driven encoder here writes objects the way gogo-protobuf does (every non-pointer
scalar, zero or not); decoding that must give back the JSON form of the object.
"""

from __future__ import annotations

import base64
import json
import struct
from datetime import datetime, timezone
from typing import Any

import pytest

from kctl.sandbox._catalog import BUILTIN_RESOURCES
from kctl.sandbox._protobuf import MAGIC, _schema, decode_object
from kctl.sandbox._seed import demo_objects

META = "k8s.io.apimachinery.pkg.apis.meta.v1."


def varint(n: int) -> bytes:
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        low, n = n & 0x7F, n >> 7
        out.append(low | (0x80 if n else 0))
        if not n:
            return bytes(out)


def ld(number: int, data: bytes) -> bytes:
    return varint(number << 3 | 2) + varint(len(data)) + data


def scalar(number: int, kind: str, value: Any) -> bytes:
    if kind == "string":
        return ld(number, value.encode())
    if kind == "bytes":
        return ld(number, base64.b64decode(value))
    if kind == "double":
        return varint(number << 3 | 1) + struct.pack("<d", value)
    return varint(number << 3) + varint(int(value))


def special(name: str, value: Any) -> bytes | None:
    if name in (META + "Time", META + "MicroTime"):
        if not value:
            return b""
        moment = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc)
        seconds = int(moment.timestamp())
        return scalar(1, "int64", seconds) + scalar(2, "int32", moment.microsecond * 1000)
    if name.endswith(".Quantity"):
        return scalar(1, "string", str(value))
    if name.endswith(".IntOrString"):
        if isinstance(value, str):
            return scalar(1, "int64", 1) + scalar(2, "int32", 0) + scalar(3, "string", value)
        return scalar(1, "int64", 0) + scalar(2, "int32", value) + scalar(3, "string", "")
    if name.endswith((".RawExtension", ".FieldsV1")):
        return b"" if value in (None, {}) else ld(1, json.dumps(value).encode())
    return None


def encode(name: str, obj: Any) -> bytes:
    raw = special(name, obj)
    if raw is not None:
        return raw
    messages, lists, _ = _schema()
    fields = messages[name]
    if name in lists:
        return b"".join(scalar(1, fields[1][2], item) for item in obj)
    out = bytearray()
    for number, json_name, kind, flags in sorted(fields.values()):
        value = obj if json_name == "" else obj.get(json_name)
        if kind.startswith("map:"):
            _, key_kind, value_kind = kind.split(":", 2)
            for key, item in sorted((value or {}).items()):
                entry = scalar(1, key_kind, key) + _one(2, value_kind, item)
                out += ld(number, entry)
        elif "r" in flags:
            for item in value or []:
                out += _one(number, kind, item)
        elif json_name and json_name not in obj:
            # gogo writes every non-pointer field, so an absent one goes out as its zero value
            if "p" in flags:
                continue
            if kind.startswith("message:"):
                out += ld(number, encode(kind[8:], {}))
            else:
                out += scalar(number, kind, "" if kind in ("string", "bytes") else 0)
        else:
            out += _one(number, kind, value)
    return bytes(out)


def _one(number: int, kind: str, value: Any) -> bytes:
    if kind.startswith("message:"):
        return ld(number, encode(kind[8:], value))
    return scalar(number, kind, value)


def envelope(obj: dict[str, Any]) -> bytes:
    _, _, packages = _schema()
    name = f"{packages[obj['apiVersion']]}.{obj['kind']}"
    type_meta = scalar(1, "string", obj["apiVersion"]) + scalar(2, "string", obj["kind"])
    return MAGIC + ld(1, type_meta) + ld(2, encode(name, obj))


def test_every_served_kind_has_a_message() -> None:
    messages, _, packages = _schema()
    missing = []
    for rt in BUILTIN_RESOURCES:
        wanted = [(rt.api_version, rt.kind)]
        for sub in rt.subresources:
            if sub.group is None:
                wanted.append((rt.api_version, sub.kind))
            else:
                wanted.append(
                    (f"{sub.group}/{sub.version}" if sub.group else f"{sub.version}", sub.kind)
                )
        for api_version, kind in wanted:
            package = packages.get(api_version)
            if package is None or f"{package}.{kind}" not in messages:
                missing.append(f"{api_version} {kind}")
    # storagemigration.k8s.io is new with the 1.37 recording and not yet in the protobuf
    # table (docs/sandbox-differences.md, Recorded data): JSON only.
    assert missing == ["storagemigration.k8s.io/v1 StorageVersionMigration"] * 2
    for api_version, kind in [
        ("autoscaling/v1", "Scale"),
        ("policy/v1", "Eviction"),
        ("authentication.k8s.io/v1", "TokenRequest"),
        ("meta.k8s.io/v1", "DeleteOptions"),
    ]:
        assert f"{packages[api_version]}.{kind}" in messages


def _seed() -> list[dict[str, Any]]:
    return demo_objects(datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc))


@pytest.mark.parametrize("obj", _seed(), ids=lambda o: f"{o['kind']}/{o['metadata']['name']}")
def test_demo_objects_round_trip(obj: dict[str, Any]) -> None:
    """Every seeded field comes back unchanged.

    The seed is hand-written JSON, not Go's output, so it leaves out non-pointer structs
    (``resources: {}``) that encoding/json always writes; those may appear, empty.
    """
    assert _covers(decode_object(envelope(obj)), obj, "")


def _covers(got: Any, want: Any, path: str) -> bool:
    if isinstance(want, dict) and isinstance(got, dict):
        for key, value in want.items():
            assert key in got, f"{path}.{key} lost"
            _covers(got[key], value, f"{path}.{key}")
        for key in got.keys() - want.keys():
            assert _empty(got[key]), f"{path}.{key} appeared: {got[key]!r}"
        return True
    if isinstance(want, list) and isinstance(got, list):
        assert len(got) == len(want), path
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _covers(g, w, f"{path}[{i}]")
        return True
    assert got == want and type(got) is type(want), f"{path}: {got!r} != {want!r}"
    return True


def _empty(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_empty(v) for v in value.values())
    return value in (None, "", 0, False, [])
