"""Server-side Table printing, as kube-apiserver's internal printers compute it.

The apiserver always generates the wide (priority 1) cells too; kubectl hides them unless
``-o wide``. Kinds without a dedicated printer get the generic default table convertor (Name,
Created At), CRDs get Name + additionalPrinterColumns.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from kctl.metav1 import label_selector_string
from kctl.sandbox import _recorded
from kctl.sandbox._catalog import ResourceType
from kctl.util.duration import human_duration

__all__ = ["column_definitions", "format_label_selector", "human_duration", "row_cells"]

_NAME_DOC = (
    "Name must be unique within a namespace. Is required when creating resources, although some "
    "resources may allow a client to request the generation of an appropriate name automatically. "
    "Name is primarily intended for creation idempotence and configuration definition. Cannot be "
    "updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
)
_CREATED_DOC = (
    "CreationTimestamp is a timestamp representing the server time when this object was created. "
    "It is not guaranteed to be set in happens-before order across separate operations. Clients "
    "may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the "
    "system. Read-only. Null for lists. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"
)
_CONTAINERS_DOC = "Names of each container in the template."
_IMAGES_DOC = "Images referenced by each container in the template."

Column = tuple[str, str, int, str]  # name, type, priority, description


def _col(name: str, description: str = "", type_: str = "string", priority: int = 0) -> Column:
    return (name, type_, priority, description)


_NAME = _col("Name", _NAME_DOC)
_AGE = _col("Age", _CREATED_DOC)
_CONTAINERS = _col("Containers", _CONTAINERS_DOC, priority=1)
_IMAGES = _col("Images", _IMAGES_DOC, priority=1)


def _selector_col(description: str) -> Column:
    return _col("Selector", description, priority=1)


# ---- formatting helpers (apimachinery duration, labels, selectors) ----------------------


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _since(value: Any, now: datetime) -> str:
    ts = _parse_time(value)
    if ts is None:
        return "<unknown>"
    return human_duration((now - ts).total_seconds())


def _format_labels(labels: Mapping[str, Any] | None) -> str:
    if not labels:
        return "<none>"
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


def format_label_selector(selector: Mapping[str, Any] | None) -> str:
    """metav1.FormatLabelSelector: "<none>" for an empty or absent selector."""
    return label_selector_string(selector) or "<none>"


def _g(obj: Any, *path: str | int) -> Any:
    cur = obj
    for key in path:
        if isinstance(key, int):
            if not isinstance(cur, list) or key >= len(cur):
                return None
            cur = cur[key]
        else:
            if not isinstance(cur, Mapping):
                return None
            cur = cur.get(key)
    return cur


def _meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return obj.get("metadata") or {}


def _containers_cells(pod_spec: Mapping[str, Any] | None) -> list[str]:
    containers = (pod_spec or {}).get("containers") or []
    return [
        ",".join(c.get("name", "") for c in containers),
        ",".join(c.get("image", "") for c in containers),
    ]


def _more(items: Sequence[str], total: int, max_items: int = 3, empty: str = "<unset>") -> str:
    ret = ",".join(items[:max_items])
    if total > max_items:
        return f"{ret} + {total - max_items} more..."
    return ret or empty


def _join_host_port(host: str, port: Any) -> str:
    try:
        is_v6 = ipaddress.ip_address(host).version == 6
    except ValueError:
        is_v6 = ":" in host
    return f"[{host}]:{port}" if is_v6 else f"{host}:{port}"


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


# ---- per-kind printers ------------------------------------------------------------------


def _pod_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    restarts = 0
    sidecar_restarts = 0
    containers = spec.get("containers") or []
    total = len(containers)
    ready = 0
    last_restart: datetime | None = None
    last_sidecar_restart: datetime | None = None
    phase = status.get("phase") or ""
    reason = status.get("reason") or phase
    for cond in status.get("conditions") or []:
        if cond.get("type") == "PodScheduled" and cond.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"

    init_specs = {c.get("name"): c for c in spec.get("initContainers") or []}

    def restartable(name: Any) -> bool:
        return (init_specs.get(name) or {}).get("restartPolicy") == "Always"

    total += sum(1 for c in init_specs.values() if c.get("restartPolicy") == "Always")

    def later(current: datetime | None, cs: Mapping[str, Any]) -> datetime | None:
        finished = _parse_time(_g(cs, "lastState", "terminated", "finishedAt"))
        if finished is not None and (current is None or finished > current):
            return finished
        return current

    initializing = False
    n_init = len(spec.get("initContainers") or [])
    for i, cs in enumerate(status.get("initContainerStatuses") or []):
        restarts += _int(cs.get("restartCount"))
        last_restart = later(last_restart, cs)
        if restartable(cs.get("name")):
            sidecar_restarts += _int(cs.get("restartCount"))
            last_sidecar_restart = later(last_sidecar_restart, cs)
        terminated = _g(cs, "state", "terminated")
        waiting = _g(cs, "state", "waiting")
        if terminated is not None and _int(terminated.get("exitCode")) == 0:
            continue
        if restartable(cs.get("name")) and cs.get("started"):
            if cs.get("ready"):
                ready += 1
            continue
        if terminated is not None:
            if not terminated.get("reason"):
                if _int(terminated.get("signal")):
                    reason = f"Init:Signal:{terminated['signal']}"
                else:
                    reason = f"Init:ExitCode:{_int(terminated.get('exitCode'))}"
            else:
                reason = "Init:" + terminated["reason"]
        elif (
            waiting is not None and waiting.get("reason") and waiting["reason"] != "PodInitializing"
        ):
            reason = "Init:" + waiting["reason"]
        else:
            reason = f"Init:{i}/{n_init}"
        initializing = True
        break

    initialized = any(
        c.get("type") == "Initialized" and c.get("status") == "True"
        for c in status.get("conditions") or []
    )
    if not initializing or initialized:
        restarts = sidecar_restarts
        last_restart = last_sidecar_restart
        has_running = False
        for cs in reversed(status.get("containerStatuses") or []):
            restarts += _int(cs.get("restartCount"))
            last_restart = later(last_restart, cs)
            waiting = _g(cs, "state", "waiting")
            terminated = _g(cs, "state", "terminated")
            if waiting is not None and waiting.get("reason"):
                reason = waiting["reason"]
            elif terminated is not None and terminated.get("reason"):
                reason = terminated["reason"]
            elif terminated is not None:
                if _int(terminated.get("signal")):
                    reason = f"Signal:{terminated['signal']}"
                else:
                    reason = f"ExitCode:{_int(terminated.get('exitCode'))}"
            elif cs.get("ready") and _g(cs, "state", "running") is not None:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            pod_ready = any(c.get("type") == "Ready" for c in status.get("conditions") or [])
            reason = "Running" if pod_ready else "NotReady"

    deleting = _meta(obj).get("deletionTimestamp")
    if deleting and status.get("reason") == "NodeLost":
        reason = "Unknown"
    elif deleting and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"

    restarts_cell = str(restarts)
    if restarts and last_restart is not None:
        restarts_cell = f"{restarts} ({human_duration((now - last_restart).total_seconds())} ago)"

    pod_ips = status.get("podIPs") or []
    pod_ip = (pod_ips[0].get("ip") if pod_ips else None) or "<none>"
    gates = spec.get("readinessGates") or []
    gates_cell = "<none>"
    if gates:
        conds = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
        true = sum(1 for g in gates if conds.get(g.get("conditionType")) == "True")
        gates_cell = f"{true}/{len(gates)}"
    return [
        f"{ready}/{total}",
        reason,
        restarts_cell,
        _since(_meta(obj).get("creationTimestamp"), now),
        pod_ip,
        spec.get("nodeName") or "<none>",
        status.get("nominatedNodeName") or "<none>",
        gates_cell,
    ]


def _deployment_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    return [
        f"{_int(status.get('readyReplicas'))}/{_int(spec.get('replicas'))}",
        _int(status.get("updatedReplicas")),
        _int(status.get("availableReplicas")),
        _since(_meta(obj).get("creationTimestamp"), now),
        *_containers_cells(_g(spec, "template", "spec")),
        label_selector_string(spec.get("selector")),
    ]


def _replicaset_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    return [
        _int(spec.get("replicas")),
        _int(status.get("replicas")),
        _int(status.get("readyReplicas")),
        _since(_meta(obj).get("creationTimestamp"), now),
        *_containers_cells(_g(spec, "template", "spec")),
        label_selector_string(spec.get("selector")),
    ]


def _rc_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    return [
        _int(spec.get("replicas")),
        _int(status.get("replicas")),
        _int(status.get("readyReplicas")),
        _since(_meta(obj).get("creationTimestamp"), now),
        *_containers_cells(_g(spec, "template", "spec")),
        _format_labels(spec.get("selector")),
    ]


def _statefulset_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    return [
        f"{_int(status.get('readyReplicas'))}/{_int(spec.get('replicas'))}",
        _since(_meta(obj).get("creationTimestamp"), now),
        *_containers_cells(_g(spec, "template", "spec")),
    ]


def _daemonset_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    return [
        _int(status.get("desiredNumberScheduled")),
        _int(status.get("currentNumberScheduled")),
        _int(status.get("numberReady")),
        _int(status.get("updatedNumberScheduled")),
        _int(status.get("numberAvailable")),
        _format_labels(_g(spec, "template", "spec", "nodeSelector")),
        _since(_meta(obj).get("creationTimestamp"), now),
        *_containers_cells(_g(spec, "template", "spec")),
        format_label_selector(spec.get("selector")),
    ]


def _has_condition(obj: Mapping[str, Any], ctype: str) -> bool:
    return any(
        c.get("type") == ctype and c.get("status") == "True"
        for c in _g(obj, "status", "conditions") or []
    )


def _job_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    if _has_condition(obj, "Complete"):
        state = "Complete"
    elif _has_condition(obj, "Failed"):
        state = "Failed"
    elif _meta(obj).get("deletionTimestamp"):
        state = "Terminating"
    elif _has_condition(obj, "SuccessCriteriaMet"):
        state = "SuccessCriteriaMet"
    elif _has_condition(obj, "Suspended"):
        state = "Suspended"
    elif _has_condition(obj, "FailureTarget"):
        state = "FailureTarget"
    else:
        state = "Running"
    succeeded = _int(status.get("succeeded"))
    completions, parallelism = spec.get("completions"), spec.get("parallelism")
    if completions is not None:
        done = f"{succeeded}/{completions}"
    elif parallelism is not None and parallelism > 1:
        done = f"{succeeded}/1 of {parallelism}"
    else:
        done = f"{succeeded}/1"
    started, finished = (
        _parse_time(status.get("startTime")),
        _parse_time(status.get("completionTime")),
    )
    took = ""
    if started is not None:
        took = human_duration(((finished or now) - started).total_seconds())
    return [
        state,
        done,
        took,
        _since(_meta(obj).get("creationTimestamp"), now),
        *_containers_cells(_g(spec, "template", "spec")),
        format_label_selector(spec.get("selector")),
    ]


def _bool_ptr(value: Any) -> str:
    if value is None:
        return "<unset>"
    return "True" if value else "False"


def _cronjob_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    last = status.get("lastScheduleTime")
    return [
        spec.get("schedule", ""),
        spec.get("timeZone") or "<none>",
        _bool_ptr(spec.get("suspend")),
        len(status.get("active") or []),
        _since(last, now) if last else "<none>",
        _since(_meta(obj).get("creationTimestamp"), now),
        *_containers_cells(_g(spec, "jobTemplate", "spec", "template", "spec")),
        format_label_selector(_g(spec, "jobTemplate", "spec", "selector")),
    ]


def _lb_ingress(status: Mapping[str, Any] | None) -> str:
    out = []
    for ing in _g(status, "loadBalancer", "ingress") or []:
        if ing.get("ip"):
            out.append(ing["ip"])
        elif ing.get("hostname"):
            out.append(ing["hostname"])
    return ",".join(out)


def _service_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    spec = obj.get("spec") or {}
    svc_type = spec.get("type") or ""
    cluster_ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    external_ips = spec.get("externalIPs") or []
    if svc_type in ("ClusterIP", "NodePort"):
        external = ",".join(external_ips) or "<none>"
    elif svc_type == "LoadBalancer":
        lb = _lb_ingress(obj.get("status"))
        parts = ([*lb.split(",")] if lb else []) + list(external_ips)
        external = ",".join(parts) or "<pending>"
    elif svc_type == "ExternalName":
        external = spec.get("externalName", "")
    else:
        external = "<unknown>"
    ports = []
    for p in spec.get("ports") or []:
        proto = p.get("protocol", "TCP")
        if _int(p.get("nodePort")) > 0:
            ports.append(f"{p.get('port')}:{p['nodePort']}/{proto}")
        else:
            ports.append(f"{p.get('port')}/{proto}")
    return [
        svc_type,
        cluster_ips[0] if cluster_ips else "<none>",
        external,
        ",".join(ports) or "<none>",
        _since(_meta(obj).get("creationTimestamp"), now),
        _format_labels(spec.get("selector")),
    ]


def _endpoints_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    subsets = obj.get("subsets") or []
    items: list[str] = []
    for ss in subsets:
        addresses = [a.get("ip", "") for a in ss.get("addresses") or []]
        if not ss.get("ports"):
            items.extend(addresses)
        else:
            for port in ss["ports"]:
                items.extend(_join_host_port(ip, port.get("port")) for ip in addresses)
    cell = _more(items, len(items), empty="") if subsets else "<none>"
    return [cell, _since(_meta(obj).get("creationTimestamp"), now)]


def _endpointslice_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    ports = []
    for p in obj.get("ports") or []:
        port = p.get("port")
        ports.append(str(port) if port is not None else (p.get("name") or "*"))
    addrs = [a for ep in obj.get("endpoints") or [] for a in ep.get("addresses") or []]
    return [
        obj.get("addressType", ""),
        _more(ports, len(ports)),
        _more(addrs, len(addrs)),
        _since(_meta(obj).get("creationTimestamp"), now),
    ]


def _ingress_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    spec = obj.get("spec") or {}
    rules = spec.get("rules") or []
    hosts = [r["host"] for r in rules[:3] if r.get("host")]
    if not hosts:
        hosts_cell = "*"
    elif len(rules) > 3:
        hosts_cell = f"{','.join(hosts)} + {len(rules) - 3} more..."
    else:
        hosts_cell = ",".join(hosts)
    return [
        spec.get("ingressClassName") or "<none>",
        hosts_cell,
        _lb_ingress(obj.get("status")),
        "80, 443" if spec.get("tls") else "80",
        _since(_meta(obj).get("creationTimestamp"), now),
    ]


def _configmap_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    count = len(obj.get("data") or {}) + len(obj.get("binaryData") or {})
    return [count, _since(_meta(obj).get("creationTimestamp"), now)]


def _secret_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    return [
        obj.get("type", ""),
        len(obj.get("data") or {}),
        _since(_meta(obj).get("creationTimestamp"), now),
    ]


def _age_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    return [_since(_meta(obj).get("creationTimestamp"), now)]


def _namespace_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    return [_g(obj, "status", "phase") or "", _since(_meta(obj).get("creationTimestamp"), now)]


def _node_address(obj: Mapping[str, Any], kind: str) -> str:
    for addr in _g(obj, "status", "addresses") or []:
        if addr.get("type") == kind:
            return str(addr.get("address", ""))
    return "<none>"


def _node_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    state: list[str] = []
    for cond in _g(obj, "status", "conditions") or []:
        if cond.get("type") == "Ready":
            state = ["Ready" if cond.get("status") == "True" else "NotReady"]
    if not state:
        state = ["Unknown"]
    if _g(obj, "spec", "unschedulable"):
        state.append("SchedulingDisabled")
    roles = set()
    for key, value in (_meta(obj).get("labels") or {}).items():
        if key.startswith("node-role.kubernetes.io/"):
            role = key[len("node-role.kubernetes.io/") :]
            if role:
                roles.add(role)
        elif key == "kubernetes.io/role" and value:
            roles.add(value)
    info = _g(obj, "status", "nodeInfo") or {}
    return [
        ",".join(state),
        ",".join(sorted(roles)) or "<none>",
        _since(_meta(obj).get("creationTimestamp"), now),
        info.get("kubeletVersion", ""),
        _node_address(obj, "InternalIP"),
        _node_address(obj, "ExternalIP"),
        info.get("osImage") or "<unknown>",
        info.get("kernelVersion") or "<unknown>",
        info.get("containerRuntimeVersion") or "<unknown>",
    ]


def _event_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    # events.k8s.io/v1 spells some fields differently; the apiserver prints its internal form.
    first_ts = obj.get("firstTimestamp") or obj.get("deprecatedFirstTimestamp")
    first = _since(first_ts or obj.get("eventTime"), now)
    last_ts = obj.get("lastTimestamp") or obj.get("deprecatedLastTimestamp")
    last = _since(last_ts, now) if last_ts else first
    count = _int(obj.get("count") if "count" in obj else obj.get("deprecatedCount"))
    series = obj.get("series")
    if series:
        last = _since(series.get("lastObservedTime"), now)
        count = _int(series.get("count"))
    elif count == 0:
        count = 1
    involved = obj.get("involvedObject") or obj.get("regarding") or {}
    kind = str(involved.get("kind", "")).lower()
    target = f"{kind}/{involved['name']}" if involved.get("name") else kind
    source = obj.get("source") or obj.get("deprecatedSource") or {}
    component = source.get("component") or obj.get("reportingController") or ""
    host = source.get("host") or obj.get("reportingInstance") or ""
    message = obj.get("message") if "message" in obj else obj.get("note")
    return [
        last,
        obj.get("type", ""),
        obj.get("reason", ""),
        target,
        involved.get("fieldPath", ""),
        f"{component}, {host}" if host else component,
        str(message or "").strip(),
        first,
        count,
        _meta(obj).get("name", ""),
    ]


_ACCESS_MODES = (
    ("ReadWriteOnce", "RWO"),
    ("ReadOnlyMany", "ROX"),
    ("ReadWriteMany", "RWX"),
    ("ReadWriteOncePod", "RWOP"),
)


def _access_modes(modes: Sequence[str] | None) -> str:
    present = set(modes or [])
    return ",".join(short for long, short in _ACCESS_MODES if long in present)


def _storage_class(obj: Mapping[str, Any]) -> str:
    annotation = (_meta(obj).get("annotations") or {}).get(
        "volume.beta.kubernetes.io/storage-class"
    )
    if annotation is not None:
        return str(annotation)
    return str(_g(obj, "spec", "storageClassName") or "")


def _pv_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    phase = "Terminating" if _meta(obj).get("deletionTimestamp") else status.get("phase", "")
    claim = spec.get("claimRef")
    return [
        str(_g(spec, "capacity", "storage") or "0"),
        _access_modes(spec.get("accessModes")),
        spec.get("persistentVolumeReclaimPolicy", ""),
        phase,
        f"{claim.get('namespace', '')}/{claim.get('name', '')}" if claim else "",
        _storage_class(obj),
        spec.get("volumeAttributesClassName") or "<unset>",
        status.get("reason", ""),
        _since(_meta(obj).get("creationTimestamp"), now),
        spec.get("volumeMode") or "<unset>",
    ]


def _pvc_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    phase = "Terminating" if _meta(obj).get("deletionTimestamp") else status.get("phase", "")
    capacity = modes = ""
    if spec.get("volumeName"):
        modes = _access_modes(status.get("accessModes"))
        capacity = str(_g(status, "capacity", "storage") or "0")
    return [
        phase,
        spec.get("volumeName", ""),
        capacity,
        modes,
        _storage_class(obj),
        spec.get("volumeAttributesClassName") or "<unset>",
        _since(_meta(obj).get("creationTimestamp"), now),
        spec.get("volumeMode") or "<unset>",
    ]


def _binding_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    ref = obj.get("roleRef") or {}
    users, groups, sas = [], [], []
    for subject in obj.get("subjects") or []:
        kind = subject.get("kind")
        if kind == "User":
            users.append(subject.get("name", ""))
        elif kind == "Group":
            groups.append(subject.get("name", ""))
        elif kind == "ServiceAccount":
            sas.append(f"{subject.get('namespace', '')}/{subject.get('name', '')}")
    return [
        f"{ref.get('kind', '')}/{ref.get('name', '')}",
        _since(_meta(obj).get("creationTimestamp"), now),
        ", ".join(users),
        ", ".join(groups),
        ", ".join(sas),
    ]


def _hpa_metric(spec_metric: Mapping[str, Any], current: Sequence[Mapping[str, Any]]) -> str:
    mtype = spec_metric.get("type", "")
    key = {"Resource": "resource", "ContainerResource": "containerResource"}.get(mtype)
    if key is None:
        target = _g(spec_metric, mtype[:1].lower() + mtype[1:], "target") or {}
        value = target.get("averageValue") or target.get("value") or ""
        return f"<unknown>/{value}"
    body = spec_metric.get(key) or {}
    name = body.get("name", "")
    target = body.get("target") or {}
    cur = next(
        (
            c.get(key) or {}
            for c in current
            if c.get("type") == mtype and (c.get(key) or {}).get("name") == name
        ),
        None,
    )
    prefix = f"{name}: " if mtype == "Resource" else f"{name}/{body.get('container', '')}: "
    if target.get("averageUtilization") is not None:
        now_util = _g(cur, "current", "averageUtilization")
        shown = f"{now_util}%" if now_util is not None else "<unknown>"
        return f"{prefix}{shown}/{target['averageUtilization']}%"
    now_value = _g(cur, "current", "averageValue")
    return f"{prefix}{now_value if now_value is not None else '<unknown>'}/{target.get('averageValue', '')}"


def _hpa_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    ref = spec.get("scaleTargetRef") or {}
    if "metrics" in spec or "targetCPUUtilizationPercentage" not in spec:
        metrics = spec.get("metrics") or []
        current = status.get("currentMetrics") or []
        texts = [_hpa_metric(m, current) for m in metrics]
        # formatHPAMetrics shows at most two metrics.
        if len(texts) > 2:
            targets = f"{', '.join(texts[:2])} + {len(texts) - 2} more..."
        else:
            targets = ", ".join(texts) or "<none>"
    else:  # autoscaling/v1 shape
        cur = status.get("currentCPUUtilizationPercentage")
        shown = f"{cur}%" if cur is not None else "<unknown>"
        targets = f"cpu: {shown}/{spec['targetCPUUtilizationPercentage']}%"
    min_pods = spec.get("minReplicas")
    return [
        f"{ref.get('kind', '')}/{ref.get('name', '')}",
        targets,
        str(min_pods) if min_pods is not None else "<unset>",
        _int(spec.get("maxReplicas")),
        _int(status.get("currentReplicas")),
        _since(_meta(obj).get("creationTimestamp"), now),
    ]


def _lease_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    return [
        _g(obj, "spec", "holderIdentity") or "",
        _since(_meta(obj).get("creationTimestamp"), now),
    ]


def _storageclass_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    return [
        obj.get("provisioner", ""),
        obj.get("reclaimPolicy") or "Delete",
        obj.get("volumeBindingMode") or "Immediate",
        "true" if obj.get("allowVolumeExpansion") else "false",
        _since(_meta(obj).get("creationTimestamp"), now),
    ]


def _priorityclass_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    return [
        _int(obj.get("value")),
        bool(obj.get("globalDefault")),
        _since(_meta(obj).get("creationTimestamp"), now),
        obj.get("preemptionPolicy") or "",
    ]


def _apiservice_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    service = _g(obj, "spec", "service")
    shown = f"{service.get('namespace', '')}/{service.get('name', '')}" if service else "Local"
    available = "Unknown"
    for cond in _g(obj, "status", "conditions") or []:
        if cond.get("type") == "Available":
            available = str(cond.get("status", ""))
            if available != "True":
                available += f" ({cond.get('reason', '')})"
    return [shown, available, _since(_meta(obj).get("creationTimestamp"), now)]


def _flowschema_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    missing = "?"
    for cond in _g(obj, "status", "conditions") or []:
        if cond.get("type") == "Dangling":
            missing = str(cond.get("status", ""))
    return [
        _g(obj, "spec", "priorityLevelConfiguration", "name") or "",
        _int(_g(obj, "spec", "matchingPrecedence")),
        _g(obj, "spec", "distinguisherMethod", "type") or "<none>",
        _since(_meta(obj).get("creationTimestamp"), now),
        missing,
    ]


def _prioritylevel_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    shares: Any = "<none>"
    queues: Any = "<none>"
    hand: Any = "<none>"
    limit: Any = "<none>"
    limited = _g(obj, "spec", "limited")
    if limited:
        shares = _int(limited.get("nominalConcurrencyShares"))
        queuing = (limited.get("limitResponse") or {}).get("queuing")
        if queuing:
            queues = _int(queuing.get("queues"))
            hand = _int(queuing.get("handSize"))
            limit = _int(queuing.get("queueLengthLimit"))
    return [
        _g(obj, "spec", "type") or "",
        shares,
        queues,
        hand,
        limit,
        _since(_meta(obj).get("creationTimestamp"), now),
    ]


def _intstr(value: Any) -> str:
    return "N/A" if value is None else str(value)


def _pdb_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    spec = obj.get("spec") or {}
    return [
        _intstr(spec.get("minAvailable")),
        _intstr(spec.get("maxUnavailable")),
        _int(_g(obj, "status", "disruptionsAllowed")),
        _since(_meta(obj).get("creationTimestamp"), now),
    ]


def _networkpolicy_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    return [
        format_label_selector(_g(obj, "spec", "podSelector")),
        _since(_meta(obj).get("creationTimestamp"), now),
    ]


def _csr_condition(obj: Mapping[str, Any]) -> str:
    types = {c.get("type") for c in _g(obj, "status", "conditions") or ()}
    # Denied outranks Approved, as kubectl's printer orders them.
    text = "Denied" if "Denied" in types else "Approved" if "Approved" in types else "Pending"
    if "Failed" in types:
        text += ",Failed"
    if _g(obj, "status", "certificate"):
        text += ",Issued"
    return text


def _csr_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    seconds = _g(obj, "spec", "expirationSeconds")
    return [
        _since(_meta(obj).get("creationTimestamp"), now),
        _g(obj, "spec", "signerName") or "<none>",
        _g(obj, "spec", "username") or "",
        "<none>" if seconds is None else human_duration(_int(seconds)),
        _csr_condition(obj),
    ]


_Printer = Callable[[Mapping[str, Any], datetime], list[Any]]

_SELECTOR_DOC = "Label selector for pods."
_PRINTERS: dict[tuple[str, str], tuple[tuple[Column, ...], _Printer]] = {
    ("", "Pod"): (
        (
            _NAME,
            _col("Ready", "The aggregate readiness state of this pod for accepting traffic."),
            _col("Status", "The aggregate status of the containers in this pod."),
            _col(
                "Restarts",
                "The number of times the containers in this pod have been restarted and when "
                "the last container in this pod has restarted.",
            ),
            _AGE,
            _col("IP", "podIP address allocated to the pod.", priority=1),
            _col("Node", "NodeName indicates in which node this pod is scheduled.", priority=1),
            _col(
                "Nominated Node",
                "nominatedNodeName is set only when this pod preempts other pods on the node.",
                priority=1,
            ),
            _col(
                "Readiness Gates",
                "If specified, all readiness gates will be evaluated for pod readiness.",
                priority=1,
            ),
        ),
        _pod_row,
    ),
    ("apps", "Deployment"): (
        (
            _NAME,
            _col("Ready", "Number of the pod with ready state"),
            _col(
                "Up-to-date",
                "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
            ),
            _col(
                "Available",
                "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
            ),
            _AGE,
            _CONTAINERS,
            _IMAGES,
            _selector_col(_SELECTOR_DOC),
        ),
        _deployment_row,
    ),
    ("apps", "ReplicaSet"): (
        (
            _NAME,
            _col("Desired", "Replicas is the number of desired replicas.", "integer"),
            _col(
                "Current", "Replicas is the most recently observed number of replicas.", "integer"
            ),
            _col("Ready", "The number of ready replicas for this replica set.", "integer"),
            _AGE,
            _CONTAINERS,
            _IMAGES,
            _selector_col(_SELECTOR_DOC),
        ),
        _replicaset_row,
    ),
    ("", "ReplicationController"): (
        (
            _NAME,
            _col("Desired", "Replicas is the number of desired replicas.", "integer"),
            _col(
                "Current", "Replicas is the most recently observed number of replicas.", "integer"
            ),
            _col(
                "Ready", "The number of ready replicas for this replication controller.", "integer"
            ),
            _AGE,
            _CONTAINERS,
            _IMAGES,
            _selector_col(_SELECTOR_DOC),
        ),
        _rc_row,
    ),
    ("apps", "StatefulSet"): (
        (_NAME, _col("Ready", "Number of the pod with ready state"), _AGE, _CONTAINERS, _IMAGES),
        _statefulset_row,
    ),
    ("apps", "DaemonSet"): (
        (
            _NAME,
            _col(
                "Desired",
                "The total number of nodes that should be running the daemon pod.",
                "integer",
            ),
            _col(
                "Current", "The number of nodes that are running at least 1 daemon pod.", "integer"
            ),
            _col(
                "Ready",
                "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.",
                "integer",
            ),
            _col(
                "Up-to-date",
                "The total number of nodes that are running updated daemon pod",
                "integer",
            ),
            _col(
                "Available",
                "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.",
                "integer",
            ),
            _col(
                "Node Selector",
                "NodeSelector is a selector which must be true for the pod to fit on a node.",
            ),
            _AGE,
            _CONTAINERS,
            _IMAGES,
            _selector_col(_SELECTOR_DOC),
        ),
        _daemonset_row,
    ),
    ("batch", "Job"): (
        (
            _NAME,
            _col("Status", "Status of the job."),
            _col("Completions", "The number of pods which reached phase Succeeded."),
            _col("Duration", "Time required to complete the job."),
            _AGE,
            _CONTAINERS,
            _IMAGES,
            _selector_col(_SELECTOR_DOC),
        ),
        _job_row,
    ),
    ("batch", "CronJob"): (
        (
            _NAME,
            _col("Schedule", "The schedule in Cron format."),
            _col("Timezone", "The time zone name for the given schedule."),
            _col(
                "Suspend",
                "This flag tells the controller to suspend subsequent executions.",
                "boolean",
            ),
            _col("Active", "A list of pointers to currently running jobs.", "integer"),
            _col(
                "Last Schedule",
                "Information when was the last time the job was successfully scheduled.",
            ),
            _AGE,
            _CONTAINERS,
            _IMAGES,
            _selector_col(_SELECTOR_DOC),
        ),
        _cronjob_row,
    ),
    ("", "Service"): (
        (
            _NAME,
            _col("Type", "type determines how the Service is exposed."),
            _col("Cluster-IP", "clusterIP is the IP address of the service."),
            _col(
                "External-IP",
                "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.",
            ),
            _col("Port(s)", "The list of ports that are exposed by this service."),
            _AGE,
            _col(
                "Selector",
                "Route service traffic to pods with label keys and values matching this selector.",
                priority=1,
            ),
        ),
        _service_row,
    ),
    ("", "Endpoints"): (
        (_NAME, _col("Endpoints", "The set of all endpoints is the union of all subsets."), _AGE),
        _endpoints_row,
    ),
    ("discovery.k8s.io", "EndpointSlice"): (
        (
            _NAME,
            _col(
                "AddressType",
                "addressType specifies the type of address carried by this EndpointSlice.",
            ),
            _col(
                "Ports",
                "ports specifies the list of network ports exposed by each endpoint in this slice.",
            ),
            _col("Endpoints", "endpoints is a list of unique endpoints in this slice."),
            _AGE,
        ),
        _endpointslice_row,
    ),
    ("networking.k8s.io", "Ingress"): (
        (
            _NAME,
            _col(
                "Class",
                "The name of the IngressClass resource that should be used for additional configuration",
            ),
            _col(
                "Hosts", "Hosts that incoming requests are matched against before the ingress rule"
            ),
            _col("Address", "Address is a list containing ingress points for the load-balancer"),
            _col("Ports", "Ports of TLS configurations that open"),
            _AGE,
        ),
        _ingress_row,
    ),
    ("", "ConfigMap"): (
        (_NAME, _col("Data", "Data contains the configuration data."), _AGE),
        _configmap_row,
    ),
    ("", "Secret"): (
        (
            _NAME,
            _col("Type", "Used to facilitate programmatic handling of secret data."),
            _col("Data", "Data contains the secret data."),
            _AGE,
        ),
        _secret_row,
    ),
    # 1.37's printer no longer counts the (legacy, token) secrets.
    ("", "ServiceAccount"): ((_NAME, _AGE), _age_row),
    ("resource.k8s.io", "DeviceClass"): ((_NAME, _AGE), _age_row),
    ("resource.k8s.io", "ResourceClaimTemplate"): ((_NAME, _AGE), _age_row),
    ("", "Namespace"): (
        (_NAME, _col("Status", "The status of the namespace"), _AGE),
        _namespace_row,
    ),
    ("", "Node"): (
        (
            _NAME,
            _col("Status", "The status of the node"),
            _col("Roles", "The roles of the node"),
            _AGE,
            _col("Version", "Kubelet Version reported by the node."),
            _col("Internal-IP", "List of addresses reachable to the node.", priority=1),
            _col("External-IP", "List of addresses reachable to the node.", priority=1),
            _col(
                "OS-Image",
                "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
                priority=1,
            ),
            _col(
                "Kernel-Version",
                "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
                priority=1,
            ),
            _col(
                "Container-Runtime",
                "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).",
                priority=1,
            ),
        ),
        _node_row,
    ),
    ("", "PersistentVolume"): (
        (
            _NAME,
            _col(
                "Capacity",
                "capacity is the description of the persistent volume's resources and capacity.",
            ),
            _col("Access Modes", "accessModes contains all ways the volume can be mounted."),
            _col(
                "Reclaim Policy",
                "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.",
            ),
            _col(
                "Status",
                "phase indicates if a volume is available, bound to a claim, or released by a claim.",
            ),
            _col(
                "Claim",
                "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.",
            ),
            _col("StorageClass", "StorageClass of the pv"),
            _col("VolumeAttributesClass", "VolumeAttributesClass of the pv"),
            _col(
                "Reason",
                "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.",
            ),
            _AGE,
            _col(
                "VolumeMode",
                "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.",
                priority=1,
            ),
        ),
        _pv_row,
    ),
    ("", "PersistentVolumeClaim"): (
        (
            _NAME,
            _col("Status", "phase represents the current phase of PersistentVolumeClaim."),
            _col(
                "Volume",
                "volumeName is the binding reference to the PersistentVolume backing this claim.",
            ),
            _col("Capacity", "capacity represents the actual resources of the underlying volume."),
            _col(
                "Access Modes",
                "accessModes contains the actual access modes the volume backing the PVC has.",
            ),
            _col("StorageClass", "StorageClass of the pvc"),
            _col("VolumeAttributesClass", "VolumeAttributesClass of the pvc"),
            _AGE,
            _col(
                "VolumeMode",
                "volumeMode defines what type of volume is required by the claim.",
                priority=1,
            ),
        ),
        _pvc_row,
    ),
    ("rbac.authorization.k8s.io", "RoleBinding"): (
        (
            _NAME,
            _col(
                "Role",
                "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.",
            ),
            _AGE,
            _col("Users", "Users in the roleBinding", priority=1),
            _col("Groups", "Groups in the roleBinding", priority=1),
            _col("ServiceAccounts", "ServiceAccounts in the roleBinding", priority=1),
        ),
        _binding_row,
    ),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"): (
        (
            _NAME,
            _col("Role", "RoleRef can only reference a ClusterRole in the global namespace."),
            _AGE,
            _col("Users", "Users in the clusterRoleBinding", priority=1),
            _col("Groups", "Groups in the clusterRoleBinding", priority=1),
            _col("ServiceAccounts", "ServiceAccounts in the clusterRoleBinding", priority=1),
        ),
        _binding_row,
    ),
    ("autoscaling", "HorizontalPodAutoscaler"): (
        (
            _NAME,
            _col("Reference", "scaleTargetRef points to the target resource to scale."),
            _col(
                "Targets",
                "metrics contains the specifications for which to use to calculate the desired replica count.",
            ),
            _col(
                "MinPods",
                "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.",
            ),
            _col(
                "MaxPods",
                "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.",
            ),
            _col(
                "Replicas",
                "currentReplicas is current number of replicas of pods managed by this autoscaler.",
            ),
            _AGE,
        ),
        _hpa_row,
    ),
    ("coordination.k8s.io", "Lease"): (
        (
            _NAME,
            _col(
                "Holder", "holderIdentity contains the identity of the holder of a current lease."
            ),
            _AGE,
        ),
        _lease_row,
    ),
    ("storage.k8s.io", "StorageClass"): (
        (
            _NAME,
            _col("Provisioner", "provisioner indicates the type of the provisioner."),
            _col(
                "ReclaimPolicy",
                "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class.",
            ),
            _col(
                "VolumeBindingMode",
                "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.",
            ),
            _col(
                "AllowVolumeExpansion",
                "allowVolumeExpansion shows whether the storage class allow volume expand.",
            ),
            _AGE,
        ),
        _storageclass_row,
    ),
    ("apiregistration.k8s.io", "APIService"): (
        (
            _NAME,
            _col("Service", "The reference to the service that hosts this API endpoint."),
            _col("Available", "Whether this service is available."),
            _AGE,
        ),
        _apiservice_row,
    ),
    ("flowcontrol.apiserver.k8s.io", "FlowSchema"): (
        (
            _NAME,
            _col("PriorityLevel", "Name of the priority level."),
            _col("MatchingPrecedence", "The matching precedence of the flow schema.", "integer"),
            _col("DistinguisherMethod", "The distinguisher method of the flow schema."),
            _AGE,
            _col("MissingPL", "Whether the priority level is missing."),
        ),
        _flowschema_row,
    ),
    ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"): (
        (
            _NAME,
            _col("Type", "The type of the priority level."),
            _col("NominalConcurrencyShares", "The nominal concurrency shares.", "string"),
            _col("Queues", "The number of queues.", "string"),
            _col("HandSize", "The hand size.", "string"),
            _col("QueueLengthLimit", "The queue length limit.", "string"),
            _AGE,
        ),
        _prioritylevel_row,
    ),
    ("scheduling.k8s.io", "PriorityClass"): (
        (
            _NAME,
            _col("Value", "value represents the integer value of this priority class.", "integer"),
            _col(
                "Global-Default",
                "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.",
                "boolean",
            ),
            _AGE,
            _col(
                "PreemptionPolicy",
                "preemptionPolicy is the Policy for preempting pods with lower priority.",
            ),
        ),
        _priorityclass_row,
    ),
    ("policy", "PodDisruptionBudget"): (
        (
            _NAME,
            _col("Min Available", "The minimum number of pods that must be available."),
            _col("Max Unavailable", "The maximum number of pods that may be unavailable."),
            _col(
                "Allowed Disruptions",
                "Calculated number of pods that may be disrupted at this time.",
                "integer",
            ),
            _AGE,
        ),
        _pdb_row,
    ),
    ("certificates.k8s.io", "CertificateSigningRequest"): (
        (
            _NAME,
            _AGE,
            _col(
                "SignerName", "signerName indicates the requested signer, and is a qualified name."
            ),
            _col(
                "Requestor",
                'request contains an x509 certificate signing request encoded in a "CERTIFICATE REQUEST" PEM block.',
            ),
            _col(
                "RequestedDuration",
                "expirationSeconds is the requested duration of validity of the issued certificate.",
            ),
            _col(
                "Condition",
                'conditions applied to the request. Known conditions are "Approved", "Denied", and "Failed".',
            ),
        ),
        _csr_row,
    ),
    ("networking.k8s.io", "NetworkPolicy"): (
        (
            _NAME,
            _col(
                "Pod-Selector",
                "podSelector selects the pods to which this NetworkPolicy object applies.",
            ),
            _AGE,
        ),
        _networkpolicy_row,
    ),
}
# events.k8s.io/v1 events are stored and printed as core Events.
_PRINTERS[("events.k8s.io", "Event")] = _PRINTERS[("", "Event")] = (
    (
        _col(
            "Last Seen", "The time at which the most recent occurrence of this event was recorded."
        ),
        _col(
            "Type", "Type of this event (Normal, Warning), new types could be added in the future"
        ),
        _col(
            "Reason",
            "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
        ),
        _col("Object", "The object that this event is about."),
        _col(
            "Subobject",
            "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.",
            priority=1,
        ),
        _col(
            "Source",
            "The component reporting this event. Should be a short machine understandable string.",
            priority=1,
        ),
        _col("Message", "A human-readable description of the status of this operation."),
        _col(
            "First Seen",
            "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)",
            priority=1,
        ),
        _col("Count", "The number of times this event has occurred.", priority=1),
        ("Name", "string", 1, _NAME_DOC),
    ),
    _event_row,
)

_DEFAULT_COLUMNS: tuple[Column, ...] = (_NAME, ("Created At", "date", 0, _CREATED_DOC))


def _definition(column: Column, name_format: bool) -> dict[str, Any]:
    name, type_, priority, description = column
    return {
        "name": name,
        "type": type_,
        "format": "name" if name_format else "",
        "description": description,
        "priority": priority,
    }


def _crd_columns(rt: ResourceType) -> list[Mapping[str, Any]]:
    if rt.printer_columns:
        return list(rt.printer_columns)
    # apiextensions defaults a CRD with no printer columns to a single Age column.
    return [
        {
            "name": "Age",
            "type": "date",
            "jsonPath": ".metadata.creationTimestamp",
            "description": _CREATED_DOC,
        }
    ]


def column_definitions(rt: ResourceType) -> list[dict[str, Any]]:
    """Table columnDefinitions, in order, for objects of this type."""
    if rt.is_crd:
        defs = [_definition(_NAME, True)]
        for col in _crd_columns(rt):
            defs.append(
                {
                    "name": col.get("name", ""),
                    "type": col.get("type", "string"),
                    "format": col.get("format", ""),
                    "description": col.get("description", ""),
                    "priority": int(col.get("priority", 0)),
                }
            )
        return defs
    printer = _PRINTERS.get((rt.group, rt.kind))
    columns = printer[0] if printer else _DEFAULT_COLUMNS
    recorded = _recorded.column_definitions(rt.group, rt.version, rt.plural)
    if recorded is not None and [c["name"] for c in recorded] == [c[0] for c in columns]:
        # The real server's definitions, full descriptions included, for the columns the
        # printer here fills; where the printers differ the cells follow this printer.
        return recorded
    # The events printer's Name column is the only one not first; it still carries format name.
    return [_definition(c, c[0] == "Name") for c in columns]


def row_cells(rt: ResourceType, obj: Mapping[str, Any], now: datetime) -> list[Any]:
    """The cells of one Table row, in column_definitions order."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    name = _meta(obj).get("name", "")
    if rt.is_crd:
        return [name, *(_crd_cell(col, obj, now) for col in _crd_columns(rt))]
    printer = _PRINTERS.get((rt.group, rt.kind))
    if printer is None:
        created = _parse_time(_meta(obj).get("creationTimestamp"))
        stamp = created.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if created else ""
        return [name, stamp]
    cells = printer[1](obj, now)
    if printer[1] is _event_row:
        return cells
    if (rt.group, rt.kind) == ("storage.k8s.io", "StorageClass"):
        annotations = _meta(obj).get("annotations") or {}
        default = (
            annotations.get("storageclass.kubernetes.io/is-default-class") == "true"
            or annotations.get("storageclass.beta.kubernetes.io/is-default-class") == "true"
        )
        if default:
            name += " (default)"
    return [name, *cells]


# ---- CRD additionalPrinterColumns: the simple JSONPath subset CRDs are allowed ----------

_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]|\[\?\(@\.([\w.-]+)\s*==\s*[\"']([^\"']*)[\"']\)\]")


def _jsonpath(obj: Any, path: str) -> tuple[bool, Any]:
    path = path.strip()
    if path.startswith("{") and path.endswith("}"):
        path = path[1:-1]
    pos, cur = 0, obj
    while pos < len(path):
        m = _STEP.match(path, pos)
        if m is None:
            return False, None
        pos = m.end()
        if m.group(1) is not None:
            if not isinstance(cur, Mapping) or m.group(1) not in cur:
                return False, None
            cur = cur[m.group(1)]
        elif m.group(2) is not None:
            idx = int(m.group(2))
            if not isinstance(cur, list) or idx >= len(cur):
                return False, None
            cur = cur[idx]
        else:
            if not isinstance(cur, list):
                return False, None
            field_path, wanted = m.group(3).split("."), m.group(4)
            match = next((item for item in cur if str(_g(item, *field_path)) == wanted), None)
            if match is None:
                return False, None
            cur = match
    return True, cur


def _crd_cell(col: Mapping[str, Any], obj: Mapping[str, Any], now: datetime) -> Any:
    found, value = _jsonpath(obj, str(col.get("jsonPath", "")))
    if not found or value is None:
        return None
    kind = col.get("type", "string")
    if kind == "string":
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (dict, list)):
            return json.dumps(value, separators=(",", ":"))
        return str(value)
    if kind == "integer":
        return (
            int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        )
    if kind == "number":
        return (
            float(value)
            if isinstance(value, (int, float)) and not isinstance(value, bool)
            else None
        )
    if kind == "boolean":
        return value if isinstance(value, bool) else None
    if kind == "date":
        return _since(value, now) if _parse_time(value) else None
    return None
