"""RBAC authorization from the stored Roles, ClusterRoles and their bindings, as
kube-apiserver's RBAC authorizer (plugin/pkg/auth/authorizer/rbac) decides.

Members of ``system:masters`` are allowed everything before RBAC is asked, as by the
apiserver's privileged-groups authorizer. Otherwise a request is allowed when a rule of a role
bound to the user allows it: ClusterRoleBindings first, then, for a namespaced request, the
RoleBindings of its namespace, each in name order. The decision's reason is the apiserver's
(``RBAC: allowed by RoleBinding "b/ns" of Role "r" to User "u"``), and a denial carries the
errors met on the way (a binding to a role that does not exist).

ClusterRoles with an aggregationRule are evaluated with the rules they hold, which the
clusterrole-aggregation controller (:func:`aggregate_cluster_roles`, run by the sandbox's
controllers) keeps equal to the rules of the roles their selectors pick.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kctl.errors import StatusError
from kctl.sandbox import _status as st
from kctl.sandbox._auth import UserInfo
from kctl.sandbox._authz import Attributes
from kctl.sandbox._store import Store

__all__ = [
    "EscalationCheck",
    "RBACAuthorizer",
    "aggregate_cluster_roles",
    "aggregated_rules",
    "rule_allows",
]

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


# --- escalation prevention ------------------------------------------------------------------

_FULL_AUTHORITY = [
    {"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]},
    {"verbs": ["*"], "nonResourceURLs": ["*"]},
]
_ROLE_KINDS = {"Role", "ClusterRole"}
_BINDING_KINDS = {"RoleBinding", "ClusterRoleBinding"}


def _breakdown(rule: dict[str, Any]) -> list[dict[str, Any]]:
    """rbac's BreakdownRule: one verb, group, resource and name (or URL) per rule."""
    out: list[dict[str, Any]] = []
    verbs = _strings(rule, "verbs")
    names = _strings(rule, "resourceNames")
    for group in _strings(rule, "apiGroups"):
        for resource in _strings(rule, "resources"):
            for verb in verbs:
                base = {"apiGroups": [group], "resources": [resource], "verbs": [verb]}
                out += [{**base, "resourceNames": [n]} for n in names] if names else [base]
    for url in _strings(rule, "nonResourceURLs"):
        out += [{"nonResourceURLs": [url], "verbs": [verb]} for verb in verbs]
    return out


def _has_all(have: list[str], want: list[str]) -> bool:
    return all(w in have for w in want)


def _resources_cover(have: list[str], want: list[str]) -> bool:
    if "*" in have or _has_all(have, want):
        return True
    for path in want:
        if path in have:
            continue
        if "/" not in path or "*/" + path.split("/", 1)[1] not in have:
            return False
    return True


def _urls_cover(have: list[str], want: list[str]) -> bool:
    return all(
        any(o == p or (o.endswith("*") and p.startswith(o.rstrip("*"))) for o in have) for p in want
    )


def _covers(owner: dict[str, Any], sub: dict[str, Any]) -> bool:
    """rbac's ruleCovers."""
    owner_names, sub_names = _strings(owner, "resourceNames"), _strings(sub, "resourceNames")
    return (
        ("*" in _strings(owner, "verbs") or _has_all(_strings(owner, "verbs"), sub["verbs"]))
        and (
            "*" in _strings(owner, "apiGroups")
            or _has_all(_strings(owner, "apiGroups"), _strings(sub, "apiGroups"))
        )
        and _resources_cover(_strings(owner, "resources"), _strings(sub, "resources"))
        and (not owner_names or (bool(sub_names) and _has_all(owner_names, sub_names)))
        and _urls_cover(_strings(owner, "nonResourceURLs"), _strings(sub, "nonResourceURLs"))
    )


def _compact(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """rbac's CompactRules: the verbs of rules on one group/resource/name merged."""
    simple: dict[tuple[str, str, str | None], dict[str, Any]] = {}
    out: list[dict[str, Any]] = []
    for rule in rules:
        groups, resources = _strings(rule, "apiGroups"), _strings(rule, "resources")
        names = _strings(rule, "resourceNames")
        if rule.get("nonResourceURLs") or len(names) > 1 or len(groups) != 1 or len(resources) != 1:
            out.append(rule)
            continue
        key = (groups[0], resources[0], names[0] if names else None)
        if key in simple:
            simple[key]["verbs"] = simple[key]["verbs"] + rule["verbs"]
        else:
            simple[key] = {**rule, "verbs": list(rule["verbs"])}
    return out + list(simple.values())


def _go_quoted(values: list[str]) -> str:
    """fmt's %q of a []string."""
    return "[" + " ".join(json.dumps(v) for v in values) + "]"


def _compact_string(rule: dict[str, Any]) -> str:
    parts = [
        f"{label}:{_go_quoted(_strings(rule, key))}"
        for label, key in (
            ("APIGroups", "apiGroups"),
            ("Resources", "resources"),
            ("NonResourceURLs", "nonResourceURLs"),
            ("ResourceNames", "resourceNames"),
            ("Verbs", "verbs"),
        )
        if rule.get(key)
    ]
    return "{" + ", ".join(parts) + "}"


class EscalationCheck:
    """kube-apiserver's escalation prevention for RBAC writes (the rbac "policybased"
    storages): a Role or ClusterRole may only grant what its writer holds, unless the writer
    may ``escalate`` roles; a binding may only bind a role whose rules its writer holds,
    unless the writer may ``bind`` it. ``system:masters`` is exempt."""

    def __init__(self, authorizer: RBACAuthorizer) -> None:
        self._authorizer = authorizer

    def __call__(
        self, kind: str, plural: str, obj: dict[str, Any], old: dict[str, Any] | None, user: Any
    ) -> None:
        if not isinstance(user, UserInfo) or "system:masters" in user.groups:
            return
        if kind in _ROLE_KINDS:
            self._role(kind, plural, obj, old, user)
        elif kind in _BINDING_KINDS:
            self._binding(plural, obj, old, user)

    def _allowed(self, user: UserInfo, verb: str, resource: str, name: str, ns: str) -> bool:
        attrs = Attributes(user, verb, "", True, _GROUP, "*", ns, resource, "", name)
        return self._authorizer(attrs)

    def _role(
        self,
        kind: str,
        plural: str,
        obj: dict[str, Any],
        old: dict[str, Any] | None,
        user: UserInfo,
    ) -> None:
        meta = obj.get("metadata") or {}
        name, namespace = str(meta.get("name", "")), str(meta.get("namespace") or "")
        if self._allowed(user, "escalate", plural, name, namespace):
            return
        rules = [r for r in obj.get("rules") or () if isinstance(r, dict)]
        if old is not None and rules == [r for r in old.get("rules") or () if isinstance(r, dict)]:
            return
        self._confirm(plural, name, namespace, rules, user)
        if kind == "ClusterRole" and obj.get("aggregationRule"):
            # An aggregation rule can gather anything: it takes * on everything.
            try:
                self._confirm(plural, name, "", _FULL_AUTHORITY, user)
            except StatusError:
                raise _forbidden(
                    plural, name, "must have cluster-admin privileges to use the aggregationRule"
                ) from None

    def _binding(
        self, plural: str, obj: dict[str, Any], old: dict[str, Any] | None, user: UserInfo
    ) -> None:
        meta = obj.get("metadata") or {}
        name, namespace = str(meta.get("name", "")), str(meta.get("namespace") or "")
        ref = obj.get("roleRef") if isinstance(obj.get("roleRef"), dict) else {}
        assert isinstance(ref, dict)
        if old is not None and ref == old.get("roleRef"):
            return  # only the subjects changed
        resource = {"ClusterRole": "clusterroles", "Role": "roles"}.get(str(ref.get("kind")))
        if resource and self._allowed(user, "bind", resource, str(ref.get("name", "")), namespace):
            return
        rules = self._authorizer._role_rules(ref, namespace)
        if isinstance(rules, str):
            raise _forbidden(plural, name, rules)
        self._confirm(plural, name, namespace, rules, user)

    def _confirm(
        self, plural: str, name: str, namespace: str, rules: list[dict[str, Any]], user: UserInfo
    ) -> None:
        """rbac's ConfirmNoEscalation."""
        owned, owned_urls, error = self._authorizer.rules_for(user, namespace)
        owner = owned + owned_urls
        missing = [
            sub
            for rule in rules
            for sub in _breakdown(rule)
            if not any(_covers(o, sub) for o in owner)
        ]
        if not missing:
            return
        described = sorted({_compact_string(r) for r in _compact(missing)})
        text = (
            f"user {json.dumps(user.name)} (groups={_go_quoted(list(user.groups))}) is attempting "
            "to grant RBAC permissions not currently held:\n" + "\n".join(described)
        )
        if error:
            text += f"; resolution errors: [{error}]"
        raise _forbidden(plural, name, text)


def _forbidden(plural: str, name: str, why: str) -> StatusError:
    return st.forbidden(
        f'{plural}.{_GROUP} "{name}" is forbidden: {why}',
        {"name": name, "group": _GROUP, "kind": plural},
    )


# --- the clusterrole-aggregation controller ----------------------------------------------


def _selects(selector: Any, labels: dict[str, Any]) -> bool:
    """metav1.LabelSelector matching (an empty selector selects everything)."""
    if not isinstance(selector, dict):
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or ():
        key, op = expr.get("key"), expr.get("operator")
        values = expr.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def aggregated_rules(role: dict[str, Any], roles: list[dict[str, Any]]) -> list[Any] | None:
    """The rules the clusterrole-aggregation controller gives ``role`` (None when it has no
    aggregationRule): every distinct rule of the other ClusterRoles its selectors pick, in
    the roles' name order."""
    rule = role.get("aggregationRule")
    if not isinstance(rule, dict):
        return None
    name = role["metadata"]["name"]
    picked = {
        other["metadata"]["name"]: other
        for selector in rule.get("clusterRoleSelectors") or ()
        for other in roles
        if other["metadata"]["name"] != name
        and _selects(selector, other["metadata"].get("labels") or {})
    }
    rules: list[Any] = []
    for other_name in sorted(picked):
        for item in picked[other_name].get("rules") or ():
            if item not in rules:
                rules.append(item)
    return rules


def aggregate_cluster_roles(registry: Any) -> None:
    """One pass of the clusterrole-aggregation controller over every aggregated ClusterRole."""
    rt = registry.catalog.by_kind(_GROUP, "v1", "ClusterRole")
    if rt is None:
        return
    roles = [e.obj for e in registry.store.items((_GROUP, "clusterroles"))]
    for role in roles:
        rules = aggregated_rules(role, roles)
        if rules is None or rules == (role.get("rules") or []):
            continue

        def change(obj: dict[str, Any], rules: list[Any] = rules) -> dict[str, Any]:
            return {**obj, "rules": rules}

        registry.mutate(rt, "", role["metadata"]["name"], change)
