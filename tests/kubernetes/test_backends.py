"""The typed ClientSet against both backends: the sandbox and the real kube-apiserver."""

from __future__ import annotations

from typing import Any

import pytest

from kctl import kubernetes
from kctl.errors import StatusError, is_not_found
from kctl.rest import PatchType


def test_typed_crud_scale_and_status(cluster: Any) -> None:
    cs = kubernetes.new_for_config(cluster.rest_config())
    ns = cluster.namespace
    deploy = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]},
            },
        },
    }
    made = cs.apps_v1().deployments(ns).create(deploy)
    # Defaulting is the server's: both fill the same fields.
    spec = made["spec"]
    assert spec["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"},
    }
    assert spec["revisionHistoryLimit"] == 10
    assert spec["progressDeadlineSeconds"] == 600
    container = spec["template"]["spec"]["containers"][0]
    assert container["imagePullPolicy"] == "Always"
    assert container["terminationMessagePath"] == "/dev/termination-log"
    assert spec["template"]["spec"]["restartPolicy"] == "Always"
    assert made["metadata"]["generation"] == 1

    scale = cs.apps_v1().deployments(ns).get_scale("web")
    assert scale["kind"] == "Scale"
    assert scale["spec"] == {"replicas": 2}
    assert scale["status"]["selector"] == "app=web"
    scale["spec"]["replicas"] = 4
    # Unconditional: the sandbox's deployment controller may have written status meanwhile.
    del scale["metadata"]["resourceVersion"]
    cs.apps_v1().deployments(ns).update_scale("web", scale)
    assert cs.apps_v1().deployments(ns).get("web")["spec"]["replicas"] == 4

    patched = (
        cs.apps_v1()
        .deployments(ns)
        .patch("web", PatchType.MERGE, {"metadata": {"annotations": {"a": "b"}}})
    )
    assert patched["metadata"]["annotations"] == {"a": "b"}
    # A Deployment's annotations are copied to its ReplicaSets: changing them is a new
    # generation, as the scale above was.
    assert patched["metadata"]["generation"] == 3
    relabelled = (
        cs.apps_v1()
        .deployments(ns)
        .patch("web", PatchType.MERGE, {"metadata": {"labels": {"x": "y"}}})
    )
    assert relabelled["metadata"]["generation"] == 3

    cs.core_v1().secrets(ns).create(
        {"metadata": {"name": "s"}, "stringData": {"password": "p4ss"}, "type": "Opaque"}
    )
    secret = cs.core_v1().secrets(ns).get("s")
    assert secret["data"] == {"password": "cDRzcw=="}
    assert "stringData" not in secret

    cs.apps_v1().deployments(ns).delete("web")
    with pytest.raises(StatusError) as info:
        cs.apps_v1().deployments(ns).get("web")
    assert is_not_found(info.value)


def test_namespaced_object_in_a_missing_namespace(cluster: Any) -> None:
    cs = kubernetes.new_for_config(cluster.rest_config())
    with pytest.raises(StatusError) as info:
        cs.core_v1().config_maps("no-such-ns").create({"metadata": {"name": "x"}})
    assert (info.value.code, info.value.reason) == (404, "NotFound")
    assert info.value.message == 'namespaces "no-such-ns" not found'
