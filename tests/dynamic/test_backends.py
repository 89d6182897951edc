"""The DynamicClient against both backends: the sandbox and the real kube-apiserver.

Nothing here needs a kubelet or controllers, so every test runs on both; the real server
is the judge of what the sandbox answers.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from kctl import dynamic
from kctl.errors import StatusError
from kctl.rest import PatchType
from kctl.schema import GroupVersionResource

CONFIGMAPS = GroupVersionResource("", "v1", "configmaps")
DEPLOYMENTS = GroupVersionResource("apps", "v1", "deployments")


# Lists select the test's own objects: a namespace may hold others (kube-root-ca.crt, made
# by a controller the sandbox runs and a bare kube-apiserver lacks).
MINE = "kctl.test/mine=yes"


def cm(name: str, **data: str) -> dict[str, Any]:
    meta = {"name": name, "labels": {"kctl.test/mine": "yes"}}
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data}


def deployment(name: str, image: str = "nginx:1.27") -> dict[str, Any]:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "web", "image": image}]},
            },
        },
    }


@pytest.fixture
def configmaps(cluster: Any) -> Any:
    return (
        dynamic.new_for_config(cluster.rest_config())
        .resource(CONFIGMAPS)
        .namespace(cluster.namespace)
    )


@pytest.fixture
def deployments(cluster: Any) -> Any:
    return (
        dynamic.new_for_config(cluster.rest_config())
        .resource(DEPLOYMENTS)
        .namespace(cluster.namespace)
    )


def test_crud_and_status_errors(configmaps: Any, cluster: Any) -> None:
    made = configmaps.create(cm("a", k="v"))
    assert made["metadata"]["namespace"] == cluster.namespace
    assert made["metadata"]["resourceVersion"]
    got = configmaps.get("a")
    assert got["data"] == {"k": "v"}

    got["data"]["k"] = "w"
    updated = configmaps.update(got)
    assert updated["data"] == {"k": "w"}
    assert int(updated["metadata"]["resourceVersion"]) > int(made["metadata"]["resourceVersion"])

    # An update from a stale read is the server's 409 Conflict, with its exact text.
    with pytest.raises(StatusError) as info:
        configmaps.update(made)
    assert info.value.code == 409
    assert info.value.reason == "Conflict"
    assert info.value.message == (
        'Operation cannot be fulfilled on configmaps "a": the object has been modified; '
        "please apply your changes to the latest version and try again"
    )

    with pytest.raises(StatusError) as info:
        configmaps.create(cm("a"))
    assert (info.value.code, info.value.reason) == (409, "AlreadyExists")
    assert info.value.message == 'configmaps "a" already exists'
    assert info.value.details == {"name": "a", "kind": "configmaps"}

    configmaps.delete("a")
    with pytest.raises(StatusError) as info:
        configmaps.get("a")
    assert (info.value.code, info.value.reason) == (404, "NotFound")
    assert info.value.message == 'configmaps "a" not found'


def test_three_patch_kinds(deployments: Any) -> None:
    deployments.create(deployment("web"))
    merged = deployments.patch("web", PatchType.MERGE, {"metadata": {"labels": {"tier": "front"}}})
    assert merged["metadata"]["labels"] == {"tier": "front"}

    # Strategic merge keys containers by name: the image changes, the list is not replaced.
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "side", "image": "busybox"}]}}}}
    smp = deployments.patch("web", PatchType.STRATEGIC_MERGE, patch)
    names = [c["name"] for c in smp["spec"]["template"]["spec"]["containers"]]
    assert sorted(names) == ["side", "web"]

    ops = [{"op": "replace", "path": "/spec/replicas", "value": 3}]
    jp = deployments.patch("web", PatchType.JSON, ops)
    assert jp["spec"]["replicas"] == 3

    with pytest.raises(StatusError) as info:
        bad = [{"op": "test", "path": "/spec/replicas", "value": 99}]
        deployments.patch("web", PatchType.JSON, bad)
    assert info.value.code == 422


def test_server_side_apply_conflicts_and_force(configmaps: Any) -> None:
    configmaps.apply(cm("owned", k="one"), field_manager="alice")
    with pytest.raises(StatusError) as info:
        configmaps.patch(
            "owned",
            PatchType.APPLY,
            '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"owned"},"data":{"k":"two"}}',
            field_manager="bob",
            force=False,
        )
    assert (info.value.code, info.value.reason) == (409, "Conflict")
    assert info.value.message == 'Apply failed with 1 conflict: conflict with "alice": .data.k'
    assert info.value.causes == [
        {"reason": "FieldManagerConflict", "message": 'conflict with "alice"', "field": ".data.k"}
    ]

    forced = configmaps.apply(cm("owned", k="two"), field_manager="bob", force=True)
    assert forced["data"] == {"k": "two"}
    # Forcing takes .data.k from alice; the label both applied stays shared.
    owned = {m["manager"]: m for m in forced["metadata"]["managedFields"]}
    assert {m["operation"] for m in owned.values()} == {"Apply"}
    assert owned["alice"]["fieldsV1"] == {"f:metadata": {"f:labels": {"f:kctl.test/mine": {}}}}
    assert owned["bob"]["fieldsType"] == "FieldsV1"
    assert owned["bob"]["fieldsV1"] == {
        "f:data": {"f:k": {}},
        "f:metadata": {"f:labels": {"f:kctl.test/mine": {}}},
    }


def test_dry_run_stores_nothing(configmaps: Any) -> None:
    made = configmaps.create(cm("ghost"), dry_run=["All"])
    assert made["metadata"]["name"] == "ghost"
    with pytest.raises(StatusError) as info:
        configmaps.get("ghost")
    assert info.value.code == 404
    with pytest.raises(StatusError) as info:
        configmaps.create(cm("x"), dry_run=["Everything"])
    assert (info.value.code, info.value.reason) == (422, "Invalid")
    assert info.value.message == (
        'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: ["Everything"]: '
        'supported values: "All"'
    )
    assert info.value.details == {
        "group": "meta.k8s.io",
        "kind": "CreateOptions",
        "causes": [
            {
                "reason": "FieldValueNotSupported",
                "message": 'Unsupported value: ["Everything"]: supported values: "All"',
                "field": "dryRun",
            }
        ],
    }


def test_chunked_list_with_continue(configmaps: Any) -> None:
    for i in range(7):
        configmaps.create(cm(f"c{i}"))
    first = configmaps.list(limit=3, label_selector=MINE)
    assert [o["metadata"]["name"] for o in first["items"]] == ["c0", "c1", "c2"]
    token = first["metadata"]["continue"]
    assert token
    # The server cannot count what a selector would keep, so it does not say.
    assert "remainingItemCount" not in first["metadata"]
    unselected = configmaps.list(limit=1)
    assert unselected["metadata"]["remainingItemCount"] >= 6
    # Objects created after the first page are not seen: the list is a snapshot.
    configmaps.create(cm("c7"))
    rest = configmaps.list(limit=100, continue_=token, label_selector=MINE)
    assert [o["metadata"]["name"] for o in rest["items"]] == ["c3", "c4", "c5", "c6"]
    assert "continue" not in rest["metadata"]
    assert rest["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]

    everything = configmaps.list_all(page_size=2, label_selector=MINE)
    assert len(everything["items"]) == 8

    with pytest.raises(StatusError) as info:
        configmaps.list(limit=3, continue_="not-a-token", label_selector=MINE)
    assert (info.value.code, info.value.reason) == (400, "BadRequest")


def test_watch_with_bookmarks_from_a_resource_version(configmaps: Any) -> None:
    start = configmaps.list()["metadata"]["resourceVersion"]
    configmaps.create(cm("w1"))
    seen: list[tuple[str, str]] = []
    # Selected: the sandbox's root-CA publisher may add its ConfigMap after the list.
    with configmaps.watch(
        resource_version=start,
        label_selector=MINE,
        allow_watch_bookmarks=True,
        timeout_seconds=30,
    ) as w:
        for event in w:
            if event.type == "BOOKMARK":
                continue
            seen.append((event.type, event.object["metadata"]["name"]))
            if event.type == "ADDED":
                configmaps.delete("w1")
            if event.type == "DELETED":
                break
    assert seen == [("ADDED", "w1"), ("DELETED", "w1")]


def test_watch_list_sends_initial_events_then_a_bookmark(configmaps: Any) -> None:
    configmaps.create(cm("i1"))
    configmaps.create(cm("i2"))
    added: list[str] = []
    bookmark: dict[str, Any] = {}
    with configmaps.watch(
        label_selector=MINE,
        send_initial_events=True,
        resource_version_match="NotOlderThan",
        allow_watch_bookmarks=True,
        timeout_seconds=30,
    ) as w:
        for event in w:
            if event.type == "ADDED":
                added.append(event.object["metadata"]["name"])
            elif event.type == "BOOKMARK":
                bookmark = event.object
                break
    assert sorted(added) == ["i1", "i2"]
    annotations = bookmark["metadata"]["annotations"]
    assert annotations == {"k8s.io/initial-events-end": "true"}


def test_watch_sees_writes_from_another_thread(configmaps: Any) -> None:
    rv = configmaps.list()["metadata"]["resourceVersion"]

    def writer() -> None:
        configmaps.create(cm("t1"))
        configmaps.patch("t1", PatchType.MERGE, {"data": {"a": "b"}})

    thread = threading.Thread(target=writer)
    types: list[str] = []
    with configmaps.watch(resource_version=rv, label_selector=MINE, timeout_seconds=30) as w:
        thread.start()
        for event in w:
            types.append(event.type)
            if event.type == "MODIFIED":
                assert event.object["data"] == {"a": "b"}
                break
    thread.join()
    assert types == ["ADDED", "MODIFIED"]
