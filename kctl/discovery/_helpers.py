"""The algorithms client-go shares between its discovery clients (discovery/helper.go,
discovery_client.go): fan-out per group-version, discovery ordering, preferred versions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Protocol, TypeVar

from kctl.discovery._types import APIGroup, APIGroupList, APIResource, APIResourceList
from kctl.errors import GroupDiscoveryFailedError, KctlError
from kctl.schema import GroupResource, GroupVersion

__all__ = [
    "DiscoveryInterface",
    "failed_error",
    "fetch_group_version_resources",
    "in_discovery_order",
    "namespaced_only",
    "preferred_resources",
    "with_retries",
]

T = TypeVar("T")

# client-go's discovery burst: enough for one request per group-version (issue 86149).
DEFAULT_BURST = 300

# Errors one group-version may fail with; anything else is a bug and should propagate.
FETCH_ERRORS = (KctlError, ValueError, OSError)

# Enough threads to overlap latency of a cluster's ~25 group-versions without a big pool.
_MAX_WORKERS = 16

# client-go repeats a whole discovery pass once when a group vanished in between (CRDs).
_DEFAULT_RETRIES = 2


class DiscoveryInterface(Protocol):
    def server_groups(self) -> APIGroupList: ...

    def server_resources_for_group_version(self, group_version: str) -> APIResourceList: ...

    def server_groups_and_resources(self) -> tuple[list[APIGroup], list[APIResourceList]]: ...

    def server_preferred_resources(self) -> list[APIResourceList]: ...


def failed_error(
    failed: Mapping[GroupVersion, BaseException], partial: object
) -> GroupDiscoveryFailedError:
    return GroupDiscoveryFailedError({str(gv): err for gv, err in failed.items()}, partial=partial)


def fetch_group_version_resources(
    fetch: Callable[[str], APIResourceList],
    groups: APIGroupList,
    *,
    concurrent: bool = True,
) -> tuple[dict[GroupVersion, APIResourceList], dict[GroupVersion, BaseException]]:
    """``fetch`` every group-version of ``groups``; failures are collected, not raised."""
    gvs = [GroupVersion(g.name, v.version) for g in groups.groups for v in g.versions]

    def one(gv: GroupVersion) -> APIResourceList | BaseException:
        try:
            return fetch(str(gv))
        except FETCH_ERRORS as err:
            return err

    if concurrent and len(gvs) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(_MAX_WORKERS, len(gvs))) as pool:
            outcomes = list(pool.map(one, gvs))
    else:
        outcomes = [one(gv) for gv in gvs]

    resources: dict[GroupVersion, APIResourceList] = {}
    failed: dict[GroupVersion, BaseException] = {}
    for gv, outcome in zip(gvs, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            failed[gv] = outcome
        else:
            resources[gv] = outcome
    return resources, failed


def in_discovery_order(
    groups: APIGroupList, resources: Mapping[GroupVersion, APIResourceList]
) -> list[APIResourceList]:
    """Resource lists ordered by group, then version, as the groups list them."""
    ordered: list[APIResourceList] = []
    for group in groups.groups:
        for version in group.versions:
            found = resources.get(GroupVersion(group.name, version.version))
            if found is not None:
                ordered.append(found)
    return ordered


def preferred_resources(
    groups: APIGroupList,
    resources: Mapping[GroupVersion, APIResourceList],
    failed: Mapping[GroupVersion, BaseException],
) -> list[APIResourceList]:
    """client-go's ServerPreferredResources: each group-resource once, in the version the group
    prefers (or the first version listing it), subresources dropped. Raises
    GroupDiscoveryFailedError with the list as ``partial`` when some group-versions failed."""
    chosen: dict[GroupResource, tuple[GroupVersion, APIResource]] = {}
    order: list[tuple[GroupVersion, str]] = []
    for group in groups.groups:
        preferred = group.preferred_version.version if group.preferred_version else ""
        for version in group.versions:
            gv = GroupVersion(group.name, version.version)
            listed = resources.get(gv)
            if listed is None:
                continue
            order.append((gv, version.group_version))
            for resource in listed.resources:
                if resource.is_subresource:
                    continue
                key = GroupResource(group.name, resource.name)
                if key in chosen and version.version != preferred:
                    continue
                chosen[key] = (gv, resource)

    by_gv: dict[GroupVersion, list[APIResource]] = {}
    for chosen_gv, resource in chosen.values():
        by_gv.setdefault(chosen_gv, []).append(resource)
    # Go builds each list by ranging over a map, so the order inside a list is unspecified;
    # discovery order is the stable choice.
    result = [APIResourceList(name, tuple(by_gv.get(gv, ()))) for gv, name in order]
    if failed:
        raise failed_error(failed, result)
    return result


def namespaced_only(lists: Iterable[APIResourceList]) -> list[APIResourceList]:
    return [
        APIResourceList(lst.group_version, tuple(r for r in lst.resources if r.namespaced))
        for lst in lists
    ]


def with_retries(attempt: Callable[[], T]) -> T:
    """Run ``attempt`` again when it failed only partially, as client-go's withRetries."""
    for _ in range(_DEFAULT_RETRIES - 1):
        try:
            return attempt()
        except GroupDiscoveryFailedError:
            continue
    return attempt()
