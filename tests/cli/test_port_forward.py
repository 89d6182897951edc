"""``kctl port-forward`` against kubectl 1.37.1 on the sandbox: argument, pod and port
errors with kubectl's texts and exit codes; and kctl's own listeners."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kctl.sandbox import Sandbox

from .conftest import Parity

sys.path.insert(0, str(Path(__file__).parent))
from helpers_proc import LineProc


def _pod(name: str, phase: str = "Running", ports: list[Any] | None = None) -> Any:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "labels": {"app": name}},
        "spec": {
            "nodeName": "n1",
            "containers": [{"name": "c", "image": "c:1", "ports": ports or []}],
        },
        "status": {"phase": phase},
    }


@pytest.fixture(scope="module")
def pods() -> Iterator[Sandbox]:
    with Sandbox(seed="empty") as sb:
        sb.create(
            _pod(
                "web",
                ports=[
                    {"name": "http", "containerPort": 8080},
                    {"name": "dns", "containerPort": 53, "protocol": "UDP"},
                ],
            )
        )
        sb.create(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": "web", "namespace": "default"},
                "spec": {
                    "selector": {"app": "web"},
                    "ports": [{"name": "https", "port": 443, "targetPort": "http"}],
                },
            }
        )
        sb.create(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": "bare", "namespace": "default"},
                "spec": {"ports": [{"port": 80}]},
            }
        )
        yield sb


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("web",),
        ("nope", "80"),
        ("web", "nope"),
        ("web", "53"),
        ("web", "dns"),
        ("svc/web", "8443:nope"),
        ("svc/web", "9999"),
        ("svc/bare", "80"),
        ("svc/nope", "80"),
        ("--pod-running-timeout=0s", "web", "80"),
    ],
)
def test_errors_as_kubectl(
    pods: Sandbox, parity: Callable[..., Parity], args: tuple[str, ...]
) -> None:
    parity(pods, "port-forward", *args).assert_same()


def _ipv6() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


def test_listens_and_stops_on_interrupt(pods: Sandbox, tmp_path: Path) -> None:
    """kubectl's Forwarding lines for 127.0.0.1 and ::1; SIGINT ends it with 0."""
    proc = LineProc(
        [sys.executable, "-m", "kctl", "port-forward", "web", ":http"],
        pods.kubeconfig_path,
        tmp_path,
    )
    try:
        first = proc.take(1)[0]
        assert re.fullmatch(r"Forwarding from 127\.0\.0\.1:(\d+) -> 8080\n", first)
        port = int(first.split(":")[1].split(" ")[0])
        if _ipv6():
            assert proc.take(1) == [f"Forwarding from [::1]:{port} -> 8080\n"]
        # The port is really listening.
        socket.create_connection(("127.0.0.1", port), timeout=10).close()
        proc.proc.send_signal(signal.SIGINT)
        code, _ = proc.finish()
        assert code == 0
    finally:
        proc.kill()


def test_local_port_in_use(pods: Sandbox, run_kctl: Any) -> None:
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        done = run_kctl(pods, "port-forward", "--address", "127.0.0.1", "web", f"{port}:80")
    assert done.returncode == 1
    assert done.stderr == (
        f"Unable to listen on port {port}: Listeners failed to create with the following "
        f"errors: [unable to create listener: Error listen tcp4 127.0.0.1:{port}: bind: "
        f"address already in use]\nerror: unable to listen on any of the requested ports: "
        f"[{{{port} 80}}]\n"
    )


def test_pod_not_running_on_a_real_server(envtest: Any, tmp_path: Path) -> None:
    """A real server's pod without a kubelet stays Pending: kubectl's refusal, word for word."""
    from kctl.kubernetes import new_for_config

    from .conftest import KUBECTL, cli_env

    cs = new_for_config(envtest.rest_config())
    ns = f"pf-{os.getpid()}"
    cs.core_v1().namespaces().create({"metadata": {"name": ns}})
    pod = _pod("web")
    pod["metadata"]["namespace"] = ns
    del pod["status"]
    cs.core_v1().pods(ns).create(pod)
    env = cli_env(None, tmp_path)
    env["KUBECONFIG"] = envtest.kubeconfig_path
    theirs, ours = (
        subprocess.run(
            [*exe, "port-forward", "-n", ns, "web", "8080:80"],
            env=env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=60,
            check=False,
        )
        for exe in ([str(KUBECTL)], [sys.executable, "-m", "kctl"])
    )
    assert theirs.stderr == (
        "error: unable to forward port because pod is not running. Current status=Pending\n"
    )
    assert (ours.returncode, ours.stdout, ours.stderr) == (
        theirs.returncode,
        theirs.stdout,
        theirs.stderr,
    )


# -- end to end: an HTTP server in a sandbox pod, fetched through kctl's forward -------------

sys.path.insert(0, str(Path(__file__).parent.parent / "sandbox"))
from helpers_runtime import pod as runtime_pod  # noqa: E402
from helpers_runtime import start, wait_for  # noqa: E402


def _listening(ip: str, port: int) -> bool:
    try:
        socket.create_connection((ip, port), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture(scope="module")
def served() -> Iterator[Sandbox]:
    server = f"{sys.executable} -m http.server 8080 --bind $POD_IP"
    with Sandbox(seed="empty", runtime="process") as sb:
        running = start(sb, runtime_pod("web", f"echo served by web > index.txt; exec {server}"))
        ip = running["status"]["podIP"]
        assert wait_for(lambda: _listening(ip, 8080)), "the pod's server never listened"
        yield sb


def test_fetch_through_the_forward(served: Sandbox, tmp_path: Path) -> None:
    import urllib.request

    proc = LineProc(
        [sys.executable, "-m", "kctl", "port-forward", "pod/web", ":8080"],
        served.kubeconfig_path,
        tmp_path,
    )
    try:
        first = proc.take(1)[0]
        port = int(first.split(":")[1].split(" ")[0])
        for _ in range(3):  # a new WebSocket per connection, each one served
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.txt", timeout=10) as r:
                assert r.read() == b"served by web\n"
        proc.proc.send_signal(signal.SIGINT)
        code, stderr = proc.finish()
        assert (code, stderr) == (0, "")
    finally:
        proc.kill()
