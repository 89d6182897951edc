"""The typed ClientSet and the dynamic client against both backends (the ``cluster``
fixture): the sandbox and the real kube-apiserver. Nothing here needs a controller."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from kctl import clientcmd, discovery, dynamic, kubernetes
from kctl.errors import RequestError, StatusError, is_already_exists, is_conflict, is_not_found
from kctl.rest import Config, PatchType, RESTClient
from kctl.schema import GroupVersionResource
from kctl.watch import RetryWatcher

CONFIGMAPS = GroupVersionResource("", "v1", "configmaps")


def deployment(name: str, replicas: int = 1) -> dict[str, Any]:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]},
            },
        },
    }


def test_configs_from_every_loader_reach_the_server(cluster: Any) -> None:
    # The sandbox's kubeconfig holds a token, the real server's a client certificate.
    with open(cluster.kubeconfig_path, "rb") as f:
        kubeconfig = f.read()
    configs = [
        cluster.rest_config(),
        clientcmd.new_client_config_from_bytes(kubeconfig).client_config(),
        clientcmd.build_config_from_flags("", cluster.kubeconfig_path),
    ]
    for cfg in configs:
        cs = kubernetes.new_for_config(cfg)
        names = [n["metadata"]["name"] for n in cs.core_v1().namespaces().list()["items"]]
        assert "kube-system" in names
        assert isinstance(cs.core_v1().rest_client(), RESTClient)
        assert cs.core_v1().rest_client().base_path == "/api/v1"
        assert cs.apps_v1().rest_client().base_path == "/apis/apps/v1"


def test_discovery_from_clientset(cfg: Config) -> None:
    cs = kubernetes.new_for_config(cfg)
    dc = cs.discovery()
    assert dc is cs.discovery()
    groups, resources = dc.server_groups_and_resources()
    assert "apps" in [g.name for g in groups]
    assert resources
    standalone = discovery.new_discovery_client_for_config(cfg)
    assert standalone.server_groups_and_resources()[1]


def test_typed_crud(cfg: Config, ns: str) -> None:
    cms = kubernetes.new_for_config(cfg).core_v1().config_maps(ns)
    created = cms.create(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "v"}}
    )
    assert created["metadata"]["namespace"] == ns
    with pytest.raises(StatusError) as err:
        cms.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}})
    assert is_already_exists(err.value)
    got = cms.get("a")
    got["data"] = {"k": "v2"}
    updated = cms.update(got)
    assert updated["data"] == {"k": "v2"}
    # The stale copy conflicts.
    with pytest.raises(StatusError) as err:
        cms.update(got)
    assert is_conflict(err.value)
    patched = cms.patch("a", PatchType.MERGE, {"data": {"x": "1"}})
    assert patched["data"] == {"k": "v2", "x": "1"}
    patched = cms.patch("a", PatchType.JSON, [{"op": "remove", "path": "/data/k"}])
    assert patched["data"] == {"x": "1"}
    # A sandbox namespace also holds the root-CA publisher's ConfigMap.
    listed = cms.list(field_selector="metadata.name!=kube-root-ca.crt")
    assert [i["metadata"]["name"] for i in listed["items"]] == ["a"]
    cms.delete("a")
    with pytest.raises(StatusError) as err:
        cms.get("a")
    assert is_not_found(err.value)
    with pytest.raises(RequestError, match="resource name may not be empty"):
        cms.get("")


def test_server_side_apply(cfg: Config, ns: str) -> None:
    deploys = kubernetes.new_for_config(cfg).apps_v1().deployments(ns)
    applied = deploys.apply(deployment("web"), field_manager="kctl-test")
    assert applied["spec"]["replicas"] == 1
    again = deploys.apply(deployment("web", replicas=2), field_manager="kctl-test", force=True)
    assert again["spec"]["replicas"] == 2


def test_scale(cfg: Config, ns: str) -> None:
    deploys = kubernetes.new_for_config(cfg).apps_v1().deployments(ns)
    deploys.create(deployment("web"))
    scale = deploys.get_scale("web")
    assert scale["kind"] == "Scale" and scale["spec"]["replicas"] == 1
    scale["spec"]["replicas"] = 3
    # Unconditional: the deployment controller may write status between the two calls.
    del scale["metadata"]["resourceVersion"]
    assert deploys.update_scale("web", scale)["spec"]["replicas"] == 3
    assert deploys.get("web")["spec"]["replicas"] == 3


def test_dynamic_crud_and_pager(cfg: Config, ns: str) -> None:
    cms = dynamic.new_for_config(cfg).resource(CONFIGMAPS).namespace(ns)
    # Labelled apart from the root-CA publisher's ConfigMap, which every namespace holds.
    mine = "test=pager"
    for i in range(7):
        meta = {"name": f"cm-{i}", "labels": {"test": "pager"}}
        cms.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta})
    page = cms.list(limit=3, label_selector=mine)
    assert len(page["items"]) == 3 and page["metadata"]["continue"]
    pages = list(cms.list_pages(page_size=3, label_selector=mine))
    assert [len(p["items"]) for p in pages] == [3, 3, 1]
    whole = cms.list_all(page_size=2, label_selector=mine)
    assert sorted(i["metadata"]["name"] for i in whole["items"]) == [f"cm-{i}" for i in range(7)]
    assert "continue" not in whole["metadata"]
    cms.delete_collection(label_selector=mine)
    assert cms.list(label_selector=mine)["items"] == []


def test_retry_watcher_sees_changes(cfg: Config, ns: str) -> None:
    cms = kubernetes.new_for_config(cfg).core_v1().config_maps(ns)
    rv = cms.list()["metadata"]["resourceVersion"]
    got: list[tuple[str, str]] = []
    with RetryWatcher(cms, rv) as watcher:
        done = threading.Event()

        def consume() -> None:
            for event in watcher:
                # The sandbox may publish the namespace's root-CA ConfigMap after the list.
                if event.object["metadata"]["name"] == "kube-root-ca.crt":
                    continue
                got.append((event.type, event.object["metadata"]["name"]))
                if len(got) == 3:
                    break
            done.set()

        thread = threading.Thread(target=consume, daemon=True)
        thread.start()
        cms.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "w"}})
        cms.patch("w", PatchType.MERGE, {"data": {"a": "b"}})
        cms.delete("w")
        assert done.wait(10)
    assert got == [("ADDED", "w"), ("MODIFIED", "w"), ("DELETED", "w")]
