"""Seed content: the `--seed demo` cluster and loading a user's seed files.

The demo looks like a three-node kind cluster a team has been using for a few days: system
pods, a busy `dev` namespace with deployments (and their ReplicaSets and pods), services with
Endpoints/EndpointSlices, jobs, a StatefulSet, config and secrets. It is a pure function of
``now`` (a seeded RNG), so tests can rely on exact names.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from kctl.sandbox import _recorded

__all__ = ["demo_objects", "load_seed_path"]

KUBE_VERSION = _recorded.version()["gitVersion"]
_NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789"  # apimachinery's rand.String alphabet
_CLUSTER = "demo"

Obj = dict[str, Any]


class _Gen:
    def __init__(self, now: datetime) -> None:
        self.now = now if now.tzinfo else now.replace(tzinfo=timezone.utc)
        self.rng = random.Random(20250601)
        self.objects: list[Obj] = []
        self.pod_ip = 10

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def suffix(self, n: int = 5) -> str:
        return "".join(self.rng.choice(_NAME_CHARS) for _ in range(n))

    def hexid(self) -> str:
        return f"{self.rng.getrandbits(256):064x}"

    def ts(self, when: datetime) -> str:
        return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    def ago(self, **kw: float) -> datetime:
        return self.now - timedelta(**kw)

    def meta(self, name: str, namespace: str | None, created: datetime, **extra: Any) -> Obj:
        meta: Obj = {"name": name, "uid": self.uid(), "creationTimestamp": self.ts(created)}
        if namespace is not None:
            meta["namespace"] = namespace
        meta.update({k: v for k, v in extra.items() if v})
        return meta

    def add(self, api_version: str, kind: str, meta: Obj, **body: Any) -> Obj:
        obj: Obj = {"apiVersion": api_version, "kind": kind, "metadata": meta, **body}
        self.objects.append(obj)
        return obj

    def next_pod_ip(self, node_index: int) -> str:
        self.pod_ip += 1
        return f"10.244.{node_index}.{self.pod_ip % 250 + 2}"


_NODES = (
    (f"{_CLUSTER}-control-plane", "172.18.0.2", True),
    (f"{_CLUSTER}-worker", "172.18.0.3", False),
    (f"{_CLUSTER}-worker2", "172.18.0.4", False),
)
# A few hours past 12 days, so objects made in the first minutes all print AGE 12d.
CLUSTER_BIRTH_DAYS = 12.125
_FAKE_CA = (
    "-----BEGIN CERTIFICATE-----\n"
    "MIIDBTCCAe2gAwIBAgIIZGVtby1rY3RsMA0GCSqGSIb3DQEBCwUAMBUxEzARBgNV\n"
    "BAMTCmt1YmVybmV0ZXMwHhcNMjUwMTAxMDAwMDAwWhcNMzUwMTAxMDAwMDAwWjAV\n"
    "MRMwEQYDVQQDEwprdWJlcm5ldGVzMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIB\n"
    "-----END CERTIFICATE-----\n"
)


def _namespaces(g: _Gen) -> None:
    for i, name in enumerate(("default", "kube-system", "kube-public", "kube-node-lease", "dev")):
        created = g.ago(days=CLUSTER_BIRTH_DAYS if name != "dev" else 9, seconds=4 - i)
        g.add(
            "v1",
            "Namespace",
            g.meta(name, None, created, labels={"kubernetes.io/metadata.name": name}),
            spec={"finalizers": ["kubernetes"]},
            status={"phase": "Active"},
        )
        g.add(
            "v1",
            "ConfigMap",
            g.meta(
                "kube-root-ca.crt",
                name,
                created,
                annotations={
                    "kubernetes.io/description": "Contains a CA bundle that can be used to "
                    "verify the kube-apiserver when using internal endpoints such as the "
                    "internal service IP or kubernetes.default.svc. No other usage is "
                    "guaranteed across distributions of Kubernetes clusters."
                },
            ),
            data={"ca.crt": _FAKE_CA},
        )
        g.add("v1", "ServiceAccount", g.meta("default", name, created))


def _nodes(g: _Gen) -> None:
    for i, (name, ip, control_plane) in enumerate(_NODES):
        created = g.ago(days=CLUSTER_BIRTH_DAYS, seconds=-30 - 20 * i)
        labels = {
            "beta.kubernetes.io/arch": "amd64",
            "beta.kubernetes.io/os": "linux",
            "kubernetes.io/arch": "amd64",
            "kubernetes.io/hostname": name,
            "kubernetes.io/os": "linux",
        }
        spec: Obj = {
            "podCIDR": f"10.244.{i}.0/24",
            "podCIDRs": [f"10.244.{i}.0/24"],
            "providerID": f"kind://docker/{_CLUSTER}/{name}",
        }
        if control_plane:
            labels["node-role.kubernetes.io/control-plane"] = ""
            labels["node.kubernetes.io/exclude-from-external-load-balancers"] = ""
            spec["taints"] = [
                {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}
            ]
        heartbeat = g.ts(g.ago(seconds=g.rng.randint(5, 50)))
        transition = g.ts(created + timedelta(seconds=25))

        def cond(
            ctype: str,
            status: str,
            reason: str,
            message: str,
            heartbeat: str = heartbeat,
            transition: str = transition,
        ) -> Obj:
            return {
                "type": ctype,
                "status": status,
                "lastHeartbeatTime": heartbeat,
                "lastTransitionTime": transition,
                "reason": reason,
                "message": message,
            }

        resources = {
            "cpu": "8",
            "ephemeral-storage": "102625208Ki",
            "hugepages-1Gi": "0",
            "hugepages-2Mi": "0",
            "memory": "16318412Ki",
            "pods": "110",
        }
        g.add(
            "v1",
            "Node",
            g.meta(
                name,
                None,
                created,
                labels=labels,
                annotations={
                    "node.alpha.kubernetes.io/ttl": "0",
                    "volumes.kubernetes.io/controller-managed-attach-detach": "true",
                },
            ),
            spec=spec,
            status={
                "addresses": [
                    {"type": "InternalIP", "address": ip},
                    {"type": "Hostname", "address": name},
                ],
                "allocatable": dict(resources),
                "capacity": dict(resources),
                "conditions": [
                    cond(
                        "MemoryPressure",
                        "False",
                        "KubeletHasSufficientMemory",
                        "kubelet has sufficient memory available",
                    ),
                    cond(
                        "DiskPressure",
                        "False",
                        "KubeletHasNoDiskPressure",
                        "kubelet has no disk pressure",
                    ),
                    cond(
                        "PIDPressure",
                        "False",
                        "KubeletHasSufficientPID",
                        "kubelet has sufficient PID available",
                    ),
                    cond("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
                ],
                "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                "nodeInfo": {
                    "architecture": "amd64",
                    "bootID": g.uid(),
                    "containerRuntimeVersion": "containerd://2.1.3",
                    "kernelVersion": "6.8.0-60-generic",
                    "kubeProxyVersion": "",
                    "kubeletVersion": KUBE_VERSION,
                    "machineID": g.hexid()[:32],
                    "operatingSystem": "linux",
                    "osImage": "Debian GNU/Linux 12 (bookworm)",
                    "systemUUID": g.uid(),
                },
            },
        )


def _node_leases(g: _Gen) -> None:
    """Each kubelet's heartbeat Lease in kube-node-lease (describe node shows it)."""
    for node in [o for o in g.objects if o["kind"] == "Node"]:
        meta = node["metadata"]
        renewed = g.ago(seconds=g.rng.randint(1, 9)).astimezone(timezone.utc)
        g.add(
            "coordination.k8s.io/v1",
            "Lease",
            g.meta(
                meta["name"],
                "kube-node-lease",
                _parse_ts(meta["creationTimestamp"]),
                ownerReferences=[
                    {"apiVersion": "v1", "kind": "Node", "name": meta["name"], "uid": meta["uid"]}
                ],
            ),
            spec={
                "holderIdentity": meta["name"],
                "leaseDurationSeconds": 40,
                "renewTime": renewed.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            },
        )


def _container_status(
    g: _Gen, name: str, image: str, started: datetime, state: str, restarts: int
) -> Obj:
    image_id = f"{image.split(':')[0]}@sha256:{g.hexid()}"
    if "/" not in image.split(":")[0]:
        image_id = "docker.io/library/" + image_id
    status: Obj = {
        "name": name,
        "image": image if "/" in image.split(":")[0] else f"docker.io/library/{image}",
        "imageID": image_id,
        "restartCount": restarts,
        "ready": state == "running",
        "started": state == "running",
        "lastState": {},
    }
    if state not in ("ErrImagePull", "ImagePullBackOff", "ContainerCreating"):
        status["containerID"] = f"containerd://{g.hexid()}"
    if state == "running":
        status["state"] = {"running": {"startedAt": g.ts(started)}}
    elif state == "CrashLoopBackOff":
        status["state"] = {
            "waiting": {
                "reason": "CrashLoopBackOff",
                "message": f"back-off 5m0s restarting failed container={name} pod=...",
            }
        }
        finished = g.ago(minutes=g.rng.randint(1, 40))
        status["lastState"] = {
            "terminated": {
                "exitCode": 1,
                "reason": "Error",
                "startedAt": g.ts(finished - timedelta(seconds=12)),
                "finishedAt": g.ts(finished),
                "containerID": status["containerID"],
            }
        }
    elif state in ("Completed", "Error"):
        status["state"] = {
            "terminated": {
                "exitCode": 0 if state == "Completed" else 1,
                "reason": state,
                "startedAt": g.ts(started),
                "finishedAt": g.ts(started + timedelta(seconds=g.rng.randint(20, 300))),
                "containerID": status["containerID"],
            }
        }
    else:
        waiting: Obj = {"reason": state}
        if state == "ImagePullBackOff":
            waiting["message"] = f'Back-off pulling image "{image}"'
        status["state"] = {"waiting": waiting}
    return status


def _pod(
    g: _Gen,
    name: str,
    namespace: str,
    labels: dict[str, str],
    containers: list[Obj],
    created: datetime,
    state: str = "running",
    owner: Obj | None = None,
    node_index: int | None = None,
    restart_policy: str = "Always",
) -> Obj:
    """A pod in one of: running, CrashLoopBackOff, ImagePullBackOff, ErrImagePull, Unschedulable,
    ContainerCreating, Completed, Error."""
    meta = g.meta(name, namespace, created, labels=labels, generateName=None)
    if owner is not None:
        meta["ownerReferences"] = [owner]
    spec: Obj = {"containers": containers, "restartPolicy": restart_policy}
    status: Obj = {}
    if state == "Unschedulable":
        status = {
            "phase": "Pending",
            "conditions": [
                {
                    "type": "PodScheduled",
                    "status": "False",
                    "lastProbeTime": None,
                    "lastTransitionTime": g.ts(created),
                    "reason": "Unschedulable",
                    "message": "0/3 nodes are available: 1 node(s) had untolerated taint "
                    "{node-role.kubernetes.io/control-plane: }, 2 Insufficient memory. "
                    "preemption: 0/3 nodes are available: 1 Preemption is not helpful for "
                    "scheduling, 2 No preemption victims found for incoming pod.",
                }
            ],
            "qosClass": "Burstable",
        }
        return g.add("v1", "Pod", meta, spec=spec, status=status)
    if node_index is None:
        node_index = g.rng.randint(1, len(_NODES) - 1)
    node_name, host_ip, _ = _NODES[node_index]
    spec["nodeName"] = node_name
    started = created + timedelta(seconds=g.rng.randint(2, 20))
    restarts = g.rng.randint(3, 40) if state == "CrashLoopBackOff" else 0
    statuses = [
        _container_status(g, c["name"], c["image"], started, state, restarts) for c in containers
    ]
    ready = all(s["ready"] for s in statuses)
    phase = {
        "Completed": "Succeeded",
        "Error": "Failed",
        "ImagePullBackOff": "Pending",
        "ErrImagePull": "Pending",
        "ContainerCreating": "Pending",
    }.get(state, "Running")
    t = g.ts(started)
    running_like = phase in ("Running", "Succeeded", "Failed")
    conditions = [
        {
            "type": "PodReadyToStartContainers",
            "status": "True" if running_like else "False",
            "lastProbeTime": None,
            "lastTransitionTime": t,
        },
        {
            "type": "Initialized",
            "status": "True",
            "lastProbeTime": None,
            "lastTransitionTime": g.ts(created),
        },
        {
            "type": "Ready",
            "status": "True" if ready else "False",
            "lastProbeTime": None,
            "lastTransitionTime": t,
        },
        {
            "type": "ContainersReady",
            "status": "True" if ready else "False",
            "lastProbeTime": None,
            "lastTransitionTime": t,
        },
        {
            "type": "PodScheduled",
            "status": "True",
            "lastProbeTime": None,
            "lastTransitionTime": g.ts(created),
        },
    ]
    for c in conditions[2:4]:
        if c["status"] == "False":
            c["reason"] = (
                "PodCompleted" if phase in ("Succeeded", "Failed") else "ContainersNotReady"
            )
            if c["reason"] == "ContainersNotReady":
                names = ",".join(s["name"] for s in statuses if not s["ready"])
                c["message"] = f"containers with unready status: [{names}]"
    pod_ip = g.next_pod_ip(node_index) if running_like else ""
    status = {
        "phase": phase,
        "conditions": conditions,
        "hostIP": host_ip,
        "hostIPs": [{"ip": host_ip}],
        "startTime": g.ts(created),
        "containerStatuses": statuses,
        "qosClass": "Burstable" if any(c.get("resources") for c in containers) else "BestEffort",
    }
    if pod_ip:
        status["podIP"] = pod_ip
        status["podIPs"] = [{"ip": pod_ip}]
    return g.add("v1", "Pod", meta, spec=spec, status=status)


def _template_hash(g: _Gen) -> str:
    return "".join(g.rng.choice(_NAME_CHARS) for _ in range(g.rng.choice((9, 10))))


def _owner(obj: Obj) -> Obj:
    return {
        "apiVersion": obj["apiVersion"],
        "kind": obj["kind"],
        "name": obj["metadata"]["name"],
        "uid": obj["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def _deployment(
    g: _Gen,
    namespace: str,
    name: str,
    image: str,
    replicas: int,
    port: int,
    age_days: float,
    states: dict[str, int] | None = None,
) -> list[Obj]:
    created = g.ago(days=age_days)
    labels = {"app": name}
    container: Obj = {
        "name": name,
        "image": image,
        "ports": [{"containerPort": port, "protocol": "TCP"}],
        "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}},
    }
    states = dict(states or {})
    plan: list[str] = []
    for state, count in states.items():
        plan.extend([state] * count)
    plan.extend(["running"] * (replicas - len(plan)))
    g.rng.shuffle(plan)
    ready = plan.count("running")
    deploy = g.add(
        "apps/v1",
        "Deployment",
        g.meta(
            name,
            namespace,
            created,
            labels=labels,
            annotations={"deployment.kubernetes.io/revision": "1"},
            generation=1,
        ),
        spec={
            "replicas": replicas,
            "selector": {"matchLabels": dict(labels)},
            "template": {"metadata": {"labels": dict(labels)}, "spec": {"containers": [container]}},
        },
        status={
            "observedGeneration": 1,
            "replicas": replicas,
            "updatedReplicas": replicas,
            "readyReplicas": ready,
            "availableReplicas": ready,
            **({"unavailableReplicas": replicas - ready} if ready < replicas else {}),
            "conditions": [
                {
                    "type": "Available",
                    "status": "True" if ready == replicas else "False",
                    "lastUpdateTime": g.ts(created + timedelta(seconds=40)),
                    "lastTransitionTime": g.ts(created + timedelta(seconds=40)),
                    "reason": "MinimumReplicasAvailable"
                    if ready == replicas
                    else "MinimumReplicasUnavailable",
                    "message": "Deployment has minimum availability."
                    if ready == replicas
                    else "Deployment does not have minimum availability.",
                },
                {
                    "type": "Progressing",
                    "status": "True",
                    "lastUpdateTime": g.ts(created + timedelta(seconds=40)),
                    "lastTransitionTime": g.ts(created),
                    "reason": "NewReplicaSetAvailable",
                    "message": f'ReplicaSet "{name}-..." has successfully progressed.',
                },
            ],
        },
    )
    pod_hash = _template_hash(g)
    rs_name = f"{name}-{pod_hash}"
    deploy["status"]["conditions"][1]["message"] = (
        f'ReplicaSet "{rs_name}" has successfully progressed.'
    )
    rs_labels = {**labels, "pod-template-hash": pod_hash}
    rs_meta = g.meta(
        rs_name,
        namespace,
        created,
        labels=rs_labels,
        annotations={
            "deployment.kubernetes.io/desired-replicas": str(replicas),
            "deployment.kubernetes.io/max-replicas": str(replicas + (replicas + 3) // 4),
            "deployment.kubernetes.io/revision": "1",
        },
        generation=1,
    )
    rs_meta["ownerReferences"] = [_owner(deploy)]
    rs = g.add(
        "apps/v1",
        "ReplicaSet",
        rs_meta,
        spec={
            "replicas": replicas,
            "selector": {"matchLabels": dict(rs_labels)},
            "template": {
                "metadata": {"labels": dict(rs_labels)},
                "spec": {"containers": [container]},
            },
        },
        status={
            "replicas": replicas,
            "fullyLabeledReplicas": replicas,
            "readyReplicas": ready,
            "availableReplicas": ready,
            "observedGeneration": 1,
        },
    )
    pods = []
    for state in plan:
        pod_created = created + timedelta(seconds=g.rng.randint(1, 30))
        pods.append(
            _pod(
                g,
                f"{rs_name}-{g.suffix()}",
                namespace,
                dict(rs_labels),
                [json.loads(json.dumps(container))],
                pod_created,
                state,
                _owner(rs),
            )
        )
    return pods


def _service(
    g: _Gen,
    namespace: str,
    name: str,
    port: int,
    target: int,
    pods: list[Obj],
    cluster_ip: str,
    created: datetime,
    port_name: str = "http",
) -> None:
    g.add(
        "v1",
        "Service",
        g.meta(name, namespace, created, labels={"app": name}),
        spec={
            "type": "ClusterIP",
            "clusterIP": cluster_ip,
            "clusterIPs": [cluster_ip],
            "ports": [{"name": port_name, "port": port, "protocol": "TCP", "targetPort": target}],
            "selector": {"app": name},
        },
    )
    ready = [p for p in pods if p["status"].get("podIP") and p["status"]["phase"] == "Running"]

    def target_ref(p: Obj) -> Obj:
        return {
            "kind": "Pod",
            "namespace": namespace,
            "name": p["metadata"]["name"],
            "uid": p["metadata"]["uid"],
        }

    addresses = [
        {"ip": p["status"]["podIP"], "nodeName": p["spec"]["nodeName"], "targetRef": target_ref(p)}
        for p in ready
    ]
    subset: Obj = {"ports": [{"name": port_name, "port": target, "protocol": "TCP"}]}
    if addresses:
        subset["addresses"] = addresses
    g.add(
        "v1",
        "Endpoints",
        g.meta(
            name,
            namespace,
            created,
            labels={"app": name, "endpoints.kubernetes.io/managed-by": "endpoint-controller"},
        ),
        subsets=[subset] if addresses else [],
    )
    g.add(
        "discovery.k8s.io/v1",
        "EndpointSlice",
        g.meta(
            f"{name}-{g.suffix()}",
            namespace,
            created,
            labels={
                "app": name,
                "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
                "kubernetes.io/service-name": name,
            },
            generateName=f"{name}-",
        ),
        addressType="IPv4",
        endpoints=[
            {
                "addresses": [p["status"]["podIP"]],
                "conditions": {"ready": True, "serving": True, "terminating": False},
                "nodeName": p["spec"]["nodeName"],
                "targetRef": target_ref(p),
            }
            for p in ready
        ],
        ports=[{"name": port_name, "port": target, "protocol": "TCP"}],
    )


def _relabel_app(obj: Obj, labels: dict[str, str]) -> None:
    """Swap the generic ``app`` label for ``labels`` on an object, its selector and template."""

    def swap(found: Any) -> None:
        if isinstance(found, dict) and "app" in found:
            rest = {k: v for k, v in found.items() if k != "app"}
            found.clear()
            found.update({**labels, **rest})

    swap(obj["metadata"].get("labels"))
    spec = obj.get("spec") or {}
    swap((spec.get("selector") or {}).get("matchLabels"))
    swap(((spec.get("template") or {}).get("metadata") or {}).get("labels"))


def _kube_dns(g: _Gen) -> None:
    """kube-dns as kubeadm installs it: DNS over UDP and TCP plus CoreDNS metrics, and the
    cluster-service label `kubectl cluster-info` looks for."""
    labels = {
        "k8s-app": "kube-dns",
        "kubernetes.io/cluster-service": "true",
        "kubernetes.io/name": "CoreDNS",
    }
    ports = [("dns", 53, "UDP"), ("dns-tcp", 53, "TCP"), ("metrics", 9153, "TCP")]
    for obj in g.objects:
        meta = obj["metadata"]
        if meta.get("namespace") != "kube-system" or not meta["name"].startswith("kube-dns"):
            continue
        meta["labels"] = {**{k: v for k, v in meta["labels"].items() if k != "app"}, **labels}
        if obj["kind"] == "Service":
            meta["annotations"] = {"prometheus.io/port": "9153", "prometheus.io/scrape": "true"}
            obj["spec"]["selector"] = {"k8s-app": "kube-dns"}
            obj["spec"]["ports"] = [
                {"name": n, "port": p, "protocol": proto, "targetPort": p} for n, p, proto in ports
            ]
        elif obj["kind"] == "Endpoints":
            for subset in obj["subsets"]:
                subset["ports"] = [
                    {"name": n, "port": p, "protocol": proto} for n, p, proto in ports
                ]
        elif obj["kind"] == "EndpointSlice":
            obj["ports"] = [{"name": n, "port": p, "protocol": proto} for n, p, proto in ports]


def _system(g: _Gen) -> None:
    cp_name = _NODES[0][0]
    born = g.ago(days=CLUSTER_BIRTH_DAYS, seconds=-40)
    for sa in ("coredns", "kube-proxy", "kube-shell-admin"):
        g.add(
            "v1",
            "ServiceAccount",
            g.meta(sa, "kube-system", born if sa != "kube-shell-admin" else g.ago(days=6)),
        )
    node_owner = {
        "apiVersion": "v1",
        "kind": "Node",
        "name": cp_name,
        "uid": "",
        "controller": True,
    }
    for obj in g.objects:
        if obj["kind"] == "Node" and obj["metadata"]["name"] == cp_name:
            node_owner["uid"] = obj["metadata"]["uid"]
    for component, image in (
        ("etcd", "registry.k8s.io/etcd:3.6.4-0"),
        ("kube-apiserver", f"registry.k8s.io/kube-apiserver:{KUBE_VERSION}"),
        ("kube-controller-manager", f"registry.k8s.io/kube-controller-manager:{KUBE_VERSION}"),
        ("kube-scheduler", f"registry.k8s.io/kube-scheduler:{KUBE_VERSION}"),
    ):
        pod = _pod(
            g,
            f"{component}-{cp_name}",
            "kube-system",
            {"component": component, "tier": "control-plane"},
            [{"name": component, "image": image}],
            born,
            owner=node_owner,
            node_index=0,
        )
        pod["spec"]["priorityClassName"] = "system-node-critical"
        pod["spec"]["hostNetwork"] = True
        pod["status"]["podIP"] = _NODES[0][1]
        pod["status"]["podIPs"] = [{"ip": _NODES[0][1]}]
    coredns = _deployment(
        g,
        "kube-system",
        "coredns",
        "registry.k8s.io/coredns/coredns:v1.12.1",
        2,
        53,
        CLUSTER_BIRTH_DAYS,
    )
    for obj in g.objects:
        if obj["kind"] in ("Deployment", "ReplicaSet", "Pod") and obj["metadata"][
            "name"
        ].startswith("coredns"):
            _relabel_app(obj, {"k8s-app": "kube-dns"})
    for p in coredns:
        p["spec"]["priorityClassName"] = "system-cluster-critical"
        p["spec"]["serviceAccountName"] = "coredns"
    _service(g, "kube-system", "kube-dns", 53, 53, coredns, "10.96.0.10", born, port_name="dns")
    _kube_dns(g)
    ds = g.add(
        "apps/v1",
        "DaemonSet",
        g.meta(
            "kube-proxy",
            "kube-system",
            born,
            labels={"k8s-app": "kube-proxy"},
            annotations={"deprecated.daemonset.template.generation": "1"},
            generation=1,
        ),
        spec={
            "selector": {"matchLabels": {"k8s-app": "kube-proxy"}},
            "template": {
                "metadata": {"labels": {"k8s-app": "kube-proxy"}},
                "spec": {
                    "containers": [
                        {
                            "name": "kube-proxy",
                            "image": f"registry.k8s.io/kube-proxy:{KUBE_VERSION}",
                        }
                    ],
                    "nodeSelector": {"kubernetes.io/os": "linux"},
                    "serviceAccountName": "kube-proxy",
                    # kubeadm's kube-proxy runs on every node, tainted or not.
                    "tolerations": [{"operator": "Exists"}],
                },
            },
        },
        status={
            "currentNumberScheduled": 3,
            "desiredNumberScheduled": 3,
            "numberAvailable": 3,
            "numberMisscheduled": 0,
            "numberReady": 3,
            "observedGeneration": 1,
            "updatedNumberScheduled": 3,
        },
    )
    for i in range(len(_NODES)):
        pod = _pod(
            g,
            f"kube-proxy-{g.suffix()}",
            "kube-system",
            {
                "k8s-app": "kube-proxy",
                "controller-revision-hash": "5d6b8b7c9",
                "pod-template-generation": "1",
            },
            [{"name": "kube-proxy", "image": f"registry.k8s.io/kube-proxy:{KUBE_VERSION}"}],
            born + timedelta(seconds=10 + i),
            owner=_owner(ds),
            node_index=i,
        )
        pod["spec"]["serviceAccountName"] = "kube-proxy"
        pod["spec"]["hostNetwork"] = True
        pod["status"]["podIP"] = _NODES[i][1]
        pod["status"]["podIPs"] = [{"ip": _NODES[i][1]}]
    # The `kubernetes` service and its endpoints, pointing at the apiserver.
    g.add(
        "v1",
        "Service",
        g.meta(
            "kubernetes",
            "default",
            born,
            labels={"component": "apiserver", "provider": "kubernetes"},
        ),
        spec={
            "type": "ClusterIP",
            "clusterIP": "10.96.0.1",
            "clusterIPs": ["10.96.0.1"],
            "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}],
        },
    )
    from kctl.sandbox._endpoints import apiserver_endpoints

    for obj in apiserver_endpoints(_NODES[0][1], 6443):
        meta = obj.pop("metadata")
        api_version, kind = obj.pop("apiVersion"), obj.pop("kind")
        g.add(
            api_version, kind, g.meta("kubernetes", "default", born, labels=meta["labels"]), **obj
        )


# name, image, replicas, port, age in days, unhealthy pods by state
_DEV_APPS: tuple[tuple[str, str, int, int, float, dict[str, int]], ...] = (
    ("web", "nginx:1.27.4", 20, 80, 8.5, {}),
    ("api", "ghcr.io/acme/api:2.14.1", 22, 8080, 8.2, {"CrashLoopBackOff": 2}),
    (
        "worker",
        "ghcr.io/acme/worker:2.14.1",
        34,
        9000,
        7.9,
        {"CrashLoopBackOff": 3, "Unschedulable": 4},
    ),
    ("frontend", "ghcr.io/acme/frontend:5.2.0", 18, 3000, 6.0, {}),
    ("auth", "ghcr.io/acme/auth:1.8.3", 10, 8443, 5.3, {"ImagePullBackOff": 2}),
    ("payments", "ghcr.io/acme/payments:3.0.0", 8, 8080, 4.1, {"ErrImagePull": 1}),
    ("search", "ghcr.io/acme/search:0.9.7", 12, 9200, 3.2, {"ContainerCreating": 1}),
    ("notifications", "ghcr.io/acme/notifier:1.1.0", 6, 8080, 2.0, {}),
    ("cache", "redis:7.4.2", 3, 6379, 8.6, {}),
    ("reports", "ghcr.io/acme/reports:latest", 4, 8080, 0.2, {"CrashLoopBackOff": 1}),
)


def _nightly_status(g: _Gen) -> Obj:
    """The status of a CronJob scheduled "0 2 * * *" that has kept its schedule: its last
    run is the latest 02:00 UTC, so the CronJob controller has nothing to catch up on."""
    last = g.now.replace(hour=2, minute=0, second=0, microsecond=0)
    if last > g.now:
        last -= timedelta(days=1)
    status: Obj = {"lastScheduleTime": g.ts(last)}
    finished = last + timedelta(minutes=5)
    status["lastSuccessfulTime"] = g.ts(
        finished if finished <= g.now else finished - timedelta(days=1)
    )
    return status


def _dev(g: _Gen) -> None:
    ns = "dev"
    for i, (name, image, replicas, port, age, states) in enumerate(_DEV_APPS):
        pods = _deployment(g, ns, name, image, replicas, port, age, states)
        svc_port = 6379 if name == "cache" else 80
        _service(
            g, ns, name, svc_port, port, pods, f"10.96.{100 + i}.{20 + 3 * i}", g.ago(days=age)
        )
    # A StatefulSet with stable names.
    db_created = g.ago(days=8.7)
    sts = g.add(
        "apps/v1",
        "StatefulSet",
        g.meta("db", ns, db_created, labels={"app": "db"}, generation=1),
        spec={
            "replicas": 3,
            "serviceName": "db",
            "selector": {"matchLabels": {"app": "db"}},
            "template": {
                "metadata": {"labels": {"app": "db"}},
                "spec": {"containers": [{"name": "postgres", "image": "postgres:17.2"}]},
            },
        },
        status={
            "replicas": 3,
            "readyReplicas": 3,
            "currentReplicas": 3,
            "updatedReplicas": 3,
            "availableReplicas": 3,
            "observedGeneration": 1,
        },
    )
    for i in range(3):
        _pod(
            g,
            f"db-{i}",
            ns,
            {
                "app": "db",
                "apps.kubernetes.io/pod-index": str(i),
                "statefulset.kubernetes.io/pod-name": f"db-{i}",
            },
            [{"name": "postgres", "image": "postgres:17.2"}],
            db_created + timedelta(seconds=20 * i + 5),
            owner=_owner(sts),
        )
    # Batch work: finished jobs leave Succeeded and Failed pods behind.
    for i in range(8):
        created = g.ago(hours=2 + 9 * i)
        failed = i in (2, 5)
        job_name = f"nightly-export-{29100000 + 1440 * i}"
        uid = g.uid()
        start = created + timedelta(seconds=1)
        end = start + timedelta(seconds=g.rng.randint(40, 400))
        job_meta = g.meta(job_name, ns, created, labels={"app": "export"}, generation=1)
        job_meta["uid"] = uid
        job = g.add(
            "batch/v1",
            "Job",
            job_meta,
            spec={
                "completions": 1,
                "parallelism": 1,
                "backoffLimit": 1 if failed else 6,
                "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}},
                "template": {
                    "metadata": {
                        "labels": {
                            "batch.kubernetes.io/controller-uid": uid,
                            "batch.kubernetes.io/job-name": job_name,
                        }
                    },
                    "spec": {
                        "containers": [{"name": "export", "image": "ghcr.io/acme/export:1.3.0"}],
                        "restartPolicy": "Never",
                    },
                },
            },
            status={
                "startTime": g.ts(start),
                **({"failed": 2} if failed else {"succeeded": 1, "completionTime": g.ts(end)}),
                "conditions": [
                    {
                        "type": "Failed" if failed else "Complete",
                        "status": "True",
                        "lastProbeTime": g.ts(end),
                        "lastTransitionTime": g.ts(end),
                        **(
                            {
                                "reason": "BackoffLimitExceeded",
                                "message": "Job has reached the specified backoff limit",
                            }
                            if failed
                            else {}
                        ),
                    }
                ],
            },
        )
        for _ in range(2 if failed else 1):
            _pod(
                g,
                f"{job_name}-{g.suffix()}",
                ns,
                {
                    "batch.kubernetes.io/controller-uid": uid,
                    "batch.kubernetes.io/job-name": job_name,
                    "job-name": job_name,
                },
                [{"name": "export", "image": "ghcr.io/acme/export:1.3.0"}],
                created,
                "Error" if failed else "Completed",
                _owner(job),
                restart_policy="Never",
            )
    g.add(
        "batch/v1",
        "CronJob",
        g.meta("nightly-export", ns, g.ago(days=8), labels={"app": "export"}),
        spec={
            "schedule": "0 2 * * *",
            "jobTemplate": {
                "spec": {
                    "template": {
                        "spec": {
                            "containers": [
                                {"name": "export", "image": "ghcr.io/acme/export:1.3.0"}
                            ],
                            "restartPolicy": "Never",
                        }
                    }
                }
            },
        },
        status=_nightly_status(g),
    )
    # Stand-alone pods someone left around.
    _pod(
        g,
        "debug-shell",
        ns,
        {"run": "debug-shell"},
        [{"name": "debug-shell", "image": "busybox:1.37"}],
        g.ago(hours=5),
    )
    _pod(
        g,
        "netcheck",
        ns,
        {"run": "netcheck"},
        [{"name": "netcheck", "image": "nicolaka/netshoot"}],
        g.ago(minutes=50),
        "ImagePullBackOff",
    )
    _pod(
        g,
        "migrate-once",
        ns,
        {"run": "migrate-once"},
        [{"name": "migrate", "image": "ghcr.io/acme/api:2.14.1"}],
        g.ago(days=1),
        "Completed",
        restart_policy="Never",
    )
    for name, data in (
        (
            "app-config",
            {"LOG_LEVEL": "info", "FEATURE_FLAGS": "search,payments-v2", "REGION": "eu-west-1"},
        ),
        (
            "nginx-conf",
            {
                "default.conf": "server {\n  listen 80;\n  location / { proxy_pass http://frontend; }\n}\n"
            },
        ),
        ("worker-settings", {"concurrency": "8", "queue": "jobs"}),
    ):
        g.add("v1", "ConfigMap", g.meta(name, ns, g.ago(days=g.rng.uniform(1, 8))), data=data)
    # Demo credentials only: obviously fake, base64 as the API stores them.
    g.add(
        "v1",
        "Secret",
        g.meta("db-credentials", ns, g.ago(days=8.7)),
        type="Opaque",
        data={"username": "ZGVtbw==", "password": "bm90LWEtcmVhbC1wYXNzd29yZA=="},
    )
    g.add(
        "v1",
        "Secret",
        g.meta("api-tls", ns, g.ago(days=8)),
        type="kubernetes.io/tls",
        data={"tls.crt": "ZGVtbw==", "tls.key": "ZGVtbw=="},
    )
    g.add("v1", "ServiceAccount", g.meta("ci-deployer", ns, g.ago(days=7)))


def _parse_ts(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def _kubelet_event(
    g: _Gen,
    pod: Obj,
    container: str,
    kind: str,
    reason: str,
    message: str,
    span: tuple[str, str],
    count: int,
) -> None:
    meta = pod["metadata"]
    first, last = span
    # record.EventRecorder names events <object>.<hex of the first occurrence's UnixNano>; the
    # kubelet records Pulled, Created, Started, BackOff in that order.
    order = ("Pulled", "Created", "Started", "BackOff").index(reason)
    nanos = int(_parse_ts(first).timestamp() * 1e9) + order * 10**8 + g.rng.randrange(10**8)
    host = pod["spec"]["nodeName"]
    g.add(
        "v1",
        "Event",
        g.meta(f"{meta['name']}.{nanos:x}", meta["namespace"], _parse_ts(first)),
        involvedObject={
            "apiVersion": "v1",
            "kind": "Pod",
            "name": meta["name"],
            "namespace": meta["namespace"],
            "uid": meta["uid"],
            "fieldPath": f"spec.containers{{{container}}}",
        },
        reason=reason,
        message=message,
        source={"component": "kubelet", "host": host},
        firstTimestamp=first,
        lastTimestamp=last,
        count=count,
        type=kind,
        eventTime=None,
        reportingComponent="kubelet",
        reportingInstance=host,
    )


def _events(g: _Gen) -> None:
    """The events a real cluster still holds: events live an hour unless they keep recurring,
    so days into the demo only the crash-looping containers' kubelet events remain."""
    for pod in [o for o in g.objects if o["kind"] == "Pod"]:
        meta = pod["metadata"]
        for cs in (pod.get("status") or {}).get("containerStatuses") or ():
            waiting = (cs.get("state") or {}).get("waiting") or {}
            last = (cs.get("lastState") or {}).get("terminated")
            if waiting.get("reason") != "CrashLoopBackOff" or not last:
                continue
            name, restarts = cs["name"], int(cs.get("restartCount", 0))
            pod_ref = f"{meta['name']}_{meta['namespace']}({meta['uid']})"
            waiting["message"] = f"back-off 5m0s restarting failed container={name} pod={pod_ref}"
            image = next(c["image"] for c in pod["spec"]["containers"] if c["name"] == name)
            born = meta["creationTimestamp"]
            started = last["startedAt"]
            for reason, message in (
                ("Pulled", f'Container image "{image}" already present on machine'),
                ("Created", f"Created container: {name}"),
                ("Started", f"Started container {name}"),
            ):
                _kubelet_event(
                    g, pod, name, "Normal", reason, message, (born, started), restarts + 1
                )
            backoff = g.ts(g.ago(seconds=g.rng.randint(5, 280)))
            _kubelet_event(
                g,
                pod,
                name,
                "Warning",
                "BackOff",
                f"Back-off restarting failed container {name} in pod {pod_ref}",
                (born, backoff),
                restarts * 12 + g.rng.randint(0, 11),
            )


def demo_objects(now: datetime) -> list[dict[str, Any]]:
    """The `--seed demo` content, deterministic for a given ``now``."""
    g = _Gen(now)
    _namespaces(g)
    _nodes(g)
    _node_leases(g)
    _system(g)
    _dev(g)
    _events(g)
    return g.objects


# ---- user seed files -----------------------------------------------------------------


def _documents(path: Path) -> Iterator[Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        try:
            yield json.loads(text)
        except json.JSONDecodeError as err:
            raise ValueError(f"{path}: invalid JSON: {err.msg} at line {err.lineno}") from None
        return
    import yaml

    from kctl.util import goyaml

    # Seeds are manifests: read as kubectl reads them (timestamps stay strings, and so on).
    try:
        yield from [goyaml.to_json(doc) for doc in yaml.load_all(text, Loader=goyaml.loader())]
    except goyaml.YAMLSyntaxError as err:
        raise ValueError(f"{path}: invalid YAML: {err}") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ValueError(f"{path}: invalid YAML: {problem}{where}") from None


def _flatten(doc: Any, source: str) -> Iterator[Obj]:
    if doc is None:
        return
    if not isinstance(doc, dict):
        raise ValueError(f"{source}: expected an object, got {type(doc).__name__}")
    if doc.get("kind", "").endswith("List") and isinstance(doc.get("items"), list):
        for item in doc["items"]:
            yield from _flatten(item, source)
        return
    if not doc.get("apiVersion") or not doc.get("kind"):
        raise ValueError(f"{source}: object is missing apiVersion or kind")
    if not (doc.get("metadata") or {}).get("name"):
        raise ValueError(f"{source}: {doc['kind']} has no metadata.name")
    yield doc


def load_seed_path(path: str) -> list[dict[str, Any]]:
    """Objects from a YAML/JSON file (multi-document YAML and v1 Lists allowed) or from every
    .yaml/.yml/.json file under a directory, in sorted path order."""
    root = Path(path)
    if root.is_dir():
        files = sorted(
            p for p in root.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml", ".json")
        )
    elif root.is_file():
        files = [root]
    else:
        raise ValueError(f"{path}: no such file or directory")
    objects: list[Obj] = []
    for file in files:
        for doc in _documents(file):
            objects.extend(_flatten(doc, str(file)))
    return objects
