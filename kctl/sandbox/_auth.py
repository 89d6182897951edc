"""Authentication and authorization steps, as one pluggable middleware.

A rejected credential is 401 everywhere, as on kube-apiserver. A request without credentials
depends on ``anonymous``: kubectl never sends kubeconfig credentials over plain http (client-go
only merges them when the transport is TLS), so an http sandbox that refused anonymous
requests could not be used by kubectl at all. With ``anonymous=True`` the sandbox behaves like
kube-apiserver with anonymous auth; with ``anonymous=False`` like ``--anonymous-auth=false``
(401 for everything). Authenticators are tried in kube-apiserver's order (client
certificate, then bearer token); an ``authorize`` callback (see ``_authz``) narrows access.
"""

from __future__ import annotations

import csv
import hmac
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol
from urllib.parse import unquote

from kctl.errors import StatusError
from kctl.sandbox import _status as st
from kctl.sandbox._api import Handler, Request, Response

if TYPE_CHECKING:
    from kctl.sandbox._authz import Attributes

__all__ = [
    "ADMIN",
    "ANONYMOUS",
    "Authenticator",
    "CertAuthenticator",
    "CredentialRejected",
    "TokenAuthenticator",
    "UserInfo",
    "auth_middleware",
    "load_token_file",
]

_PUBLIC = ("/healthz", "/livez", "/readyz", "/version")


@dataclass(frozen=True)
class UserInfo:
    name: str
    uid: str = ""
    groups: tuple[str, ...] = field(default_factory=tuple)
    extra: tuple[tuple[str, tuple[str, ...]], ...] = ()


ADMIN = UserInfo("kctl-sandbox-admin", groups=("system:masters",))
ANONYMOUS = UserInfo("system:anonymous", groups=("system:unauthenticated",))


class CredentialRejected(Exception):
    """A credential was presented and is wrong: the request gets 401."""


class Authenticator(Protocol):
    def __call__(self, req: Request) -> UserInfo | None:
        """The user, None when the request carries no credential of this kind, or raise
        :class:`CredentialRejected`."""
        ...


class TokenAuthenticator:
    """Bearer tokens: one admin token and/or the entries of a token file."""

    def __init__(self, tokens: str | Mapping[str, UserInfo], user: str = ADMIN.name) -> None:
        if isinstance(tokens, str):
            groups = ADMIN.groups if user == ADMIN.name else ()
            tokens = {tokens: UserInfo(user, groups=groups)}
        self._tokens = dict(tokens)

    def __call__(self, req: Request) -> UserInfo | None:
        header = req.headers.get("authorization", "")
        if not header:
            return None
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise CredentialRejected
        presented = value.strip().encode()
        found: UserInfo | None = None
        for token, user in self._tokens.items():
            # Every entry is compared, so timing tells nothing about which one matched.
            if hmac.compare_digest(presented, token.encode()):
                found = user
        if found is None:
            raise CredentialRejected
        return found


class CertAuthenticator:
    """x509 client certificates verified by the TLS layer: CN is the user, O the groups."""

    def __call__(self, req: Request) -> UserInfo | None:
        if req.client_cert is None:
            return None
        from kctl.sandbox._tls import peer_identity

        identity = peer_identity(req.client_cert)
        if identity is None:
            raise CredentialRejected
        return UserInfo(identity[0], groups=tuple(identity[1]))


def load_token_file(path: str) -> dict[str, UserInfo]:
    """kube-apiserver's --token-auth-file: ``token,user,uid,"group1,group2"`` lines (CSV)."""
    tokens: dict[str, UserInfo] = {}
    with open(path, newline="", encoding="utf-8") as fh:
        for line_no, record in enumerate(csv.reader(fh, skipinitialspace=True), start=1):
            if not record or (len(record) == 1 and not record[0].strip()):
                continue
            if len(record) < 3:
                raise ValueError(
                    f"token file '{path}' must have at least 3 columns (token, user name, "
                    f"user uid), found {len(record)}"
                )
            token, name, uid = record[0], record[1], record[2]
            if not token:
                raise ValueError(f"token file '{path}': line {line_no}: empty token")
            groups: tuple[str, ...] = ()
            if len(record) >= 4 and record[3]:
                groups = tuple(g.strip() for g in record[3].split(",") if g.strip())
            tokens[token] = UserInfo(name, uid, groups)
    return tokens


def _is_public(path: str) -> bool:
    path = path.rstrip("/") or "/"
    return any(path == p or path.startswith(p + "/") for p in _PUBLIC)


def _authenticate(req: Request, authenticators: Sequence[Authenticator]) -> UserInfo | None:
    for authenticate in authenticators:
        user = authenticate(req)
        if user is not None:
            if "system:authenticated" not in user.groups:
                user = UserInfo(user.name, user.uid, (*user.groups, "system:authenticated"))
            return user
    return None


_SA_PREFIX = "system:serviceaccount:"
_EXTRA_PREFIX = "impersonate-extra-"


def _impersonate(
    req: Request, requestor: UserInfo, authorize: Callable[[Attributes], bool] | None
) -> UserInfo:
    """kube-apiserver's impersonation filter: every Impersonate-* header is a separate
    ``impersonate`` check on the requestor, in the apiserver's order (user, groups, extras,
    uid), and the request then runs as the identity the headers describe."""
    name = req.headers.get("impersonate-user", "")
    groups = req.header_values("impersonate-group")
    uid = req.headers.get("impersonate-uid", "")
    extras: dict[str, list[str]] = {}
    for header, value in req.header_lines:
        if header.lower().startswith(_EXTRA_PREFIX):
            key = unquote(header[len(_EXTRA_PREFIX) :].lower())
            extras.setdefault(key, []).append(value)
    if not (name or groups or uid or extras):
        return requestor
    if not name:
        raise st.internal_error(
            "requested impersonation of groups, user extras or uid without impersonating a user"
        )
    from kctl.sandbox._authz import Attributes, forbidden

    checks: list[tuple[str, str, str, str, str]] = []  # group, resource, sub, namespace, name
    sa_namespace = ""
    if name.startswith(_SA_PREFIX) and name.count(":") == 3:
        sa_namespace, sa_name = name[len(_SA_PREFIX) :].split(":")
        checks.append(("", "serviceaccounts", "", sa_namespace, sa_name))
    else:
        checks.append(("", "users", "", "", name))
    checks += [("", "groups", "", "", g) for g in groups]
    for key, values in extras.items():
        checks += [("authentication.k8s.io", "userextras", key, "", v) for v in values]
    if uid:
        checks.append(("authentication.k8s.io", "uids", "", "", uid))
    for group, resource, sub, namespace, target in checks:
        attrs = Attributes(
            requestor, "impersonate", req.path, True, group, "", namespace, resource, sub, target
        )
        if authorize is not None and not authorize(attrs):
            raise forbidden(attrs)
    if sa_namespace and not groups:
        groups = ["system:serviceaccounts", f"system:serviceaccounts:{sa_namespace}"]
    marker = "system:unauthenticated" if name == ANONYMOUS.name else "system:authenticated"
    if marker not in groups and (name == ANONYMOUS.name or "system:unauthenticated" not in groups):
        groups.append(marker)
    extra = tuple((k, tuple(v)) for k, v in extras.items())
    return UserInfo(name, uid, tuple(groups), extra)


def auth_middleware(
    authenticate: Authenticator | Sequence[Authenticator],
    authorize: Callable[[Attributes], bool] | None = None,
    *,
    anonymous: bool = True,
) -> Callable[[Request, Handler], Response]:
    authenticators = list(authenticate) if isinstance(authenticate, Sequence) else [authenticate]

    def middleware(req: Request, nxt: Handler) -> Response:
        try:
            user = _authenticate(req, authenticators)
        except CredentialRejected:
            return Response.error(st.unauthorized())
        if user is None:
            if not anonymous:
                return Response.error(st.unauthorized())
            user = ANONYMOUS
            if _is_public(req.path):
                req.user = user.name
                return nxt(req)
        try:
            user = _impersonate(req, user, authorize)
        except StatusError as err:
            return Response.error(err)
        req.user, req.uid, req.groups, req.extra = user.name, user.uid, user.groups, user.extra
        if authorize is not None:
            from kctl.sandbox import _authz

            attrs = _authz.request_attributes(req, user)
            if not authorize(attrs):
                return Response.error(_authz.forbidden(attrs))
        return nxt(req)

    return middleware
