"""The protobuf wire decoder and the Kubernetes envelope, on hand-built byte strings."""

from __future__ import annotations

import struct
from typing import Any

import pytest

from kctl.sandbox._protobuf import (
    MAGIC,
    UnknownKindError,
    decode_message,
    decode_object,
    go_duration,
    iter_fields,
    unwrap,
)

META = "k8s.io.apimachinery.pkg.apis.meta.v1."
CORE = "k8s.io.api.core.v1."
APIEXT = "k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1."


# --- a tiny encoder ------------------------------------------------------------------------


def varint(n: int) -> bytes:
    n &= (1 << 64) - 1  # negative numbers go out as 10-byte two's complement, as in Go
    out = bytearray()
    while True:
        low = n & 0x7F
        n >>= 7
        if n:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def vf(number: int, value: int) -> bytes:
    return varint(number << 3) + varint(value)


def ld(number: int, value: bytes | str) -> bytes:
    data = value.encode() if isinstance(value, str) else value
    return varint(number << 3 | 2) + varint(len(data)) + data


def entry(key: str, value: bytes | str) -> bytes:
    return ld(1, key) + ld(2, value)


def envelope(api_version: str, kind: str, raw: bytes, encoding: str = "") -> bytes:
    type_meta = ld(1, api_version) + ld(2, kind)
    body = ld(1, type_meta) + ld(2, raw) + ld(3, encoding) + ld(4, "")
    return MAGIC + body


def meta(name: str, namespace: str = "", **extra: bytes) -> bytes:
    # gogo writes every non-pointer scalar, zero or not, and the zero creationTimestamp
    data = ld(1, name) + ld(2, "") + ld(3, namespace) + ld(4, "") + ld(5, "") + ld(6, "")
    return data + vf(7, 0) + ld(8, b"") + b"".join(extra.values())


def md(name: str, namespace: str = "") -> bytes:
    """An object's metadata field."""
    return ld(1, meta(name, namespace))


# --- wire format ---------------------------------------------------------------------------


def test_iter_fields_all_wire_types() -> None:
    data = (
        vf(1, 300)
        + varint(2 << 3 | 1)
        + struct.pack("<d", 2.5)
        + ld(3, "hé")
        + varint(4 << 3 | 5)
        + struct.pack("<f", 0.5)
    )
    fields = list(iter_fields(data))
    assert fields[0] == (1, 0, 300)
    assert fields[1][:2] == (2, 1) and struct.pack("<Q", fields[1][2]) == struct.pack("<d", 2.5)
    assert fields[2] == (3, 2, "hé".encode())
    assert fields[3][:2] == (4, 5)


@pytest.mark.parametrize(
    "data",
    [
        b"\x08",  # varint cut short
        b"\x08" + b"\xff" * 11,  # varint longer than 10 bytes
        b"\x12\x05abc",  # length past the end
        b"\x09\x00\x00",  # fixed64 cut short
        b"\x0d\x00",  # fixed32 cut short
        b"\x0b",  # group start: not used by Kubernetes
        b"\x00\x00",  # field number 0
    ],
)
def test_malformed_wire_data(data: bytes) -> None:
    with pytest.raises(ValueError):
        list(iter_fields(data))


def test_scalars_signs_and_packing() -> None:
    # PodSpec.priority is an *int32: negative values are 10-byte varints
    spec = decode_message(CORE + "PodSpec", vf(25, -5) + vf(11, 1) + vf(12, 0))
    assert spec["priority"] == -5
    assert spec["hostNetwork"] is True
    assert "hostPID" not in spec  # a non-pointer false is omitempty'd
    # NodeSelectorRequirement.values: repeated strings, one field per item
    req = decode_message(CORE + "NodeSelectorRequirement", ld(1, "k") + ld(3, "a") + ld(3, "b"))
    assert req == {"key": "k", "operator": "", "values": ["a", "b"]}  # operator: no omitempty
    # packed repeated int64 (proto3-style encoders pack; gogo proto2 does not)
    ctx = decode_message(CORE + "PodSecurityContext", ld(4, varint(5) + varint(300)))
    assert ctx["supplementalGroups"] == [5, 300]
    ctx = decode_message(CORE + "PodSecurityContext", vf(4, 5) + vf(4, 6))
    assert ctx["supplementalGroups"] == [5, 6]


def test_double_fields() -> None:
    props = decode_message(
        APIEXT + "JSONSchemaProps",
        varint(9 << 3 | 1)
        + struct.pack("<d", 10.0)
        + varint(11 << 3 | 1)
        + struct.pack("<d", 0.25),
    )
    assert props == {"maximum": 10, "minimum": 0.25}


def test_invalid_utf8_string() -> None:
    with pytest.raises(ValueError, match="UTF-8"):
        decode_message(META + "ObjectMeta", ld(1, b"\xff\xfe"))


def test_wrong_wire_type_for_string() -> None:
    with pytest.raises(ValueError, match="wire type 0"):
        decode_message(META + "ObjectMeta", vf(1, 7))


# --- JSON fidelity ---------------------------------------------------------------------------


def test_object_meta_omitempty_and_omitzero() -> None:
    labels = ld(11, entry("app", "web")) + ld(11, entry("tier", "fe"))
    deletion = ld(9, vf(1, 1_700_000_000))
    got = decode_message(META + "ObjectMeta", meta("x", "dev", labels=labels, deletion=deletion))
    # creationTimestamp is omitempty,omitzero: a zero Time is dropped, not null
    assert got == {
        "name": "x",
        "namespace": "dev",
        "deletionTimestamp": "2023-11-14T22:13:20Z",
        "labels": {"app": "web", "tier": "fe"},
    }
    stamped = decode_message(META + "ObjectMeta", ld(8, vf(1, 86400) + vf(2, 5)))
    assert stamped == {"creationTimestamp": "1970-01-02T00:00:00Z"}


def test_micro_time_has_six_digits() -> None:
    raw = md("e", "dev") + ld(2, vf(1, 1_700_000_000) + vf(2, 123_456_789))
    event = decode_object(envelope("events.k8s.io/v1", "Event", raw))
    assert event["eventTime"] == "2023-11-14T22:13:20.123456Z"
    # non-pointer ObjectReference and EventSource structs are never dropped; zero Times are null
    assert event["regarding"] == {} and event["deprecatedSource"] == {}
    assert event["deprecatedFirstTimestamp"] is None


def test_pointer_zero_kept_and_non_omitempty_defaults() -> None:
    port = ld(6, ld(4, "TCP"))  # containerPort left off the wire
    container = ld(1, "app") + ld(2, "nginx") + port + ld(8, b"")
    template = ld(1, meta("")) + ld(2, ld(2, container))
    spec = vf(1, 0) + ld(3, template) + ld(4, b"") + vf(5, 0) + vf(7, 0)
    dep = decode_object(envelope("apps/v1", "Deployment", md("web", "dev") + ld(2, spec)))
    assert dep["spec"]["replicas"] == 0  # *int32 on the wire: set on purpose
    assert dep["spec"]["selector"] is None  # *LabelSelector, json:"selector" (no omitempty)
    assert dep["spec"]["strategy"] == {}
    assert "paused" not in dep["spec"] and "minReadySeconds" not in dep["spec"]
    ctr = dep["spec"]["template"]["spec"]["containers"][0]
    assert ctr == {
        "name": "app",
        "image": "nginx",
        "ports": [{"containerPort": 0, "protocol": "TCP"}],
        "resources": {},
    }
    assert dep["status"] == {}
    assert dep["kind"] == "Deployment" and dep["apiVersion"] == "apps/v1"


def test_nil_slice_without_omitempty_is_null() -> None:
    role = decode_object(envelope("rbac.authorization.k8s.io/v1", "ClusterRole", md("r")))
    assert role["rules"] is None
    pod = decode_object(envelope("v1", "Pod", md("p") + ld(2, b"")))
    assert pod["spec"]["containers"] is None


def test_inline_embedded_struct() -> None:
    volume = ld(1, "cache") + ld(2, ld(2, ld(1, "Memory")))
    pod_spec = ld(1, volume) + ld(2, ld(1, "c"))
    pod = decode_object(envelope("v1", "Pod", md("p") + ld(2, pod_spec)))
    assert pod["spec"]["volumes"] == [{"name": "cache", "emptyDir": {"medium": "Memory"}}]


def test_bytes_map_is_base64() -> None:
    raw = md("s", "dev") + ld(2, entry("pw", b"\x00\xffhi")) + ld(3, "Opaque")
    secret = decode_object(envelope("v1", "Secret", raw))
    assert secret["data"] == {"pw": "AP9oaQ=="}
    assert secret["type"] == "Opaque"


def test_quantity_and_int_or_string() -> None:
    hard = ld(1, entry("cpu", ld(1, "500m"))) + ld(1, entry("pods", ld(1, "10")))
    quota = decode_object(envelope("v1", "ResourceQuota", md("q") + ld(2, hard)))
    assert quota["spec"]["hard"] == {"cpu": "500m", "pods": "10"}
    as_int = ld(1, vf(1, 0) + vf(2, 2) + ld(3, ""))
    as_str = ld(3, vf(1, 1) + vf(2, 0) + ld(3, "25%"))
    pdb = decode_object(
        envelope("policy/v1", "PodDisruptionBudget", md("b") + ld(2, as_int + as_str))
    )
    assert pdb["spec"] == {"minAvailable": 2, "maxUnavailable": "25%"}


def test_raw_extension_and_list_wrappers() -> None:
    rev = md("r") + ld(2, ld(1, b'{"spec":{"x":1}}')) + vf(3, 4)
    got = decode_object(envelope("apps/v1", "ControllerRevision", rev))
    assert got["data"] == {"spec": {"x": 1}} and got["revision"] == 4
    empty = decode_object(envelope("apps/v1", "ControllerRevision", md("r")))
    assert empty["data"] is None and empty["revision"] == 0
    user = decode_message(
        "k8s.io.api.authentication.v1.UserInfo",
        ld(1, "bob") + ld(4, entry("scopes", ld(1, "a") + ld(1, "b"))),
    )
    assert user == {"username": "bob", "extra": {"scopes": ["a", "b"]}}


def test_json_schema_props_or() -> None:
    props = APIEXT + "JSONSchemaProps"
    closed = decode_message(props, ld(30, vf(1, 0)))
    assert closed == {"additionalProperties": False}
    typed = decode_message(props, ld(30, vf(1, 1) + ld(2, ld(5, "string"))))
    assert typed == {"additionalProperties": {"type": "string"}}
    items = decode_message(props, ld(24, ld(1, ld(5, "integer"))))
    assert items == {"items": {"type": "integer"}}
    deps = decode_message(props, ld(32, entry("a", ld(2, "b") + ld(2, "c"))))
    assert deps == {"dependencies": {"a": ["b", "c"]}}
    default = decode_message(props, ld(8, ld(1, b'"x"')))
    assert default == {"default": "x"}


def test_unknown_fields_are_skipped() -> None:
    got = decode_message(CORE + "ConfigMap", md("c") + ld(99, "future") + vf(98, 1))
    assert got == {"metadata": {"name": "c"}}


@pytest.mark.parametrize(
    ("nanos", "text"),
    [
        (0, "0s"),
        (1, "1ns"),
        (1_500, "1.5µs"),
        (2_000_000, "2ms"),
        (1_000_000_000, "1s"),
        (90_000_000_000, "1m30s"),
        (3_600_000_000_000, "1h0m0s"),
        (3_723_500_000_000, "1h2m3.5s"),
        (-1_500_000_000, "-1.5s"),
    ],
)
def test_go_duration(nanos: int, text: str) -> None:
    assert go_duration(nanos) == text
    assert decode_message(META + "Duration", vf(1, nanos)) == text


# --- envelope --------------------------------------------------------------------------------


def test_unwrap_envelope() -> None:
    assert unwrap(envelope("v1", "ConfigMap", b"\x01\x02")) == ("v1", "ConfigMap", b"\x01\x02")


def test_envelope_errors() -> None:
    with pytest.raises(ValueError, match="magic"):
        unwrap(b'{"kind":"ConfigMap"}')
    with pytest.raises(ValueError, match="content encoding"):
        unwrap(envelope("v1", "ConfigMap", b"", encoding="gzip"))
    with pytest.raises(UnknownKindError):
        decode_object(envelope("example.com/v1", "Widget", b""))
    with pytest.raises(UnknownKindError):
        decode_object(envelope("v1", "NoSuchKind", b""))
    with pytest.raises(ValueError, match='ConfigMap in version "v1" cannot be handled'):
        decode_object(envelope("v1", "ConfigMap", b"\x0a\x05ab"))


def test_whole_kubectl_configmap_body() -> None:
    """Bytes captured from `kubectl create configmap c1 -n dev --from-literal=a=b` (1.37.1)."""
    body = bytes.fromhex(
        "6b3873000a0f0a0276311209436f6e6669674d6170121f0a150a026331120"
        "01a03646576220 02a003200380042001206 0a016112016 21a002200".replace(" ", "")
    )
    expected: dict[str, Any] = {
        "kind": "ConfigMap",
        "apiVersion": "v1",
        "metadata": {"name": "c1", "namespace": "dev"},
        "data": {"a": "b"},
    }
    assert decode_object(body) == expected
