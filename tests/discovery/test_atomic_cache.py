"""A crash while refreshing kubectl's discovery disk cache never leaves a torn file.

Each cache file is written to a temporary file next to it, chmod'ed 0660 and renamed; these
tests break each step and check that the previous servergroups.json / serverresources.json
bytes and modes survive, no temporary file is left, and the answer still comes from the server.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kctl.discovery import CachedDiscoveryClient, DiscoveryClient


class Crash(Exception):
    """Stands for the process dying at this point."""


def _files(directory: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(directory)): (p.read_bytes(), stat.S_IMODE(p.stat().st_mode))
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def _expire(directory: Path) -> None:
    old = 1_000_000_000.0
    for path in directory.rglob("*.json"):
        os.utime(path, (old, old))


def _partial_write(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    real_fdopen = os.fdopen

    class Half:
        def __init__(self, fh: Any) -> None:
            self._fh = fh

        def write(self, data: bytes) -> int:
            self._fh.write(data[: len(data) // 2])
            self._fh.flush()
            raise error

        def __enter__(self) -> Half:
            return self

        def __exit__(self, *exc: object) -> None:
            self._fh.close()

    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **kw: Half(real_fdopen(fd, *a, **kw)))


def _fail(name: str, error: BaseException) -> Callable[[pytest.MonkeyPatch], None]:
    def install(monkeypatch: pytest.MonkeyPatch) -> None:
        if name == "write":
            _partial_write(monkeypatch, error)
            return

        def boom(*args: object, **kwargs: object) -> None:
            raise error

        monkeypatch.setattr(os, name, boom)

    return install


STEPS = ["write", "chmod", "replace"]


def _prime(client: DiscoveryClient, directory: Path) -> dict[str, tuple[bytes, int]]:
    CachedDiscoveryClient(client, str(directory)).server_groups_and_resources()
    _expire(directory)
    before = _files(directory)
    assert "servergroups.json" in before and "v1/serverresources.json" in before
    return before


@pytest.mark.parametrize("step", STEPS)
def test_disk_full_during_refresh_keeps_files_and_answers(
    client: DiscoveryClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    directory = tmp_path / "discovery" / "127.0.0.1_6443"
    before = _prime(client, directory)
    expected = CachedDiscoveryClient(client, None).server_groups_and_resources()
    _fail(step, OSError(28, "No space left on device"))(monkeypatch)
    # An unwritable cache costs only speed, as in kubectl: the answer comes from the server.
    got = CachedDiscoveryClient(client, str(directory)).server_groups_and_resources()
    monkeypatch.undo()
    assert got == expected
    assert _files(directory) == before


@pytest.mark.parametrize("step", STEPS)
def test_crash_during_refresh_keeps_files(
    client: DiscoveryClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    directory = tmp_path / "discovery" / "127.0.0.1_6443"
    before = _prime(client, directory)
    _fail(step, Crash())(monkeypatch)
    with pytest.raises(Crash):
        CachedDiscoveryClient(client, str(directory)).server_groups_and_resources()
    monkeypatch.undo()
    assert _files(directory) == before


def test_crash_on_first_write_leaves_no_file(
    client: DiscoveryClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "discovery" / "127.0.0.1_6443"
    _fail("write", Crash())(monkeypatch)
    with pytest.raises(Crash):
        CachedDiscoveryClient(client, str(directory)).server_groups()
    monkeypatch.undo()
    assert _files(directory) == {}
    # The next run fills the cache normally.
    CachedDiscoveryClient(client, str(directory)).server_groups()
    files = _files(directory)
    assert list(files) == ["servergroups.json"]
    assert files["servergroups.json"][1] == 0o660


def test_a_torn_cache_file_is_refetched_and_replaced(
    client: DiscoveryClient, tmp_path: Path
) -> None:
    # Another tool (or an old kctl) left half a file: it reads as a miss, never as an error.
    directory = tmp_path / "discovery" / "127.0.0.1_6443"
    CachedDiscoveryClient(client, str(directory)).server_groups()
    good = (directory / "servergroups.json").read_bytes()
    (directory / "servergroups.json").write_bytes(good[: len(good) // 2])
    fresh = CachedDiscoveryClient(client, str(directory))
    assert fresh.server_groups() == CachedDiscoveryClient(client, None).server_groups()
    assert (directory / "servergroups.json").read_bytes() == good
