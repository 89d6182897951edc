"""RBAC objects given to a sandbox at start (``Sandbox(authz=...)``, ``serve --authz FILE``).

The file holds Roles, ClusterRoles, RoleBindings and ClusterRoleBindings, as ``kubectl apply``
takes them: YAML (multi-document) or JSON, one object or a v1 List. They are created, or
replace what is stored under their names, each time the sandbox starts, by the sandbox itself
(like the bootstrap policy, so no escalation check applies), before the first request is
served. A namespaced object without a namespace goes to ``default``; a namespace that does not
exist yet is created.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["RBAC_KINDS", "load_rbac_objects", "rbac_objects"]

_GROUP_VERSION = "rbac.authorization.k8s.io/v1"
RBAC_KINDS = ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")


def rbac_objects(objects: Iterable[Any], source: str) -> list[dict[str, Any]]:
    """The objects, checked to be RBAC objects with a name (ValueError otherwise)."""
    checked: list[dict[str, Any]] = []
    for obj in objects:
        if not isinstance(obj, Mapping):
            raise ValueError(f"{source}: expected an object, got {type(obj).__name__}")
        kind, api_version = obj.get("kind"), obj.get("apiVersion")
        meta = obj.get("metadata")
        name = meta.get("name") if isinstance(meta, Mapping) else None
        if api_version != _GROUP_VERSION or kind not in RBAC_KINDS:
            what = " ".join(str(part) for part in (api_version, kind, name) if part)
            raise ValueError(
                f"{source}: {what} is not an RBAC object ({_GROUP_VERSION} {', '.join(RBAC_KINDS)})"
            )
        if not isinstance(name, str) or not name:
            raise ValueError(f"{source}: {kind} has no metadata.name")
        checked.append(dict(obj))
    return checked


def load_rbac_objects(source: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """RBAC objects from a file (or a directory of them), as kubectl apply -f reads them."""
    from kctl.sandbox._seed import load_seed_path

    path = os.fspath(source)
    return rbac_objects(load_seed_path(path), path)
