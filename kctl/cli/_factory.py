"""The Factory that turns kubectl's global flags into clients (cli-runtime's ConfigFlags).

A verb's function receives one, built from the global flags click parsed::

    namespace, explicit = factory.namespace()     # -n, else the context's, else "default"
    config = factory.rest_config()                 # a resolved kctl.rest.Config
    mapper = factory.rest_mapper()                 # discovery through ~/.kube/cache
    client = factory.dynamic()                     # kctl.dynamic.DynamicClient

Nothing here is built before it is asked for: a verb that fails on its arguments never
reads the kubeconfig, and ``rest_mapper()`` is the first call that touches the network.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import MutableMapping

    from kctl.clientcmd import DeferredLoadingClientConfig
    from kctl.discovery import CachedDiscoveryClient, RESTMapper
    from kctl.dynamic import DynamicClient
    from kctl.rest import Config, RESTClient

__all__ = ["DISCOVERY_BURST", "DISCOVERY_QPS", "Factory", "GlobalFlags", "pop_global_flags"]

# kubectl's defaultConfigFlags(): WithDiscoveryBurst(300).WithDiscoveryQPS(50.0). The
# REST config of every other request keeps client-go's defaults (QPS 5, burst 10).
DISCOVERY_QPS = 50.0
DISCOVERY_BURST = 300


@dataclass
class GlobalFlags:
    """The values of kubectl's global flags, as given (empty means not given)."""

    kubeconfig: str = ""
    context: str = ""
    cluster: str = ""
    user: str = ""
    namespace: str = ""
    server: str = ""
    token: str = ""
    certificate_authority: str = ""
    client_certificate: str = ""
    client_key: str = ""
    insecure_skip_tls_verify: bool = False
    tls_server_name: str = ""
    as_user: str = ""
    as_groups: tuple[str, ...] = ()
    as_uid: str = ""
    request_timeout: str = "0"
    cache_dir: str = ""
    verbosity: int = 0
    disable_compression: bool = False
    username: str = ""
    password: str = ""


def _warn(text: str) -> None:
    from kctl.cli._io import warn

    warn(text)


def _log_group_version_error(group_version: str, err: BaseException, retried: bool) -> None:
    """What client-go's memcache logs through utilruntime.HandleError, kubectl's bytes."""
    from kctl.util.klog import klog_line

    source, key = ("memcache.go:133", "gv") if retried else ("memcache.go:403", "groupVersion")
    sys.stderr.write(
        klog_line("E", source, "Couldn't get resource list", key, group_version, err=err)
    )
    sys.stderr.flush()


class Factory:
    """Lazily built clients for one invocation (kubectl's cmdutil.Factory)."""

    def __init__(self, flags: GlobalFlags) -> None:
        self.flags = flags
        self._client_config: DeferredLoadingClientConfig | None = None
        self._rest_config: Config | None = None
        self._discovery: CachedDiscoveryClient | None = None
        self._mapper: RESTMapper | None = None
        self._dynamic: DynamicClient | None = None
        self._clients: dict[tuple[str, str], RESTClient] = {}

    def client_config(self) -> DeferredLoadingClientConfig:
        """The kubeconfig loader with the flags as overrides (ToRawKubeConfigLoader)."""
        if self._client_config is None:
            from kctl.clientcmd import (
                ClientConfigLoadingRules,
                ConfigOverrides,
                new_default_client_config_loading_rules,
                new_non_interactive_deferred_loading_client_config,
            )

            f = self.flags
            rules = new_default_client_config_loading_rules()
            if f.kubeconfig:
                rules = ClientConfigLoadingRules(explicit_path=f.kubeconfig)
            overrides = ConfigOverrides.from_flags(
                context=f.context,
                cluster=f.cluster,
                user=f.user,
                namespace=f.namespace,
                server=f.server,
                tls_server_name=f.tls_server_name,
                insecure_skip_tls_verify=f.insecure_skip_tls_verify,
                certificate_authority=f.certificate_authority,
                client_certificate=f.client_certificate,
                client_key=f.client_key,
                token=f.token,
                as_user=f.as_user,
                as_groups=f.as_groups,
                as_uid=f.as_uid,
                username=f.username,
                password=f.password,
                request_timeout=f.request_timeout,
                disable_compression=f.disable_compression,
            )
            self._client_config = new_non_interactive_deferred_loading_client_config(
                rules, overrides
            )
        return self._client_config

    def rest_config(self) -> Config:
        """The resolved rest.Config (ToRESTConfig), with -v applied."""
        if self._rest_config is None:
            config = self.client_config().client_config()
            if self.flags.verbosity:
                config = config.copy(verbosity=self.flags.verbosity)
            self._rest_config = config
        return self._rest_config

    def namespace(self) -> tuple[str, bool]:
        """The namespace to use, and whether it came from ``-n`` (ToRawKubeConfigLoader().Namespace())."""
        return self.client_config().namespace_with_override()

    def discovery(self) -> CachedDiscoveryClient:
        """Discovery through kubectl's disk cache at --cache-dir ($KUBECACHEDIR, ~/.kube/cache)."""
        if self._discovery is None:
            from kctl.discovery import new_cached_discovery_client_for_config

            config = self.rest_config().copy(qps=DISCOVERY_QPS, burst=DISCOVERY_BURST)
            self._discovery = new_cached_discovery_client_for_config(
                config, self.flags.cache_dir or None, error_handler=_log_group_version_error
            )
        return self._discovery

    def rest_mapper(self) -> RESTMapper:
        if self._mapper is None:
            from kctl.discovery import RESTMapper

            self._mapper = RESTMapper(self.discovery(), warning_handler=_warn)
        return self._mapper

    def dynamic(self) -> DynamicClient:
        if self._dynamic is None:
            from kctl.dynamic import new_for_config

            self._dynamic = new_for_config(self.rest_config())
        return self._dynamic

    def rest_client(self, group: str, version: str) -> RESTClient:
        """A RESTClient for one group-version, sharing the config's limiter and pool."""
        key = (group, version)
        client = self._clients.get(key)
        if client is None:
            from kctl.rest import RESTClient

            base = f"/api/{version}" if not group else f"/apis/{group}/{version}"
            client = RESTClient(self.rest_config(), base_path=base)
            self._clients[key] = client
        return client


def pop_global_flags(kwargs: MutableMapping[str, Any]) -> GlobalFlags:
    """The global flags' values taken out of parsed params (their dests are ``g_*``)."""
    return GlobalFlags(
        kubeconfig=kwargs.pop("g_kubeconfig"),
        context=kwargs.pop("g_context"),
        cluster=kwargs.pop("g_cluster"),
        user=kwargs.pop("g_user"),
        namespace=kwargs.pop("g_namespace"),
        server=kwargs.pop("g_server"),
        token=kwargs.pop("g_token"),
        certificate_authority=kwargs.pop("g_certificate_authority"),
        client_certificate=kwargs.pop("g_client_certificate"),
        client_key=kwargs.pop("g_client_key"),
        insecure_skip_tls_verify=kwargs.pop("g_insecure_skip_tls_verify"),
        tls_server_name=kwargs.pop("g_tls_server_name"),
        as_user=kwargs.pop("g_as"),
        as_groups=tuple(kwargs.pop("g_as_group")),
        as_uid=kwargs.pop("g_as_uid"),
        request_timeout=kwargs.pop("g_request_timeout"),
        cache_dir=kwargs.pop("g_cache_dir"),
        verbosity=kwargs.pop("g_v"),
        disable_compression=kwargs.pop("g_disable_compression"),
        username=kwargs.pop("g_username"),
        password=kwargs.pop("g_password"),
    )
