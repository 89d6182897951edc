"""Writing kubeconfig files: client-go's Write/WriteToFile/ModifyConfig, made atomic.

Every write goes to a temporary file in the same directory and is renamed over the target,
keeping the target's mode (new files get 0600, as client-go creates them). ModifyConfig
holds ``<file>.lock`` for every file it may touch, taken in sorted order as client-go does.
"""

from __future__ import annotations

import contextlib
import copy
import os
from collections.abc import Iterator
from typing import Any

from kctl.clientcmd._api import Kubeconfig, encode_v1
from kctl.clientcmd._loader import (
    ClientConfigLoadingRules,
    load_from_file,
    relativize_auth_info,
    relativize_cluster,
)
from kctl.errors import ConfigError

__all__ = ["modify_config", "to_dict", "to_yaml", "write_to_file"]


def to_dict(config: Kubeconfig) -> dict[str, Any]:
    """The v1 kubeconfig as kubectl's ``-o json`` shows it (field order as client-go)."""
    return encode_v1(config)


def to_yaml(config: Kubeconfig) -> str:
    """The v1 kubeconfig as kubectl writes it (keys sorted, go-yaml quoting)."""
    # clientcmd.Write goes through sigs.k8s.io/yaml, as kubectl's -o yaml does.
    from kctl.cli._printers._goyaml import dump

    return dump(encode_v1(config))


def write_to_file(config: Kubeconfig, filename: str) -> None:
    """Replace ``filename`` with ``config`` (creating its directory if needed)."""
    from kctl.util._atomic import write_atomic

    # The directory of a symlinked kubeconfig is that of the file the link points to.
    os.makedirs(os.path.dirname(os.path.realpath(filename)) or ".", mode=0o755, exist_ok=True)
    write_atomic(filename, to_yaml(config))


def _lock_name(filename: str) -> str:
    return filename + ".lock"


@contextlib.contextmanager
def _locked(filenames: list[str]) -> Iterator[None]:
    taken: list[str] = []
    try:
        for filename in sorted(set(filenames)):
            directory = os.path.dirname(filename) or "."
            os.makedirs(directory, mode=0o755, exist_ok=True)
            try:
                fd = os.open(_lock_name(filename), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            except FileExistsError:
                raise ConfigError(f"open {_lock_name(filename)}: file exists") from None
            os.close(fd)
            taken.append(filename)
        yield
    finally:
        for filename in taken:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(_lock_name(filename))


def _config_from_file(filename: str) -> Kubeconfig:
    try:
        return load_from_file(filename)
    except FileNotFoundError:
        return Kubeconfig()


def _write_current_context(access: ClientConfigLoadingRules, new_context: str) -> None:
    if access.is_explicit_file():
        filename = access.get_explicit_file()
        config = _config_from_file(filename)
        config.current_context = new_context
        write_to_file(config, filename)
        return
    if new_context:
        # The first file that sets current-context is the one that wins; change it there.
        for filename in access.get_loading_precedence():
            if filename and os.path.exists(filename):
                config = _config_from_file(filename)
                if config.current_context:
                    config.current_context = new_context
                    write_to_file(config, filename)
                    return
    filename = access.get_default_filename()
    config = _config_from_file(filename)
    config.current_context = new_context
    write_to_file(config, filename)


def modify_config(
    access: ClientConfigLoadingRules, new_config: Kubeconfig, *, relativize_paths: bool = True
) -> None:
    """clientcmd.ModifyConfig: write each changed entry back to the file it came from.

    New entries go to ``access.get_default_filename()``; removed entries are deleted from
    their file; current-context goes to the file whose value currently wins.
    """
    with _locked([f for f in access.get_loading_precedence() if f]):
        start = access.get_starting_config()
        if start == new_config:
            return
        if start.current_context != new_config.current_context:
            _write_current_context(access, new_config.current_context)
        if start.preferences != new_config.preferences:
            filename = access.get_default_filename()
            config = _config_from_file(filename)
            config.preferences = copy.deepcopy(new_config.preferences)
            write_to_file(config, filename)

        sections = (
            ("clusters", relativize_cluster),
            ("contexts", None),
            ("auth_infos", relativize_auth_info),
        )
        for attr, relativize in sections:
            new_entries: dict[str, Any] = getattr(new_config, attr)
            old_entries: dict[str, Any] = getattr(start, attr)
            for name, entry in new_entries.items():
                if name in old_entries and old_entries[name] == entry:
                    continue
                destination = entry.location_of_origin or access.get_default_filename()
                config = _config_from_file(destination)
                written = copy.deepcopy(entry)
                written.location_of_origin = destination
                if relativize_paths and relativize is not None:
                    relativize(written)
                getattr(config, attr)[name] = written
                write_to_file(config, destination)
            for name, entry in old_entries.items():
                if name in new_entries:
                    continue
                origin = entry.location_of_origin
                if origin and os.path.exists(origin):
                    config = _config_from_file(origin)
                    getattr(config, attr).pop(name, None)
                    write_to_file(config, origin)
