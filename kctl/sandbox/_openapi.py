"""OpenAPI documents for the served types: /openapi/v2 and the per-group-version /openapi/v3.

Built-in types are described by the documents recorded from the real kube-apiserver
(:mod:`kctl.sandbox._recorded`), descriptions and strategic-merge extensions included, so
``kubectl explain`` and kubectl's client-side apply read what they would read from the real
server. Paths of built-in resources a catalogue does not serve are left out. Custom
resources get documents built here, loose as apiextensions-apiserver publishes a
schema-less CRD: x-kubernetes-group-version-kind, the x-kubernetes-action of each operation
and the fieldValidation parameter, whose presence tells kubectl the server validates fields
itself. Documents are built once per catalogue generation.
"""

from __future__ import annotations

import hashlib
import json
import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from kctl.sandbox import _recorded
from kctl.sandbox._catalog import Catalog, ResourceType

__all__ = ["definition_name", "openapi_v2", "openapi_v3_group_version", "openapi_v3_index"]

_META = "io.k8s.apimachinery.pkg.apis.meta.v1"


def definition_name(rt: ResourceType, kind: str | None = None) -> str:
    """apiextensions-apiserver's model name for a custom resource: the reversed group, the
    version and the kind (com.example.stable.v1.Widget)."""
    return ".".join([*reversed(rt.group.split(".")), rt.version, kind or rt.kind])


def _ref(prefix: str, name: str) -> dict[str, str]:
    return {"$ref": prefix + name}


def _gvk(rt: ResourceType, kind: str) -> list[dict[str, str]]:
    return [{"group": rt.group, "kind": kind, "version": rt.version}]


def _refs(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "$ref" and isinstance(item, str):
                yield item
            else:
                yield from _refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _refs(item)


def _meta_schemas(v3: bool) -> dict[str, Any]:
    """ObjectMeta and ListMeta as the recorded server defines them, with every definition
    they refer to."""
    if v3:
        recorded = _recorded.openapi_v3()["api/v1"]["components"]["schemas"]
    else:
        recorded = _recorded.openapi_v2()["definitions"]
    out: dict[str, Any] = {}
    todo = [f"{_META}.ObjectMeta", f"{_META}.ListMeta"]
    while todo:
        name = todo.pop()
        if name not in out:
            out[name] = recorded[name]
            todo.extend(ref.rpartition("/")[2] for ref in _refs(out[name]))
    return out


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


def _schemas(rts: list[ResourceType], prefix: str, v3: bool = False) -> dict[str, Any]:
    """Definitions for custom resources and their lists, with the meta types they use."""
    out = _meta_schemas(v3)
    for rt in rts:
        if not v3:
            # apiextensions-apiserver publishes a schema-less or unknown-field-preserving CRD
            # to v2 as a bare object: kubectl's v2 validation would refuse any other field.
            out[definition_name(rt)] = {
                "type": "object",
                "x-kubernetes-group-version-kind": _gvk(rt, rt.kind),
            }
        else:
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


def _path_resource(path: str) -> tuple[str, str] | None:
    """("<api|apis/group>/<version>", plural) of an operation path, None for other paths.

    /api/v1/namespaces/{namespace}/pods/{name} and /api/v1/watch/pods name pods;
    /api/v1/namespaces/{name}/status names namespaces."""
    segs = path.strip("/").split("/")
    width = 2 if segs[0] == "api" else 3
    if len(segs) <= width:
        return None
    gv, rest = "/".join(segs[:width]), segs[width:]
    if rest[0] == "watch":
        rest = rest[1:]
    if len(rest) >= 3 and rest[0] == "namespaces" and rest[1] == "{namespace}":
        rest = rest[2:]
    return (gv, rest[0]) if rest else None


def _unserved(catalog: Catalog) -> set[tuple[str, str]]:
    """Recorded built-in resources this catalogue does not serve, as (gv path, plural)."""
    served = {(_gv_path(rt), rt.plural) for rt in catalog.resources() if not rt.is_crd}
    recorded = set()
    for path in _recorded.openapi_v2()["paths"]:
        key = _path_resource(path)
        if key is not None:
            recorded.add(key)
    return recorded - served


def _served_paths(paths: dict[str, Any], unserved: set[tuple[str, str]]) -> dict[str, Any]:
    return {p: op for p, op in paths.items() if _path_resource(p) not in unserved}


def _with_crds(recorded: dict[str, Any], generated: dict[str, Any]) -> dict[str, Any]:
    """Recorded definitions, in their order, then the custom resources' own: a recorded one
    (ObjectMeta) wins over its generated copy."""
    return {**recorded, **{k: v for k, v in generated.items() if k not in recorded}}


def _dump(doc: dict[str, Any]) -> bytes:
    # Keys keep the recorded order: the protobuf /openapi/v2 follows document order.
    return json.dumps(doc, separators=(",", ":")).encode()


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
    """GET /openapi/v2 as JSON: the recorded document, plus custom resources."""
    docs = _documents(catalog)
    if docs.v2 is None:
        recorded = _recorded.openapi_v2()
        crds = [rt for rt in catalog.resources() if rt.is_crd]
        prefix = "#/definitions/"
        paths = _served_paths(recorded["paths"], _unserved(catalog))
        paths.update(_paths(crds, prefix, v2=True))
        definitions = _with_crds(recorded["definitions"], _schemas(crds, prefix) if crds else {})
        docs.v2 = _dump({**recorded, "paths": paths, "definitions": definitions})
    return docs.v2


def openapi_v3_group_version(catalog: Catalog, path: str) -> bytes | None:
    """GET /openapi/v3/<path> for "api/v1", "apis/<group>/<version>" and the other documents
    the recorded server serves ("version", "apis/<group>", ...); None if not served."""
    path = path.split("?", 1)[0].strip("/")
    docs = _documents(catalog)
    if path in docs.v3:
        return docs.v3[path]
    docs.v3[path] = body = _v3_document(catalog, path)
    return body


def _v3_document(catalog: Catalog, path: str) -> bytes | None:
    resources = catalog.resources()
    served_gvs = {_gv_path(rt) for rt in resources}
    in_gv = [rt for rt in resources if _gv_path(rt) == path]
    crds = [rt for rt in in_gv if rt.is_crd]
    doc = _recorded.openapi_v3().get(path)
    if path in served_gvs:
        if len(crds) == len(in_gv):
            doc = None  # custom resources only, even in a recorded group-version
    elif path not in _fixed_v3_paths(served_gvs) or doc is None:
        return None
    prefix = "#/components/schemas/"
    if doc is None:
        doc = {"openapi": "3.0.0", "info": dict(_recorded.openapi_v2()["info"]), "paths": {}}
    out = {**doc, "paths": _served_paths(doc.get("paths", {}), _unserved(catalog))}
    if crds:
        out["paths"].update(_paths(crds, prefix, v2=False))
        schemas = doc.get("components", {}).get("schemas", {})
        # Recorded definitions win: custom resources only add their own kinds.
        out["components"] = {
            **doc.get("components", {}),
            "schemas": _with_crds(schemas, _schemas(crds, prefix, v3=True)),
        }
    return _dump(out)


def _is_group_version(path: str) -> bool:
    return path.startswith("api/") or (path.startswith("apis/") and path.count("/") == 2)


def _fixed_v3_paths(served_gvs: set[str]) -> set[str]:
    """The recorded documents that are not of a group-version: the root ones ("version",
    "apis", ...) and each group's own ("apis/apps") while one of its versions is served."""
    groups = {gv.rpartition("/")[0] for gv in served_gvs if gv.startswith("apis/")}
    return {
        path
        for path in _recorded.openapi_v3()
        if not _is_group_version(path) and (not path.startswith("apis/") or path in groups)
    }


def openapi_v3_index(catalog: Catalog) -> dict[str, Any]:
    """GET /openapi/v3: every served document with a content-hash URL, as kube-apiserver
    sends."""
    docs = _documents(catalog)
    if docs.index is None:
        gv_paths = {_gv_path(rt) for rt in catalog.resources()}
        paths: dict[str, Any] = {}
        for path in sorted(gv_paths | _fixed_v3_paths(gv_paths)):
            body = openapi_v3_group_version(catalog, path)
            assert body is not None
            digest = hashlib.sha512(body).hexdigest().upper()
            paths[path] = {"serverRelativeURL": f"/openapi/v3/{path}?hash={digest}"}
        docs.index = {"paths": paths}
    return docs.index
