"""Patch metadata for the built-in kinds: the ``patchStrategy``/``patchMergeKey`` Go struct
tags of k8s.io/api (for strategic merge patch) and the matching ``+listType``/``+listMapKey``
markers (for server-side apply), transcribed for the fields kubectl users touch.

A field that is not described here behaves as untyped JSON: objects merge key by key and
lists are replaced whole (atomic), which is what both algorithms do without a strategy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["BUILTIN_GROUPS", "FieldMeta", "PatchMeta", "patch_meta_for"]


@dataclass(frozen=True, slots=True)
class FieldMeta:
    """How one field merges.

    ``strategies`` are the Go tag's comma-separated values (``merge``, ``replace``,
    ``retainKeys``); ``merge_key`` the list's patchMergeKey. ``list_keys`` are the SSA
    associative-list keys when they differ from the merge key (container ports are keyed by
    containerPort+protocol under SSA, by containerPort alone under strategic merge).
    ``atomic`` marks a struct or map that SSA owns as a whole (``+structType=atomic``).
    ``schema`` describes the value (for lists: each item).
    """

    strategies: tuple[str, ...] = ()
    merge_key: str = ""
    list_keys: tuple[str, ...] = ()
    atomic: bool = False
    schema: PatchMeta | None = None

    @property
    def sub(self) -> PatchMeta:
        return self.schema if self.schema is not None else ANY

    @property
    def strategy(self) -> str:
        """The strategy other than retainKeys ('' for none)."""
        rest = [s for s in self.strategies if s != "retainKeys"]
        return rest[0] if rest else ""

    @property
    def retain_keys(self) -> bool:
        return "retainKeys" in self.strategies

    @property
    def associative_keys(self) -> tuple[str, ...]:
        """SSA list-map keys: explicit ones, else the strategic merge key."""
        if self.list_keys:
            return self.list_keys
        return (self.merge_key,) if self.merge_key else ()

    @property
    def is_set(self) -> bool:
        """A merging list of scalars: an SSA ``+listType=set``."""
        return self.strategy == "merge" and not self.merge_key


@dataclass(frozen=True, slots=True)
class PatchMeta:
    """The fields of one struct type; unknown fields are untyped."""

    name: str = ""
    fields: Mapping[str, FieldMeta] = field(default_factory=lambda: MappingProxyType({}))

    def lookup(self, key: str) -> FieldMeta:
        return self.fields.get(key, _UNTYPED)


ANY = PatchMeta()
_UNTYPED = FieldMeta()


def _struct(name: str, **fields: FieldMeta) -> PatchMeta:
    return PatchMeta(name, MappingProxyType(dict(fields)))


def _merge(
    key: str, schema: PatchMeta | None = None, *extra: str, keys: tuple[str, ...] = ()
) -> FieldMeta:
    return FieldMeta(("merge", *extra), key, keys, False, schema)


def _obj(schema: PatchMeta) -> FieldMeta:
    return FieldMeta(schema=schema)


_ATOMIC = FieldMeta(atomic=True)
_CONDITIONS = _merge("type")

OBJECT_META = _struct(
    "ObjectMeta",
    ownerReferences=_merge("uid"),
    finalizers=FieldMeta(("merge",)),
)

_CONTAINER = _struct(
    "Container",
    ports=_merge("containerPort", keys=("containerPort", "protocol")),
    env=_merge("name"),
    volumeMounts=_merge("mountPath"),
    volumeDevices=_merge("devicePath"),
)

_POD_SPEC = _struct(
    "PodSpec",
    volumes=_merge("name", None, "retainKeys"),
    initContainers=_merge("name", _CONTAINER),
    containers=_merge("name", _CONTAINER),
    ephemeralContainers=_merge("name", _CONTAINER),
    imagePullSecrets=_merge("name"),
    hostAliases=_merge("ip"),
    topologySpreadConstraints=_merge("topologyKey", keys=("topologyKey", "whenUnsatisfiable")),
    schedulingGates=_merge("name"),
    resourceClaims=_merge("name", None, "retainKeys"),
    evictionResponders=_merge("name"),
)

_POD_STATUS = _struct(
    "PodStatus",
    conditions=_CONDITIONS,
    hostIPs=_merge("ip"),
    podIPs=_merge("ip"),
    resourceClaimStatuses=_merge("name", None, "retainKeys"),
    nodeAllocatableResourceClaimStatuses=_merge("resourceClaimName"),
)

_POD_TEMPLATE = _struct("PodTemplateSpec", metadata=_obj(OBJECT_META), spec=_obj(_POD_SPEC))
_WITH_CONDITIONS = _struct("Status", conditions=_CONDITIONS)


def _kind(name: str, spec: PatchMeta | None = None, status: PatchMeta | None = None) -> PatchMeta:
    fields: dict[str, FieldMeta] = {"metadata": _obj(OBJECT_META)}
    if spec is not None:
        fields["spec"] = _obj(spec)
    if status is not None:
        fields["status"] = _obj(status)
    return PatchMeta(name, MappingProxyType(fields))


def _workload(name: str, **extra: FieldMeta) -> PatchMeta:
    spec = _struct(f"{name}Spec", template=_obj(_POD_TEMPLATE), selector=_ATOMIC, **extra)
    return _kind(name, spec, _WITH_CONDITIONS)


_JOB_SPEC = _struct("JobSpec", template=_obj(_POD_TEMPLATE), selector=_ATOMIC)
_JOB_TEMPLATE = _struct("JobTemplateSpec", metadata=_obj(OBJECT_META), spec=_obj(_JOB_SPEC))

_GENERIC = _kind("Object")

_KINDS: dict[tuple[str, str], PatchMeta] = {
    ("", "Pod"): _kind("Pod", _POD_SPEC, _POD_STATUS),
    ("", "PodTemplate"): PatchMeta(
        "PodTemplate",
        MappingProxyType({"metadata": _obj(OBJECT_META), "template": _obj(_POD_TEMPLATE)}),
    ),
    ("", "ReplicationController"): _workload("ReplicationController"),
    ("", "Service"): _kind(
        "Service",
        _struct("ServiceSpec", ports=_merge("port", keys=("port", "protocol")), selector=_ATOMIC),
        _WITH_CONDITIONS,
    ),
    ("", "ServiceAccount"): PatchMeta(
        "ServiceAccount",
        MappingProxyType({"metadata": _obj(OBJECT_META), "secrets": _merge("name")}),
    ),
    ("", "Node"): _kind(
        "Node",
        _struct("NodeSpec", podCIDRs=FieldMeta(("merge",))),
        _struct("NodeStatus", conditions=_CONDITIONS, addresses=_merge("type")),
    ),
    ("", "Namespace"): _kind("Namespace", None, _WITH_CONDITIONS),
    ("", "PersistentVolumeClaim"): _kind("PersistentVolumeClaim", None, _WITH_CONDITIONS),
    ("apps", "Deployment"): _workload("Deployment", strategy=FieldMeta(("retainKeys",))),
    ("apps", "ReplicaSet"): _workload("ReplicaSet"),
    ("apps", "StatefulSet"): _workload("StatefulSet"),
    ("apps", "DaemonSet"): _workload("DaemonSet"),
    ("batch", "Job"): _kind("Job", _JOB_SPEC, _WITH_CONDITIONS),
    ("batch", "CronJob"): _kind("CronJob", _struct("CronJobSpec", jobTemplate=_obj(_JOB_TEMPLATE))),
    ("autoscaling", "HorizontalPodAutoscaler"): _kind(
        "HorizontalPodAutoscaler", None, _WITH_CONDITIONS
    ),
    ("policy", "PodDisruptionBudget"): _kind(
        "PodDisruptionBudget",
        _struct("PodDisruptionBudgetSpec", selector=FieldMeta(("replace",), atomic=True)),
        _WITH_CONDITIONS,
    ),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"): PatchMeta(
        "ValidatingWebhookConfiguration",
        MappingProxyType({"metadata": _obj(OBJECT_META), "webhooks": _merge("name")}),
    ),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"): PatchMeta(
        "MutatingWebhookConfiguration",
        MappingProxyType({"metadata": _obj(OBJECT_META), "webhooks": _merge("name")}),
    ),
    ("storage.k8s.io", "CSINode"): _kind("CSINode", _struct("CSINodeSpec", drivers=_merge("name"))),
    # ObjectReference is +structType=atomic: an Event's references are owned whole.
    ("", "Event"): PatchMeta(
        "Event",
        MappingProxyType(
            {"metadata": _obj(OBJECT_META), "involvedObject": _ATOMIC, "related": _ATOMIC}
        ),
    ),
    ("events.k8s.io", "Event"): PatchMeta(
        "Event",
        MappingProxyType({"metadata": _obj(OBJECT_META), "regarding": _ATOMIC, "related": _ATOMIC}),
    ),
}

# Groups served by kube-apiserver itself; anything else is a CRD or an aggregated API.
BUILTIN_GROUPS = frozenset(
    {
        "",
        "admissionregistration.k8s.io",
        "apiextensions.k8s.io",
        "apiregistration.k8s.io",
        "apps",
        "authentication.k8s.io",
        "authorization.k8s.io",
        "autoscaling",
        "batch",
        "certificates.k8s.io",
        "coordination.k8s.io",
        "discovery.k8s.io",
        "events.k8s.io",
        "flowcontrol.apiserver.k8s.io",
        "internal.apiserver.k8s.io",
        "networking.k8s.io",
        "node.k8s.io",
        "policy",
        "rbac.authorization.k8s.io",
        "resource.k8s.io",
        "scheduling.k8s.io",
        "storage.k8s.io",
        "storagemigration.k8s.io",
    }
)


def patch_meta_for(group: str, version: str, kind: str) -> PatchMeta | None:
    """The metadata of a built-in kind; ``None`` for custom resources, whose strategic
    merge patches the apiserver refuses (415) and whose client-side apply uses JSON merge."""
    del version  # the tags above are the same in every served version
    if group not in BUILTIN_GROUPS:
        return None
    return _KINDS.get((group, kind), _GENERIC)
