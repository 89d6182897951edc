"""client-go's ``rest`` package: Config, RESTClient, the Request builder, in-cluster config."""

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
from kctl.rest._incluster import in_cluster_config

__all__ = [
    "DEFAULT_BURST",
    "DEFAULT_QPS",
    "AuthProviderConfig",
    "Config",
    "ExecConfig",
    "ExecEnvVar",
    "ImpersonationConfig",
    "TLSClientConfig",
    "in_cluster_config",
]
