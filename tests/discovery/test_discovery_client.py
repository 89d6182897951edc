from __future__ import annotations

from typing import Any

import pytest

from kctl.discovery import (
    ACCEPT_DISCOVERY,
    DiscoveryClient,
    StaleGroupVersionError,
    split_groups_and_resources,
)
from kctl.discovery._aggregated import is_aggregated_content_type
from kctl.errors import DiscoveryError, GroupDiscoveryFailedError, StatusError
from kctl.schema import GroupVersion


def test_accept_header_is_client_gos() -> None:
    assert ACCEPT_DISCOVERY == (
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
    )


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList", True),
        ("application/json; as=APIGroupDiscoveryList; v=v2; g=apidiscovery.k8s.io", True),
        ("application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList", False),
        ("application/json", False),
        ("", False),
    ],
)
def test_aggregated_content_type(content_type: str, expected: bool) -> None:
    assert is_aggregated_content_type(content_type) is expected


def test_split_recorded_document(kit: Any) -> None:
    groups, resources, failed = split_groups_and_resources(kit.load("aggregated_apis.json"))
    assert [g.name for g in groups.groups] == ["apps", "events.k8s.io", "autoscaling", "batch"]
    autoscaling = groups.groups[2]
    assert [v.group_version for v in autoscaling.versions] == ["autoscaling/v2", "autoscaling/v1"]
    assert autoscaling.preferred_version is not None
    assert autoscaling.preferred_version.version == "v2"
    apps = resources[GroupVersion("apps", "v1")]
    by_name = {r.name: r for r in apps.resources}
    assert kit.names(apps)[:4] == [
        "controllerrevisions",
        "daemonsets",
        "daemonsets/status",
        "deployments",
    ]
    scale = by_name["deployments/scale"]
    assert (scale.group, scale.version, scale.kind) == ("autoscaling", "v1", "Scale")
    assert scale.namespaced and scale.singular_name == "deployment"
    deploy = by_name["deployments"]
    assert deploy.kind == "Deployment" and deploy.short_names == ("deploy",)
    assert deploy.categories == ("all",) and "watch" in deploy.verbs
    assert failed == {}


def test_stale_versions_are_failures_and_not_preferred(kit: Any) -> None:
    doc = {
        "items": [
            {
                "metadata": {"name": "metrics.k8s.io"},
                "versions": [
                    {"version": "v1beta2", "freshness": "Stale", "resources": []},
                    {
                        "version": "v1beta1",
                        "freshness": "Current",
                        "resources": [kit.crd_resource("pods", "PodMetrics")],
                    },
                ],
            }
        ]
    }
    groups, resources, failed = split_groups_and_resources(doc)
    group = groups.groups[0]
    assert [v.version for v in group.versions] == ["v1beta1"]
    assert group.preferred_version is not None and group.preferred_version.version == "v1beta1"
    err = failed[GroupVersion("metrics.k8s.io", "v1beta2")]
    assert isinstance(err, StaleGroupVersionError)
    assert str(err) == "stale GroupVersion discovery: metrics.k8s.io/v1beta2"
    assert list(resources) == [GroupVersion("metrics.k8s.io", "v1beta1")]


def test_resource_without_kind_keeps_its_subresources() -> None:
    doc = {
        "items": [
            {
                "metadata": {"name": "g"},
                "versions": [
                    {
                        "version": "v1",
                        "resources": [
                            {
                                "resource": "things",
                                "scope": "Cluster",
                                "subresources": [
                                    {
                                        "subresource": "status",
                                        "responseKind": {"kind": "Thing"},
                                        "verbs": ["get"],
                                    },
                                    {"subresource": "nokind", "verbs": ["get"]},
                                ],
                            }
                        ],
                    }
                ],
            }
        ]
    }
    _, resources, _ = split_groups_and_resources(doc)
    [only] = resources[GroupVersion("g", "v1")].resources
    assert only.name == "things/status" and only.kind == "Thing" and not only.namespaced


def test_aggregated_fetch_is_two_requests(client: DiscoveryClient, server: Any) -> None:
    groups, lists = client.server_groups_and_resources()
    assert server.requests == [("/api", ACCEPT_DISCOVERY), ("/apis", ACCEPT_DISCOVERY)]
    assert [g.name for g in groups] == ["", "apps", "events.k8s.io", "autoscaling", "batch"]
    assert [lst.group_version for lst in lists] == [
        "v1",
        "apps/v1",
        "events.k8s.io/v1",
        "autoscaling/v2",
        "autoscaling/v1",
        "batch/v1",
    ]


def test_legacy_fallback_fetches_each_group_version(client: DiscoveryClient, server: Any) -> None:
    server.aggregated = False
    groups, lists = client.server_groups_and_resources()
    assert groups[0].name == "" and groups[0].versions[0].group_version == "v1"
    assert [lst.group_version for lst in lists] == [
        "v1",
        "apps/v1",
        "events.k8s.io/v1",
        "autoscaling/v2",
        "autoscaling/v1",
        "batch/v1",
    ]
    assert sorted(server.paths()) == sorted(
        [
            "/api",
            "/apis",
            "/api/v1",
            "/apis/apps/v1",
            "/apis/events.k8s.io/v1",
            "/apis/autoscaling/v2",
            "/apis/autoscaling/v1",
            "/apis/batch/v1",
        ]
    )
    # The same data either way.
    server.aggregated = True
    assert client.server_groups_and_resources()[1] == lists


def test_with_legacy_never_asks_for_aggregated(client: DiscoveryClient, server: Any) -> None:
    client.with_legacy().server_groups()
    assert {accept for _, accept in server.requests} == {"application/json"}


def test_missing_legacy_prefix_is_not_an_error(client: DiscoveryClient, server: Any) -> None:
    server.failing["/api"] = 404
    groups = client.server_groups()
    assert [g.name for g in groups.groups] == ["apps", "events.k8s.io", "autoscaling", "batch"]


def test_core_v1_not_found_is_empty(client: DiscoveryClient, server: Any) -> None:
    server.failing["/api/v1"] = 404
    assert client.server_resources_for_group_version("v1").resources == ()
    server.failing["/apis/apps/v1"] = 404
    with pytest.raises(StatusError):
        client.server_resources_for_group_version("apps/v1")


def test_partial_failure_gives_partial_results(client: DiscoveryClient, server: Any) -> None:
    server.aggregated = False
    server.failing["/apis/batch/v1"] = 503
    server.failing["/apis/apps/v1"] = 500
    with pytest.raises(GroupDiscoveryFailedError) as info:
        client.server_groups_and_resources()
    err = info.value
    assert str(err) == (
        "unable to retrieve the complete list of server APIs: apps/v1: boom, "
        "batch/v1: the server is currently unable to handle the request"
    )
    assert set(err.groups) == {"apps/v1", "batch/v1"}
    groups, lists = err.partial
    assert len(groups) == 5
    assert "batch/v1" not in [lst.group_version for lst in lists]
    assert "autoscaling/v2" in [lst.group_version for lst in lists]
    # client-go retries a partial failure once.
    assert server.paths().count("/apis/batch/v1") == 2


def test_stale_aggregated_group_is_reported(client: DiscoveryClient, server: Any, kit: Any) -> None:
    server.apis["items"].append(
        kit.crd_group(
            "metrics.k8s.io", "v1beta1", kit.crd_resource("nodes", "NodeMetrics"), stale=True
        )
    )
    with pytest.raises(GroupDiscoveryFailedError) as info:
        client.server_preferred_resources()
    assert str(info.value) == (
        "unable to retrieve the complete list of server APIs: metrics.k8s.io/v1beta1: "
        "stale GroupVersion discovery: metrics.k8s.io/v1beta1"
    )
    assert "apps/v1" in [lst.group_version for lst in info.value.partial]


def test_preferred_resources(client: DiscoveryClient) -> None:
    lists = client.server_preferred_resources()
    by_gv = {lst.group_version: [r.name for r in lst.resources] for lst in lists}
    # autoscaling: v2 is preferred, so hpa is only listed there; v1 stays as an empty list.
    assert by_gv["autoscaling/v2"] == ["horizontalpodautoscalers"]
    assert by_gv["autoscaling/v1"] == []
    assert all("/" not in name for names in by_gv.values() for name in names)
    assert by_gv["v1"][:3] == ["configmaps", "endpoints", "events"]
    namespaced = {
        lst.group_version: [r.name for r in lst.resources]
        for lst in client.server_preferred_namespaced_resources()
    }
    assert "namespaces" not in namespaced["v1"] and "nodes" not in namespaced["v1"]
    assert "pods" in namespaced["v1"]


def test_server_version(client: DiscoveryClient, server: Any) -> None:
    server.extra["/version"] = lambda: b'{"major":"1","minor":"37","gitVersion":"v1.37.2"}'
    info = client.server_version()
    assert (info.major, info.minor, str(info)) == ("1", "37", "v1.37.2")
    server.extra["/version"] = lambda: b"<html>"
    with pytest.raises(DiscoveryError, match=r"^unable to parse the server version: "):
        client.server_version()


def test_openapi_v3_paths(client: DiscoveryClient, server: Any) -> None:
    server.extra["/openapi/v3"] = lambda: (
        b'{"paths":{"apis/apps/v1":{"serverRelativeURL":"/openapi/v3/apis/apps/v1?hash=AB"}}}'
    )
    server.extra["/openapi/v3/apis/apps/v1"] = lambda: b'{"openapi":"3.0.0"}'
    paths = client.open_api_v3().paths()
    assert list(paths) == ["apis/apps/v1"]
    assert paths["apis/apps/v1"].schema() == b'{"openapi":"3.0.0"}'
