"""A crash in the middle of a kubeconfig write leaves the user's file as it was.

The writer goes through a temporary file in the same directory and renames it over the target;
these tests break each step (the data write, the fsync, the chmod, the rename) and check that
the original bytes and mode survive and that no temporary file is left behind.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kctl.clientcmd import (
    ClientConfigLoadingRules,
    Context,
    load_from_file,
    modify_config,
    write_to_file,
)

ORIGINAL = """\
# hand-written, so any rewrite shows
apiVersion: v1
kind: Config
current-context: a
clusters:
- name: c
  cluster: {server: "https://1.2.3.4"}
users:
- name: u
  user: {token: tok}
contexts:
- name: a
  context: {cluster: c, user: u}
"""


class Crash(Exception):
    """Stands for the process dying at this point."""


def _kubeconfig(tmp_path: Path, mode: int = 0o640) -> Path:
    path = tmp_path / "kube" / "config"
    path.parent.mkdir()
    path.write_text(ORIGINAL)
    os.chmod(path, mode)
    return path


def _assert_untouched(path: Path, mode: int) -> None:
    assert path.read_text() == ORIGINAL
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert sorted(p.name for p in path.parent.iterdir()) == ["config"]


def _partial_write(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first write of the temporary file stores half the data, then the process dies."""
    real_fdopen = os.fdopen

    class Half:
        def __init__(self, fh: Any) -> None:
            self._fh = fh

        def write(self, data: bytes) -> int:
            self._fh.write(data[: len(data) // 2])
            self._fh.flush()
            raise Crash

        def __getattr__(self, name: str) -> Any:
            return getattr(self._fh, name)

        def __enter__(self) -> Half:
            return self

        def __exit__(self, *exc: object) -> None:
            self._fh.close()

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        return Half(real_fdopen(fd, *args, **kwargs))

    monkeypatch.setattr(os, "fdopen", fdopen)


def _raise(name: str) -> Callable[[pytest.MonkeyPatch], None]:
    def install(monkeypatch: pytest.MonkeyPatch) -> None:
        def boom(*args: object, **kwargs: object) -> None:
            raise Crash

        monkeypatch.setattr(os, name, boom)

    install.__name__ = name
    return install


def _disk_full(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", boom)


CRASHES = [_partial_write, _raise("fsync"), _raise("chmod"), _raise("replace"), _disk_full]


@pytest.mark.parametrize("crash", CRASHES, ids=lambda c: c.__name__)
def test_write_to_file_crash_keeps_original(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crash: Callable[[pytest.MonkeyPatch], None]
) -> None:
    path = _kubeconfig(tmp_path)
    config = load_from_file(str(path))
    config.current_context = "b"
    crash(monkeypatch)
    with pytest.raises((Crash, OSError)):
        write_to_file(config, str(path))
    monkeypatch.undo()
    _assert_untouched(path, 0o640)


@pytest.mark.parametrize("crash", CRASHES, ids=lambda c: c.__name__)
def test_modify_config_crash_keeps_original_and_releases_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crash: Callable[[pytest.MonkeyPatch], None]
) -> None:
    path = _kubeconfig(tmp_path, 0o600)
    rules = ClientConfigLoadingRules(explicit_path=str(path))
    config = rules.get_starting_config()
    config.contexts["b"] = Context(cluster="c", auth_info="u")
    config.current_context = "b"
    crash(monkeypatch)
    with pytest.raises((Crash, OSError)):
        modify_config(rules, config)
    monkeypatch.undo()
    _assert_untouched(path, 0o600)  # also: config.lock is gone
    # Nothing is wedged: the same edit goes through once the "crash" is gone.
    modify_config(rules, config)
    assert load_from_file(str(path)).current_context == "b"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_successful_write_keeps_mode_and_leaves_no_temp(tmp_path: Path) -> None:
    path = _kubeconfig(tmp_path, 0o604)
    config = load_from_file(str(path))
    config.current_context = "b"
    write_to_file(config, str(path))
    assert load_from_file(str(path)).current_context == "b"
    assert stat.S_IMODE(path.stat().st_mode) == 0o604
    assert [p.name for p in path.parent.iterdir()] == ["config"]


def test_a_symlinked_kubeconfig_stays_a_symlink(tmp_path: Path) -> None:
    # client-go writes through the link (os.WriteFile); replacing the link itself would cut a
    # dotfiles checkout off from the file kubectl keeps editing.
    real = _kubeconfig(tmp_path, 0o600)
    link = tmp_path / "config-link"
    link.symlink_to(real)
    config = load_from_file(str(link))
    config.current_context = "b"
    write_to_file(config, str(link))
    assert link.is_symlink()
    assert load_from_file(str(real)).current_context == "b"
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
    assert sorted(p.name for p in real.parent.iterdir()) == ["config"]
