"""OpenAPI documents for the served types: /openapi/v2 and the per-group-version /openapi/v3.

Built-in kinds get their real structure, generated from the same protobuf field table the
server decodes with (:mod:`kctl.sandbox._schema`): a named definition per message
(``io.k8s.api.core.v1.PodSpec``) with typed properties, ``$ref`` links, maps as
``additionalProperties``, Quantity/IntOrString/Time as the apimachinery definitions, and the
strategic-merge extensions of :mod:`kctl.util._patchmeta` (kubectl's client-side apply reads
merge keys from OpenAPI v3). Descriptions are empty. Custom resources stay loose. Each
document also carries x-kubernetes-group-version-kind, the x-kubernetes-action of each
operation and the fieldValidation parameter, whose presence tells kubectl the server
validates fields itself. Documents are built once per catalogue generation.
"""

from __future__ import annotations

import hashlib
import json
import threading
import weakref
from dataclasses import dataclass, field
from typing import Any

from kctl.sandbox._catalog import Catalog, ResourceType
from kctl.sandbox._schema import (
    Field,
    is_list_message,
    message_fields,
    message_fields_raw,
    root_message,
    special_kind,
)
from kctl.util._patchmeta import FieldMeta, PatchMeta, patch_meta_for

__all__ = ["definition_name", "openapi_v2", "openapi_v3_group_version", "openapi_v3_index"]

_VERSION_INFO = {"title": "Kubernetes", "version": "v1.35.0"}
_META = "io.k8s.apimachinery.pkg.apis.meta.v1"
_SPECIAL_PACKAGES = {
    "": "io.k8s.api.core",
    "apiextensions.k8s.io": "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions",
    "apiregistration.k8s.io": "io.k8s.kube-aggregator.pkg.apis.apiregistration",
    "rbac.authorization.k8s.io": "io.k8s.api.rbac",
    "admissionregistration.k8s.io": "io.k8s.api.admissionregistration",
    "flowcontrol.apiserver.k8s.io": "io.k8s.api.flowcontrol",
}


def definition_name(rt: ResourceType, kind: str | None = None) -> str:
    """kube-apiserver's model name: io.k8s.api.<pkg>.<version>.<Kind>; CRDs use the reversed
    group (com.example.v1.Widget)."""
    kind = kind or rt.kind
    if rt.is_crd:
        return ".".join([*reversed(rt.group.split(".")), rt.version, kind])
    package = _SPECIAL_PACKAGES.get(rt.group) or "io.k8s.api." + rt.group.split(".")[0]
    return f"{package}.{rt.version}.{kind}"


def _ref(prefix: str, name: str) -> dict[str, str]:
    return {"$ref": prefix + name}


def _gvk(rt: ResourceType, kind: str) -> list[dict[str, str]]:
    return [{"group": rt.group, "kind": kind, "version": rt.version}]


def _meta_schemas() -> dict[str, Any]:
    string = {"type": "string"}
    return {
        f"{_META}.ObjectMeta": {
            "description": "ObjectMeta is metadata that all persisted resources must have, "
            "which includes all objects users must create.",
            "type": "object",
            "properties": {
                "name": string,
                "generateName": string,
                "namespace": string,
                "uid": string,
                "resourceVersion": string,
                "generation": {"type": "integer", "format": "int64"},
                "creationTimestamp": {"type": "string", "format": "date-time"},
                "deletionTimestamp": {"type": "string", "format": "date-time"},
                "labels": {"type": "object", "additionalProperties": string},
                "annotations": {"type": "object", "additionalProperties": string},
                "finalizers": {"type": "array", "items": string},
                "ownerReferences": {"type": "array", "items": {"type": "object"}},
                "managedFields": {"type": "array", "items": {"type": "object"}},
            },
        },
        f"{_META}.ListMeta": {
            "type": "object",
            "properties": {
                "continue": string,
                "remainingItemCount": {"type": "integer", "format": "int64"},
                "resourceVersion": string,
            },
        },
        f"{_META}.Status": {
            "type": "object",
            "properties": {
                "apiVersion": string,
                "kind": string,
                "code": {"type": "integer", "format": "int32"},
                "message": string,
                "reason": string,
                "status": string,
                "details": {"type": "object"},
                "metadata": {"type": "object"},
            },
        },
    }


_TYPE_META = {
    "apiVersion": {
        "description": "APIVersion defines the versioned schema of this representation of an "
        "object.",
        "type": "string",
    },
    "kind": {
        "description": "Kind is a string value representing the REST resource this object "
        "represents.",
        "type": "string",
    },
}
_LOOSE = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
_SCALARS: dict[str, dict[str, str]] = {
    "string": {"type": "string"},
    "bytes": {"type": "string", "format": "byte"},
    "bool": {"type": "boolean"},
    "int32": {"type": "integer", "format": "int32"},
    "int64": {"type": "integer", "format": "int64"},
    "uint32": {"type": "integer", "format": "int32"},
    "uint64": {"type": "integer", "format": "int64"},
    "double": {"type": "number", "format": "double"},
    "float": {"type": "number", "format": "float"},
}
# Types with their own JSON form, as the apiserver's OpenAPI definitions describe them.
_SPECIAL_SCHEMAS: dict[str, dict[str, Any]] = {
    "time": {"type": "string", "format": "date-time"},
    "microtime": {"type": "string", "format": "date-time"},
    "quantity": {"type": "string"},
    "intorstring": {"type": "string", "format": "int-or-string"},
    "raw": {"type": "object"},
}


def _model_name(message: str) -> str:
    """Protobuf message -> OpenAPI model name (k8s.io.api.core.v1.Pod -> io.k8s.api.core.v1.Pod;
    Go module paths keep their dashes)."""
    name = "io.k8s." + message.removeprefix("k8s.io.")
    return name.replace("_", "-")


class _Builder:
    """Definitions for the messages reachable from some kinds, with patch extensions."""

    def __init__(self, prefix: str, v3: bool) -> None:
        self.prefix = prefix
        self.v3 = v3
        self.defs: dict[str, Any] = {}
        self.patch: dict[tuple[str, str], FieldMeta] = {}
        self._walked: set[tuple[str, int]] = set()

    def ref(self, message: str) -> dict[str, Any]:
        self.define(message)
        return {"$ref": self.prefix + _model_name(message)}

    def learn_patch_meta(self, message: str, meta: PatchMeta) -> None:
        """Record _patchmeta's strategies per (message, field) by walking both trees."""
        key = (message, id(meta))
        if key in self._walked or not meta.fields:
            return
        self._walked.add(key)
        for name, f in message_fields(message).items():
            fm = meta.lookup(name)
            if fm.strategies or fm.merge_key or fm.list_keys or fm.atomic:
                self.patch[(message, name)] = fm
            if fm.schema is not None and f.kind.startswith("message:"):
                self.learn_patch_meta(f.kind[8:], fm.schema)

    def define(self, message: str) -> None:
        name = _model_name(message)
        if name in self.defs:
            return
        special = special_kind(message)
        if special is not None:
            self.defs[name] = {"description": "", **_SPECIAL_SCHEMAS[special]}
            return
        self.defs[name] = {}  # placeholder against recursion (JSONSchemaProps)
        properties: dict[str, Any] = {}
        required: list[str] = []
        for fname, f in message_fields(message).items():
            properties[fname] = self.field_schema(message, f)
        for fname, f in message_fields(message).items():
            if f.always and not f.kind.startswith("map:"):
                required.append(fname)
        schema: dict[str, Any] = {"description": "", "type": "object", "properties": properties}
        if required:
            schema["required"] = required
        self.defs[name] = schema

    def value_schema(self, kind: str) -> dict[str, Any]:
        if kind.startswith("message:"):
            message = kind[8:]
            if special_kind(message) == "duration":
                return {"type": "string"}
            if is_list_message(message):
                item = next(iter(message_fields_raw(message).values()))
                return {"type": "array", "items": self.value_schema(item)}
            return self.ref(message)
        if kind.startswith("map:"):
            _, _, value = kind.split(":", 2)
            return {"type": "object", "additionalProperties": self.value_schema(value)}
        return dict(_SCALARS.get(kind, {"type": "string"}))

    def field_schema(self, message: str, f: Field) -> dict[str, Any]:
        item = self.value_schema(f.kind)
        fm = self.patch.get((message, f.name))
        ext: dict[str, Any] = {}
        if fm is not None:
            if fm.strategies:
                ext["x-kubernetes-patch-strategy"] = ",".join(fm.strategies)
            if fm.merge_key:
                ext["x-kubernetes-patch-merge-key"] = fm.merge_key
            if f.repeated:
                if fm.associative_keys:
                    ext["x-kubernetes-list-type"] = "map"
                    ext["x-kubernetes-list-map-keys"] = list(fm.associative_keys)
                elif fm.is_set:
                    ext["x-kubernetes-list-type"] = "set"
                elif fm.atomic:
                    ext["x-kubernetes-list-type"] = "atomic"
            elif fm.atomic:
                ext["x-kubernetes-map-type"] = "atomic"
        if f.repeated:
            return {"description": "", "type": "array", "items": item, **ext}
        if "$ref" in item:
            # A $ref has no siblings in OpenAPI v3, so the apiserver wraps every one in allOf
            # (kubectl explain then names the type after the definition: <IntOrString>).
            if self.v3:
                return {"allOf": [item], "description": "", **ext}
            return {**item, "description": "", **ext} if ext else item
        return {"description": "", **item, **ext}


def _schemas(rts: list[ResourceType], prefix: str, v3: bool = False) -> dict[str, Any]:
    builder = _Builder(prefix, v3)
    typed = [(rt, root_message(rt.api_version, rt.kind)) for rt in rts]
    for rt, message in typed:
        meta = patch_meta_for(rt.group, rt.version, rt.kind)
        if message is not None and meta is not None:
            builder.learn_patch_meta(message, meta)
    out = _meta_schemas()
    for rt, message in typed:
        if message is None and not v3:
            # apiextensions-apiserver publishes a schema-less or unknown-field-preserving CRD
            # to v2 as a bare object: kubectl's v2 validation would refuse any other field.
            out[definition_name(rt)] = {
                "type": "object",
                "x-kubernetes-group-version-kind": _gvk(rt, rt.kind),
            }
        elif message is None:
            out[definition_name(rt)] = {
                "description": f"{rt.kind} ({rt.api_version}).",
                "type": "object",
                "properties": {
                    **_TYPE_META,
                    "metadata": _ref(prefix, f"{_META}.ObjectMeta"),
                    "spec": dict(_LOOSE),
                    "status": dict(_LOOSE),
                },
                "x-kubernetes-preserve-unknown-fields": True,
                "x-kubernetes-group-version-kind": _gvk(rt, rt.kind),
            }
        else:
            builder.define(message)
            schema = dict(builder.defs[_model_name(message)])
            schema["properties"] = {**_TYPE_META, **schema["properties"]}
            schema["x-kubernetes-group-version-kind"] = _gvk(rt, rt.kind)
            builder.defs[_model_name(message)] = schema
        if "list" in rt.verbs:
            out[definition_name(rt, rt.list_kind)] = {
                "description": f"{rt.list_kind} is a list of {rt.kind}.",
                "type": "object",
                "required": ["items"],
                "properties": {
                    **_TYPE_META,
                    "items": {"type": "array", "items": _ref(prefix, definition_name(rt))},
                    "metadata": _ref(prefix, f"{_META}.ListMeta"),
                },
                "x-kubernetes-group-version-kind": _gvk(rt, rt.list_kind),
            }
    # Typed definitions (ObjectMeta among them) replace the hand-written meta ones.
    out.update(builder.defs)
    return out


def _param(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, "schema": {"type": "string"}}


_WRITE_PARAMS = [
    _param("dryRun", "When present, indicates that modifications should not be persisted."),
    _param(
        "fieldManager",
        "fieldManager is a name associated with the actor or entity that is making these changes.",
    ),
    _param(
        "fieldValidation",
        "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields.",
    ),
]


def _paths(rts: list[ResourceType], prefix: str, v2: bool) -> dict[str, Any]:
    paths: dict[str, Any] = {}

    def op(
        rt: ResourceType, action: str, kind: str, params: list[dict[str, Any]]
    ) -> dict[str, Any]:
        schema = _ref(prefix, definition_name(rt, kind))
        response = (
            {"description": "OK", "schema": schema}
            if v2
            else {"description": "OK", "content": {"application/json": {"schema": schema}}}
        )
        if v2:
            params = [
                {k: v for k, v in p.items() if k != "schema"} | {"type": "string"} for p in params
            ]
        return {
            "operationId": f"{action}{rt.kind}",
            "parameters": params,
            "responses": {"200": response},
            "x-kubernetes-action": action,
            # Operations carry one GVK object; definitions carry a list.
            "x-kubernetes-group-version-kind": _gvk(rt, rt.kind)[0],
        }

    for rt in rts:
        base = f"/api/{rt.version}" if not rt.group else f"/apis/{rt.group}/{rt.version}"
        collection = (
            f"{base}/namespaces/{{namespace}}/{rt.plural}"
            if rt.namespaced
            else f"{base}/{rt.plural}"
        )
        item: dict[str, Any] = {}
        coll: dict[str, Any] = {}
        if "list" in rt.verbs:
            coll["get"] = op(rt, "list", rt.list_kind, [])
        if "create" in rt.verbs:
            coll["post"] = op(rt, "post", rt.kind, list(_WRITE_PARAMS))
        if "deletecollection" in rt.verbs:
            coll["delete"] = op(rt, "deletecollection", "Status", [])
            coll["delete"]["responses"]["200"] = {"description": "OK"}
        if "get" in rt.verbs:
            item["get"] = op(rt, "get", rt.kind, [])
        if "update" in rt.verbs:
            item["put"] = op(rt, "put", rt.kind, list(_WRITE_PARAMS))
        if "patch" in rt.verbs:
            item["patch"] = op(rt, "patch", rt.kind, list(_WRITE_PARAMS))
        if "delete" in rt.verbs:
            item["delete"] = op(rt, "delete", rt.kind, [])
        if coll:
            paths[collection] = coll
        if item:
            paths[f"{collection}/{{name}}"] = item
    return paths


def _gv_path(rt: ResourceType) -> str:
    return f"api/{rt.version}" if not rt.group else f"apis/{rt.group}/{rt.version}"


def _dump(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()


@dataclass
class _Documents:
    """Everything served for one catalogue generation, built on first request."""

    generation: int
    v2: bytes | None = None
    v3: dict[str, bytes | None] = field(default_factory=dict)
    index: dict[str, Any] | None = None


_CACHE: weakref.WeakKeyDictionary[Catalog, _Documents] = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


def _documents(catalog: Catalog) -> _Documents:
    # The generation is read before the resources, so a document is never older than the
    # generation it is filed under; a concurrent change only costs a rebuild.
    generation = catalog.generation
    with _CACHE_LOCK:
        docs = _CACHE.get(catalog)
        if docs is None or docs.generation != generation:
            docs = _CACHE[catalog] = _Documents(generation)
        return docs


def openapi_v2(catalog: Catalog) -> bytes:
    """GET /openapi/v2 as JSON."""
    docs = _documents(catalog)
    if docs.v2 is None:
        rts = catalog.resources()
        prefix = "#/definitions/"
        docs.v2 = _dump(
            {
                "swagger": "2.0",
                "info": dict(_VERSION_INFO),
                "paths": _paths(rts, prefix, v2=True),
                "definitions": _schemas(rts, prefix),
            }
        )
    return docs.v2


def openapi_v3_group_version(catalog: Catalog, path: str) -> bytes | None:
    """GET /openapi/v3/<path> for "api/v1" or "apis/<group>/<version>"; None if not served."""
    path = path.split("?", 1)[0].strip("/")
    docs = _documents(catalog)
    if path in docs.v3:
        return docs.v3[path]
    rts = [rt for rt in catalog.resources() if _gv_path(rt) == path]
    body = None
    if rts:
        prefix = "#/components/schemas/"
        body = _dump(
            {
                "openapi": "3.0.0",
                "info": dict(_VERSION_INFO),
                "paths": _paths(rts, prefix, v2=False),
                "components": {"schemas": _schemas(rts, prefix, v3=True)},
            }
        )
    docs.v3[path] = body
    return body


def openapi_v3_index(catalog: Catalog) -> dict[str, Any]:
    """GET /openapi/v3: every group-version with a content-hash URL, as kube-apiserver sends."""
    docs = _documents(catalog)
    if docs.index is None:
        paths: dict[str, Any] = {}
        for gv_path in dict.fromkeys(_gv_path(rt) for rt in catalog.resources()):
            body = openapi_v3_group_version(catalog, gv_path)
            assert body is not None
            digest = hashlib.sha512(body).hexdigest().upper()
            paths[gv_path] = {"serverRelativeURL": f"/openapi/v3/{gv_path}?hash={digest}"}
        docs.index = {"paths": paths}
    return docs.index
