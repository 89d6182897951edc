"""The endpoints and endpointslice controllers, and the `kubernetes` Service's endpoints."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from kctl.sandbox import Sandbox
from tests.sandbox.helpers_http import call, node, wait_for

EPS = "/api/v1/namespaces/default/endpoints"
SLICES = "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices"
PODS = "/api/v1/namespaces/default/pods"


def _service(name: str = "web", **spec: Any) -> dict[str, Any]:
    body = {
        "selector": {"app": name},
        "ports": [
            {"name": "http", "port": 80, "targetPort": "http"},
            {"name": "metrics", "port": 9090, "targetPort": 9100},
        ],
    }
    body.update(spec)
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "labels": {"team": "a"}},
        "spec": body,
    }


def _pod(name: str, app: str = "web", port_name: str = "http") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": {"app": app}},
        "spec": {
            "containers": [
                {
                    "name": "c",
                    "image": "nginx:1.27",
                    "ports": [{"name": port_name, "containerPort": 8080}],
                }
            ]
        },
    }


def _slices(sb: Sandbox, service: str) -> list[dict[str, Any]]:
    reply = call(sb, "GET", f"{SLICES}?labelSelector=kubernetes.io/service-name%3D{service}")
    return list(reply.json()["items"])


def _endpoints(sb: Sandbox, name: str) -> dict[str, Any] | None:
    reply = call(sb, "GET", f"{EPS}/{name}")
    return reply.json() if reply.status == 200 else None


def _addresses(sb: Sandbox, name: str) -> list[str]:
    eps = _endpoints(sb, name) or {}
    return [a["ip"] for s in eps.get("subsets") or [] for a in s.get("addresses") or []]


def _start(sb: Sandbox, pods: int) -> list[dict[str, Any]]:
    assert call(sb, "POST", "/api/v1/nodes", node("n1")).status == 201
    assert call(sb, "POST", "/api/v1/namespaces/default/services", _service()).status == 201
    for i in range(pods):
        assert call(sb, "POST", PODS, _pod(f"web-{i}")).status == 201
    wait_for(lambda: len(_addresses(sb, "web")) == pods)
    return [call(sb, "GET", f"{PODS}/web-{i}").json() for i in range(pods)]


def test_endpoints_list_ready_pods_with_resolved_ports(sandbox: Sandbox) -> None:
    pods = _start(sandbox, 2)
    eps = _endpoints(sandbox, "web")
    assert eps is not None
    assert eps["metadata"]["labels"] == {
        "team": "a",
        "endpoints.kubernetes.io/managed-by": "endpoint-controller",
    }
    service = call(sandbox, "GET", "/api/v1/namespaces/default/services/web").json()
    trigger = eps["metadata"]["annotations"]["endpoints.kubernetes.io/last-change-trigger-time"]
    assert trigger >= service["metadata"]["creationTimestamp"]
    (subset,) = eps["subsets"]
    assert subset["addresses"] == [
        {
            "ip": p["status"]["podIP"],
            "nodeName": "n1",
            "targetRef": {
                "kind": "Pod",
                "namespace": "default",
                "name": p["metadata"]["name"],
                "uid": p["metadata"]["uid"],
            },
        }
        for p in sorted(pods, key=lambda p: p["status"]["podIP"])
    ]
    # The named targetPort resolves to the container port of that name.
    assert subset["ports"] == [
        {"name": "http", "port": 8080, "protocol": "TCP"},
        {"name": "metrics", "port": 9100, "protocol": "TCP"},
    ]


def test_endpoint_slice_mirrors_the_service(sandbox: Sandbox) -> None:
    pods = _start(sandbox, 2)
    (es,) = _slices(sandbox, "web")
    service = call(sandbox, "GET", "/api/v1/namespaces/default/services/web").json()
    assert es["metadata"]["name"].startswith("web-")
    assert es["metadata"]["generateName"] == "web-"
    assert es["metadata"]["labels"] == {
        "team": "a",
        "kubernetes.io/service-name": "web",
        "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
    }
    assert es["metadata"]["ownerReferences"] == [
        {
            "apiVersion": "v1",
            "kind": "Service",
            "name": "web",
            "uid": service["metadata"]["uid"],
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]
    assert es["addressType"] == "IPv4"
    assert [e["addresses"] for e in es["endpoints"]] == [[p["status"]["podIP"]] for p in pods]
    assert all(
        e["conditions"] == {"ready": True, "serving": True, "terminating": False}
        for e in es["endpoints"]
    )
    assert es["ports"] == [
        {"name": "http", "port": 8080, "protocol": "TCP"},
        {"name": "metrics", "port": 9100, "protocol": "TCP"},
    ]


def test_a_pod_that_is_not_ready_moves_to_not_ready_addresses(sandbox: Sandbox) -> None:
    pods = _start(sandbox, 2)
    status = pods[0]["status"]
    status["conditions"] = [
        {**c, "status": "False"} if c["type"] == "Ready" else c for c in status["conditions"]
    ]
    reply = call(
        sandbox,
        "PATCH",
        f"{PODS}/web-0/status",
        {"status": {"conditions": status["conditions"]}},
        content_type="application/strategic-merge-patch+json",
    )
    assert reply.status == 200
    ip0, ip1 = pods[0]["status"]["podIP"], pods[1]["status"]["podIP"]
    assert wait_for(lambda: _addresses(sandbox, "web") == [ip1])
    (subset,) = (_endpoints(sandbox, "web") or {})["subsets"]
    assert [a["ip"] for a in subset["notReadyAddresses"]] == [ip0]
    (es,) = _slices(sandbox, "web")
    conditions = {e["addresses"][0]: e["conditions"] for e in es["endpoints"]}
    assert conditions[ip0] == {"ready": False, "serving": False, "terminating": False}
    assert conditions[ip1]["ready"] is True


def test_deleted_pods_and_services_leave(sandbox: Sandbox) -> None:
    pods = _start(sandbox, 2)
    assert call(sandbox, "DELETE", f"{PODS}/web-0").status == 200
    ip1 = pods[1]["status"]["podIP"]
    assert wait_for(lambda: _addresses(sandbox, "web") == [ip1])
    assert wait_for(lambda: [len(s["endpoints"]) for s in _slices(sandbox, "web")] == [1])
    assert call(sandbox, "DELETE", "/api/v1/namespaces/default/services/web").status == 200
    assert wait_for(lambda: _endpoints(sandbox, "web") is None and not _slices(sandbox, "web"))


def test_a_service_without_pods_gets_empty_endpoints_and_a_placeholder_slice(
    sandbox: Sandbox,
) -> None:
    body = _service("lonely")
    assert call(sandbox, "POST", "/api/v1/namespaces/default/services", body).status == 201
    assert wait_for(
        lambda: _endpoints(sandbox, "lonely") is not None and _slices(sandbox, "lonely")
    )
    assert "subsets" not in (_endpoints(sandbox, "lonely") or {})
    (es,) = _slices(sandbox, "lonely")
    # No list at all, as read back from the real server's protobuf storage (where the
    # sandbox leaves the field out, the real server writes null).
    assert es.get("endpoints") is None
    assert es.get("ports") is None


def test_a_service_without_selector_is_left_alone(sandbox: Sandbox) -> None:
    body = _service("manual")
    del body["spec"]["selector"]
    assert call(sandbox, "POST", "/api/v1/namespaces/default/services", body).status == 201
    assert sandbox.wait_idle(timeout=10)
    assert _endpoints(sandbox, "manual") is None
    assert _slices(sandbox, "manual") == []


def test_a_changed_endpoints_object_is_put_back(sandbox: Sandbox) -> None:
    pods = _start(sandbox, 1)
    reply = call(
        sandbox,
        "PATCH",
        f"{EPS}/web",
        {"subsets": []},
        content_type="application/merge-patch+json",
    )
    assert reply.status == 200
    assert wait_for(lambda: _addresses(sandbox, "web") == [pods[0]["status"]["podIP"]])


def test_the_kubernetes_service_points_at_the_sandbox(sandbox: Sandbox) -> None:
    port = urlsplit(sandbox.url).port
    svc = call(sandbox, "GET", "/api/v1/namespaces/default/services/kubernetes").json()
    assert svc["metadata"]["labels"] == {"component": "apiserver", "provider": "kubernetes"}
    assert svc["spec"]["clusterIP"] == "10.96.0.1"
    assert svc["spec"]["ports"] == [
        {"name": "https", "protocol": "TCP", "port": 443, "targetPort": port}
    ]
    eps = _endpoints(sandbox, "kubernetes")
    assert eps is not None
    assert eps["metadata"]["labels"] == {"endpointslice.kubernetes.io/skip-mirror": "true"}
    assert eps["subsets"] == [
        {
            "addresses": [{"ip": "127.0.0.1"}],
            "ports": [{"name": "https", "port": port, "protocol": "TCP"}],
        }
    ]
    es = call(sandbox, "GET", f"{SLICES}/kubernetes").json()
    assert es["metadata"]["labels"] == {"kubernetes.io/service-name": "kubernetes"}
    assert es["endpoints"] == [{"addresses": ["127.0.0.1"], "conditions": {"ready": True}}]
    assert es["ports"] == [{"name": "https", "port": port, "protocol": "TCP"}]


def test_kubectl_reads_endpoints_and_slices(sandbox: Sandbox, run_kubectl: Any) -> None:
    pods = _start(sandbox, 2)
    ips = sorted(p["status"]["podIP"] for p in pods)
    out = run_kubectl(sandbox, "get", "endpoints", "web", "--no-headers")
    assert out.returncode == 0, out.stderr
    # The printer lists address:port pairs port by port, up to three.
    shown = f"{ips[0]}:8080,{ips[1]}:8080,{ips[0]}:9100 + 1 more..."
    assert out.stdout.startswith(f"web   {shown}"), out.stdout
    out = run_kubectl(
        sandbox, "get", "endpointslices", "-l", "kubernetes.io/service-name=web", "--no-headers"
    )
    assert out.returncode == 0, out.stderr
    fields = out.stdout.split()
    assert fields[1:4] == ["IPv4", "8080,9100", ",".join(p["status"]["podIP"] for p in pods)]


def test_a_terminating_pod_leaves_endpoints_but_stays_in_slices(sandbox: Sandbox) -> None:
    assert call(sandbox, "POST", "/api/v1/nodes", node("n1")).status == 201
    assert call(sandbox, "POST", "/api/v1/namespaces/default/services", _service()).status == 201
    body = _pod("web-0")
    body["metadata"]["finalizers"] = ["example.com/hold"]
    assert call(sandbox, "POST", PODS, body).status == 201
    assert wait_for(lambda: len(_addresses(sandbox, "web")) == 1)
    assert call(sandbox, "DELETE", f"{PODS}/web-0").status == 200
    assert wait_for(lambda: _addresses(sandbox, "web") == [])
    (es,) = _slices(sandbox, "web")
    (endpoint,) = es["endpoints"]
    assert endpoint["conditions"] == {"ready": False, "serving": True, "terminating": True}
    release = {"metadata": {"finalizers": None}}
    reply = call(
        sandbox, "PATCH", f"{PODS}/web-0", release, content_type="application/merge-patch+json"
    )
    assert reply.status == 200
    assert wait_for(lambda: _slices(sandbox, "web")[0].get("endpoints") is None)


def test_a_headless_service_is_labelled_so(sandbox: Sandbox) -> None:
    body = _service("db", clusterIP="None")
    assert call(sandbox, "POST", "/api/v1/namespaces/default/services", body).status == 201
    assert wait_for(lambda: _endpoints(sandbox, "db") is not None and _slices(sandbox, "db"))
    eps = _endpoints(sandbox, "db") or {}
    assert eps["metadata"]["labels"]["service.kubernetes.io/headless"] == ""
    assert _slices(sandbox, "db")[0]["metadata"]["labels"]["service.kubernetes.io/headless"] == ""


def test_kubectl_describe_service_lists_its_endpoints(sandbox: Sandbox, run_kubectl: Any) -> None:
    pods = _start(sandbox, 1)
    out = run_kubectl(sandbox, "describe", "service", "web")
    assert out.returncode == 0, out.stderr
    ip = pods[0]["status"]["podIP"]
    # One Endpoints line per service port, with that port's address:port pairs.
    shown = [
        line.split(":", 1)[1].strip()
        for line in out.stdout.splitlines()
        if line.startswith("Endpoints:")
    ]
    assert shown == [f"{ip}:8080", f"{ip}:9100"]
