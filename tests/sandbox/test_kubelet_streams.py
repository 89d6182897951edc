"""pods/exec when no kubelet answers: where kube-apiserver dials (the node's kubelet port and
its preferred address) and what it says when the node has no address, on both backends."""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterator
from typing import Any

import pytest

from kctl.errors import StatusError

_nodes = itertools.count()

NODE_STATUSES = {
    # The kubelet's reported port, at the InternalIP.
    "reported-port": (
        {
            "addresses": [{"type": "InternalIP", "address": "127.0.0.1"}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 1}},
        },
        "error dialing backend: dial tcp 127.0.0.1:1: connect: connection refused",
    ),
    # No port reported: the default, 10250.
    "default-port": (
        {"addresses": [{"type": "InternalIP", "address": "127.0.0.1"}]},
        "error dialing backend: dial tcp 127.0.0.1:10250: connect: connection refused",
    ),
    # An external address when there is no internal one.
    "external-only": (
        {
            "addresses": [{"type": "ExternalIP", "address": "127.0.0.2"}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 1}},
        },
        "error dialing backend: dial tcp 127.0.0.2:1: connect: connection refused",
    ),
    "no-address": ({}, "no preferred addresses found; known addresses: []"),
}


@pytest.mark.parametrize("case", sorted(NODE_STATUSES))
def test_exec_dials_the_nodes_kubelet(cluster: Any, case: str) -> None:
    from kctl import kubernetes

    status, message = NODE_STATUSES[case]
    node = f"n{os.getpid()}-{next(_nodes)}"
    clientset = kubernetes.new_for_config(cluster.rest_config())
    clientset.core_v1().nodes().create(
        {"apiVersion": "v1", "kind": "Node", "metadata": {"name": node}, "status": status}
    )
    try:
        clientset.core_v1().pods(cluster.namespace).create(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "p"},
                "spec": {"nodeName": node, "containers": [{"name": "c", "image": "x"}]},
            }
        )
        request = (
            clientset.core_v1()
            .rest_client()
            .get()
            .namespace(cluster.namespace)
            .resource("pods")
            .name("p")
            .subresource("exec")
            .param("command", "ls")
            .param("stdout", "true")
            # A websocket handshake, of the v4 protocol: errors come back as its answer.
            .set_header("Connection", "Upgrade")
            .set_header("Upgrade", "websocket")
            .set_header("Sec-WebSocket-Version", "13")
            .set_header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
            .set_header("Sec-WebSocket-Protocol", "v4.channel.k8s.io")
        )
        with pytest.raises(StatusError) as info:
            request.do()
        assert (info.value.code, info.value.message) == (500, message)
    finally:
        clientset.core_v1().nodes().delete(node)


@pytest.fixture
def refusing_pod(cluster: Any) -> Iterator[Any]:
    """Pod ``p`` (containers c and d) on a node whose kubelet refuses: 127.0.0.1:1."""
    from kctl import kubernetes

    node = f"n{os.getpid()}-{next(_nodes)}"
    clientset = kubernetes.new_for_config(cluster.rest_config())
    status, _ = NODE_STATUSES["reported-port"]
    clientset.core_v1().nodes().create(
        {"apiVersion": "v1", "kind": "Node", "metadata": {"name": node}, "status": status}
    )
    containers = [{"name": "c", "image": "x"}, {"name": "d", "image": "x"}]
    clientset.core_v1().pods(cluster.namespace).create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p"},
            "spec": {"nodeName": node, "containers": containers},
        }
    )
    yield cluster
    clientset.core_v1().nodes().delete(node)


def test_kubectl_exec_and_attach_report_the_kubelets_refusal(
    refusing_pod: Any, run_kubectl: Any
) -> None:
    """kubectl's v5 websocket is taken by the server, which then sends the failed kubelet
    request on the error channel: kubectl prints it as an InternalError."""
    ns = refusing_pod.namespace
    kubelet = "https://127.0.0.1:1"
    refused = "dial tcp 127.0.0.1:1: connect: connection refused"
    done = run_kubectl(refusing_pod, "exec", "-n", ns, "p", "-c", "d", "--", "ls", "-l")
    assert (done.returncode, done.stderr) == (
        1,
        "error: Internal error occurred: error sending request: Post "
        f'"{kubelet}/exec/{ns}/p/d?command=ls&command=-l&error=1&output=1": {refused}\n',
    )
    done = run_kubectl(refusing_pod, "exec", "-i", "-n", ns, "p", "-c", "c", "--", "sh", input="")
    assert done.stderr.endswith(
        f'Post "{kubelet}/exec/{ns}/p/c?command=sh&error=1&input=1&output=1": {refused}\n'
    )
    done = run_kubectl(refusing_pod, "attach", "-n", ns, "p", "-c", "c")
    assert done.returncode == 1
    assert done.stderr.endswith(
        "error: Internal error occurred: error sending request: Post "
        f'"{kubelet}/attach/{ns}/p/c?error=1&output=1": {refused}\n'
    )


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("stdout=true&stderr=true", 1),
        ("stderr=true", 2),
        ("stdin=true&stdout=true&tty=true", 1),
        ("", 3),
    ],
)
def test_v5_websocket_frames(refusing_pod: Any, query: str, first: int) -> None:
    """The server's messages: an empty one on its lowest output channel, the Status on the
    error channel (3), a normal close."""
    import ssl
    import tempfile

    import websocket

    config = refusing_pod.rest_config()
    url = config.host.replace("http", "ws", 1)
    url += f"/api/v1/namespaces/{refusing_pod.namespace}/pods/p/exec?command=ls&container=c"
    url += f"&{query}" if query else ""
    headers = [f"Authorization: Bearer {config.bearer_token}"] if config.bearer_token else []
    with tempfile.TemporaryDirectory() as tmp:
        sslopt: dict[str, Any] = {"cert_reqs": ssl.CERT_NONE}
        if config.tls.cert_data:
            cert, key = os.path.join(tmp, "c"), os.path.join(tmp, "k")
            with open(cert, "wb") as out:
                out.write(config.tls.cert_data)
            with open(key, "wb") as out:
                out.write(config.tls.key_data)
            sslopt.update(certfile=cert, keyfile=key)
        ws = websocket.create_connection(
            url,
            header=headers,
            subprotocols=["v4.channel.k8s.io", "v5.channel.k8s.io"],
            sslopt=sslopt,
            timeout=30,
        )
        messages = []
        while True:
            opcode, data = ws.recv_data()
            messages.append((opcode, data))
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                break
        ws.close()
    assert ws.getsubprotocol() == "v5.channel.k8s.io"
    binary, close = websocket.ABNF.OPCODE_BINARY, websocket.ABNF.OPCODE_CLOSE
    assert messages[0] == (binary, bytes([first]))
    assert messages[1][0] == binary and messages[1][1][:1] == b"\x03"
    status = json.loads(messages[1][1][1:])
    assert list(status) == ["metadata", "status", "message", "reason", "details", "code"]
    assert (status["reason"], status["code"]) == ("InternalError", 500)
    assert messages[2:] == [(close, b"\x03\xe8")]
