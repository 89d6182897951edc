"""CustomResourceDefinitions: serving, discovery, status conditions, printer columns, schema
pruning/validation, subresources and cleanup, with real kubectl where it applies."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers_http import call, wait_for

from kctl.sandbox import Sandbox

CRD = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd], categories: [all]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas}
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    - {name: Color, type: string, jsonPath: .spec.color}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties:
              size: {type: integer, minimum: 1}
              color: {type: string, enum: [red, blue]}
              replicas: {type: integer}
          status:
            type: object
            x-kubernetes-preserve-unknown-fields: true
  - name: v1beta1
    served: true
    storage: false
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
"""

_OPEN = {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}
WIDGETS = "/apis/example.com/v1/namespaces/default/widgets"


def widget(name: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": name},
        "spec": spec,
    }


def established(sb: Sandbox) -> bool:
    reply = call(
        sb, "GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com"
    )
    conditions = (reply.json().get("status") or {}).get("conditions") or []
    return any(c["type"] == "Established" and c["status"] == "True" for c in conditions)


@pytest.fixture
def with_crd(sandbox: Sandbox, run_kubectl: Any) -> Sandbox:
    out = run_kubectl(sandbox, "apply", "-f", "-", input=CRD)
    assert (
        out.stdout == "customresourcedefinition.apiextensions.k8s.io/widgets.example.com created\n"
    )
    assert wait_for(lambda: established(sandbox))
    return sandbox


def test_crd_status_and_defaults(with_crd: Sandbox) -> None:
    crd = call(
        with_crd,
        "GET",
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com",
    ).json()
    assert crd["metadata"]["finalizers"] == ["customresourcecleanup.apiextensions.k8s.io"]
    status = crd["status"]
    assert status["acceptedNames"] == {
        "plural": "widgets",
        "singular": "widget",
        "shortNames": ["wd"],
        "kind": "Widget",
        "listKind": "WidgetList",
        "categories": ["all"],
    }
    assert [(c["type"], c["status"], c["reason"]) for c in status["conditions"]] == [
        ("NamesAccepted", "True", "NoConflicts"),
        ("Established", "True", "InitialNamesAccepted"),
    ]
    assert status["storedVersions"] == ["v1"]


def test_created_crd_has_the_strategys_empty_status(cluster: Any) -> None:
    """The create answer carries PrepareForCreate's status, whatever the client sent: null
    conditions, empty required names, the storage version (kr8s' wait reads it at once)."""
    from kctl import dynamic
    from kctl.schema import GroupVersionResource

    group = f"created{os.getpid()}.example.com"
    crd = json.loads(json.dumps(_yaml_crd()).replace("example.com", group))
    crd["spec"]["versions"].reverse()
    crd["status"] = {"storedVersions": ["v9"], "acceptedNames": {"plural": "x", "kind": "X"}}
    crds = dynamic.new_for_config(cluster.rest_config()).resource(
        GroupVersionResource("apiextensions.k8s.io", "v1", "customresourcedefinitions")
    )
    made = crds.create(crd)
    try:
        assert made["status"] == {
            "conditions": None,
            "acceptedNames": {"plural": "", "kind": ""},
            "storedVersions": ["v1"],
        }
        assert list(made["status"]) == ["conditions", "acceptedNames", "storedVersions"]
    finally:
        crds.delete(made["metadata"]["name"])


def _yaml_crd() -> dict[str, Any]:
    import yaml

    data: dict[str, Any] = yaml.safe_load(CRD)
    return data


def test_crd_served_in_both_discovery_forms(with_crd: Sandbox) -> None:
    legacy = call(with_crd, "GET", "/apis/example.com/v1").json()
    names = {r["name"]: r for r in legacy["resources"]}
    assert set(names) == {"widgets", "widgets/scale", "widgets/status"}
    assert names["widgets"]["shortNames"] == ["wd"] and names["widgets"]["namespaced"] is True
    groups = call(with_crd, "GET", "/apis").json()["groups"]
    group = next(g for g in groups if g["name"] == "example.com")
    assert [v["version"] for v in group["versions"]] == ["v1", "v1beta1"]
    aggregated = call(
        with_crd,
        "GET",
        "/apis",
        headers={"Accept": "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"},
    ).json()
    item = next(i for i in aggregated["items"] if i["metadata"].get("name") == "example.com")
    resource = item["versions"][0]["resources"][0]
    assert resource["resource"] == "widgets" and resource["scope"] == "Namespaced"
    assert resource["categories"] == ["all"]
    assert {s["subresource"] for s in resource["subresources"]} == {"scale", "status"}
    index = call(with_crd, "GET", "/openapi/v3").json()
    assert "apis/example.com/v1" in index["paths"]


def test_kubectl_get_custom_resources_with_printer_columns(
    with_crd: Sandbox, run_kubectl: Any
) -> None:
    manifest = json.dumps(widget("w1", size=3, color="red"))
    created = run_kubectl(with_crd, "apply", "-f", "-", input=manifest)
    assert created.stdout == "widget.example.com/w1 created\n", created.stderr
    unchanged = run_kubectl(with_crd, "apply", "-f", "-", input=manifest)
    assert unchanged.stdout == "widget.example.com/w1 unchanged\n"
    out = run_kubectl(with_crd, "get", "wd")
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    assert lines[0].split() == ["NAME", "SIZE", "COLOR", "AGE"]
    assert lines[1].split()[:3] == ["w1", "3", "red"]
    resources = run_kubectl(with_crd, "api-resources", "--api-group=example.com")
    assert resources.stdout.splitlines()[1].split() == [
        "widgets",
        "wd",
        "example.com/v1",
        "true",
        "Widget",
    ]
    everything = run_kubectl(with_crd, "get", "all")
    assert "widget.example.com/w1" in everything.stdout


def test_schema_validation_and_pruning(with_crd: Sandbox, run_kubectl: Any) -> None:
    bad = run_kubectl(with_crd, "apply", "-f", "-", input=json.dumps(widget("w2", size=0)))
    assert bad.returncode == 1
    assert bad.stderr == (
        'The Widget "w2" is invalid: spec.size: Invalid value: 0: spec.size in body should be '
        "greater than or equal to 1\n"
    )
    reply = call(with_crd, "POST", WIDGETS, widget("w3", size="big", color="green"))
    assert reply.status == 422
    causes = {c["field"]: c["message"] for c in reply.json()["details"]["causes"]}
    assert causes == {
        "spec.size": 'Invalid value: "string": spec.size in body must be of type integer: "string"',
        "spec.color": 'Unsupported value: "green": supported values: "red", "blue"',
    }
    missing = call(with_crd, "POST", WIDGETS, widget("w4"))
    assert missing.json()["details"]["causes"] == [
        {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.size"}
    ]
    pruned = call(with_crd, "POST", WIDGETS, {**widget("w5", size=2, junk=1), "extra": True})
    assert pruned.status == 201
    assert pruned.json()["spec"] == {"size": 2} and "extra" not in pruned.json()


def test_status_scale_and_patch_types(with_crd: Sandbox) -> None:
    assert call(with_crd, "POST", WIDGETS, widget("w1", size=1, replicas=1)).status == 201
    obj = call(with_crd, "GET", WIDGETS + "/w1").json()
    obj["status"] = {"replicas": 1, "phase": "Ready"}
    assert call(with_crd, "PUT", WIDGETS + "/w1/status", obj).json()["status"]["phase"] == "Ready"
    obj = call(with_crd, "GET", WIDGETS + "/w1").json()
    obj["status"] = {"phase": "Ignored"}
    obj["spec"]["size"] = 2
    updated = call(with_crd, "PUT", WIDGETS + "/w1", obj).json()
    assert updated["status"]["phase"] == "Ready" and updated["metadata"]["generation"] == 2
    scale = call(with_crd, "GET", WIDGETS + "/w1/scale").json()
    assert scale["kind"] == "Scale" and scale["spec"]["replicas"] == 1
    merge = call(
        with_crd,
        "PATCH",
        WIDGETS + "/w1",
        {"spec": {"color": "blue"}},
        content_type="application/merge-patch+json",
    )
    assert merge.status == 200 and merge.json()["spec"]["color"] == "blue"
    strategic = call(
        with_crd,
        "PATCH",
        WIDGETS + "/w1",
        {"spec": {"color": "red"}},
        content_type="application/strategic-merge-patch+json",
    )
    assert strategic.status == 415
    older = call(with_crd, "GET", "/apis/example.com/v1beta1/namespaces/default/widgets/w1").json()
    assert older["apiVersion"] == "example.com/v1beta1" and older["spec"]["color"] == "blue"


def test_deleting_the_crd_removes_objects_and_endpoints(
    with_crd: Sandbox, run_kubectl: Any
) -> None:
    assert call(with_crd, "POST", WIDGETS, widget("w1", size=1)).status == 201
    out = run_kubectl(with_crd, "delete", "crd", "widgets.example.com")
    assert (
        out.stdout
        == 'customresourcedefinition.apiextensions.k8s.io "widgets.example.com" deleted\n'
    )
    assert wait_for(lambda: call(with_crd, "GET", "/apis/example.com/v1").status == 404)
    assert call(with_crd, "GET", WIDGETS).status == 404
    assert with_crd.store.items(("example.com", "widgets")) == []
    crd_path = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com"
    assert wait_for(lambda: call(with_crd, "GET", crd_path).status == 404)


def test_invalid_crd_is_rejected(sandbox: Sandbox) -> None:
    body = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "wrong.example.com"},
        "spec": {
            "group": "example.com",
            "scope": "Cluster",
            "names": {"plural": "gadgets", "kind": "Gadget"},
            "versions": [{"name": "v1", "served": True, "storage": True, "schema": _OPEN}],
        },
    }
    reply = call(sandbox, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body)
    assert reply.status == 422
    assert reply.json()["message"] == (
        'CustomResourceDefinition.apiextensions.k8s.io "wrong.example.com" is invalid: '
        'metadata.name: Invalid value: "wrong.example.com": must be '
        'spec.names.plural+"."+spec.group'
    )


def test_cluster_scoped_crd(sandbox: Sandbox) -> None:
    body = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "gadgets.example.com"},
        "spec": {
            "group": "example.com",
            "scope": "Cluster",
            "names": {"plural": "gadgets", "kind": "Gadget"},
            "versions": [{"name": "v2", "served": True, "storage": True, "schema": _OPEN}],
        },
    }
    assert (
        call(
            sandbox, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body
        ).status
        == 201
    )
    assert wait_for(lambda: call(sandbox, "GET", "/apis/example.com/v2/gadgets").status == 200)
    created = call(
        sandbox,
        "POST",
        "/apis/example.com/v2/gadgets",
        {"apiVersion": "example.com/v2", "kind": "Gadget", "metadata": {"name": "g"}, "x": 1},
    )
    assert created.status == 201
    # A schema preserving unknown fields prunes nothing.
    assert created.json()["x"] == 1 and "namespace" not in created.json()["metadata"]
    listed = call(sandbox, "GET", "/apis/example.com/v2")
    assert listed.json()["resources"][0]["namespaced"] is False


def test_crd_versions_need_schemas(sandbox: Sandbox) -> None:
    body = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "gadgets.example.com"},
        "spec": {
            "group": "example.com",
            "scope": "Cluster",
            "names": {"plural": "gadgets", "kind": "Gadget"},
            "versions": [{"name": "v1", "served": True, "storage": True}],
        },
    }
    reply = call(sandbox, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body)
    assert reply.status == 422
    assert reply.json()["details"]["causes"] == [
        {
            "reason": "FieldValueRequired",
            "message": "Required value: schemas are required",
            "field": "spec.versions[0].schema.openAPIV3Schema",
        }
    ]


def test_field_validation_of_unknown_fields(with_crd: Sandbox, run_kubectl: Any) -> None:
    manifest = json.dumps(widget("w1", size=1, junk=2))
    strict = run_kubectl(with_crd, "create", "-f", "-", input=manifest)
    assert strict.returncode == 1
    assert strict.stderr == (
        'Error from server (BadRequest): error when creating "STDIN": Widget in version "v1" '
        'cannot be handled as a Widget: strict decoding error: unknown field "spec.junk"\n'
    )
    warned = call(with_crd, "POST", WIDGETS + "?fieldValidation=Warn", widget("w2", size=1, junk=2))
    assert warned.status == 201
    assert warned.headers["warning"] == '299 - "unknown field \\"spec.junk\\""'
    assert warned.json()["spec"] == {"size": 1}
    bad = call(with_crd, "POST", WIDGETS + "?fieldValidation=Loose", widget("w3", size=1))
    # As the real server: the CreateOptions are invalid (checked in test_differential too).
    assert bad.status == 422
    assert bad.json()["details"]["kind"] == "CreateOptions"


def test_crds_are_served_again_after_a_restart_from_state(tmp_path: Path, run_kubectl: Any) -> None:
    state = str(tmp_path / "state.db")
    with Sandbox(state=state) as sb:
        assert run_kubectl(sb, "apply", "-f", "-", input=CRD).returncode == 0
        assert wait_for(lambda: established(sb))
        assert call(sb, "POST", WIDGETS, widget("w1", size=2)).status == 201
    with Sandbox(state=state) as sb:
        got = call(sb, "GET", WIDGETS + "/w1")
        assert got.status == 200 and got.json()["spec"] == {"size": 2}
        # Its schema is back too: unknown fields are pruned again.
        pruned = call(sb, "POST", WIDGETS, widget("w2", size=1, junk=1)).json()
        assert pruned["spec"] == {"size": 1}
