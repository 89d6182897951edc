"""The ``pods/ephemeralcontainers`` subresource, as kube-apiserver's
podEphemeralContainersStrategy: an update there changes ``spec.ephemeralContainers`` and
nothing else (ResetObjectMetaForStatus keeps even labels and annotations); an ephemeral
container, once added, may be neither changed nor removed.
"""

from __future__ import annotations

import copy
import difflib
import json
from typing import Any

from kctl.sandbox._validation import Errors, _container

__all__ = ["ephemeral_only", "ephemeral_update_causes", "not_started", "start_ephemeral"]

# EphemeralContainerCommon's fields an ephemeral container may not set, in the Go struct's
# order (validateFieldAllowList walks it).
_FORBIDDEN = (
    "ports",
    "resources",
    "resizePolicy",
    "restartPolicy",
    "restartPolicyRules",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "lifecycle",
)
_NOT_FOR_EPHEMERAL = "cannot be set for an Ephemeral Container"


def ephemeral_only(new: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
    """dropNonEphemeralContainerUpdates: the stored pod with the request's ephemeral
    containers (and resourceVersion, the update's precondition)."""
    out = copy.deepcopy(old)
    spec = out.setdefault("spec", {})
    ephemeral = (new.get("spec") or {}).get("ephemeralContainers")
    if ephemeral:
        spec["ephemeralContainers"] = ephemeral
    else:
        spec.pop("ephemeralContainers", None)
    meta, new_meta = out["metadata"], new.get("metadata") or {}
    if new_meta.get("resourceVersion"):
        meta["resourceVersion"] = new_meta["resourceVersion"]
    return out


def _resources_set(value: Any) -> bool:
    # An empty ResourceRequirements is the zero value (the defaulter writes `resources: {}`).
    return isinstance(value, dict) and any(value.values())


def ephemeral_update_causes(new: dict[str, Any], old: dict[str, Any]) -> list[dict[str, str]]:
    """ValidatePodEphemeralContainersUpdate's ephemeral-container checks."""
    errs = Errors()
    spec, old_spec = new.get("spec") or {}, old.get("spec") or {}
    volumes = {str(v.get("name", "")) for v in spec.get("volumes") or [] if isinstance(v, dict)}
    others = {
        str(c.get("name", ""))
        for key in ("containers", "initContainers")
        for c in spec.get(key) or []
        if isinstance(c, dict)
    }
    names = set(others)
    ephemeral = [c for c in spec.get("ephemeralContainers") or [] if isinstance(c, dict)]
    for i, c in enumerate(ephemeral):
        path = f"spec.ephemeralContainers[{i}]"
        _container(errs, c, path, volumes)
        name = str(c.get("name", ""))
        if name in names:
            errs.duplicate(f"{path}.name", name)
        else:
            names.add(name)
        target = c.get("targetContainerName") or ""
        if target and target not in others:
            errs.not_found(f"{path}.targetContainerName", target)
        for key in _FORBIDDEN:
            value = c.get(key)
            if (key == "resources" and _resources_set(value)) or (
                key != "resources" and value not in (None, "", [], {})
            ):
                errs.forbidden(f"{path}.{key}", _NOT_FOR_EPHEMERAL)
        for j, mount in enumerate(c.get("volumeMounts") or []):
            for key in ("subPath", "subPathExpr"):
                if isinstance(mount, dict) and mount.get(key):
                    errs.forbidden(f"{path}.volumeMounts[{j}].{key}", _NOT_FOR_EPHEMERAL)
    by_name = {str(c.get("name", "")): c for c in ephemeral}
    for before in old_spec.get("ephemeralContainers") or []:
        name = str(before.get("name", ""))
        after = by_name.get(name)
        if after is None:
            msg = f"existing ephemeral containers {json.dumps(name)} may not be removed\n"
            errs.forbidden("spec.ephemeralContainers", msg)
        elif after != before:
            # The real server appends a diff of its Go structs; a JSON diff says the same.
            lines = list(
                difflib.unified_diff(
                    json.dumps(before, indent=1, sort_keys=True).splitlines(),
                    json.dumps(after, indent=1, sort_keys=True).splitlines(),
                    lineterm="",
                    n=1,
                )
            )[2:]
            msg = f"existing ephemeral containers {json.dumps(name)} may not be changed\n"
            errs.forbidden("spec.ephemeralContainers", msg + "\n".join(lines) + "\n")
    return errs.causes


def not_started(pod: dict[str, Any]) -> frozenset[str]:
    """The ephemeral containers of a running pod that the kubelet has not started yet."""
    status = pod.get("status") or {}
    if status.get("phase") != "Running":
        return frozenset()
    seen = {s.get("name") for s in status.get("ephemeralContainerStatuses") or []}
    return frozenset(
        str(c.get("name", ""))
        for c in (pod.get("spec") or {}).get("ephemeralContainers") or []
        if c.get("name") not in seen
    )


def start_ephemeral(pod: dict[str, Any], now: str) -> dict[str, Any]:
    """The kubelet's status for ephemeral containers it starts: running, never ready."""
    status = pod.setdefault("status", {})
    statuses = list(status.get("ephemeralContainerStatuses") or [])
    for name in sorted(not_started(pod)):
        spec = next(c for c in pod["spec"]["ephemeralContainers"] if c.get("name") == name)
        image = str(spec.get("image", ""))
        statuses.append(
            {
                "name": name,
                "state": {"running": {"startedAt": now}},
                "lastState": {},
                "ready": False,
                "restartCount": 0,
                "image": image
                if "/" in image or ":" in image
                else f"docker.io/library/{image}:latest",
                "imageID": "",
                "containerID": "containerd://" + pod["metadata"]["uid"].replace("-", "") + name,
            }
        )
    status["ephemeralContainerStatuses"] = statuses
    return pod
