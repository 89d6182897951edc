"""The proxy subresources measured against the real kube-apiserver, where nothing is behind
them: the same refusals, codes and texts, through plain HTTP and through kubectl 1.37."""

from __future__ import annotations

from typing import Any

import pytest

from kctl.envtest import Environment
from kctl.sandbox import Sandbox
from tests.sandbox.test_differential import Req, Server, assert_same, run_case, servers

__all__ = ["servers"]

SVC = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "web"},
    "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "port": 80}]},
}
POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "p"},
    "spec": {"containers": [{"name": "c", "image": "nginx", "ports": [{"containerPort": 80}]}]},
}
NODE = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "{ns}-bare"}}


def _node(name: str, address: dict[str, str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": f"{{ns}}-{name}"},
    }
    if address is not None:
        body["status"] = {"addresses": [address]}
    return body


SVCS = "/api/v1/namespaces/{ns}/services"
PODS = "/api/v1/namespaces/{ns}/pods"

CASES: dict[str, list[Req]] = {
    "a service with nothing behind it": [
        Req("POST", SVCS, SVC, keys=("kind",)),
        Req("GET", SVCS + "/web/proxy"),
        Req("GET", SVCS + "/web:80/proxy/some/path/", params={"q": "1"}),
        Req("GET", SVCS + "/web:http/proxy"),
        Req("GET", SVCS + "/https:web:http/proxy"),
        Req("POST", SVCS + "/web/proxy/x", {"a": 1}),
        Req("DELETE", SVCS + "/web:80/proxy"),
        Req("GET", SVCS + "/web:81/proxy"),
    ],
    "a service that does not exist": [
        Req("GET", SVCS + "/nope/proxy"),
        Req("GET", SVCS + "/nope:80/proxy"),
    ],
    "service ids that do not parse": [
        Req("GET", SVCS + "/ftp:web:80/proxy"),
        Req("GET", SVCS + "/a:b:c:d/proxy"),
        Req("GET", SVCS + "/:80/proxy"),
    ],
    "a pod without an address": [
        Req("POST", PODS, POD, keys=("kind",)),
        Req("GET", PODS + "/p/proxy"),
        Req("PUT", PODS + "/p:8080/proxy/x", {}),
        Req("GET", PODS + "/nope/proxy"),
        Req("GET", PODS + "/ftp:p:80/proxy"),
    ],
    "a node without addresses": [
        Req("POST", "/api/v1/nodes", NODE, keys=("kind",)),
        Req("GET", "/api/v1/nodes/{ns}-bare/proxy/healthz"),
        Req("GET", "/api/v1/nodes/{ns}-missing/proxy/"),
        Req("GET", "/api/v1/nodes/a:b:c:d/proxy/"),
        Req("DELETE", "/api/v1/nodes/{ns}-bare", keys=("kind",)),
    ],
    # isProxyableHostname: loopback, unspecified and link-local addresses, and host names
    # that resolve to them, are not proxied to (the sandbox forwards to loopback pods only).
    "nodes at addresses that are not allowed": [
        *(
            step
            for name, address in (
                ("loop", {"type": "InternalIP", "address": "127.0.0.1"}),
                ("zero", {"type": "InternalIP", "address": "0.0.0.0"}),
                ("link", {"type": "InternalIP", "address": "169.254.3.4"}),
                ("host", {"type": "Hostname", "address": "localhost"}),
            )
            for step in (
                Req("POST", "/api/v1/nodes", _node(name), keys=("kind",)),
                Req(
                    "PUT",
                    f"/api/v1/nodes/{{ns}}-{name}/status",
                    _node(name, address),
                    keys=("kind",),
                ),
                Req("GET", f"/api/v1/nodes/{{ns}}-{name}/proxy/healthz"),
                Req("GET", f"/api/v1/nodes/{{ns}}-{name}:8080/proxy/"),
                Req("POST", f"/api/v1/nodes/https:{{ns}}-{name}:10250/proxy/x", {}),
                Req("DELETE", f"/api/v1/nodes/{{ns}}-{name}", keys=("kind",)),
            )
        )
    ],
}


@pytest.mark.parametrize("name", list(CASES))
def test_same_answers(servers: tuple[Server, Server], name: str) -> None:
    assert_same(run_case(servers, CASES[name]))


def test_kubectl_get_raw_says_the_same(
    sandbox: Sandbox, envtest: Environment, run_kubectl: Any
) -> None:
    outs = []
    for cluster in (sandbox, envtest):
        created = run_kubectl(cluster, "create", "service", "clusterip", "raw", "--tcp=80:8080")
        assert created.returncode == 0, created.stderr
        try:
            out = run_kubectl(
                cluster, "get", "--raw", "/api/v1/namespaces/default/services/raw:80/proxy/"
            )
            pod = run_kubectl(cluster, "get", "--raw", "/api/v1/namespaces/default/pods/x/proxy")
        finally:
            run_kubectl(cluster, "delete", "service", "raw")
        outs.append((out.returncode, out.stdout, out.stderr, pod.returncode, pod.stderr))
    assert outs[0] == outs[1]
    assert outs[0][2] == (
        'Error from server (ServiceUnavailable): no endpoints available for service "raw"\n'
    )


def test_the_kubernetes_service_is_the_real_servers(servers: tuple[Server, Server]) -> None:
    """kube-apiserver keeps the `kubernetes` Service in default itself; the sandbox's is the
    same but for the addresses (its targetPort is each server's own port)."""
    specs = []
    for server in servers:
        code, body, _ = server.send(
            Req("GET", "/api/v1/namespaces/default/services/kubernetes"), ""
        )
        assert code == 200
        ports = body["spec"].pop("ports")
        assert [p.pop("targetPort") for p in ports] == [int(server.url.rsplit(":", 1)[1])]
        body["spec"].pop("clusterIP")
        body["spec"].pop("clusterIPs")
        specs.append((body["metadata"]["labels"], ports, body["spec"], body["status"]))
    assert specs[0] == specs[1]
