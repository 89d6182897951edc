"""``kctl sandbox serve/up/down`` on bad input: exit 1, one clear error line, no traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest


def _sandbox(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    home = tmp_path / "home"
    (home / ".kube").mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "KUBECONFIG": str(home / ".kube" / "config"),
    }
    return subprocess.run(
        [sys.executable, "-m", "kctl", "sandbox", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def _one_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert not result.stdout.startswith("ready"), result.stdout
    lines = result.stderr.splitlines()
    # A usage error adds kubectl's "See '... --help' for usage." line; nothing else may follow.
    assert len(lines) == 1 or (len(lines) == 2 and lines[1].startswith("See 'kctl sandbox ")), lines
    assert lines[0].startswith("error: ")
    return lines[0]


def _write(name: str, data: bytes) -> Callable[[Path], str]:
    def make(tmp_path: Path) -> str:
        (tmp_path / name).write_bytes(data)
        return name

    return make


BROKEN_YAML = _write("broken.yaml", b"a: [\n")
BINARY = _write("binary.yaml", b"\xff\xfe\x00\x01binary")

CASES: list[tuple[str, list[str], Callable[[Path], str] | None, str]] = [
    (
        "port-out-of-range",
        ["--port", "99999"],
        None,
        "error: Invalid value for '--port': 99999 is not in the range 0<=x<=65535.",
    ),
    (
        "seed-missing",
        ["--seed", "/nonexistent/seed.yaml"],
        None,
        "error: cannot load seed /nonexistent/seed.yaml: /nonexistent/seed.yaml: "
        "no such file or directory",
    ),
    (
        "seed-broken-yaml",
        ["--seed", "{}"],
        BROKEN_YAML,
        # libyaml's words: seeds are read with PyYAML's C loader.
        "error: cannot load seed broken.yaml: broken.yaml: invalid YAML: did not find expected "
        "node content at line 2",
    ),
    ("seed-binary", ["--seed", "{}"], BINARY, "error: cannot load seed binary.yaml: "),
    (
        "seed-a-list",
        ["--seed", "{}"],
        _write("list.yaml", b"- 1\n- 2\n"),
        "error: cannot load seed list.yaml: list.yaml: expected an object, got list",
    ),
    (
        "state-is-a-directory",
        ["--state", "{}"],
        lambda p: (p / "adir").mkdir() or "adir",
        "error: Invalid value for '--state': File 'adir' is a directory.",
    ),
    (
        "state-unwritable",
        ["--state", "/proc/nope/state.db"],
        None,
        "error: cannot open state file /proc/nope/state.db: No such file or directory",
    ),
    (
        "state-not-a-database",
        ["--state", "{}"],
        BROKEN_YAML,
        "error: cannot use state file broken.yaml: file is not a database",
    ),
    (
        "authz-broken-yaml",
        ["--authz", "{}"],
        BROKEN_YAML,
        "error: cannot load RBAC objects broken.yaml: broken.yaml: invalid YAML: did not find "
        "expected node content at line 2",
    ),
    (
        "authz-not-rbac",
        ["--authz", "{}"],
        _write("rbac.yaml", b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"),
        "error: cannot load RBAC objects rbac.yaml: rbac.yaml: v1 ConfigMap x is not an RBAC "
        "object (rbac.authorization.k8s.io/v1 Role, ClusterRole, RoleBinding, ClusterRoleBinding)",
    ),
    (
        "authz-invalid-role",
        ["--authz", "{}"],
        _write(
            "role.yaml",
            b"apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n"
            b"metadata: {name: r, namespace: dev}\nrules: [{apiGroups: [''], resources: [pods]}]\n",
        ),
        'error: cannot load RBAC objects role.yaml: Role.rbac.authorization.k8s.io "r" is '
        "invalid: rules[0].verbs: Required value",
    ),
    (
        "authz-binary",
        ["--authz", "{}"],
        BINARY,
        "error: cannot load RBAC objects binary.yaml: ",
    ),
    (
        "authz-missing",
        ["--authz", "/nonexistent/authz.yaml"],
        None,
        "error: cannot load RBAC objects /nonexistent/authz.yaml: /nonexistent/authz.yaml: "
        "no such file or directory",
    ),
    (
        "fault-nonsense",
        ["--fault", "nonsense"],
        None,
        "error: invalid --fault: expected key=value, got 'nonsense' in fault 'nonsense'",
    ),
    (
        "fault-bad-duration",
        ["--fault", "latency=abc"],
        None,
        "error: invalid --fault: invalid duration 'abc' (use e.g. 200ms, 1.5s, 1m)",
    ),
    (
        "token-file-missing",
        ["--token-file", "/nonexistent/tokens.csv"],
        None,
        "error: cannot load token file /nonexistent/tokens.csv: No such file or directory",
    ),
    (
        "kubeconfig-out-unwritable",
        ["--kubeconfig-out", "/proc/nope/kc"],
        None,
        "error: cannot write /proc/nope/kc: No such file or directory",
    ),
]


@pytest.mark.parametrize(
    ("args", "make", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_serve_bad_input(
    tmp_path: Path, args: list[str], make: Callable[[Path], str] | None, expected: str
) -> None:
    if make is not None:
        name = make(tmp_path)
        args = [a.replace("{}", name) for a in args]
    line = _one_error(_sandbox(tmp_path, "serve", "--seed", "empty", *args))
    assert line.startswith(expected) if expected.endswith(": ") else line == expected


def test_serve_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = _one_error(_sandbox(tmp_path, "serve", "--seed", "empty", "--port", str(port)))
    assert line == f"error: cannot listen on 127.0.0.1:{port}: Address already in use"


def test_up_leaves_an_unparsable_kubeconfig_alone(tmp_path: Path) -> None:
    config = tmp_path / "home" / ".kube" / "config"
    config.parent.mkdir(parents=True)
    config.write_bytes(b"garbage: [\n")
    os.chmod(config, 0o640)
    line = _one_error(_sandbox(tmp_path, "up", "--seed", "empty"))
    # kubectl 1.37.1 says "line 1" for these bytes too (yaml.v2's line rule for parser errors).
    assert line == (
        f'error: error loading config file "{config}": yaml: line 1: did not find expected '
        "node content"
    )
    assert config.read_bytes() == b"garbage: [\n"
    assert config.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in config.parent.iterdir()) == ["config"]
    # The server it had started is gone again.
    status = _sandbox(tmp_path, "status")
    assert (status.returncode, status.stdout) == (3, "no kctl-sandbox is running\n")


def test_up_bad_port(tmp_path: Path) -> None:
    line = _one_error(_sandbox(tmp_path, "up", "--port", "-1"))
    assert line == "error: Invalid value for '--port': -1 is not in the range 0<=x<=65535."
    assert not (tmp_path / "home" / ".kube" / "config").exists()


def test_down_and_status_when_nothing_runs(tmp_path: Path) -> None:
    # status says "not running" with 3 (LSB), down has nothing to do and succeeds.
    for verb, code in (("down", 0), ("status", 3)):
        result = _sandbox(tmp_path, verb)
        assert (result.returncode, result.stdout, result.stderr) == (
            code,
            "no kctl-sandbox is running\n",
            "",
        )
    assert not (tmp_path / "home" / ".kube" / "config").exists()
