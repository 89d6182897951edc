"""A small authorization policy and kube-apiserver's request attributes and 403 texts.

Policy file (YAML)::

    rules:
    - users: [alice]            # and/or groups: [dev-team]; "*" matches anyone
      verbs: [get, list, watch] # "*" for all
      resources: [pods, pods/log, deployments.apps]   # plural[.group][/subresource], "*"
      namespaces: [dev]         # optional: only there (never at the cluster scope)

A request is allowed when any rule matches it. Members of ``system:masters`` are always
allowed, and so are non-resource requests (discovery, /version, /healthz, /openapi), as the
default system:discovery and system:basic-user roles allow them to every user.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kctl.errors import StatusError
from kctl.sandbox import _status as st
from kctl.sandbox._api import Request
from kctl.sandbox._auth import UserInfo

__all__ = ["Attributes", "Policy", "PolicyError", "Rule", "forbidden", "request_attributes"]

_SPECIAL_VERBS = ("proxy", "watch")
_NAMESPACE_SUBRESOURCES = ("status", "finalize")
_METHOD_VERBS = {
    "POST": "create",
    "GET": "get",
    "HEAD": "get",
    "PUT": "update",
    "PATCH": "patch",
    "DELETE": "delete",
}


class PolicyError(ValueError):
    """The policy file is malformed."""


@dataclass(frozen=True)
class Attributes:
    """authorizer.Attributes as the apiserver's RequestInfoFactory derives them."""

    user: UserInfo
    verb: str
    path: str
    resource_request: bool = False
    api_group: str = ""
    api_version: str = ""
    namespace: str = ""
    resource: str = ""
    subresource: str = ""
    name: str = ""


def request_attributes(req: Request, user: UserInfo) -> Attributes:
    parts = [p for p in req.path.strip("/").split("/") if p]
    non_resource = Attributes(user, req.method.lower(), req.path)
    if len(parts) < 3 or parts[0] not in ("api", "apis"):
        return non_resource
    rest = parts[1:]
    group = ""
    if parts[0] == "apis":
        if len(rest) < 3:
            return non_resource
        group, rest = rest[0], rest[1:]
    version, rest = rest[0], rest[1:]
    if rest[0] in _SPECIAL_VERBS:
        if len(rest) < 2:
            return non_resource
        verb, rest = rest[0], rest[1:]
    else:
        verb = _METHOD_VERBS.get(req.method, "")
    namespace = ""
    if rest[0] == "namespaces" and len(rest) > 1:
        namespace = rest[1]
        if len(rest) > 2 and rest[2] not in _NAMESPACE_SUBRESOURCES:
            rest = rest[2:]
    resource = rest[0]
    name = rest[1] if len(rest) >= 2 else ""
    subresource = rest[2] if len(rest) >= 3 and verb != "proxy" else ""
    if not name and verb == "get":
        verb = "watch" if req.param("watch") in ("1", "true") else "list"
        selector = req.param("fieldSelector") or ""
        terms = [t.strip() for t in selector.split(",") if t.strip()]
        for term in terms:
            key, op, value = _split_term(term)
            if key == "metadata.name" and op in ("=", "==") and value:
                name = value
    if not name and verb == "delete":
        verb = "deletecollection"
    return Attributes(
        user, verb, req.path, True, group, version, namespace, resource, subresource, name
    )


def _split_term(term: str) -> tuple[str, str, str]:
    for op in ("!=", "==", "="):
        key, sep, value = term.partition(op)
        if sep:
            return key.strip(), op, value.strip()
    return term, "", ""


def _message(attrs: Attributes) -> str:
    """responsewriters.forbiddenMessage, HTML-escaped as the apiserver does."""
    user = attrs.user.name
    if not attrs.resource_request:
        text = f'User "{user}" cannot {attrs.verb} path "{attrs.path}"'
    else:
        resource = attrs.resource
        if attrs.subresource:
            resource += "/" + attrs.subresource
        text = (
            f'User "{user}" cannot {attrs.verb} resource "{resource}" '
            f'in API group "{attrs.api_group}"'
        )
        if attrs.namespace:
            text += f' in the namespace "{attrs.namespace}"'
        else:
            text += " at the cluster scope"
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def forbidden(attrs: Attributes) -> StatusError:
    """apierrors.NewForbidden for the request's group/resource and name."""
    message = _message(attrs)
    if not attrs.resource_request or not attrs.resource:
        return st.forbidden(f"forbidden: {message}", {})
    qualified = st.qualified(attrs.api_group, attrs.resource)
    if attrs.name:
        text = f'{qualified} "{attrs.name}" is forbidden: {message}'
    else:
        text = f"{qualified} is forbidden: {message}"
    return st.forbidden(
        text, {"name": attrs.name, "group": attrs.api_group, "kind": attrs.resource}
    )


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PolicyError(f"{where}: must be a string or a list of strings")
    return tuple(value)


@dataclass(frozen=True)
class Rule:
    users: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    namespaces: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: Any, where: str) -> Rule:
        if not isinstance(data, Mapping):
            raise PolicyError(f"{where}: must be a mapping")
        known = {"users", "user", "groups", "group", "verbs", "resources", "namespaces"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise PolicyError(f"{where}: unknown field {unknown[0]!r}")
        rule = cls(
            users=_strings(data.get("users"), f"{where}.users")
            + _strings(data.get("user"), f"{where}.user"),
            groups=_strings(data.get("groups"), f"{where}.groups")
            + _strings(data.get("group"), f"{where}.group"),
            verbs=_strings(data.get("verbs"), f"{where}.verbs"),
            resources=_strings(data.get("resources"), f"{where}.resources"),
            namespaces=_strings(data.get("namespaces"), f"{where}.namespaces"),
        )
        if not rule.users and not rule.groups:
            raise PolicyError(f"{where}: needs users or groups")
        if not rule.verbs:
            raise PolicyError(f"{where}: needs verbs")
        if not rule.resources:
            raise PolicyError(f"{where}: needs resources")
        return rule

    def matches(self, attrs: Attributes) -> bool:
        user = attrs.user
        if not (
            "*" in self.users
            or user.name in self.users
            or any(g in self.groups for g in user.groups)
            or ("*" in self.groups)
        ):
            return False
        if "*" not in self.verbs and attrs.verb not in self.verbs:
            return False
        if self.namespaces and attrs.namespace not in self.namespaces:
            return False
        return any(_resource_matches(r, attrs) for r in self.resources)


def _resource_matches(pattern: str, attrs: Attributes) -> bool:
    if pattern == "*":
        return True
    base, _, sub = pattern.partition("/")
    plural, _, group = base.partition(".")
    if plural not in ("*", attrs.resource) or group not in ("*", attrs.api_group):
        return False
    if sub:
        return sub in ("*", attrs.subresource)
    return not attrs.subresource


_SELF_REVIEWS = {
    ("authorization.k8s.io", "selfsubjectaccessreviews"),
    ("authorization.k8s.io", "selfsubjectrulesreviews"),
    ("authentication.k8s.io", "selfsubjectreviews"),
}


def _basic_user(attrs: Attributes) -> bool:
    """What the system:basic-user ClusterRole grants every authenticated user."""
    return (
        attrs.verb == "create"
        and (attrs.api_group, attrs.resource) in _SELF_REVIEWS
        and "system:authenticated" in attrs.user.groups
    )


@dataclass(frozen=True)
class Policy:
    rules: tuple[Rule, ...]

    @classmethod
    def from_dict(cls, data: Any) -> Policy:
        if not isinstance(data, Mapping) or not isinstance(data.get("rules"), list):
            raise PolicyError("the policy must be a mapping with a list of rules")
        return cls(tuple(Rule.from_dict(r, f"rules[{i}]") for i, r in enumerate(data["rules"])))

    @classmethod
    def load(cls, path: str) -> Policy:
        import yaml

        from kctl.util import goyaml

        with open(path, encoding="utf-8") as fh:
            try:
                data = yaml.load(fh, Loader=goyaml.loader())
            except yaml.YAMLError as err:
                # PyYAML's first line is only the context ("while parsing a flow node").
                mark = getattr(err, "problem_mark", None)
                where = f" at line {mark.line + 1}" if mark is not None else ""
                problem = getattr(err, "problem", None) or str(err).splitlines()[0]
                raise PolicyError(f"invalid YAML: {problem}{where}") from None
        return cls.from_dict(data)

    def __call__(self, attrs: Attributes) -> bool:
        if "system:masters" in attrs.user.groups or not attrs.resource_request:
            return True
        if _basic_user(attrs):
            return True
        return any(rule.matches(attrs) for rule in self.rules)
