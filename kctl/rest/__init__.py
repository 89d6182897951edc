"""client-go's ``rest`` package: Config, RESTClient, the Request builder, in-cluster config.

Importing this package is cheap: each name loads its submodule on first use (PEP 562), so
building a Config never loads the request machinery; requests (and with it urllib3, ``ssl``
and the socket layer) loads with the first request sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kctl._lazy import lazy_attributes

if TYPE_CHECKING:
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
    from kctl.rest._incluster import in_cluster_config
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
    from kctl.rest._transport import HTTPTransport, is_config_transport_tls
    from kctl.rest._url import server_url
    from kctl.rest._watch import Watcher, WatchEvent

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

# Which submodule defines each public name (kept in step with the imports above).
_SUBMODULES = {
    "DEFAULT_BURST": "_config",
    "DEFAULT_QPS": "_config",
    "AuthProviderConfig": "_config",
    "Config": "_config",
    "ExecConfig": "_config",
    "ExecEnvVar": "_config",
    "ImpersonationConfig": "_config",
    "TLSClientConfig": "_config",
    "HTTPRequest": "_http",
    "HTTPResponse": "_http",
    "Headers": "_http",
    "Transport": "_http",
    "in_cluster_config": "_incluster",
    "Clock": "_limiter",
    "RateLimiter": "_limiter",
    "SystemClock": "_limiter",
    "TokenBucketRateLimiter": "_limiter",
    "PatchType": "_request",
    "RESTClient": "_request",
    "Request": "_request",
    "Result": "_request",
    "rest_client_for": "_request",
    "set_kubernetes_defaults": "_request",
    "unversioned_rest_client_for": "_request",
    "HTTPTransport": "_transport",
    "is_config_transport_tls": "_transport",
    "server_url": "_url",
    "WatchEvent": "_watch",
    "Watcher": "_watch",
}


__getattr__, __dir__ = lazy_attributes(__name__, globals(), _SUBMODULES)
