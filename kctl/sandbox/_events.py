"""Events as the scheduler and the kubelet record them about pods.

The kubelet writes through client-go's legacy recorder (core/v1 fields: ``source``,
``firstTimestamp``, ``count``); the scheduler through the events.k8s.io/v1 one (``eventTime``
in microseconds, ``action``, no ``source``). Both land in the one Event storage, so either
API shows either kind.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timezone
from typing import Any

from kctl.errors import StatusError
from kctl.sandbox._objects import format_time
from kctl.sandbox._registry import Registry

__all__ = ["PodEvents", "micro_time"]

_EVENTS = ("", "events")
_SCHEDULER = "default-scheduler"
_KUBELET = "kubelet"


def micro_time(when: datetime) -> str:
    """metav1.MicroTime's RFC 3339 form, always six fractional digits."""
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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

    def _create(self, namespace: str, event: dict[str, Any]) -> None:
        rt = self.registry.catalog.get("", "v1", "events")
        assert rt is not None
        try:
            self.registry.create(rt, namespace, event)
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
                "apiVersion": "v1",
                "kind": "Event",
                "metadata": {"name": self._name(pod, now), "namespace": meta["namespace"]},
                "involvedObject": _pod_ref(pod),
                "reason": "Scheduled",
                "message": f"Successfully assigned {meta['namespace']}/{meta['name']} to {node}",
                "source": {},
                "firstTimestamp": None,
                "lastTimestamp": None,
                "type": "Normal",
                "eventTime": micro_time(now),
                "action": "Binding",
                "reportingComponent": _SCHEDULER,
                "reportingInstance": f"{_SCHEDULER}-{self._scheduler_host()}",
            },
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
