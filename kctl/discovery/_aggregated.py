"""Aggregated discovery (apidiscovery.k8s.io/v2) turned into the legacy shapes.

One ``GET /api`` plus one ``GET /apis`` return every group, version and resource. client-go
converts that document into an APIGroupList plus one APIResourceList per group-version, and so
do we: the rest of the package (and kubectl's disk cache) only knows the legacy shapes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kctl.discovery._types import (
    APIGroup,
    APIGroupList,
    APIResource,
    APIResourceList,
    GroupVersionForDiscovery,
)
from kctl.errors import DiscoveryError
from kctl.schema import GroupVersion

__all__ = [
    "ACCEPT_AGGREGATED",
    "ACCEPT_DISCOVERY",
    "ACCEPT_LEGACY",
    "StaleGroupVersionError",
    "is_aggregated_content_type",
    "split_groups_and_resources",
]

ACCEPT_LEGACY = "application/json"
# client-go's AcceptV2; the parameters must be in this order (g, v, as) for the server.
ACCEPT_AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
ACCEPT_DISCOVERY = ACCEPT_AGGREGATED + "," + ACCEPT_LEGACY


class StaleGroupVersionError(DiscoveryError):
    """A group-version the aggregated document marks ``freshness: Stale``."""

    def __init__(self, gv: GroupVersion) -> None:
        self.gv = gv
        super().__init__(f"stale GroupVersion discovery: {gv}")


def is_aggregated_content_type(content_type: str | None) -> bool:
    """True for ``application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList`` in
    any parameter order (client-go's ContentTypeIsGVK)."""
    if not content_type:
        return False
    base, *raw_params = content_type.split(";")
    params: dict[str, str] = {}
    for raw in raw_params:
        key, sep, value = raw.partition("=")
        if not sep:
            return False
        params[key.strip().lower()] = value.strip().strip('"')
    return (
        base.strip().lower() == "application/json"
        and params.get("g") == "apidiscovery.k8s.io"
        and params.get("v") == "v2"
        and params.get("as") == "APIGroupDiscoveryList"
    )


def _response_kind(entry: Mapping[str, Any]) -> Mapping[str, Any] | None:
    kind = entry.get("responseKind")
    if not isinstance(kind, Mapping) or not any(kind.get(k) for k in ("group", "version", "kind")):
        return None
    return kind


def _convert_group(
    item: Mapping[str, Any],
) -> tuple[APIGroup, dict[GroupVersion, APIResourceList], dict[GroupVersion, BaseException]]:
    name = str((item.get("metadata") or {}).get("name") or "")
    versions: list[GroupVersionForDiscovery] = []
    resources: dict[GroupVersion, APIResourceList] = {}
    failed: dict[GroupVersion, BaseException] = {}
    for v in item.get("versions") or ():
        gv = GroupVersion(name, str(v.get("version") or ""))
        if v.get("freshness") == "Stale":
            failed[gv] = StaleGroupVersionError(gv)
            continue
        versions.append(GroupVersionForDiscovery(str(gv), gv.version))
        converted: list[APIResource] = []
        for r in v.get("resources") or ():
            parent = APIResource(
                name=str(r.get("resource") or ""),
                singular_name=str(r.get("singularResource") or ""),
                namespaced=r.get("scope") == "Namespaced",
                verbs=tuple(r.get("verbs") or ()),
                short_names=tuple(r.get("shortNames") or ()),
                categories=tuple(r.get("categories") or ()),
            )
            kind = _response_kind(r)
            # A parent without a kind is not listed, but its subresources still are.
            if kind is not None:
                converted.append(
                    APIResource(
                        name=parent.name,
                        singular_name=parent.singular_name,
                        namespaced=parent.namespaced,
                        group=str(kind.get("group") or ""),
                        version=str(kind.get("version") or ""),
                        kind=str(kind.get("kind") or ""),
                        verbs=parent.verbs,
                        short_names=parent.short_names,
                        categories=parent.categories,
                    )
                )
            for sub in r.get("subresources") or ():
                sub_kind = _response_kind(sub)
                if sub_kind is None:
                    continue
                converted.append(
                    APIResource(
                        name=f"{parent.name}/{sub.get('subresource') or ''}",
                        singular_name=parent.singular_name,
                        namespaced=parent.namespaced,
                        group=str(sub_kind.get("group") or ""),
                        version=str(sub_kind.get("version") or ""),
                        kind=str(sub_kind.get("kind") or ""),
                        verbs=tuple(sub.get("verbs") or ()),
                    )
                )
        resources[gv] = APIResourceList(str(gv), tuple(converted))
    # The preferred version is the first one that is not stale.
    group = APIGroup(name, tuple(versions), versions[0] if versions else None)
    return group, resources, failed


def split_groups_and_resources(
    document: Mapping[str, Any],
) -> tuple[APIGroupList, dict[GroupVersion, APIResourceList], dict[GroupVersion, BaseException]]:
    """An APIGroupDiscoveryList as (groups, resources by group-version, stale group-versions)."""
    groups: list[APIGroup] = []
    resources: dict[GroupVersion, APIResourceList] = {}
    failed: dict[GroupVersion, BaseException] = {}
    for item in document.get("items") or ():
        group, group_resources, group_failed = _convert_group(item)
        groups.append(group)
        resources.update(group_resources)
        failed.update(group_failed)
    return APIGroupList(tuple(groups)), resources, failed
