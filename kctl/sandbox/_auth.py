"""Authentication and authorization steps, as pluggable middlewares.

A rejected credential is 401 everywhere, as on kube-apiserver. A request without credentials
depends on ``anonymous``: kubectl never sends kubeconfig credentials over plain http (client-go
only merges them when the transport is TLS), so an http sandbox that refused anonymous
requests could not be used by kubectl at all. With ``anonymous=True`` the sandbox behaves like
kube-apiserver with anonymous auth and the AlwaysAllow authorizer; with ``anonymous=False``
like ``--anonymous-auth=false`` (401 for everything). An ``authorize`` callback can narrow
either (RBAC-like policies plug in there).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Protocol

from kctl.sandbox import _status as st
from kctl.sandbox._api import Handler, Request, Response

__all__ = ["Authenticator", "TokenAuthenticator", "auth_middleware"]

_PUBLIC = ("/healthz", "/livez", "/readyz", "/version")


class Authenticator(Protocol):
    def __call__(self, req: Request) -> str | None:
        """The user name, "" for anonymous, or None for a credential that was rejected."""
        ...


class TokenAuthenticator:
    def __init__(self, token: str, user: str = "kctl-sandbox-admin") -> None:
        self._token = token
        self._user = user

    def __call__(self, req: Request) -> str | None:
        header = req.headers.get("authorization", "")
        if not header:
            return ""
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            value.strip().encode(), self._token.encode()
        ):
            return None
        return self._user


def _is_public(path: str) -> bool:
    path = path.rstrip("/") or "/"
    return any(path == p or path.startswith(p + "/") for p in _PUBLIC)


def auth_middleware(
    authenticate: Authenticator,
    authorize: Callable[[str, Request], bool] | None = None,
    *,
    anonymous: bool = True,
) -> Callable[[Request, Handler], Response]:
    def middleware(req: Request, nxt: Handler) -> Response:
        user = authenticate(req)
        if user is None or (not user and not anonymous):
            return Response.error(st.unauthorized())
        if not user:
            user = "system:anonymous"
            if _is_public(req.path):
                req.user = user
                return nxt(req)
        req.user = user
        if authorize is not None and not authorize(user, req):
            return Response.error(
                st.forbidden(
                    f'forbidden: User "{user}" cannot {req.method.lower()} path "{req.path}"', {}
                )
            )
        return nxt(req)

    return middleware
