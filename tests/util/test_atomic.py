"""kctl.util._atomic.write_atomic: the one temp-file-and-rename writer."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from kctl.util._atomic import write_atomic


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_file_is_private_and_holds_the_data(tmp_path: Path) -> None:
    target = tmp_path / "config"
    write_atomic(target, "token: s3cret\n")
    assert target.read_text() == "token: s3cret\n"
    assert _mode(target) == 0o600
    assert os.listdir(tmp_path) == ["config"]


def test_replacing_keeps_the_old_mode_unless_told(tmp_path: Path) -> None:
    target = tmp_path / "config"
    target.write_text("old")
    target.chmod(0o640)
    write_atomic(target, b"new")
    assert (target.read_bytes(), _mode(target)) == (b"new", 0o640)
    write_atomic(target, "newer", mode=0o644)
    assert (target.read_text(), _mode(target)) == ("newer", 0o644)


def test_a_symlink_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.write_text("old")
    link = tmp_path / "link"
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink()
    assert real.read_text() == "new"


def test_a_failed_write_leaves_the_file_and_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "config"
    target.write_text("old")
    with pytest.raises(TypeError):
        write_atomic(target, 42)  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["config"]
