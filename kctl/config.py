"""controller-runtime's ``config.GetConfig``: one call that finds a usable rest.Config.

Resolution order:

1. the ``--kubeconfig`` value: the ``kubeconfig=`` argument, else the module attribute
   :data:`kubeconfig_flag`, else ``--kubeconfig``/``-kubeconfig`` on ``sys.argv``;
2. else, only if KUBECONFIG is unset, the in-cluster config;
3. else the default loading rules (KUBECONFIG, then ~/.kube/config), with the in-cluster
   config as the last resort.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from kctl.errors import KctlError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from kctl.rest._config import Config

__all__ = ["get_config", "get_config_or_die", "kubeconfig_flag"]

# Set this (as controller-runtime's --kubeconfig flag would be) to force one kubeconfig file.
kubeconfig_flag: str | None = None

# What controller-runtime releases before v0.21 set when the caller left QPS unset.
LEGACY_QPS = 20.0
LEGACY_BURST = 30


def _kubeconfig_from_argv(argv: Sequence[str]) -> str:
    """The value of a Go-style ``--kubeconfig`` flag (``-kubeconfig`` works too)."""
    args = list(argv)
    for i, arg in enumerate(args):
        if arg == "--":
            break
        for prefix in ("--kubeconfig", "-kubeconfig"):
            if arg == prefix and i + 1 < len(args):
                return args[i + 1]
            if arg.startswith(prefix + "="):
                return arg[len(prefix) + 1 :]
    return ""


def _load(context: str, path: str) -> Config:
    from kctl.clientcmd import (
        ClientConfigLoadingRules,
        ConfigOverrides,
        new_default_client_config_loading_rules,
        new_non_interactive_deferred_loading_client_config,
    )
    from kctl.rest._incluster import in_cluster_config

    overrides = ConfigOverrides(current_context=context)
    if path:
        rules = ClientConfigLoadingRules(explicit_path=path)
        return new_non_interactive_deferred_loading_client_config(rules, overrides).client_config()
    in_cluster_error: KctlError | None = None
    if not os.environ.get("KUBECONFIG"):
        try:
            return in_cluster_config()
        except KctlError as err:
            in_cluster_error = err
    try:
        return new_non_interactive_deferred_loading_client_config(
            new_default_client_config_loading_rules(), overrides
        ).client_config()
    except KctlError:
        if in_cluster_error is not None:
            # logging is imported on this path only: it costs a start-up as much as clientcmd.
            import logging

            logging.getLogger("kctl.config").debug(
                "unable to load in-cluster config: %s", in_cluster_error
            )
        raise


def get_config(context: str | None = None, *, kubeconfig: str | None = None) -> Config:
    """A rest.Config for ``context`` (None: the current context), found as described above.

    When the result leaves QPS unset (0), it gets QPS 20 and burst 30, as controller-runtime
    did before v0.21. Newer controller-runtime (v0.21+) instead sets QPS to -1, disabling the
    client-side rate limiter; pass ``config.copy(qps=-1)`` to get that behaviour.

    Raises a kctl.errors.ConfigError subclass when nothing usable is found.
    """
    path = kubeconfig
    if path is None:
        path = kubeconfig_flag or _kubeconfig_from_argv(sys.argv[1:])
    config = _load(context or "", path or "")
    if config.qps == 0:
        config = config.copy(qps=LEGACY_QPS, burst=LEGACY_BURST)
    return config


def get_config_or_die(context: str | None = None, *, kubeconfig: str | None = None) -> Config:
    """get_config, or a one-line message on stderr and exit status 1."""
    try:
        return get_config(context, kubeconfig=kubeconfig)
    except KctlError as err:
        print(f"unable to get kubeconfig: {err}", file=sys.stderr)
        raise SystemExit(1) from None
