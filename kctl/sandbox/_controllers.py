"""In-process controllers: the stand-in kubelet/scheduler, garbage collection of owned
objects, namespace termination, the per-namespace objects kube-controller-manager keeps
(the ``default`` ServiceAccount, the ``kube-root-ca.crt`` ConfigMap) and the aggregation of
ClusterRoles with an aggregationRule.

They subscribe to the store's internal event feed and do their work on one worker thread,
writing back through the registry like any other client would.
"""

from __future__ import annotations

import copy
import queue
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kctl.errors import StatusError
from kctl.sandbox._objects import format_time
from kctl.sandbox._registry import DeleteOptions, Registry
from kctl.sandbox._store import Event

if TYPE_CHECKING:
    from kctl.sandbox._runtime import ProcessRuntime

__all__ = ["Controllers"]

_PODS = ("", "pods")
_NODES = ("", "nodes")
_NAMESPACES = ("", "namespaces")
_SERVICE_ACCOUNTS = ("", "serviceaccounts")
_CONFIGMAPS = ("", "configmaps")
_CLUSTER_ROLES = ("rbac.authorization.k8s.io", "clusterroles")
_ROOT_CA = "kube-root-ca.crt"
_ROOT_CA_DESCRIPTION = (
    "Contains a CA bundle that can be used to verify the kube-apiserver when using internal "
    "endpoints such as the internal service IP or kubernetes.default.svc. No other usage is "
    "guaranteed across distributions of Kubernetes clusters."
)
# A plain-http sandbox has no CA of its own: a real (key-less) self-signed one stands in, so
# the ConfigMap parses as a certificate.
_PLACEHOLDER_CA = (
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBjzCCATWgAwIBAgIUU9sTMp2GGmUid10H/Y0gnjDWTVIwCgYIKoZIzj0EAwIw\n"
    "FTETMBEGA1UEAwwKa3ViZXJuZXRlczAeFw0yNjExMjYxNjAzNTFaFw0zNjExMjMx\n"
    "NjAzNTFaMBUxEzARBgNVBAMMCmt1YmVybmV0ZXMwWTATBgcqhkjOPQIBBggqhkjO\n"
    "PQMBBwNCAAQQ1lurEUqvhPMQelufHl9HNTtYsYQV8E9lb4xyc3XVtnWVg8+9qlqT\n"
    "oEYICRifP7V+evY1ZwRvHHOcS4fMMAWIo2MwYTAdBgNVHQ4EFgQUvn+XS9AMpMTU\n"
    "hJWgzLVamvJGPm4wHwYDVR0jBBgwFoAUvn+XS9AMpMTUhJWgzLVamvJGPm4wDwYD\n"
    "VR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAqQwCgYIKoZIzj0EAwIDSAAwRQIh\n"
    "AOqasd1Do8LtKVJBkmGOId36qGvjjoUFnQaGee+ONKe2AiBhvBRXOkz/5N8z+hvG\n"
    "d7+KONtJhrBleJ/HX0PkPld/Uw==\n"
    "-----END CERTIFICATE-----\n"
)


class Controllers:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.store = registry.store
        # Events, and the periodic ticks of the timed controllers (callables), in one queue
        # so every controller runs on the one worker thread.
        self._queue: queue.Queue[Event | Callable[[], None] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._ticker: threading.Thread | None = None
        self._stopping = threading.Event()
        self._next_node = 0
        self._next_ip = 0
        # The PEM the root-CA publisher writes into every namespace (the serving CA with TLS).
        self.root_ca = ""
        # Sandbox(root_ca_configmaps=False) turns the publisher off.
        self.publish_root_ca = True
        # Sandbox(runtime="process"): containers run as host processes (see _runtime).
        self.runtime: ProcessRuntime | None = None
        self.store.add_listener(self._queue.put)
        from kctl.sandbox._crd import CustomResources
        from kctl.sandbox._endpoints import EndpointsControllers
        from kctl.sandbox._workloads import Workloads

        self.workloads = Workloads(registry)
        self.crds = CustomResources(registry)
        from kctl.sandbox._timed import TimedControllers

        # Job, CronJob, StatefulSet and DaemonSet (each in its own module).
        self.timed = TimedControllers(registry)
        self.timed.others.append(self.workloads.tick)
        registry.admission.append(self.crds.admit)
        self.endpoints = EndpointsControllers(registry)
        from kctl.sandbox._events import PodEvents

        self.pod_events = PodEvents(registry)

    def start(self) -> None:
        # Objects restored from persistence arrive without events: serve their CRDs now.
        self.crds.resync()
        self.endpoints.resync()
        if self.runtime is not None:
            self._adopt_pods()
        self._thread = threading.Thread(
            target=self._loop, name="kctl-sandbox-controllers", daemon=True
        )
        self._thread.start()
        self._ticker = threading.Thread(
            target=self.timed.run_ticker,
            args=(self._queue.put, self._stopping),
            name="kctl-sandbox-ticker",
            daemon=True,
        )
        self._ticker.start()

    def _adopt_pods(self) -> None:
        """Stored pods bound to a node (a restored state, a seed) whose containers have a
        command run again, as a kubelet restarts its pods after a reboot; pods without
        one keep their status (they would run nothing)."""
        from kctl.sandbox._apply import update_tracker

        rt = self._rt(*_PODS)
        for entry in list(self.store.items(_PODS)):
            pod = entry.obj
            meta, spec = pod["metadata"], pod.get("spec") or {}
            if (
                not spec.get("nodeName")
                or meta.get("deletionTimestamp")
                or (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")
                or not any(c.get("command") for c in spec.get("containers") or ())
            ):
                continue
            try:
                self.registry.mutate(
                    rt,
                    meta["namespace"],
                    meta["name"],
                    self._run_pod,
                    subresource="status",
                    tracker=update_tracker(rt, "kubelet", "status", self.registry.now),
                )
            except StatusError:
                continue  # gone meanwhile

    def stop(self) -> None:
        self._stopping.set()
        if self._ticker is not None:
            self._ticker.join(timeout=5)
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def idle(self) -> bool:
        return self._queue.unfinished_tasks == 0

    def _loop(self) -> None:
        while True:
            event = self._queue.get()
            try:
                if event is None:
                    return
                if callable(event):
                    event()
                else:
                    self._handle(event)
            except StatusError:
                # A conflict or a vanished object: a newer event will bring us back.
                continue
            finally:
                if event is not None:
                    # Services touched by a burst of events are synced once, after it (as
                    # the real controllers' work queues fold repeated keys).
                    self.endpoints.flush(force=self._queue.empty())
                self._queue.task_done()

    def _rt(self, group: str, plural: str) -> Any:
        for rt in self.registry.catalog.resources():
            if rt.group == group and rt.plural == plural and rt.storage_gvk is None:
                return rt
        return None

    def _handle(self, event: Event) -> None:
        obj = event.entry.obj
        meta = obj["metadata"]
        self.crds.handle(event)
        self.endpoints.handle(event)
        self._recheck_foreground_owners(event)
        if event.resource == _CLUSTER_ROLES:
            from kctl.sandbox._rbac import aggregate_cluster_roles

            aggregate_cluster_roles(self.registry)
        self.timed.handle(event)
        if event.type == "DELETED":
            if event.resource == _PODS and self.runtime is not None:
                self.runtime.stop_pod(meta.get("uid", ""))
            self._collect_dependents(meta.get("uid", ""))
            self.workloads.handle(event)
            if (event.resource, meta.get("name")) in (
                (_SERVICE_ACCOUNTS, "default"),
                (_CONFIGMAPS, _ROOT_CA),
            ):
                self._namespace_defaults(meta.get("namespace", ""))
            return
        if meta.get("deletionTimestamp"):
            finalizers = meta.get("finalizers") or []
            if "orphan" in finalizers:
                self._orphan(event)
            if "foregroundDeletion" in finalizers:
                self._foreground(event)
        if event.resource == _PODS:
            self._kubelet(obj)
        elif event.resource == _NAMESPACES and meta.get("deletionTimestamp"):
            self._terminate_namespace(obj)
        elif event.resource == _NAMESPACES and event.type == "ADDED":
            self._namespace_defaults(meta["name"])
        self.workloads.handle(event)

    # --- kubelet / scheduler -------------------------------------------------------------

    def _ready_nodes(self) -> list[str]:
        names = []
        for entry in self.store.items(_NODES):
            node = entry.obj
            if (node.get("spec") or {}).get("unschedulable") or node["metadata"].get(
                "deletionTimestamp"
            ):
                continue
            conditions = (node.get("status") or {}).get("conditions") or []
            if any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions):
                names.append(node["metadata"]["name"])
        return names

    def _node_ip(self, name: str) -> str:
        entry = self.store.get(_NODES, "", name)
        if entry is not None:
            for addr in (entry.obj.get("status") or {}).get("addresses") or []:
                if addr.get("type") == "InternalIP":
                    return str(addr.get("address"))
        return "172.18.0.2"

    def _kubelet(self, pod: dict[str, Any]) -> None:
        rt = self._rt(*_PODS)
        meta = pod["metadata"]
        ns, name = meta["namespace"], meta["name"]
        spec = pod.get("spec") or {}
        status = pod.get("status") or {}
        if meta.get("deletionTimestamp"):
            if self.runtime is not None:
                # The containers die before the pod object goes, as with a real kubelet.
                self.runtime.stop_pod(meta.get("uid", ""))
            if spec.get("nodeName") and not meta.get("finalizers"):
                self.pod_events.killing(pod)
                self.registry.force_remove(rt, ns, name)
            return
        if status.get("phase") != "Pending":
            self._run_ephemeral(pod)
            return
        if not spec.get("nodeName"):
            from kctl.sandbox._daemonsets import pinned_node

            nodes = self._ready_nodes()
            pinned = pinned_node(pod)
            if pinned is not None:
                # A daemon pod names its node; it tolerates the node's not being ready.
                nodes = [pinned] if self.store.get(_NODES, "", pinned) is not None else []
            if not nodes:
                return
            node = nodes[self._next_node % len(nodes)]
            self._next_node += 1

            def bind(obj: dict[str, Any]) -> dict[str, Any]:
                obj["spec"]["nodeName"] = node
                return obj

            bound = self.registry.mutate(rt, ns, name, bind, subresource="binding")
            self.pod_events.scheduled(bound, node)
            return
        from kctl.sandbox._apply import update_tracker

        running = self.registry.mutate(
            rt,
            ns,
            name,
            self._run_pod,
            subresource="status",
            tracker=update_tracker(rt, "kubelet", "status", self.registry.now),
        )
        self.pod_events.started(running)

    def _run_ephemeral(self, pod: dict[str, Any]) -> None:
        from kctl.sandbox._ephemeral import not_started, start_ephemeral

        waiting = not_started(pod)
        if not waiting:
            return
        if self.runtime is not None:
            # Running before the status says so: `kubectl debug -i` attaches once it does.
            self.runtime.start_ephemeral(pod, waiting)
        from kctl.sandbox._apply import update_tracker

        rt = self._rt(*_PODS)
        meta = pod["metadata"]
        now = format_time(self.registry.now())
        running = self.registry.mutate(
            rt,
            meta["namespace"],
            meta["name"],
            lambda obj: start_ephemeral(obj, now),
            subresource="status",
            tracker=update_tracker(rt, "kubelet", "status", self.registry.now),
        )
        self.pod_events.started(running, ("ephemeralContainers",), waiting)

    def _run_pod(self, pod: dict[str, Any]) -> dict[str, Any]:
        now = format_time(self.registry.now())
        if self.runtime is not None:
            ip = self.runtime.start_pod(pod)
        else:
            self._next_ip += 1
            ip = f"10.244.{(self._next_ip // 250) % 250}.{self._next_ip % 250 + 2}"
        host_ip = self._node_ip(pod["spec"]["nodeName"])
        conditions = [
            {"type": t, "status": "True", "lastProbeTime": None, "lastTransitionTime": now}
            for t in (
                "PodReadyToStartContainers",
                "Initialized",
                "Ready",
                "ContainersReady",
                "PodScheduled",
            )
        ]
        for cond in conditions:
            cond["observedGeneration"] = pod["metadata"].get("generation", 1)
        statuses = []
        for c in pod["spec"].get("containers") or []:
            image = c.get("image", "")
            statuses.append(
                {
                    "name": c.get("name", ""),
                    "state": {"running": {"startedAt": now}},
                    "lastState": {},
                    "ready": True,
                    "restartCount": 0,
                    "image": image
                    if "/" in image or ":" in image
                    else f"docker.io/library/{image}:latest",
                    "imageID": "",
                    "containerID": "containerd://"
                    + pod["metadata"]["uid"].replace("-", "")
                    + c.get("name", ""),
                    "started": True,
                }
            )
        status = dict(pod.get("status") or {})
        status.update(
            {
                "observedGeneration": pod["metadata"].get("generation", 1),
                "phase": "Running",
                "conditions": conditions,
                "hostIP": host_ip,
                "hostIPs": [{"ip": host_ip}],
                "podIP": ip,
                "podIPs": [{"ip": ip}],
                "startTime": now,
                "containerStatuses": statuses,
            }
        )
        pod["status"] = status
        if self.runtime is not None:
            _apply_runtime(pod, self.runtime.statuses(pod["metadata"]["uid"]), now)
        return pod

    def container_changed(self, namespace: str, name: str, uid: str) -> None:
        """The process runtime saw a container exit or restart: write the pod's status."""
        runtime = self.runtime
        if runtime is None:
            return
        rt = self._rt(*_PODS)

        def update(pod: dict[str, Any]) -> dict[str, Any]:
            if pod["metadata"].get("uid") != uid:
                return pod
            # Read under the write lock: of two racing reports, the later write is the newer.
            statuses = runtime.statuses(uid)
            if statuses:
                _apply_runtime(pod, statuses, format_time(self.registry.now()))
            return pod

        from kctl.sandbox._apply import update_tracker

        try:
            self.registry.mutate(
                rt,
                namespace,
                name,
                update,
                subresource="status",
                tracker=update_tracker(rt, "kubelet", "status", self.registry.now),
            )
        except StatusError:
            # Deleted meanwhile: nothing left to report on.
            return

    # --- garbage collection --------------------------------------------------------------

    def _collect_dependents(self, uid: str, policy: str = "Background") -> None:
        if not uid:
            return
        for resource, entry in self.store.dependents(uid):
            rt = self._rt(*resource)
            if rt is None:
                continue
            meta = entry.obj["metadata"]
            owners = [r for r in meta.get("ownerReferences") or [] if r.get("uid") != uid]
            if owners:
                # Another owner keeps it (the GC only collects objects with no owner left).
                continue
            try:
                self.registry.delete(
                    rt,
                    meta.get("namespace", ""),
                    meta["name"],
                    DeleteOptions(propagation_policy=policy),
                )
            except StatusError as err:
                if err.code != 404:
                    raise

    def _orphan(self, event: Event) -> None:
        obj = event.entry.obj
        uid = obj["metadata"].get("uid", "")
        for resource, entry in self.store.dependents(uid):
            rt = self._rt(*resource)
            meta = entry.obj["metadata"]

            def drop(dep: dict[str, Any]) -> dict[str, Any]:
                refs = [
                    r for r in dep["metadata"].get("ownerReferences") or [] if r.get("uid") != uid
                ]
                if refs:
                    dep["metadata"]["ownerReferences"] = refs
                else:
                    dep["metadata"].pop("ownerReferences", None)
                return dep

            self.registry.mutate(rt, meta.get("namespace", ""), meta["name"], drop)
        self._drop_finalizer(event, "orphan")

    def _foreground(self, event: Event) -> None:
        uid = event.entry.obj["metadata"].get("uid", "")
        pending = [
            e
            for _, e in self.store.dependents(uid)
            if not e.obj["metadata"].get("deletionTimestamp")
        ]
        if pending:
            # Dependents of a foreground deletion are themselves deleted in the foreground.
            self._collect_dependents(uid, "Foreground")
        if not any(_blocks(e.obj, uid) for _, e in self.store.dependents(uid)):
            self._drop_finalizer(event, "foregroundDeletion")

    def _recheck_foreground_owners(self, event: Event) -> None:
        """A dependent changed or went away: an owner waiting on it in the foreground may
        now be free to go."""
        meta = event.entry.obj["metadata"]
        for ref in meta.get("ownerReferences") or []:
            group, _, version = str(ref.get("apiVersion", "")).rpartition("/")
            rt = self.registry.catalog.by_kind(group, version, str(ref.get("kind", "")))
            if rt is None:
                continue
            key = (rt.storage_gvk[0] if rt.storage_gvk else rt.group, rt.plural)
            owner = self.store.get(
                key, meta.get("namespace", "") if rt.namespaced else "", str(ref.get("name"))
            )
            if owner is None or owner.obj["metadata"].get("uid") != ref.get("uid"):
                continue
            owner_meta = owner.obj["metadata"]
            if owner_meta.get("deletionTimestamp") and "foregroundDeletion" in (
                owner_meta.get("finalizers") or []
            ):
                self._foreground(Event(owner.rv, "MODIFIED", key, "", owner, None))

    def _drop_finalizer(self, event: Event, finalizer: str) -> None:
        rt = self._rt(*event.resource)
        meta = event.entry.obj["metadata"]
        self.registry.remove_finalizer(rt, meta.get("namespace", ""), meta["name"], finalizer)

    # --- namespaces ----------------------------------------------------------------------

    def namespace_defaults(self) -> None:
        """Every namespace's default objects, now (their ADDED events then find them made)."""
        for entry in self.store.items(_NAMESPACES, ""):
            self._namespace_defaults(entry.obj["metadata"]["name"])

    def _namespace_defaults(self, namespace: str) -> None:
        """The service-account controller's ``default`` ServiceAccount and the root-CA
        publisher's ConfigMap: made in every active namespace, made again when deleted."""
        ns = self.store.get(_NAMESPACES, "", namespace)
        if ns is None or ns.obj["metadata"].get("deletionTimestamp"):
            return
        from kctl.sandbox._apply import update_tracker

        wanted: list[tuple[tuple[str, str], dict[str, Any]]] = [
            (
                _SERVICE_ACCOUNTS,
                {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}},
            ),
            (
                _CONFIGMAPS,
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {
                        "name": _ROOT_CA,
                        "annotations": {"kubernetes.io/description": _ROOT_CA_DESCRIPTION},
                    },
                    "data": {"ca.crt": self.root_ca or _PLACEHOLDER_CA},
                },
            ),
        ]
        for resource, obj in wanted:
            if resource == _CONFIGMAPS and not self.publish_root_ca:
                continue
            if self.store.get(resource, namespace, obj["metadata"]["name"]) is not None:
                continue
            rt = self._rt(*resource)
            tracker = update_tracker(rt, "kube-controller-manager", "", self.registry.now)
            try:
                self.registry.create(rt, namespace, obj, tracker=tracker)
            except StatusError:
                # Someone made it first (or the namespace began terminating): nothing to do.
                continue

    def _terminate_namespace(self, ns: dict[str, Any]) -> None:
        name = ns["metadata"]["name"]
        for resource in self.store.resources():
            if resource == _NAMESPACES:
                continue
            for entry in self.store.items(resource, name):
                self.store.remove(resource, name, entry.obj["metadata"]["name"])
        self._rt(*_NAMESPACES)

        def finalize(obj: dict[str, Any]) -> dict[str, Any]:
            spec = obj.get("spec") or {}
            spec.pop("finalizers", None)
            obj["spec"] = spec
            return obj

        current = self.store.get(_NAMESPACES, "", name)
        if current is None:
            return
        obj = copy.deepcopy(current.obj)
        if (obj.get("spec") or {}).get("finalizers"):
            obj = finalize(obj)
            self.store.put(_NAMESPACES, obj)
        if not obj["metadata"].get("finalizers"):
            self.store.remove(_NAMESPACES, "", name)


def _apply_runtime(pod: dict[str, Any], statuses: dict[str, dict[str, Any]], now: str) -> None:
    """Merge the runtime's container states into ``pod``'s status: restart counts, the
    Ready conditions and, once every container has stopped for good, the phase."""
    status = pod.setdefault("status", {})
    for cs in status.get("containerStatuses") or ():
        live = statuses.get(cs.get("name", ""))
        if live is not None:
            cs.update(live)
    for cs in status.get("ephemeralContainerStatuses") or ():
        live = statuses.get(cs.get("name", ""))
        if live is not None:
            # An ephemeral container is never ready and has no startup state.
            cs.update({k: live[k] for k in ("state", "lastState", "restartCount")})
    css = status.get("containerStatuses") or []
    ready = bool(css) and all(cs.get("ready") for cs in css)
    for cond in status.get("conditions") or ():
        if cond.get("type") in ("Ready", "ContainersReady"):
            value = "True" if ready else "False"
            if cond.get("status") != value:
                cond["status"] = value
                cond["lastTransitionTime"] = now
                if not ready:
                    cond["reason"] = "PodCompleted" if _all_done(css) else "ContainersNotReady"
                else:
                    cond.pop("reason", None)
    if _all_done(css):
        codes = [cs["state"]["terminated"].get("exitCode") for cs in css]
        status["phase"] = "Succeeded" if all(c == 0 for c in codes) else "Failed"


def _all_done(css: list[dict[str, Any]]) -> bool:
    return bool(css) and all("terminated" in (cs.get("state") or {}) for cs in css)


def _blocks(dependent: dict[str, Any], owner_uid: str) -> bool:
    return any(
        ref.get("uid") == owner_uid and ref.get("blockOwnerDeletion")
        for ref in dependent["metadata"].get("ownerReferences") or []
    )
