"""The RESTClient against both backends: the sandbox and the real kube-apiserver."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kctl.errors import StatusError
from kctl.rest import rest_client_for, unversioned_rest_client_for
from kctl.schema import GroupVersion


def core(cluster: Any) -> Any:
    cfg = cluster.rest_config().copy(group_version=GroupVersion("", "v1"), api_path="/api")
    return rest_client_for(cfg)


def test_version_and_fluent_requests(cluster: Any) -> None:
    raw = unversioned_rest_client_for(cluster.rest_config())
    version = raw.get().abs_path("/version").do().json()
    assert version["major"] == "1"
    assert version["minor"] == "37"
    assert version["gitVersion"].startswith("v1.37.")

    rc = core(cluster)
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "r1"}, "data": {"a": "1"}}
    result = rc.post().namespace(cluster.namespace).resource("configmaps").body(body).do()
    assert result.status_code == 201
    assert result.was_created
    got = rc.get().namespace(cluster.namespace).resource("configmaps").name("r1").do().json()
    assert got["data"] == {"a": "1"}
    listed = (
        rc.get()
        .namespace(cluster.namespace)
        .resource("configmaps")
        .param("fieldSelector", "metadata.name=r1")
        .do()
        .json()
    )
    assert [o["metadata"]["name"] for o in listed["items"]] == ["r1"]
    assert listed["kind"] == "ConfigMapList"


def test_unknown_resource_is_the_servers_404(cluster: Any) -> None:
    rc = core(cluster)
    with pytest.raises(StatusError) as info:
        rc.get().namespace(cluster.namespace).resource("nosuchthings").do()
    assert (info.value.code, info.value.reason) == (404, "NotFound")
    assert info.value.message == "the server could not find the requested resource"


def test_invalid_object_names_the_field(cluster: Any) -> None:
    rc = core(cluster)
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "Bad_Name"}}
    with pytest.raises(StatusError) as info:
        rc.post().namespace(cluster.namespace).resource("configmaps").body(body).do()
    assert (info.value.code, info.value.reason) == (422, "Invalid")
    assert info.value.message.startswith(
        'ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain'
    )


def test_strict_field_validation_refuses_unknown_fields(cluster: Any) -> None:
    rc = core(cluster)
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "s"}, "bogus": 1}
    with pytest.raises(StatusError) as info:
        (
            rc.post()
            .namespace(cluster.namespace)
            .resource("configmaps")
            .param("fieldValidation", "Strict")
            .body(body)
            .do()
        )
    assert (info.value.code, info.value.reason) == (400, "BadRequest")
    assert info.value.message == (
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: '
        'strict decoding error: unknown field "bogus"'
    )


def test_expired_continue_and_watch_are_410(cluster: Any, compact: Callable[[Any], None]) -> None:
    # PodTemplates, which the shared real server serves without its watch cache.
    rc = core(cluster)

    def create(name: str) -> None:
        body = {
            "apiVersion": "v1",
            "kind": "PodTemplate",
            "metadata": {"name": name},
            "template": {"spec": {"containers": [{"name": "c", "image": "busybox"}]}},
        }
        rc.post().namespace(cluster.namespace).resource("podtemplates").body(body).do()

    for i in range(3):
        create(f"e{i}")
    first = (
        rc.get().namespace(cluster.namespace).resource("podtemplates").param("limit", 1).do().json()
    )
    token = first["metadata"]["continue"]
    old_rv = first["metadata"]["resourceVersion"]
    # Two writes after the list, then compaction: the list's revision and the one after it
    # are out of reach.
    create("later1")
    create("later2")
    compact(cluster)

    page = rc.get().namespace(cluster.namespace).resource("podtemplates").param("limit", 1)
    with pytest.raises(StatusError) as info:
        page.param("continue", token).do()
    assert (info.value.code, info.value.reason) == (410, "Expired")
    assert info.value.message.startswith(
        "The provided continue parameter is too old to display a consistent list result."
    )
    # The answer carries a token for the rest of the list as it is now (inconsistent).
    fresh = info.value.status["metadata"]["continue"]
    rest = (
        rc.get()
        .namespace(cluster.namespace)
        .resource("podtemplates")
        .param("continue", fresh)
        .do()
        .json()
    )
    assert [o["metadata"]["name"] for o in rest["items"]] == ["e1", "e2", "later1", "later2"]

    watch = (
        rc.get()
        .namespace(cluster.namespace)
        .resource("podtemplates")
        .param("watch", "true")
        .param("resourceVersion", old_rv)
        .param("timeoutSeconds", 10)
        .watch()
    )
    with watch:
        event = next(iter(watch))
    assert event.type == "ERROR"
    assert event.object["code"] == 410
    assert event.object["reason"] == "Expired"
