"""client-go's ``tools/clientcmd``: kubeconfig loading, merging, overrides and writing.

Typical use::

    rules = new_default_client_config_loading_rules()          # KUBECONFIG or ~/.kube/config
    cc = new_non_interactive_deferred_loading_client_config(rules, ConfigOverrides())
    config = cc.client_config()                                # a kctl.rest.Config
    namespace = cc.namespace()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kctl.clientcmd._api import (
    AuthInfo,
    AuthProvider,
    Cluster,
    Context,
    Exec,
    Kubeconfig,
    Preferences,
)
from kctl.clientcmd._client_config import (
    EMPTY_CONFIG_MESSAGE,
    ClientConfig,
    ConfigOverrides,
    DeferredLoadingClientConfig,
    DirectClientConfig,
    InClusterClientConfig,
    build_config_from_flags,
    default_server,
    is_empty_config,
    new_client_config_from_bytes,
    new_non_interactive_client_config,
    new_non_interactive_deferred_loading_client_config,
    parse_timeout,
    rest_config_from_kubeconfig,
)
from kctl.clientcmd._loader import (
    RECOMMENDED_CONFIG_PATH_ENV_VAR,
    ClientConfigLoadingRules,
    load,
    load_from_file,
    new_default_client_config_loading_rules,
    recommended_home_file,
    resolve_local_paths,
)

if TYPE_CHECKING:
    from kctl.clientcmd._writer import modify_config, to_dict, to_yaml, write_to_file

__all__ = [
    "EMPTY_CONFIG_MESSAGE",
    "RECOMMENDED_CONFIG_PATH_ENV_VAR",
    "AuthInfo",
    "AuthProvider",
    "ClientConfig",
    "ClientConfigLoadingRules",
    "Cluster",
    "ConfigOverrides",
    "Context",
    "DeferredLoadingClientConfig",
    "DirectClientConfig",
    "Exec",
    "InClusterClientConfig",
    "Kubeconfig",
    "Preferences",
    "build_config_from_flags",
    "default_server",
    "is_empty_config",
    "load",
    "load_from_file",
    "modify_config",
    "new_client_config_from_bytes",
    "new_default_client_config_loading_rules",
    "new_non_interactive_client_config",
    "new_non_interactive_deferred_loading_client_config",
    "parse_timeout",
    "recommended_home_file",
    "resolve_local_paths",
    "rest_config_from_kubeconfig",
    "to_dict",
    "to_yaml",
    "write_to_file",
]

# The writer (tempfile, locking) loads on first use: reading a kubeconfig never needs it.
_LAZY = {"modify_config", "to_dict", "to_yaml", "write_to_file"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from kctl.clientcmd import _writer

    value = getattr(_writer, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
