"""kube-apiserver's authorization request attributes and its 403 texts, for the RBAC
authorizer (``_rbac``)."""

from __future__ import annotations

from dataclasses import dataclass

from kctl.errors import StatusError
from kctl.sandbox import _status as st
from kctl.sandbox._api import Request
from kctl.sandbox._auth import UserInfo

__all__ = ["Attributes", "forbidden", "request_attributes"]

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
