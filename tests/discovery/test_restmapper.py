from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kctl.discovery import (
    CachedDiscoveryClient,
    DiscoveryClient,
    RESTMapper,
    parse_kind_arg,
    parse_resource_arg,
)
from kctl.errors import NoKindMatchError, NoMatchError, NoResourceMatchError
from kctl.schema import GroupKind, GroupResource, GroupVersionKind, GroupVersionResource


@pytest.fixture
def warnings() -> list[str]:
    return []


@pytest.fixture
def mapper(client: DiscoveryClient, warnings: list[str]) -> RESTMapper:
    return RESTMapper(client, warning_handler=warnings.append)


def test_parse_args() -> None:
    assert parse_resource_arg("deployments.v1.apps") == (
        GroupVersionResource("apps", "v1", "deployments"),
        GroupResource("v1.apps", "deployments"),
    )
    assert parse_resource_arg("deploy.apps") == (None, GroupResource("apps", "deploy"))
    assert parse_kind_arg("Ingress.v1.networking.k8s.io") == (
        GroupVersionKind("networking.k8s.io", "v1", "Ingress"),
        GroupKind("v1.networking.k8s.io", "Ingress"),
    )


@pytest.mark.parametrize(
    ("arg", "resource", "kind", "namespaced"),
    [
        ("pods", ("", "v1", "pods"), "Pod", True),
        ("pod", ("", "v1", "pods"), "Pod", True),
        ("po", ("", "v1", "pods"), "Pod", True),
        ("Pod", ("", "v1", "pods"), "Pod", True),
        ("PODS", ("", "v1", "pods"), "Pod", True),
        ("ns", ("", "v1", "namespaces"), "Namespace", False),
        ("no", ("", "v1", "nodes"), "Node", False),
        ("endpoints", ("", "v1", "endpoints"), "Endpoints", True),
        ("deploy", ("apps", "v1", "deployments"), "Deployment", True),
        ("deploy.apps", ("apps", "v1", "deployments"), "Deployment", True),
        ("deployments.apps", ("apps", "v1", "deployments"), "Deployment", True),
        ("deployments.v1.apps", ("apps", "v1", "deployments"), "Deployment", True),
        ("deployment.v1.apps", ("apps", "v1", "deployments"), "Deployment", True),
        ("Deployment", ("apps", "v1", "deployments"), "Deployment", True),
        ("Deployment.apps", ("apps", "v1", "deployments"), "Deployment", True),
        ("Deployment.v1.apps", ("apps", "v1", "deployments"), "Deployment", True),
        # The group's preferred version wins; an explicit version is honoured.
        ("hpa", ("autoscaling", "v2", "horizontalpodautoscalers"), "HorizontalPodAutoscaler", True),
        (
            "horizontalpodautoscalers.v1.autoscaling",
            ("autoscaling", "v1", "horizontalpodautoscalers"),
            "HorizontalPodAutoscaler",
            True,
        ),
        # Core v1 beats every other group.
        ("events", ("", "v1", "events"), "Event", True),
        ("events.events.k8s.io", ("events.k8s.io", "v1", "events"), "Event", True),
        ("cj", ("batch", "v1", "cronjobs"), "CronJob", True),
        ("jobs.batch", ("batch", "v1", "jobs"), "Job", True),
    ],
)
def test_mapping_for(
    mapper: RESTMapper, arg: str, resource: tuple[str, str, str], kind: str, namespaced: bool
) -> None:
    mapping = mapper.mapping_for(arg)
    assert tuple(mapping.resource) == resource
    assert mapping.group_version_kind == GroupVersionKind(resource[0], resource[1], kind)
    assert mapping.namespaced is namespaced
    assert mapping.scope == ("namespace" if namespaced else "root")


@pytest.mark.parametrize(
    ("arg", "group", "resource"),
    [
        ("foo", "", "foo"),
        ("foo.apps", "apps", "foo"),
        ("deploy.batch", "batch", "deploy"),
        ("po.v1.apps", "v1.apps", "po"),
    ],
)
def test_unknown_type_names_the_parsed_group_and_resource(
    mapper: RESTMapper, arg: str, group: str, resource: str
) -> None:
    # kubectl's message ("... resource type \"po\" in group \"v1.apps\"") is built from this.
    with pytest.raises(NoResourceMatchError) as info:
        mapper.mapping_for(arg)
    assert info.value.partial_resource == GroupVersionResource(group, "", resource)


def test_apimachinery_error_texts(mapper: RESTMapper) -> None:
    with pytest.raises(NoResourceMatchError, match=r"^no matches for /, Resource=foo$"):
        mapper.resource_for(GroupVersionResource(resource="foo"))
    with pytest.raises(NoKindMatchError, match=r'^no matches for kind "Nope" in group "apps"$'):
        mapper.rest_mapping(GroupKind("apps", "Nope"))
    with pytest.raises(
        NoKindMatchError, match=r'^no matches for kind "Deployment" in version "apps/v9"$'
    ):
        mapper.rest_mapping(GroupKind("apps", "Deployment"), "v9")


def test_kind_and_resource_both_ways(mapper: RESTMapper) -> None:
    gvk = mapper.kind_for(GroupVersionResource(resource="deployments"))
    assert gvk == GroupVersionKind("apps", "v1", "Deployment")
    assert mapper.resource_for(GroupVersionResource(resource="deployment")) == (
        GroupVersionResource("apps", "v1", "deployments")
    )
    assert mapper.resources_for(GroupVersionResource(resource="hpa")) == [
        GroupVersionResource("autoscaling", "v2", "horizontalpodautoscalers"),
        GroupVersionResource("autoscaling", "v1", "horizontalpodautoscalers"),
    ]
    mapping = mapper.rest_mapping(GroupKind("autoscaling", "HorizontalPodAutoscaler"))
    assert mapping.resource.version == "v2"
    mapping = mapper.rest_mapping(GroupKind("autoscaling", "HorizontalPodAutoscaler"), "v1")
    assert mapping.resource.version == "v1"
    assert mapper.rest_mapping(GroupKind("", "Namespace")).namespaced is False
    assert mapper.resource_singularizer("po") == "pod"
    assert mapper.resource_singularizer("deployments") == "deployment"


def test_ambiguous_short_name_warns_and_prefers_discovery_order(
    client: DiscoveryClient, server: Any, kit: Any, warnings: list[str]
) -> None:
    server.apis["items"] += [
        kit.crd_group("a.example.com", "v1", kit.crd_resource("widgets", "Widget", ["wd"])),
        kit.crd_group("b.example.com", "v1", kit.crd_resource("gadgets", "Gadget", ["wd"])),
    ]
    mapper = RESTMapper(client, warning_handler=warnings.append)
    assert tuple(mapper.mapping_for("wd").resource) == ("a.example.com", "v1", "widgets")
    assert warnings == [
        'short name "wd" could also match lower priority resource gadgets.b.example.com'
    ]
    # A group narrows the short name: no ambiguity, no warning.
    warnings.clear()
    assert tuple(mapper.mapping_for("wd.b.example.com").resource) == (
        "b.example.com",
        "v1",
        "gadgets",
    )
    assert warnings == []


def test_exact_name_beats_short_name(
    client: DiscoveryClient, server: Any, kit: Any, warnings: list[str]
) -> None:
    # A CRD whose short name is another resource's plural does not hijack it.
    server.apis["items"].append(
        kit.crd_group("x.example.com", "v1", kit.crd_resource("podsets", "PodSet", ["pods"]))
    )
    mapper = RESTMapper(client, warning_handler=warnings.append)
    assert tuple(mapper.mapping_for("pods").resource) == ("", "v1", "pods")
    assert warnings == []


def test_same_plural_in_two_groups_follows_discovery_order(
    client: DiscoveryClient, server: Any, kit: Any
) -> None:
    server.apis["items"] += [
        kit.crd_group("z.example.com", "v1", kit.crd_resource("widgets", "Widget")),
        kit.crd_group("a.example.com", "v1", kit.crd_resource("widgets", "Widget")),
    ]
    mapper = RESTMapper(client)
    assert mapper.mapping_for("widgets").resource.group == "z.example.com"
    assert mapper.mapping_for("widgets.a.example.com").resource.group == "a.example.com"


def test_categories(mapper: RESTMapper, server: Any, kit: Any) -> None:
    assert [str(gr) for gr in mapper.expand_category("all") or []] == [
        "pods",
        "replicationcontrollers",
        "services",
        "daemonsets.apps",
        "deployments.apps",
        "replicasets.apps",
        "statefulsets.apps",
        "horizontalpodautoscalers.autoscaling",
        "cronjobs.batch",
        "jobs.batch",
    ]
    assert mapper.expand_category("nothing-has-this") is None
    assert mapper.replace_aliases("foo,all").startswith("foo,pods,replicationcontrollers,")
    assert mapper.replace_aliases("deploy") == "deploy"


def test_stale_disk_cache_is_refetched_on_a_miss(
    client: DiscoveryClient, server: Any, kit: Any, tmp_path: Path
) -> None:
    CachedDiscoveryClient(client, str(tmp_path)).server_groups_and_resources()
    server.apis["items"].append(
        kit.crd_group("example.com", "v1", kit.crd_resource("widgets", "Widget", ["wd"]))
    )
    before = len(server.requests)
    mapper = RESTMapper(CachedDiscoveryClient(client, str(tmp_path)))
    assert tuple(mapper.mapping_for("wd").resource) == ("example.com", "v1", "widgets")
    assert len(server.requests) > before
    # Now everything is this process's own: an unknown name does not refetch again.
    before = len(server.requests)
    with pytest.raises(NoMatchError):
        mapper.mapping_for("nope")
    assert len(server.requests) == before


def test_partial_discovery_still_maps(client: DiscoveryClient, server: Any) -> None:
    server.aggregated = False
    server.failing["/apis/batch/v1"] = 503
    mapper = RESTMapper(client)
    assert mapper.mapping_for("deploy").resource.resource == "deployments"
    with pytest.raises(NoMatchError):
        mapper.mapping_for("cronjobs")
