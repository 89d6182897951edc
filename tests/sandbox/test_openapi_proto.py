"""/openapi/v2 as gnostic protobuf: the encoder against a hand decoder, kube-openapi's content
negotiation over HTTP, and real kubectl 1.37.1 reading the document (explain, client-side
schema validation of a List)."""

from __future__ import annotations

import hashlib
import json
import struct
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent))
from helpers_http import call

from kctl.sandbox import Sandbox
from kctl.sandbox._catalog import Catalog, ResourceType
from kctl.sandbox._openapi import openapi_v2
from kctl.sandbox._openapi_proto import (
    PROTO_CONTENT_TYPE,
    OpenAPIV2Error,
    encode_document,
    negotiate,
    v2_body,
    yaml_any,
)

KUBECTL_ACCEPT = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"

# --- a hand decoder ----------------------------------------------------------------------


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, pos


def wire(buf: bytes) -> list[tuple[int, int, Any]]:
    """(field, wire type, int | bytes) in order; fails on anything malformed."""
    out: list[tuple[int, int, Any]] = []
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, kind = key >> 3, key & 7
        if kind == 0:
            value, pos = _varint(buf, pos)
        elif kind == 1:
            value, pos = buf[pos : pos + 8], pos + 8
        elif kind == 2:
            size, pos = _varint(buf, pos)
            value, pos = buf[pos : pos + size], pos + size
            assert pos <= len(buf), "length runs past the end"
        else:
            raise AssertionError(f"unexpected wire type {kind}")
        out.append((number, kind, value))
    return out


Shape = dict[int, Any]


def tree(buf: bytes, shape: Shape) -> dict[int, list[Any]]:
    """Decode with a shape: field -> "s" string, "v" varint, "d" double, or a nested shape;
    fields the shape leaves out stay raw bytes."""
    out: dict[int, list[Any]] = {}
    for number, _, value in wire(buf):
        kind = shape.get(number, "raw")
        if kind == "raw":
            decoded: Any = value
        elif kind == "s":
            decoded = value.decode()
        elif kind == "v":
            decoded = value
        elif kind == "d":
            decoded = struct.unpack("<d", value)[0]
        else:
            decoded = tree(value, kind)
        out.setdefault(number, []).append(decoded)
    return out


ANY: Shape = {2: "s"}
NAMED_ANY: Shape = {1: "s", 2: ANY}
SCHEMA: Shape = {1: "s", 2: "s", 4: "s", 7: "d", 11: "v", 19: "s", 31: NAMED_ANY}
SCHEMA[21] = {1: SCHEMA, 2: "v"}  # AdditionalPropertiesItem
SCHEMA[22] = {1: "s"}  # TypeItem
SCHEMA[23] = {1: SCHEMA}  # ItemsItem
SCHEMA[25] = {1: {1: "s", 2: SCHEMA}}  # Properties
QUERY: Shape = {2: "s", 3: "s", 4: "s", 6: "s"}
PARAM: Shape = {1: {1: {5: SCHEMA, 2: "s", 3: "s", 4: "v"}, 2: {3: QUERY}}, 2: {1: "s"}}
RESPONSES: Shape = {1: {1: "s", 2: {1: {1: "s", 2: {1: SCHEMA}}}}, 2: NAMED_ANY}
OPERATION: Shape = {5: "s", 8: PARAM, 9: RESPONSES, 13: NAMED_ANY}
PATH_ITEM: Shape = {2: OPERATION, 4: OPERATION, 8: OPERATION, 3: OPERATION, 5: OPERATION}
DOCUMENT: Shape = {
    1: "s",
    2: {1: "s", 2: "s"},
    8: {1: NAMED_ANY, 2: {1: "s", 2: PATH_ITEM}},
    9: {1: {1: "s", 2: SCHEMA}},
}

# --- the encoder -------------------------------------------------------------------------


def test_minimal_document_bytes() -> None:
    doc = {"swagger": "2.0", "info": {"title": "T", "version": "1"}, "paths": {}}
    # swagger(1) "2.0", info(2){title(1), version(2)}, an empty but present Paths(8).
    assert encode_document(doc) == b"\x0a\x032.0\x12\x06\x0a\x01T\x12\x011\x42\x00"


SMALL = {
    "swagger": "2.0",
    "info": {"version": "v1", "title": "Kubernetes"},  # fields go out by number, not key
    "paths": {
        "x-top": True,
        "/api/v1/pods": {
            "get": {
                "operationId": "listPod",
                "parameters": [
                    {"name": "limit", "in": "query", "description": "", "type": "integer"},
                    {"$ref": "#/parameters/pretty"},
                    {"name": "body", "in": "body", "required": True, "schema": {"type": "object"}},
                ],
                "responses": {
                    "200": {"description": "OK", "schema": {"$ref": "#/definitions/P"}},
                    "401": {"description": "Unauthorized"},
                },
                "x-kubernetes-action": "list",
            }
        },
    },
    "definitions": {
        "P": {
            "description": "",
            "type": "object",
            "required": ["spec", "kind"],
            "properties": {
                "spec": {"$ref": "#/definitions/S"},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "items": {"type": "array", "items": {"type": "integer", "format": "int32"}},
                "n": {"type": "number", "maximum": 1.5, "maxLength": -2},
            },
            "additionalProperties": False,
            "x-kubernetes-group-version-kind": [{"group": "", "kind": "P", "version": "v1"}],
        }
    },
}


def test_document_decodes_to_the_json() -> None:
    got = tree(encode_document(SMALL), DOCUMENT)
    assert got[1] == ["2.0"] and got[2] == [{1: ["Kubernetes"], 2: ["v1"]}]
    paths = got[8][0]
    assert paths[1] == [{1: ["x-top"], 2: [{2: ["true\n"]}]}]
    (path,) = paths[2]
    assert path[1] == ["/api/v1/pods"]
    op = path[2][0][2][0]
    assert op[5] == ["listPod"]
    assert op[8] == [
        {
            1: [{2: [{3: [{2: ["query"], 4: ["limit"], 6: ["integer"]}]}]}]
        },  # description "" left out
        {2: [{1: ["#/parameters/pretty"]}]},
        {1: [{1: [{2: ["body"], 3: ["body"], 4: [1], 5: [{22: [{1: ["object"]}]}]}]}]},
    ]
    assert op[9] == [
        {
            1: [
                {1: ["200"], 2: [{1: [{1: ["OK"], 2: [{1: [{1: ["#/definitions/P"]}]}]}]}]},
                {1: ["401"], 2: [{1: [{1: ["Unauthorized"]}]}]},
            ]
        }
    ]
    assert op[13] == [{1: ["x-kubernetes-action"], 2: [{2: ["list\n"]}]}]
    (definition,) = got[9][0][1]
    assert definition[1] == ["P"]
    p = definition[2][0]
    assert 4 not in p  # an empty description is proto3's zero value
    assert p[19] == ["spec", "kind"]
    assert p[21] == [{2: [0]}]  # additionalProperties: false is still written (a oneof)
    assert p[22] == [{1: ["object"]}]
    assert p[31] == [
        {
            1: ["x-kubernetes-group-version-kind"],
            2: [{2: ['- group: ""\n  kind: P\n  version: v1\n']}],
        }
    ]
    props = {e[1][0]: e[2][0] for e in p[25][0][1]}
    assert list(props) == ["spec", "labels", "items", "n"]
    assert props["spec"] == {1: ["#/definitions/S"]}
    assert props["labels"][21] == [{1: [{22: [{1: ["string"]}]}]}]
    assert props["items"][23] == [{1: [{2: ["int32"], 22: [{1: ["integer"]}]}]}]
    assert props["n"][7] == [1.5]
    assert props["n"][11] == [(1 << 64) - 2]  # int64 -2 as ten-byte two's complement


def test_fields_are_written_in_number_order() -> None:
    numbers = [n for n, _, _ in wire(encode_document(SMALL))]
    assert numbers == sorted(numbers)
    definition = wire(wire(wire(encode_document(SMALL))[-1][2])[0][2])[1][2]
    inner = [n for n, _, _ in wire(definition)]
    assert inner == sorted(inner) and inner[-1] == 31


@pytest.mark.parametrize(
    "doc",
    [
        {"swagger": "2.0", "info": {"title": "T", "version": "1"}},
        {"swagger": "2.0", "info": {"title": "T", "version": "1"}, "paths": {"bad": {}}},
        {
            "swagger": "2.0",
            "info": {"title": "T", "version": "1"},
            "paths": {},
            "definitions": {"D": {"type": "object", "nonsense": 1}},
        },
        {
            "swagger": "2.0",
            "info": {"title": "T", "version": "1"},
            "paths": {},
            "definitions": {"D": {"required": "a"}},
        },
    ],
)
def test_documents_gnostic_refuses(doc: dict[str, Any]) -> None:
    with pytest.raises(OpenAPIV2Error):
        encode_document(doc)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (True, "true\n"),
        ("merge", "merge\n"),
        ("merge,retainKeys", "merge,retainKeys\n"),
        ("", '""\n'),
        ("true", '"true"\n'),
        ("123", '"123"\n'),
        ("a: b", "'a: b'\n"),
        ("- x", "'- x'\n"),
        (["name", "protocol"], "- name\n- protocol\n"),
        (
            {"group": "apps", "kind": "Deployment", "version": "v1"},
            "group: apps\nkind: Deployment\nversion: v1\n",
        ),
        ({"a": [1, 2], "b": {"c": None}}, "a:\n    - 1\n    - 2\nb:\n    c: null\n"),
        ([{"a": 1, "b": [True]}], "- a: 1\n  b:\n    - true\n"),
        # As kube-apiserver sends x-kubernetes-unions: the nested map at column 4, not 6.
        ([{"a": {"b": 1}}], "- a:\n    b: 1\n"),
        # go-yaml v3's increase_indent: a block inside a sequence item skips its "- ".
        (["a\nb"], "- |-\n  a\n  b\n"),
        # libyaml's escapes, and no "..." after a plain scalar at the root.
        ("\x00x", '"\\0x"\n'),
        ("atomic", "atomic\n"),
        ({}, "{}\n"),
        ([], "[]\n"),
    ],
)
def test_vendor_extension_yaml(value: Any, text: str) -> None:
    assert yaml_any(value) == text
    assert yaml.safe_load(text) == value


def test_vendor_extension_yaml_is_yaml_1_2() -> None:
    # go-yaml v3 quotes only what YAML 1.2 would read as another type: "no" stays plain.
    assert (yaml_any("no"), yaml_any("2001-12-14"), yaml_any("0x1F")) == (
        "no\n",
        '"2001-12-14"\n',
        '"0x1F"\n',
    )


@pytest.mark.parametrize(
    "value",
    [
        "it's",
        "#x",
        "a #b",
        " lead",
        "multi\nline",
        "x\n",
        "\x01",
        1.25,
        -3,
        {"k": ["", "2001-12-14"]},
    ],
)
def test_vendor_extension_yaml_reads_back(value: Any) -> None:
    assert yaml.safe_load(yaml_any(value)) == value


# --- negotiation and caching -------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        ("", "application/json"),
        ("*/*", "application/json"),
        ("application/json, */*", "application/json"),
        (KUBECTL_ACCEPT, PROTO_CONTENT_TYPE),
        (PROTO_CONTENT_TYPE, PROTO_CONTENT_TYPE),
        (f"application/json;q=0.5, {KUBECTL_ACCEPT}", PROTO_CONTENT_TYPE),
        (f"*/*, {KUBECTL_ACCEPT}", PROTO_CONTENT_TYPE),  # concrete before wildcard
        ("application/*", "application/json"),
        ("text/html", None),
        ("application/yaml", None),
        ("application/vnd.kubernetes.protobuf", None),
    ],
)
def test_negotiate(accept: str, content_type: str | None) -> None:
    assert negotiate(accept) == content_type


def test_encoded_once_per_catalogue_generation() -> None:
    catalog = Catalog()
    json_body = openapi_v2(catalog)
    first = v2_body(catalog, json_body, PROTO_CONTENT_TYPE)
    assert v2_body(catalog, json_body, PROTO_CONTENT_TYPE).body is first.body
    catalog.add(
        ResourceType(
            "example.com", "v1", "widgets", "widget", "Widget", True, ("get",), is_crd=True
        )
    )
    json_after = openapi_v2(catalog)
    after = v2_body(catalog, json_after, PROTO_CONTENT_TYPE)
    assert after.etag != first.etag
    names = [e[1][0] for e in tree(after.body, DOCUMENT)[9][0][1]]
    assert "com.example.v1.Widget" in names
    assert "com.example.v1.Widget" not in [e[1][0] for e in tree(first.body, DOCUMENT)[9][0][1]]


def test_whole_sandbox_document_matches_its_json() -> None:
    doc = json.loads(openapi_v2(Catalog()))
    got = tree(encode_document(doc), DOCUMENT)
    definitions = got[9][0][1]
    assert [e[1][0] for e in definitions] == list(doc["definitions"])
    for entry in definitions:
        name, schema = entry[1][0], entry[2][0]
        for ext in schema.get(31, []):
            key = ext[1][0]
            assert yaml.safe_load(ext[2][0][2][0]) == doc["definitions"][name][key]
        props = doc["definitions"][name].get("properties", {})
        assert [p[1][0] for p in schema.get(25, [{1: []}])[0].get(1, [])] == list(props)
    assert [e[1][0] for e in got[8][0][2]] == list(doc["paths"])


# --- over HTTP ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox(seed="empty") as sandbox:
        yield sandbox


def test_http_negotiation_etag_and_304(sb: Sandbox) -> None:
    as_json = call(sb, "GET", "/openapi/v2")
    proto = call(sb, "GET", "/openapi/v2", headers={"Accept": KUBECTL_ACCEPT})
    assert as_json.status == proto.status == 200
    assert as_json.headers["content-type"] == "application/json"
    assert proto.headers["content-type"] == PROTO_CONTENT_TYPE
    etag = '"' + hashlib.sha512(as_json.body).hexdigest().upper() + '"'
    assert as_json.headers["etag"] == proto.headers["etag"] == etag
    assert proto.headers["vary"] == "Accept"
    assert proto.body == encode_document(as_json.json())
    again = call(
        sb, "GET", "/openapi/v2", headers={"Accept": KUBECTL_ACCEPT, "If-None-Match": etag}
    )
    assert (again.status, again.body, again.headers["etag"]) == (304, b"", etag)
    stale = call(sb, "GET", "/openapi/v2", headers={"If-None-Match": '"0"'})
    assert stale.status == 200 and stale.body == as_json.body
    refused = call(sb, "GET", "/openapi/v2", headers={"Accept": "application/yaml"})
    assert (refused.status, refused.body, refused.headers["vary"]) == (406, b"", "Accept")
    assert "content-type" not in refused.headers and "content-type" not in again.headers


# --- real kubectl ------------------------------------------------------------------------

LIST = """apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: d}
  spec:
    replicas: "three"
    selector: {matchLabels: {a: b}}
    template:
      metadata: {labels: {a: b}}
      spec:
        containers: [{name: c, image: nginx, bogus: 1, ports: [{containerPort: "80"}]}]
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: cm}
  extra: 1
"""
LIST_ERRORS = (
    'error: error validating "{file}": error validating data: ['
    "ValidationError(Deployment.spec.replicas): invalid type for "
    'io.k8s.api.apps.v1.DeploymentSpec.replicas: got "string", expected "integer", '
    "ValidationError(Deployment.spec.template.spec.containers[0]): "
    'unknown field "bogus" in io.k8s.api.core.v1.Container, '
    "ValidationError(Deployment.spec.template.spec.containers[0].ports[0].containerPort): "
    "invalid type for io.k8s.api.core.v1.ContainerPort.containerPort: "
    'got "string", expected "integer", '
    'ValidationError(ConfigMap): unknown field "extra" in io.k8s.api.core.v1.ConfigMap]; '
    "if you choose to ignore these errors, turn validation off with --validate=false\n"
)


@pytest.mark.parametrize("verb", ["create", "apply"])
def test_kubectl_validates_a_list_with_the_v2_schema(
    sb: Sandbox, run_kubectl: Any, tmp_path: Path, verb: str
) -> None:
    # A v1 List has no fieldValidation support in kubectl's eyes, so strict validation
    # falls back to the client-side schema built from /openapi/v2.
    path = tmp_path / "list.yaml"
    path.write_text(LIST)
    out = run_kubectl(sb, verb, "-f", str(path))
    assert (out.returncode, out.stdout) == (1, "")
    assert out.stderr == LIST_ERRORS.format(file=path)
    assert run_kubectl(sb, "get", "configmap", "cm").returncode == 1


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("kind: ConfigMap\nmetadata: {name: x}\n", "apiVersion not set"),
        ("apiVersion: v1\nmetadata: {name: x}\n", "kind not set"),
    ],
)
def test_kubectl_refuses_documents_without_type(
    sb: Sandbox, run_kubectl: Any, tmp_path: Path, text: str, problem: str
) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(text)
    for verb in ("create", "apply"):
        out = run_kubectl(sb, verb, "-f", str(path))
        assert out.returncode == 1
        assert out.stderr == (
            f'error: error validating "{path}": error validating data: {problem}; if you '
            "choose to ignore these errors, turn validation off with --validate=false\n"
        )


def test_kubectl_explain_openapiv2(sb: Sandbox, run_kubectl: Any) -> None:
    out = run_kubectl(sb, "explain", "--output=plaintext-openapiv2", "deployment.spec")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(
        "KIND:     Deployment\nVERSION:  apps/v1\n\nRESOURCE: spec <Object>"
    )
    for line in (
        "   replicas\t<integer>",
        "   selector\t<Object> -required-",
        "   template\t<Object> -required-",
        "   strategy\t<Object>",
    ):
        assert line in out.stdout.splitlines()
    pods = run_kubectl(sb, "explain", "--output=plaintext-openapiv2", "pods.spec.containers")
    assert pods.returncode == 0, pods.stderr
    assert "RESOURCE: containers <[]Object>" in pods.stdout
    assert "   image\t<string>" in pods.stdout.splitlines()


GADGET_CRD = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.proto.example.com}
spec:
  group: proto.example.com
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget, listKind: GadgetList}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
"""
GADGETS = """apiVersion: v1
kind: List
items:
- apiVersion: proto.example.com/v1
  kind: Gadget
  metadata: {name: g}
  anything: {goes: 1}
"""


def test_kubectl_v2_validation_of_an_unknown_field_preserving_crd(
    sb: Sandbox, run_kubectl: Any, tmp_path: Path
) -> None:
    crd = tmp_path / "crd.yaml"
    crd.write_text(GADGET_CRD)
    assert run_kubectl(sb, "apply", "-f", str(crd)).returncode == 0
    deadline = time.monotonic() + 30
    while run_kubectl(sb, "get", "gadgets").returncode != 0:
        assert time.monotonic() < deadline, "the Gadget CRD never got served"
    items = tmp_path / "gadgets.yaml"
    items.write_text(GADGETS)
    out = run_kubectl(sb, "create", "-f", str(items), "-o", "name")
    assert (out.returncode, out.stdout, out.stderr) == (0, "gadget.proto.example.com/g\n", "")
