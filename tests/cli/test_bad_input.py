"""Bad input never ends in a traceback: kctl prints kubectl's error, with kubectl's exit code.

Each case runs kctl and the real kubectl 1.37.1 on the same broken kubeconfig / flags and
compares stderr (klog lines dropped) and the exit code. The servers named are refused
loopback ports, so nothing waits on a network.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kctl.sandbox import Sandbox

KUBECTL = Path(sys.executable).parent / "kubectl"
# A klog line, with the tab-indented continuation of a multi-line value (`err=<`...` >`).
_KLOG = re.compile(r"^[EWIF]\d{4} [^\n]*\n?(?:\t[^\n]*\n| >[^\n]*\n?)*", re.M)
REFUSED = "https://127.0.0.1:1"


def _kubeconfig(cluster: str = "", user: str = "    token: abc") -> str:
    return (
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n"
        f"    server: {REFUSED}\n{cluster}\nusers:\n- name: u\n  user:\n{user}\n"
        "contexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n"
    )


def _exec_user(script: str) -> str:
    return (
        "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
        f"      command: {script}\n      interactiveMode: Never\n"
    )


GARBAGE_B64 = base64.b64encode(b"garbage\n").decode()

# name -> kubeconfig bytes; "{dir}" is the test's directory (plugins and PEM files live there).
KUBECONFIGS: dict[str, bytes] = {
    "tabs": b"apiVersion: v1\nclusters:\n\t- cluster: {}\n",
    "clusters-number": b"apiVersion: v1\nclusters: 5\n",
    "clusters-map": b"apiVersion: v1\nclusters:\n  a: b\n",
    "top-level-list": b"- a\n- b\n",
    "top-level-string": b'"a string"\n',
    "top-level-number": b"5\n",
    "binary": b"\xa3\x10\x00\xff\xfe garbage",
    "non-utf8": b"apiVersion: v1\nkind: Config\ncurrent-context: \xff\xfe\n",
    "control-char": b"a: \x01b\n",
    "truncated-utf8": b"a: \xc3",
    "bad-continuation": b"a: \xc3\x41\n",
    "bad-base64-char": _kubeconfig("    certificate-authority-data: '!!!notbase64'").encode(),
    "bad-base64-short": _kubeconfig('    certificate-authority-data: "Zm9vY"').encode(),
    "bad-base64-padding": _kubeconfig('    certificate-authority-data: "Zg=x"').encode(),
    "bad-base64-trailing": _kubeconfig('    certificate-authority-data: "Zm9vYg==Zg=="').encode(),
    "bad-base64-key": _kubeconfig(
        "", "    client-certificate-data: Zm9v\n    client-key-data: '%%%'"
    ).encode(),
    "ca-missing": _kubeconfig("    certificate-authority: /nonexistent/ca.crt").encode(),
    "ca-garbage": _kubeconfig("    certificate-authority: {dir}/garbage.pem").encode(),
    "ca-data-garbage": _kubeconfig("    certificate-authority-data: Zm9vYmFy").encode(),
    "client-data-garbage": _kubeconfig(
        "",
        f"    client-certificate-data: {GARBAGE_B64}\n    client-key-data: {GARBAGE_B64}",
    ).encode(),
    "client-files-missing": _kubeconfig(
        "", "    client-certificate: /nonexistent/c.crt\n    client-key: /nonexistent/c.key"
    ).encode(),
    "token-file-missing": _kubeconfig("", "    tokenFile: /nonexistent/token").encode(),
    "two-auth-methods": _kubeconfig("", "    token: a\n    username: b\n    password: c").encode(),
    "exec-prints-garbage": _kubeconfig("", _exec_user("{dir}/garbage.sh")).encode(),
    "exec-prints-list": _kubeconfig("", _exec_user("{dir}/list.sh")).encode(),
    "exec-prints-truncated-json": _kubeconfig("", _exec_user("{dir}/brace.sh")).encode(),
    "exec-no-token": _kubeconfig("", _exec_user("{dir}/empty.sh")).encode(),
    "exec-exits-1": _kubeconfig("", _exec_user("{dir}/fail.sh")).encode(),
    "exec-not-found": _kubeconfig("", _exec_user("no-such-kctl-test-plugin")).encode(),
}

PLUGINS = {
    "garbage.sh": "echo not json",
    "list.sh": "echo '[1]'",
    "brace.sh": "echo '{'",
    "empty.sh": (
        'echo \'{"apiVersion":"client.authentication.k8s.io/v1",'
        '"kind":"ExecCredential","status":{}}\''
    ),
    "fail.sh": "exit 1",
}


def normalise(text: str) -> str:
    return re.sub(r"\bkubectl\b", "kctl", _KLOG.sub("", text))


def _run(exe: list[str], args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KUBE", "KCTL"))}
    env.update(HOME=str(home), KUBECACHEDIR=str(home / "cache"), NO_COLOR="1")
    for proxy in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        env.pop(proxy, None)
    return subprocess.run(
        [*exe, *args],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )


def _assert_like_kubectl(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    ours = _run([sys.executable, "-m", "kctl"], args, tmp_path / "ours")
    theirs = _run([str(KUBECTL)], args, tmp_path / "theirs")
    assert "Traceback" not in ours.stderr + ours.stdout
    assert normalise(ours.stderr) == normalise(theirs.stderr)
    assert ours.stdout == theirs.stdout
    assert ours.returncode == theirs.returncode == 1
    return ours


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "garbage.pem").write_text("garbage\n")
    for name, body in PLUGINS.items():
        script = tmp_path / name
        script.write_text(f"#!/bin/sh\n{body}\n")
        script.chmod(0o755)
    return tmp_path


@pytest.mark.parametrize("case", sorted(KUBECONFIGS))
def test_broken_kubeconfig_like_kubectl(case: str, workdir: Path) -> None:
    path = workdir / f"{case}.kubeconfig"
    path.write_bytes(KUBECONFIGS[case].replace(b"{dir}", str(workdir).encode()))
    ours = _assert_like_kubectl(["--kubeconfig", str(path), "get", "pods"], workdir)
    if not case.startswith(("exec-not-found", "client-files-missing")):
        # kubectl's own multi-line texts (install hint, aggregate) aside: one line.
        assert len(ours.stderr.splitlines()) == 1, ours.stderr


def test_kubeconfig_directory_and_broken_symlink(workdir: Path) -> None:
    (workdir / "adir").mkdir()
    os.symlink("/nonexistent/kubeconfig", workdir / "broken")
    for target in ("adir", "broken"):
        ours = _assert_like_kubectl(["--kubeconfig", str(workdir / target), "get", "pods"], workdir)
        assert len(ours.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    "server",
    [
        "http://[::1",
        "https://[::1",
        "ftp://x",
        "http://127.0.0.1:99999",
        "http://127.0.0.1:abc",
        "x y",
        "x|y",
    ],
)
def test_bad_server_url_like_kubectl(server: str, workdir: Path) -> None:
    path = workdir / "ok.kubeconfig"
    path.write_text(_kubeconfig())
    ours = _assert_like_kubectl(["--kubeconfig", str(path), "-s", server, "get", "pods"], workdir)
    assert len(ours.stderr.splitlines()) == 1


def test_missing_context_stays_a_configuration_error(workdir: Path) -> None:
    path = workdir / "ok.kubeconfig"
    path.write_text(_kubeconfig())
    ours = _assert_like_kubectl(
        ["--kubeconfig", str(path), "--context", "nope", "get", "pods"], workdir
    )
    assert ours.stderr.startswith("Error in configuration: context was not found")


@pytest.mark.parametrize(
    "flags",
    [["-l", "a in (b"], ["-l", "!!"], ["--field-selector", "x"], ["-o", "name", "-l", "!!"]],
)
def test_bad_selector_like_kubectl(flags: list[str], demo_sandbox: Sandbox, tmp_path: Path) -> None:
    args = ["--kubeconfig", demo_sandbox.kubeconfig_path, "get", "pods", *flags]
    ours = _assert_like_kubectl(args, tmp_path)
    assert ours.stderr.startswith('Error from server (BadRequest): Unable to find "/v1, ')
