"""``kctl sandbox up/down/status``: a detached sandbox and careful kubeconfig edits."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

KUBECTL = str(Path(sys.executable).parent / "kubectl")

# Hand-written (not in kctl's canonical layout) so a rewrite would show.
THREE_CLUSTERS = """\
# my clusters
apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: prod
  cluster: {server: "https://prod.example.com:6443"}
- name: staging
  cluster: {server: "https://staging.example.com:6443"}
- name: dev
  cluster: {server: "https://dev.example.com:6443", insecure-skip-tls-verify: true}
users:
- name: admin
  user: {token: secret-admin-token}
contexts:
- name: prod
  context: {cluster: prod, user: admin}
- name: staging
  context: {cluster: staging, user: admin, namespace: web}
- name: dev
  context: {cluster: dev, user: admin}
"""


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
    kctl(values, "down")  # never leave a sandbox behind, whatever the test did


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


def test_up_status_down_restores_bytes_and_mode(env: dict[str, str]) -> None:
    config = Path(env["KUBECONFIG"])
    config.write_text(THREE_CLUSTERS)
    os.chmod(config, 0o640)
    original = config.read_bytes()

    up = kctl(env, "up", "--seed", "demo")
    assert up.returncode == 0, up.stderr
    assert up.stdout.startswith("kctl-sandbox is running at https://127.0.0.1:")
    assert os.stat(config).st_mode & 0o777 == 0o640
    data = yaml.safe_load(config.read_text())
    assert data["current-context"] == "kctl-sandbox"
    assert sorted(c["name"] for c in data["clusters"]) == ["dev", "kctl-sandbox", "prod", "staging"]
    assert "secret-admin-token" in config.read_text()  # other entries kept

    # The README's promise: real output right away.
    pods = kubectl(env, "get", "pods", "-n", "dev")
    assert pods.returncode == 0, pods.stderr
    assert pods.stdout.startswith("NAME")
    ours = subprocess.run(
        [sys.executable, "-m", "kctl", "get", "pods", "-n", "dev", "--limit", "100"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout.startswith("NAME")

    again = kctl(env, "up")
    assert again.returncode == 0
    assert again.stdout.startswith("kctl-sandbox is already running at https://127.0.0.1:")

    status = kctl(env, "status")
    assert status.returncode == 0
    assert status.stdout.startswith("kctl-sandbox is running at https://127.0.0.1:")
    cache = Path(env["XDG_CACHE_HOME"]) / "kctl" / "sandbox"
    assert {"pid", "state.db", "log", "kubeconfig"} <= {p.name for p in cache.iterdir()}

    down = kctl(env, "down")
    assert down.returncode == 0, down.stderr
    assert down.stdout.startswith("kctl-sandbox stopped (pid ")
    assert config.read_bytes() == original
    assert os.stat(config).st_mode & 0o777 == 0o640
    assert not (Path(env["KUBECONFIG"] + ".lock")).exists()
    assert kctl(env, "status").stdout == "no kctl-sandbox is running\n"
    assert kctl(env, "down").stdout == "no kctl-sandbox is running\n"


def test_down_keeps_changes_made_in_between(env: dict[str, str]) -> None:
    config = Path(env["KUBECONFIG"])
    config.write_text(THREE_CLUSTERS)
    before = yaml.safe_load(THREE_CLUSTERS)
    assert kctl(env, "up").returncode == 0
    # Someone edits the file while the sandbox runs.
    set_ctx = kubectl(env, "config", "set-context", "extra", "--cluster=dev", "--user=admin")
    assert set_ctx.returncode == 0, set_ctx.stderr
    down = kctl(env, "down")
    assert down.returncode == 0, down.stderr
    after = yaml.safe_load(config.read_text())
    assert after["current-context"] == "prod"
    assert {c["name"] for c in after["clusters"]} == {c["name"] for c in before["clusters"]}
    assert {u["name"] for u in after["users"]} == {"admin"}
    assert {c["name"] for c in after["contexts"]} == {"prod", "staging", "dev", "extra"}
    for section in ("clusters", "users"):
        assert sorted(after[section], key=lambda e: e["name"]) == sorted(
            before[section], key=lambda e: e["name"]
        )


def test_up_creates_and_down_removes_a_missing_kubeconfig(env: dict[str, str]) -> None:
    config = Path(env["KUBECONFIG"])
    assert kctl(env, "up").returncode == 0
    assert os.stat(config).st_mode & 0o777 == 0o600
    assert kctl(env, "down").returncode == 0
    assert not config.exists()


def test_concurrent_up_and_down(env: dict[str, str]) -> None:
    config = Path(env["KUBECONFIG"])
    config.write_text(THREE_CLUSTERS)
    original = config.read_bytes()
    results: list[subprocess.CompletedProcess[str]] = []

    def run(*args: str) -> None:
        results.append(kctl(env, *args))

    ups = [threading.Thread(target=run, args=("up",)) for _ in range(3)]
    for t in ups:
        t.start()
    for t in ups:
        t.join()
    assert [r.returncode for r in results] == [0, 0, 0]
    started = [r for r in results if "already" not in r.stdout]
    assert len(started) == 1  # exactly one sandbox was started
    results.clear()
    downs = [threading.Thread(target=run, args=("down",)) for _ in range(2)]
    for t in downs:
        t.start()
    for t in downs:
        t.join()
    assert [r.returncode for r in results] == [0, 0]
    assert sorted(r.stdout.split(" (")[0] for r in results) == [
        "kctl-sandbox stopped",
        "no kctl-sandbox is running\n",
    ]
    assert config.read_bytes() == original


def test_up_reports_a_start_failure(env: dict[str, str], tmp_path: Path) -> None:
    result = kctl(env, "up", "--seed", str(tmp_path / "missing.yaml"))
    assert result.returncode == 1
    assert result.stderr.startswith(
        "error: the sandbox exited during start-up: error: cannot load seed"
    )
    assert not Path(env["KUBECONFIG"]).exists()
    assert kctl(env, "status").stdout == "no kctl-sandbox is running\n"


def test_up_writes_ca_data_and_token(env: dict[str, str]) -> None:
    up = kctl(env, "up", "--tls", "--seed", "empty")
    assert up.returncode == 0, up.stderr
    data = yaml.safe_load(Path(env["KUBECONFIG"]).read_text())
    (cluster,) = [c["cluster"] for c in data["clusters"] if c["name"] == "kctl-sandbox"]
    assert cluster["server"].startswith("https://127.0.0.1:")
    assert cluster["certificate-authority-data"]
    assert "insecure-skip-tls-verify" not in cluster
    (user,) = [u["user"] for u in data["users"] if u["name"] == "kctl-sandbox"]
    assert len(user["token"]) >= 32
    # Without the token: kube-apiserver's 401.
    without = kubectl(env, "get", "namespaces", "--token", "wrong")
    assert without.returncode == 1
    assert without.stderr.splitlines()[-1].startswith("error: You must be logged in to the server")


def test_up_no_tls_serves_http(env: dict[str, str]) -> None:
    up = kctl(env, "up", "--no-tls", "--seed", "empty")
    assert up.returncode == 0, up.stderr
    assert up.stdout.startswith("kctl-sandbox is running at http://127.0.0.1:")
    data = yaml.safe_load(Path(env["KUBECONFIG"]).read_text())
    (cluster,) = [c["cluster"] for c in data["clusters"] if c["name"] == "kctl-sandbox"]
    assert "certificate-authority-data" not in cluster
    # kubectl sends no credentials over http: it is served as anonymous.
    result = kubectl(env, "get", "namespaces", "-o", "name")
    assert result.returncode == 0, result.stderr
    assert "namespace/default" in result.stdout.split()


def test_up_after_a_crash_then_down_restores_the_original(env: dict[str, str]) -> None:
    import signal

    config = Path(env["KUBECONFIG"])
    config.write_text(THREE_CLUSTERS)
    original = config.read_bytes()
    assert kctl(env, "up", "--seed", "empty").returncode == 0
    pid_file = Path(env["XDG_CACHE_HOME"]) / "kctl" / "sandbox" / "pid"
    pid = int(pid_file.read_text().split()[0])
    os.kill(pid, signal.SIGKILL)
    assert kctl(env, "status").stdout == "no kctl-sandbox is running\n"
    again = kctl(env, "up", "--seed", "empty")
    assert again.returncode == 0, again.stderr
    assert "already" not in again.stdout
    assert yaml.safe_load(config.read_text())["current-context"] == "kctl-sandbox"
    assert kctl(env, "down").returncode == 0
    assert config.read_bytes() == original


def test_status_exit_code_lets_scripts_start_only_when_needed(env: dict[str, str]) -> None:
    """0 when running, 3 (LSB "not running", as systemctl status) when not."""
    none = kctl(env, "status")
    assert (none.returncode, none.stdout, none.stderr) == (3, "no kctl-sandbox is running\n", "")
    script = f"{sys.executable} -m kctl sandbox status >/dev/null || {sys.executable} -m kctl sandbox up --seed empty"
    first = subprocess.run(
        ["sh", "-c", script], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("kctl-sandbox is running at ")
    running = kctl(env, "status")
    assert running.returncode == 0
    second = subprocess.run(
        ["sh", "-c", script], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert (second.returncode, second.stdout) == (0, "")
    assert kctl(env, "down").returncode == 0
    assert kctl(env, "status").returncode == 3


@pytest.mark.parametrize("shadow", ["namespace", "package"])
def test_up_from_a_directory_holding_a_kctl_folder(
    env: dict[str, str], tmp_path: Path, shadow: str
) -> None:
    """The server imports the installed kctl, not a ``kctl`` folder in the working directory
    (a checkout, or a namespace-package directory that hides an editable install)."""
    work = tmp_path / "work"
    (work / "kctl").mkdir(parents=True)
    if shadow == "package":
        (work / "kctl" / "__init__.py").write_text("raise SystemExit('shadowed kctl imported')\n")
    (work / "objs.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: mine\n")
    entry = Path(sys.executable).parent / "kctl"
    up = subprocess.run(
        [str(entry), "sandbox", "up", "--seed", "objs.yaml"],
        capture_output=True,
        text=True,
        env=env,
        cwd=work,
        timeout=120,
        check=False,
    )
    assert up.returncode == 0, up.stderr
    cache = Path(env["XDG_CACHE_HOME"]) / "kctl" / "sandbox"
    pid = int((cache / "pid").read_text().split()[0])
    # Away from the user's directory (3.10 has no -P), holding no mount point busy.
    assert os.readlink(f"/proc/{pid}/cwd") == str(cache)
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    assert (b"-P" in argv) == (sys.version_info >= (3, 11))
    # The relative seed was read from where ``up`` ran.
    ns = kubectl(env, "get", "namespace", "mine", "-o", "name")
    assert ns.stdout == "namespace/mine\n", ns.stderr
