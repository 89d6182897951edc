"""OpenAPI documents for the served types: /openapi/v2 and the per-group-version /openapi/v3.

Schemas are deliberately loose (spec and status accept any fields) but carry what clients key
on: definition names as kube-apiserver spells them, x-kubernetes-group-version-kind, the
x-kubernetes-action of each operation and the fieldValidation parameter, whose presence tells
kubectl the server validates fields itself.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from kctl.sandbox._catalog import Catalog, ResourceType

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


def _schemas(rts: list[ResourceType], prefix: str) -> dict[str, Any]:
    out = _meta_schemas()
    for rt in rts:
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


def _dump(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()


def openapi_v2(catalog: Catalog) -> bytes:
    """GET /openapi/v2 as JSON."""
    rts = catalog.resources()
    prefix = "#/definitions/"
    return _dump(
        {
            "swagger": "2.0",
            "info": dict(_VERSION_INFO),
            "paths": _paths(rts, prefix, v2=True),
            "definitions": _schemas(rts, prefix),
        }
    )


def openapi_v3_group_version(catalog: Catalog, path: str) -> bytes | None:
    """GET /openapi/v3/<path> for "api/v1" or "apis/<group>/<version>"; None if not served."""
    path = path.split("?", 1)[0].strip("/")
    rts = [rt for rt in catalog.resources() if _gv_path(rt) == path]
    if not rts:
        return None
    prefix = "#/components/schemas/"
    return _dump(
        {
            "openapi": "3.0.0",
            "info": dict(_VERSION_INFO),
            "paths": _paths(rts, prefix, v2=False),
            "components": {"schemas": _schemas(rts, prefix)},
        }
    )


def openapi_v3_index(catalog: Catalog) -> dict[str, Any]:
    """GET /openapi/v3: every group-version with a content-hash URL, as kube-apiserver sends."""
    paths: dict[str, Any] = {}
    for gv_path in dict.fromkeys(_gv_path(rt) for rt in catalog.resources()):
        body = openapi_v3_group_version(catalog, gv_path)
        assert body is not None
        digest = hashlib.sha512(body).hexdigest().upper()
        paths[gv_path] = {"serverRelativeURL": f"/openapi/v3/{gv_path}?hash={digest}"}
    return {"paths": paths}
