"""client-go's ``rest`` package: Config, RESTClient, the Request builder, in-cluster config.

Importing this package is cheap: the socket layer loads with the first request, and ``ssl``
only for the first TLS connection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kctl.rest._config import (
    DEFAULT_BURST,
    DEFAULT_QPS,
    AuthProviderConfig,
    Config,
    ExecConfig,
    ExecEnvVar,
    ImpersonationConfig,
    TLSClientConfig,
)
from kctl.rest._http import Headers, HTTPRequest, HTTPResponse, Transport
from kctl.rest._limiter import Clock, RateLimiter, SystemClock, TokenBucketRateLimiter
from kctl.rest._request import (
    PatchType,
    Request,
    RESTClient,
    Result,
    rest_client_for,
    set_kubernetes_defaults,
    unversioned_rest_client_for,
)
from kctl.rest._url import server_url
from kctl.rest._watch import Watcher, WatchEvent

if TYPE_CHECKING:
    from kctl.rest._incluster import in_cluster_config
    from kctl.rest._transport import HTTPTransport, is_config_transport_tls

__all__ = [
    "DEFAULT_BURST",
    "DEFAULT_QPS",
    "AuthProviderConfig",
    "Clock",
    "Config",
    "ExecConfig",
    "ExecEnvVar",
    "HTTPRequest",
    "HTTPResponse",
    "HTTPTransport",
    "Headers",
    "ImpersonationConfig",
    "PatchType",
    "RESTClient",
    "RateLimiter",
    "Request",
    "Result",
    "SystemClock",
    "TLSClientConfig",
    "TokenBucketRateLimiter",
    "Transport",
    "WatchEvent",
    "Watcher",
    "in_cluster_config",
    "is_config_transport_tls",
    "rest_client_for",
    "server_url",
    "set_kubernetes_defaults",
    "unversioned_rest_client_for",
]

# Loaded on first use: the transport pulls in sockets (and ssl for TLS).
_LAZY = {
    "HTTPTransport": "kctl.rest._transport",
    "is_config_transport_tls": "kctl.rest._transport",
    "in_cluster_config": "kctl.rest._incluster",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kctl.rest' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
