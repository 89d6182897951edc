"""The endpoints and endpointslice controllers, after kube-controller-manager's, and the
apiserver's own endpoints for the ``kubernetes`` Service.

Every Service with a selector gets an Endpoints object of its name and EndpointSlices
(``<service>-<suffix>``, owned by the Service), holding the matching pods' IPs with each
service port resolved against the pod's container ports. Ready pods are ``addresses`` and
``ready: true``; the others ``notReadyAddresses`` and ``ready: false``; terminating pods
leave the Endpoints but stay in slices with ``terminating: true``, as the real controllers
do. Each sync is level-triggered and writes only when something differs.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from kctl.errors import StatusError
from kctl.sandbox._apply import update_tracker
from kctl.sandbox._catalog import ResourceType
from kctl.sandbox._registry import DeleteOptions, Registry, storage_key
from kctl.sandbox._store import Event

__all__ = ["EndpointsControllers", "apiserver_endpoints", "apiserver_service"]

_PODS = ("", "pods")
_NODES = ("", "nodes")
_SERVICES = ("", "services")
_ENDPOINTS = ("", "endpoints")
_SLICES = ("discovery.k8s.io", "endpointslices")
_MANAGER = "kube-controller-manager"

SERVICE_NAME = "kubernetes.io/service-name"
SLICE_MANAGED_BY = "endpointslice.kubernetes.io/managed-by"
SLICE_CONTROLLER = "endpointslice-controller.k8s.io"
ENDPOINTS_MANAGED_BY = "endpoints.kubernetes.io/managed-by"
ENDPOINTS_CONTROLLER = "endpoint-controller"
HEADLESS = "service.kubernetes.io/headless"
SKIP_MIRROR = "endpointslice.kubernetes.io/skip-mirror"
TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time"
ZONE = "topology.kubernetes.io/zone"
_RESERVED = (SERVICE_NAME, SLICE_MANAGED_BY, HEADLESS)
# Events after which marked services are synced even while more keep coming.
_FLUSH_AT = 200
# discovery/v1's default maxEndpointsPerSlice (kube-controller-manager flag).
_MAX_PER_SLICE = 100


def _is_ipv6(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip).version == 6
    except ValueError:
        return False


def _pod_ready(pod: dict[str, Any]) -> bool:
    for cond in (pod.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            return bool(cond.get("status") == "True")
    return False


def _ready_transition(pod: dict[str, Any]) -> str:
    for cond in (pod.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            return str(cond.get("lastTransitionTime") or "")
    return ""


def _in_endpoints(pod: dict[str, Any], include_terminating: bool) -> bool:
    """endpointslice/util.ShouldPodBeInEndpoints."""
    status = pod.get("status") or {}
    if status.get("phase") in ("Succeeded", "Failed"):
        return False
    if not status.get("podIP") and not status.get("podIPs"):
        return False
    return include_terminating or not pod["metadata"].get("deletionTimestamp")


def find_port(pod: dict[str, Any], port: dict[str, Any]) -> int | None:
    """endpointslice.FindPort: a named targetPort is looked up in the pod's container ports
    (and restartable init containers'), matching the protocol too."""
    target = port.get("targetPort", port.get("port"))
    if isinstance(target, int):
        return target
    protocol = port.get("protocol") or "TCP"
    spec = pod.get("spec") or {}
    candidates = list(spec.get("containers") or [])
    candidates += [
        c for c in spec.get("initContainers") or [] if c.get("restartPolicy") == "Always"
    ]
    for container in candidates:
        for cport in container.get("ports") or []:
            if cport.get("name") == target and (cport.get("protocol") or "TCP") == protocol:
                return int(cport.get("containerPort") or 0)
    return None


def _service_ip_set(svc: dict[str, Any]) -> bool:
    ip = (svc.get("spec") or {}).get("clusterIP") or ""
    return ip not in ("", "None")


def _target_ref(pod: dict[str, Any]) -> dict[str, Any]:
    meta = pod["metadata"]
    return {
        "kind": "Pod",
        "namespace": meta["namespace"],
        "name": meta["name"],
        "uid": meta.get("uid", ""),
    }


def _wants_hostname(pod: dict[str, Any], svc: dict[str, Any]) -> bool:
    spec = pod.get("spec") or {}
    return bool(spec.get("hostname")) and spec.get("subdomain") == svc["metadata"]["name"]


def _address_family(svc: dict[str, Any], pod: dict[str, Any] | None) -> bool:
    """True for IPv6: the service's first family, else its cluster IP's, else the pod's."""
    spec = svc.get("spec") or {}
    families = spec.get("ipFamilies") or []
    if families:
        return bool(families[0] == "IPv6")
    if _service_ip_set(svc):
        return _is_ipv6(spec.get("clusterIP", ""))
    return pod is not None and _is_ipv6((pod.get("status") or {}).get("podIP") or "")


def _pod_ips(pod: dict[str, Any], ipv6: bool) -> list[str]:
    status = pod.get("status") or {}
    ips = [str(p.get("ip", "")) for p in status.get("podIPs") or []]
    if not ips and status.get("podIP"):
        ips = [str(status["podIP"])]
    return [ip for ip in ips if _is_ipv6(ip) == ipv6]


def _endpoint_port(port: dict[str, Any], number: int) -> dict[str, Any]:
    out: dict[str, Any] = {"name": port.get("name", ""), "port": number}
    out["protocol"] = port.get("protocol") or "TCP"
    if port.get("appProtocol"):
        out["appProtocol"] = port["appProtocol"]
    return out


def _omit_empty(out: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in out.items() if v not in ("", None, [], {})}


def _address_key(addr: dict[str, Any]) -> tuple[str, str]:
    return (str(addr.get("ip", "")), str((addr.get("targetRef") or {}).get("uid", "")))


def _port_key(port: dict[str, Any]) -> tuple[str, int, str]:
    return (str(port.get("name", "")), int(port.get("port") or 0), str(port.get("protocol")))


def desired_subsets(svc: dict[str, Any], pods: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The endpoint controller's subsets, repacked: addresses sharing one set of ports form
    one subset. (The real RepackSubsets orders subsets and ports by a hash of Go structs;
    here they are ordered by their contents, which is as stable.)"""
    spec = svc.get("spec") or {}
    publish = bool(spec.get("publishNotReadyAddresses"))
    ports = spec.get("ports") or []
    # address key -> (address, ready, ports)
    found: dict[tuple[str, str], tuple[dict[str, Any], bool, list[dict[str, Any]]]] = {}
    for pod in pods:
        if not _in_endpoints(pod, publish):
            continue
        ips = _pod_ips(pod, _address_family(svc, pod))
        if not ips:
            continue
        addr: dict[str, Any] = {"ip": ips[0]}
        if _wants_hostname(pod, svc):
            addr["hostname"] = pod["spec"]["hostname"]
        addr["nodeName"] = (pod.get("spec") or {}).get("nodeName", "")
        addr["targetRef"] = _target_ref(pod)
        addr = _omit_empty(addr)
        ready = publish or _pod_ready(pod)
        pod_ports: list[dict[str, Any]] = []
        if ports:
            for port in ports:
                number = find_port(pod, port)
                if number is not None:
                    pod_ports.append(_endpoint_port(port, number))
            if not pod_ports:
                continue
        elif spec.get("clusterIP") != "None":
            continue
        found[_address_key(addr)] = (addr, ready, pod_ports)
    groups: dict[tuple[tuple[str, int, str], ...], list[tuple[dict[str, Any], bool]]] = {}
    port_sets: dict[tuple[tuple[str, int, str], ...], list[dict[str, Any]]] = {}
    for addr, ready, pod_ports in found.values():
        key = tuple(sorted(_port_key(p) for p in pod_ports))
        groups.setdefault(key, []).append((addr, ready))
        port_sets[key] = sorted(pod_ports, key=_port_key)
    subsets = []
    for key in sorted(groups):
        members = sorted(groups[key], key=lambda m: _address_key(m[0]))
        subset: dict[str, Any] = {}
        ready_addrs = [a for a, ready in members if ready]
        not_ready = [a for a, ready in members if not ready]
        if ready_addrs:
            subset["addresses"] = ready_addrs
        if not_ready:
            subset["notReadyAddresses"] = not_ready
        if port_sets[key]:
            subset["ports"] = port_sets[key]
        subsets.append(subset)
    return subsets


def desired_slice_groups(
    svc: dict[str, Any], pods: list[dict[str, Any]], zones: dict[str, str]
) -> tuple[str, list[tuple[list[dict[str, Any]], list[dict[str, Any]]]]]:
    """(addressType, [(ports, endpoints)]): the endpointslice reconciler's endpoints grouped
    by their port set, at most 100 to a slice."""
    spec = svc.get("spec") or {}
    publish = bool(spec.get("publishNotReadyAddresses"))
    ipv6 = _address_family(svc, None)
    address_type = "IPv6" if ipv6 else "IPv4"
    by_ports: dict[tuple[tuple[str, int, str], ...], list[dict[str, Any]]] = {}
    port_lists: dict[tuple[tuple[str, int, str], ...], list[dict[str, Any]]] = {}
    headless_without_ports = not spec.get("ports") and spec.get("clusterIP") == "None"
    for pod in sorted(pods, key=lambda p: p["metadata"]["name"]):
        if not _in_endpoints(pod, True):
            continue
        ips = _pod_ips(pod, ipv6)
        if not ips:
            continue
        ports: list[dict[str, Any]] = []
        if not headless_without_ports:
            for port in spec.get("ports") or []:
                number = find_port(pod, port)
                if number is not None:
                    ports.append(_endpoint_port(port, number))
        serving = _pod_ready(pod)
        terminating = bool(pod["metadata"].get("deletionTimestamp"))
        endpoint: dict[str, Any] = {
            "addresses": ips,
            "conditions": {
                "ready": publish or (serving and not terminating),
                "serving": serving,
                "terminating": terminating,
            },
        }
        if _wants_hostname(pod, svc):
            endpoint["hostname"] = pod["spec"]["hostname"]
        endpoint["targetRef"] = _target_ref(pod)
        node = (pod.get("spec") or {}).get("nodeName") or ""
        if node:
            endpoint["nodeName"] = node
            if zones.get(node):
                endpoint["zone"] = zones[node]
        key = tuple(_port_key(p) for p in ports)
        by_ports.setdefault(key, []).append(endpoint)
        port_lists[key] = ports
    groups = []
    for key in sorted(by_ports):
        endpoints = by_ports[key]
        for start in range(0, len(endpoints), _MAX_PER_SLICE):
            groups.append((port_lists[key], endpoints[start : start + _MAX_PER_SLICE]))
    return address_type, groups


def _selector_matches(selector: dict[str, Any], labels: dict[str, Any]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


class EndpointsControllers:
    """The endpoint and endpointslice controllers, fed by the store's events."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.store = registry.store
        # (namespace, service) -> (service creationTimestamp, {pod: Ready transition time}):
        # the trigger-time tracker's memory of what it last saw.
        self._seen: dict[tuple[str, str], tuple[str, dict[str, str]]] = {}
        # Services to sync at the next flush, and events handled since the last one.
        self._dirty: set[tuple[str, str]] = set()
        self._pending_events = 0

    def _rt(self, group: str, plural: str) -> ResourceType:
        rt = self.registry.catalog.get(group, "v1", plural)
        assert rt is not None
        return rt

    def _tracker(self, rt: ResourceType) -> Any:
        return update_tracker(rt, _MANAGER, "", self.registry.now)

    def flush(self, *, force: bool) -> None:
        """Sync the services marked since the last flush: when the event queue has run dry
        (``force``), or once enough piled up that clients should see progress."""
        if not force and len(self._dirty) < _FLUSH_AT and self._pending_events < _FLUSH_AT:
            return
        self._pending_events = 0
        while self._dirty:
            try:
                self.sync(*self._dirty.pop())
            except StatusError:
                # A write refused for another reason: the service's next event retries it.
                continue

    def handle(self, event: Event) -> None:
        """Note which services an event concerns; :meth:`flush` syncs them."""
        self._pending_events += 1
        meta = event.entry.obj["metadata"]
        ns = meta.get("namespace", "")
        if event.resource == _SERVICES:
            self._dirty.add((ns, meta["name"]))
        elif event.resource == _PODS:
            label_sets = [meta.get("labels") or {}]
            if event.prev is not None:
                label_sets.append(event.prev.obj["metadata"].get("labels") or {})
            for entry in self.store.items(_SERVICES, ns):
                selector = (entry.obj.get("spec") or {}).get("selector") or {}
                if selector and any(_selector_matches(selector, lab) for lab in label_sets):
                    self._dirty.add((ns, entry.obj["metadata"]["name"]))
        elif event.resource in (_ENDPOINTS, _SLICES):
            # Someone else changed (or deleted) what the controllers own: they put it back.
            labels = meta.get("labels") or {}
            if event.resource == _ENDPOINTS and labels.get(ENDPOINTS_MANAGED_BY):
                self._dirty.add((ns, meta["name"]))
            elif labels.get(SLICE_MANAGED_BY) == SLICE_CONTROLLER and labels.get(SERVICE_NAME):
                self._dirty.add((ns, labels[SERVICE_NAME]))

    def apiserver(self, host: str, port: int) -> None:
        """kube-apiserver's own reconcilers: the ``kubernetes`` Service in ``default`` and its
        endpoints at the address this sandbox serves on, made or brought up to date."""
        try:
            ip = str(ipaddress.ip_address(host))
        except ValueError:
            ip = "127.0.0.1"
        if ipaddress.ip_address(ip).is_unspecified:
            ip = "::1" if ipaddress.ip_address(ip).version == 6 else "127.0.0.1"
        svc_rt = self._rt(*_SERVICES)
        tracker = update_tracker(svc_rt, "kube-apiserver", "", self.registry.now)
        try:
            current = self.store.get(_SERVICES, "default", "kubernetes")
            if current is None:
                body = apiserver_service()
                body["spec"]["ports"][0]["targetPort"] = port
                self.registry.create(svc_rt, "default", body, tracker=tracker)
            elif [p.get("targetPort") for p in current.obj["spec"].get("ports") or []] != [port]:

                def retarget(obj: dict[str, Any]) -> dict[str, Any]:
                    obj["spec"]["ports"] = apiserver_service()["spec"]["ports"]
                    obj["spec"]["ports"][0]["targetPort"] = port
                    return obj

                self.registry.mutate(svc_rt, "default", "kubernetes", retarget, tracker=tracker)
            for obj in apiserver_endpoints(ip, port):
                group, _, _ = obj["apiVersion"].rpartition("/")
                rt = self._rt(group, "endpoints" if not group else "endpointslices")
                tracker = update_tracker(rt, "kube-apiserver", "", self.registry.now)
                live = self.store.get(storage_key(rt), "default", "kubernetes")
                if live is None:
                    self.registry.create(rt, "default", obj, tracker=tracker)
                    continue
                fields = ("subsets",) if not group else ("addressType", "endpoints", "ports")

                def refresh(
                    cur: dict[str, Any],
                    want: dict[str, Any] = obj,
                    fields: tuple[str, ...] = fields,
                ) -> dict[str, Any]:
                    for key in fields:
                        cur[key] = want[key]
                    cur["metadata"]["labels"] = want["metadata"]["labels"]
                    return cur

                if any(live.obj.get(k) != obj[k] for k in fields):
                    self.registry.mutate(rt, "default", "kubernetes", refresh, tracker=tracker)
        except StatusError as err:
            # Without a default namespace (a custom seed may lack it) there is nothing to keep.
            if err.code not in (403, 404, 409):
                raise

    def resync(self) -> None:
        for entry in self.store.items(_SERVICES):
            meta = entry.obj["metadata"]
            self.sync(meta["namespace"], meta["name"])

    # --- one service ---------------------------------------------------------------------

    def sync(self, ns: str, name: str) -> None:
        entry = self.store.get(_SERVICES, ns, name)
        if entry is None:
            self._seen.pop((ns, name), None)
            self._drop_endpoints(ns, name)
            return
        svc = entry.obj
        spec = svc.get("spec") or {}
        if spec.get("type") == "ExternalName" or not spec.get("selector"):
            return
        selector = spec["selector"]
        pods = [
            e.obj
            for e in self.store.items(_PODS, ns)
            if _selector_matches(selector, e.obj["metadata"].get("labels") or {})
        ]
        trigger = self._trigger_time(svc, pods)
        self._sync_endpoints(svc, pods, trigger)
        self._sync_slices(svc, pods, trigger)

    def _trigger_time(self, svc: dict[str, Any], pods: list[dict[str, Any]]) -> str:
        """endpointslice/util.TriggerTimeTracker: the service's creation on first sight, then
        the earliest Ready transition (or service creation) that changed since last time."""
        meta = svc["metadata"]
        key = (meta["namespace"], meta["name"])
        created = str(meta.get("creationTimestamp") or "")
        known = self._seen.get(key)
        last_created, last_pods = known if known is not None else ("", {})
        times = {p["metadata"]["name"]: _ready_transition(p) for p in pods}
        changed = [t for n, t in times.items() if t and t > last_pods.get(n, "")]
        if created > last_created:
            changed.append(created)
        self._seen[key] = (created, {n: t for n, t in times.items() if t})
        if known is None:
            return created
        return min(changed) if changed else ""

    def _sync_endpoints(
        self, svc: dict[str, Any], pods: list[dict[str, Any]], trigger: str
    ) -> None:
        meta = svc["metadata"]
        ns, name = meta["namespace"], meta["name"]
        rt = self._rt(*_ENDPOINTS)
        subsets = desired_subsets(svc, pods)
        labels = dict(meta.get("labels") or {})
        if _service_ip_set(svc):
            labels.pop(HEADLESS, None)
        else:
            labels[HEADLESS] = ""
        labels[ENDPOINTS_MANAGED_BY] = ENDPOINTS_CONTROLLER
        current = self.store.get(_ENDPOINTS, ns, name)
        if current is not None:
            cur = current.obj
            if (cur.get("subsets") or []) == subsets and (
                cur["metadata"].get("labels") or {}
            ) == labels:
                return
        annotations = dict((current.obj["metadata"].get("annotations") or {}) if current else {})
        if trigger:
            annotations[TRIGGER_TIME] = trigger
        else:
            annotations.pop(TRIGGER_TIME, None)
        try:
            if current is None:
                body: dict[str, Any] = {
                    "apiVersion": "v1",
                    "kind": "Endpoints",
                    "metadata": {"name": name, "labels": labels},
                }
                if annotations:
                    body["metadata"]["annotations"] = annotations
                if subsets:
                    body["subsets"] = subsets
                self.registry.create(rt, ns, body, tracker=self._tracker(rt))
                return

            def change(obj: dict[str, Any]) -> dict[str, Any]:
                obj["metadata"]["labels"] = labels
                if annotations:
                    obj["metadata"]["annotations"] = annotations
                else:
                    obj["metadata"].pop("annotations", None)
                if subsets:
                    obj["subsets"] = subsets
                else:
                    obj.pop("subsets", None)
                return obj

            self.registry.mutate(rt, ns, name, change, tracker=self._tracker(rt))
        except StatusError as err:
            # A terminating namespace refuses new objects; a conflict brings a new event.
            if err.code not in (403, 404, 409):
                raise

    def _drop_endpoints(self, ns: str, name: str) -> None:
        current = self.store.get(_ENDPOINTS, ns, name)
        if current is None:
            return
        labels = current.obj["metadata"].get("labels") or {}
        if labels.get(ENDPOINTS_MANAGED_BY) != ENDPOINTS_CONTROLLER:
            return
        try:
            self.registry.delete(self._rt(*_ENDPOINTS), ns, name, DeleteOptions())
        except StatusError as err:
            if err.code != 404:
                raise

    def _sync_slices(self, svc: dict[str, Any], pods: list[dict[str, Any]], trigger: str) -> None:
        meta = svc["metadata"]
        ns, name = meta["namespace"], meta["name"]
        rt = self._rt(*_SLICES)
        zones = {
            e.obj["metadata"]["name"]: (e.obj["metadata"].get("labels") or {}).get(ZONE, "")
            for e in self.store.items(_NODES)
        }
        address_type, groups = desired_slice_groups(svc, pods, zones)
        if not groups:
            # The reconciler keeps one placeholder slice, without endpoints or ports.
            groups = [([], [])]
        labels = {k: v for k, v in (meta.get("labels") or {}).items() if k not in _RESERVED}
        if not _service_ip_set(svc):
            labels[HEADLESS] = ""
        labels[SERVICE_NAME] = name
        labels[SLICE_MANAGED_BY] = SLICE_CONTROLLER
        owned = sorted(
            (
                e.obj
                for e in self.store.items(_SLICES, ns)
                if (e.obj["metadata"].get("labels") or {}).get(SERVICE_NAME) == name
                and (e.obj["metadata"].get("labels") or {}).get(SLICE_MANAGED_BY)
                == SLICE_CONTROLLER
            ),
            key=lambda s: s["metadata"]["name"],
        )
        tracker = self._tracker(rt)
        try:
            for i, (ports, endpoints) in enumerate(groups):
                if i < len(owned):
                    self._update_slice(
                        rt, owned[i], address_type, ports, endpoints, labels, trigger, svc
                    )
                    continue
                body: dict[str, Any] = {
                    "apiVersion": "discovery.k8s.io/v1",
                    "kind": "EndpointSlice",
                    "metadata": {
                        "generateName": f"{name}-",
                        "labels": labels,
                        "ownerReferences": [_controller_ref(svc)],
                    },
                    "addressType": address_type,
                    # Empty lists are stored as nil (protobuf has no empty list): null.
                    "endpoints": endpoints or None,
                    "ports": ports or None,
                }
                if trigger:
                    body["metadata"]["annotations"] = {TRIGGER_TIME: trigger}
                self.registry.create(rt, ns, body, tracker=tracker)
            for extra in owned[len(groups) :]:
                self.registry.delete(rt, ns, extra["metadata"]["name"], DeleteOptions())
        except StatusError as err:
            if err.code not in (403, 404, 409):
                raise

    def _update_slice(
        self,
        rt: ResourceType,
        current: dict[str, Any],
        address_type: str,
        ports: list[dict[str, Any]],
        endpoints: list[dict[str, Any]],
        labels: dict[str, str],
        trigger: str,
        svc: dict[str, Any],
    ) -> None:
        meta = current["metadata"]
        if current.get("addressType") != address_type:
            # addressType is immutable: the real reconciler replaces the slice.
            self.registry.delete(rt, meta["namespace"], meta["name"], DeleteOptions())
            return
        if (
            (current.get("endpoints") or []) == endpoints
            and (current.get("ports") or []) == ports
            and (meta.get("labels") or {}) == labels
        ):
            return

        def change(obj: dict[str, Any]) -> dict[str, Any]:
            obj["metadata"]["labels"] = labels
            annotations = dict(obj["metadata"].get("annotations") or {})
            if trigger:
                annotations[TRIGGER_TIME] = trigger
            else:
                annotations.pop(TRIGGER_TIME, None)
            if annotations:
                obj["metadata"]["annotations"] = annotations
            else:
                obj["metadata"].pop("annotations", None)
            if not obj["metadata"].get("ownerReferences"):
                obj["metadata"]["ownerReferences"] = [_controller_ref(svc)]
            obj["endpoints"] = endpoints or None
            obj["ports"] = ports or None
            return obj

        self.registry.mutate(rt, meta["namespace"], meta["name"], change, tracker=self._tracker(rt))


def _controller_ref(svc: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "name": svc["metadata"]["name"],
        "uid": svc["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def apiserver_endpoints(ip: str, port: int) -> list[dict[str, Any]]:
    """What kube-apiserver's lease endpoint reconciler writes for the ``kubernetes`` Service:
    an Endpoints object the mirroring controller skips, and its EndpointSlice of the same
    name (reconcilers.EndpointsAdapter)."""
    ports = [{"name": "https", "port": port, "protocol": "TCP"}]
    address_type = "IPv6" if _is_ipv6(ip) else "IPv4"
    return [
        {
            "apiVersion": "v1",
            "kind": "Endpoints",
            "metadata": {
                "name": "kubernetes",
                "namespace": "default",
                "labels": {SKIP_MIRROR: "true"},
            },
            "subsets": [{"addresses": [{"ip": ip}], "ports": ports}],
        },
        {
            "apiVersion": "discovery.k8s.io/v1",
            "kind": "EndpointSlice",
            "metadata": {
                "name": "kubernetes",
                "namespace": "default",
                "labels": {SERVICE_NAME: "kubernetes"},
            },
            "addressType": address_type,
            "endpoints": [{"addresses": [ip], "conditions": {"ready": True}}],
            "ports": ports,
        },
    ]


def apiserver_service() -> dict[str, Any]:
    """The ``kubernetes`` Service kube-apiserver's bootstrap controller keeps in ``default``
    (its targetPort is the secure port, set by :meth:`EndpointsControllers.apiserver`)."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": "kubernetes",
            "namespace": "default",
            "labels": {"component": "apiserver", "provider": "kubernetes"},
        },
        "spec": {
            "ports": [{"name": "https", "protocol": "TCP", "port": 443, "targetPort": 443}],
            "clusterIP": "10.96.0.1",
            "clusterIPs": ["10.96.0.1"],
            "type": "ClusterIP",
            "sessionAffinity": "None",
            "ipFamilies": ["IPv4"],
            "ipFamilyPolicy": "SingleStack",
            "internalTrafficPolicy": "Cluster",
        },
    }
