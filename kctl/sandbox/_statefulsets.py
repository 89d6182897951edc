"""The StatefulSet controller, after kube-controller-manager 1.37's (pkg/controller/
statefulset): pods ``<set>-<ordinal>`` with stable hostnames and claims, made in order
(``OrderedReady``: each one Running and Ready before the next) or all at once
(``Parallel``), removed from the highest ordinal down, and rolled to a new revision from the
highest ordinal down to ``partition``, one pod at a time. With ``minReadySeconds``, a pod
counts as available (for the order, the roll and ``availableReplicas``) once it has been
Ready that long; the clock's ticks re-check sets still waiting for one."""

from __future__ import annotations

import copy
from typing import Any

from kctl.sandbox._ctlkit import (
    PODS,
    Kit,
    controller_ref,
    min_ready_seconds,
    owner_ref,
    pod_available,
    pod_finished,
    pod_ready,
)
from kctl.sandbox._revisions import HASH_LABEL, REVISIONS, Revisions
from kctl.sandbox._store import Event
from kctl.sandbox._workloads import _int_or_percent

__all__ = ["StatefulSets"]

STATEFULSETS = ("apps", "statefulsets")
CLAIMS = ("", "persistentvolumeclaims")
POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"
_API = "apps/v1"

Obj = dict[str, Any]


def _ordinal(set_name: str, pod: Obj) -> int | None:
    name = pod["metadata"]["name"]
    prefix, _, number = name.rpartition("-")
    if prefix != set_name or not number.isdigit():
        return None
    return int(number)


def _healthy(pod: Obj) -> bool:
    status = pod.get("status") or {}
    return (
        status.get("phase") == "Running"
        and pod_ready(pod)
        and not pod["metadata"].get("deletionTimestamp")
    )


class StatefulSets:
    def __init__(self, kit: Kit) -> None:
        self.kit = kit
        self.revisions = Revisions(kit, _API, "StatefulSet")

    def _available(self, sts: Obj, pod: Obj) -> bool:
        """isRunningAndAvailable, for a pod that is also Running and not terminating."""
        return _healthy(pod) and pod_available(pod, min_ready_seconds(sts), self.kit.now())

    def tick(self) -> None:
        """kube-controller-manager re-queues a set after minReadySeconds while its ready
        and available counts differ: here, each tick of the sandbox clock."""
        for entry in self.kit.store.items(STATEFULSETS):
            sts = entry.obj
            status = sts.get("status") or {}
            if min_ready_seconds(sts) and status.get("readyReplicas", 0) != status.get(
                "availableReplicas", 0
            ):
                self.sync(sts["metadata"]["namespace"], sts["metadata"]["name"])

    def handle(self, event: Event) -> None:
        obj = event.entry.obj
        meta = obj["metadata"]
        if event.resource == STATEFULSETS and event.type != "DELETED":
            self.sync(meta["namespace"], meta["name"])
        elif event.resource in (PODS, REVISIONS):
            owner = controller_ref(obj, "StatefulSet")
            if owner is not None:
                self.sync(meta["namespace"], owner["name"])

    def sync(self, ns: str, name: str) -> None:
        sts = self.kit.get(STATEFULSETS, ns, name)
        if sts is None or sts["metadata"].get("deletionTimestamp"):
            return
        spec = sts.get("spec") or {}
        status = sts.get("status") or {}
        fresh = not self.revisions.owned(sts)
        update_rev = self.revisions.ensure(sts, sts["metadata"].get("annotations"))
        if fresh:
            self.revisions.adopt(
                sts,
                self.kit.owned(PODS, ns, sts["metadata"]["uid"]),
                update_rev["metadata"]["name"],
            )
        revisions = {r["metadata"]["name"]: r for r in self.revisions.owned(sts)}
        current_name = status.get("currentRevision") or ""
        if current_name not in revisions:
            current_name = update_rev["metadata"]["name"]
        update_name = update_rev["metadata"]["name"]
        pods = self.kit.owned(PODS, ns, sts["metadata"]["uid"])
        by_ordinal: dict[int, Obj] = {}
        for pod in pods:
            ordinal = _ordinal(name, pod)
            if ordinal is not None:
                by_ordinal[ordinal] = pod
        start = int((spec.get("ordinals") or {}).get("start") or 0)
        replicas = int(spec.get("replicas", 1))
        wanted = range(start, start + replicas)
        ordered = spec.get("podManagementPolicy", "OrderedReady") == "OrderedReady"
        self._step(sts, by_ordinal, wanted, ordered, current_name, update_name, revisions)
        pods = self.kit.owned(PODS, ns, sts["metadata"]["uid"])
        self._status(sts, pods, current_name, update_name)
        live = {current_name, update_name}
        live |= {str((p["metadata"].get("labels") or {}).get(HASH_LABEL)) for p in pods}
        self.revisions.prune(sts, live)

    def _step(
        self,
        sts: Obj,
        by_ordinal: dict[int, Obj],
        wanted: range,
        ordered: bool,
        current_name: str,
        update_name: str,
        revisions: dict[str, Obj],
    ) -> None:
        """One pass of updateStatefulSet; with OrderedReady it stops at the first pod that
        is not yet Running and Ready."""
        spec = sts.get("spec") or {}
        strategy = spec.get("updateStrategy") or {}
        rolling = strategy.get("type", "RollingUpdate") == "RollingUpdate"
        partition = int((strategy.get("rollingUpdate") or {}).get("partition") or 0)
        status = sts.get("status") or {}
        for ordinal in wanted:
            pod = by_ordinal.get(ordinal)
            if (
                pod is not None
                and pod_finished(pod)
                and not pod["metadata"].get("deletionTimestamp")
            ):
                # A failed or succeeded pod is replaced.
                self._delete_pod(sts, pod)
                if ordered:
                    return
                continue
            if pod is None:
                # newVersionedStatefulSetPod: below the partition (or, for a RollingUpdate
                # without rollingUpdate, the current replicas) pods keep the current
                # revision; OnDelete replaces a deleted pod with the update revision.
                if strategy.get("rollingUpdate") is not None:
                    use_current = ordinal < wanted.start + partition
                elif rolling:
                    use_current = ordinal < wanted.start + int(status.get("currentReplicas") or 0)
                else:
                    use_current = False
                revision = current_name if use_current else update_name
                self._create_pod(sts, ordinal, revision, revisions[revision])
                if ordered:
                    return
                continue
            if ordered and not self._available(sts, pod):
                return
        condemned = sorted((o for o in by_ordinal if o not in wanted), reverse=True)
        if condemned:
            if ordered and not all(
                self._available(sts, by_ordinal[o]) for o in wanted if o in by_ordinal
            ):
                return
            for ordinal in condemned:
                pod = by_ordinal[ordinal]
                if pod["metadata"].get("deletionTimestamp"):
                    if ordered:
                        return
                    continue
                self._condemn(sts, pod)
                if ordered:
                    return
            return
        if not rolling:
            return
        self._roll(sts, by_ordinal, wanted, ordered, partition, update_name)

    def _roll(
        self,
        sts: Obj,
        by_ordinal: dict[int, Obj],
        wanted: range,
        ordered: bool,
        partition: int,
        update_name: str,
    ) -> None:
        """updateStatefulSetAfterInvariantEstablished (MaxUnavailableStatefulSet is on in
        1.37): from the highest ordinal down to the partition, delete outdated pods while
        no more than maxUnavailable are unavailable."""
        rolling = ((sts.get("spec") or {}).get("updateStrategy") or {}).get("rollingUpdate")
        budget = 1
        if rolling is not None:
            value = rolling.get("maxUnavailable", 1)
            budget = max(1, _int_or_percent(value, len(wanted), False))

        def outdated(pod: Obj) -> bool:
            return (pod["metadata"].get("labels") or {}).get(HASH_LABEL) != update_name

        pods = [by_ordinal.get(o) for o in wanted]
        unavailable = sum(1 for p in pods if p is None or not self._available(sts, p))
        # Parallel: old pods that are down anyway can go without spending the budget.
        stuck = [
            p
            for p in pods
            if not ordered
            and p is not None
            and not _healthy(p)
            and outdated(p)
            and not p["metadata"].get("deletionTimestamp")
        ]
        if unavailable >= budget and not stuck:
            return
        candidates = [
            by_ordinal[o]
            for o in sorted(wanted, reverse=True)
            if o >= wanted.start + partition and o in by_ordinal
        ]
        for pod in candidates:
            if pod in stuck:
                self._delete_pod(sts, pod)
        remaining = budget - unavailable
        for pod in candidates:
            if remaining <= 0:
                break
            if pod in stuck or not outdated(pod) or pod["metadata"].get("deletionTimestamp"):
                continue
            if not ordered and not _healthy(pod):
                continue
            self._delete_pod(sts, pod)
            remaining -= 1

    def _create_pod(self, sts: Obj, ordinal: int, revision: str, rev: Obj) -> None:
        meta = sts["metadata"]
        ns, name = meta["namespace"], meta["name"]
        spec = sts.get("spec") or {}
        template = copy.deepcopy(((rev.get("data") or {}).get("spec") or {}).get("template") or {})
        template.pop("$patch", None)
        pod_name = f"{name}-{ordinal}"
        labels = {
            HASH_LABEL: revision,
            POD_NAME_LABEL: pod_name,
            POD_INDEX_LABEL: str(ordinal),
        }
        pod = self.kit.pod_from_template(sts, _API, "StatefulSet", template, name=pod_name)
        pod["metadata"]["labels"] = {**(pod["metadata"].get("labels") or {}), **labels}
        pod_spec = pod["spec"]
        pod_spec["hostname"] = pod_name
        if spec.get("serviceName"):
            pod_spec["subdomain"] = spec["serviceName"]
        for claim in spec.get("volumeClaimTemplates") or []:
            claim_name = f"{claim['metadata']['name']}-{pod_name}"
            self._ensure_claim(sts, claim, claim_name, pod_name)
            volumes = [
                v
                for v in pod_spec.get("volumes") or []
                if v.get("name") != claim["metadata"]["name"]
            ]
            volumes.append(
                {
                    "name": claim["metadata"]["name"],
                    "persistentVolumeClaim": {"claimName": claim_name},
                }
            )
            pod_spec["volumes"] = volumes
        self.kit.create(PODS, ns, pod)
        self.kit.event(
            sts,
            _API,
            "StatefulSet",
            "SuccessfulCreate",
            f"create Pod {pod_name} in StatefulSet {name} successful",
        )

    def _ensure_claim(self, sts: Obj, claim: Obj, claim_name: str, pod_name: str) -> None:
        ns = sts["metadata"]["namespace"]
        if self.kit.get(CLAIMS, ns, claim_name) is not None:
            return
        labels = dict(((sts.get("spec") or {}).get("selector") or {}).get("matchLabels") or {})
        labels.update((claim.get("metadata") or {}).get("labels") or {})
        claim_meta: Obj = {"name": claim_name, "namespace": ns, "labels": labels}
        refs = _claim_owners(sts, None)
        if refs:
            claim_meta["ownerReferences"] = refs
        body: Obj = {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": claim_meta,
            "spec": copy.deepcopy(claim.get("spec") or {}),
        }
        self.kit.create(CLAIMS, ns, body)
        self.kit.event(
            sts,
            _API,
            "StatefulSet",
            "SuccessfulCreate",
            f"create Claim {claim_name} Pod {pod_name} in StatefulSet "
            f"{sts['metadata']['name']} success",
        )

    def _condemn(self, sts: Obj, pod: Obj) -> None:
        """Scale-down: the pod's claims follow whenScaled (owned by the pod, so they go
        with it, or kept), then the pod goes."""
        ns = sts["metadata"]["namespace"]
        refs = _claim_owners(sts, pod)
        for claim in (sts.get("spec") or {}).get("volumeClaimTemplates") or []:
            name = f"{claim['metadata']['name']}-{pod['metadata']['name']}"
            current = self.kit.get(CLAIMS, ns, name)
            if current is None:
                continue
            ours = {sts["metadata"]["uid"], pod["metadata"]["uid"]}
            kept = [
                r
                for r in current["metadata"].get("ownerReferences") or []
                if r.get("uid") not in ours
            ]
            if kept + refs == (current["metadata"].get("ownerReferences") or []):
                continue

            def change(obj: Obj, owners: list[Obj] = kept + refs) -> Obj:
                if owners:
                    obj["metadata"]["ownerReferences"] = owners
                else:
                    obj["metadata"].pop("ownerReferences", None)
                return obj

            self.kit.mutate(CLAIMS, ns, name, change)
        self._delete_pod(sts, pod)

    def _delete_pod(self, sts: Obj, pod: Obj) -> None:
        meta = pod["metadata"]
        if self.kit.delete(PODS, meta["namespace"], meta["name"]):
            self.kit.event(
                sts,
                _API,
                "StatefulSet",
                "SuccessfulDelete",
                f"delete Pod {meta['name']} in StatefulSet {sts['metadata']['name']} successful",
            )

    def _status(self, sts: Obj, pods: list[Obj], current: str, update: str) -> None:
        meta = sts["metadata"]
        spec = sts.get("spec") or {}
        live = [p for p in pods if not p["metadata"].get("deletionTimestamp")]
        replicas = len(live)
        ready = sum(1 for p in live if _healthy(p))
        available = sum(1 for p in live if self._available(sts, p))
        revision_of = [str((p["metadata"].get("labels") or {}).get(HASH_LABEL)) for p in live]
        current_count = revision_of.count(current)
        updated = revision_of.count(update)
        rolling = (spec.get("updateStrategy") or {}).get("type", "RollingUpdate") == "RollingUpdate"
        if (
            rolling
            and current != update
            and updated == replicas
            and ready == replicas
            and replicas == int(spec.get("replicas", 1))
        ):
            # completeRollingUpdate: the update revision becomes the current one.
            current, current_count = update, updated
        status: Obj = {
            "observedGeneration": meta.get("generation", 1),
            "replicas": replicas,
        }
        for key, value in (
            ("readyReplicas", ready),
            ("currentReplicas", current_count),
            ("updatedReplicas", updated),
        ):
            if value:
                status[key] = value
        status["currentRevision"] = current
        status["updateRevision"] = update
        status["collisionCount"] = int((sts.get("status") or {}).get("collisionCount") or 0)
        conditions = (sts.get("status") or {}).get("conditions")
        if conditions:
            status["conditions"] = conditions
        status["availableReplicas"] = available
        if (sts.get("status") or {}) == status:
            return

        def change(obj: Obj) -> Obj:
            obj["status"] = status
            return obj

        self.kit.mutate(STATEFULSETS, meta["namespace"], meta["name"], change, "status")


def _claim_owners(sts: Obj, condemned: Obj | None) -> list[Obj]:
    """updateClaimOwnerRefForSetAndPod: the owners persistentVolumeClaimRetentionPolicy
    gives a claim, for a pod in range (``condemned`` None) or one being scaled away."""
    policy = (sts.get("spec") or {}).get("persistentVolumeClaimRetentionPolicy") or {}
    deleted = policy.get("whenDeleted", "Retain") == "Delete"
    scaled = policy.get("whenScaled", "Retain") == "Delete"
    if condemned is not None and scaled:
        return [owner_ref(condemned, "v1", "Pod")]
    if deleted and (condemned is None or not scaled):
        return [owner_ref(sts, _API, "StatefulSet")]
    return []
