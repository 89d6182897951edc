"""The DaemonSet controller, after kube-controller-manager 1.37's (pkg/controller/daemon):
one pod on every node the template may run on (its nodeSelector matches and it tolerates the
node's NoSchedule/NoExecute taints), pinned there by node affinity, and a rolling update
within ``maxUnavailable`` (surge is not modelled: ``maxSurge`` > 0 rolls as 0). With
``minReadySeconds``, a pod is available (for the roll and ``numberAvailable``) once it has
been Ready that long; the clock's ticks re-check sets still waiting for one."""

from __future__ import annotations

import copy
from typing import Any

from kctl.sandbox._ctlkit import (
    PODS,
    Kit,
    controller_ref,
    min_ready_seconds,
    pod_available,
    pod_finished,
    pod_ready,
)
from kctl.sandbox._revisions import HASH_LABEL, REVISIONS, Revisions
from kctl.sandbox._store import Event
from kctl.sandbox._workloads import _int_or_percent, compute_hash

__all__ = ["DaemonSets", "pinned_node", "stamp_template_generation"]

DAEMONSETS = ("apps", "daemonsets")
NODES = ("", "nodes")
GENERATION_LABEL = "pod-template-generation"
_API = "apps/v1"
# AddOrUpdateDaemonPodTolerations: a daemon pod stays through node trouble.
_TOLERATIONS = [
    ("node.kubernetes.io/not-ready", "NoExecute"),
    ("node.kubernetes.io/unreachable", "NoExecute"),
    ("node.kubernetes.io/disk-pressure", "NoSchedule"),
    ("node.kubernetes.io/memory-pressure", "NoSchedule"),
    ("node.kubernetes.io/pid-pressure", "NoSchedule"),
    ("node.kubernetes.io/unschedulable", "NoSchedule"),
]

Obj = dict[str, Any]


def pinned_node(pod: Obj) -> str | None:
    """The node a daemon pod's required node affinity names (``metadata.name In [x]``)."""
    affinity = ((pod.get("spec") or {}).get("affinity") or {}).get("nodeAffinity") or {}
    required = affinity.get("requiredDuringSchedulingIgnoredDuringExecution") or {}
    for term in required.get("nodeSelectorTerms") or []:
        for field in term.get("matchFields") or []:
            values = field.get("values") or []
            if field.get("key") == "metadata.name" and field.get("operator") == "In" and values:
                return str(values[0])
    return None


TEMPLATE_GENERATION = "deprecated.daemonset.template.generation"


def stamp_template_generation(obj: Obj, old: Obj | None) -> None:
    """The daemonset strategy's templateGeneration, which apps/v1 shows as an annotation: 1
    (or what a new object asks for) on create, one more whenever the template changes."""
    meta = obj.setdefault("metadata", {})
    annotations = meta.get("annotations") or {}
    if old is None:
        try:
            generation = max(1, int(annotations.get(TEMPLATE_GENERATION, "")))
        except ValueError:
            generation = 1
    else:
        try:
            generation = int((old["metadata"].get("annotations") or {})[TEMPLATE_GENERATION])
        except (KeyError, ValueError):
            generation = 1
        old_template = (old.get("spec") or {}).get("template")
        if (obj.get("spec") or {}).get("template") != old_template:
            generation += 1
    meta["annotations"] = {**annotations, TEMPLATE_GENERATION: str(generation)}


def _tolerates(tolerations: list[Obj], taint: Obj) -> bool:
    for tol in tolerations:
        if tol.get("effect") and tol.get("effect") != taint.get("effect"):
            continue
        if tol.get("operator") == "Exists" and not tol.get("key"):
            return True
        if tol.get("key") != taint.get("key"):
            continue
        if tol.get("operator") == "Exists" or tol.get("value", "") == taint.get("value", ""):
            return True
    return False


def _with_tolerations(spec: Obj) -> list[Obj]:
    tolerations = list(spec.get("tolerations") or [])
    extra = list(_TOLERATIONS)
    if spec.get("hostNetwork"):
        extra.append(("node.kubernetes.io/network-unavailable", "NoSchedule"))
    for key, effect in extra:
        if not any(t.get("key") == key and t.get("effect") == effect for t in tolerations):
            tolerations.append({"key": key, "operator": "Exists", "effect": effect})
    return tolerations


class DaemonSets:
    def __init__(self, kit: Kit) -> None:
        self.kit = kit
        self.revisions = Revisions(kit, _API, "DaemonSet")

    def _available(self, ds: Obj, pod: Obj) -> bool:
        return pod_available(pod, min_ready_seconds(ds), self.kit.now())

    def tick(self) -> None:
        """kube-controller-manager re-queues a set after minReadySeconds while its ready
        and available counts differ: here, each tick of the sandbox clock."""
        for entry in self.kit.store.items(DAEMONSETS):
            ds = entry.obj
            status = ds.get("status") or {}
            if min_ready_seconds(ds) and status.get("numberReady", 0) != status.get(
                "numberAvailable", 0
            ):
                self.sync(ds["metadata"]["namespace"], ds["metadata"]["name"])

    def handle(self, event: Event) -> None:
        obj = event.entry.obj
        meta = obj["metadata"]
        if event.resource == DAEMONSETS and event.type != "DELETED":
            self.sync(meta["namespace"], meta["name"])
        elif event.resource in (PODS, REVISIONS):
            owner = controller_ref(obj, "DaemonSet")
            if owner is not None:
                self.sync(meta["namespace"], owner["name"])
        elif event.resource == NODES:
            for entry in self.kit.store.items(DAEMONSETS):
                self.sync(entry.obj["metadata"]["namespace"], entry.obj["metadata"]["name"])

    def _eligible(self, ds: Obj) -> list[str]:
        tspec = ((ds.get("spec") or {}).get("template") or {}).get("spec") or {}
        selector = tspec.get("nodeSelector") or {}
        tolerations = _with_tolerations(tspec)
        names = []
        for entry in self.kit.store.items(NODES):
            node = entry.obj
            if node["metadata"].get("deletionTimestamp"):
                continue
            labels = node["metadata"].get("labels") or {}
            if any(labels.get(k) != v for k, v in selector.items()):
                continue
            taints = [
                t
                for t in (node.get("spec") or {}).get("taints") or []
                if t.get("effect") in ("NoSchedule", "NoExecute")
            ]
            if all(_tolerates(tolerations, t) for t in taints):
                names.append(node["metadata"]["name"])
        return sorted(names)

    def sync(self, ns: str, name: str) -> None:
        ds = self.kit.get(DAEMONSETS, ns, name)
        if ds is None or ds["metadata"].get("deletionTimestamp"):
            return
        spec = ds.get("spec") or {}
        collisions = (ds.get("status") or {}).get("collisionCount")
        digest = compute_hash(spec.get("template") or {}, collisions)
        fresh = not self.revisions.owned(ds)
        self.revisions.ensure(ds, ds["metadata"].get("annotations"), digest)
        if fresh:
            self.revisions.adopt(ds, self.kit.owned(PODS, ns, ds["metadata"]["uid"]), digest)
        nodes = self._eligible(ds)
        pods = [
            p
            for p in self.kit.owned(PODS, ns, ds["metadata"]["uid"])
            if not p["metadata"].get("deletionTimestamp")
        ]
        on_node: dict[str, list[Obj]] = {}
        for pod in pods:
            node = (pod.get("spec") or {}).get("nodeName") or pinned_node(pod) or ""
            on_node.setdefault(node, []).append(pod)
        for node in nodes:
            here = [p for p in on_node.get(node, []) if not pod_finished(p)]
            for pod in on_node.get(node, []):
                if pod_finished(pod):
                    self._delete(ds, pod)
            if not here:
                self._create(ds, node, digest)
            for pod in sorted(here, key=lambda p: p["metadata"].get("creationTimestamp", ""))[1:]:
                self._delete(ds, pod)
        for node, stray in on_node.items():
            if node not in nodes:
                for pod in stray:
                    self._delete(ds, pod)
        self._roll(ds, nodes, digest)
        self._status(ds, nodes, digest)
        pods = self.kit.owned(PODS, ns, ds["metadata"]["uid"])
        hashes = {str((p["metadata"].get("labels") or {}).get(HASH_LABEL)) for p in pods}
        self.revisions.prune(ds, {f"{name}-{h}" for h in hashes | {digest}})

    def _roll(self, ds: Obj, nodes: list[str], digest: str) -> None:
        strategy = (ds.get("spec") or {}).get("updateStrategy") or {}
        if strategy.get("type", "RollingUpdate") != "RollingUpdate":
            return
        rolling = strategy.get("rollingUpdate") or {}
        budget = max(1, _int_or_percent(rolling.get("maxUnavailable", 1), len(nodes), True))
        pods = [
            p
            for p in self.kit.owned(PODS, ds["metadata"]["namespace"], ds["metadata"]["uid"])
            if not pod_finished(p)
        ]
        unavailable = sum(
            1 for p in pods if p["metadata"].get("deletionTimestamp") or not self._available(ds, p)
        )
        unavailable += sum(
            1
            for node in nodes
            if not any(
                ((p.get("spec") or {}).get("nodeName") or pinned_node(p)) == node for p in pods
            )
        )
        old = [
            p
            for p in pods
            if not p["metadata"].get("deletionTimestamp")
            and (p["metadata"].get("labels") or {}).get(HASH_LABEL) != digest
        ]
        # Old pods that are not available go first: they serve nobody.
        old.sort(key=lambda p: self._available(ds, p))
        for pod in old:
            if not self._available(ds, pod):
                self._delete(ds, pod)
            elif unavailable < budget:
                self._delete(ds, pod)
                unavailable += 1

    def _create(self, ds: Obj, node: str, digest: str) -> None:
        meta = ds["metadata"]
        template = copy.deepcopy((ds.get("spec") or {}).get("template") or {})
        pod = self.kit.pod_from_template(
            ds, _API, "DaemonSet", template, generateName=f"{meta['name']}-"
        )
        pod["metadata"]["labels"] = {
            **(pod["metadata"].get("labels") or {}),
            HASH_LABEL: digest,
            GENERATION_LABEL: str(meta.get("generation", 1)),
        }
        spec = pod["spec"]
        affinity = spec.setdefault("affinity", {})
        affinity["nodeAffinity"] = {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}
                ]
            }
        }
        spec["tolerations"] = _with_tolerations(spec)
        made = self.kit.create(PODS, meta["namespace"], pod)
        self.kit.event(
            ds, _API, "DaemonSet", "SuccessfulCreate", f"Created pod: {made['metadata']['name']}"
        )

    def _delete(self, ds: Obj, pod: Obj) -> None:
        meta = pod["metadata"]
        if self.kit.delete(PODS, meta["namespace"], meta["name"]):
            self.kit.event(
                ds, _API, "DaemonSet", "SuccessfulDelete", f"Deleted pod: {meta['name']}"
            )

    def _status(self, ds: Obj, nodes: list[str], digest: str) -> None:
        meta = ds["metadata"]
        pods = [
            p
            for p in self.kit.owned(PODS, meta["namespace"], meta["uid"])
            if not p["metadata"].get("deletionTimestamp") and not pod_finished(p)
        ]
        placed = {((p.get("spec") or {}).get("nodeName") or pinned_node(p)): p for p in pods}
        scheduled = [n for n in nodes if n in placed]
        misscheduled = [n for n in placed if n not in nodes]
        ready = [n for n in scheduled if pod_ready(placed[n])]
        available = [n for n in ready if self._available(ds, placed[n])]
        updated = [
            n
            for n in scheduled
            if (placed[n]["metadata"].get("labels") or {}).get(HASH_LABEL) == digest
        ]
        status: Obj = {
            "currentNumberScheduled": len(scheduled),
            "numberMisscheduled": len(misscheduled),
            "desiredNumberScheduled": len(nodes),
            "numberReady": len(ready),
            "observedGeneration": meta.get("generation", 1),
        }
        optional = (
            ("updatedNumberScheduled", len(updated)),
            ("numberAvailable", len(available)),
            ("numberUnavailable", len(nodes) - len(available)),
        )
        for key, value in optional:
            if value:
                status[key] = value
        previous = ds.get("status") or {}
        for key in ("collisionCount", "conditions"):
            if previous.get(key) is not None:
                status[key] = previous[key]
        if previous == status:
            return

        def change(obj: Obj) -> Obj:
            obj["status"] = status
            return obj

        self.kit.mutate(DAEMONSETS, meta["namespace"], meta["name"], change, "status")
