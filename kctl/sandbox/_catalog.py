"""The sandbox's resource catalogue and the discovery documents built from it.

The built-in table is what a plain kube-apiserver 1.35 serves with its default feature gates
(the same set `kubectl api-resources` lists on a fresh kind cluster). Group order follows the
aggregator's APIService priorities because kubectl's RESTMapper resolves ambiguous names in
discovery order.
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

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

_FULL = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
_CREATE = ("create",)
_STATUS_VERBS = ("get", "patch", "update")
_CONNECT_RW = ("create", "get")
_PROXY_VERBS = ("create", "delete", "get", "patch", "update")


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
        group, version, kind = self.storage_gvk or (self.group, self.version, self.kind)
        return storage_version_hash(group, version, kind)

    def subresource(self, name: str) -> Subresource | None:
        for sub in self.subresources:
            if sub.name == name:
                return sub
        return None


def _status(kind: str) -> Subresource:
    return Subresource("status", kind, _STATUS_VERBS)


_SCALE = Subresource("scale", "Scale", _STATUS_VERBS, "autoscaling", "v1")


def _rt(
    gv: str,
    plural: str,
    kind: str,
    namespaced: bool,
    verbs: tuple[str, ...] = _FULL,
    short: Iterable[str] = (),
    cats: Iterable[str] = (),
    subs: Iterable[Subresource] = (),
    *,
    stored: bool = True,
    storage_gvk: tuple[str, str, str] | None = None,
) -> ResourceType:
    group, _, version = gv.rpartition("/")
    return ResourceType(
        group=group,
        version=version,
        plural=plural,
        singular=kind.lower(),
        kind=kind,
        namespaced=namespaced,
        verbs=verbs,
        short_names=tuple(short),
        categories=tuple(cats),
        subresources=tuple(sorted(subs, key=lambda s: s.name)),
        stored=stored,
        storage_gvk=storage_gvk,
    )


_ALL = ("all",)
_EXT = ("api-extensions",)
_HPA_STORAGE = ("autoscaling", "v2", "HorizontalPodAutoscaler")

BUILTIN_RESOURCES: tuple[ResourceType, ...] = (
    # core/v1
    _rt("v1", "bindings", "Binding", True, _CREATE, stored=False),
    _rt("v1", "componentstatuses", "ComponentStatus", False, ("get", "list"), ["cs"], stored=False),
    _rt("v1", "configmaps", "ConfigMap", True, short=["cm"]),
    _rt("v1", "endpoints", "Endpoints", True, short=["ep"]),
    _rt("v1", "events", "Event", True, short=["ev"]),
    _rt("v1", "limitranges", "LimitRange", True, short=["limits"]),
    _rt(
        "v1",
        "namespaces",
        "Namespace",
        False,
        ("create", "delete", "get", "list", "patch", "update", "watch"),
        ["ns"],
        subs=[Subresource("finalize", "Namespace", ("update",)), _status("Namespace")],
    ),
    _rt(
        "v1",
        "nodes",
        "Node",
        False,
        short=["no"],
        subs=[Subresource("proxy", "NodeProxyOptions", _PROXY_VERBS), _status("Node")],
    ),
    _rt(
        "v1",
        "persistentvolumeclaims",
        "PersistentVolumeClaim",
        True,
        short=["pvc"],
        subs=[_status("PersistentVolumeClaim")],
    ),
    _rt(
        "v1",
        "persistentvolumes",
        "PersistentVolume",
        False,
        short=["pv"],
        subs=[_status("PersistentVolume")],
    ),
    _rt(
        "v1",
        "pods",
        "Pod",
        True,
        short=["po"],
        cats=_ALL,
        subs=[
            Subresource("attach", "PodAttachOptions", _CONNECT_RW),
            Subresource("binding", "Binding", _CREATE),
            Subresource("ephemeralcontainers", "Pod", _STATUS_VERBS),
            Subresource("eviction", "Eviction", _CREATE, "policy", "v1"),
            Subresource("exec", "PodExecOptions", _CONNECT_RW),
            Subresource("log", "Pod", ("get",)),
            Subresource("portforward", "PodPortForwardOptions", _CONNECT_RW),
            Subresource("proxy", "PodProxyOptions", _PROXY_VERBS),
            Subresource("resize", "Pod", _STATUS_VERBS),
            _status("Pod"),
        ],
    ),
    _rt("v1", "podtemplates", "PodTemplate", True),
    _rt(
        "v1",
        "replicationcontrollers",
        "ReplicationController",
        True,
        short=["rc"],
        cats=_ALL,
        subs=[_SCALE, _status("ReplicationController")],
    ),
    _rt(
        "v1",
        "resourcequotas",
        "ResourceQuota",
        True,
        short=["quota"],
        subs=[_status("ResourceQuota")],
    ),
    _rt("v1", "secrets", "Secret", True),
    _rt(
        "v1",
        "serviceaccounts",
        "ServiceAccount",
        True,
        short=["sa"],
        subs=[Subresource("token", "TokenRequest", _CREATE, "authentication.k8s.io", "v1")],
    ),
    _rt(
        "v1",
        "services",
        "Service",
        True,
        short=["svc"],
        cats=_ALL,
        subs=[Subresource("proxy", "ServiceProxyOptions", _PROXY_VERBS), _status("Service")],
    ),
    # apiregistration.k8s.io/v1 (served by the aggregator itself, listed first)
    _rt(
        "apiregistration.k8s.io/v1",
        "apiservices",
        "APIService",
        False,
        cats=_EXT,
        subs=[_status("APIService")],
    ),
    # apps/v1
    _rt("apps/v1", "controllerrevisions", "ControllerRevision", True),
    _rt(
        "apps/v1",
        "daemonsets",
        "DaemonSet",
        True,
        short=["ds"],
        cats=_ALL,
        subs=[_status("DaemonSet")],
    ),
    _rt(
        "apps/v1",
        "deployments",
        "Deployment",
        True,
        short=["deploy"],
        cats=_ALL,
        subs=[_SCALE, _status("Deployment")],
    ),
    _rt(
        "apps/v1",
        "replicasets",
        "ReplicaSet",
        True,
        short=["rs"],
        cats=_ALL,
        subs=[_SCALE, _status("ReplicaSet")],
    ),
    _rt(
        "apps/v1",
        "statefulsets",
        "StatefulSet",
        True,
        short=["sts"],
        cats=_ALL,
        subs=[_SCALE, _status("StatefulSet")],
    ),
    # events.k8s.io/v1
    _rt(
        "events.k8s.io/v1",
        "events",
        "Event",
        True,
        short=["ev"],
        storage_gvk=("", "v1", "Event"),
    ),
    # authentication.k8s.io/v1
    _rt(
        "authentication.k8s.io/v1",
        "selfsubjectreviews",
        "SelfSubjectReview",
        False,
        _CREATE,
        stored=False,
    ),
    _rt("authentication.k8s.io/v1", "tokenreviews", "TokenReview", False, _CREATE, stored=False),
    # authorization.k8s.io/v1
    _rt(
        "authorization.k8s.io/v1",
        "localsubjectaccessreviews",
        "LocalSubjectAccessReview",
        True,
        _CREATE,
        stored=False,
    ),
    _rt(
        "authorization.k8s.io/v1",
        "selfsubjectaccessreviews",
        "SelfSubjectAccessReview",
        False,
        _CREATE,
        stored=False,
    ),
    _rt(
        "authorization.k8s.io/v1",
        "selfsubjectrulesreviews",
        "SelfSubjectRulesReview",
        False,
        _CREATE,
        stored=False,
    ),
    _rt(
        "authorization.k8s.io/v1",
        "subjectaccessreviews",
        "SubjectAccessReview",
        False,
        _CREATE,
        stored=False,
    ),
    # autoscaling: v2 is preferred (version priority 30 over 15)
    _rt(
        "autoscaling/v2",
        "horizontalpodautoscalers",
        "HorizontalPodAutoscaler",
        True,
        short=["hpa"],
        cats=_ALL,
        subs=[_status("HorizontalPodAutoscaler")],
        storage_gvk=_HPA_STORAGE,
    ),
    _rt(
        "autoscaling/v1",
        "horizontalpodautoscalers",
        "HorizontalPodAutoscaler",
        True,
        short=["hpa"],
        cats=_ALL,
        subs=[_status("HorizontalPodAutoscaler")],
        storage_gvk=_HPA_STORAGE,
    ),
    # batch/v1
    _rt(
        "batch/v1", "cronjobs", "CronJob", True, short=["cj"], cats=_ALL, subs=[_status("CronJob")]
    ),
    _rt("batch/v1", "jobs", "Job", True, cats=_ALL, subs=[_status("Job")]),
    # certificates.k8s.io/v1
    _rt(
        "certificates.k8s.io/v1",
        "certificatesigningrequests",
        "CertificateSigningRequest",
        False,
        short=["csr"],
        subs=[
            Subresource("approval", "CertificateSigningRequest", _STATUS_VERBS),
            _status("CertificateSigningRequest"),
        ],
    ),
    # networking.k8s.io/v1
    _rt("networking.k8s.io/v1", "ingressclasses", "IngressClass", False),
    _rt(
        "networking.k8s.io/v1",
        "ingresses",
        "Ingress",
        True,
        short=["ing"],
        subs=[_status("Ingress")],
    ),
    _rt("networking.k8s.io/v1", "ipaddresses", "IPAddress", False, short=["ip"]),
    _rt("networking.k8s.io/v1", "networkpolicies", "NetworkPolicy", True, short=["netpol"]),
    _rt(
        "networking.k8s.io/v1",
        "servicecidrs",
        "ServiceCIDR",
        False,
        subs=[_status("ServiceCIDR")],
    ),
    # policy/v1
    _rt(
        "policy/v1",
        "poddisruptionbudgets",
        "PodDisruptionBudget",
        True,
        short=["pdb"],
        subs=[_status("PodDisruptionBudget")],
    ),
    # rbac.authorization.k8s.io/v1
    _rt("rbac.authorization.k8s.io/v1", "clusterrolebindings", "ClusterRoleBinding", False),
    _rt("rbac.authorization.k8s.io/v1", "clusterroles", "ClusterRole", False),
    _rt("rbac.authorization.k8s.io/v1", "rolebindings", "RoleBinding", True),
    _rt("rbac.authorization.k8s.io/v1", "roles", "Role", True),
    # storage.k8s.io/v1
    _rt("storage.k8s.io/v1", "csidrivers", "CSIDriver", False),
    _rt("storage.k8s.io/v1", "csinodes", "CSINode", False),
    _rt("storage.k8s.io/v1", "csistoragecapacities", "CSIStorageCapacity", True),
    _rt("storage.k8s.io/v1", "storageclasses", "StorageClass", False, short=["sc"]),
    _rt(
        "storage.k8s.io/v1",
        "volumeattachments",
        "VolumeAttachment",
        False,
        subs=[_status("VolumeAttachment")],
    ),
    _rt(
        "storage.k8s.io/v1",
        "volumeattributesclasses",
        "VolumeAttributesClass",
        False,
        short=["vac"],
    ),
    # admissionregistration.k8s.io/v1
    _rt(
        "admissionregistration.k8s.io/v1",
        "mutatingwebhookconfigurations",
        "MutatingWebhookConfiguration",
        False,
        cats=_EXT,
    ),
    _rt(
        "admissionregistration.k8s.io/v1",
        "validatingadmissionpolicies",
        "ValidatingAdmissionPolicy",
        False,
        cats=_EXT,
        subs=[_status("ValidatingAdmissionPolicy")],
    ),
    _rt(
        "admissionregistration.k8s.io/v1",
        "validatingadmissionpolicybindings",
        "ValidatingAdmissionPolicyBinding",
        False,
        cats=_EXT,
    ),
    _rt(
        "admissionregistration.k8s.io/v1",
        "validatingwebhookconfigurations",
        "ValidatingWebhookConfiguration",
        False,
        cats=_EXT,
    ),
    # apiextensions.k8s.io/v1
    _rt(
        "apiextensions.k8s.io/v1",
        "customresourcedefinitions",
        "CustomResourceDefinition",
        False,
        short=["crd", "crds"],
        cats=_EXT,
        subs=[_status("CustomResourceDefinition")],
    ),
    # scheduling.k8s.io/v1
    _rt("scheduling.k8s.io/v1", "priorityclasses", "PriorityClass", False, short=["pc"]),
    # coordination.k8s.io/v1
    _rt("coordination.k8s.io/v1", "leases", "Lease", True),
    # node.k8s.io/v1
    _rt("node.k8s.io/v1", "runtimeclasses", "RuntimeClass", False),
    # discovery.k8s.io/v1
    _rt("discovery.k8s.io/v1", "endpointslices", "EndpointSlice", True),
    # flowcontrol.apiserver.k8s.io/v1
    _rt(
        "flowcontrol.apiserver.k8s.io/v1",
        "flowschemas",
        "FlowSchema",
        False,
        subs=[_status("FlowSchema")],
    ),
    _rt(
        "flowcontrol.apiserver.k8s.io/v1",
        "prioritylevelconfigurations",
        "PriorityLevelConfiguration",
        False,
        subs=[_status("PriorityLevelConfiguration")],
    ),
    # resource.k8s.io/v1 (Dynamic Resource Allocation, GA and on by default since 1.34)
    _rt("resource.k8s.io/v1", "deviceclasses", "DeviceClass", False),
    _rt(
        "resource.k8s.io/v1",
        "resourceclaims",
        "ResourceClaim",
        True,
        subs=[_status("ResourceClaim")],
    ),
    _rt("resource.k8s.io/v1", "resourceclaimtemplates", "ResourceClaimTemplate", True),
    _rt("resource.k8s.io/v1", "resourceslices", "ResourceSlice", False),
)

# The aggregator's APIService groupPriorityMinimum / versionPriority for built-in groups
# (kube-apiserver's apiVersionPriorities). /apis lists apiregistration.k8s.io first (the
# aggregator prepends its own group), then by group priority descending, ties by
# APIService name ("v1.<group>").
_GROUP_PRIORITY: dict[str, int] = {
    "": 18000,
    "apps": 17800,
    "events.k8s.io": 17750,
    "authentication.k8s.io": 17700,
    "authorization.k8s.io": 17600,
    "autoscaling": 17500,
    "batch": 17400,
    "certificates.k8s.io": 17300,
    "networking.k8s.io": 17200,
    "policy": 17100,
    "rbac.authorization.k8s.io": 17000,
    "storage.k8s.io": 16800,
    "admissionregistration.k8s.io": 16700,
    "apiextensions.k8s.io": 16700,
    "scheduling.k8s.io": 16600,
    "coordination.k8s.io": 16500,
    "node.k8s.io": 16300,
    "discovery.k8s.io": 16200,
    "flowcontrol.apiserver.k8s.io": 16100,
    "resource.k8s.io": 15900,
}
_VERSION_PRIORITY: dict[tuple[str, str], int] = {
    ("autoscaling", "v2"): 30,
    ("flowcontrol.apiserver.k8s.io", "v1"): 21,
}
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
        gv = f"{group}/{version}" if group else version
        return {
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": gv,
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
