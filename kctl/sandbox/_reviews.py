"""Virtual "review" resources and TokenRequest: answered from the caller, never stored.

kube-apiserver answers these creates from its authenticator and authorizer (kubectl's
``auth can-i``, ``auth can-i --list``, ``auth whoami`` and ``create token`` use them). The
sandbox answers from the request's user and the ``authorize`` hook (the sandbox's policy);
without a policy every user may do everything, as the sandbox then allows.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from kctl.sandbox import _status as st
from kctl.sandbox._auth import Authenticator, UserInfo
from kctl.sandbox._authz import Attributes

__all__ = [
    "REVIEW_KINDS",
    "ServiceAccountTokenAuthenticator",
    "is_review",
    "review",
    "token_request",
    "token_review",
]

Authorize = Callable[[Attributes], bool]

REVIEW_KINDS = {
    ("authorization.k8s.io", "selfsubjectaccessreviews"),
    ("authorization.k8s.io", "selfsubjectrulesreviews"),
    ("authorization.k8s.io", "subjectaccessreviews"),
    ("authorization.k8s.io", "localsubjectaccessreviews"),
    ("authentication.k8s.io", "selfsubjectreviews"),
    ("authentication.k8s.io", "tokenreviews"),
}
# kind's service-account issuer (--service-account-issuer), also the default audience.
_ISSUER = "https://kubernetes.default.svc.cluster.local"
# Signs issued tokens for this process only: a restart invalidates them, as a key rotation would.
_KEY = secrets.token_bytes(32)
_KID = base64.urlsafe_b64encode(hashlib.sha256(_KEY).digest()[:24]).decode().rstrip("=")

# What system:basic-user, system:discovery and system:public-info-viewer grant everyone.
_BASIC_RESOURCE_RULES = [
    {
        "verbs": ["create"],
        "apiGroups": ["authorization.k8s.io"],
        "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
    },
    {
        "verbs": ["create"],
        "apiGroups": ["authentication.k8s.io"],
        "resources": ["selfsubjectreviews"],
    },
]
_BASIC_NON_RESOURCE_RULES = [
    {
        "verbs": ["get"],
        "nonResourceURLs": [
            "/api",
            "/api/*",
            "/apis",
            "/apis/*",
            "/healthz",
            "/livez",
            "/openapi",
            "/openapi/*",
            "/readyz",
            "/version",
            "/version/",
        ],
    },
    {
        "verbs": ["get"],
        "nonResourceURLs": ["/healthz", "/livez", "/readyz", "/version", "/version/"],
    },
]


def is_review(group: str, plural: str) -> bool:
    return (group, plural) in REVIEW_KINDS


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _user_info(user: UserInfo) -> dict[str, Any]:
    info: dict[str, Any] = {"username": user.name}
    if user.uid:
        info["uid"] = user.uid
    if user.groups:
        info["groups"] = list(user.groups)
    if user.extra:
        info["extra"] = {key: list(values) for key, values in user.extra}
    return info


def _allowed(authorize: Authorize | None, attrs: Attributes) -> bool:
    return True if authorize is None else authorize(attrs)


def _access_attributes(user: UserInfo, spec: dict[str, Any], kind: str) -> Attributes:
    res: dict[str, Any] = spec.get("resourceAttributes") or {}
    non: dict[str, Any] = spec.get("nonResourceAttributes") or {}
    if bool(res) == bool(non):
        raise st.invalid(
            "authorization.k8s.io",
            kind,
            "",
            [
                {
                    "reason": "FieldValueInvalid",
                    "message": "Invalid value: "
                    + json.dumps(spec, separators=(",", ":"), sort_keys=True)
                    + ": exactly one of nonResourceAttributes or resourceAttributes must be "
                    "specified",
                    "field": "spec",
                }
            ],
        )
    if non:
        return Attributes(user, str(non.get("verb", "")), str(non.get("path", "")))
    return Attributes(
        user,
        str(res.get("verb", "")),
        "",
        True,
        str(res.get("group", "")),
        str(res.get("version", "")),
        str(res.get("namespace", "")),
        str(res.get("resource", "")),
        str(res.get("subresource", "")),
        str(res.get("name", "")),
    )


def _unrestricted_rules() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Without RBAC every user may do everything (kube-apiserver's AlwaysAllow)."""
    resource = [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}]
    non_resource = [{"verbs": ["*"], "nonResourceURLs": ["*"]}]
    return resource + _BASIC_RESOURCE_RULES, non_resource + _BASIC_NON_RESOURCE_RULES


def review(
    group: str,
    plural: str,
    namespace: str,
    body: dict[str, Any],
    user: UserInfo,
    authorize: Authorize | None,
) -> dict[str, Any]:
    """The answered review object (status filled in) for a POST of ``body``."""
    out = dict(body)
    meta = dict(out.get("metadata") or {})
    meta.setdefault("creationTimestamp", None)
    out["metadata"] = meta
    spec = dict(out.get("spec") or {})
    out["spec"] = spec
    kind = str(body.get("kind") or "")
    if plural == "selfsubjectreviews":
        out["status"] = {"userInfo": _user_info(user)}
        return out
    if plural == "selfsubjectrulesreviews":
        from kctl.sandbox._rbac import RBACAuthorizer

        namespace = str(spec.get("namespace") or "")
        error = ""
        if isinstance(authorize, RBACAuthorizer):
            resource, non_resource, error = authorize.rules_for(user, namespace)
        else:
            resource, non_resource = _unrestricted_rules()
        out["status"] = {
            "resourceRules": resource,
            "nonResourceRules": non_resource,
            "incomplete": bool(error),
        }
        if error:
            out["status"]["evaluationError"] = error
        return out
    subject = user
    if plural in ("subjectaccessreviews", "localsubjectaccessreviews"):
        if not spec.get("user") and not spec.get("groups"):
            raise st.invalid(
                group,
                kind or "SubjectAccessReview",
                "",
                [
                    {
                        "reason": "FieldValueRequired",
                        "message": "Required value: at least one of user or group must be "
                        "specified",
                        "field": "spec.user",
                    }
                ],
            )
        subject = UserInfo(
            str(spec.get("user") or ""), str(spec.get("uid") or ""), tuple(spec.get("groups") or ())
        )
    attrs = _access_attributes(subject, spec, kind or "SelfSubjectAccessReview")
    if plural == "localsubjectaccessreviews" and attrs.namespace != namespace:
        raise st.invalid(
            group,
            "LocalSubjectAccessReview",
            "",
            [
                {
                    "reason": "FieldValueInvalid",
                    "message": f"Invalid value: {json.dumps(attrs.namespace)}: must match "
                    f"metadata.namespace",
                    "field": "spec.resourceAttributes.namespace",
                }
            ],
        )
    from kctl.sandbox._rbac import RBACAuthorizer

    if isinstance(authorize, RBACAuthorizer) and "system:masters" not in subject.groups:
        allowed, reason = authorize.decide(attrs)
        status: dict[str, Any] = {"allowed": allowed}
        if reason:
            status["reason"] = reason
        out["status"] = status
        return out
    allowed = _allowed(authorize, attrs)
    status = {"allowed": allowed}
    if allowed and "system:masters" in subject.groups:
        status["reason"] = (
            'RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole '
            '"cluster-admin" to Group "system:masters"'
        )
    out["status"] = status
    return out


def token_request(
    namespace: str, account: dict[str, Any], body: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """A TokenRequest answered with a signed token for the ServiceAccount ``account``."""
    spec = dict(body.get("spec") or {})
    expiration = int(spec.get("expirationSeconds") or 3600)
    if expiration < 600:
        raise st.invalid(
            "authentication.k8s.io",
            "TokenRequest",
            "",
            [
                {
                    "reason": "FieldValueInvalid",
                    "message": "Invalid value: "
                    f"{expiration}: may not specify a duration less than 10 minutes",
                    "field": "spec.expirationSeconds",
                }
            ],
        )
    audiences = list(spec.get("audiences") or [_ISSUER])
    spec.update({"audiences": audiences, "expirationSeconds": expiration})
    spec.setdefault("boundObjectRef", None)
    issued = int(now.timestamp())
    expires = now.astimezone(timezone.utc) + timedelta(seconds=expiration)
    meta = account.get("metadata") or {}
    name = str(meta.get("name", ""))
    claims = {
        "aud": audiences,
        "exp": issued + expiration,
        "iat": issued,
        "iss": _ISSUER,
        "jti": str(uuid.uuid4()),
        "kubernetes.io": {
            "namespace": namespace,
            "serviceaccount": {"name": name, "uid": str(meta.get("uid", ""))},
        },
        "nbf": issued,
        "sub": f"system:serviceaccount:{namespace}:{name}",
    }
    return {
        "kind": "TokenRequest",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": {"name": name, "namespace": namespace, "creationTimestamp": None},
        "spec": spec,
        "status": {"token": _sign(claims), "expirationTimestamp": _rfc3339(expires)},
    }


def token_review(body: dict[str, Any], authenticators: Sequence[Authenticator]) -> dict[str, Any]:
    """A TokenReview answered with the user ``authenticators`` (the server's token
    authenticators, in its order) find for ``spec.token``. Like kube-apiserver's, the answer
    is the posted object with a status; names are neither needed nor kept."""
    from kctl.sandbox._api import Request
    from kctl.sandbox._auth import CredentialRejected

    spec = body.get("spec")
    spec = spec if isinstance(spec, dict) else {}
    token = spec.get("token")
    if not isinstance(token, str) or not token:
        raise st.bad_request("token is required for TokenReview in authentication")
    meta = dict(body.get("metadata") or {})
    meta.setdefault("creationTimestamp", None)
    status: dict[str, Any] = {"user": {}}
    out = {"kind": "TokenReview", "apiVersion": body.get("apiVersion"), "metadata": meta}
    out.update((k, v) for k, v in body.items() if k not in out)
    out["status"] = status
    if not authenticators:
        return out  # no token authentication: the apiserver echoes the review unanswered
    wanted = [str(a) for a in spec.get("audiences") or ()] or [_ISSUER]
    # A token is authenticated as the header it stands for would be.
    probe = Request.build("GET", "/", {"Authorization": f"Bearer {token}"})
    user: UserInfo | None = None
    for authenticate in authenticators:
        try:
            user = authenticate(probe)
        except CredentialRejected:
            user = None
        if user is not None:
            break
    if user is None:
        return out
    # Static tokens are valid for the server's own audience; issued ones for their "aud".
    held = _token_audiences(token) or [_ISSUER]
    audiences = [a for a in held if a in wanted]
    if not audiences:
        return out
    if "system:authenticated" not in user.groups:
        user = UserInfo(user.name, user.uid, (*user.groups, "system:authenticated"), user.extra)
    out["status"] = {"authenticated": True, "user": _user_info(user), "audiences": audiences}
    return out


def _token_audiences(token: str) -> list[str] | None:
    """The audiences of a token :func:`token_request` signed, None for any other token."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    expected = hmac.new(_KEY, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
    try:
        if not hmac.compare_digest(_unb64(parts[2]), expected):
            return None
        aud = json.loads(_unb64(parts[1])).get("aud")
    except (ValueError, AttributeError):
        return None
    if isinstance(aud, str):
        return [aud]
    return [str(a) for a in aud] if isinstance(aud, list) else None


def _rfc3339(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sign(claims: dict[str, Any]) -> str:
    header = _b64(json.dumps({"alg": "RS256", "kid": _KID}, separators=(",", ":")).encode())
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    mac = hmac.new(_KEY, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(mac)}"


class ServiceAccountTokenAuthenticator:
    """Accepts tokens that :func:`token_request` issued in this process and that are in date."""

    def __call__(self, req: Any) -> UserInfo | None:
        header = req.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or token.count(".") != 2:
            return None
        head, payload, sig = token.strip().split(".")
        expected = hmac.new(_KEY, f"{head}.{payload}".encode(), hashlib.sha256).digest()
        try:
            if not hmac.compare_digest(_unb64(sig), expected):
                return None
            claims = json.loads(_unb64(payload))
        except ValueError:
            return None
        if int(claims.get("exp", 0)) < time.time():
            return None
        ns = claims["kubernetes.io"]["namespace"]
        account = claims["kubernetes.io"]["serviceaccount"]
        return UserInfo(
            claims["sub"],
            account.get("uid", ""),
            ("system:serviceaccounts", f"system:serviceaccounts:{ns}"),
        )
