"""What the sandbox's Job, CronJob, StatefulSet and DaemonSet controllers write, sent to the
real kube-apiserver 1.37: it must accept every object and every status as written (the
status validation of 1.37 checks the Job conditions' order, counters and times), and store
them unchanged. There is no controller-manager behind the real server, so the comparison is
of shapes, not of behaviour."""

from __future__ import annotations

import copy
import itertools
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kctl.envtest import Environment
from kctl.sandbox import Sandbox

sys.path.insert(0, str(Path(__file__).parent))
from helpers_batch import APPS, BATCH, CORE, Clock, condition_types, get, items, poke, set_phase
from helpers_http import call, node, wait_for

requests = pytest.importorskip("requests")

_ids = itertools.count()
_SERVER_SET = ("uid", "resourceVersion", "creationTimestamp", "managedFields", "generation")


class _Real:
    def __init__(self, env: Environment, ca: Path) -> None:
        self.url, self.ca = env.url, str(ca)
        self.session = requests.Session()
        self.session.trust_env = False
        self.headers = {"Authorization": f"Bearer {env.token}"}

    def send(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        reply = self.session.request(
            method,
            self.url + path,
            data=json.dumps(body),
            headers={**self.headers, "Content-Type": "application/json"},
            verify=self.ca,
            timeout=30,
        )
        return reply.status_code, reply.json()


@pytest.fixture(scope="module")
def real(envtest: Environment, tmp_path_factory: pytest.TempPathFactory) -> _Real:
    ca = tmp_path_factory.mktemp("controllers-real") / "ca.crt"
    ca.write_bytes(envtest.ca_pem)
    return _Real(envtest, ca)


@pytest.fixture
def namespace(real: _Real) -> str:
    name = f"ctl-{os.getpid()}-{next(_ids)}"
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    assert real.send("POST", "/api/v1/namespaces", body)[0] == 201
    return name


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def frozen(clock: Clock) -> Iterator[Sandbox]:
    with Sandbox(seed="empty", now=clock) as sb:
        sb.create(node("node-1"))
        yield sb


_JOB_LABELS = (
    "batch.kubernetes.io/controller-uid",
    "batch.kubernetes.io/job-name",
    "controller-uid",
    "job-name",
)


def _replay(
    real: _Real, namespace: str, collection: str, obj: dict[str, Any], same_status: bool = True
) -> dict[str, Any]:
    """Create ``obj`` (as the sandbox stored it) on the real server, then its status; both
    must be accepted, and come back as sent."""
    body = copy.deepcopy(obj)
    meta = body["metadata"]
    sandbox_uid = meta["uid"]
    for key in _SERVER_SET:
        meta.pop(key, None)
    meta["namespace"] = namespace
    status = body.pop("status", None)
    if body["kind"] == "Job":
        # The Job strategy generates the selector from the new uid: it takes none from us.
        del body["spec"]["selector"]
        tmeta = body["spec"]["template"]["metadata"]
        for key in _JOB_LABELS:
            tmeta["labels"].pop(key)
            meta.get("labels", {}).pop(key, None)
        if not tmeta["labels"]:
            del tmeta["labels"]
        if not meta.get("labels"):
            meta.pop("labels", None)
    path = collection.replace("/namespaces/default/", f"/namespaces/{namespace}/")
    code, made = real.send("POST", path, body)
    assert code == 201, made["message"]
    if "spec" in obj:
        mine = json.dumps(obj["spec"]).replace(sandbox_uid, made["metadata"]["uid"])
        assert made["spec"] == json.loads(mine)
    else:
        assert made["data"] == obj["data"]
        assert made["revision"] == obj["revision"]
    mine_labels = json.dumps(obj["metadata"].get("labels"))
    assert made["metadata"].get("labels") == json.loads(
        mine_labels.replace(sandbox_uid, made["metadata"]["uid"])
    )
    assert made["metadata"].get("annotations") == meta.get("annotations")
    if status:
        made["status"] = status
        code, updated = real.send("PUT", f"{path}/{meta['name']}/status", made)
        assert code == 200, updated["message"]
        if same_status:
            assert updated["status"] == status
    return dict(made)


def _typed(item: dict[str, Any], kind: str) -> dict[str, Any]:
    """A list's item, with the kind and apiVersion the list left out."""
    api_version = "v1" if kind == "Pod" else "apps/v1"
    return {"kind": kind, "apiVersion": api_version, **item}


def _pod_spec_without_admission(pod: dict[str, Any]) -> dict[str, Any]:
    """The sandbox's ServiceAccount admission adds the token volume; envtest runs without
    that plugin (no controller makes the ``default`` ServiceAccount there)."""
    spec: dict[str, Any] = copy.deepcopy(pod["spec"])
    spec["volumes"] = [
        v for v in spec.get("volumes") or [] if not v["name"].startswith("kube-api-access-")
    ]
    if not spec["volumes"]:
        del spec["volumes"]
    for container in spec.get("containers") or []:
        container.pop("volumeMounts", None)
    spec.pop("nodeName", None)
    return spec


def _replay_pod(real: _Real, namespace: str, pod: dict[str, Any]) -> None:
    pod = copy.deepcopy(pod)
    pod["spec"] = _pod_spec_without_admission(pod)
    # Finalizers would keep the real namespace's pod for ever; the sandbox's are checked
    # by the controller tests.
    pod["metadata"].pop("finalizers", None)
    # The stand-in kubelet's status, as the real server stores it (``lastProbeTime: null``
    # and all).
    _replay(real, namespace, CORE + "/pods", pod)


def test_job_objects_and_statuses(
    frozen: Sandbox, clock: Clock, real: _Real, namespace: str
) -> None:
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "pi"},
        "spec": {
            "completions": 2,
            "parallelism": 2,
            "completionMode": "Indexed",
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [{"name": "c", "image": "busybox:1.36"}],
                }
            },
        },
    }
    call(frozen, "POST", BATCH + "/jobs", job)
    pods = wait_for(
        lambda: (
            [p for p in items(frozen, CORE + "/pods") if p["status"].get("phase") == "Running"]
            if len(items(frozen, CORE + "/pods")) == 2
            else None
        )
    )
    running = get(frozen, BATCH + "/jobs/pi")
    assert running["status"]["active"] == 2
    made = _replay(real, namespace, BATCH + "/jobs", running)
    for pod in pods:
        _replay_pod(real, namespace, _typed(pod, "Pod"))
    # Finished: the real server takes Complete after SuccessCriteriaMet, with the counters.
    set_phase(frozen, pods[0]["metadata"]["name"], "Succeeded")
    clock.advance(2)
    done = wait_for(
        lambda: (
            "Complete" in condition_types(get(frozen, BATCH + "/jobs/pi"))
            and get(frozen, BATCH + "/jobs/pi")
        )
    )
    code, current = real.send("GET", f"/apis/batch/v1/namespaces/{namespace}/jobs/pi", None)
    assert code == 200
    current["status"] = done["status"]
    code, updated = real.send(
        "PUT", f"/apis/batch/v1/namespaces/{namespace}/jobs/pi/status", current
    )
    assert code == 200, updated
    assert updated["status"] == done["status"]
    assert made["metadata"]["name"] == "pi"


def test_failed_job_status(frozen: Sandbox, real: _Real, namespace: str) -> None:
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "bad"},
        "spec": {
            "backoffLimit": 0,
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [{"name": "c", "image": "busybox:1.36"}],
                }
            },
        },
    }
    call(frozen, "POST", BATCH + "/jobs", job)
    (pod,) = wait_for(
        lambda: [p for p in items(frozen, CORE + "/pods") if p["status"].get("phase") == "Running"]
    )
    running = get(frozen, BATCH + "/jobs/bad")
    _replay(real, namespace, BATCH + "/jobs", running)
    set_phase(frozen, pod["metadata"]["name"], "Failed")
    failed = wait_for(
        lambda: (
            "Failed" in condition_types(get(frozen, BATCH + "/jobs/bad"))
            and get(frozen, BATCH + "/jobs/bad")
        )
    )
    code, current = real.send("GET", f"/apis/batch/v1/namespaces/{namespace}/jobs/bad", None)
    current["status"] = failed["status"]
    code, updated = real.send(
        "PUT", f"/apis/batch/v1/namespaces/{namespace}/jobs/bad/status", current
    )
    assert code == 200, updated
    assert updated["status"] == failed["status"]
    # The failed pod's status, as the sandbox's kubelet stand-in would report it.
    failed_pod = get(frozen, f"{CORE}/pods/{pod['metadata']['name']}")
    _replay_pod(real, namespace, failed_pod)


def test_cronjob_job_and_status(frozen: Sandbox, clock: Clock, real: _Real, namespace: str) -> None:
    cronjob = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "tick"},
        "spec": {
            "schedule": "*/5 * * * *",
            "jobTemplate": {
                "spec": {
                    "template": {
                        "spec": {
                            "restartPolicy": "Never",
                            "containers": [{"name": "c", "image": "busybox:1.36"}],
                        }
                    }
                }
            },
        },
    }
    call(frozen, "POST", BATCH + "/cronjobs", cronjob)
    frozen.controllers.timed.jobs.pod_run_seconds = None
    clock.advance(5 * 60)
    (job,) = wait_for(lambda: items(frozen, BATCH + "/jobs"))
    cj = wait_for(
        lambda: (
            (get(frozen, BATCH + "/cronjobs/tick").get("status") or {}).get("active")
            and get(frozen, BATCH + "/cronjobs/tick")
        )
    )
    status = cj["status"]
    # The active reference names the sandbox's Job: the real server takes it as written.
    _replay(real, namespace, BATCH + "/cronjobs", cj)
    assert status["lastScheduleTime"] == "2026-12-05T10:05:00Z"
    job = get(frozen, f"{BATCH}/jobs/{job['metadata']['name']}")
    job["status"].pop("uncountedTerminatedPods", None)
    _replay(real, namespace, BATCH + "/jobs", job)


def test_statefulset_and_revisions(
    sandbox: Sandbox, real: _Real, namespace: str, run_kubectl: Any
) -> None:
    sandbox.create(node("node-1"))
    sts = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "web"},
        "spec": {
            "replicas": 2,
            "serviceName": "web",
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]},
            },
        },
    }
    call(sandbox, "POST", APPS + "/statefulsets", sts)
    assert run_kubectl(sandbox, "rollout", "status", "sts/web", "--timeout=30s").returncode == 0
    _replay(real, namespace, APPS + "/statefulsets", get(sandbox, APPS + "/statefulsets/web"))
    for rev in items(sandbox, APPS + "/controllerrevisions"):
        _replay(real, namespace, APPS + "/controllerrevisions", _typed(rev, "ControllerRevision"))
    for pod in items(sandbox, CORE + "/pods"):
        _replay_pod(real, namespace, _typed(pod, "Pod"))


def test_daemonset_and_pods(
    sandbox: Sandbox, real: _Real, namespace: str, run_kubectl: Any
) -> None:
    sandbox.create(node("node-1"))
    ds = {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "agent"},
        "spec": {
            "selector": {"matchLabels": {"app": "agent"}},
            "template": {
                "metadata": {"labels": {"app": "agent"}},
                "spec": {"containers": [{"name": "a", "image": "busybox:1.36"}]},
            },
        },
    }
    call(sandbox, "POST", APPS + "/daemonsets", ds)
    assert run_kubectl(sandbox, "rollout", "status", "ds/agent", "--timeout=30s").returncode == 0
    _replay(real, namespace, APPS + "/daemonsets", get(sandbox, APPS + "/daemonsets/agent"))
    for rev in items(sandbox, APPS + "/controllerrevisions"):
        _replay(real, namespace, APPS + "/controllerrevisions", _typed(rev, "ControllerRevision"))
    for pod in items(sandbox, CORE + "/pods"):
        _replay_pod(real, namespace, _typed(pod, "Pod"))


def test_pod_failure_policy_job(frozen: Sandbox, real: _Real, namespace: str) -> None:
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "pfp"},
        "spec": {
            "podFailurePolicy": {
                "rules": [{"action": "FailJob", "onExitCodes": {"operator": "In", "values": [42]}}]
            },
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [{"name": "c", "image": "busybox:1.36"}],
                }
            },
        },
    }
    call(frozen, "POST", BATCH + "/jobs", job)
    (pod,) = wait_for(
        lambda: [p for p in items(frozen, CORE + "/pods") if p["status"].get("phase") == "Running"]
    )
    # The defaults (podReplacementPolicy: Failed with a podFailurePolicy) as the real ones.
    _replay(real, namespace, BATCH + "/jobs", get(frozen, BATCH + "/jobs/pfp"))
    set_phase(frozen, pod["metadata"]["name"], "Failed", exit_code=42)
    failed = wait_for(
        lambda: (
            "Failed" in condition_types(get(frozen, BATCH + "/jobs/pfp"))
            and get(frozen, BATCH + "/jobs/pfp")
        )
    )
    code, current = real.send("GET", f"/apis/batch/v1/namespaces/{namespace}/jobs/pfp", None)
    current["status"] = failed["status"]
    code, updated = real.send(
        "PUT", f"/apis/batch/v1/namespaces/{namespace}/jobs/pfp/status", current
    )
    assert code == 200, updated
    assert updated["status"] == failed["status"]


def _status_replayed(real: _Real, namespace: str, path: str, status: dict[str, Any]) -> None:
    """PUT a status the sandbox wrote onto the real server's copy: taken and kept as is."""
    code, current = real.send("GET", path.replace("/default/", f"/{namespace}/"), None)
    assert code == 200, current
    current["status"] = status
    code, updated = real.send(
        "PUT", path.replace("/default/", f"/{namespace}/") + "/status", current
    )
    assert code == 200, updated["message"]
    assert updated["status"] == status


def _ready_pods(sb: Sandbox) -> list[str]:
    return sorted(
        p["metadata"]["name"]
        for p in items(sb, CORE + "/pods")
        if any(
            c["type"] == "Ready" and c["status"] == "True"
            for c in p["status"].get("conditions") or []
        )
    )


def test_statefulset_min_ready_seconds(
    frozen: Sandbox, clock: Clock, real: _Real, namespace: str
) -> None:
    """kube-controller-manager's isRunningAndAvailable: a pod counts in availableReplicas
    once Ready for minReadySeconds, and OrderedReady waits for it before the next ordinal."""
    sts = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "slow"},
        "spec": {
            "replicas": 2,
            "minReadySeconds": 10,
            "serviceName": "slow",
            "selector": {"matchLabels": {"app": "slow"}},
            "template": {
                "metadata": {"labels": {"app": "slow"}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]},
            },
        },
    }
    path = APPS + "/statefulsets/slow"
    call(frozen, "POST", APPS + "/statefulsets", sts)
    assert wait_for(lambda: _ready_pods(frozen) == ["slow-0"])
    first = wait_for(lambda: (s := get(frozen, path)["status"]).get("readyReplicas") == 1 and s)
    assert (first["replicas"], first["availableReplicas"]) == (1, 0)
    _replay(real, namespace, APPS + "/statefulsets", get(frozen, path))
    # Not yet available: the next ordinal waits, whatever the clock says short of 10 s.
    clock.advance(9)
    poke(frozen, path)
    assert _ready_pods(frozen) == ["slow-0"]
    assert get(frozen, path)["status"]["availableReplicas"] == 0
    clock.advance(1)
    assert wait_for(lambda: _ready_pods(frozen) == ["slow-0", "slow-1"])
    both = wait_for(lambda: (s := get(frozen, path)["status"]).get("readyReplicas") == 2 and s)
    assert both["availableReplicas"] == 1
    _status_replayed(real, namespace, path, both)
    clock.advance(10)
    done = wait_for(lambda: (s := get(frozen, path)["status"])["availableReplicas"] == 2 and s)
    assert (done["replicas"], done["readyReplicas"]) == (2, 2)
    _status_replayed(real, namespace, path, done)


def test_daemonset_min_ready_seconds(
    frozen: Sandbox, clock: Clock, real: _Real, namespace: str
) -> None:
    """numberAvailable counts daemon pods Ready for minReadySeconds (IsPodAvailable), and
    numberUnavailable the desired ones that are not; both are omitted when 0."""
    ds = {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "agent"},
        "spec": {
            "minReadySeconds": 30,
            "selector": {"matchLabels": {"app": "agent"}},
            "template": {
                "metadata": {"labels": {"app": "agent"}},
                "spec": {"containers": [{"name": "a", "image": "busybox:1.36"}]},
            },
        },
    }
    path = APPS + "/daemonsets/agent"
    call(frozen, "POST", APPS + "/daemonsets", ds)
    ready = wait_for(lambda: (s := get(frozen, path).get("status") or {}).get("numberReady") and s)
    assert ready == {
        "currentNumberScheduled": 1,
        "numberMisscheduled": 0,
        "desiredNumberScheduled": 1,
        "numberReady": 1,
        "observedGeneration": 1,
        "updatedNumberScheduled": 1,
        "numberUnavailable": 1,
    }
    _replay(real, namespace, APPS + "/daemonsets", get(frozen, path))
    clock.advance(30)
    available = wait_for(
        lambda: (s := get(frozen, path)["status"]).get("numberAvailable") == 1 and s
    )
    assert "numberUnavailable" not in available
    _status_replayed(real, namespace, path, available)


def _deploy_status(sb: Sandbox, name: str) -> dict[str, Any]:
    status: dict[str, Any] = get(sb, APPS + "/deployments/" + name).get("status") or {}
    return status


def _condition(status: dict[str, Any], ctype: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in status.get("conditions") or [] if c["type"] == ctype)
    return found


def _replicaset_of(sb: Sandbox, image: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        rs
        for rs in items(sb, APPS + "/replicasets")
        if rs["spec"]["template"]["spec"]["containers"][0]["image"] == image
    )
    return found


def test_deployment_min_ready_seconds(
    frozen: Sandbox, clock: Clock, real: _Real, namespace: str
) -> None:
    """calculateStatus: a ReplicaSet's availableReplicas counts pods Ready for minReadySeconds
    (IsPodAvailable); the Deployment's availability, its Available condition and its rolling
    update's maxUnavailable budget follow, and a set still waiting is synced when it is due."""
    deploy = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "slow"},
        "spec": {
            "replicas": 2,
            "minReadySeconds": 10,
            "selector": {"matchLabels": {"app": "slow"}},
            "template": {
                "metadata": {"labels": {"app": "slow"}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]},
            },
        },
    }
    path = APPS + "/deployments/slow"
    call(frozen, "POST", APPS + "/deployments", deploy)
    ready = wait_for(lambda: (s := _deploy_status(frozen, "slow")).get("readyReplicas") == 2 and s)
    assert "availableReplicas" not in ready
    assert ready["unavailableReplicas"] == 2
    # 25% of 2 rounds down to no unavailable pod allowed: not available yet.
    assert _condition(ready, "Available")["status"] == "False"
    rs = _replicaset_of(frozen, "nginx:1.27")
    assert rs["spec"]["minReadySeconds"] == 10
    assert (rs["status"]["readyReplicas"], rs["status"].get("availableReplicas")) == (2, None)
    _replay(real, namespace, APPS + "/replicasets", _typed(rs, "ReplicaSet"))
    # Short of 10 s nothing is available, whatever wakes the controllers.
    clock.advance(9)
    poke(frozen, APPS + "/replicasets/" + rs["metadata"]["name"])
    assert "availableReplicas" not in _deploy_status(frozen, "slow")
    clock.advance(1)
    done = wait_for(
        lambda: (s := _deploy_status(frozen, "slow")).get("availableReplicas") == 2 and s
    )
    assert "unavailableReplicas" not in done
    assert _condition(done, "Available")["reason"] == "MinimumReplicasAvailable"
    assert _condition(done, "Progressing")["reason"] == "NewReplicaSetAvailable"
    _replay(real, namespace, APPS + "/deployments", get(frozen, path))

    # A rolling update: maxSurge 1, maxUnavailable 0. The old pods stay until the new one
    # has been available, not merely Ready.
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "v2"}]}}}}
    reply = call(frozen, "PATCH", path, patch, content_type="application/merge-patch+json")
    assert reply.status == 200, reply.body
    assert wait_for(lambda: _replicaset_of(frozen, "v2")["status"].get("readyReplicas") == 1)
    clock.advance(9)
    poke(frozen, APPS + "/replicasets/" + _replicaset_of(frozen, "v2")["metadata"]["name"])
    assert frozen.wait_idle()
    assert _replicaset_of(frozen, "nginx:1.27")["spec"]["replicas"] == 2
    rolling = _deploy_status(frozen, "slow")
    assert (rolling["updatedReplicas"], rolling["availableReplicas"]) == (1, 2)
    assert rolling["unavailableReplicas"] == 1
    _status_replayed(real, namespace, path, rolling)
    clock.advance(1)
    assert wait_for(lambda: _replicaset_of(frozen, "nginx:1.27")["spec"]["replicas"] == 1)
