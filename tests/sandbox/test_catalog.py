from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from kctl.sandbox._catalog import (
    BUILTIN_RESOURCES,
    Catalog,
    ResourceType,
    Subresource,
    compare_kube_versions,
    storage_version_hash,
)

KUBECTL = Path(sys.executable).parent / "kubectl"


def test_pods_entry() -> None:
    pods = Catalog().get("", "v1", "pods")
    assert pods is not None
    assert pods.short_names == ("po",)
    assert pods.categories == ("all",)
    assert pods.singular == "pod"
    assert pods.namespaced
    assert pods.list_kind == "PodList"
    assert pods.api_version == "v1"
    assert [s.name for s in pods.subresources] == [
        "attach",
        "binding",
        "ephemeralcontainers",
        "eviction",
        "exec",
        "log",
        "portforward",
        "proxy",
        "resize",
        "status",
    ]
    eviction = pods.subresource("eviction")
    assert eviction == Subresource("eviction", "Eviction", ("create",), "policy", "v1")
    assert pods.subresource("nope") is None


@pytest.mark.parametrize(
    ("gvk", "expected"),
    [
        # Values read off a real cluster's /api/v1 and /apis/apps/v1.
        (("", "v1", "Pod"), "xPOwRZ+Yhw8="),
        (("apps", "v1", "Deployment"), "8aSe+NMegvE="),
        (("", "v1", "Service"), "0/CO1lhkEBI="),
        (("", "v1", "ConfigMap"), "qFsyl6wFWjQ="),
        (("", "v1", "Namespace"), "Q3oi5N2YM8M="),
        (("", "v1", "Event"), "r2yiGXH7wu8="),
    ],
)
def test_storage_version_hash(gvk: tuple[str, str, str], expected: str) -> None:
    assert storage_version_hash(*gvk) == expected


def test_storage_hash_follows_storage_version() -> None:
    c = Catalog()
    core_events, new_events = c.get("", "v1", "events"), c.get("events.k8s.io", "v1", "events")
    assert core_events is not None and new_events is not None
    assert new_events.storage_version_hash == core_events.storage_version_hash
    hpa1, hpa2 = (c.get("autoscaling", v, "horizontalpodautoscalers") for v in ("v1", "v2"))
    assert hpa1 is not None and hpa2 is not None
    assert hpa1.storage_version_hash == hpa2.storage_version_hash
    review = c.get("authorization.k8s.io", "v1", "selfsubjectaccessreviews")
    assert review is not None and review.storage_version_hash == ""


def test_all_category_members() -> None:
    members = {rt.plural for rt in BUILTIN_RESOURCES if "all" in rt.categories}
    assert members == {
        "pods",
        "services",
        "daemonsets",
        "deployments",
        "replicasets",
        "statefulsets",
        "jobs",
        "cronjobs",
        "replicationcontrollers",
        "horizontalpodautoscalers",
    }


def test_short_names_and_scope() -> None:
    c = Catalog()
    expect = {
        ("", "services"): (("svc",), True),
        ("", "nodes"): (("no",), False),
        ("", "namespaces"): (("ns",), False),
        ("apps", "deployments"): (("deploy",), True),
        ("apps", "statefulsets"): (("sts",), True),
        ("batch", "cronjobs"): (("cj",), True),
        ("apiextensions.k8s.io", "customresourcedefinitions"): (("crd", "crds"), False),
        ("networking.k8s.io", "ingresses"): (("ing",), True),
        ("policy", "poddisruptionbudgets"): (("pdb",), True),
        ("storage.k8s.io", "storageclasses"): (("sc",), False),
    }
    for (group, plural), (short, namespaced) in expect.items():
        rt = c.get(group, c.preferred_version(group) or "", plural)
        assert rt is not None, plural
        assert (rt.short_names, rt.namespaced) == (short, namespaced)


def test_every_issue_group_is_served() -> None:
    groups = set(Catalog().groups())
    for g in [
        "",
        "apps",
        "batch",
        "autoscaling",
        "networking.k8s.io",
        "rbac.authorization.k8s.io",
        "storage.k8s.io",
        "policy",
        "coordination.k8s.io",
        "discovery.k8s.io",
        "events.k8s.io",
        "scheduling.k8s.io",
        "apiextensions.k8s.io",
        "admissionregistration.k8s.io",
        "certificates.k8s.io",
        "node.k8s.io",
        "authentication.k8s.io",
        "authorization.k8s.io",
    ]:
        assert g in groups


def test_group_order_and_preferred_versions() -> None:
    c = Catalog()
    groups = c.groups()
    assert groups[:5] == [
        "",
        "apiregistration.k8s.io",
        "apps",
        "events.k8s.io",
        "authentication.k8s.io",
    ]
    assert groups.index("admissionregistration.k8s.io") < groups.index("apiextensions.k8s.io")
    assert c.versions("autoscaling") == ["v2", "v1"]
    assert c.preferred_version("autoscaling") == "v2"
    assert c.preferred_version("nope.example.com") is None


def test_kube_version_ordering() -> None:
    ordered = [
        "v2",
        "v1",
        "v11beta2",
        "v10beta3",
        "v3beta1",
        "v12alpha1",
        "v11alpha2",
        "foo1",
        "foo10",
    ]
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            assert compare_kube_versions(a, b) > 0, (a, b)
            assert compare_kube_versions(b, a) < 0
    assert compare_kube_versions("v1", "v1") == 0


def test_api_versions_doc() -> None:
    assert Catalog().api_versions_doc("10.0.0.1:6443") == {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [
            {"clientCIDR": "0.0.0.0/0", "serverAddress": "10.0.0.1:6443"}
        ],
    }


def test_group_docs() -> None:
    c = Catalog()
    doc = c.api_group_list_doc()
    assert doc["kind"] == "APIGroupList" and doc["apiVersion"] == "v1"
    names = [g["name"] for g in doc["groups"]]
    assert "" not in names and names[0] == "apiregistration.k8s.io"
    autoscaling = c.api_group_doc("autoscaling")
    assert autoscaling == {
        "kind": "APIGroup",
        "apiVersion": "v1",
        "name": "autoscaling",
        "versions": [
            {"groupVersion": "autoscaling/v2", "version": "v2"},
            {"groupVersion": "autoscaling/v1", "version": "v1"},
        ],
        "preferredVersion": {"groupVersion": "autoscaling/v2", "version": "v2"},
    }
    assert c.api_group_doc("nope") is None
    assert c.api_group_doc("") is None


def test_resource_list_doc() -> None:
    c = Catalog()
    doc = c.api_resource_list_doc("apps", "v1")
    assert doc is not None
    assert doc["groupVersion"] == "apps/v1" and doc["kind"] == "APIResourceList"
    by_name = {r["name"]: r for r in doc["resources"]}
    names = [r["name"] for r in doc["resources"]]
    assert names == sorted(names)
    assert by_name["deployments"] == {
        "name": "deployments",
        "singularName": "deployment",
        "namespaced": True,
        "kind": "Deployment",
        "verbs": [
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        "shortNames": ["deploy"],
        "categories": ["all"],
        "storageVersionHash": "8aSe+NMegvE=",
    }
    assert by_name["deployments/scale"] == {
        "name": "deployments/scale",
        "singularName": "",
        "namespaced": True,
        "group": "autoscaling",
        "version": "v1",
        "kind": "Scale",
        "verbs": ["get", "patch", "update"],
    }
    core = c.api_resource_list_doc("", "v1")
    assert core is not None and core["groupVersion"] == "v1"
    core_by_name = {r["name"]: r for r in core["resources"]}
    assert core_by_name["pods/log"]["kind"] == "Pod"
    assert core_by_name["pods/log"]["verbs"] == ["get"]
    assert core_by_name["namespaces/finalize"]["verbs"] == ["update"]
    assert core_by_name["serviceaccounts/token"]["group"] == "authentication.k8s.io"
    assert "storageVersionHash" not in core_by_name["bindings"]
    assert c.api_resource_list_doc("apps", "v2") is None


def test_aggregated_doc() -> None:
    c = Catalog()
    legacy = c.aggregated_doc(legacy=True)
    assert legacy["kind"] == "APIGroupDiscoveryList"
    assert legacy["apiVersion"] == "apidiscovery.k8s.io/v2"
    assert len(legacy["items"]) == 1 and legacy["items"][0]["metadata"] == {}
    core = legacy["items"][0]["versions"][0]
    assert core["version"] == "v1" and core["freshness"] == "Current"
    pods = next(r for r in core["resources"] if r["resource"] == "pods")
    assert pods["responseKind"] == {"group": "", "version": "", "kind": "Pod"}
    assert pods["scope"] == "Namespaced" and pods["singularResource"] == "pod"
    evict = next(s for s in pods["subresources"] if s["subresource"] == "eviction")
    assert evict == {
        "subresource": "eviction",
        "responseKind": {"group": "policy", "version": "v1", "kind": "Eviction"},
        "verbs": ["create"],
    }
    apis = c.aggregated_doc(legacy=False)
    names = [i["metadata"]["name"] for i in apis["items"]]
    assert names == c.groups()[1:]
    autoscaling = apis["items"][names.index("autoscaling")]
    assert [v["version"] for v in autoscaling["versions"]] == ["v2", "v1"]
    json.dumps(apis)  # must be serialisable as-is


def _crd_type(version: str = "v1", plural: str = "widgets") -> ResourceType:
    return ResourceType(
        group="example.com",
        version=version,
        plural=plural,
        singular=plural[:-1],
        kind="Widget",
        namespaced=True,
        verbs=("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"),
        short_names=("wd",),
        is_crd=True,
    )


def test_add_remove_crd_bumps_generation() -> None:
    c = Catalog()
    g0 = c.generation
    c.add(_crd_type("v1"))
    c.add(_crd_type("v2beta1"))
    assert c.generation == g0 + 2
    assert c.groups()[-1] == "example.com"
    assert c.versions("example.com") == ["v1", "v2beta1"]
    assert c.by_kind("example.com", "v1", "Widget") == _crd_type("v1")
    assert c.api_group_doc("example.com") is not None
    c.remove("example.com", "v1", "widgets")
    c.remove("example.com", "v1", "widgets")  # absent: no bump
    assert c.generation == g0 + 3
    assert c.preferred_version("example.com") == "v2beta1"
    # Catalogs are independent: built-ins are never shared mutable state.
    assert Catalog().preferred_version("example.com") is None


# --- real kubectl reads our discovery documents -------------------------------------------

_AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"


def _serve(catalog: Catalog, aggregated: bool) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            wants_agg = aggregated and "as=APIGroupDiscoveryList" in self.headers.get("Accept", "")
            body: Any
            ctype = "application/json"
            if path in ("/api", "/apis") and wants_agg:
                body, ctype = catalog.aggregated_doc(legacy=path == "/api"), _AGGREGATED
            elif path == "/api":
                body = catalog.api_versions_doc("127.0.0.1")
            elif path == "/apis":
                body = catalog.api_group_list_doc()
            else:
                parts = path.strip("/").split("/")
                if parts[:1] == ["api"] and len(parts) == 2:
                    body = catalog.api_resource_list_doc("", parts[1])
                elif parts[:1] == ["apis"] and len(parts) == 3:
                    body = catalog.api_resource_list_doc(parts[1], parts[2])
                elif parts[:1] == ["apis"] and len(parts) == 2:
                    body = catalog.api_group_doc(parts[1])
                else:
                    body = None
            data = json.dumps(body).encode()
            self.send_response(404 if body is None else 200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("aggregated", [False, True], ids=["legacy", "aggregated"])
def test_real_kubectl_api_resources(tmp_path: Path, aggregated: bool) -> None:
    if not KUBECTL.exists():
        pytest.skip("reference kubectl not installed")
    for url in _serve(Catalog(), aggregated):
        out = subprocess.run(
            [str(KUBECTL), "--server", url, "api-resources", "-o", "wide"],
            capture_output=True,
            text=True,
            timeout=60,
            env={"KUBECACHEDIR": str(tmp_path / "cache"), "HOME": str(tmp_path)},
        )
        assert out.returncode == 0, out.stderr
        rows = {tuple(line.split()) for line in out.stdout.splitlines()[1:]}
        assert (
            "pods",
            "po",
            "v1",
            "true",
            "Pod",
            "create,delete,deletecollection,get,list,patch,update,watch",
            "all",
        ) in rows
        assert (
            "horizontalpodautoscalers",
            "hpa",
            "autoscaling/v2",
            "true",
            "HorizontalPodAutoscaler",
            "create,delete,deletecollection,get,list,patch,update,watch",
            "all",
        ) in rows
        assert (
            "tokenreviews",
            "authentication.k8s.io/v1",
            "false",
            "TokenReview",
            "create",
        ) in rows
        # Only the preferred version is listed, and no subresources.
        assert not any(r[0].count("/") for r in rows)
        assert sum(1 for r in rows if r[0] == "horizontalpodautoscalers") == 1
        shortcut = subprocess.run(
            [str(KUBECTL), "--server", url, "api-resources", "--categories", "all", "-o", "name"],
            capture_output=True,
            text=True,
            timeout=60,
            env={"KUBECACHEDIR": str(tmp_path / "cache"), "HOME": str(tmp_path)},
        )
        assert shortcut.returncode == 0, shortcut.stderr
        assert len(shortcut.stdout.split()) == 10
