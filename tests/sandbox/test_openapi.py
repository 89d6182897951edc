from __future__ import annotations

import json

from kctl.sandbox._catalog import BUILTIN_RESOURCES, Catalog, ResourceType
from kctl.sandbox._openapi import (
    definition_name,
    openapi_v2,
    openapi_v3_group_version,
    openapi_v3_index,
)


def test_definition_names() -> None:
    widget = ResourceType(
        "stable.example.com", "v1", "widgets", "widget", "Widget", True, ("get",), is_crd=True
    )
    assert definition_name(widget) == "com.example.stable.v1.Widget"
    assert definition_name(widget, "WidgetList") == "com.example.stable.v1.WidgetList"


def test_v3_index_and_group_version() -> None:
    c = Catalog()
    index = openapi_v3_index(c)
    assert "api/v1" in index["paths"] and "apis/apps/v1" in index["paths"]
    assert "apis/autoscaling/v1" in index["paths"] and "apis/autoscaling/v2" in index["paths"]
    url = index["paths"]["apis/apps/v1"]["serverRelativeURL"]
    assert url.startswith("/openapi/v3/apis/apps/v1?hash=")
    body = openapi_v3_group_version(c, "apis/apps/v1")
    assert body is not None
    doc = json.loads(body)
    assert doc["openapi"].startswith("3.")
    schema = doc["components"]["schemas"]["io.k8s.api.apps.v1.Deployment"]
    assert schema["x-kubernetes-group-version-kind"] == [
        {"group": "apps", "kind": "Deployment", "version": "v1"}
    ]
    post = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments"]["post"]
    assert post["x-kubernetes-action"] == "post"
    assert "fieldValidation" in {p["name"] for p in post["parameters"]}
    assert openapi_v3_group_version(c, "apis/apps/v9") is None
    # The hash changes when the content does (CRD added to the group-version).
    c.add(ResourceType("apps", "v1", "widgets", "widget", "Widget", True, ("get",), is_crd=True))
    assert openapi_v3_index(c)["paths"]["apis/apps/v1"]["serverRelativeURL"] != url


def test_v2_document() -> None:
    doc = json.loads(openapi_v2(Catalog()))
    assert doc["swagger"] == "2.0"
    pod = doc["definitions"]["io.k8s.api.core.v1.Pod"]
    assert pod["properties"]["metadata"]["$ref"] == (
        "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
    )
    # Recorded from the real server, descriptions included (kubectl explain prints them).
    assert pod["description"].startswith("Pod is a collection of containers")
    assert "/api/v1/nodes/{name}" in doc["paths"]
    review = doc["paths"]["/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"]
    assert set(review) - {"parameters"} == {"post"}


def test_unserved_builtins_are_left_out() -> None:
    """A catalogue without leases (coordination.k8s.io's only type) and without pods
    advertises neither, in v2 nor v3."""
    rts = [rt for rt in BUILTIN_RESOURCES if rt.plural not in ("leases", "pods")]
    c = Catalog(rts)
    v2 = json.loads(openapi_v2(c))["paths"]
    assert not [p for p in v2 if "/leases" in p or "/pods" in p]
    assert "/api/v1/namespaces/{namespace}/services/{name}" in v2
    assert "/api/v1/namespaces/{name}/status" in v2
    index = openapi_v3_index(c)["paths"]
    assert "apis/coordination.k8s.io/v1" not in index
    assert "apis/coordination.k8s.io" not in index
    assert {"api", "apis", "version", "apis/apps", "api/v1"} <= set(index)
    assert openapi_v3_group_version(c, "apis/coordination.k8s.io/v1") is None
    core = openapi_v3_group_version(c, "api/v1")
    assert core is not None
    paths = json.loads(core)["paths"]
    assert "/api/v1/namespaces/{namespace}/configmaps" in paths
    assert not [p for p in paths if "/pods" in p]
    full = openapi_v3_index(Catalog())["paths"]
    assert {"apis/coordination.k8s.io/v1", "apis/coordination.k8s.io"} <= set(full)


def test_custom_resources_in_their_own_group() -> None:
    c = Catalog()
    c.add(ResourceType("stable.example.com", "v1", "widgets", "widget", "Widget", True,
                       ("get", "list"), is_crd=True))  # fmt: skip
    body = openapi_v3_group_version(c, "apis/stable.example.com/v1")
    assert body is not None
    schemas = json.loads(body)["components"]["schemas"]
    assert schemas["com.example.stable.v1.Widget"]["x-kubernetes-group-version-kind"] == [
        {"group": "stable.example.com", "kind": "Widget", "version": "v1"}
    ]
    # The meta types are the real ones, with what they refer to.
    meta = "io.k8s.apimachinery.pkg.apis.meta.v1."
    assert schemas[meta + "ObjectMeta"]["description"].startswith("ObjectMeta is metadata")
    assert meta + "ManagedFieldsEntry" in schemas
    v2 = json.loads(openapi_v2(c))
    assert "com.example.stable.v1.WidgetList" in v2["definitions"]
    assert "/apis/stable.example.com/v1/namespaces/{namespace}/widgets" in v2["paths"]
