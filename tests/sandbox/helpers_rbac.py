"""RBAC objects for tests that preload them (``Sandbox(authz=[...])``) or apply them."""

from __future__ import annotations

from typing import Any

GROUP = "rbac.authorization.k8s.io"
API_VERSION = f"{GROUP}/v1"


def rule(verbs: list[str], resources: list[str], groups: tuple[str, ...] = ("",)) -> dict[str, Any]:
    return {"apiGroups": list(groups), "resources": resources, "verbs": verbs}


def user(name: str) -> dict[str, str]:
    return {"apiGroup": GROUP, "kind": "User", "name": name}


def group(name: str) -> dict[str, str]:
    return {"apiGroup": GROUP, "kind": "Group", "name": name}


def service_account(name: str, namespace: str) -> dict[str, str]:
    return {"kind": "ServiceAccount", "name": name, "namespace": namespace}


def _meta(name: str, namespace: str | None) -> dict[str, str]:
    return {"name": name, "namespace": namespace} if namespace else {"name": name}


def role(name: str, namespace: str | None, *rules: dict[str, Any]) -> dict[str, Any]:
    """A Role, or a ClusterRole when ``namespace`` is None."""
    kind = "Role" if namespace else "ClusterRole"
    return {"apiVersion": API_VERSION, "kind": kind, "metadata": _meta(name, namespace),
            "rules": list(rules)}  # fmt: skip


def binding(
    name: str, namespace: str | None, role_kind: str, role_name: str, *subjects: dict[str, str]
) -> dict[str, Any]:
    """A RoleBinding, or a ClusterRoleBinding when ``namespace`` is None."""
    return {
        "apiVersion": API_VERSION,
        "kind": "RoleBinding" if namespace else "ClusterRoleBinding",
        "metadata": _meta(name, namespace),
        "subjects": list(subjects),
        "roleRef": {"apiGroup": GROUP, "kind": role_kind, "name": role_name},
    }
