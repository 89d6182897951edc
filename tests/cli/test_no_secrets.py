"""No credential reaches stdout, stderr or a file kctl writes, at any -v level.

The sandbox serves HTTPS, so the token really is sent; a second kubeconfig points the same
credentials at a refused port. Every output and every file under the run's HOME (the
discovery cache) is searched for the secret strings.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kctl.sandbox import Sandbox

EXEC_TOKEN = "exec-token-s3cr3t-0f-the-plugin"


@pytest.fixture(scope="module")
def tls_sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed="demo", tls=True) as sb:
        yield sb


def _run(args: list[str], kubeconfig: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KUBE", "KCTL"))}
    env.update(HOME=str(home), KUBECACHEDIR=str(home / "cache"), KUBECONFIG=str(kubeconfig))
    return subprocess.run(
        [sys.executable, "-m", "kctl", *args],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )


def _assert_clean(secrets: list[str], texts: list[str], home: Path) -> None:
    for secret in secrets:
        for text in texts:
            assert secret not in text
        for root, _, files in os.walk(home):
            for name in files:
                data = Path(root, name).read_bytes()
                assert secret.encode() not in data, f"{secret!r} written to {root}/{name}"


ARGS = [
    ["get", "pods", "-A"],
    ["get", "pods", "-w", "--request-timeout=1s"],
    ["api-resources"],
    ["delete", "pod", "no-such-pod"],
    ["get", "pods", "-v=9"],
]


@pytest.mark.parametrize("verbosity", ["0", "6", "7", "8", "9", "10"])
def test_token_never_printed(verbosity: str, tls_sandbox: Sandbox, tmp_path: Path) -> None:
    assert tls_sandbox.token
    kubeconfig = Path(tls_sandbox.kubeconfig_path)
    home = tmp_path / "home"
    texts: list[str] = []
    for args in ARGS:
        run = _run([*args, f"-v={verbosity}"], kubeconfig, home)
        assert "Traceback" not in run.stderr
        texts += [run.stdout, run.stderr]
    if int(verbosity) >= 7:
        # The header is logged, masked: the check above is not vacuous.
        assert any("Authorization: Bearer <masked>" in t for t in texts)
    _assert_clean([tls_sandbox.token], texts, home)


def test_exec_token_basic_auth_and_key_never_printed(tls_sandbox: Sandbox, tmp_path: Path) -> None:
    plugin = tmp_path / "plugin.sh"
    plugin.write_text(
        '#!/bin/sh\necho \'{"apiVersion":"client.authentication.k8s.io/v1",'
        f'"kind":"ExecCredential","status":{{"token":"{EXEC_TOKEN}"}}}}\'\n'
    )
    plugin.chmod(0o755)
    ca = tls_sandbox.ca_pem
    assert ca is not None
    (tmp_path / "ca.crt").write_bytes(ca)
    key_marker = "S3CRETKEYMATERIALAAAA"
    password = "basic-auth-pa55word"
    users = {
        "exec": (
            "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
            f"      command: {plugin}\n      interactiveMode: Never\n"
        ),
        "basic": f"    username: admin\n    password: {password}\n",
        "key": (f"    client-certificate-data: Zm9v\n    client-key-data: {key_marker}\n"),
    }
    host = Path(tls_sandbox.kubeconfig_path).read_text().split("server: ", 1)[1].split()[0]
    servers = {"live": host, "dead": "https://127.0.0.1:1"}
    home = tmp_path / "home"
    texts: list[str] = []
    for user_name, user in users.items():
        for server_name, server in servers.items():
            kubeconfig = tmp_path / f"{user_name}-{server_name}.kubeconfig"
            kubeconfig.write_text(
                "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n"
                f"    server: {server}\n    certificate-authority: {tmp_path}/ca.crt\n"
                f"users:\n- name: u\n  user:\n{user}"
                "contexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n"
            )
            for verbosity in ("0", "8", "10"):
                run = _run(["get", "pods", f"-v={verbosity}"], kubeconfig, home)
                assert "Traceback" not in run.stderr
                texts += [run.stdout, run.stderr]
    # The exec token was used: the sandbox answered (401) rather than kctl failing early.
    assert any("Unauthorized" in t for t in texts)
    _assert_clean([EXEC_TOKEN, password, key_marker], texts, home)
