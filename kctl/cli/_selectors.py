"""polymorphichelpers.SelectorsForObject: the pods a workload or Service stands for, as
``logs`` and ``exec`` find them from ``TYPE/NAME``."""

from __future__ import annotations

from typing import Any

from kctl.errors import KctlError

__all__ = ["container_names", "go_type", "pod_selector"]

_SELECTOR_KINDS = frozenset({"ReplicaSet", "StatefulSet", "DaemonSet", "Deployment", "Job"})
_NOT_IN_KUBECTL_SCHEME = frozenset({"apiextensions.k8s.io", "apiregistration.k8s.io"})


def go_type(group: str, version: str, kind: str) -> str:
    """The Go type kubectl's errors print (%T): typed for its scheme's kinds."""
    builtin = not group or "." not in group or group.endswith(".k8s.io")
    if builtin and group not in _NOT_IN_KUBECTL_SCHEME:
        return f"*{version}.{kind}"
    return "*unstructured.Unstructured"


def pod_selector(obj: dict[str, Any], group: str, version: str, action: str) -> str:
    """The label selector of ``obj``'s pods; ``action`` ("get the logs from", "attach to")
    is the verb of kubectl's refusal texts."""
    kind = str(obj.get("kind", ""))
    spec = obj.get("spec") or {}
    gotype = go_type(group, version, kind)
    if kind in _SELECTOR_KINDS and group in ("apps", "extensions", "batch"):
        from kctl.metav1 import label_selector_string

        return label_selector_string(spec.get("selector"))
    if kind == "ReplicationController" and not group:
        return ",".join(f"{k}={v}" for k, v in sorted((spec.get("selector") or {}).items()))
    if kind == "Service" and not group:
        selector = spec.get("selector") or {}
        if not selector:
            name = (obj.get("metadata") or {}).get("name", "")
            raise KctlError(
                f"cannot {action} {gotype}: invalid service '{name}': "
                "Service is defined without a selector"
            )
        return ",".join(f"{k}={v}" for k, v in sorted(selector.items()))
    raise KctlError(f"cannot {action} {gotype}: selector for {gotype} not implemented")


def container_names(pod: dict[str, Any]) -> str:
    """A pod's containers as kubectl's "choose one of" texts list them."""
    spec = pod.get("spec") or {}
    names = [str(c.get("name", "")) for c in spec.get("containers") or []]
    names += [f"{c.get('name', '')} (ephem)" for c in spec.get("ephemeralContainers") or []]
    names += [f"{c.get('name', '')} (init)" for c in spec.get("initContainers") or []]
    return ", ".join(names)
