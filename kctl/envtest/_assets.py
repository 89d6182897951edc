"""Where the control plane's binaries are: KUBEBUILDER_ASSETS first, then kctl's cache."""

from __future__ import annotations

import os
import platform
from pathlib import Path

from kctl.errors import KctlError

__all__ = ["BINARIES", "KUBERNETES_VERSION", "AssetsNotFound", "default_assets_dir", "find_assets"]

# The release envtest/build.sh builds; the cache directory is named after it.
KUBERNETES_VERSION = "1.37.2"
BINARIES = ("kube-apiserver", "etcd")

_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


class AssetsNotFound(KctlError):
    """kube-apiserver or etcd is in none of the places envtest looks."""


def default_assets_dir() -> Path:
    """kctl's cache: ``$XDG_CACHE_HOME/kctl/envtest/<version>-<os>-<arch>``, as build.sh fills it."""
    base = os.environ.get("KCTL_ENVTEST_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
        "kctl",
        "envtest",
    )
    machine = platform.machine().lower()
    osname = platform.system().lower()
    return Path(base) / f"{KUBERNETES_VERSION}-{osname}-{_ARCH.get(machine, machine)}"


def _complete(directory: Path) -> bool:
    return all(os.access(directory / name, os.X_OK) for name in BINARIES)


def find_assets(directory: str | os.PathLike[str] | None = None) -> Path:
    """The directory holding kube-apiserver and etcd.

    An explicit ``directory`` wins, then ``KUBEBUILDER_ASSETS``, then kctl's cache.
    """
    candidates: list[tuple[str, Path]] = []
    if directory is not None:
        candidates.append(("the given directory", Path(directory)))
    env = os.environ.get("KUBEBUILDER_ASSETS")
    if env:
        candidates.append(("KUBEBUILDER_ASSETS", Path(env)))
    candidates.append(("kctl's cache", default_assets_dir()))
    for _, path in candidates:
        if _complete(path):
            return path
    where = ", ".join(f"{label} ({path})" for label, path in candidates)
    raise AssetsNotFound(
        f"kube-apiserver and etcd not found in {where}: build them with envtest/build.sh from a "
        "kctl checkout (needs Go), or set KUBEBUILDER_ASSETS to a setup-envtest directory"
    )
