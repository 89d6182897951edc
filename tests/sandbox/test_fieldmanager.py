"""Server-side apply and managedFields: ownership, conflicts, force, pruning, migration."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from kctl.errors import ApplyConflictError, PatchError
from kctl.sandbox._fieldmanager import (
    FieldManager,
    apply_conflict_status,
    default_manager,
    fields_to_set,
    set_to_fields,
)
from kctl.sandbox._jsonpatch import apply_patch
from kctl.util.strategicpatch import patch_meta_for


class Clock:
    def __init__(self) -> None:
        self.t = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        self.t += timedelta(seconds=1)
        return self.t


@pytest.fixture
def fm() -> FieldManager:
    return FieldManager(patch_meta_for("apps", "v1", "Deployment"), now=Clock())


def deployment(replicas: int | None = 1, image: str = "nginx", **labels: str) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "nginx", "image": image}]},
        },
    }
    if replicas is not None:
        spec["replicas"] = replicas
    meta: dict[str, Any] = {"name": "web", "namespace": "default"}
    if labels:
        meta["labels"] = dict(labels)
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta, "spec": spec}


def entries(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        e["manager"] + "/" + e["operation"]: e for e in obj["metadata"].get("managedFields", [])
    }


def test_apply_create_records_the_applied_fields(fm: FieldManager) -> None:
    obj = fm.apply(None, deployment(app="web"), "kubectl", "apps/v1", force=False)
    (entry,) = obj["metadata"]["managedFields"]
    assert entry == {
        "manager": "kubectl",
        "operation": "Apply",
        "apiVersion": "apps/v1",
        "time": "2024-05-01T12:00:01Z",
        "fieldsType": "FieldsV1",
        "fieldsV1": {
            "f:metadata": {"f:labels": {"f:app": {}}},
            "f:spec": {
                "f:replicas": {},
                "f:selector": {},
                "f:template": {
                    "f:metadata": {"f:labels": {"f:app": {}}},
                    "f:spec": {
                        "f:containers": {
                            'k:{"name":"nginx"}': {".": {}, "f:image": {}, "f:name": {}}
                        }
                    },
                },
            },
        },
    }
    assert obj["spec"]["replicas"] == 1


def test_update_conflict_then_force(fm: FieldManager) -> None:
    live = fm.apply(None, deployment(), "kubectl", "apps/v1", force=False)
    scaled = dict(live, spec=dict(live["spec"], replicas=3))
    live = fm.update(live, scaled, "kubectl-scale", "apps/v1")
    assert "f:replicas" not in entries(live)["kubectl/Apply"]["fieldsV1"]["f:spec"]
    assert entries(live)["kubectl-scale/Update"]["fieldsV1"] == {"f:spec": {"f:replicas": {}}}

    with pytest.raises(ApplyConflictError) as info:
        fm.apply(live, deployment(replicas=5), "kubectl", "apps/v1", force=False)
    assert str(info.value) == (
        'Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: .spec.replicas'
    )
    status = apply_conflict_status(info.value)
    assert status["code"] == 409 and status["reason"] == "Conflict"
    assert status["details"]["causes"] == [
        {
            "reason": "FieldManagerConflict",
            "message": 'conflict with "kubectl-scale" using apps/v1',
            "field": ".spec.replicas",
        }
    ]

    forced = fm.apply(live, deployment(replicas=5), "kubectl", "apps/v1", force=True)
    assert forced["spec"]["replicas"] == 5
    assert "kubectl-scale/Update" not in entries(forced)  # it owned nothing else
    assert "f:replicas" in entries(forced)["kubectl/Apply"]["fieldsV1"]["f:spec"]


def test_same_value_is_shared_not_a_conflict(fm: FieldManager) -> None:
    live = fm.apply(None, deployment(), "a", "apps/v1", force=False)
    live = fm.apply(live, deployment(), "b", "apps/v1", force=False)
    both = entries(live)
    assert both["a/Apply"]["fieldsV1"] == both["b/Apply"]["fieldsV1"]
    with pytest.raises(ApplyConflictError) as info:
        fm.apply(live, deployment(replicas=2, image="httpd"), "b", "apps/v1", force=False)
    assert str(info.value) == (
        'Apply failed with 2 conflicts: conflicts with "a":\n'
        '- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image'
    )


def test_fields_dropped_from_the_apply_are_removed_unless_shared(fm: FieldManager) -> None:
    live = fm.apply(None, deployment(app="web", tier="fe"), "kubectl", "apps/v1", force=False)
    live = fm.apply(live, deployment(app="web"), "kubectl", "apps/v1", force=False)
    assert live["metadata"]["labels"] == {"app": "web"}

    # A field someone else also owns survives the applier dropping it.
    live = fm.apply(live, deployment(app="web", tier="fe"), "kubectl", "apps/v1", force=False)
    labels_only = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"tier": "fe"}},
    }
    live = fm.apply(live, labels_only, "other", "apps/v1", force=False)
    live = fm.apply(live, deployment(app="web"), "kubectl", "apps/v1", force=False)
    assert live["metadata"]["labels"] == {"app": "web", "tier": "fe"}

    # Dropping replicas while nobody else owns it removes it.
    live = fm.apply(live, deployment(replicas=None, app="web"), "kubectl", "apps/v1", force=False)
    assert "replicas" not in live["spec"]


def test_update_tracks_new_maps_and_removals(fm: FieldManager) -> None:
    live = fm.update(None, deployment(app="web"), "kubectl-create", "apps/v1")
    fields = entries(live)["kubectl-create/Update"]["fieldsV1"]
    assert fields["f:metadata"] == {"f:labels": {".": {}, "f:app": {}}}
    edited = dict(live, metadata=dict(live["metadata"], labels={"app": "web", "x": "1"}))
    live = fm.update(live, edited, "kubectl-edit", "apps/v1")
    assert entries(live)["kubectl-edit/Update"]["fieldsV1"] == {
        "f:metadata": {"f:labels": {"f:x": {}}}
    }
    # The edit removes the label: nobody owns it any more.
    trimmed = dict(live, metadata=dict(live["metadata"], labels={"app": "web"}))
    live = fm.update(live, trimmed, "kubectl-edit", "apps/v1")
    assert "kubectl-edit/Update" not in entries(live)


def test_no_change_no_entry_and_ordering(fm: FieldManager) -> None:
    live = fm.update(None, deployment(), "b-manager", "apps/v1")
    live = fm.update(live, live, "a-manager", "apps/v1")
    assert [e["manager"] for e in live["metadata"]["managedFields"]] == ["b-manager"]
    live = fm.apply(
        live,
        {**deployment(), "metadata": {"name": "web", "annotations": {"n": "1"}}},
        "z",
        "apps/v1",
        force=False,
    )
    # Apply entries sort before Update entries.
    assert [e["operation"] for e in live["metadata"]["managedFields"]] == ["Apply", "Update"]


def test_status_subresource_is_a_separate_manager(fm: FieldManager) -> None:
    live = fm.apply(None, deployment(), "kubectl", "apps/v1", force=False)
    with_status = dict(
        live, status={"replicas": 1, "conditions": [{"type": "Available", "status": "True"}]}
    )
    live = fm.update(live, with_status, "kube-controller-manager", "apps/v1", subresource="status")
    entry = entries(live)["kube-controller-manager/Update"]
    assert entry["subresource"] == "status"
    # conditions is an omitempty list: creating it adds a node of its own, as on the real
    # server ("." beside the keyed items).
    assert entry["fieldsV1"]["f:status"]["f:conditions"] == {
        ".": {},
        'k:{"type":"Available"}': {".": {}, "f:status": {}, "f:type": {}},
    }
    with pytest.raises(
        ApplyConflictError,
        match=r'"kube-controller-manager" with subresource "status" using apps/v1: \.status\.replicas',
    ):
        fm.apply(
            live, {**deployment(), "status": {"replicas": 9}}, "kubectl", "apps/v1", force=False
        )


def test_client_side_apply_upgrade_through_a_json_patch(fm: FieldManager) -> None:
    live = fm.update(None, deployment(app="web"), "kubectl-client-side-apply", "apps/v1")
    csa = entries(live)["kubectl-client-side-apply/Update"]
    # kubectl (csaupgrade) rewrites managedFields: the csa entry's fields become kubectl's Apply entry.
    upgraded = dict(csa, manager="kubectl", operation="Apply")
    patched = apply_patch(
        live, [{"op": "replace", "path": "/metadata/managedFields", "value": [upgraded]}]
    )
    live = fm.update(live, patched, "kubectl", "apps/v1")
    assert list(entries(live)) == ["kubectl/Apply"]
    # The next server-side apply owns everything and can drop the label without conflicts.
    live = fm.apply(live, deployment(replicas=4), "kubectl", "apps/v1", force=False)
    assert "labels" not in live["metadata"] or live["metadata"]["labels"] == {}
    assert live["spec"]["replicas"] == 4


def test_applied_object_must_not_carry_managed_fields(fm: FieldManager) -> None:
    obj = deployment()
    obj["metadata"]["managedFields"] = []
    with pytest.raises(PatchError, match=r"metadata\.managedFields must be nil"):
        fm.apply(None, obj, "kubectl", "apps/v1", force=False)


def test_fieldsv1_round_trip_and_sets() -> None:
    fm = FieldManager(patch_meta_for("", "v1", "Pod"), now=Clock())
    pod = {
        "metadata": {"name": "p", "finalizers": ["a.io/x"]},
        "spec": {
            "containers": [{"name": "c", "ports": [{"containerPort": 80, "protocol": "TCP"}]}],
            "tolerations": [{"key": "k"}],
        },
    }
    obj = fm.apply(None, pod, "m", "v1", force=False)
    fields = obj["metadata"]["managedFields"][0]["fieldsV1"]
    assert fields["f:metadata"] == {"f:finalizers": {'v:"a.io/x"': {}}}
    container = fields["f:spec"]["f:containers"]['k:{"name":"c"}']
    assert container["f:ports"] == {
        'k:{"containerPort":80,"protocol":"TCP"}': {
            ".": {},
            "f:containerPort": {},
            "f:protocol": {},
        }
    }
    assert fields["f:spec"]["f:tolerations"] == {}  # atomic list
    assert set_to_fields(fields_to_set(fields)) == fields


def test_untyped_kinds_treat_lists_as_atomic() -> None:
    fm = FieldManager(None, now=Clock())
    obj = fm.apply(
        None,
        {
            "apiVersion": "x.io/v1",
            "kind": "Thing",
            "metadata": {"name": "t"},
            "spec": {"items": [1, 2]},
        },
        "m",
        "x.io/v1",
        force=False,
    )
    assert obj["metadata"]["managedFields"][0]["fieldsV1"] == {"f:spec": {"f:items": {}}}


def test_default_manager() -> None:
    assert default_manager("kubectl/v1.37.1 (linux/amd64) kubernetes/abc") == "kubectl"
    assert default_manager("curl") == "curl"
