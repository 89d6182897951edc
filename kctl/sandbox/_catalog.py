"""The sandbox's resource catalogue and the discovery documents built from it.

The built-in types are those the real kube-apiserver serves, from its recorded discovery
(:mod:`kctl.sandbox._recorded`, written by ``envtest/record_sandbox_data.py``). Group order
follows the aggregator's APIService priorities, recorded too, because kubectl's RESTMapper
resolves ambiguous names in discovery order.
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kctl.sandbox import _recorded
from kctl.schema import GroupVersionKind, GroupVersionResource

__all__ = [
    "BUILTIN_RESOURCES",
    "Catalog",
    "ResourceType",
    "Subresource",
    "builtin_resource",
    "compare_kube_versions",
    "storage_version_hash",
]


def storage_version_hash(group: str, version: str, kind: str) -> str:
    """apiserver's discovery.StorageVersionHash: base64 of the first 8 bytes of a sha256."""
    digest = hashlib.sha256(f"{group}/{version}/{kind}".encode()).digest()
    return base64.b64encode(digest[:8]).decode("ascii")


@dataclass(frozen=True)
class Subresource:
    name: str
    kind: str
    verbs: tuple[str, ...]
    group: str | None = None
    version: str | None = None


@dataclass(frozen=True)
class ResourceType:
    group: str
    version: str
    plural: str
    singular: str
    kind: str
    namespaced: bool
    verbs: tuple[str, ...]
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    subresources: tuple[Subresource, ...] = ()
    printer_columns: tuple[Mapping[str, Any], ...] = ()
    is_crd: bool = False
    # Virtual resources (reviews, bindings, componentstatuses) have no etcd storage, so the
    # apiserver publishes no storageVersionHash for them.
    stored: bool = True
    # The (group, version, kind) objects are persisted as, when it is not this one: both
    # autoscaling versions store v2, events.k8s.io events are core Events in etcd.
    storage_gvk: tuple[str, str, str] | None = None
    # Built-ins publish the hash the real server does, which names the version it stores
    # (a type GA in v1 may still be stored as v1beta1).
    recorded_storage_hash: str | None = None

    @property
    def list_kind(self) -> str:
        return self.kind + "List"

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def gvr(self) -> GroupVersionResource:
        return GroupVersionResource(self.group, self.version, self.plural)

    @property
    def gvk(self) -> GroupVersionKind:
        return GroupVersionKind(self.group, self.version, self.kind)

    @property
    def storage_version_hash(self) -> str:
        if not self.stored:
            return ""
        if self.recorded_storage_hash is not None:
            return self.recorded_storage_hash
        group, version, kind = self.storage_gvk or (self.group, self.version, self.kind)
        return storage_version_hash(group, version, kind)

    def subresource(self, name: str) -> Subresource | None:
        for sub in self.subresources:
            if sub.name == name:
                return sub
        return None


# Objects of these types are persisted as another (group, version, kind): both autoscaling
# versions store v2, events.k8s.io events are core Events in etcd. Discovery only publishes
# the hash of the storage version, so this is the one fact about built-ins written here.
_HPA_STORAGE = ("autoscaling", "v2", "HorizontalPodAutoscaler")
_STORAGE_GVK: dict[tuple[str, str, str], tuple[str, str, str]] = {
    ("events.k8s.io", "v1", "events"): ("", "v1", "Event"),
    ("autoscaling", "v1", "horizontalpodautoscalers"): _HPA_STORAGE,
    ("autoscaling", "v2", "horizontalpodautoscalers"): _HPA_STORAGE,
}


def _recorded_resources() -> tuple[ResourceType, ...]:
    """The built-in types from the recorded aggregated discovery (see :mod:`._recorded`).

    Resources whose legacy discovery entry has no storageVersionHash (reviews, bindings,
    componentstatuses) have no storage."""
    discovery = _recorded.server()["discovery"]
    hashes = {
        (doc["groupVersion"], r["name"]): r["storageVersionHash"]
        for doc in discovery["legacy"].values()
        if doc.get("kind") == "APIResourceList"
        for r in doc["resources"]
        if r.get("storageVersionHash")
    }
    out: list[ResourceType] = []
    for doc in discovery["aggregated"].values():
        for item in doc["items"]:
            group = item["metadata"].get("name", "")
            for gv in item["versions"]:
                version = gv["version"]
                api_version = f"{group}/{version}" if group else version
                for r in gv["resources"]:
                    plural = r["resource"]
                    subs = [
                        Subresource(
                            s["subresource"],
                            s["responseKind"]["kind"],
                            tuple(s["verbs"]),
                            s["responseKind"]["group"] or None,
                            s["responseKind"]["version"] or None,
                        )
                        for s in r.get("subresources", ())
                    ]
                    out.append(
                        ResourceType(
                            group=group,
                            version=version,
                            plural=plural,
                            singular=r["singularResource"],
                            kind=r["responseKind"]["kind"],
                            namespaced=r["scope"] == "Namespaced",
                            verbs=tuple(r["verbs"]),
                            short_names=tuple(r.get("shortNames", ())),
                            categories=tuple(r.get("categories", ())),
                            subresources=tuple(sorted(subs, key=lambda s: s.name)),
                            stored=(api_version, plural) in hashes,
                            recorded_storage_hash=hashes.get((api_version, plural)),
                            storage_gvk=_STORAGE_GVK.get((group, version, plural)),
                        )
                    )
    return tuple(out)


# Everything the recorded server serves: the sandbox serves each built-in type, the ones
# without special behaviour as plain storage.
BUILTIN_RESOURCES: tuple[ResourceType, ...] = _recorded_resources()


def _priorities() -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    groups: dict[str, int] = {}
    versions: dict[tuple[str, str], int] = {}
    for rt in BUILTIN_RESOURCES:
        priority = _recorded.api_service_priority(rt.group, rt.version)
        if priority is not None:
            groups[rt.group] = priority[0]
            versions[(rt.group, rt.version)] = priority[1]
    return groups, versions


# The aggregator's APIService groupPriorityMinimum / versionPriority for built-in groups, as
# recorded. /apis lists apiregistration.k8s.io first (the aggregator prepends its own
# group), then by group priority descending, ties by APIService name ("v1.<group>").
_GROUP_PRIORITY, _VERSION_PRIORITY = _priorities()
_AGGREGATOR_GROUP = "apiregistration.k8s.io"
# crdregistration registers CRD group-versions with these priorities.
_CRD_GROUP_PRIORITY = 1000
_CRD_VERSION_PRIORITY = 100

_KUBE_VERSION = re.compile(r"^v([1-9][0-9]*)(?:(alpha|beta)([1-9][0-9]*))?$")


def _kube_version_key(v: str) -> tuple[int, int, int, str]:
    m = _KUBE_VERSION.match(v)
    if m is None:
        return (3, 0, 0, v)
    major = int(m.group(1))
    stability = {None: 0, "beta": 1, "alpha": 2}[m.group(2)]
    minor = int(m.group(3) or 0)
    return (stability, -major, -minor, v)


def compare_kube_versions(a: str, b: str) -> int:
    """apimachinery's CompareKubeAwareVersionStrings: >0 when ``a`` sorts first (GA > beta >
    alpha, higher numbers first, then non-kube-like strings alphabetically)."""
    ka, kb = _kube_version_key(a), _kube_version_key(b)
    return 0 if ka == kb else (1 if ka < kb else -1)


def _group_sort_key(group: str) -> tuple[int, int, str]:
    if group == _AGGREGATOR_GROUP:
        return (0, 0, "")
    priority = _GROUP_PRIORITY.get(group, _CRD_GROUP_PRIORITY)
    # Ties break on the APIService name, which is "<version>.<group>"; comparing the group is
    # the same for built-ins (all v1) and near enough for CRD groups.
    return (1, -priority, group)


def _scope(namespaced: bool) -> str:
    return "Namespaced" if namespaced else "Cluster"


class Catalog:
    """The API surface the sandbox serves: built-ins plus CRD-defined types, thread-safe."""

    def __init__(self, resources: Iterable[ResourceType] = BUILTIN_RESOURCES) -> None:
        self._lock = threading.Lock()
        self._by_key: dict[tuple[str, str, str], ResourceType] = {}
        self.generation = 0
        for rt in resources:
            self._by_key[(rt.group, rt.version, rt.plural)] = rt

    # -- lookups ---------------------------------------------------------------------------

    def get(self, group: str, version: str, plural: str) -> ResourceType | None:
        with self._lock:
            return self._by_key.get((group, version, plural))

    def by_kind(self, group: str, version: str, kind: str) -> ResourceType | None:
        with self._lock:
            for rt in self._by_key.values():
                if rt.group == group and rt.version == version and rt.kind == kind:
                    return rt
        return None

    def resources(self) -> list[ResourceType]:
        """Every resource type, in discovery order (groups, preferred version first, plurals)."""
        with self._lock:
            snapshot = list(self._by_key.values())
        order = {gv: i for i, gv in enumerate(self._ordered_group_versions(snapshot))}
        return sorted(snapshot, key=lambda rt: (order[(rt.group, rt.version)], rt.plural))

    def add(self, rt: ResourceType) -> None:
        with self._lock:
            self._by_key[(rt.group, rt.version, rt.plural)] = rt
            self.generation += 1

    def remove(self, group: str, version: str, plural: str) -> None:
        with self._lock:
            if self._by_key.pop((group, version, plural), None) is not None:
                self.generation += 1

    def groups(self) -> list[str]:
        """Group names in discovery order; "" (core) first."""
        with self._lock:
            snapshot = list(self._by_key.values())
        seen: list[str] = []
        for group, _ in self._ordered_group_versions(snapshot):
            if group not in seen:
                seen.append(group)
        return seen

    def versions(self, group: str) -> list[str]:
        """The group's versions, preferred first."""
        with self._lock:
            snapshot = [rt for rt in self._by_key.values() if rt.group == group]
        return [v for _, v in self._ordered_group_versions(snapshot)]

    def preferred_version(self, group: str) -> str | None:
        versions = self.versions(group)
        return versions[0] if versions else None

    @staticmethod
    def _ordered_group_versions(rts: Iterable[ResourceType]) -> list[tuple[str, str]]:
        gvs = {(rt.group, rt.version): rt.is_crd for rt in rts}

        def key(gv: tuple[str, str]) -> tuple[tuple[int, int, str], int, tuple[int, int, int, str]]:
            group, version = gv
            default = _CRD_VERSION_PRIORITY if gvs[gv] else 15
            return (
                (-1, 0, "") if group == "" else _group_sort_key(group),
                -_VERSION_PRIORITY.get(gv, default),
                _kube_version_key(version),
            )

        return sorted(gvs, key=key)

    def _in(self, group: str, version: str) -> list[ResourceType]:
        with self._lock:
            rts = [rt for rt in self._by_key.values() if (rt.group, rt.version) == (group, version)]
        return sorted(rts, key=lambda rt: rt.plural)

    # -- legacy discovery --------------------------------------------------------------------

    def api_versions_doc(self, server_address: str) -> dict[str, Any]:
        """GET /api. kube-apiserver leaves apiVersion out of this one."""
        return {
            "kind": "APIVersions",
            "versions": self.versions(""),
            "serverAddressByClientCIDRs": [
                {"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}
            ],
        }

    def _group_entry(self, group: str) -> dict[str, Any] | None:
        versions = self.versions(group)
        if not versions:
            return None
        entries = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
        return {"name": group, "versions": entries, "preferredVersion": dict(entries[0])}

    def api_group_list_doc(self) -> dict[str, Any]:
        groups = []
        for group in self.groups():
            entry = self._group_entry(group) if group else None
            if entry is not None:
                groups.append(entry)
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}

    def api_group_doc(self, group: str) -> dict[str, Any] | None:
        entry = self._group_entry(group) if group else None
        if entry is None:
            return None
        return {"kind": "APIGroup", "apiVersion": "v1", **entry}

    def api_resource_list_doc(self, group: str, version: str) -> dict[str, Any] | None:
        rts = self._in(group, version)
        if not rts:
            return None
        resources: list[dict[str, Any]] = []
        for rt in rts:
            entry: dict[str, Any] = {
                "name": rt.plural,
                "singularName": rt.singular,
                "namespaced": rt.namespaced,
                "kind": rt.kind,
                "verbs": list(rt.verbs),
            }
            if rt.short_names:
                entry["shortNames"] = list(rt.short_names)
            if rt.categories:
                entry["categories"] = list(rt.categories)
            if rt.storage_version_hash:
                entry["storageVersionHash"] = rt.storage_version_hash
            resources.append(entry)
            for sub in rt.subresources:
                sub_entry: dict[str, Any] = {
                    "name": f"{rt.plural}/{sub.name}",
                    "singularName": "",
                    "namespaced": rt.namespaced,
                }
                if sub.group is not None:
                    sub_entry["group"] = sub.group
                if sub.version is not None:
                    sub_entry["version"] = sub.version
                sub_entry["kind"] = sub.kind
                sub_entry["verbs"] = list(sub.verbs)
                resources.append(sub_entry)
        if not group:
            # kube-apiserver leaves apiVersion out of the core list, as out of /api.
            return {"kind": "APIResourceList", "groupVersion": version, "resources": resources}
        return {
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": f"{group}/{version}",
            "resources": resources,
        }

    # -- aggregated discovery (apidiscovery.k8s.io/v2) ---------------------------------------

    def _resource_discovery(self, rt: ResourceType) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "resource": rt.plural,
            "responseKind": {"group": "", "version": "", "kind": rt.kind},
            "scope": _scope(rt.namespaced),
            "singularResource": rt.singular,
            "verbs": list(rt.verbs),
        }
        if rt.short_names:
            entry["shortNames"] = list(rt.short_names)
        if rt.categories:
            entry["categories"] = list(rt.categories)
        if rt.subresources:
            entry["subresources"] = [
                {
                    "subresource": sub.name,
                    "responseKind": {
                        "group": sub.group or "",
                        "version": sub.version or "",
                        "kind": sub.kind,
                    },
                    "verbs": list(sub.verbs),
                }
                for sub in rt.subresources
            ]
        return entry

    def aggregated_doc(self, legacy: bool) -> dict[str, Any]:
        """The APIGroupDiscoveryList for /api (legacy=True) or /apis."""
        items: list[dict[str, Any]] = []
        for group in self.groups():
            if (group == "") != legacy:
                continue
            versions = [
                {
                    "version": version,
                    "resources": [self._resource_discovery(rt) for rt in self._in(group, version)],
                    "freshness": "Current",
                }
                for version in self.versions(group)
            ]
            metadata: dict[str, Any] = {"name": group} if group else {}
            items.append({"metadata": metadata, "versions": versions})
        return {
            "kind": "APIGroupDiscoveryList",
            "apiVersion": "apidiscovery.k8s.io/v2",
            "metadata": {},
            "items": items,
        }


def builtin_resource(group: str, version: str, plural: str) -> ResourceType:
    """A built-in type by its GVR, for code that must not depend on a live Catalog."""
    for rt in BUILTIN_RESOURCES:
        if (rt.group, rt.version, rt.plural) == (group, version, plural):
            return rt
    raise KeyError(f"{group}/{version}, Resource={plural}")
