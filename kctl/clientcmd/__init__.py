"""client-go's ``tools/clientcmd``: kubeconfig loading, merging, overrides and writing.

Typical use::

    rules = new_default_client_config_loading_rules()          # KUBECONFIG or ~/.kube/config
    cc = new_non_interactive_deferred_loading_client_config(rules, ConfigOverrides())
    config = cc.client_config()                                # a kctl.rest.Config
    namespace = cc.namespace()
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kctl._lazy import lazy_attributes

if TYPE_CHECKING:
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

# Which submodule defines each public name (kept in step with the imports above). Reading a
# kubeconfig never loads the writer (tempfile, locking); loading one never loads the client
# config builder (and through it kctl.rest).
_SUBMODULES = {
    "AuthInfo": "_api",
    "AuthProvider": "_api",
    "Cluster": "_api",
    "Context": "_api",
    "Exec": "_api",
    "Kubeconfig": "_api",
    "Preferences": "_api",
    "EMPTY_CONFIG_MESSAGE": "_client_config",
    "ClientConfig": "_client_config",
    "ConfigOverrides": "_client_config",
    "DeferredLoadingClientConfig": "_client_config",
    "DirectClientConfig": "_client_config",
    "InClusterClientConfig": "_client_config",
    "build_config_from_flags": "_client_config",
    "default_server": "_client_config",
    "is_empty_config": "_client_config",
    "new_client_config_from_bytes": "_client_config",
    "new_non_interactive_client_config": "_client_config",
    "new_non_interactive_deferred_loading_client_config": "_client_config",
    "parse_timeout": "_client_config",
    "rest_config_from_kubeconfig": "_client_config",
    "RECOMMENDED_CONFIG_PATH_ENV_VAR": "_loader",
    "ClientConfigLoadingRules": "_loader",
    "load": "_loader",
    "load_from_file": "_loader",
    "new_default_client_config_loading_rules": "_loader",
    "recommended_home_file": "_loader",
    "resolve_local_paths": "_loader",
    "modify_config": "_writer",
    "to_dict": "_writer",
    "to_yaml": "_writer",
    "write_to_file": "_writer",
}


__getattr__, __dir__ = lazy_attributes(__name__, globals(), _SUBMODULES)
