"""envtest/build.sh as scripts use it: warm, it builds nothing and its last line is the cache
directory; without Go it says how the real-server tests will be skipped and fails nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from kctl.envtest import default_assets_dir
from kctl.envtest._assets import BINARIES

BUILD = Path(__file__).resolve().parents[2] / "envtest" / "build.sh"


def _env(**changes: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KCTL_", "KUBEBUILDER"))}
    env.update(changes)
    return env


def test_warm_build_does_nothing_and_prints_the_directory() -> None:
    assets = default_assets_dir()
    if shutil.which("go") is None:
        pytest.skip("no Go on this machine: envtest/build.sh cannot run")
    # A cold build takes minutes and gigabytes: only the warm path is checked here.
    if not all(os.access(assets / name, os.X_OK) for name in (*BINARIES, "kubectl")):
        pytest.skip(f"the cache {assets} is not filled: run envtest/build.sh first")
    before = {name: (assets / name).stat().st_mtime_ns for name in (*BINARIES, "kubectl")}
    done = subprocess.run(
        ["bash", str(BUILD)], capture_output=True, text=True, env=_env(), timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == str(assets)
    assert done.stderr == ""
    after = {name: (assets / name).stat().st_mtime_ns for name in (*BINARIES, "kubectl")}
    assert after == before


def test_without_go_it_names_the_build_and_exits_0(tmp_path: Path) -> None:
    # A PATH with bash and the basic tools but no go.
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for tool in ("bash", "dirname", "env"):
        found = shutil.which(tool)
        assert found is not None
        (bindir / tool).symlink_to(found)
    done = subprocess.run(
        [str(bindir / "bash"), str(BUILD)],
        capture_output=True,
        text=True,
        env=_env(PATH=str(bindir), KCTL_ENVTEST_CACHE=str(tmp_path / "cache")),
        timeout=60,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout == ""
    assert done.stderr == (
        "envtest/build.sh: go not found; the real-server tests will be skipped "
        "(install Go 1.26 and run envtest/build.sh)\n"
    )
    assert not (tmp_path / "cache").exists()
