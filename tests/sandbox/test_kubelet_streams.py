"""pods/exec when no kubelet answers: where kube-apiserver dials (the node's kubelet port and
its preferred address) and what it says when the node has no address, on both backends."""

from __future__ import annotations

import itertools
import os
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
