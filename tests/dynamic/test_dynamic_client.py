"""DynamicClient request shapes against a fake transport (pure, no network)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from kctl import dynamic
from kctl.errors import RequestError
from kctl.metav1 import DeleteOptions, ListOptions, Preconditions
from kctl.rest import Config, HTTPRequest, PatchType
from kctl.schema import GroupVersionResource

PODS = GroupVersionResource("", "v1", "pods")
DEPLOYS = GroupVersionResource("apps", "v1", "deployments")


def path_of(request: HTTPRequest) -> str:
    return urlsplit(request.url).path


def query_of(request: HTTPRequest) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(request.url).query)


@pytest.fixture
def dyn(config: Config, fake: Any) -> dynamic.DynamicClient:
    return dynamic.new_for_config(config, transport=fake)


def test_list_namespaced_with_keyword_options(dyn: dynamic.DynamicClient, fake: Any) -> None:
    lst = dyn.resource(PODS).namespace("dev").list(limit=100, label_selector="app=web")
    assert lst["metadata"]["resourceVersion"] == "7"
    assert path_of(fake.last) == "/api/v1/namespaces/dev/pods"
    assert sorted(query_of(fake.last)) == [("labelSelector", "app=web"), ("limit", "100")]
    assert fake.last.headers.get("Accept") == "application/json"


def test_options_dataclass_and_keywords_merge(dyn: dynamic.DynamicClient, fake: Any) -> None:
    opts = ListOptions(field_selector="status.phase=Running", limit=5)
    dyn.resource(DEPLOYS).list(opts, limit=50, continue_="tok")
    assert path_of(fake.last) == "/apis/apps/v1/deployments"
    assert sorted(query_of(fake.last)) == [
        ("continue", "tok"),
        ("fieldSelector", "status.phase=Running"),
        ("limit", "50"),
    ]


def test_get_and_subresource(dyn: dynamic.DynamicClient, fake: Any) -> None:
    dyn.resource(DEPLOYS).namespace("dev").get("web", subresources=["scale"], resource_version="0")
    assert fake.last.method == "GET"
    assert path_of(fake.last) == "/apis/apps/v1/namespaces/dev/deployments/web/scale"
    assert query_of(fake.last) == [("resourceVersion", "0")]


def test_create_update_update_status(dyn: dynamic.DynamicClient, fake: Any) -> None:
    pods = dyn.resource(PODS).namespace("dev")
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}
    assert pods.create(pod, dry_run="All", field_manager="me") == pod
    assert (fake.last.method, path_of(fake.last)) == ("POST", "/api/v1/namespaces/dev/pods")
    assert sorted(query_of(fake.last)) == [("dryRun", "All"), ("fieldManager", "me")]
    pods.update(pod, field_validation="Strict")
    assert (fake.last.method, path_of(fake.last)) == ("PUT", "/api/v1/namespaces/dev/pods/p")
    assert query_of(fake.last) == [("fieldValidation", "Strict")]
    pods.update_status(pod)
    assert path_of(fake.last) == "/api/v1/namespaces/dev/pods/p/status"


def test_names_are_required(dyn: dynamic.DynamicClient, fake: Any) -> None:
    pods = dyn.resource(PODS).namespace("dev")
    for call in (
        lambda: pods.get(""),
        lambda: pods.delete(""),
        lambda: pods.update({"metadata": {}}),
        lambda: pods.patch("", PatchType.MERGE, {}),
        lambda: pods.create({"metadata": {}}, subresources=["binding"]),
        lambda: pods.apply({"metadata": {}}, field_manager="m"),
    ):
        with pytest.raises(RequestError, match=r"^name is required$"):
            call()
    assert fake.requests == []


def test_delete_sends_delete_options_in_body(dyn: dynamic.DynamicClient, fake: Any) -> None:
    dyn.resource(PODS).namespace("dev").delete(
        "p",
        grace_period_seconds=0,
        propagation_policy="Foreground",
        preconditions=Preconditions(uid="u1"),
    )
    assert (fake.last.method, path_of(fake.last)) == ("DELETE", "/api/v1/namespaces/dev/pods/p")
    assert query_of(fake.last) == []
    assert json.loads(fake.last.body or b"") == {
        "kind": "DeleteOptions",
        "apiVersion": "v1",
        "gracePeriodSeconds": 0,
        "preconditions": {"uid": "u1"},
        "propagationPolicy": "Foreground",
    }


def test_delete_collection(dyn: dynamic.DynamicClient, fake: Any) -> None:
    dyn.resource(PODS).namespace("dev").delete_collection(
        DeleteOptions(dry_run=["All"]), label_selector="app=x"
    )
    assert (fake.last.method, path_of(fake.last)) == ("DELETE", "/api/v1/namespaces/dev/pods")
    assert query_of(fake.last) == [("labelSelector", "app=x")]
    assert json.loads(fake.last.body or b"")["dryRun"] == ["All"]


@pytest.mark.parametrize(
    ("patch_type", "data", "body"),
    [
        (
            PatchType.MERGE,
            {"metadata": {"labels": {"a": "b"}}},
            {"metadata": {"labels": {"a": "b"}}},
        ),
        (PatchType.STRATEGIC_MERGE, '{"spec":{}}', {"spec": {}}),
        (
            PatchType.JSON,
            [{"op": "remove", "path": "/metadata/labels/a"}],
            [{"op": "remove", "path": "/metadata/labels/a"}],
        ),
    ],
)
def test_patch_types(
    dyn: dynamic.DynamicClient, fake: Any, patch_type: str, data: Any, body: Any
) -> None:
    fake.handler = lambda r: (200, {"kind": "Pod"})
    dyn.resource(PODS).namespace("dev").patch("p", patch_type, data, field_manager="m")
    assert fake.last.method == "PATCH"
    assert fake.last.headers.get("Content-Type") == patch_type
    assert json.loads(fake.last.body or b"") == body
    assert query_of(fake.last) == [("fieldManager", "m")]


def test_apply_is_an_apply_patch_with_force(dyn: dynamic.DynamicClient, fake: Any) -> None:
    fake.handler = lambda r: (200, {"kind": "Deployment"})
    obj = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}}
    deploys = dyn.resource(DEPLOYS).namespace("dev")
    deploys.apply(obj, field_manager="kctl")
    assert fake.last.method == "PATCH"
    assert path_of(fake.last) == "/apis/apps/v1/namespaces/dev/deployments/web"
    assert fake.last.headers.get("Content-Type") == "application/apply-patch+yaml"
    assert sorted(query_of(fake.last)) == [("fieldManager", "kctl"), ("force", "false")]
    assert json.loads(fake.last.body or b"") == obj
    deploys.apply_status(obj, field_manager="kctl", force=True)
    assert path_of(fake.last).endswith("/deployments/web/status")
    assert ("force", "true") in query_of(fake.last)
    with pytest.raises(RequestError, match="fieldManager is required"):
        deploys.apply(obj)


def test_watch_sets_watch_param_and_decodes(dyn: dynamic.DynamicClient, fake: Any) -> None:
    lines = (
        b'{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"2"}}}\n'
        b'{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"3"}}}\n'
        b"not json\n"
    )
    fake.handler = lambda r: (200, lines)
    w = dyn.resource(PODS).watch(resource_version="1")
    events = list(w)
    assert sorted(query_of(fake.last)) == [("resourceVersion", "1"), ("watch", "true")]
    assert [e.type for e in events] == ["ADDED", "BOOKMARK", "ERROR"]
    assert "unable to decode an event from the watch stream" in events[2].object["message"]


def test_unknown_option_keyword_is_a_type_error(dyn: dynamic.DynamicClient) -> None:
    with pytest.raises(TypeError):
        dyn.resource(PODS).list(limt=5)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("gvr", "path"),
    [
        (GroupVersionResource("", "", "configmaps"), "/api/namespaces/dev/configmaps/a"),
        (
            GroupVersionResource("apps", "", "deployments"),
            "/apis/apps/namespaces/dev/deployments/a",
        ),
    ],
)
def test_a_resource_without_version_has_no_version_segment(
    dyn: dynamic.DynamicClient, fake: Any, gvr: GroupVersionResource, path: str
) -> None:
    """As client-go's dynamic client (path.Join drops the empty segment): what kubectl's
    builder requests for a manifest that names no apiVersion."""
    dyn.resource(gvr).namespace("dev").get("a")
    assert path_of(fake.last) == path


def test_resource_needs_a_resource_name(dyn: dynamic.DynamicClient) -> None:
    with pytest.raises(ValueError, match="no resource name"):
        dyn.resource(GroupVersionResource("apps", "v1", ""))


def test_clients_share_the_config_limiter(fake: Any) -> None:
    limited = Config(host="http://127.0.0.1:1", qps=5)
    dyn = dynamic.new_for_config(limited, transport=fake)
    a = dyn.resource(PODS).rest_client()
    b = dyn.resource(DEPLOYS).rest_client()
    assert a is not b
    assert a.rate_limiter is b.rate_limiter is not None
