from __future__ import annotations

import json

from kctl.sandbox._catalog import Catalog, ResourceType
from kctl.sandbox._openapi import (
    definition_name,
    openapi_v2,
    openapi_v3_group_version,
    openapi_v3_index,
)


def test_definition_names() -> None:
    c = Catalog()
    pods, deploy, crd = (
        c.get("", "v1", "pods"),
        c.get("apps", "v1", "deployments"),
        c.get("apiextensions.k8s.io", "v1", "customresourcedefinitions"),
    )
    assert pods is not None and deploy is not None and crd is not None
    assert definition_name(pods) == "io.k8s.api.core.v1.Pod"
    assert definition_name(deploy, "DeploymentList") == "io.k8s.api.apps.v1.DeploymentList"
    assert definition_name(crd) == (
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition"
    )
    widget = ResourceType(
        "stable.example.com", "v1", "widgets", "widget", "Widget", True, ("get",), is_crd=True
    )
    assert definition_name(widget) == "com.example.stable.v1.Widget"


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
    assert pod["properties"]["metadata"] == {
        "$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
    }
    assert "/api/v1/nodes/{name}" in doc["paths"]
    review = doc["paths"]["/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"]
    assert set(review) == {"post"}
