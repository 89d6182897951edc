"""What kube-apiserver fills in on create, in its two stages:

- :func:`decode_defaults`: scheme defaulting (pkg/apis/*/v1/defaults.go), done as the body
  is decoded, so the field manager counts these fields as the writer's;
- :func:`admit_and_allocate`: the mutating admission plugins a default cluster runs
  (ServiceAccount, DefaultTolerationSeconds, Priority), the Job strategy's generated
  selector and the Service storage's ClusterIP / NodePort allocators, which the handlers
  run after the field manager, so no manager owns what they set.

:func:`apply_defaults` does both. Everything only fills what is absent, so re-defaulting an
object is a no-op.
"""

from __future__ import annotations

import ipaddress
import random
import threading
from collections.abc import MutableMapping
from typing import Any

from kctl.sandbox._catalog import ResourceType

__all__ = [
    "IPAllocator",
    "admit_and_allocate",
    "apply_defaults",
    "decode_defaults",
    "default_allocator",
    "image_pull_policy",
]

SERVICE_CIDR = "10.96.0.0/12"
NODE_PORT_RANGE = (30000, 32767)
_SA_MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"


class IPAllocator:
    """Service ClusterIPs from the service CIDR and NodePorts from 30000-32767.

    The first address (10.96.0.1) is the `kubernetes` service's, as on a real cluster, and
    addresses a caller picked itself are reserved so they are never handed out twice.
    """

    def __init__(self, cidr: str = SERVICE_CIDR, seed: int = 0) -> None:
        self._net = ipaddress.ip_network(cidr)
        self._lock = threading.Lock()
        self._used_ips: set[str] = {str(self._net.network_address + 1)}
        self._used_ports: set[int] = set()
        self._rng = random.Random(seed)

    def reserve_ip(self, ip: str) -> None:
        with self._lock:
            self._used_ips.add(ip)

    def reserve_port(self, port: int) -> None:
        with self._lock:
            self._used_ports.add(port)

    def allocate_ip(self, *, dry_run: bool = False) -> str:
        """A free address; a dry run shows one without taking it, as the real dry-run
        allocator does."""
        size = self._net.num_addresses
        with self._lock:
            for _ in range(size):
                # Random like the real bitmap allocator, skipping network and broadcast.
                candidate = str(self._net.network_address + self._rng.randrange(2, size - 1))
                if candidate not in self._used_ips:
                    if not dry_run:
                        self._used_ips.add(candidate)
                    return candidate
        raise ValueError(f"range is full: {self._net}")

    def allocate_port(self, *, dry_run: bool = False) -> int:
        low, high = NODE_PORT_RANGE
        with self._lock:
            for _ in range(high - low + 1):
                port = self._rng.randint(low, high)
                if port not in self._used_ports:
                    if not dry_run:
                        self._used_ports.add(port)
                    return port
        raise ValueError("range is full: 30000-32767")


default_allocator = IPAllocator()

Obj = MutableMapping[str, Any]


def _sub(obj: Obj, key: str) -> Obj:
    value = obj.get(key)
    if not isinstance(value, MutableMapping):
        value = {}
        obj[key] = value
    return value


def image_pull_policy(image: str) -> str:
    """Always for ":latest" or an untagged image without a digest, else IfNotPresent."""
    if "@" in image:
        return "IfNotPresent"
    last = image.rsplit("/", 1)[-1]
    tag = last.rsplit(":", 1)[1] if ":" in last else ""
    return "Always" if tag in ("", "latest") else "IfNotPresent"


def _probe(probe: Any) -> None:
    if not isinstance(probe, MutableMapping):
        return
    probe.setdefault("timeoutSeconds", 1)
    probe.setdefault("periodSeconds", 10)
    probe.setdefault("successThreshold", 1)
    probe.setdefault("failureThreshold", 3)
    if isinstance(probe.get("httpGet"), MutableMapping):
        probe["httpGet"].setdefault("path", "/")
        probe["httpGet"].setdefault("scheme", "HTTP")


def _container(c: Obj) -> None:
    if c.get("image") is not None:
        c.setdefault("imagePullPolicy", image_pull_policy(str(c["image"])))
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    c.setdefault("resources", {})
    for port in c.get("ports") or []:
        port.setdefault("protocol", "TCP")
    for env in c.get("env") or []:
        field_ref = (env.get("valueFrom") or {}).get("fieldRef")
        if isinstance(field_ref, MutableMapping):
            field_ref.setdefault("apiVersion", "v1")
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        _probe(c.get(probe))


def _requests_from_limits(spec: Obj) -> None:
    """SetDefaults_Pod: each limit without a request is also the request. Pods only, never
    pod templates (a Deployment's template keeps just its limits)."""
    for key in ("initContainers", "containers"):
        for c in spec.get(key) or []:
            resources = c.get("resources") or {}
            limits = resources.get("limits")
            if not isinstance(limits, MutableMapping) or not limits:
                continue
            requests = _sub(resources, "requests")
            for name, value in limits.items():
                requests.setdefault(name, value)


def _volumes(spec: Obj) -> None:
    for vol in spec.get("volumes") or []:
        for source in ("secret", "configMap", "projected", "downwardAPI"):
            if isinstance(vol.get(source), MutableMapping):
                vol[source].setdefault("defaultMode", 420)
        if isinstance(vol.get("hostPath"), MutableMapping):
            vol["hostPath"].setdefault("type", "")


def _pod_spec(spec: Obj) -> None:
    """SetDefaults_PodSpec + containers: applies to pods and pod templates alike."""
    # The deprecated alias follows serviceAccountName, which wins when both are set.
    if not spec.get("serviceAccountName") and spec.get("serviceAccount"):
        spec["serviceAccountName"] = spec["serviceAccount"]
    if spec.get("serviceAccountName"):
        spec["serviceAccount"] = spec["serviceAccountName"]
    else:
        spec.pop("serviceAccount", None)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("securityContext", {})
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("schedulerName", "default-scheduler")
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for c in spec.get(key) or []:
            _container(c)
    _volumes(spec)


def _template(obj: Obj, *path: str) -> None:
    cur: Any = obj
    previous = ""
    for key in path:
        if not isinstance(cur, MutableMapping) or not isinstance(cur.get(key), MutableMapping):
            return
        if key == "spec" and previous in ("template", "jobTemplate") and "metadata" not in cur:
            # A *TemplateSpec's ObjectMeta is a struct value: Go always writes it, first.
            rest = dict(cur)
            cur.clear()
            cur["metadata"] = {}
            cur.update(rest)
        previous = key
        cur = cur[key]
    _pod_spec(cur)


def _qos_class(spec: Obj) -> str:
    containers = list(spec.get("containers") or []) + list(spec.get("initContainers") or [])
    any_set = False
    guaranteed = True
    for c in containers:
        res = c.get("resources") or {}
        requests, limits = res.get("requests") or {}, res.get("limits") or {}
        if requests or limits:
            any_set = True
        for name in ("cpu", "memory"):
            if name not in limits or requests.get(name, limits[name]) != limits[name]:
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def _token_suffix(obj: Obj) -> str:
    # Deterministic per object so re-defaulting never adds a second volume.
    seed = str(
        (obj.get("metadata") or {}).get("name") or (obj.get("metadata") or {}).get("generateName")
    )
    rng = random.Random(seed)
    # apimachinery's rand.String alphabet: no vowels, no 0/1/3 (no words, no look-alikes).
    return "".join(rng.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(5))


def _service_account_admission(obj: Obj, spec: Obj) -> None:
    spec.setdefault("serviceAccountName", spec.get("serviceAccount") or "default")
    spec.setdefault("serviceAccount", spec["serviceAccountName"])
    if spec.get("automountServiceAccountToken") is False:
        return
    containers = list(spec.get("initContainers") or []) + list(spec.get("containers") or [])
    if any(
        m.get("mountPath") == _SA_MOUNT for c in containers for m in c.get("volumeMounts") or []
    ):
        return
    name = f"kube-api-access-{_token_suffix(obj)}"
    spec.setdefault("volumes", []).append(
        {
            "name": name,
            "projected": {
                "defaultMode": 420,
                "sources": [
                    {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                    {
                        "configMap": {
                            "name": "kube-root-ca.crt",
                            "items": [{"key": "ca.crt", "path": "ca.crt"}],
                        }
                    },
                    {
                        "downwardAPI": {
                            "items": [
                                {
                                    "path": "namespace",
                                    "fieldRef": {
                                        "apiVersion": "v1",
                                        "fieldPath": "metadata.namespace",
                                    },
                                }
                            ]
                        }
                    },
                ],
            },
        }
    )
    for c in containers:
        c.setdefault("volumeMounts", []).append(
            {"name": name, "readOnly": True, "mountPath": _SA_MOUNT}
        )


def _pod(obj: Obj) -> None:
    spec = _sub(obj, "spec")
    _pod_spec(spec)
    _requests_from_limits(spec)
    spec.setdefault("enableServiceLinks", True)
    status = _sub(obj, "status")
    status.setdefault("phase", "Pending")
    status.setdefault("qosClass", _qos_class(spec))


def _pod_admission(obj: Obj) -> None:
    spec = _sub(obj, "spec")
    _service_account_admission(obj, spec)
    # DefaultTolerationSeconds admission.
    tolerations = spec.setdefault("tolerations", [])
    for key in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"):
        if not any(t.get("key") == key for t in tolerations):
            tolerations.append(
                {"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
            )
    # Priority admission.
    spec.setdefault("priority", 0)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")


def _deployment(obj: Obj) -> None:
    spec = _sub(obj, "spec")
    spec.setdefault("replicas", 1)
    strategy = _sub(spec, "strategy")
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = _sub(strategy, "rollingUpdate")
        rolling.setdefault("maxUnavailable", "25%")
        rolling.setdefault("maxSurge", "25%")
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    _template(spec, "template", "spec")


def _replicaset(obj: Obj) -> None:
    spec = _sub(obj, "spec")
    spec.setdefault("replicas", 1)
    _template(spec, "template", "spec")


def _statefulset(obj: Obj) -> None:
    spec = _sub(obj, "spec")
    spec.setdefault("replicas", 1)
    spec.setdefault("podManagementPolicy", "OrderedReady")
    strategy = _sub(spec, "updateStrategy")
    if not strategy.get("type"):
        strategy["type"] = "RollingUpdate"
        _sub(strategy, "rollingUpdate")
    rolling = strategy.get("rollingUpdate")
    if strategy["type"] == "RollingUpdate" and isinstance(rolling, dict):
        # Only a rollingUpdate that is there (or was made with the type just above).
        rolling.setdefault("partition", 0)
        # MaxUnavailableStatefulSet is beta and on in 1.37.
        rolling.setdefault("maxUnavailable", 1)
    spec.setdefault("revisionHistoryLimit", 10)
    retention = _sub(spec, "persistentVolumeClaimRetentionPolicy")
    retention.setdefault("whenDeleted", "Retain")
    retention.setdefault("whenScaled", "Retain")
    for claim in spec.get("volumeClaimTemplates") or []:
        _sub(claim, "spec").setdefault("volumeMode", "Filesystem")
    _template(spec, "template", "spec")


def _daemonset(obj: Obj) -> None:
    # DaemonSetStatus's counters have no omitempty: Go writes them even when zero.
    status = _sub(obj, "status")
    for key in (
        "currentNumberScheduled",
        "numberMisscheduled",
        "desiredNumberScheduled",
        "numberReady",
    ):
        status.setdefault(key, 0)
    spec = _sub(obj, "spec")
    strategy = _sub(spec, "updateStrategy")
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = _sub(strategy, "rollingUpdate")
        rolling.setdefault("maxUnavailable", 1)
        rolling.setdefault("maxSurge", 0)
    spec.setdefault("revisionHistoryLimit", 10)
    _template(spec, "template", "spec")


def _job_spec(spec: Obj) -> None:
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
        spec["parallelism"] = 1
    spec.setdefault("parallelism", 1)
    spec.setdefault("backoffLimit", 6)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    if spec.get("podFailurePolicy") is None:
        spec.setdefault("podReplacementPolicy", "TerminatingOrFailed")
    else:
        spec.setdefault("podReplacementPolicy", "Failed")
    _template(spec, "template", "spec")


def _job(obj: Obj) -> None:
    spec = _sub(obj, "spec")
    _job_spec(spec)
    spec.setdefault("manualSelector", False)
    meta = _sub(obj, "metadata")
    template_meta = (spec.get("template") or {}).get("metadata")
    template_labels = template_meta.get("labels") if isinstance(template_meta, dict) else None
    if template_labels and not meta.get("labels"):
        # SetDefaults_Job: a Job without labels takes its template's, the same Go map, so
        # the labels the strategy generates later (_job_selector) show in both.
        meta["labels"] = template_labels


def _job_selector(obj: Obj) -> None:
    """The Job strategy's generateSelector (PrepareForCreate), which needs the uid the store
    assigned."""
    spec = _sub(obj, "spec")
    meta = _sub(obj, "metadata")
    template_meta = _sub(_sub(spec, "template"), "metadata")
    labels = template_meta.get("labels")
    shared = labels is not None and meta.get("labels") is labels
    uid = meta.get("uid")
    if uid and not spec.get("manualSelector") and not spec.get("selector"):
        if not isinstance(labels, dict):
            labels = template_meta["labels"] = {}
        labels.setdefault("batch.kubernetes.io/controller-uid", uid)
        labels.setdefault("batch.kubernetes.io/job-name", meta.get("name", ""))
        labels.setdefault("controller-uid", uid)
        labels.setdefault("job-name", meta.get("name", ""))
        spec["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
        # A Job without labels at all shows its template's once the real server defaults
        # the stored Job on read.
        shared = shared or not meta.get("labels")
    if shared and isinstance(labels, dict):
        # One map in Go; two here, so that a later change to one leaves the other alone.
        meta["labels"] = dict(labels)


def _cronjob(obj: Obj) -> None:
    spec = _sub(obj, "spec")
    spec.setdefault("concurrencyPolicy", "Allow")
    spec.setdefault("suspend", False)
    spec.setdefault("successfulJobsHistoryLimit", 3)
    spec.setdefault("failedJobsHistoryLimit", 1)
    _template(spec, "jobTemplate", "spec", "template", "spec")


def _service(obj: Obj) -> None:
    """SetDefaults_Service; the allocated fields come later, from _allocate_service."""
    spec = _sub(obj, "spec")
    svc_type = spec.setdefault("type", "ClusterIP")
    _sub(_sub(obj, "status"), "loadBalancer")
    spec.setdefault("sessionAffinity", "None")
    if spec["sessionAffinity"] == "None":
        spec.pop("sessionAffinityConfig", None)
    elif spec["sessionAffinity"] == "ClientIP":
        client_ip = _sub(_sub(spec, "sessionAffinityConfig"), "clientIP")
        if client_ip.get("timeoutSeconds") is None:
            spec["sessionAffinityConfig"] = {"clientIP": {"timeoutSeconds": 10800}}
    for port in spec.get("ports") or []:
        port.setdefault("protocol", "TCP")
        port.setdefault("targetPort", port.get("port"))
    if svc_type == "ExternalName":
        return
    if svc_type in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    if svc_type == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)
    spec.setdefault("internalTrafficPolicy", "Cluster")


def _needs_node_ports(spec: Obj) -> bool:
    svc_type = spec.get("type")
    return svc_type == "NodePort" or (
        svc_type == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is not False
    )


def _keep_allocated(spec: Obj, old_spec: Obj) -> None:
    """The Service storage's patchAllocatedValues and normalizeClusterIPs on update: a write
    that leaves out what was allocated keeps it."""
    if spec.get("type") != "ExternalName" and old_spec.get("type") != "ExternalName":
        if not spec.get("clusterIP"):
            spec["clusterIP"] = old_spec.get("clusterIP") or ""
        if not spec.get("clusterIPs") and old_spec.get("clusterIPs"):
            spec["clusterIPs"] = list(old_spec["clusterIPs"])
    old_ip, old_ips = old_spec.get("clusterIP") or "", old_spec.get("clusterIPs") or []
    if old_ips and not spec.get("clusterIPs") and old_ip == (spec.get("clusterIP") or ""):
        spec["clusterIPs"] = list(old_ips)
    new_ip = spec.get("clusterIP") or ""
    if old_ip != new_ip and (spec.get("clusterIPs") or []) == old_ips:
        # Only one of the linked fields changed: the other follows it.
        if new_ip:
            spec["clusterIPs"] = [new_ip]
        else:
            spec.pop("clusterIPs", None)
    if _needs_node_ports(spec) and _needs_node_ports(old_spec):
        ports = [p for p in spec.get("ports") or [] if isinstance(p, MutableMapping)]
        old_ports = [p for p in old_spec.get("ports") or [] if isinstance(p, MutableMapping)]
        # Ports kept on both sides cannot be patched into another port.
        used = {p.get("nodePort") for p in ports if p.get("nodePort")} & {
            p.get("nodePort") for p in old_ports if p.get("nodePort")
        }
        by_name = {p.get("name") or "": p.get("nodePort") for p in old_ports}
        for port in ports:
            old_value = by_name.get(port.get("name") or "")
            if not port.get("nodePort") and old_value and old_value not in used:
                port["nodePort"] = old_value
    if spec.get("ipFamilyPolicy") is None and old_spec.get("ipFamilyPolicy") is not None:
        spec["ipFamilyPolicy"] = old_spec["ipFamilyPolicy"]


def _family(ip: str) -> str:
    try:
        return "IPv6" if ipaddress.ip_address(ip).version == 6 else "IPv4"
    except ValueError:
        return "IPv4"


def _allocate_service(obj: Obj, old: Obj | None, allocator: IPAllocator, dry_run: bool) -> None:
    """The Service storage's beginCreate / beginUpdate: IP families, ClusterIPs and NodePorts
    (pkg/registry/core/service/storage/alloc.go), for a single-stack IPv4 cluster."""
    spec = _sub(obj, "spec")
    if old is not None:
        _keep_allocated(spec, _sub(old, "spec"))
    elif spec.get("clusterIP") and not spec.get("clusterIPs"):
        spec["clusterIPs"] = [spec["clusterIP"]]
    for port in spec.get("ports") or []:
        if not isinstance(port, MutableMapping) or not _needs_node_ports(spec):
            continue
        if port.get("nodePort"):
            if not dry_run:
                allocator.reserve_port(int(port["nodePort"]))
        else:
            port["nodePort"] = allocator.allocate_port(dry_run=dry_run)
    if spec.get("type") == "ExternalName":
        return
    headless = spec.get("clusterIP") == "None"
    if spec.get("ipFamilyPolicy") is None:
        # initIPFamilyFields: headless without a selector asks for both families.
        dual = headless and not spec.get("selector")
        spec["ipFamilyPolicy"] = "RequireDualStack" if dual else "SingleStack"
    families = spec.setdefault("ipFamilies", [])
    if headless and not spec.get("selector"):
        if not families:
            families.append("IPv4")
        if len(families) < 2 and spec["ipFamilyPolicy"] != "SingleStack":
            families.append("IPv6" if families[0] == "IPv4" else "IPv4")
    cluster_ip = spec.get("clusterIP") or (spec.get("clusterIPs") or [None])[0]
    if not cluster_ip:
        cluster_ip = allocator.allocate_ip(dry_run=dry_run)
    elif cluster_ip != "None" and not dry_run:
        allocator.reserve_ip(cluster_ip)
    spec["clusterIP"] = cluster_ip
    if not spec.get("clusterIPs"):
        spec["clusterIPs"] = [cluster_ip]
    for i, ip in enumerate(spec["clusterIPs"]):
        if ip == "None":
            break
        if i >= len(families):
            families.append(_family(ip))
    if not families:
        families.append("IPv4")


def _namespace(obj: Obj) -> None:
    meta = _sub(obj, "metadata")
    if meta.get("name"):
        meta.setdefault("labels", {})["kubernetes.io/metadata.name"] = meta["name"]
    _sub(obj, "spec").setdefault("finalizers", ["kubernetes"])
    _sub(obj, "status").setdefault("phase", "Active")


def _pvc(obj: Obj) -> None:
    _sub(obj, "spec").setdefault("volumeMode", "Filesystem")
    _sub(obj, "status").setdefault("phase", "Pending")


def _pv(obj: Obj) -> None:
    spec = _sub(obj, "spec")
    spec.setdefault("persistentVolumeReclaimPolicy", "Retain")
    spec.setdefault("volumeMode", "Filesystem")
    _sub(obj, "status").setdefault("phase", "Pending")


def _rbac_subjects(obj: Obj) -> None:
    for subject in obj.get("subjects") or []:
        if subject.get("kind") in ("User", "Group"):
            subject.setdefault("apiGroup", "rbac.authorization.k8s.io")
        elif subject.get("kind") == "ServiceAccount":
            subject.setdefault("apiGroup", "")


def _hpa(obj: Obj, version: str) -> None:
    spec = _sub(obj, "spec")
    spec.setdefault("minReplicas", 1)
    if version == "v1":
        spec.setdefault("targetCPUUtilizationPercentage", 80)
        return
    if not spec.get("metrics"):
        spec["metrics"] = [
            {
                "type": "Resource",
                "resource": {
                    "name": "cpu",
                    "target": {"type": "Utilization", "averageUtilization": 80},
                },
            }
        ]
    behavior = _sub(spec, "behavior")
    up = _sub(behavior, "scaleUp")
    up.setdefault("stabilizationWindowSeconds", 0)
    up.setdefault("selectPolicy", "Max")
    up.setdefault(
        "policies",
        [
            {"type": "Pods", "value": 4, "periodSeconds": 15},
            {"type": "Percent", "value": 100, "periodSeconds": 15},
        ],
    )
    down = _sub(behavior, "scaleDown")
    down.setdefault("stabilizationWindowSeconds", 300)
    down.setdefault("selectPolicy", "Max")
    down.setdefault("policies", [{"type": "Percent", "value": 100, "periodSeconds": 15}])


def _secret(obj: Obj) -> None:
    obj.setdefault("type", "Opaque")
    # v1 -> internal conversion: stringData is write-only, merged over data as base64.
    string_data = obj.pop("stringData", None)
    if isinstance(string_data, dict) and string_data:
        import base64

        data = obj.get("data")
        if not isinstance(data, dict):
            data = obj["data"] = {}
        for key, value in string_data.items():
            data[key] = base64.b64encode(str(value).encode()).decode()


def decode_defaults(rt: ResourceType, obj: dict[str, Any]) -> None:
    """Scheme defaulting, in place: what the apiserver fills in as it decodes a body, before
    the field manager records the writer's fields."""
    if rt.is_crd:
        return
    key = (rt.group, rt.kind)
    if key == ("", "Pod"):
        _pod(obj)
    elif key == ("", "PodTemplate"):
        _template(obj, "template", "spec")
    elif key == ("", "ReplicationController"):
        _replicaset(obj)
    elif key == ("apps", "Deployment"):
        _deployment(obj)
    elif key == ("apps", "ReplicaSet"):
        _replicaset(obj)
    elif key == ("apps", "StatefulSet"):
        _statefulset(obj)
    elif key == ("apps", "DaemonSet"):
        _daemonset(obj)
    elif key == ("batch", "Job"):
        _job(obj)
    elif key == ("batch", "CronJob"):
        _cronjob(obj)
    elif key == ("", "Service"):
        _service(obj)
    elif key == ("", "Namespace"):
        _namespace(obj)
    elif key == ("", "Secret"):
        _secret(obj)
    elif key == ("", "PersistentVolumeClaim"):
        _pvc(obj)
    elif key == ("", "PersistentVolume"):
        _pv(obj)
    elif key in (
        ("rbac.authorization.k8s.io", "RoleBinding"),
        ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ):
        _rbac_subjects(obj)
    elif key == ("autoscaling", "HorizontalPodAutoscaler"):
        _hpa(obj, rt.version)


def admit_and_allocate(
    rt: ResourceType,
    obj: dict[str, Any],
    old: dict[str, Any] | None = None,
    allocator: IPAllocator | None = None,
    *,
    dry_run: bool = False,
) -> None:
    """What mutating admission and the storage layer add after the field manager has run,
    in place: ``old`` is the stored object on update (None on create); a dry run shows
    allocated addresses without taking them."""
    key = (rt.group, rt.kind)
    if key == ("", "Pod"):
        _pod_admission(obj)
    elif key == ("batch", "Job"):
        _job_selector(obj)
    elif key == ("", "Service"):
        _allocate_service(obj, old, allocator or default_allocator, dry_run)


def apply_defaults(
    rt: ResourceType, obj: dict[str, Any], allocator: IPAllocator | None = None
) -> None:
    """Everything the real apiserver fills in on create, in place: the object as stored."""
    if rt.is_crd:
        return
    decode_defaults(rt, obj)
    admit_and_allocate(rt, obj, None, allocator)
