"""``kctl exec`` against kubectl 1.37.1: argument and pod errors on the sandbox, and a refused
upgrade on a real kube-apiserver (no kubelet), with kubectl's texts and exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kctl.kubernetes import new_for_config
from kctl.sandbox import Sandbox

from .conftest import KUBECTL, Parity, cli_env


def _pod(name: str, containers: tuple[str, ...], phase: str = "Running", **meta: Any) -> Any:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", **meta},
        "spec": {
            "nodeName": "n1",
            "containers": [{"name": c, "image": f"{c}:1"} for c in containers],
        },
        "status": {"phase": phase},
    }


@pytest.fixture(scope="module")
def pods() -> Iterator[Sandbox]:
    with Sandbox(seed="empty") as sb:
        sb.create(_pod("web", ("a", "b")))
        sb.create(_pod("one", ("a",)))
        sb.create(_pod("done", ("a",), phase="Succeeded"))
        sb.create(
            _pod("pick", ("a", "b"), annotations={"kubectl.kubernetes.io/default-container": "zz"})
        )
        yield sb


@pytest.mark.parametrize(
    "args",
    [
        ("-c", "zz", "web", "--", "ls"),
        ("nope", "--", "ls"),
        ("done", "--", "ls"),
        ("web", "ls"),
        ("web",),
        ("--", "ls"),
        (),
        ("web", "x", "--", "ls"),
        ("svc/nope", "--", "ls"),
        ("pick", "--", "ls"),
        ("--pod-running-timeout=0s", "web", "--", "ls"),
    ],
)
def test_errors_as_kubectl(
    pods: Sandbox, parity: Callable[..., Parity], args: tuple[str, ...]
) -> None:
    parity(pods, "exec", *args).assert_same()


def test_tty_without_a_terminal_warns_and_goes_on(
    pods: Sandbox, parity: Callable[..., Parity]
) -> None:
    # stdin is a pipe here: kubectl warns, drops the TTY, and then fails at the upgrade (the
    # sandbox has no runtime), after the same warnings in the same order.
    p = parity(pods, "exec", "-it", "web", "--", "ls", input="")
    assert (
        "Unable to use a TTY - input is not a terminal or the right kind of file" in p.theirs.stderr
    )
    p.assert_same()


def test_refused_upgrade_on_a_real_server(envtest: Any, tmp_path: Any) -> None:
    """The real API server refuses the upgrade (its pod's node is unknown): kubectl's text is
    its SPDY fallback's, ``unable to upgrade connection: <message>``."""
    cs = new_for_config(envtest.rest_config())
    ns = f"exec-{os.getpid()}"
    cs.core_v1().namespaces().create({"metadata": {"name": ns}})
    pod = _pod("web", ("a",))
    pod["metadata"]["namespace"] = ns
    del pod["status"]
    cs.core_v1().pods(ns).create(pod)
    env = cli_env(None, tmp_path)
    env["KUBECONFIG"] = envtest.kubeconfig_path
    results = [
        subprocess.run(
            [*exe, "exec", "-n", ns, "web", "--", "ls"],
            env=env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=60,
            check=False,
        )
        for exe in ([str(KUBECTL)], [sys.executable, "-m", "kctl"])
    ]
    theirs, ours = results
    assert theirs.stderr.startswith("error: unable to upgrade connection: ")
    assert (ours.returncode, ours.stdout, ours.stderr) == (
        theirs.returncode,
        theirs.stdout,
        theirs.stderr,
    )


# -- end to end: kctl and kubectl side by side on the sandbox's process runtime ---------------

sys.path.insert(0, str(Path(__file__).parent.parent / "sandbox"))
from helpers_runtime import pod as runtime_pod  # noqa: E402
from helpers_runtime import start  # noqa: E402


@pytest.fixture(scope="module")
def running() -> Iterator[Sandbox]:
    with Sandbox(seed="empty", runtime="process") as sb:
        start(sb, runtime_pod("shell", "sleep 3600", env={"GREETING": "hi there"}))
        yield sb


@pytest.mark.parametrize(
    "command",
    [
        ("sh", "-c", 'echo "$GREETING"; echo oops >&2'),
        ("sh", "-c", "echo out; echo err >&2; exit 3"),
        ("true",),
        ("sh", "-c", "printf 'no newline'"),
        ("no-such-command",),
    ],
)
def test_exec_as_kubectl(
    running: Sandbox, parity: Callable[..., Parity], command: tuple[str, ...]
) -> None:
    parity(running, "exec", "shell", "--", *command).assert_same()


def test_exec_stdin_as_kubectl(running: Sandbox, parity: Callable[..., Parity]) -> None:
    payload = "".join(f"line {i}\n" for i in range(5000))
    p = parity(running, "exec", "-i", "shell", "--", "sh", "-c", "cat; echo done", input=payload)
    assert p.theirs.stdout == payload + "done\n"
    p.assert_same()


def test_exit_code_3_with_kubectls_text(running: Sandbox, parity: Callable[..., Parity]) -> None:
    p = parity(running, "exec", "shell", "--", "sh", "-c", "exit 3")
    assert (p.ours.returncode, p.ours.stderr) == (3, "command terminated with exit code 3\n")
    p.assert_same()
