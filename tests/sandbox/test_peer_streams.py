"""The peer clients' exec and port-forward against the sandbox's process runtime, where a
kubelet stand-in really runs the pod: the official ``kubernetes`` client, ``lightkube`` and
``kr8s``, each through its own WebSocket code, must get the command's output and exit status,
and reach a port the pod listens on. (The bare real server has no kubelet: what it answers
there is test_peer_clients.py's ``test_exec_with_no_kubelet``.) kubectl, through the proxy
subresources, reaches the same pod by its service and by its name."""

from __future__ import annotations

import errno
import socket
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers_peers import kr8s_api, kubernetes_api, lightkube_client
from helpers_runtime import pod, start, wait_for

from kctl.sandbox import Sandbox

pytest.importorskip("kubernetes")
pytest.importorskip("lightkube")
pytest.importorskip("kr8s")

pytestmark = pytest.mark.timeout(120)

SERVER = f"{sys.executable} -m http.server 8080 --bind $POD_IP"
SCRIPT = "echo out; echo err >&2; exit 3"


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox(seed="empty", runtime="process") as sandbox:
        web = pod("web", f"echo served by web > index.txt; exec {SERVER}")
        web["metadata"]["labels"] = {"app": "web"}
        running = start(sandbox, web)
        ip = running["status"]["podIP"]
        assert wait_for(lambda: _listening(ip, 8080)), "the pod never listened"
        sandbox.create(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": "web", "namespace": "default"},
                "spec": {
                    "selector": {"app": "web"},
                    "ports": [{"name": "http", "port": 80, "targetPort": 8080}],
                },
            }
        )
        yield sandbox


def _listening(ip: str, port: int) -> bool:
    try:
        socket.create_connection((ip, port), timeout=1).close()
    except OSError:
        return False
    return True


def _get_index(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(b"GET /index.txt HTTP/1.0\r\nHost: web\r\n\r\n")
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200"), head
    return body


# --- exec -----------------------------------------------------------------------------------


def _exec_kubernetes(kubeconfig: str) -> tuple[str, str, int]:
    from kubernetes import client
    from kubernetes.stream import stream

    with kubernetes_api(kubeconfig) as api:
        resp = stream(
            client.CoreV1Api(api).connect_get_namespaced_pod_exec,
            "web",
            "default",
            command=["sh", "-c", SCRIPT],
            stderr=True,
            stdout=True,
            stdin=False,
            tty=False,
            _preload_content=False,
        )
        resp.run_forever(timeout=30)
        out, err = resp.read_stdout(), resp.read_stderr()
        code = resp.returncode
        resp.close()
    return out, err, int(code)


def _exec_lightkube(kubeconfig: str) -> tuple[str, str, int]:
    with lightkube_client(kubeconfig, "default") as c:
        resp = c.exec("web", command=["sh", "-c", SCRIPT], stdout=True, stderr=True, timeout=30)
    return str(resp.stdout), str(resp.stderr), int(resp.exit_code)


def _exec_kr8s(kubeconfig: str) -> tuple[str, str, int]:
    from kr8s.objects import Pod

    with kr8s_api(kubeconfig, "default") as api:
        web = Pod.get("web", namespace="default", api=api)
        done = web.exec(["sh", "-c", SCRIPT], check=False)
    return done.stdout.decode(), done.stderr.decode(), int(done.returncode)


EXEC: dict[str, Callable[[str], tuple[str, str, int]]] = {
    "kubernetes": _exec_kubernetes,
    "lightkube": _exec_lightkube,
    "kr8s": _exec_kr8s,
}


@pytest.mark.parametrize("client", sorted(EXEC))
def test_exec_output_and_exit_code(sb: Sandbox, client: str) -> None:
    assert EXEC[client](sb.kubeconfig_path) == ("out\n", "err\n", 3)


# --- port-forward ---------------------------------------------------------------------------


def _forward_kubernetes(kubeconfig: str) -> bytes:
    from kubernetes import client
    from kubernetes.stream import portforward

    with kubernetes_api(kubeconfig) as api:
        pf = portforward(
            client.CoreV1Api(api).connect_get_namespaced_pod_portforward,
            "web",
            "default",
            ports="8080",
        )
        sock = pf.socket(8080)
        try:
            sock.setblocking(True)
            sock.settimeout(10)
            sock.sendall(b"GET /index.txt HTTP/1.0\r\nHost: web\r\n\r\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        finally:
            sock.close()
            pf.close()
        error = pf.error(8080)
    assert error is None, error
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200"), head
    return body


def _forward_kr8s(kubeconfig: str) -> bytes:
    from kr8s.objects import Pod

    with kr8s_api(kubeconfig, "default") as api:
        web = Pod.get("web", namespace="default", api=api)
        # kr8s finds its "auto" port by binding port 0, closing it, then binding it again: a
        # test running beside this one can take the port in between. Only that is retried.
        for attempt in range(3):
            try:
                with web.portforward(8080, local_port="auto") as port:
                    return _get_index(int(port))
            except OSError as err:
                if err.errno != errno.EADDRINUSE or attempt == 2:
                    raise
        raise AssertionError("unreachable")


FORWARD: dict[str, Callable[[str], bytes]] = {
    "kubernetes": _forward_kubernetes,
    "kr8s": _forward_kr8s,
}


@pytest.mark.parametrize("client", sorted(FORWARD))
def test_port_forward_reaches_the_pod(sb: Sandbox, client: str) -> None:
    assert FORWARD[client](sb.kubeconfig_path) == b"served by web\n"


def test_every_client_is_tried() -> None:
    """lightkube 1.0 has no port-forward; the other two clients have both streams."""
    import lightkube

    assert not hasattr(lightkube.Client, "portforward")
    assert set(EXEC) == {"kubernetes", "lightkube", "kr8s"}
    assert set(FORWARD) == set(EXEC) - {"lightkube"}


# --- proxy subresources, through kubectl ----------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/namespaces/default/pods/web:8080/proxy/index.txt",
        "/api/v1/namespaces/default/services/web:80/proxy/index.txt",
        "/api/v1/namespaces/default/services/web:http/proxy/index.txt",
    ],
)
def test_kubectl_get_raw_through_the_proxy_reaches_the_pod(
    sb: Sandbox, run_kubectl: Any, path: str
) -> None:
    # The service's endpoints follow the pod's readiness: poll until they list it.
    out = wait_for(lambda: (r := run_kubectl(sb, "get", "--raw", path)).returncode == 0 and r)
    assert out, run_kubectl(sb, "get", "--raw", path).stderr
    assert out.stdout == "served by web\n"
