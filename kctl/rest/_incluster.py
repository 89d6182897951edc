"""rest.InClusterConfig: the service account a pod is given.

The token is read now and its path kept in ``bearer_token_file``, so the transport can re-read
it (bound service-account tokens rotate; client-go re-reads about once a minute and keeps
the last good token when a read fails).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from kctl.errors import ConfigError, NotInClusterError
from kctl.rest._config import Config, TLSClientConfig

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "SERVICE_ACCOUNT_DIR",
    "in_cluster_config",
    "in_cluster_namespace",
    "in_cluster_possible",
    "join_host_port",
]

# Where the kubelet mounts the service account. Tests point this elsewhere (monkeypatch the
# module attribute, or pass ``root=``).
SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"


def _root(root: str | os.PathLike[str] | None) -> Path:
    # pathlib is imported here: every kubeconfig user asks whether it runs in a pod, and
    # outside one the environment answers before any path is looked at.
    from pathlib import Path

    return Path(root if root is not None else SERVICE_ACCOUNT_DIR)


def join_host_port(host: str, port: str) -> str:
    """net.JoinHostPort: IPv6 literals get brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _valid_ca_bundle(path: Path) -> str:
    """An error text if ``path`` is not a readable PEM bundle with certificates, else ""."""
    import ssl

    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cafile=str(path))
    except FileNotFoundError:
        return f"open {path}: no such file or directory"
    except (ssl.SSLError, OSError, ValueError) as err:
        return f"data does not contain any valid RSA or ECDSA certificates ({err})"
    return ""


def in_cluster_config(*, root: str | os.PathLike[str] | None = None) -> Config:
    """The Config of the pod's service account (client-go's rest.InClusterConfig).

    Needs KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT (else NotInClusterError) and a
    readable token file. A missing or unparsable ca.crt is logged and left out, as client-go
    does. The token is whitespace-trimmed, as client-go's file token source trims it.
    """
    host = os.environ.get("KUBERNETES_SERVICE_HOST", "")
    port = os.environ.get("KUBERNETES_SERVICE_PORT", "")
    if not host or not port:
        raise NotInClusterError()
    base = _root(root)
    token_file = base / "token"
    try:
        token = token_file.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise ConfigError(f"open {token_file}: no such file or directory") from None
    except OSError as err:
        raise ConfigError(f"read {token_file}: {(err.strerror or str(err)).lower()}") from None
    ca_file = base / "ca.crt"
    problem = _valid_ca_bundle(ca_file)
    if problem:
        import logging

        logging.getLogger("kctl.rest").error(
            "Expected to load root CA config from %s, but got err: %s", ca_file, problem
        )
    return Config(
        host="https://" + join_host_port(host, port),
        tls=TLSClientConfig(ca_file="" if problem else str(ca_file)),
        bearer_token=token,
        bearer_token_file=str(token_file),
    )


def in_cluster_possible(*, root: str | os.PathLike[str] | None = None) -> bool:
    """clientcmd's inClusterClientConfig.Possible: both env vars and a token file."""
    if not os.environ.get("KUBERNETES_SERVICE_HOST") or not os.environ.get(
        "KUBERNETES_SERVICE_PORT"
    ):
        return False
    token_file = _root(root) / "token"
    return token_file.exists() and not token_file.is_dir()


def in_cluster_namespace(*, root: str | os.PathLike[str] | None = None) -> str:
    """POD_NAMESPACE, then the service account's namespace file, then ``default``."""
    ns = os.environ.get("POD_NAMESPACE", "")
    if ns:
        return ns
    try:
        ns = (_root(root) / "namespace").read_text(encoding="utf-8").strip()
    except OSError:
        ns = ""
    return ns or "default"
