"""kctl.sandbox._schema: typed decoding of built-in objects (pruning, unknown-field paths,
encoding/json type errors) and the fieldValidation directives at the registry."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest

from kctl.errors import StatusError
from kctl.sandbox import Registry, Store
from kctl.sandbox._catalog import Catalog
from kctl.sandbox._openapi import openapi_v2, openapi_v3_group_version
from kctl.sandbox._registry import Admission
from kctl.sandbox._schema import decode, go_format, root_message

DEPLOYMENT = "k8s.io.api.apps.v1.Deployment"


def _deployment(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": "nginx"}]},
            },
            **spec,
        },
    }


def test_root_messages() -> None:
    assert root_message("apps/v1", "Deployment") == DEPLOYMENT
    assert root_message("v1", "Pod") == "k8s.io.api.core.v1.Pod"
    assert root_message("stable.example.com/v1", "Widget") is None
    assert root_message("apps/v1", "Nope") is None


def test_valid_object_is_unchanged() -> None:
    obj = _deployment(
        replicas=3,
        strategy={
            "type": "RollingUpdate",
            "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1},
        },
    )
    obj["spec"]["template"]["spec"]["containers"][0]["resources"] = {
        "limits": {"cpu": "500m", "memory": 1024}
    }
    obj["metadata"]["creationTimestamp"] = "2024-01-02T03:04:05Z"
    result = decode(DEPLOYMENT, obj)
    assert result.error is None and result.unknown == []
    assert result.obj == obj


def test_unknown_fields_are_pruned_with_apiserver_paths() -> None:
    obj = _deployment(replica=3)
    obj["metadata"]["unknownMeta"] = "x"
    obj["spec"]["template"]["spec"]["containers"].append({"name": "b", "imagee": "x"})
    result = decode(DEPLOYMENT, obj)
    assert result.error is None
    # Document order, as the decoder meets them.
    assert result.unknown == [
        "metadata.unknownMeta",
        "spec.template.spec.containers[1].imagee",
        "spec.replica",
    ]
    assert "replica" not in result.obj["spec"]
    assert result.obj["spec"]["template"]["spec"]["containers"][1] == {"name": "b"}
    # Patched objects are re-marshalled from a Go map first: sorted order.
    assert decode(DEPLOYMENT, {"spec": {"zz": 1, "aa": 2}}, sort_keys=True).unknown == [
        "spec.aa",
        "spec.zz",
    ]


def test_embedded_structs_are_inlined() -> None:
    # Probe embeds ProbeHandler, Volume embeds VolumeSource: their fields are the parent's.
    pod = {
        "spec": {
            "containers": [{"name": "a", "livenessProbe": {"httpGet": {"port": 80}}}],
            "volumes": [{"name": "v", "emptyDir": {}}],
        }
    }
    assert decode("k8s.io.api.core.v1.Pod", pod).unknown == []


@pytest.mark.parametrize(
    ("spec", "error"),
    [
        (
            {"replicas": "3"},
            "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas "
            "of type int32",
        ),
        (
            {"replicas": 3.5},
            "json: cannot unmarshal number 3.5 into Go struct field DeploymentSpec.spec.replicas"
            " of type int32",
        ),
        (
            {"replicas": 2**31},
            "json: cannot unmarshal number 2147483648 into Go struct field "
            "DeploymentSpec.spec.replicas of type int32",
        ),
        (
            {"paused": "yes"},
            "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.paused of "
            "type bool",
        ),
        (
            {"template": {"spec": {"containers": {}}}},
            "json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec."
            "containers of type []v1.Container",
        ),
        (
            {"strategy": "Recreate"},
            "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.strategy of "
            "type v1.DeploymentStrategy",
        ),
        (
            {"strategy": {"rollingUpdate": {"maxSurge": {}}}},
            "json: cannot unmarshal object into Go value of type int32",
        ),
    ],
)
def test_type_errors(spec: dict[str, Any], error: str) -> None:
    assert decode(DEPLOYMENT, {"spec": spec}).error == error


def test_special_types() -> None:
    pod = "k8s.io.api.core.v1.Pod"
    bad_quantity = {"spec": {"containers": [{"resources": {"limits": {"cpu": "lots"}}}]}}
    assert decode(pod, bad_quantity).error == (
        "quantities must match the regular expression "
        "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    )
    assert decode(pod, {"metadata": {"labels": {"a": 1}}}).error == (
        "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type "
        "string"
    )
    assert decode(pod, {"metadata": {"creationTimestamp": 5}}).error == (
        "json: cannot unmarshal number into Go value of type string"
    )
    assert decode(pod, {"metadata": {"creationTimestamp": None}}).obj == {"metadata": {}}
    secret = decode("k8s.io.api.core.v1.Secret", {"data": {"k": "not base64!"}})
    assert secret.error == "illegal base64 data at input byte 3"
    raw = {"data": {"anything": [1, {"x": None}]}}
    assert decode("k8s.io.api.apps.v1.ControllerRevision", raw).obj == raw


def test_go_format_of_a_patch() -> None:
    patch = {"spec": {"replica": 3, "b": [{"n": "x"}], "t": True, "z": None, "f": 1.5}}
    assert go_format(patch) == "map[spec:map[b:[map[n:x]] f:1.5 replica:3 t:true z:<nil>]]"


@pytest.fixture
def registry() -> Registry:
    reg = Registry(Store(), Catalog(), lambda: datetime(2024, 1, 1, tzinfo=timezone.utc))
    ns = reg.catalog.get("", "v1", "namespaces")
    assert ns is not None
    reg.create(ns, "", {"metadata": {"name": "default"}})
    return reg


def _deployments(reg: Registry) -> Any:
    rt = reg.catalog.get("apps", "v1", "deployments")
    assert rt is not None
    return rt


def test_registry_strict_rejects(registry: Registry) -> None:
    rt = _deployments(registry)
    with pytest.raises(StatusError) as info:
        registry.create(rt, "default", _deployment(a=1, b=2), admission=Admission("Strict"))
    assert info.value.code == 400 and info.value.reason == "BadRequest"
    assert info.value.message == (
        'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: '
        'unknown field "spec.a", unknown field "spec.b"'
    )
    assert registry.store.get(("apps", "deployments"), "default", "web") is None


@pytest.mark.parametrize("directive", ["Warn", "", "Ignore"])
def test_registry_warn_default_and_ignore_prune(registry: Registry, directive: str) -> None:
    rt = _deployments(registry)
    admission = Admission(directive)
    obj = registry.create(rt, "default", _deployment(replica=3), admission=admission)
    assert "replica" not in obj["spec"]
    stored = registry.get(rt, "default", "web")
    assert "replica" not in stored["spec"]
    # The apiserver's default directive is Warn.
    expected = [] if directive == "Ignore" else ['unknown field "spec.replica"']
    assert admission.warnings == expected


def test_registry_type_error_fails_in_every_mode(registry: Registry) -> None:
    rt = _deployments(registry)
    with pytest.raises(StatusError) as info:
        registry.create(rt, "default", _deployment(replicas="3"), admission=Admission("Ignore"))
    assert info.value.message == (
        'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal '
        "string into Go struct field DeploymentSpec.spec.replicas of type int32"
    )


def test_registry_strict_patch_is_invalid_patch(registry: Registry) -> None:
    rt = _deployments(registry)
    registry.create(rt, "default", _deployment())
    body = b'{"spec":{"replica":3}}'
    admission = Admission("Strict", patch_type="application/strategic-merge-patch+json")
    admission.patch_body = body

    def change(obj: dict[str, Any]) -> dict[str, Any]:
        obj["spec"].update(json.loads(body)["spec"])
        return obj

    with pytest.raises(StatusError) as info:
        registry.mutate(rt, "default", "web", change, admission=admission)
    assert info.value.code == 422
    assert info.value.message == (
        ' "" is invalid: patch: Invalid value: "map[spec:map[replica:3]]": strict decoding '
        'error: unknown field "spec.replica"'
    )


def test_custom_resources_are_not_typed(registry: Registry) -> None:
    from kctl.sandbox._catalog import ResourceType

    widget = ResourceType("example.com", "v1", "widgets", "widget", "Widget", True, ("create",))
    widget = ResourceType(**{**widget.__dict__, "is_crd": True})
    registry.catalog.add(widget)
    obj = registry.create(
        widget,
        "default",
        {"metadata": {"name": "w"}, "spec": {"anything": 1}},
        admission=Admission("Strict"),
    )
    assert obj["spec"] == {"anything": 1}


def test_openapi_structure() -> None:
    catalog = Catalog()
    body = openapi_v3_group_version(catalog, "apis/apps/v1")
    assert body is not None
    schemas = json.loads(body)["components"]["schemas"]
    deploy = schemas["io.k8s.api.apps.v1.Deployment"]
    assert deploy["x-kubernetes-group-version-kind"] == [
        {"group": "apps", "kind": "Deployment", "version": "v1"}
    ]
    assert deploy["properties"]["spec"]["allOf"] == [
        {"$ref": "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec"}
    ]
    spec = schemas["io.k8s.api.apps.v1.DeploymentSpec"]["properties"]
    assert spec["replicas"]["type"] == "integer" and spec["replicas"]["format"] == "int32"
    assert spec["replicas"]["description"].startswith("Number of desired pods.")
    assert spec["strategy"]["x-kubernetes-patch-strategy"] == "retainKeys"
    pod_spec = schemas["io.k8s.api.core.v1.PodSpec"]["properties"]
    containers = pod_spec["containers"]
    assert containers["type"] == "array"
    assert containers["items"] == {"$ref": "#/components/schemas/io.k8s.api.core.v1.Container"}
    assert containers["x-kubernetes-patch-merge-key"] == "name"
    assert containers["x-kubernetes-patch-strategy"] == "merge"
    assert containers["x-kubernetes-list-type"] == "map"
    assert containers["x-kubernetes-list-map-keys"] == ["name"]
    assert pod_spec["volumes"]["x-kubernetes-patch-strategy"] == "merge,retainKeys"
    assert pod_spec["nodeSelector"]["type"] == "object"
    assert pod_spec["nodeSelector"]["additionalProperties"]["type"] == "string"
    ports = schemas["io.k8s.api.core.v1.Container"]["properties"]["ports"]
    assert ports["x-kubernetes-patch-merge-key"] == "containerPort"
    assert ports["x-kubernetes-list-map-keys"] == ["containerPort", "protocol"]
    assert "name" in schemas["io.k8s.api.core.v1.Container"]["required"]
    assert schemas["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]["format"] == "int-or-string"
    assert {"type": "string"} in schemas["io.k8s.apimachinery.pkg.api.resource.Quantity"]["oneOf"]
    assert schemas["io.k8s.apimachinery.pkg.apis.meta.v1.Time"]["format"] == "date-time"
    # Built once per catalogue generation: the same bytes object comes back.
    assert openapi_v3_group_version(catalog, "apis/apps/v1") is body
    v2 = json.loads(openapi_v2(catalog))["definitions"]
    assert v2["io.k8s.api.apps.v1.Deployment"]["properties"]["spec"]["$ref"] == (
        "#/definitions/io.k8s.api.apps.v1.DeploymentSpec"
    )
