"""``kctl sandbox up --runtime process``: the detached sandbox runs pods' commands, and
``down`` leaves none of their processes behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers_runtime import NODE, gone, pod, start_time, wait_for

KUBECTL = str(Path(sys.executable).parent / "kubectl")

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    home = tmp_path / "home"
    (home / ".kube").mkdir(parents=True)
    values = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "KUBECONFIG": str(home / ".kube" / "config"),
    }
    yield values
    _run(values, sys.executable, "-m", "kctl", "sandbox", "down")


def _run(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, input=stdin, capture_output=True, text=True, env=env, timeout=120, check=False
    )


def _up_with_worker(env: dict[str, str], script: str) -> None:
    """``sandbox up --runtime process``, then a pod ``worker`` running ``script`` in sh."""
    up = _run(
        env,
        sys.executable,
        "-m",
        "kctl",
        "sandbox",
        "up",
        "--seed",
        "empty",
        "--runtime",
        "process",
    )
    assert up.returncode == 0, up.stderr
    manifest = "\n---\n".join(json.dumps(o) for o in (NODE, pod("worker", script)))
    applied = _run(env, KUBECTL, "apply", "-f", "-", stdin=manifest)
    assert applied.returncode == 0, applied.stderr


def test_up_runtime_runs_pods_and_down_kills_them(env: dict[str, str], tmp_path: Path) -> None:
    marker = tmp_path / "pid"
    _up_with_worker(env, f"echo $$ > {marker}; echo working; exec sleep 3600")
    assert wait_for(lambda: marker.exists() and marker.read_text().strip())
    pid = int(marker.read_text())
    logs = _run(env, KUBECTL, "logs", "worker")
    assert (logs.returncode, logs.stdout) == (0, "working\n")
    out = _run(env, KUBECTL, "exec", "worker", "--", "sh", "-c", "exit 4")
    assert (out.returncode, out.stderr) == (4, "command terminated with exit code 4\n")
    down = _run(env, sys.executable, "-m", "kctl", "sandbox", "down")
    assert down.returncode == 0, down.stderr
    assert wait_for(lambda: not os.path.exists(f"/proc/{pid}"))


def test_a_killed_daemon_leaves_no_container_process(env: dict[str, str], tmp_path: Path) -> None:
    marker = tmp_path / "pid"
    _up_with_worker(env, f"sleep 3600 & echo $$ $! > {marker}; wait")
    assert wait_for(lambda: marker.exists() and marker.read_text().endswith("\n"))
    pids = [int(p) for p in marker.read_text().split()]
    started = {pid: start_time(pid) for pid in pids}
    assert all(started.values()), started
    daemon = Path(env["XDG_CACHE_HOME"], "kctl", "sandbox", "pid").read_text().split()[0]
    os.kill(int(daemon), signal.SIGKILL)
    assert wait_for(lambda: all(gone(pid, started[pid]) for pid in pids))


def test_up_refuses_an_unknown_runtime(env: dict[str, str]) -> None:
    up = _run(env, sys.executable, "-m", "kctl", "sandbox", "up", "--runtime", "docker")
    assert (up.returncode, up.stderr) == (
        1,
        "error: Invalid value for '--runtime': 'docker' is not 'process'.\n"
        "See 'kctl sandbox up --help' for usage.\n",
    )
