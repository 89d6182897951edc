"""Reading kubeconfig files: client-go's loader.go (loading rules, merge, relative paths)."""

from __future__ import annotations

import copy
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, TypeVar

from kctl.clientcmd._api import AuthInfo, Cluster, DecodeError, Kubeconfig, decode_v1
from kctl.errors import ConfigError, ConfigLoadError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

__all__ = [
    "RECOMMENDED_CONFIG_PATH_ENV_VAR",
    "ClientConfigLoadingRules",
    "load",
    "load_from_file",
    "new_default_client_config_loading_rules",
    "recommended_home_file",
    "resolve_local_paths",
]

RECOMMENDED_CONFIG_PATH_ENV_VAR = "KUBECONFIG"


def recommended_home_file() -> str:
    """``~/.kube/config`` (clientcmd.RecommendedHomeFile), from $HOME at call time."""
    home = os.path.expanduser("~")
    if os.name != "posix":
        from pathlib import Path

        return str(Path(home) / ".kube" / "config")
    # What str(PurePosixPath(home) / ".kube" / "config") gives, without importing pathlib:
    # empty and "." segments dropped, a root of exactly two slashes kept.
    root = "//" if home.startswith("//") and not home.startswith("///") else "/" * (home[:1] == "/")
    parts = [p for p in home.split("/") if p and p != "."]
    return root + "/".join([*parts, ".kube", "config"])


def _go_os_error(err: OSError, op: str, path: str) -> str:
    # Go formats *PathError as "<op> <path>: <strerror in lower case>".
    reason = (err.strerror or str(err)).lower()
    if isinstance(err, IsADirectoryError):
        reason = "is a directory"
    return f"{op} {path}: {reason}"


def load(data: bytes | str) -> Kubeconfig:
    """clientcmd.Load: parse one kubeconfig document; empty input is an empty config.

    Raises ValueError with the decoder's message (callers add the file name).
    """
    if isinstance(data, str):
        data = data.encode()
    if not data.strip():
        return Kubeconfig()
    from kctl.util import goyaml

    try:
        return decode_v1(goyaml.load(data))
    except DecodeError as err:
        raise ValueError(str(err)) from None


def load_from_file(filename: str) -> Kubeconfig:
    """clientcmd.LoadFromFile: every entry remembers the file it came from.

    FileNotFoundError propagates (callers skip missing files); other problems raise
    ConfigLoadError.
    """
    try:
        with open(filename or ".", "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        raise
    except OSError as err:
        raise ConfigLoadError(filename, _go_os_error(err, "read", filename)) from None
    try:
        config = load(data)
    except ValueError as err:
        raise ConfigLoadError(filename, str(err)) from None
    for cluster in config.clusters.values():
        cluster.location_of_origin = filename
    for user in config.auth_infos.values():
        user.location_of_origin = filename
    for context in config.contexts.values():
        context.location_of_origin = filename
    return config


def _resolve(path: str, base: str) -> str:
    if not path or os.path.isabs(path):
        return path
    return os.path.normpath(os.path.join(base, path))


def resolve_local_paths(config: Kubeconfig) -> None:
    """Make file references absolute, relative to the file each entry came from.

    Entries without an origin (configs built from bytes) are left alone, as in client-go.
    """
    for cluster in config.clusters.values():
        if cluster.location_of_origin:
            base = os.path.abspath(os.path.dirname(cluster.location_of_origin))
            cluster.certificate_authority = _resolve(cluster.certificate_authority, base)
    for user in config.auth_infos.values():
        if user.location_of_origin:
            base = os.path.abspath(os.path.dirname(user.location_of_origin))
            _resolve_auth_info(user, base)


def _resolve_auth_info(user: AuthInfo, base: str) -> None:
    user.client_certificate = _resolve(user.client_certificate, base)
    user.client_key = _resolve(user.client_key, base)
    user.token_file = _resolve(user.token_file, base)
    # A bare command name is looked up on PATH; only path-like commands are file references.
    if user.exec is not None and os.sep in user.exec.command:
        user.exec.command = _resolve(user.exec.command, base)


def relativize_path(path: str, base: str) -> str:
    """RelativizePathWithNoBacksteps for one reference: relative if it stays under base."""
    if not path:
        return path
    absolute = _resolve(path, base)
    rel = os.path.relpath(absolute, base)
    if rel == ".." or rel.startswith(".." + os.sep):
        if os.path.isabs(path):
            return path
        raise ConfigError(f"{path} requires backsteps and is not absolute")
    return rel


def relativize_cluster(cluster: Cluster) -> None:
    if not cluster.location_of_origin:
        raise ConfigError(f"no location of origin for {cluster.server}")
    base = os.path.abspath(os.path.dirname(cluster.location_of_origin))
    cluster.certificate_authority = relativize_path(
        _resolve(cluster.certificate_authority, base), base
    )


def relativize_auth_info(user: AuthInfo) -> None:
    if not user.location_of_origin:
        raise ConfigError("no location of origin for user")
    base = os.path.abspath(os.path.dirname(user.location_of_origin))
    _resolve_auth_info(user, base)
    user.client_certificate = relativize_path(user.client_certificate, base)
    user.client_key = relativize_path(user.client_key, base)
    user.token_file = relativize_path(user.token_file, base)
    if user.exec is not None and os.sep in user.exec.command:
        user.exec.command = relativize_path(user.exec.command, base)


_T = TypeVar("_T", bound="DataclassInstance")


def merge_into(dst: _T, src: _T) -> None:
    """client-go's ``merge``: non-zero fields of src overwrite, maps merge key by key."""
    for f in fields(dst):
        value = getattr(src, f.name)
        if isinstance(value, dict):
            if value:
                merged = dict(getattr(dst, f.name) or {})
                merged.update(value)
                setattr(dst, f.name, merged)
        elif value:
            setattr(dst, f.name, value)


def merge_kubeconfigs(configs: Sequence[Kubeconfig]) -> Kubeconfig:
    """The first config wins, for whole named entries and for scalars."""
    merged = Kubeconfig()
    for config in reversed(configs):
        merged.clusters.update(copy.deepcopy(config.clusters))
        merged.auth_infos.update(copy.deepcopy(config.auth_infos))
        merged.contexts.update(copy.deepcopy(config.contexts))
        merged.extensions.update(copy.deepcopy(config.extensions))
        if config.current_context:
            merged.current_context = config.current_context
        merge_into(merged.preferences, copy.deepcopy(config.preferences))
    return merged


def _dedupe(items: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


@dataclass
class ClientConfigLoadingRules:
    """Which kubeconfig files to read, and in what order (clientcmd.ClientConfigLoadingRules).

    ``explicit_path`` (``--kubeconfig``) is loaded alone and must exist; otherwise every
    file in ``precedence`` is read, missing ones skipped, and merged first-wins.
    """

    precedence: list[str] = field(default_factory=list)
    explicit_path: str = ""
    do_not_resolve_paths: bool = False
    # Only the default rules compare a result against kubectl's built-in default server to
    # decide whether to fall back to in-cluster config (client-go's DefaultClientConfig).
    use_default_client_config: bool = False
    warn_if_all_missing: bool = False
    # Files that were skipped because they did not exist, after the last load().
    missing: list[str] = field(default_factory=list, repr=False, compare=False)

    def load(self) -> Kubeconfig:
        """Read and merge the files. Every unreadable file is reported, all at once."""
        if self.explicit_path:
            if not os.path.exists(self.explicit_path):
                raise ConfigError(f"stat {self.explicit_path}: no such file or directory")
            files = [self.explicit_path]
        else:
            files = list(self.precedence)
        errors: list[ConfigLoadError] = []
        configs: list[Kubeconfig] = []
        self.missing = []
        for filename in files:
            if not filename:
                continue
            try:
                configs.append(load_from_file(filename))
            except FileNotFoundError:
                self.missing.append(filename)
            except ConfigLoadError as err:
                errors.append(err)
        if errors:
            raise _aggregate(errors)
        merged = merge_kubeconfigs(configs)
        if not self.do_not_resolve_paths:
            resolve_local_paths(merged)
        return merged

    # -- ConfigAccess: where kubeconfig edits are written ------------------------------------

    def get_loading_precedence(self) -> list[str]:
        return [self.explicit_path] if self.explicit_path else list(self.precedence)

    def is_explicit_file(self) -> bool:
        return bool(self.explicit_path)

    def get_explicit_file(self) -> str:
        return self.explicit_path

    def get_default_filename(self) -> str:
        """The file new entries are written to: the explicit file, else the first existing
        file in precedence, else the first file in precedence (even if missing)."""
        if self.explicit_path:
            return self.explicit_path
        for filename in self.precedence:
            if filename and os.path.exists(filename):
                return filename
        return self.precedence[0] if self.precedence else ""

    def get_starting_config(self) -> Kubeconfig:
        """The merged config as the files hold it (no overrides); a missing explicit
        file counts as empty, as client-go's GetStartingConfig."""
        if self.explicit_path and not os.path.exists(self.explicit_path):
            return Kubeconfig()
        return self.load()


def _aggregate(errors: list[ConfigLoadError]) -> ConfigError:
    # utilerrors.Aggregate: one error prints alone, several as "[a, b]".
    if len(errors) == 1:
        return errors[0]
    return ConfigError("[" + ", ".join(_dedupe([str(e) for e in errors])) + "]")


def new_default_client_config_loading_rules() -> ClientConfigLoadingRules:
    """KUBECONFIG (split on os.pathsep, de-duplicated), else ~/.kube/config."""
    env = os.environ.get(RECOMMENDED_CONFIG_PATH_ENV_VAR, "")
    if env:
        # filepath.SplitList drops nothing but the separators; empty items are skipped on load.
        return ClientConfigLoadingRules(
            precedence=_dedupe(env.split(os.pathsep)),
            use_default_client_config=True,
            warn_if_all_missing=True,
        )
    return ClientConfigLoadingRules(
        precedence=[recommended_home_file()], use_default_client_config=True
    )
