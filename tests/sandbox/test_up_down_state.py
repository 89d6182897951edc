"""``kctl sandbox up`` and its saved state: a seed that differs, ``--fresh``, and what a
sandbox killed with ``kill -9`` leaves outside its state directory."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from kctl.sandbox import Sandbox
from kctl.sandbox._tmp import private_tempdir, remove_orphans

KUBECTL = str(Path(sys.executable).parent / "kubectl")


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    home = tmp_path / "home"
    (home / ".kube").mkdir(parents=True)
    (tmp_path / "tmp").mkdir()
    values = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "KUBECONFIG": str(home / ".kube" / "config"),
        # Where the sandbox would put temporary files: watched by the tests below.
        "TMPDIR": str(tmp_path / "tmp"),
    }
    yield values
    kctl(values, "down")


def kctl(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kctl", "sandbox", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def kubectl(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [KUBECTL, *args], capture_output=True, text=True, env=env, timeout=60, check=False
    )


def _cache(env: dict[str, str]) -> Path:
    return Path(env["XDG_CACHE_HOME"]) / "kctl" / "sandbox"


def _namespaces(env: dict[str, str]) -> set[str]:
    done = kubectl(env, "get", "namespaces", "-o", "name")
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def test_up_with_another_seed_keeps_the_state_and_says_so(env: dict[str, str]) -> None:
    assert kctl(env, "up", "--seed", "empty").returncode == 0
    assert kctl(env, "down").returncode == 0
    again = kctl(env, "up", "--seed", "demo")
    assert again.returncode == 0, again.stderr
    assert again.stderr == (
        'warning: the saved sandbox state was seeded from "empty", not "demo"; keeping it '
        "(kctl sandbox up --fresh --seed demo starts over)\n"
    )
    assert "namespace/dev" not in _namespaces(env)
    # Also while it runs; and not at all without an explicit --seed, or with the same one.
    running = kctl(env, "up", "--seed", "demo")
    assert running.stdout.startswith("kctl-sandbox is already running")
    assert running.stderr.startswith("warning: the saved sandbox state was seeded from")
    assert kctl(env, "up").stderr == ""
    assert kctl(env, "up", "--seed", "empty").stderr == ""


def test_up_fresh_replaces_the_state_only_once_the_new_one_is_ready(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert kctl(env, "up", "--seed", "empty").returncode == 0
    made = kubectl(env, "create", "namespace", "mine")
    assert made.returncode == 0, made.stderr
    old_pid = (_cache(env) / "pid").read_text().split()[0]

    broken = tmp_path / "broken.yaml"
    broken.write_text("apiVersion: v1\nkind: Nope\nmetadata:\n  name: x\n")
    failed = kctl(env, "up", "--fresh", "--seed", str(broken))
    assert failed.returncode == 1
    assert failed.stderr.startswith("error: the sandbox exited during start-up: ")
    # The old sandbox still serves its state, and no half-made state is left.
    assert (_cache(env) / "pid").read_text().split()[0] == old_pid
    assert "namespace/mine" in _namespaces(env)
    assert not [p.name for p in _cache(env).iterdir() if ".fresh" in p.name]

    fresh = kctl(env, "up", "--fresh", "--seed", "demo")
    assert fresh.returncode == 0, fresh.stderr
    assert fresh.stdout.startswith("kctl-sandbox is running at https://")
    assert (_cache(env) / "pid").read_text().split()[0] != old_pid
    names = _namespaces(env)
    assert "namespace/dev" in names
    assert "namespace/mine" not in names
    assert not [p.name for p in _cache(env).iterdir() if ".fresh" in p.name]
    # The new state is the saved one: it survives down and up, with its seed recorded.
    assert kctl(env, "down").returncode == 0
    back = kctl(env, "up", "--seed", "demo")
    assert (back.returncode, back.stderr) == (0, "")
    assert "namespace/dev" in _namespaces(env)


def _files_holding(root: Path, secret: bytes) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and secret in p.read_bytes()]


def test_kill_9_leaves_no_credential_outside_the_state_dir(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert kctl(env, "up", "--seed", "empty").returncode == 0
    cache = _cache(env)
    data = yaml.safe_load((cache / "kubeconfig").read_text())
    token = data["users"][0]["user"]["token"].encode()
    pid = int((cache / "pid").read_text().split()[0])
    os.kill(pid, signal.SIGKILL)
    # Only the state directory and the user's kubeconfig (which ``up`` edits, ``down``
    # restores) hold the token: nothing in the temp directory.
    holding = _files_holding(tmp_path, token)
    assert sorted(holding) == sorted([cache / "kubeconfig", Path(env["KUBECONFIG"])])
    assert kctl(env, "down").returncode == 0
    assert _files_holding(tmp_path / "tmp", token) == []


def _dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(done.stdout)


def test_up_and_down_remove_what_a_dead_sandbox_left(env: dict[str, str]) -> None:
    tmp = Path(env["TMPDIR"])
    dead = _dead_pid()
    orphan = tmp / f"kctl-sandbox-kubeconfig-{dead}-abcd"
    orphan.mkdir()
    (orphan / "kubeconfig").write_text("token: leftover\n")
    tls_orphan = tmp / f"kctl-sandbox-tls-{dead}-efgh"
    tls_orphan.mkdir()
    live = tmp / f"kctl-sandbox-kubeconfig-{os.getpid()}-ijkl"
    live.mkdir()
    unrelated = tmp / "kctl-sandbox-notours"
    unrelated.mkdir()
    assert kctl(env, "down").returncode == 0
    assert sorted(p.name for p in tmp.iterdir()) == sorted([live.name, unrelated.name])
    orphan.mkdir()
    assert kctl(env, "up", "--seed", "empty").returncode == 0
    assert sorted(p.name for p in tmp.iterdir()) == sorted([live.name, unrelated.name])


def test_remove_orphans_keeps_live_processes_dirs(tmp_path: Path) -> None:
    mine = tmp_path / f"kctl-sandbox-tls-{os.getpid()}-x"
    mine.mkdir()
    gone = tmp_path / f"kctl-sandbox-tls-{_dead_pid()}-y"
    gone.mkdir()
    link = tmp_path / f"kctl-sandbox-tls-{_dead_pid()}-z"
    link.symlink_to(mine)
    assert remove_orphans(str(tmp_path)) == [str(gone)]
    assert mine.exists() and link.is_symlink()


def test_library_kubeconfig_is_written_on_first_use_and_removed_by_stop(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    with Sandbox() as sb:
        assert list(tmp_path.iterdir()) == []
        path = Path(sb.kubeconfig_path)
        assert path.parent.name.startswith(f"kctl-sandbox-kubeconfig-{os.getpid()}-")
        assert path.parent.parent == tmp_path
        assert sb.token is not None and sb.token in path.read_text()
        assert sb.kubeconfig_path == str(path)
    assert list(tmp_path.iterdir()) == []
    assert sb.kubeconfig_path == ""
    assert private_tempdir("x").startswith(str(tmp_path / f"kctl-sandbox-x-{os.getpid()}-"))
