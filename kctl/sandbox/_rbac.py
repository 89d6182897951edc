"""RBAC authorization from the stored Roles, ClusterRoles and their bindings, as
kube-apiserver's RBAC authorizer (plugin/pkg/auth/authorizer/rbac) decides.

Members of ``system:masters`` are allowed everything before RBAC is asked, as by the
apiserver's privileged-groups authorizer. Otherwise a request is allowed when a rule of a role
bound to the user allows it: ClusterRoleBindings first, then, for a namespaced request, the
RoleBindings of its namespace, each in name order. The decision's reason is the apiserver's
(``RBAC: allowed by RoleBinding "b/ns" of Role "r" to User "u"``), and a denial carries the
errors met on the way (a binding to a role that does not exist).

ClusterRoles with an aggregationRule are evaluated with the rules they hold; the sandbox
runs no aggregation controller (the bootstrap admin/edit/view roles are stored aggregated).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kctl.sandbox._auth import UserInfo
from kctl.sandbox._authz import Attributes
from kctl.sandbox._store import Store

__all__ = ["RBACAuthorizer", "rule_allows"]

_GROUP = "rbac.authorization.k8s.io"
_SA_PREFIX = "system:serviceaccount:"


def _strings(rule: dict[str, Any], key: str) -> list[str]:
    value = rule.get(key)
    return [str(v) for v in value] if isinstance(value, list) else []


def _non_resource_matches(patterns: list[str], path: str) -> bool:
    for pattern in patterns:
        if pattern in ("*", path):
            return True
        if pattern.endswith("*") and path.startswith(pattern.rstrip("*")):
            return True
    return False


def rule_allows(attrs: Attributes, rule: dict[str, Any]) -> bool:
    """rbac.RuleAllows: whether one PolicyRule allows the request."""
    verbs = _strings(rule, "verbs")
    if "*" not in verbs and attrs.verb not in verbs:
        return False
    if not attrs.resource_request:
        return _non_resource_matches(_strings(rule, "nonResourceURLs"), attrs.path)
    groups = _strings(rule, "apiGroups")
    if "*" not in groups and attrs.api_group not in groups:
        return False
    combined = attrs.resource + ("/" + attrs.subresource if attrs.subresource else "")
    resources = _strings(rule, "resources")
    if not (
        "*" in resources
        or combined in resources
        or (attrs.subresource and "*/" + attrs.subresource in resources)
    ):
        return False
    names = _strings(rule, "resourceNames")
    return not names or attrs.name in names


def _applies(subject: dict[str, Any], user: UserInfo, binding_namespace: str) -> bool:
    kind, name = subject.get("kind"), subject.get("name")
    if kind == "User":
        return bool(name) and name == user.name
    if kind == "Group":
        return bool(name) and name in user.groups
    if kind == "ServiceAccount":
        namespace = subject.get("namespace") or binding_namespace
        return bool(namespace) and user.name == f"{_SA_PREFIX}{namespace}:{name}"
    return False


def _describe_subject(subject: dict[str, Any], binding_namespace: str) -> str:
    kind, name = str(subject.get("kind", "")), str(subject.get("name", ""))
    if kind == "ServiceAccount":
        return f'{kind} "{name}/{subject.get("namespace") or binding_namespace}"'
    return f'{kind} "{name}"'


@dataclass(frozen=True)
class _Source:
    """Where a rule came from, worded as rbac's binding describers."""

    binding: dict[str, Any]
    subject: dict[str, Any]

    def __str__(self) -> str:
        meta = self.binding.get("metadata") or {}
        ref = self.binding.get("roleRef") or {}
        namespace = str(meta.get("namespace") or "")
        name = str(meta.get("name", ""))
        kind = "RoleBinding" if namespace else "ClusterRoleBinding"
        shown = f"{name}/{namespace}" if namespace else name
        return (
            f'{kind} "{shown}" of {ref.get("kind", "")} "{ref.get("name", "")}" to '
            f"{_describe_subject(self.subject, namespace)}"
        )


class RBACAuthorizer:
    """An ``authorize`` hook for the sandbox: call it with request attributes."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def __call__(self, attrs: Attributes) -> bool:
        return self.decide(attrs)[0]

    def decide(self, attrs: Attributes) -> tuple[bool, str]:
        """(allowed, reason) as the SubjectAccessReview status reports them."""
        if "system:masters" in attrs.user.groups:
            return True, ""
        errors: list[str] = []
        for source, rule, error in self._visit(attrs.user, attrs.namespace):
            if error:
                errors.append(error)
            elif rule is not None and rule_allows(attrs, rule):
                return True, f"RBAC: allowed by {source}"
        return False, _aggregate(errors)

    def rules_for(
        self, user: UserInfo, namespace: str
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
        """(resource rules, non-resource rules, evaluation error) for SelfSubjectRulesReview:
        every rule of every role bound to ``user`` there, in the order RBAC visits them."""
        resource: list[dict[str, Any]] = []
        non_resource: list[dict[str, Any]] = []
        errors: list[str] = []
        for _, rule, error in self._visit(user, namespace):
            if error:
                errors.append(error)
                continue
            assert rule is not None
            verbs = _strings(rule, "verbs")
            if rule.get("resources"):
                entry: dict[str, Any] = {"verbs": verbs}
                for key in ("apiGroups", "resources", "resourceNames"):
                    if rule.get(key):
                        entry[key] = _strings(rule, key)
                resource.append(entry)
            if rule.get("nonResourceURLs"):
                non_resource.append(
                    {"verbs": verbs, "nonResourceURLs": _strings(rule, "nonResourceURLs")}
                )
        return resource, non_resource, _aggregate(errors, prefix="")

    # --- the visit -------------------------------------------------------------------------

    def _objects(self, plural: str, namespace: str = "") -> list[dict[str, Any]]:
        return [e.obj for e in self._store.items((_GROUP, plural), namespace)]

    def _role_rules(self, ref: dict[str, Any], namespace: str) -> list[dict[str, Any]] | str:
        kind, name = ref.get("kind"), str(ref.get("name", ""))
        if kind == "ClusterRole":
            entry = self._store.get((_GROUP, "clusterroles"), "", name)
            missing = f'clusterrole.rbac.authorization.k8s.io "{name}" not found'
        elif kind == "Role" and namespace:
            entry = self._store.get((_GROUP, "roles"), namespace, name)
            missing = f'role.rbac.authorization.k8s.io "{name}" not found'
        else:
            return f"unsupported role reference kind: {kind!r}"
        if entry is None:
            return missing
        rules = entry.obj.get("rules")
        return [r for r in rules if isinstance(r, dict)] if isinstance(rules, list) else []

    def _visit(
        self, user: UserInfo, namespace: str
    ) -> Iterator[tuple[_Source | None, dict[str, Any] | None, str]]:
        bindings = [(b, "") for b in self._objects("clusterrolebindings")]
        if namespace:
            bindings += [(b, namespace) for b in self._objects("rolebindings", namespace)]
        for binding, binding_namespace in bindings:
            subjects = binding.get("subjects")
            subject = next(
                (
                    s
                    for s in (subjects if isinstance(subjects, list) else [])
                    if isinstance(s, dict) and _applies(s, user, binding_namespace)
                ),
                None,
            )
            if subject is None:
                continue
            rules = self._role_rules(binding.get("roleRef") or {}, binding_namespace)
            if isinstance(rules, str):
                yield None, None, rules
                continue
            source = _Source(binding, subject)
            for rule in rules:
                yield source, rule, ""


def _aggregate(errors: list[str], prefix: str = "RBAC: ") -> str:
    """utilerrors.NewAggregate's text: one error alone, several in brackets."""
    if not errors:
        return ""
    text = errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]"
    return prefix + text
