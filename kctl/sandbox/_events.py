"""Events as the scheduler and the kubelet record them about pods.

The kubelet writes through client-go's legacy recorder (core/v1 fields: ``source``,
``firstTimestamp``, ``count``); the scheduler through the events.k8s.io/v1 one (``eventTime``
in microseconds, ``action``, no ``source``). Both land in the one Event storage, so either
API shows either kind. Each is created through its recorder's API, so its managedFields
entry is the real one: manager ``kubelet`` with core/v1 fields, ``kube-scheduler`` with
events.k8s.io/v1 ones (the manager is the user agent's program name).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from kctl.errors import StatusError
from kctl.sandbox._objects import format_time
from kctl.sandbox._registry import Registry

if TYPE_CHECKING:
    from kctl.sandbox._catalog import ResourceType
    from kctl.sandbox._registry import Tracker

__all__ = ["PodEvents", "event_tracker", "micro_time"]

_SCHEDULER = "default-scheduler"
_SCHEDULER_MANAGER = "kube-scheduler"
_KUBELET = "kubelet"


def micro_time(when: datetime) -> str:
    """metav1.MicroTime's RFC 3339 form, always six fractional digits."""
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _without_zeros(value: Any) -> Any:
    """An Event as the real server tracks its fields: zero values (null times, empty strings
    and structs) own nothing."""
    if isinstance(value, dict):
        kept = {k: _without_zeros(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in (None, "", {})}
    return value


def event_tracker(rt: ResourceType, manager: str, now: Callable[[], datetime]) -> Tracker:
    """The Update entry a recorder's create of an Event gets on kube-apiserver 1.37: its
    non-zero fields, ``source``/``deprecatedSource`` as struct values without a node of
    their own (measured: tests/sandbox/test_differential_events.py)."""
    from kctl.sandbox._apply import update_tracker

    track = update_tracker(rt, manager, "", now)

    def tracked(live: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
        body = _without_zeros(new)
        body.setdefault("metadata", {})
        done = track(None if live is None else _without_zeros(live), body)
        entries = done["metadata"].get("managedFields")
        for entry in entries or []:
            for name in ("f:source", "f:deprecatedSource"):
                node = (entry.get("fieldsV1") or {}).get(name)
                if isinstance(node, dict):
                    node.pop(".", None)
        if entries:
            new.setdefault("metadata", {})["managedFields"] = entries
        return new

    return tracked


def _pod_ref(pod: dict[str, Any], field_path: str = "") -> dict[str, Any]:
    meta = pod["metadata"]
    ref: dict[str, Any] = {
        "kind": "Pod",
        "namespace": meta["namespace"],
        "name": meta["name"],
        "uid": meta.get("uid", ""),
        "apiVersion": "v1",
        "resourceVersion": meta.get("resourceVersion", ""),
    }
    if field_path:
        ref["fieldPath"] = field_path
    return ref


class PodEvents:
    """Records the pod lifecycle's Normal events; a refused write is dropped, as the real
    recorders drop what they cannot send."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        # Names are <object>.<hex of the time in ns>; the counter keeps two events recorded
        # in one clock tick apart.
        self._tick = itertools.count()

    def _name(self, pod: dict[str, Any], now: datetime) -> str:
        nanos = int(now.timestamp() * 1_000_000) * 1000 + next(self._tick) % 1000
        return f"{pod['metadata']['name']}.{nanos:x}"

    def _create(self, namespace: str, event: dict[str, Any], manager: str) -> None:
        group, _, version = event["apiVersion"].rpartition("/")
        rt = self.registry.catalog.get(group, version, "events")
        assert rt is not None
        try:
            tracker = event_tracker(rt, manager, self.registry.now)
            self.registry.create(rt, namespace, event, tracker=tracker)
        except StatusError:
            # A terminating namespace refuses new events; the recorder gives up on it.
            return

    def _scheduler_host(self) -> str:
        """Where the scheduler runs, which names its reportingInstance: the control plane."""
        for entry in self.registry.store.items(("", "nodes")):
            labels = entry.obj["metadata"].get("labels") or {}
            if "node-role.kubernetes.io/control-plane" in labels:
                return str(entry.obj["metadata"]["name"])
        return "kctl-sandbox"

    def scheduled(self, pod: dict[str, Any], node: str) -> None:
        """The scheduler's ``Scheduled`` event (events.k8s.io/v1 recorder)."""
        now = self.registry.now()
        meta = pod["metadata"]
        self._create(
            meta["namespace"],
            {
                "apiVersion": "events.k8s.io/v1",
                "kind": "Event",
                "metadata": {"name": self._name(pod, now), "namespace": meta["namespace"]},
                "eventTime": micro_time(now),
                "reportingController": _SCHEDULER,
                "reportingInstance": f"{_SCHEDULER}-{self._scheduler_host()}",
                "action": "Binding",
                "reason": "Scheduled",
                "regarding": _pod_ref(pod),
                "note": f"Successfully assigned {meta['namespace']}/{meta['name']} to {node}",
                "type": "Normal",
                "deprecatedSource": {},
                "deprecatedFirstTimestamp": None,
                "deprecatedLastTimestamp": None,
            },
            _SCHEDULER_MANAGER,
        )

    def _kubelet(
        self, pod: dict[str, Any], container: str, reason: str, message: str, kind: str
    ) -> None:
        now = self.registry.now()
        meta = pod["metadata"]
        node = (pod.get("spec") or {}).get("nodeName", "")
        stamp = format_time(now)
        self._create(
            meta["namespace"],
            {
                "apiVersion": "v1",
                "kind": "Event",
                "metadata": {"name": self._name(pod, now), "namespace": meta["namespace"]},
                "involvedObject": _pod_ref(pod, f"{kind}{{{container}}}"),
                "reason": reason,
                "message": message,
                "source": {"component": _KUBELET, "host": node},
                "firstTimestamp": stamp,
                "lastTimestamp": stamp,
                "count": 1,
                "type": "Normal",
                "eventTime": None,
                "reportingComponent": _KUBELET,
                "reportingInstance": node,
            },
            _KUBELET,
        )

    def started(
        self,
        pod: dict[str, Any],
        kinds: tuple[str, ...] = ("initContainers", "containers"),
        only: frozenset[str] | None = None,
    ) -> None:
        """Pulled, Created and Started for every container of ``kinds`` (those named in
        ``only`` if given), in the kubelet's order."""
        spec = pod.get("spec") or {}
        for kind in kinds:
            for c in spec.get(kind) or []:
                name = c.get("name", "")
                if only is not None and name not in only:
                    continue
                path = f"spec.{kind}"
                self._kubelet(
                    pod,
                    name,
                    "Pulled",
                    f'Container image "{c.get("image", "")}" already present on machine and '
                    "can be accessed by the pod",
                    path,
                )
                self._kubelet(pod, name, "Created", "Container created", path)
                self._kubelet(pod, name, "Started", "Container started", path)

    def killing(self, pod: dict[str, Any]) -> None:
        """``Killing`` for every running container of a pod being deleted."""
        statuses = (pod.get("status") or {}).get("containerStatuses") or []
        running = {s.get("name") for s in statuses if "running" in (s.get("state") or {})}
        for c in (pod.get("spec") or {}).get("containers") or []:
            if c.get("name") in running:
                name = c.get("name", "")
                self._kubelet(pod, name, "Killing", f"Stopping container {name}", "spec.containers")
