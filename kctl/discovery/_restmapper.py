"""What a kubectl user types, resolved against discovery.

This is the stack kubectl builds (cli-runtime's toRESTMapper): a shortcut expander over a
DeferredDiscoveryRESTMapper, which lazily builds apimachinery's PriorityRESTMapper over one
DefaultRESTMapper per group-version, plus the discovery category expander and the resource
builder's ``mappingFor``. Priorities: core v1 first, then each group in discovery order with
its preferred version first, then any version of each group.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from kctl.discovery._cached import CachedDiscoveryClient
from kctl.discovery._client import DiscoveryClient
from kctl.discovery._helpers import FETCH_ERRORS
from kctl.discovery._types import APIGroup, APIResource, APIResourceList
from kctl.errors import (
    AmbiguousResourceError,
    DiscoveryError,
    GroupDiscoveryFailedError,
    NoKindMatchError,
    NoMatchError,
    NoResourceMatchError,
)
from kctl.schema import (
    GroupKind,
    GroupResource,
    GroupVersion,
    GroupVersionKind,
    GroupVersionResource,
    parse_group_version,
)

__all__ = [
    "RESTMapper",
    "RESTMapping",
    "parse_kind_arg",
    "parse_resource_arg",
]

_ANY = "*"
_INTERNAL = "__internal"
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class RESTMapping:
    """meta.RESTMapping: the resource to call for a kind, and whether it is namespaced."""

    resource: GroupVersionResource
    group_version_kind: GroupVersionKind
    namespaced: bool

    @property
    def scope(self) -> str:
        return "namespace" if self.namespaced else "root"


def parse_resource_arg(arg: str) -> tuple[GroupVersionResource | None, GroupResource]:
    """schema.ParseResourceArg: ``deployments.v1.apps`` is also read as a GVR."""
    gvr = None
    if arg.count(".") >= 2:
        resource, version, group = arg.split(".", 2)
        gvr = GroupVersionResource(group, version, resource)
    resource, _, group = arg.partition(".")
    return gvr, GroupResource(group, resource)


def parse_kind_arg(arg: str) -> tuple[GroupVersionKind | None, GroupKind]:
    """schema.ParseKindArg: ``Deployment.v1.apps`` is also read as a GVK."""
    gvk = None
    if arg.count(".") >= 2:
        kind, version, group = arg.split(".", 2)
        gvk = GroupVersionKind(group, version, kind)
    kind, _, group = arg.partition(".")
    return gvk, GroupKind(group, kind)


def _guess_resources(kind: GroupVersionKind) -> tuple[GroupVersionResource, GroupVersionResource]:
    """meta.UnsafeGuessKindToResource: (plural, singular) from a kind's name."""
    if not kind.kind:
        return GroupVersionResource(), GroupVersionResource()
    singular = kind.kind.lower()
    gv = kind.group_version()
    if singular.endswith("endpoints"):
        return gv.with_resource(singular), gv.with_resource(singular)
    if singular.endswith("s"):
        plural = singular + "es"
    elif singular.endswith("y"):
        plural = singular[:-1] + "ies"
    else:
        plural = singular + "s"
    return gv.with_resource(plural), gv.with_resource(singular)


def _coerce(resource: GroupVersionResource) -> GroupVersionResource:
    version = "" if resource.version == _INTERNAL else resource.version
    return GroupVersionResource(resource.group, version, resource.resource.lower())


class _VersionMapper:
    """meta.DefaultRESTMapper for the resources of one group-version."""

    def __init__(self, gv: GroupVersion) -> None:
        self.gv = gv
        self.resource_to_kind: dict[GroupVersionResource, GroupVersionKind] = {}
        self.kind_to_plural: dict[GroupVersionKind, GroupVersionResource] = {}
        self.kind_to_namespaced: dict[GroupVersionKind, bool] = {}
        self.plural_to_singular: dict[GroupVersionResource, GroupVersionResource] = {}

    def add_specific(
        self,
        kind: GroupVersionKind,
        plural: GroupVersionResource,
        singular: GroupVersionResource,
        namespaced: bool,
    ) -> None:
        self.plural_to_singular[plural] = singular
        self.resource_to_kind[singular] = kind
        self.resource_to_kind[plural] = kind
        self.kind_to_plural[kind] = plural
        self.kind_to_namespaced[kind] = namespaced

    def add(self, kind: GroupVersionKind, namespaced: bool) -> None:
        plural, singular = _guess_resources(kind)
        self.add_specific(kind, plural, singular, namespaced)

    def resources_for(self, given: GroupVersionResource) -> list[GroupVersionResource]:
        r = _coerce(given)
        if not r.resource:
            raise DiscoveryError(f"a resource must be present, got: {r}")
        pairs = list(self.plural_to_singular.items())
        found: list[GroupVersionResource] = []
        if r.group and r.version:
            found = [p for p, s in pairs if s == r or p == r][:1]
        elif r.group:
            wanted = GroupResource(r.group, r.resource)
            for p, s in pairs:
                found += [p] * ((s.group_resource() == wanted) + (p.group_resource() == wanted))
            if not found:
                for p, s in pairs:
                    if p.group.startswith(r.group):
                        found += [p] * ((s.resource == r.resource) + (p.resource == r.resource))
        elif r.version:
            for p, s in pairs:
                found += [p] * (
                    (s.version == r.version and s.resource == r.resource)
                    + (p.version == r.version and p.resource == r.resource)
                )
        else:
            for p, s in pairs:
                found += [p] * ((s.resource == r.resource) + (p.resource == r.resource))
        if not found:
            raise NoResourceMatchError(r)
        return sorted(found, key=lambda x: x.resource)

    def kinds_for(self, given: GroupVersionResource) -> list[GroupVersionKind]:
        r = _coerce(given)
        if not r.resource:
            raise DiscoveryError(f"a resource must be present, got: {r}")
        items = list(self.resource_to_kind.items())
        found: list[GroupVersionKind] = []
        if r.group and r.version:
            if r in self.resource_to_kind:
                found.append(self.resource_to_kind[r])
        elif r.group:
            wanted = GroupResource(r.group, r.resource)
            found = [k for res, k in items if res.group_resource() == wanted]
            if not found:
                found = [
                    k
                    for res, k in items
                    if res.group.startswith(r.group) and res.resource == r.resource
                ]
        elif r.version:
            found = [
                k for res, k in items if res.version == r.version and res.resource == r.resource
            ]
        else:
            found = [k for res, k in items if res.resource == r.resource]
        if not found:
            raise NoResourceMatchError(given)
        return sorted(found, key=lambda x: x.kind)

    def rest_mappings(self, gk: GroupKind, versions: Sequence[str]) -> list[RESTMapping]:
        potential: list[GroupVersionKind] = []
        had_version = False
        for version in versions:
            if not version or version == _INTERNAL:
                continue
            had_version = True
            candidate = GroupVersionKind(gk.group, version, gk.kind)
            if candidate in self.kind_to_plural:
                potential.append(candidate)
                break
        if not had_version and not potential and self.gv.group == gk.group:
            potential.append(GroupVersionKind(gk.group, self.gv.version, gk.kind))
        if not potential:
            raise NoKindMatchError(gk, versions)
        mappings = [
            RESTMapping(self.kind_to_plural[gvk], gvk, self.kind_to_namespaced[gvk])
            for gvk in potential
            if gvk in self.kind_to_plural
        ]
        if not mappings:
            raise NoResourceMatchError(GroupVersionResource(gk.group, "", gk.kind))
        return mappings


def _matches(pattern: tuple[str, str, str], value: tuple[str, str, str]) -> bool:
    return all(p in (_ANY, v) for p, v in zip(pattern, value, strict=True))


def _by_priority(
    found: list[_T],
    patterns: Iterable[tuple[str, str, str]],
    key: Callable[[_T], tuple[str, str, str]],
) -> _T | None:
    """PriorityRESTMapper: narrow ``found`` pattern by pattern until one is left."""
    remaining = found
    for pattern in patterns:
        matched = [f for f in remaining if _matches(pattern, key(f))]
        if len(matched) == 1:
            return matched[0]
        if matched:
            remaining = matched
    return None


class _DiscoveryMapper:
    """restmapper.NewDiscoveryRESTMapper: priorities over the union of version mappers."""

    def __init__(
        self, groups: Sequence[tuple[APIGroup, dict[str, tuple[APIResource, ...]]]]
    ) -> None:
        self.mappers: list[_VersionMapper] = []
        self.resource_priority: list[tuple[str, str, str]] = [("", "v1", _ANY)]
        self.kind_priority: list[tuple[str, str, str]] = [("", "v1", _ANY)]
        for group, by_version in groups:
            preferred = group.preferred_version.version if group.preferred_version else ""
            if preferred and preferred in by_version:
                self.resource_priority.append((group.name, preferred, _ANY))
                self.kind_priority.append((group.name, preferred, _ANY))
            for discovered in group.versions:
                resources = by_version.get(discovered.version)
                if resources is None:
                    continue
                if discovered.version != preferred:
                    self.resource_priority.append((group.name, discovered.version, _ANY))
                    self.kind_priority.append((group.name, discovered.version, _ANY))
                gv = GroupVersion(group.name, discovered.version)
                mapper = _VersionMapper(gv)
                for res in resources:
                    if res.is_subresource:
                        continue
                    plural = gv.with_resource(res.name)
                    singular = gv.with_resource(res.singular_name)
                    if not res.singular_name:
                        singular = _guess_resources(gv.with_kind(res.kind))[1]
                    mapper.add_specific(
                        gv.with_kind(res.kind.lower()), plural, singular, res.namespaced
                    )
                    mapper.add_specific(gv.with_kind(res.kind), plural, singular, res.namespaced)
                    mapper.add(gv.with_kind(res.kind + "List"), res.namespaced)
                mapper.add(gv.with_kind("List"), False)
                self.mappers.append(mapper)
        for group, _ in groups:
            self.resource_priority.append((group.name, _ANY, _ANY))
            self.kind_priority.append((group.name, _ANY, _ANY))

    def _union(
        self, resource: GroupVersionResource, lookup: Callable[[_VersionMapper], list[_T]]
    ) -> list[_T]:
        """MultiRESTMapper: every version mapper's matches, in order, without repeats."""
        union: list[_T] = []
        for mapper in self.mappers:
            try:
                found = lookup(mapper)
            except NoMatchError:
                continue
            union += [f for f in found if f not in union]
        if not union:
            raise NoResourceMatchError(resource)
        return union

    def resources_for(self, resource: GroupVersionResource) -> list[GroupVersionResource]:
        return self._union(resource, lambda mapper: mapper.resources_for(resource))

    def kinds_for(self, resource: GroupVersionResource) -> list[GroupVersionKind]:
        return self._union(resource, lambda mapper: mapper.kinds_for(resource))

    def resource_for(self, resource: GroupVersionResource) -> GroupVersionResource:
        found = self.resources_for(resource)
        if len(found) == 1:
            return found[0]
        best = _by_priority(
            found, self.resource_priority, lambda r: (r.group, r.version, r.resource)
        )
        if best is None:
            raise AmbiguousResourceError(resource, matching_resources=found)
        return best

    def kind_for(self, resource: GroupVersionResource) -> GroupVersionKind:
        found = self.kinds_for(resource)
        if len(found) == 1:
            return found[0]
        best = _by_priority(found, self.kind_priority, lambda k: (k.group, k.version, k.kind))
        if best is None:
            raise AmbiguousResourceError(resource, matching_kinds=found)
        return best

    def rest_mappings(self, gk: GroupKind, versions: Sequence[str]) -> list[RESTMapping]:
        found: list[RESTMapping] = []
        errors: list[DiscoveryError] = []
        for mapper in self.mappers:
            try:
                found += mapper.rest_mappings(gk, versions)
            except NoMatchError:
                continue
            except DiscoveryError as err:
                errors.append(err)
        if errors:
            raise DiscoveryError(", ".join(str(e) for e in errors))
        if not found:
            raise NoKindMatchError(gk, versions)
        return found

    def rest_mapping(self, gk: GroupKind, versions: Sequence[str]) -> RESTMapping:
        found = self.rest_mappings(gk, versions)
        patterns = [(gk.group, v, _ANY) for v in versions] + self.kind_priority
        if len(found) == 1:
            return found[0]
        best = _by_priority(
            found,
            patterns,
            lambda m: (
                m.group_version_kind.group,
                m.group_version_kind.version,
                m.group_version_kind.kind,
            ),
        )
        if best is None:
            raise AmbiguousResourceError(
                GroupVersionKind(gk.group, "", gk.kind),
                matching_kinds=[m.group_version_kind for m in found],
            )
        return best


class RESTMapper:
    """kubectl's RESTMapper over a (cached) discovery client.

    Built lazily on first use; when a lookup fails and the data came from a cache another
    process wrote, the cache is invalidated and the lookup retried once against the server
    (DeferredDiscoveryRESTMapper). Ambiguous short names are reported via ``warning_handler``.
    """

    def __init__(
        self,
        discovery: CachedDiscoveryClient | DiscoveryClient,
        *,
        warning_handler: Callable[[str], None] | None = None,
    ) -> None:
        if isinstance(discovery, DiscoveryClient):
            discovery = CachedDiscoveryClient(discovery)
        self.discovery = discovery
        self.warning_handler = warning_handler
        self._lock = threading.Lock()
        self._mapper: _DiscoveryMapper | None = None

    # -- the deferred mapper -------------------------------------------------------------

    def reset(self) -> None:
        """Forget discovery; the next lookup fetches it again."""
        with self._lock:
            self.discovery.invalidate()
            self._mapper = None

    def _lists(self) -> tuple[list[APIGroup], list[APIResourceList]]:
        try:
            return self.discovery.server_groups_and_resources()
        except GroupDiscoveryFailedError as err:
            # Partial discovery still maps everything that did answer.
            if err.partial is None:
                raise
            groups, lists = err.partial
            return list(groups), list(lists)

    def _delegate(self) -> _DiscoveryMapper:
        with self._lock:
            if self._mapper is None:
                groups, lists = self._lists()
                by_gv = {lst.group_version: lst for lst in lists}
                entries = []
                for group in groups:
                    versions = {
                        v.version: by_gv[v.group_version].resources
                        for v in group.versions
                        if v.group_version in by_gv
                    }
                    entries.append((group, versions))
                self._mapper = _DiscoveryMapper(entries)
            return self._mapper

    def _deferred(self, lookup: Callable[[_DiscoveryMapper], _T]) -> _T:
        try:
            return lookup(self._delegate())
        except DiscoveryError:
            if self.discovery.fresh():
                raise
        self.reset()
        return lookup(self._delegate())

    # -- the shortcut expander -----------------------------------------------------------

    def _expand(self, resource: GroupVersionResource) -> GroupVersionResource:
        try:
            lists = self._lists()[1]
        except FETCH_ERRORS:
            return resource
        shortcuts: list[tuple[GroupResource, GroupResource]] = []
        for lst in lists:
            group = parse_group_version(lst.group_version).group
            for res in lst.resources:
                long = GroupResource(group, res.name)
                shortcuts += [(GroupResource(group, short), long) for short in res.short_names]
        # An exact plural or singular name always beats a short name.
        for lst in lists:
            if resource.group and resource.group != parse_group_version(lst.group_version).group:
                continue
            for res in lst.resources:
                if resource.resource in (res.name, res.singular_name):
                    return resource

        chosen: GroupResource | None = None
        warned: set[GroupResource] = set()
        for short, long in shortcuts:
            if resource.group and resource.group != short.group:
                continue
            if resource.resource != short.resource:
                continue
            if chosen is None:
                chosen = long
            elif long != chosen and long not in warned:
                warned.add(long)
                if self.warning_handler is not None:
                    self.warning_handler(
                        f'short name "{resource.resource}" could also match lower priority '
                        f"resource {long}"
                    )
        if chosen is not None:
            return GroupVersionResource(chosen.group, "", chosen.resource)
        if not resource.group:
            return resource
        for short, long in shortcuts:
            if short.group.startswith(resource.group) and resource.resource == short.resource:
                return GroupVersionResource(long.group, resource.version, long.resource)
        return resource

    # -- lookups -------------------------------------------------------------------------

    # The shortcut expander expands before the deferred mapper builds (or, after a stale
    # cache, rebuilds) itself, as client-go evaluates the argument first: the order of the
    # discovery calls shows in the ambiguity warnings and the memcache logs between them.
    def kind_for(self, resource: GroupVersionResource) -> GroupVersionKind:
        try:
            expanded = self._expand(resource)
            return self._deferred(lambda m: m.kind_for(expanded))
        except NoMatchError:
            expanded = self._expand(resource)
            return self._deferred(lambda m: m.kind_for(expanded))

    def kinds_for(self, resource: GroupVersionResource) -> list[GroupVersionKind]:
        expanded = self._expand(resource)
        return self._deferred(lambda m: m.kinds_for(expanded))

    def resource_for(self, resource: GroupVersionResource) -> GroupVersionResource:
        expanded = self._expand(resource)
        return self._deferred(lambda m: m.resource_for(expanded))

    def resources_for(self, resource: GroupVersionResource) -> list[GroupVersionResource]:
        expanded = self._expand(resource)
        return self._deferred(lambda m: m.resources_for(expanded))

    def rest_mapping(self, group_kind: GroupKind, *versions: str) -> RESTMapping:
        return self._deferred(lambda m: m.rest_mapping(group_kind, versions))

    def rest_mappings(self, group_kind: GroupKind, *versions: str) -> list[RESTMapping]:
        return self._deferred(lambda m: m.rest_mappings(group_kind, versions))

    def resource_singularizer(self, resource: str) -> str:
        """The singular name of a resource type (``pods`` -> ``pod``)."""
        expanded = self._expand(GroupVersionResource(resource=resource)).resource

        def singular(m: _DiscoveryMapper) -> str:
            found = m.resources_for(GroupVersionResource(resource=expanded))
            names = {
                vm.plural_to_singular[f].resource
                for vm in m.mappers
                for f in found
                if f in vm.plural_to_singular
            }
            if len(names) > 1:
                raise DiscoveryError(
                    f"multiple possible singular resources ({found}) found for {expanded}"
                )
            if not names:
                raise DiscoveryError(f"no singular of resource {expanded} has been defined")
            return names.pop()

        return self._deferred(singular)

    def mapping_for(self, resource_or_kind: str) -> RESTMapping:
        """What ``kubectl get <arg>`` resolves: a resource (plural, singular, short name,
        ``resource.group``, ``resource.version.group``) or a kind (``Kind``, ``Kind.group``,
        ``Kind.version.group``); an unknown name raises NoResourceMatchError for the group
        and resource as parsed."""
        full_gvr, group_resource = parse_resource_arg(resource_or_kind)
        gvk: GroupVersionKind | None = None
        if full_gvr is not None:
            gvk = self._quiet(lambda: self.kind_for(full_gvr))
        if gvk is None:
            gvk = self._quiet(
                lambda: self.kind_for(
                    GroupVersionResource(group_resource.group, "", group_resource.resource)
                )
            )
        if gvk is not None:
            return self.rest_mapping(gvk.group_kind(), gvk.version)

        full_gvk, group_kind = parse_kind_arg(resource_or_kind)
        if full_gvk is None:
            full_gvk = GroupVersionKind(group_kind.group, "", group_kind.kind)
        if any(full_gvk):
            mapping = self._quiet(
                lambda: self.rest_mapping(full_gvk.group_kind(), full_gvk.version)
            )
            if mapping is not None:
                return mapping
        try:
            return self.rest_mapping(group_kind)
        except NoMatchError as err:
            # kubectl reports the argument read as a resource, group included as parsed
            # ("foos.v1.apps" -> group "v1.apps"), never the kind lookup that failed last.
            partial = GroupVersionResource(group_resource.group, "", group_resource.resource)
            raise NoResourceMatchError(partial) from err

    @staticmethod
    def _quiet(lookup: Callable[[], _T]) -> _T | None:
        try:
            return lookup()
        except DiscoveryError:
            return None

    # -- categories ----------------------------------------------------------------------

    def expand_category(self, category: str) -> list[GroupResource] | None:
        """The resources discovery lists in ``category`` (e.g. ``all``), in discovery order;
        None when no resource claims it. A resource served in several versions appears once
        (kubectl's builder drops the repeats later)."""
        try:
            lists = self._lists()[1]
        except FETCH_ERRORS:
            return None
        found: list[GroupResource] = []
        for lst in lists:
            group = parse_group_version(lst.group_version).group
            for res in lst.resources:
                gr = GroupResource(group, res.name)
                if category in res.categories and gr not in found:
                    found.append(gr)
        return found or None

    def replace_aliases(self, arg: str) -> str:
        """cli-runtime's ReplaceAliases: each comma-separated category becomes its
        resources as ``resource[.group]``; everything else is kept."""
        out: list[str] = []
        for part in arg.split(","):
            expansion = self.expand_category(part)
            out.append(",".join(str(gr) for gr in expansion) if expansion is not None else part)
        return ",".join(out)
