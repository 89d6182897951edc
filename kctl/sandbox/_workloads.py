"""Minimal deployment and replicaset controllers, after kube-controller-manager's.

A Deployment owns one ReplicaSet per distinct pod template (named ``<deployment>-<hash>``,
labelled ``pod-template-hash``) and rolls from the old ones to the new one within maxSurge and
maxUnavailable; a ReplicaSet keeps ``spec.replicas`` pods alive. Both publish the status
fields kubectl's READY / UP-TO-DATE / AVAILABLE columns and ``rollout status`` read.

Each sync is level-triggered and idempotent: it reads the store, makes at most one step of
progress, and the resulting events bring the controller back for the next step. A pod counts
as available once Ready for ``minReadySeconds``; the clock's ticks re-check the ReplicaSets
still waiting for one.
"""

from __future__ import annotations

import copy
import json
import math
from typing import Any

from kctl.errors import StatusError
from kctl.sandbox._apply import update_tracker
from kctl.sandbox._catalog import ResourceType
from kctl.sandbox._ctlkit import min_ready_seconds, pod_available
from kctl.sandbox._objects import format_time
from kctl.sandbox._registry import DeleteOptions, Registry
from kctl.sandbox._store import Event

__all__ = ["HASH_LABEL", "Workloads", "compute_hash", "safe_encode_string"]

HASH_LABEL = "pod-template-hash"
REVISION = "deployment.kubernetes.io/revision"
DESIRED = "deployment.kubernetes.io/desired-replicas"
MAX = "deployment.kubernetes.io/max-replicas"
MANAGER = "kube-controller-manager"

_PODS = ("", "pods")
_RS = ("apps", "replicasets")
_DEPLOYMENTS = ("apps", "deployments")

# k8s.io/apimachinery/pkg/util/rand: vowels left out so no words form.
_ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"


def safe_encode_string(text: str) -> str:
    return "".join(_ALPHANUMS[ord(ch) % len(_ALPHANUMS)] for ch in text)


def _fnv32a(data: bytes) -> int:
    h = 0x811C9DC5
    for byte in data:
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def compute_hash(template: dict[str, Any], collision_count: int | None = None) -> str:
    """ComputeHash: fnv32a over the template (then the collision count as 8 little-endian
    bytes), printed in decimal and safe-encoded. Go hashes a spew dump of the typed struct;
    canonical JSON stands in for it, so values differ from a real cluster's but keep their
    properties (stable, template-sensitive, collision-count-sensitive)."""
    data = json.dumps(template, sort_keys=True, separators=(",", ":")).encode()
    if collision_count is not None:
        data += (collision_count & 0xFFFFFFFF).to_bytes(4, "little") + b"\x00" * 4
    return safe_encode_string(str(_fnv32a(data)))


def _controller_of(obj: dict[str, Any], kind: str) -> dict[str, Any] | None:
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("controller") and ref.get("kind") == kind:
            return dict(ref)
    return None


def _owner_ref(owner: dict[str, Any], api_version: str, kind: str) -> dict[str, Any]:
    return {
        "apiVersion": api_version,
        "kind": kind,
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def _without_hash(template: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(template)
    labels = (out.get("metadata") or {}).get("labels")
    if isinstance(labels, dict):
        labels.pop(HASH_LABEL, None)
    return out


def _pod_ready(pod: dict[str, Any]) -> bool:
    for cond in (pod.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            return bool(cond.get("status") == "True")
    return False


def _replicas(obj: dict[str, Any]) -> int:
    value = (obj.get("spec") or {}).get("replicas")
    return 1 if value is None else int(value)


def _status_int(obj: dict[str, Any], key: str) -> int:
    return int((obj.get("status") or {}).get(key) or 0)


def _revision(rs: dict[str, Any]) -> int:
    try:
        return int((rs["metadata"].get("annotations") or {}).get(REVISION, "0"))
    except ValueError:
        return 0


def _int_or_percent(value: Any, total: int, round_up: bool) -> int:
    if isinstance(value, int):
        return value
    text = str(value)
    if text.endswith("%"):
        scaled = int(text[:-1]) * total / 100
        return math.ceil(scaled) if round_up else math.floor(scaled)
    return int(text)


def _surge_and_unavailable(deploy: dict[str, Any], desired: int) -> tuple[int, int]:
    rolling = ((deploy.get("spec") or {}).get("strategy") or {}).get("rollingUpdate") or {}
    surge = _int_or_percent(rolling.get("maxSurge", "25%"), desired, True)
    unavailable = _int_or_percent(rolling.get("maxUnavailable", "25%"), desired, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1  # ResolveFenceposts: a rollout must be able to make progress
    return surge, unavailable


def _set_condition(
    status: dict[str, Any], ctype: str, value: str, reason: str, message: str, now: str
) -> None:
    """SetDeploymentCondition: a condition whose status and reason are unchanged is left
    alone; otherwise it moves to the end, keeping lastTransitionTime when only the reason
    changed."""
    conditions: list[dict[str, Any]] = list(status.get("conditions") or [])
    current = next((c for c in conditions if c.get("type") == ctype), None)
    if current is not None and current.get("status") == value and current.get("reason") == reason:
        return
    transition = now
    if current is not None and current.get("status") == value:
        transition = current.get("lastTransitionTime", now)
    conditions = [c for c in conditions if c.get("type") != ctype]
    conditions.append(
        {
            "type": ctype,
            "status": value,
            "lastUpdateTime": now,
            "lastTransitionTime": transition,
            "reason": reason,
            "message": message,
        }
    )
    status["conditions"] = conditions


class Workloads:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.store = registry.store

    def _rt(self, group: str, plural: str) -> ResourceType:
        rt = self.registry.catalog.get(group, "v1", plural)
        assert rt is not None
        return rt

    def _tracker(self, rt: ResourceType, subresource: str = "") -> Any:
        return update_tracker(rt, MANAGER, subresource, self.registry.now)

    def handle(self, event: Event) -> None:
        obj = event.entry.obj
        meta = obj["metadata"]
        ns = meta.get("namespace", "")
        if event.resource == _DEPLOYMENTS and event.type != "DELETED":
            self.sync_deployment(ns, meta["name"])
        elif event.resource == _RS:
            if event.type != "DELETED":
                self.sync_replicaset(ns, meta["name"])
            owner = _controller_of(obj, "Deployment")
            if owner is not None:
                self.sync_deployment(ns, owner["name"])
        elif event.resource == _PODS:
            owner = _controller_of(obj, "ReplicaSet")
            if owner is not None:
                self.sync_replicaset(ns, owner["name"])

    def tick(self) -> None:
        """kube-controller-manager re-queues a ReplicaSet after minReadySeconds while some
        of its ready pods are not yet available: here, each tick of the sandbox clock. The
        status it writes brings the owning Deployment back (its availability, its rollout)."""
        for entry in self.store.items(_RS):
            rs = entry.obj
            status = rs.get("status") or {}
            if min_ready_seconds(rs) and status.get("readyReplicas", 0) != status.get(
                "availableReplicas", 0
            ):
                meta = rs["metadata"]
                self._replicaset_status(meta["namespace"], meta["name"])

    # --- replicasets ---------------------------------------------------------------------

    def _owned(self, resource: tuple[str, str], ns: str, uid: str) -> list[dict[str, Any]]:
        out = []
        for entry in self.store.items(resource, ns):
            for ref in entry.obj["metadata"].get("ownerReferences") or []:
                if ref.get("controller") and ref.get("uid") == uid:
                    out.append(entry.obj)
                    break
        return out

    def _active_pods(self, rs: dict[str, Any]) -> list[dict[str, Any]]:
        meta = rs["metadata"]
        return [
            p
            for p in self._owned(_PODS, meta["namespace"], meta["uid"])
            if not p["metadata"].get("deletionTimestamp")
            and (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")
        ]

    def sync_replicaset(self, ns: str, name: str) -> None:
        entry = self.store.get(_RS, ns, name)
        if entry is None or entry.obj["metadata"].get("deletionTimestamp"):
            return
        rs = entry.obj
        pods = self._active_pods(rs)
        want = _replicas(rs)
        pod_rt = self._rt(*_PODS)
        if len(pods) < want:
            template = (rs.get("spec") or {}).get("template") or {}
            tmeta = template.get("metadata") or {}
            for _ in range(want - len(pods)):
                meta: dict[str, Any] = {
                    "generateName": f"{name}-",
                    "namespace": ns,
                    "ownerReferences": [_owner_ref(rs, "apps/v1", "ReplicaSet")],
                }
                for key in ("labels", "annotations", "finalizers"):
                    if tmeta.get(key):
                        meta[key] = copy.deepcopy(tmeta[key])
                pod = {
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "metadata": meta,
                    "spec": copy.deepcopy(template.get("spec") or {}),
                }
                made = self.registry.create(pod_rt, ns, pod, tracker=self._tracker(pod_rt))
                self._event(
                    rs,
                    "ReplicaSet",
                    "SuccessfulCreate",
                    f"Created pod: {made['metadata']['name']}",
                    "replicaset-controller",
                )
        elif len(pods) > want:
            # getPodsToDelete: unscheduled, then not ready, then the newest go first.
            def rank(pod: dict[str, Any]) -> tuple[bool, bool, str]:
                return (
                    bool((pod.get("spec") or {}).get("nodeName")),
                    _pod_ready(pod),
                    _negated(pod["metadata"].get("creationTimestamp", "")),
                )

            for pod in sorted(pods, key=rank)[: len(pods) - want]:
                try:
                    self.registry.delete(pod_rt, ns, pod["metadata"]["name"], DeleteOptions())
                except StatusError as err:
                    if err.code != 404:
                        raise
                    continue
                self._event(
                    rs,
                    "ReplicaSet",
                    "SuccessfulDelete",
                    f"Deleted pod: {pod['metadata']['name']}",
                    "replicaset-controller",
                )
        self._replicaset_status(ns, name)

    def _replicaset_status(self, ns: str, name: str) -> None:
        entry = self.store.get(_RS, ns, name)
        if entry is None:
            return
        rs = entry.obj
        pods = self._active_pods(rs)
        template_labels = ((rs["spec"].get("template") or {}).get("metadata") or {}).get(
            "labels"
        ) or {}
        ready = sum(1 for p in pods if _pod_ready(p))
        # calculateStatus: available means Ready for minReadySeconds (podutil.IsPodAvailable).
        wait, now = min_ready_seconds(rs), self.registry.now()
        available = sum(1 for p in pods if pod_available(p, wait, now))
        labelled = sum(
            1
            for p in pods
            if all(
                (p["metadata"].get("labels") or {}).get(k) == v for k, v in template_labels.items()
            )
        )
        counts = {
            "replicas": len(pods),
            "fullyLabeledReplicas": labelled,
            "readyReplicas": ready,
            "availableReplicas": available,
        }

        def change(obj: dict[str, Any]) -> dict[str, Any]:
            status = dict(obj.get("status") or {})
            for key, value in counts.items():
                if value or key == "replicas":
                    status[key] = value
                else:
                    status.pop(key, None)
            status["observedGeneration"] = obj["metadata"].get("generation", 1)
            obj["status"] = status
            return obj

        rt = self._rt(*_RS)
        self.registry.mutate(
            rt, ns, name, change, subresource="status", tracker=self._tracker(rt, "status")
        )

    # --- deployments ---------------------------------------------------------------------

    def sync_deployment(self, ns: str, name: str) -> None:
        entry = self.store.get(_DEPLOYMENTS, ns, name)
        if entry is None or entry.obj["metadata"].get("deletionTimestamp"):
            return
        deploy = entry.obj
        spec = deploy.get("spec") or {}
        template = spec.get("template") or {}
        owned = self._owned(_RS, ns, deploy["metadata"]["uid"])
        new_rs = next(
            (
                rs
                for rs in owned
                if _without_hash((rs.get("spec") or {}).get("template") or {})
                == _without_hash(template)
            ),
            None,
        )
        old = [rs for rs in owned if rs is not new_rs]
        desired = _replicas(deploy)
        surge, unavailable = _surge_and_unavailable(deploy, desired)
        recreate = (spec.get("strategy") or {}).get("type") == "Recreate"
        progress: tuple[str, str] | None = None
        if spec.get("paused"):
            # A paused rollout only follows scaling of the current ReplicaSet.
            if new_rs is not None and not any(_replicas(rs) for rs in old):
                self._scale(new_rs, desired, desired, desired + surge)
            self._deployment_status(ns, name, ("DeploymentPaused", "Deployment is paused"))
            return
        was_paused = any(
            c.get("reason") == "DeploymentPaused"
            for c in (deploy.get("status") or {}).get("conditions") or []
        )
        if was_paused:
            progress = ("DeploymentResumed", "Deployment is resumed")
        if new_rs is None:
            old_pods = sum(_replicas(rs) for rs in old)
            if recreate:
                count = 0 if old_pods else desired
            else:
                count = max(0, min(desired, desired + surge - old_pods)) if old else desired
            new_rs = self._create_replicaset(deploy, old, count, desired + surge)
            if new_rs is None:
                return
            progress = ("NewReplicaSetCreated", f'Created new replica set "{_name(new_rs)}"')
        else:
            max_old = max((_revision(rs) for rs in old), default=0)
            if _revision(new_rs) <= max_old:
                self._annotate(new_rs, {REVISION: str(max_old + 1)})
        if recreate:
            changed = self._recreate(new_rs, old, desired)
        else:
            changed = self._roll(new_rs, old, desired, surge, unavailable)
        if changed and progress is None:
            progress = ("ReplicaSetUpdated", f'ReplicaSet "{_name(new_rs)}" is progressing.')
        self._cleanup(deploy, old)
        self._deployment_status(ns, name, progress)

    def _create_replicaset(
        self, deploy: dict[str, Any], old: list[dict[str, Any]], replicas: int, max_replicas: int
    ) -> dict[str, Any] | None:
        meta = deploy["metadata"]
        spec = deploy.get("spec") or {}
        template = copy.deepcopy(spec.get("template") or {})
        collisions = (deploy.get("status") or {}).get("collisionCount")
        pod_hash = compute_hash(template, collisions)
        tmeta = template.setdefault("metadata", {})
        labels = {**(tmeta.get("labels") or {}), HASH_LABEL: pod_hash}
        tmeta["labels"] = labels
        selector = copy.deepcopy(spec.get("selector") or {})
        selector["matchLabels"] = {**(selector.get("matchLabels") or {}), HASH_LABEL: pod_hash}
        annotations = {
            k: v
            for k, v in (meta.get("annotations") or {}).items()
            if k != "kubectl.kubernetes.io/last-applied-configuration"
            and not k.startswith("deployment.kubernetes.io/")
        }
        annotations[DESIRED] = str(_replicas(deploy))
        annotations[MAX] = str(max_replicas)
        annotations[REVISION] = str(max((_revision(rs) for rs in old), default=0) + 1)
        rs_spec: dict[str, Any] = {"replicas": replicas}
        if spec.get("minReadySeconds"):
            rs_spec["minReadySeconds"] = spec["minReadySeconds"]
        rs_spec["selector"] = selector
        rs_spec["template"] = template
        rs = {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": f"{meta['name']}-{pod_hash}",
                "namespace": meta["namespace"],
                "labels": labels,
                "annotations": annotations,
                "ownerReferences": [_owner_ref(deploy, "apps/v1", "Deployment")],
            },
            "spec": rs_spec,
        }
        rt = self._rt(*_RS)
        try:
            created = self.registry.create(rt, meta["namespace"], rs, tracker=self._tracker(rt))
        except StatusError as err:
            if err.code != 409:
                raise
        else:
            if replicas > 0:
                self._event(
                    deploy,
                    "Deployment",
                    "ScalingReplicaSet",
                    f"Scaled up replica set {_name(created)} from 0 to {replicas}",
                    "deployment-controller",
                )
            return created
        # A different template hashed to a taken name: count the collision and retry.
        deploy_rt = self._rt(*_DEPLOYMENTS)

        def bump(obj: dict[str, Any]) -> dict[str, Any]:
            status = obj.setdefault("status", {})
            status["collisionCount"] = int(status.get("collisionCount") or 0) + 1
            return obj

        self.registry.mutate(
            deploy_rt,
            meta["namespace"],
            meta["name"],
            bump,
            subresource="status",
            tracker=self._tracker(deploy_rt, "status"),
        )
        return None

    def _annotate(self, rs: dict[str, Any], annotations: dict[str, str]) -> None:
        def change(obj: dict[str, Any]) -> dict[str, Any]:
            obj["metadata"].setdefault("annotations", {}).update(annotations)
            return obj

        rt = self._rt(*_RS)
        meta = rs["metadata"]
        self.registry.mutate(rt, meta["namespace"], meta["name"], change, tracker=self._tracker(rt))

    def _scale(self, rs: dict[str, Any], replicas: int, desired: int, max_replicas: int) -> bool:
        annotations = (rs["metadata"].get("annotations") or {}).copy()
        wanted = {DESIRED: str(desired), MAX: str(max_replicas)}
        if _replicas(rs) == replicas and all(annotations.get(k) == v for k, v in wanted.items()):
            return False

        def change(obj: dict[str, Any]) -> dict[str, Any]:
            obj["spec"]["replicas"] = replicas
            obj["metadata"].setdefault("annotations", {}).update(wanted)
            return obj

        rt = self._rt(*_RS)
        meta = rs["metadata"]
        self.registry.mutate(rt, meta["namespace"], meta["name"], change, tracker=self._tracker(rt))
        before = _replicas(rs)
        if before == replicas:
            return False
        owner = self.store.get(
            _DEPLOYMENTS,
            meta["namespace"],
            (_controller_of(rs, "Deployment") or {}).get("name", ""),
        )
        if owner is not None:
            direction = "up" if replicas > before else "down"
            self._event(
                owner.obj,
                "Deployment",
                "ScalingReplicaSet",
                f"Scaled {direction} replica set {meta['name']} from {before} to {replicas}",
                "deployment-controller",
            )
        return True

    def _recreate(self, new_rs: dict[str, Any], old: list[dict[str, Any]], desired: int) -> bool:
        changed = False
        for rs in old:
            if _replicas(rs):
                changed |= self._scale(rs, 0, desired, desired)
        if any(self._active_pods(rs) for rs in old):
            return changed
        return self._scale(new_rs, desired, desired, desired) or changed

    def _roll(
        self,
        new_rs: dict[str, Any],
        old: list[dict[str, Any]],
        desired: int,
        surge: int,
        unavailable: int,
    ) -> bool:
        max_total = desired + surge
        changed = False
        # reconcileNewReplicaSet
        current = _replicas(new_rs) + sum(_replicas(rs) for rs in old)
        target = _replicas(new_rs)
        if target > desired or not any(_replicas(rs) for rs in old):
            target = desired
        elif target < desired:
            target = min(desired, target + max(0, max_total - current))
        changed |= self._scale(new_rs, target, desired, max_total)
        new_replicas = target
        # reconcileOldReplicaSets
        min_available = desired - unavailable
        all_pods = new_replicas + sum(_replicas(rs) for rs in old)
        new_unavailable = new_replicas - _status_int(new_rs, "availableReplicas")
        max_scaled_down = all_pods - min_available - new_unavailable
        by_age = sorted(
            old, key=lambda rs: (rs["metadata"].get("creationTimestamp", ""), _name(rs))
        )
        remaining: dict[str, int] = {_name(rs): _replicas(rs) for rs in old}
        # cleanupUnhealthyReplicas: unavailable old pods go first, they serve nobody.
        for rs in by_age:
            if max_scaled_down <= 0:
                break
            unhealthy = remaining[_name(rs)] - _status_int(rs, "availableReplicas")
            cut = min(max_scaled_down, max(0, unhealthy))
            remaining[_name(rs)] -= cut
            max_scaled_down -= cut
        # scaleDownOldReplicaSetsForRollingUpdate: only while availability stays above min.
        available = _status_int(new_rs, "availableReplicas") + sum(
            min(_status_int(rs, "availableReplicas"), remaining[_name(rs)]) for rs in old
        )
        budget = available - min_available
        for rs in by_age:
            if budget <= 0:
                break
            cut = min(remaining[_name(rs)], budget)
            remaining[_name(rs)] -= cut
            budget -= cut
        for rs in old:
            if remaining[_name(rs)] != _replicas(rs):
                changed |= self._scale(rs, remaining[_name(rs)], desired, max_total)
        return changed

    def _cleanup(self, deploy: dict[str, Any], old: list[dict[str, Any]]) -> None:
        """Delete old, fully scaled-down ReplicaSets beyond revisionHistoryLimit."""
        limit = (deploy.get("spec") or {}).get("revisionHistoryLimit", 10)
        if limit is None:
            return
        idle = [
            rs
            for rs in old
            if not _replicas(rs)
            and not _status_int(rs, "replicas")
            and not rs["metadata"].get("deletionTimestamp")
        ]
        idle.sort(key=_revision)
        rt = self._rt(*_RS)
        for rs in idle[: max(0, len(idle) - int(limit))]:
            try:
                self.registry.delete(rt, rs["metadata"]["namespace"], _name(rs), DeleteOptions())
            except StatusError as err:
                if err.code != 404:
                    raise

    def _event(
        self, obj: dict[str, Any], kind: str, reason: str, message: str, component: str
    ) -> None:
        """Record a Normal event about ``obj`` as its controller would (describe shows it)."""
        from kctl.sandbox._ctlkit import record_event

        record_event(self.registry, obj, "apps/v1", kind, reason, message, component)

    def _deployment_status(self, ns: str, name: str, progress: tuple[str, str] | None) -> None:
        entry = self.store.get(_DEPLOYMENTS, ns, name)
        if entry is None:
            return
        deploy = entry.obj
        owned = self._owned(_RS, ns, deploy["metadata"]["uid"])
        template = (deploy.get("spec") or {}).get("template") or {}
        new_rs = next(
            (
                rs
                for rs in owned
                if _without_hash((rs.get("spec") or {}).get("template") or {})
                == _without_hash(template)
            ),
            None,
        )
        desired = _replicas(deploy)
        _, unavailable = _surge_and_unavailable(deploy, desired)
        available = sum(_status_int(rs, "availableReplicas") for rs in owned)
        total = sum(_replicas(rs) for rs in owned)
        counts = {
            "replicas": sum(_status_int(rs, "replicas") for rs in owned),
            "updatedReplicas": _status_int(new_rs, "replicas") if new_rs else 0,
            "readyReplicas": sum(_status_int(rs, "readyReplicas") for rs in owned),
            "availableReplicas": available,
            "unavailableReplicas": max(0, total - available),
        }
        now = format_time(self.registry.now())
        generation = deploy["metadata"].get("generation", 1)
        complete = (
            new_rs is not None
            and counts["updatedReplicas"] == desired
            and counts["replicas"] == desired
            and available == desired
        )

        def change(obj: dict[str, Any]) -> dict[str, Any]:
            status = dict(obj.get("status") or {})
            status["observedGeneration"] = generation
            for key, value in counts.items():
                if value:
                    status[key] = value
                else:
                    status.pop(key, None)
            if available >= desired - unavailable:
                _set_condition(
                    status,
                    "Available",
                    "True",
                    "MinimumReplicasAvailable",
                    "Deployment has minimum availability.",
                    now,
                )
            else:
                _set_condition(
                    status,
                    "Available",
                    "False",
                    "MinimumReplicasUnavailable",
                    "Deployment does not have minimum availability.",
                    now,
                )
            if progress is not None and progress[0] == "DeploymentPaused":
                _set_condition(status, "Progressing", "Unknown", *progress, now)
            elif complete and new_rs is not None:
                reason = (
                    "NewReplicaSetAvailable",
                    f'ReplicaSet "{_name(new_rs)}" has successfully progressed.',
                )
                _set_condition(status, "Progressing", "True", *reason, now)
            elif progress is not None:
                _set_condition(status, "Progressing", "True", *progress, now)
            elif new_rs is not None and not any(
                c.get("type") == "Progressing" for c in status.get("conditions") or []
            ):
                found = ("FoundNewReplicaSet", f'Found new replica set "{_name(new_rs)}"')
                _set_condition(status, "Progressing", "True", *found, now)
            obj["status"] = status
            return obj

        rt = self._rt(*_DEPLOYMENTS)
        self.registry.mutate(
            rt, ns, name, change, subresource="status", tracker=self._tracker(rt, "status")
        )


def _name(obj: dict[str, Any]) -> str:
    return str(obj["metadata"]["name"])


def _negated(stamp: str) -> str:
    # Newest first when sorting ascending: invert each character of the RFC 3339 stamp.
    return "".join(chr(0x10FFFF - ord(ch)) for ch in stamp)
