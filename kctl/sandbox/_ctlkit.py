"""What the Job, CronJob, StatefulSet and DaemonSet controllers share: typed access to the
registry as kube-controller-manager, owned objects, pods made from templates, and events."""

from __future__ import annotations

import copy
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from kctl.errors import StatusError
from kctl.sandbox._apply import update_tracker
from kctl.sandbox._catalog import ResourceType
from kctl.sandbox._objects import format_time
from kctl.sandbox._registry import DeleteOptions, Registry

__all__ = [
    "MANAGER",
    "PODS",
    "Kit",
    "controller_ref",
    "min_ready_seconds",
    "owner_ref",
    "parse_time",
    "pod_available",
    "pod_finished",
    "pod_ready",
]

MANAGER = "kube-controller-manager"
PODS = ("", "pods")

Obj = dict[str, Any]


def owner_ref(owner: Obj, api_version: str, kind: str) -> Obj:
    return {
        "apiVersion": api_version,
        "kind": kind,
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def controller_ref(obj: Obj, kind: str) -> Obj | None:
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("controller") and ref.get("kind") == kind:
            return dict(ref)
    return None


def pod_ready(pod: Obj) -> bool:
    for cond in (pod.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            return bool(cond.get("status") == "True")
    return False


def pod_available(pod: Obj, min_ready_seconds: int, now: datetime) -> bool:
    """podutil.IsPodAvailable: Ready, and Ready for ``min_ready_seconds`` by ``now`` (a
    Ready condition without a transition time never gets there)."""
    for cond in (pod.get("status") or {}).get("conditions") or []:
        if cond.get("type") != "Ready":
            continue
        if cond.get("status") != "True":
            return False
        if min_ready_seconds <= 0:
            return True
        since = parse_time(cond.get("lastTransitionTime"))
        return since is not None and since + timedelta(seconds=min_ready_seconds) <= now
    return False


def min_ready_seconds(obj: Obj) -> int:
    value = (obj.get("spec") or {}).get("minReadySeconds")
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def pod_finished(pod: Obj) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


class Kit:
    """The registry as one controller of kube-controller-manager sees it."""

    def __init__(self, registry: Registry, component: str) -> None:
        self.registry = registry
        self.store = registry.store
        self.component = component

    def now(self) -> datetime:
        return self.registry.now()

    def rt(self, group: str, plural: str) -> ResourceType:
        version = "v1"
        rt = self.registry.catalog.get(group, version, plural)
        assert rt is not None, (group, plural)
        return rt

    def owned(self, resource: tuple[str, str], ns: str, uid: str) -> list[Obj]:
        out = []
        for entry in self.store.items(resource, ns):
            for ref in entry.obj["metadata"].get("ownerReferences") or []:
                if ref.get("controller") and ref.get("uid") == uid:
                    out.append(entry.obj)
                    break
        return out

    def get(self, resource: tuple[str, str], ns: str, name: str) -> Obj | None:
        entry = self.store.get(resource, ns, name)
        return entry.obj if entry is not None else None

    def create(self, resource: tuple[str, str], ns: str, obj: Obj) -> Obj:
        rt = self.rt(*resource)
        tracker = update_tracker(rt, MANAGER, "", self.registry.now)
        return self.registry.create(rt, ns, obj, tracker=tracker)

    def mutate(
        self,
        resource: tuple[str, str],
        ns: str,
        name: str,
        change: Callable[[Obj], Obj],
        subresource: str = "",
        manager: str = MANAGER,
    ) -> Obj:
        rt = self.rt(*resource)
        tracker = update_tracker(rt, manager, subresource, self.registry.now)
        return self.registry.mutate(rt, ns, name, change, subresource=subresource, tracker=tracker)

    def delete(
        self, resource: tuple[str, str], ns: str, name: str, propagation: str | None = None
    ) -> bool:
        """Delete; False when it was already gone."""
        try:
            self.registry.delete(
                self.rt(*resource), ns, name, DeleteOptions(propagation_policy=propagation)
            )
        except StatusError as err:
            if err.code != 404:
                raise
            return False
        return True

    def remove_finalizer(self, resource: tuple[str, str], ns: str, name: str, fin: str) -> None:
        self.registry.remove_finalizer(self.rt(*resource), ns, name, fin)

    def pod_from_template(
        self, owner: Obj, api_version: str, kind: str, template: Obj, **meta: Any
    ) -> Obj:
        """A pod as the controllers' PodControl makes it: the template's labels, annotations
        and finalizers, the owner as controller, and ``meta`` (name or generateName...)."""
        tmeta = template.get("metadata") or {}
        pod_meta: Obj = dict(meta)
        for key in ("labels", "annotations", "finalizers"):
            if tmeta.get(key):
                merged = copy.deepcopy(tmeta[key])
                extra = pod_meta.get(key)
                if isinstance(merged, dict) and isinstance(extra, dict):
                    merged.update(extra)
                elif isinstance(merged, list) and isinstance(extra, list):
                    merged += [f for f in extra if f not in merged]
                pod_meta[key] = merged
        pod_meta["namespace"] = owner["metadata"]["namespace"]
        pod_meta["ownerReferences"] = [owner_ref(owner, api_version, kind)]
        return {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": pod_meta,
            "spec": copy.deepcopy(template.get("spec") or {}),
        }

    def event(
        self,
        obj: Obj,
        api_version: str,
        kind: str,
        reason: str,
        message: str,
        event_type: str = "Normal",
    ) -> None:
        """Record an event about ``obj`` as its controller would (describe shows it)."""
        record_event(
            self.registry, obj, api_version, kind, reason, message, self.component, event_type
        )


def record_event(
    registry: Registry,
    obj: Obj,
    api_version: str,
    kind: str,
    reason: str,
    message: str,
    component: str,
    event_type: str = "Normal",
) -> None:
    """A core/v1 Event about ``obj`` from the controller ``component``, created as
    kube-controller-manager's legacy recorder creates it (its field manager is the user
    agent's program name)."""
    meta = obj["metadata"]
    now = format_time(registry.now())
    event = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {
            "name": f"{meta['name']}.{secrets.token_hex(8)}",
            "namespace": meta["namespace"],
        },
        "involvedObject": {
            "kind": kind,
            "namespace": meta["namespace"],
            "name": meta["name"],
            "uid": meta["uid"],
            "apiVersion": api_version,
            "resourceVersion": meta.get("resourceVersion", ""),
        },
        "reason": reason,
        "message": message,
        "source": {"component": component},
        "firstTimestamp": now,
        "lastTimestamp": now,
        "count": 1,
        "type": event_type,
        "eventTime": None,
        "reportingComponent": component,
        "reportingInstance": "",
    }
    events = registry.catalog.get("", "v1", "events")
    assert events is not None
    try:
        from kctl.sandbox._events import event_tracker

        tracker = event_tracker(events, MANAGER, registry.now)
        registry.create(events, meta["namespace"], event, tracker=tracker)
    except StatusError as err:
        # A terminating namespace takes no new events; the event is only informative.
        if err.code != 403:
            raise
