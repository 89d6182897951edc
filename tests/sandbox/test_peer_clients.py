"""Three Python clients written by others against real clusters, the official ``kubernetes``
client, ``lightkube`` and ``kr8s``, through their everyday paths, against the sandbox and the
real kube-apiserver alike (the ``cluster`` fixture): what passes on the real server must pass
on the sandbox.

Each path is one test, parametrised over the clients that have it: read-modify-replace (with
the conflict a stale resourceVersion gets), the three patch types, server-side apply, watch,
paging, CRDs and their custom objects, leader election through a Lease, who-am-I, and pod
logs (the sandbox only: the real control plane here has no kubelet to ask).
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers_peers import kr8s_api, kubernetes_api, lightkube_client, wait_until

from kctl.sandbox import Sandbox

# kr8s warns of servers newer than those it was released with; the sandbox says 1.37.
pytestmark = pytest.mark.filterwarnings("ignore:Kubernetes version .* is not supported")

CONFLICT = (
    'Operation cannot be fulfilled on configmaps "cfg": the object has been modified; '
    "please apply your changes to the latest version and try again"
)

Path_ = Callable[[str, str], None]


def _deployment(name: str, containers: list[dict[str, Any]]) -> dict[str, Any]:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": 0,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": containers}},
        },
    }


def _container_images(deployment: dict[str, Any]) -> dict[str, str]:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    return {c["name"]: c["image"] for c in containers}


def _retry_on_conflict(update: Callable[[], Any], conflict: Callable[[Exception], bool]) -> Any:
    """client-go's RetryOnConflict, as users of these clients write it: a Deployment's status
    is written by its controller (the sandbox runs one), which moves the resourceVersion
    between a read and the replace that follows."""
    for _ in range(10):
        try:
            return update()
        except Exception as err:
            if not conflict(err):
                raise
    return update()


# --- read-modify-replace -------------------------------------------------------------------


def _replace_kubernetes(kubeconfig: str, ns: str) -> None:
    from kubernetes import client
    from kubernetes.client.rest import ApiException

    with kubernetes_api(kubeconfig) as api:
        v1 = client.CoreV1Api(api)
        v1.create_namespaced_config_map(ns, {"metadata": {"name": "cfg"}, "data": {"a": "1"}})
        cm = v1.read_namespaced_config_map("cfg", ns)
        before = cm.metadata.resource_version
        # The model keeps managedFields, with their times as datetimes: the client sends them
        # back in its own RFC 3339 spelling.
        assert cm.metadata.managed_fields
        cm.data["b"] = "2"
        done = v1.replace_namespaced_config_map("cfg", ns, cm)
        assert done.data == {"a": "1", "b": "2"}
        assert done.metadata.resource_version != before
        cm.data["c"] = "3"
        with pytest.raises(ApiException) as info:
            v1.replace_namespaced_config_map("cfg", ns, cm)
        assert info.value.status == 409
        status = json.loads(info.value.body)
        assert (status["reason"], status["message"]) == ("Conflict", CONFLICT)
        # Deployments too (a nested model, with defaulted fields sent back in full).
        apps = client.AppsV1Api(api)
        apps.create_namespaced_deployment(ns, _deployment("web", [{"name": "a", "image": "x"}]))

        def update() -> Any:
            dep = apps.read_namespaced_deployment("web", ns)
            dep.spec.template.spec.containers[0].image = "y"
            dep.metadata.labels = {"tier": "front"}
            return apps.replace_namespaced_deployment("web", ns, dep)

        done = _retry_on_conflict(update, lambda e: isinstance(e, ApiException) and e.status == 409)
        assert done.spec.template.spec.containers[0].image == "y"
        assert done.metadata.labels == {"tier": "front"}
        assert done.metadata.generation == 2


def _replace_lightkube(kubeconfig: str, ns: str) -> None:
    from lightkube import ApiError
    from lightkube.models.meta_v1 import ObjectMeta
    from lightkube.resources.apps_v1 import Deployment
    from lightkube.resources.core_v1 import ConfigMap

    with lightkube_client(kubeconfig, ns) as c:
        c.create(ConfigMap(metadata=ObjectMeta(name="cfg"), data={"a": "1"}))
        cm = c.get(ConfigMap, "cfg")
        before = cm.metadata.resourceVersion
        cm.data["b"] = "2"
        done = c.replace(cm)
        assert done.data == {"a": "1", "b": "2"}
        assert done.metadata.resourceVersion != before
        cm.data["c"] = "3"
        with pytest.raises(ApiError) as info:
            c.replace(cm)
        assert (info.value.status.code, info.value.status.reason) == (409, "Conflict")
        assert info.value.status.message == CONFLICT
        c.create(Deployment.from_dict(_deployment("web", [{"name": "a", "image": "x"}])))

        def update() -> Any:
            dep = c.get(Deployment, "web")
            dep.spec.template.spec.containers[0].image = "y"
            return c.replace(dep)

        done = _retry_on_conflict(
            update, lambda e: isinstance(e, ApiError) and e.status.code == 409
        )
        assert done.spec.template.spec.containers[0].image == "y"
        assert done.metadata.generation == 2


REPLACE: dict[str, Path_] = {"kubernetes": _replace_kubernetes, "lightkube": _replace_lightkube}


@pytest.mark.parametrize("client", sorted(REPLACE))
def test_read_modify_replace(cluster: Any, client: str) -> None:
    REPLACE[client](cluster.kubeconfig_path, cluster.namespace)


# --- patches -------------------------------------------------------------------------------

MERGE_PATCH = {"data": {"a": None, "b": "2"}}
JSON_PATCH = [
    {"op": "test", "path": "/data/a", "value": "1"},
    {"op": "replace", "path": "/data/a", "value": "9"},
    {"op": "add", "path": "/data/c", "value": "3"},
]
# Strategic merge keys containers by name: "b" joins "a". A JSON merge patch replaces the list.
CONTAINERS_PATCH = {"spec": {"template": {"spec": {"containers": [{"name": "b", "image": "y"}]}}}}


def _patch_kubernetes(kind: str) -> Path_:
    def run(kubeconfig: str, ns: str) -> None:
        from kubernetes import client

        with kubernetes_api(kubeconfig) as api:
            v1 = client.CoreV1Api(api)
            apps = client.AppsV1Api(api)
            v1.create_namespaced_config_map(ns, {"metadata": {"name": "cfg"}, "data": {"a": "1"}})
            apps.create_namespaced_deployment(ns, _deployment("web", [{"name": "a", "image": "x"}]))
            if kind == "json":
                # A list body goes as application/json-patch+json.
                done = v1.patch_namespaced_config_map("cfg", ns, JSON_PATCH)
                assert done.data == {"a": "9", "c": "3"}
            elif kind == "merge":
                done = v1.patch_namespaced_config_map(
                    "cfg", ns, MERGE_PATCH, _content_type="application/merge-patch+json"
                )
                assert done.data == {"b": "2"}
                dep = apps.patch_namespaced_deployment(
                    "web", ns, CONTAINERS_PATCH, _content_type="application/merge-patch+json"
                )
                assert _container_images(api.sanitize_for_serialization(dep)) == {"b": "y"}
            else:
                # A dict body goes as a strategic merge patch, the client's default.
                dep = apps.patch_namespaced_deployment("web", ns, CONTAINERS_PATCH)
                assert _container_images(api.sanitize_for_serialization(dep)) == {
                    "a": "x",
                    "b": "y",
                }

    return run


def _patch_lightkube(kind: str) -> Path_:
    def run(kubeconfig: str, ns: str) -> None:
        from lightkube.models.meta_v1 import ObjectMeta
        from lightkube.resources.apps_v1 import Deployment
        from lightkube.resources.core_v1 import ConfigMap
        from lightkube.types import PatchType

        with lightkube_client(kubeconfig, ns) as c:
            c.create(ConfigMap(metadata=ObjectMeta(name="cfg"), data={"a": "1"}))
            c.create(Deployment.from_dict(_deployment("web", [{"name": "a", "image": "x"}])))
            if kind == "json":
                done = c.patch(ConfigMap, "cfg", JSON_PATCH, patch_type=PatchType.JSON)
                assert done.data == {"a": "9", "c": "3"}
            elif kind == "merge":
                done = c.patch(ConfigMap, "cfg", MERGE_PATCH, patch_type=PatchType.MERGE)
                assert done.data == {"b": "2"}
                dep = c.patch(Deployment, "web", CONTAINERS_PATCH, patch_type=PatchType.MERGE)
                assert _container_images(dep.to_dict()) == {"b": "y"}
            else:
                dep = c.patch(Deployment, "web", CONTAINERS_PATCH)  # STRATEGIC by default
                assert _container_images(dep.to_dict()) == {"a": "x", "b": "y"}

    return run


def _patch_kr8s(kind: str) -> Path_:
    def run(kubeconfig: str, ns: str) -> None:
        from kr8s.objects import ConfigMap, Deployment

        with kr8s_api(kubeconfig, ns) as api:
            cm = ConfigMap(
                {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}},
                api=api,
            )
            cm.raw["data"] = {"a": "1"}
            cm.create()
            dep = Deployment(_deployment("web", [{"name": "a", "image": "x"}]), api=api)
            dep.create()
            if kind == "json":
                cm.patch(JSON_PATCH, type="json")
                assert cm.raw["data"] == {"a": "9", "c": "3"}
            else:
                cm.patch(MERGE_PATCH)  # kr8s patches are JSON merge patches by default
                assert cm.raw["data"] == {"b": "2"}
                dep.patch(CONTAINERS_PATCH)
                assert _container_images(dep.raw) == {"b": "y"}
            cm.refresh()
            assert cm.raw["data"] == ({"a": "9", "c": "3"} if kind == "json" else {"b": "2"})

    return run


PATCHES: dict[tuple[str, str], Path_] = {
    **{(k, "kubernetes"): _patch_kubernetes(k) for k in ("json", "merge", "strategic")},
    **{(k, "lightkube"): _patch_lightkube(k) for k in ("json", "merge", "strategic")},
    # kr8s sends only JSON merge and JSON patches.
    **{(k, "kr8s"): _patch_kr8s(k) for k in ("json", "merge")},
}


@pytest.mark.parametrize(("kind", "client"), sorted(PATCHES))
def test_patch(cluster: Any, kind: str, client: str) -> None:
    PATCHES[kind, client](cluster.kubeconfig_path, cluster.namespace)


# --- server-side apply ---------------------------------------------------------------------


def _managers(managed_fields: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return sorted((m["manager"], m["operation"]) for m in managed_fields)


def _apply_kubernetes(kubeconfig: str, ns: str) -> None:
    from kubernetes import client
    from kubernetes.client.rest import ApiException

    apply = "application/apply-patch+yaml"
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}}
    with kubernetes_api(kubeconfig) as api:
        v1 = client.CoreV1Api(api)
        done = v1.patch_namespaced_config_map(
            "cfg", ns, {**body, "data": {"a": "1"}}, field_manager="one", _content_type=apply
        )
        assert done.data == {"a": "1"}
        with pytest.raises(ApiException) as info:
            v1.patch_namespaced_config_map(
                "cfg", ns, {**body, "data": {"a": "2"}}, field_manager="two", _content_type=apply
            )
        status = json.loads(info.value.body)
        assert (info.value.status, status["reason"]) == (409, "Conflict")
        assert status["message"] == 'Apply failed with 1 conflict: conflict with "one": .data.a'
        done = v1.patch_namespaced_config_map(
            "cfg",
            ns,
            {**body, "data": {"a": "2"}},
            field_manager="two",
            force=True,
            _content_type=apply,
        )
        assert done.data == {"a": "2"}
        raw = api.sanitize_for_serialization(done)
        assert _managers(raw["metadata"]["managedFields"]) == [("two", "Apply")]


def _apply_lightkube(kubeconfig: str, ns: str) -> None:
    from lightkube import ApiError
    from lightkube.models.meta_v1 import ObjectMeta
    from lightkube.resources.core_v1 import ConfigMap

    with lightkube_client(kubeconfig, ns) as c:
        done = c.apply(ConfigMap(metadata=ObjectMeta(name="cfg"), data={"a": "1"}))
        assert done.data == {"a": "1"}
        with pytest.raises(ApiError) as info:
            c.apply(
                ConfigMap(metadata=ObjectMeta(name="cfg"), data={"a": "2"}), field_manager="two"
            )
        assert (info.value.status.code, info.value.status.reason) == (409, "Conflict")
        assert info.value.status.message == (
            'Apply failed with 1 conflict: conflict with "lightkube": .data.a'
        )
        done = c.apply(
            ConfigMap(metadata=ObjectMeta(name="cfg"), data={"a": "2"}),
            field_manager="two",
            force=True,
        )
        assert done.data == {"a": "2"}
        assert _managers(done.to_dict()["metadata"]["managedFields"]) == [("two", "Apply")]


APPLY: dict[str, Path_] = {"kubernetes": _apply_kubernetes, "lightkube": _apply_lightkube}


@pytest.mark.parametrize("client", sorted(APPLY))
def test_server_side_apply(cluster: Any, client: str) -> None:
    APPLY[client](cluster.kubeconfig_path, cluster.namespace)


# --- watch ---------------------------------------------------------------------------------

WANTED = [("ADDED", "w", "1"), ("MODIFIED", "w", "2"), ("DELETED", "w", "2")]


def _changes_kubernetes(api: Any, ns: str) -> None:
    from kubernetes import client

    v1 = client.CoreV1Api(api)
    v1.create_namespaced_config_map(ns, {"metadata": {"name": "w"}, "data": {"v": "1"}})
    v1.patch_namespaced_config_map("w", ns, {"data": {"v": "2"}})
    v1.delete_namespaced_config_map("w", ns)


def _watch_kubernetes(kubeconfig: str, ns: str) -> None:
    from kubernetes import client, watch

    with kubernetes_api(kubeconfig) as api:
        v1 = client.CoreV1Api(api)
        rv = v1.list_namespaced_config_map(ns).metadata.resource_version
        _changes_kubernetes(api, ns)
        seen = []
        w = watch.Watch()
        for event in w.stream(
            v1.list_namespaced_config_map, ns, resource_version=rv, timeout_seconds=30
        ):
            obj = event["object"]
            if obj.metadata.name != "w":
                continue
            seen.append((event["type"], obj.metadata.name, obj.data["v"]))
            if len(seen) == len(WANTED):
                w.stop()
        assert seen == WANTED


def _watch_lightkube(kubeconfig: str, ns: str) -> None:
    from lightkube.resources.core_v1 import ConfigMap

    with lightkube_client(kubeconfig, ns) as c, kubernetes_api(kubeconfig) as api:
        listed = c.list(ConfigMap)
        list(listed)  # lightkube knows the list's resourceVersion once it has read it
        rv = listed.resourceVersion
        _changes_kubernetes(api, ns)
        seen = []
        for kind, obj in c.watch(ConfigMap, resource_version=rv, server_timeout=30):
            if obj.metadata.name != "w":
                continue
            seen.append((kind, obj.metadata.name, obj.data["v"]))
            if len(seen) == len(WANTED):
                break
        assert seen == WANTED


def _watch_kr8s(kubeconfig: str, ns: str) -> None:
    with kr8s_api(kubeconfig, ns) as k, kubernetes_api(kubeconfig) as api:
        from kubernetes import client

        rv = client.CoreV1Api(api).list_namespaced_config_map(ns).metadata.resource_version
        _changes_kubernetes(api, ns)
        seen = []
        for kind, obj in k.watch("configmaps", namespace=ns, since=rv):
            if obj.name != "w":
                continue
            seen.append((kind, obj.name, obj.raw["data"]["v"]))
            if len(seen) == len(WANTED):
                break
        assert seen == WANTED


WATCH: dict[str, Path_] = {
    "kubernetes": _watch_kubernetes,
    "lightkube": _watch_lightkube,
    "kr8s": _watch_kr8s,
}


@pytest.mark.parametrize("client", sorted(WATCH))
def test_watch(cluster: Any, client: str) -> None:
    WATCH[client](cluster.kubeconfig_path, cluster.namespace)


def _expired_kubernetes(kubeconfig: str, ns: str, old_rv: str) -> str:
    from kubernetes import client, watch
    from kubernetes.client.rest import ApiException

    with kubernetes_api(kubeconfig) as api:
        v1 = client.CoreV1Api(api)
        stream = watch.Watch().stream(
            v1.list_namespaced_pod_template, ns, resource_version=old_rv, timeout_seconds=30
        )
        with pytest.raises(ApiException) as info:
            next(iter(stream))
        assert info.value.status == 410
        return str(info.value.reason)


def _expired_lightkube(kubeconfig: str, ns: str, old_rv: str) -> str:
    from lightkube import ApiError
    from lightkube.resources.core_v1 import PodTemplate

    with lightkube_client(kubeconfig, ns) as c, pytest.raises(ApiError) as info:
        next(iter(c.watch(PodTemplate, resource_version=old_rv, server_timeout=30)))
    assert (info.value.status.code, info.value.status.reason) == (410, "Expired")
    return str(info.value.status.message)


EXPIRED: dict[str, Callable[[str, str, str], str]] = {
    "kubernetes": _expired_kubernetes,
    "lightkube": _expired_lightkube,
}


@pytest.mark.parametrize("client", sorted(EXPIRED))
def test_watch_from_an_expired_version(cluster: Any, compact: Any, client: str) -> None:
    """After compaction a watch from an old resourceVersion gets 410 Expired, which these
    clients raise (their callers relist). PodTemplates: the shared real server serves them
    without a watch cache, so compaction expires their versions at once there too."""
    from kctl import kubernetes

    templates = (
        kubernetes.new_for_config(cluster.rest_config()).core_v1().pod_templates(cluster.namespace)
    )

    def create(name: str) -> dict[str, Any]:
        spec = {"containers": [{"name": "c", "image": "busybox"}]}
        body = {"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": name},
                "template": {"spec": spec}}  # fmt: skip
        return dict(templates.create(body))

    old_rv = create("first")["metadata"]["resourceVersion"]
    create("later1")
    create("later2")
    compact(cluster)
    message = EXPIRED[client](cluster.kubeconfig_path, cluster.namespace, old_rv)
    if cluster.real:
        # etcd's words: the shared real server has no watch cache for PodTemplates.
        assert message.endswith("The resourceVersion for the provided watch is too old.")
    else:
        # The watch cache's words, which the sandbox's window follows.
        assert "too old resource version: " + old_rv in message


# --- paging --------------------------------------------------------------------------------


def _make_config_maps(api: Any, ns: str, count: int) -> list[str]:
    from kubernetes import client

    v1 = client.CoreV1Api(api)
    names = [f"cm-{i:03d}" for i in range(count)]
    for name in names:
        v1.create_namespaced_config_map(ns, {"metadata": {"name": name}})
    return names


def _paging_kubernetes(kubeconfig: str, ns: str) -> None:
    from kubernetes import client

    with kubernetes_api(kubeconfig) as api:
        names = _make_config_maps(api, ns, 5)
        v1 = client.CoreV1Api(api)
        pages, token = [], None
        while True:
            page = v1.list_namespaced_config_map(ns, limit=2, _continue=token)
            pages.append([i.metadata.name for i in page.items if i.metadata.name in names])
            token = page.metadata._continue
            if not token:
                assert page.metadata.remaining_item_count is None
                break
            assert page.metadata.remaining_item_count is not None
        # kube-root-ca.crt sorts before "cm-": the first page has one of ours.
        assert [n for p in pages for n in p] == names
        assert len(pages) == 3


def _paging_lightkube(kubeconfig: str, ns: str) -> None:
    from lightkube.resources.core_v1 import ConfigMap

    with lightkube_client(kubeconfig, ns) as c, kubernetes_api(kubeconfig) as api:
        names = _make_config_maps(api, ns, 5)
        got = [cm.metadata.name for cm in c.list(ConfigMap, chunk_size=2)]
        assert [n for n in got if n in names] == names
        assert len(got) == len(set(got))


def _paging_kr8s(kubeconfig: str, ns: str) -> None:
    # kr8s lists in pages of 100: a page and a bit.
    with kr8s_api(kubeconfig, ns) as k, kubernetes_api(kubeconfig) as api:
        names = _make_config_maps(api, ns, 101)
        got = [cm.name for cm in k.get("configmaps", namespace=ns)]
        assert [n for n in got if n in names] == names
        assert len(got) == len(set(got))


PAGING: dict[str, Path_] = {
    "kubernetes": _paging_kubernetes,
    "lightkube": _paging_lightkube,
    "kr8s": _paging_kr8s,
}


@pytest.mark.parametrize("client", sorted(PAGING))
def test_paging(cluster: Any, client: str) -> None:
    PAGING[client](cluster.kubeconfig_path, cluster.namespace)


# --- scale, dry-run, delete-collection, eviction ------------------------------------------


def _scale_kubernetes(kubeconfig: str, ns: str) -> None:
    from kubernetes import client

    with kubernetes_api(kubeconfig) as api:
        apps = client.AppsV1Api(api)
        apps.create_namespaced_deployment(ns, _deployment("web", [{"name": "a", "image": "x"}]))
        scale = apps.read_namespaced_deployment_scale("web", ns)
        # Scale's replicas is omitempty: 0 is not on the wire.
        assert (scale.spec.replicas, scale.status.selector) == (None, "app=web")
        scale = apps.patch_namespaced_deployment_scale("web", ns, {"spec": {"replicas": 2}})
        assert scale.spec.replicas == 2
        scale.spec.replicas = 3
        # Unconditional: the sandbox's Deployment controller (as a real cluster's) may have
        # written the status since, which moves the resourceVersion the Scale shares.
        scale.metadata.resource_version = None
        assert apps.replace_namespaced_deployment_scale("web", ns, scale).spec.replicas == 3
        assert apps.read_namespaced_deployment("web", ns).spec.replicas == 3


def _scale_lightkube(kubeconfig: str, ns: str) -> None:
    from lightkube.models.autoscaling_v1 import ScaleSpec
    from lightkube.models.meta_v1 import ObjectMeta
    from lightkube.resources.apps_v1 import Deployment
    from lightkube.types import PatchType

    with lightkube_client(kubeconfig, ns) as c:
        c.create(Deployment.from_dict(_deployment("web", [{"name": "a", "image": "x"}])))
        scale = c.get(Deployment.Scale, "web")
        # Scale's replicas is omitempty: 0 is not on the wire.
        assert (scale.spec.replicas, scale.status.selector) == (None, "app=web")
        scale = c.patch(
            Deployment.Scale, "web", {"spec": {"replicas": 2}}, patch_type=PatchType.MERGE
        )
        assert scale.spec.replicas == 2
        replaced = c.replace(
            Deployment.Scale(metadata=ObjectMeta(name="web"), spec=ScaleSpec(replicas=3))
        )
        assert replaced.spec.replicas == 3
        assert c.get(Deployment, "web").spec.replicas == 3


def _scale_kr8s(kubeconfig: str, ns: str) -> None:
    from kr8s.objects import Deployment

    with kr8s_api(kubeconfig, ns) as api:
        dep = Deployment(_deployment("web", [{"name": "a", "image": "x"}]), api=api)
        dep.create()
        dep.scale(3)
        assert Deployment.get("web", namespace=ns, api=api).replicas == 3


SCALE: dict[str, Path_] = {
    "kubernetes": _scale_kubernetes,
    "lightkube": _scale_lightkube,
    "kr8s": _scale_kr8s,
}


@pytest.mark.parametrize("client", sorted(SCALE))
def test_scale(cluster: Any, client: str) -> None:
    SCALE[client](cluster.kubeconfig_path, cluster.namespace)


def _dry_run_kubernetes(kubeconfig: str, ns: str) -> None:
    from kubernetes import client
    from kubernetes.client.rest import ApiException

    with kubernetes_api(kubeconfig) as api:
        v1 = client.CoreV1Api(api)
        made = v1.create_namespaced_config_map(
            ns, {"metadata": {"name": "dry"}, "data": {"a": "1"}}, dry_run="All"
        )
        assert made.metadata.uid and made.metadata.resource_version is None
        with pytest.raises(ApiException) as info:
            v1.read_namespaced_config_map("dry", ns)
        assert info.value.status == 404
        v1.create_namespaced_config_map(ns, {"metadata": {"name": "kept"}, "data": {"a": "1"}})
        v1.delete_namespaced_config_map("kept", ns, dry_run="All")
        assert v1.read_namespaced_config_map("kept", ns).data == {"a": "1"}


def _dry_run_lightkube(kubeconfig: str, ns: str) -> None:
    from lightkube import ApiError
    from lightkube.models.meta_v1 import ObjectMeta
    from lightkube.resources.core_v1 import ConfigMap

    with lightkube_client(kubeconfig, ns) as c:
        made = c.create(ConfigMap(metadata=ObjectMeta(name="dry"), data={"a": "1"}), dry_run=True)
        assert made.metadata.uid and made.metadata.resourceVersion is None
        with pytest.raises(ApiError) as info:
            c.get(ConfigMap, "dry")
        assert info.value.status.code == 404


DRY_RUN: dict[str, Path_] = {"kubernetes": _dry_run_kubernetes, "lightkube": _dry_run_lightkube}


@pytest.mark.parametrize("client", sorted(DRY_RUN))
def test_dry_run(cluster: Any, client: str) -> None:
    DRY_RUN[client](cluster.kubeconfig_path, cluster.namespace)


def _ours(names: list[str]) -> list[str]:
    # The sandbox's root-CA publisher adds kube-root-ca.crt; the bare real server has none.
    return sorted(n for n in names if n != "kube-root-ca.crt")


def _delete_collection_kubernetes(kubeconfig: str, ns: str) -> None:
    from kubernetes import client

    with kubernetes_api(kubeconfig) as api:
        v1 = client.CoreV1Api(api)
        for name, tier in (("a", "x"), ("b", "x"), ("c", "y")):
            v1.create_namespaced_config_map(ns, {"metadata": {"name": name, "labels": {"t": tier}}})
        v1.delete_collection_namespaced_config_map(ns, label_selector="t=x")
        assert _ours([i.metadata.name for i in v1.list_namespaced_config_map(ns).items]) == ["c"]


def _delete_collection_lightkube(kubeconfig: str, ns: str) -> None:
    from lightkube.models.meta_v1 import ObjectMeta
    from lightkube.resources.core_v1 import ConfigMap

    with lightkube_client(kubeconfig, ns) as c:
        for name in ("a", "b"):
            c.create(ConfigMap(metadata=ObjectMeta(name=name)))
        c.deletecollection(ConfigMap)
        assert _ours([i.metadata.name for i in c.list(ConfigMap)]) == []


DELETE_COLLECTION: dict[str, Path_] = {
    "kubernetes": _delete_collection_kubernetes,
    "lightkube": _delete_collection_lightkube,
}


@pytest.mark.parametrize("client", sorted(DELETE_COLLECTION))
def test_delete_collection(cluster: Any, client: str) -> None:
    DELETE_COLLECTION[client](cluster.kubeconfig_path, cluster.namespace)


POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "p"},
    "spec": {"containers": [{"name": "c", "image": "app:1"}]},
}


def _evict_kubernetes(kubeconfig: str, ns: str) -> None:
    from kubernetes import client
    from kubernetes.client.rest import ApiException

    with kubernetes_api(kubeconfig) as api:
        v1 = client.CoreV1Api(api)
        v1.create_namespaced_pod(ns, POD)
        v1.create_namespaced_pod_eviction("p", ns, {"metadata": {"name": "p"}})
        with pytest.raises(ApiException) as info:
            v1.read_namespaced_pod("p", ns)
        assert info.value.status == 404


def _evict_lightkube(kubeconfig: str, ns: str) -> None:
    from lightkube import ApiError
    from lightkube.models.meta_v1 import ObjectMeta
    from lightkube.resources.core_v1 import Pod

    with lightkube_client(kubeconfig, ns) as c:
        c.create(Pod.from_dict(POD))
        c.create(Pod.Eviction(metadata=ObjectMeta(name="p", namespace=ns)), name="p")
        with pytest.raises(ApiError) as info:
            c.get(Pod, "p")
        assert info.value.status.code == 404


EVICT: dict[str, Path_] = {"kubernetes": _evict_kubernetes, "lightkube": _evict_lightkube}


@pytest.mark.parametrize("client", sorted(EVICT))
def test_eviction(cluster: Any, client: str) -> None:
    """A pod that never ran (no node on either backend) goes at once."""
    EVICT[client](cluster.kubeconfig_path, cluster.namespace)


# --- discovery -----------------------------------------------------------------------------


def _discovery_kubernetes(kubeconfig: str) -> dict[str, Any]:
    from kubernetes import client, dynamic

    with kubernetes_api(kubeconfig) as api:
        resources = dynamic.DynamicClient(api).resources
        deployments = resources.get(api_version="apps/v1", kind="Deployment")
        leases = resources.get(api_version="coordination.k8s.io/v1", kind="Lease")
        return {
            "version": client.VersionApi(api).get_code().git_version,
            "deployments": (deployments.name, deployments.namespaced),
            "subresources": sorted(deployments.subresources),
            "leases": (leases.name, leases.short_names),
        }


def _discovery_kr8s(kubeconfig: str) -> dict[str, Any]:
    with kr8s_api(kubeconfig, "default") as api:
        found = {(r["version"], r["name"]): r for r in api.api_resources() if "version" in r} or {
            (r["groupVersion"], r["name"]): r for r in api.api_resources()
        }
        by_name = {name: r for (_, name), r in found.items()}
        return {
            "version": api.version()["gitVersion"],
            "deployments": (by_name["deployments"]["name"], by_name["deployments"]["namespaced"]),
            "leases": (by_name["leases"]["name"], by_name["leases"].get("shortNames")),
            "groups": "apps/v1" in api.api_versions(),
        }


DISCOVERY: dict[str, Callable[[str], dict[str, Any]]] = {
    "kubernetes": _discovery_kubernetes,
    "kr8s": _discovery_kr8s,
}


@pytest.mark.parametrize("client", sorted(DISCOVERY))
def test_discovery(cluster: Any, client: str) -> None:
    found = DISCOVERY[client](cluster.kubeconfig_path)
    assert found.pop("version") == "v1.37.2"
    assert found.pop("deployments") == ("deployments", True)
    assert found.pop("subresources", ["scale", "status"]) == ["scale", "status"]
    assert found.pop("leases")[0] == "leases"
    assert found.pop("groups", True) is True
    assert found == {}


# --- CRDs ----------------------------------------------------------------------------------

_groups = itertools.count()


def _crd(group: str) -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"widgets.{group}"},
        "spec": {
            "group": group,
            "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "subresources": {"status": {}},
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {
                                "spec": {
                                    "type": "object",
                                    "properties": {"size": {"type": "integer"}},
                                },
                                "status": {
                                    "type": "object",
                                    "properties": {"ready": {"type": "boolean"}},
                                },
                            },
                        }
                    },
                }
            ],
        },
    }


def _widget(group: str, name: str, size: int) -> dict[str, Any]:
    return {
        "apiVersion": f"{group}/v1",
        "kind": "Widget",
        "metadata": {"name": name},
        "spec": {"size": size, "dropped": "pruned by the schema"},
    }


def _crds_kubernetes(group: str, kubeconfig: str, ns: str) -> None:
    from kubernetes import client
    from kubernetes.client.rest import ApiException

    with kubernetes_api(kubeconfig) as api:
        ext = client.ApiextensionsV1Api(api)
        ext.create_custom_resource_definition(_crd(group))

        def established() -> bool:
            crd = ext.read_custom_resource_definition(f"widgets.{group}")
            conditions = crd.status.conditions or [] if crd.status else []
            return any(c.type == "Established" and c.status == "True" for c in conditions)

        wait_until(established, what="CRD Established")
        co = client.CustomObjectsApi(api)
        args = (group, "v1", ns, "widgets")
        created = co.create_namespaced_custom_object(*args, _widget(group, "w1", 1))
        assert created["spec"] == {"size": 1}
        co.create_namespaced_custom_object(*args, _widget(group, "w2", 2))
        listed = co.list_namespaced_custom_object(*args)
        assert [w["metadata"]["name"] for w in listed["items"]] == ["w1", "w2"]
        got = co.get_namespaced_custom_object(*args, "w1")
        got["spec"]["size"] = 5
        replaced = co.replace_namespaced_custom_object(*args, "w1", got)
        assert replaced["spec"] == {"size": 5}
        patched = co.patch_namespaced_custom_object(*args, "w1", {"spec": {"size": 6}})
        assert patched["spec"] == {"size": 6}
        status = co.patch_namespaced_custom_object_status(*args, "w1", {"status": {"ready": True}})
        assert status["status"] == {"ready": True} and status["spec"] == {"size": 6}
        co.delete_namespaced_custom_object(*args, "w1")
        with pytest.raises(ApiException) as info:
            co.get_namespaced_custom_object(*args, "w1")
        assert info.value.status == 404
        assert json.loads(info.value.body)["message"] == f'widgets.{group} "w1" not found'


def _crds_lightkube(group: str, kubeconfig: str, ns: str) -> None:
    from lightkube import ApiError
    from lightkube.generic_resource import (
        create_namespaced_resource,
        get_generic_resource,
        load_in_cluster_generic_resources,
    )
    from lightkube.resources.apiextensions_v1 import CustomResourceDefinition
    from lightkube.types import PatchType

    with lightkube_client(kubeconfig, ns) as c:
        c.create(CustomResourceDefinition.from_dict(_crd(group)))
        c.wait(CustomResourceDefinition, f"widgets.{group}", for_conditions=["Established"])
        # Found the way a lightkube user loads CRDs they did not declare in code; the class is
        # the same as create_namespaced_resource makes.
        load_in_cluster_generic_resources(c)
        widget = get_generic_resource(f"{group}/v1", "Widget")
        assert widget is create_namespaced_resource(group, "v1", "Widget", "widgets")
        created = c.create(widget.from_dict(_widget(group, "w1", 1)))
        assert created.spec == {"size": 1}
        c.create(widget.from_dict(_widget(group, "w2", 2)))
        assert [w.metadata.name for w in c.list(widget)] == ["w1", "w2"]
        got = c.get(widget, "w1")
        got.spec["size"] = 5
        assert c.replace(got).spec == {"size": 5}
        patched = c.patch(widget, "w1", {"spec": {"size": 6}}, patch_type=PatchType.MERGE)
        assert patched.spec == {"size": 6}
        status = c.patch(
            widget.Status,
            "w1",
            {"status": {"ready": True}},
            patch_type=PatchType.MERGE,
        )
        assert status.status == {"ready": True}
        c.delete(widget, "w1")
        with pytest.raises(ApiError) as info:
            c.get(widget, "w1")
        assert info.value.status.code == 404


def _crds_kr8s(group: str, kubeconfig: str, ns: str) -> None:
    from kr8s.objects import CustomResourceDefinition, new_class

    with kr8s_api(kubeconfig, ns) as api:
        crd = CustomResourceDefinition(_crd(group), api=api)
        crd.create()

        def conditions() -> Any:
            crd.refresh()
            return crd.raw["status"].get("conditions")

        # kr8s' wait fails on the null conditions a new CRD has (a kr8s bug, the real
        # server's answer too): it is asked once the CRD controllers have written some.
        wait_until(conditions, what="CRD conditions")
        crd.wait("condition=Established", timeout=30)
        widget = new_class("Widget", f"{group}/v1", asyncio=False, namespaced=True)
        w1 = widget(_widget(group, "w1", 1), api=api)
        w1.create()
        assert w1.raw["spec"] == {"size": 1}
        widget(_widget(group, "w2", 2), api=api).create()
        names = [w.name for w in api.get(f"widgets.{group}", namespace=ns)]
        assert names == ["w1", "w2"]
        w1.patch({"spec": {"size": 6}})
        assert w1.raw["spec"] == {"size": 6}
        w1.patch({"status": {"ready": True}}, subresource="status")
        assert w1.raw["status"] == {"ready": True}
        w1.delete()
        assert not w1.exists()


CRDS: dict[str, Callable[[str, str, str], None]] = {
    "kubernetes": _crds_kubernetes,
    "lightkube": _crds_lightkube,
    "kr8s": _crds_kr8s,
}


@pytest.fixture
def crd_group(cluster: Any) -> Iterator[str]:
    """A group of the test's own (CRDs are cluster-wide on the shared real server), and its
    CRD deleted afterwards."""
    group = f"g{os.getpid()}x{next(_groups)}.example.com"
    yield group
    from kctl import dynamic
    from kctl.errors import StatusError
    from kctl.schema import GroupVersionResource

    crds = GroupVersionResource("apiextensions.k8s.io", "v1", "customresourcedefinitions")
    try:
        dynamic.new_for_config(cluster.rest_config()).resource(crds).delete(f"widgets.{group}")
    except StatusError as err:
        if err.code != 404:
            raise


@pytest.mark.parametrize("client", sorted(CRDS))
def test_crds(cluster: Any, crd_group: str, client: str) -> None:
    CRDS[client](crd_group, cluster.kubeconfig_path, cluster.namespace)


# --- leader election through a Lease -------------------------------------------------------


def _elect_kubernetes(kubeconfig: str, ns: str) -> None:
    """The official client's leaderelection module: acquire, renew (read-modify-replace of
    the Lease), and stop leading once another holder takes the Lease."""
    from kubernetes import client
    from kubernetes.leaderelection import electionconfig, leaderelection
    from kubernetes.leaderelection.resourcelock.leaselock import LeaseLock

    with kubernetes_api(kubeconfig) as api:
        coordination = client.CoordinationV1Api(api)
        lock = LeaseLock("leader", ns, "candidate-a")
        lock.api_instance = coordination
        leading, stopped = threading.Event(), threading.Event()
        config = electionconfig.Config(
            lock,
            lease_duration=3,
            renew_deadline=2,
            retry_period=1,
            onstarted_leading=leading.set,
            onstopped_leading=stopped.set,
        )
        elector = threading.Thread(
            target=leaderelection.LeaderElection(config).run, name="elector", daemon=True
        )
        elector.start()
        wait_until(leading.is_set, what="leadership")
        first = coordination.read_namespaced_lease("leader", ns)
        assert first.spec.holder_identity == "candidate-a"
        assert first.spec.lease_duration_seconds == 3

        def renewed() -> bool:
            lease = coordination.read_namespaced_lease("leader", ns)
            return bool(lease.spec.renew_time > first.spec.renew_time)

        wait_until(renewed, what="a renewal")
        # Another holder takes the Lease: the candidate sees it held and stops leading.
        lease = coordination.read_namespaced_lease("leader", ns)
        lease.spec.holder_identity = "candidate-b"
        lease.spec.lease_duration_seconds = 3600
        coordination.replace_namespaced_lease("leader", ns, lease)
        wait_until(stopped.is_set, what="the candidate to stop leading")
        elector.join(timeout=30)
        assert not elector.is_alive()
        final = coordination.read_namespaced_lease("leader", ns)
        assert final.spec.holder_identity == "candidate-b"


def _lease_body(holder: str) -> dict[str, Any]:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return {
        "holderIdentity": holder,
        "leaseDurationSeconds": 15,
        "acquireTime": now,
        "renewTime": now,
    }


def _elect_lightkube(kubeconfig: str, ns: str) -> None:
    """Two candidates read the free Lease and both try to take it with an update: the
    resourceVersion lets exactly one win."""
    from lightkube import ApiError
    from lightkube.models.coordination_v1 import LeaseSpec
    from lightkube.models.meta_v1 import ObjectMeta
    from lightkube.resources.coordination_v1 import Lease

    with lightkube_client(kubeconfig, ns) as c:
        c.create(Lease(metadata=ObjectMeta(name="leader"), spec=LeaseSpec()))
        seen_by_a, seen_by_b = c.get(Lease, "leader"), c.get(Lease, "leader")
        seen_by_a.spec = LeaseSpec.from_dict(_lease_body("candidate-a"))
        won = c.replace(seen_by_a)
        assert won.spec.holderIdentity == "candidate-a"
        seen_by_b.spec = LeaseSpec.from_dict(_lease_body("candidate-b"))
        with pytest.raises(ApiError) as info:
            c.replace(seen_by_b)
        assert info.value.status.code == 409
        # The leader renews from what it wrote.
        won.spec.renewTime += timedelta(seconds=5)
        renewed = c.replace(won)
        assert renewed.spec.holderIdentity == "candidate-a"
        assert renewed.spec.acquireTime == won.spec.acquireTime


def _elect_kr8s(kubeconfig: str, ns: str) -> None:
    """The same race through kr8s: merge patches carrying the resourceVersion they read."""
    from kr8s import ServerError
    from kr8s.objects import new_class

    lease_class = new_class("Lease", "coordination.k8s.io/v1", asyncio=False)

    with kr8s_api(kubeconfig, ns) as api:
        lease_class(
            {
                "apiVersion": "coordination.k8s.io/v1",
                "kind": "Lease",
                "metadata": {"name": "leader"},
            },
            api=api,
        ).create()
        a = lease_class.get("leader", namespace=ns, api=api)
        b = lease_class.get("leader", namespace=ns, api=api)
        a.patch(
            {
                "metadata": {"resourceVersion": a.metadata.resourceVersion},
                "spec": _lease_body("candidate-a"),
            }
        )
        assert a.raw["spec"]["holderIdentity"] == "candidate-a"
        with pytest.raises(ServerError) as info:
            b.patch(
                {
                    "metadata": {"resourceVersion": b.metadata.resourceVersion},
                    "spec": _lease_body("candidate-b"),
                }
            )
        assert info.value.response is not None and info.value.response.status_code == 409
        b.refresh()
        assert b.raw["spec"]["holderIdentity"] == "candidate-a"


ELECTION: dict[str, Path_] = {
    "kubernetes": _elect_kubernetes,
    "lightkube": _elect_lightkube,
    "kr8s": _elect_kr8s,
}


@pytest.mark.parametrize("client", sorted(ELECTION))
def test_leader_election(cluster: Any, client: str) -> None:
    ELECTION[client](cluster.kubeconfig_path, cluster.namespace)


# --- who am I ------------------------------------------------------------------------------


def _whoami_kubernetes(kubeconfig: str, ns: str) -> str:
    from kubernetes import client

    with kubernetes_api(kubeconfig) as api:
        review = client.AuthenticationV1Api(api).create_self_subject_review(
            {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}
        )
        return str(review.status.user_info.username)


def _whoami_lightkube(kubeconfig: str, ns: str) -> str:
    from lightkube.resources.authentication_v1 import SelfSubjectReview

    with lightkube_client(kubeconfig, ns) as c:
        review = c.create(SelfSubjectReview())
        return str(review.status.userInfo.username)


def _whoami_kr8s(kubeconfig: str, ns: str) -> str:
    # With a token, a TokenReview of its own token (no name); with a client certificate, the
    # certificate's CN read locally.
    with kr8s_api(kubeconfig, ns) as api:
        return str(api.whoami())


WHOAMI: dict[str, Callable[[str, str], str]] = {
    "kubernetes": _whoami_kubernetes,
    "lightkube": _whoami_lightkube,
    "kr8s": _whoami_kr8s,
}


@pytest.mark.parametrize("client", sorted(WHOAMI))
def test_whoami(cluster: Any, client: str) -> None:
    # The admin credentials of each backend's kubeconfig (a token, a client certificate).
    expected = "kctl-envtest-admin" if cluster.real else "kctl-sandbox-admin"
    assert WHOAMI[client](cluster.kubeconfig_path, cluster.namespace) == expected


# --- pod logs (the sandbox's simulated kubelet) --------------------------------------------

NODE = {
    "apiVersion": "v1",
    "kind": "Node",
    "metadata": {"name": "n1"},
    "status": {"conditions": [{"type": "Ready", "status": "True"}]},
}


def _logs_kubernetes(kubeconfig: str, ns: str) -> list[str]:
    from kubernetes import client

    with kubernetes_api(kubeconfig) as api:
        text = client.CoreV1Api(api).read_namespaced_pod_log("p", ns, container="c", tail_lines=2)
        return str(text).splitlines()


def _logs_lightkube(kubeconfig: str, ns: str) -> list[str]:
    with lightkube_client(kubeconfig, ns) as c:
        return [line.rstrip("\n") for line in c.log("p", container="c", tail_lines=2)]


def _logs_kr8s(kubeconfig: str, ns: str) -> list[str]:
    from kr8s.objects import Pod

    with kr8s_api(kubeconfig, ns) as api:
        pod = Pod.get("p", namespace=ns, api=api)
        return list(pod.logs(container="c", tail_lines=2))


LOGS: dict[str, Callable[[str, str], list[str]]] = {
    "kubernetes": _logs_kubernetes,
    "lightkube": _logs_lightkube,
    "kr8s": _logs_kr8s,
}


@pytest.mark.parametrize("client", sorted(LOGS))
def test_pod_logs(sandbox: Sandbox, client: str) -> None:
    from kctl import kubernetes

    sandbox.create(NODE)
    pods = kubernetes.new_for_config(sandbox.rest_config()).core_v1().pods("default")
    pods.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": "app:1"}]},
        }
    )
    wait_until(lambda: pods.get("p")["status"].get("phase") == "Running", what="pod running")
    expected = pods.get_logs("p", container="c", tail_lines=2).do_raw().decode().splitlines()
    assert len(expected) == 2
    assert LOGS[client](sandbox.kubeconfig_path, "default") == expected


# --- exec with no kubelet behind the node --------------------------------------------------

REFUSING_NODE = {
    "apiVersion": "v1",
    "kind": "Node",
    "status": {
        "addresses": [{"type": "InternalIP", "address": "127.0.0.1"}],
        "daemonEndpoints": {"kubeletEndpoint": {"Port": 1}},
    },
}
EXEC_REFUSED = (
    "Internal error occurred: error sending request: Post "
    '"https://127.0.0.1:1/exec/{ns}/p/c?command=ls&error=1&input=1&output=1": '
    "dial tcp 127.0.0.1:1: connect: connection refused"
)


def _exec_kubernetes(kubeconfig: str, ns: str) -> None:
    from kubernetes import client
    from kubernetes.stream import stream

    with kubernetes_api(kubeconfig) as api:
        v1 = client.CoreV1Api(api)
        # The client's v5 session ends with the error channel's Status and no output; it
        # reports no error of its own (against the real server as well).
        out = stream(
            v1.connect_get_namespaced_pod_exec,
            "p",
            ns,
            command=["ls"],
            stderr=True,
            stdout=True,
            stdin=False,
            tty=False,
        )
        assert out == ""


def _exec_lightkube(kubeconfig: str, ns: str) -> None:
    from lightkube import ApiError

    with lightkube_client(kubeconfig, ns) as c, pytest.raises(ApiError) as info:
        c.exec("p", command=["ls"], container="c", stdout=True, stderr=True)
    assert (info.value.status.code, info.value.status.reason) == (500, "InternalError")
    assert info.value.status.message == EXEC_REFUSED.format(ns=ns)


EXEC: dict[str, Path_] = {"kubernetes": _exec_kubernetes, "lightkube": _exec_lightkube}


@pytest.mark.parametrize("client", sorted(EXEC))
def test_exec_with_no_kubelet(cluster: Any, client: str) -> None:
    """(kr8s waits for the pod to run first, which it never does on the bare real server.)"""
    from kctl import kubernetes

    node = f"peer-{os.getpid()}-{next(_groups)}"
    core = kubernetes.new_for_config(cluster.rest_config()).core_v1()
    core.nodes().create({**REFUSING_NODE, "metadata": {"name": node}})
    try:
        core.pods(cluster.namespace).create(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "p"},
                "spec": {"nodeName": node, "containers": [{"name": "c", "image": "x"}]},
            }
        )
        EXEC[client](cluster.kubeconfig_path, cluster.namespace)
    finally:
        core.nodes().delete(node)
