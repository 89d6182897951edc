"""The deployment and replicaset controllers: template hash, pods, status, scaling and
rolling updates, checked through real kubectl where it reads them."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers_http import call, deployment_yaml, node, wait_for

from kctl.sandbox import Sandbox
from kctl.sandbox._workloads import _fnv32a, compute_hash, safe_encode_string

DEPLOY = deployment_yaml(3)

NS = "/apis/apps/v1/namespaces/default"


@pytest.fixture
def cluster(sandbox: Sandbox) -> Sandbox:
    sandbox.create(node("node-1"))
    return sandbox


def _pods(sb: Sandbox) -> list[dict[str, Any]]:
    return [
        p
        for p in call(sb, "GET", "/api/v1/namespaces/default/pods").json()["items"]
        if not p["metadata"].get("deletionTimestamp")
    ]


def _replicasets(sb: Sandbox) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = call(sb, "GET", NS + "/replicasets").json()["items"]
    return items


def test_hash_helpers() -> None:
    # FNV-1a 32-bit reference vectors.
    assert _fnv32a(b"") == 0x811C9DC5
    assert _fnv32a(b"a") == 0xE40C292C
    # Each decimal digit maps through the vowel-free alphabet: ord("0") % 27 == 21 -> "4".
    assert safe_encode_string("0123") == "4567"
    template = {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": []}}
    first = compute_hash(template)
    assert first == compute_hash(
        {"spec": {"containers": []}, "metadata": {"labels": {"app": "web"}}}
    )
    assert set(first) <= set("bcdfghjklmnpqrstvwxz2456789")
    assert compute_hash(template, 1) != first
    assert compute_hash({**template, "spec": {"containers": [{"name": "x"}]}}) != first


def test_deployment_creates_replicaset_and_pods(cluster: Sandbox, run_kubectl: Any) -> None:
    assert run_kubectl(cluster, "apply", "-f", "-", input=DEPLOY).returncode == 0
    status = run_kubectl(cluster, "rollout", "status", "deployment/web", "--timeout=30s")
    assert status.returncode == 0, status.stderr
    assert status.stdout.splitlines()[-1] == 'deployment "web" successfully rolled out'
    (rs,) = _replicasets(cluster)
    pod_hash = rs["metadata"]["labels"]["pod-template-hash"]
    assert rs["metadata"]["name"] == f"web-{pod_hash}"
    assert rs["spec"]["selector"]["matchLabels"] == {"app": "web", "pod-template-hash": pod_hash}
    owner = rs["metadata"]["ownerReferences"][0]
    assert (owner["kind"], owner["name"], owner["controller"], owner["blockOwnerDeletion"]) == (
        "Deployment",
        "web",
        True,
        True,
    )
    assert rs["metadata"]["annotations"] == {
        "deployment.kubernetes.io/desired-replicas": "3",
        "deployment.kubernetes.io/max-replicas": "4",
        "deployment.kubernetes.io/revision": "1",
    }
    assert rs["status"] == {
        "replicas": 3,
        "fullyLabeledReplicas": 3,
        "readyReplicas": 3,
        "availableReplicas": 3,
        "observedGeneration": 1,
    }
    pods = _pods(cluster)
    assert len(pods) == 3
    for pod in pods:
        assert pod["metadata"]["name"].startswith(f"web-{pod_hash}-")
        assert pod["metadata"]["labels"]["pod-template-hash"] == pod_hash
        assert pod["metadata"]["ownerReferences"][0]["uid"] == rs["metadata"]["uid"]
        assert pod["metadata"]["generation"] == 1  # binding to a node is no spec change
        assert pod["spec"]["nodeName"] == "node-1"
    deploy = call(cluster, "GET", NS + "/deployments/web").json()
    assert {k: v for k, v in deploy["status"].items() if k != "conditions"} == {
        "observedGeneration": 1,
        "replicas": 3,
        "updatedReplicas": 3,
        "readyReplicas": 3,
        "availableReplicas": 3,
    }
    conditions = {c["type"]: c for c in deploy["status"]["conditions"]}
    assert conditions["Available"]["reason"] == "MinimumReplicasAvailable"
    assert conditions["Available"]["message"] == "Deployment has minimum availability."
    assert conditions["Progressing"]["reason"] == "NewReplicaSetAvailable"
    assert conditions["Progressing"]["message"] == (
        f'ReplicaSet "web-{pod_hash}" has successfully progressed.'
    )
    table = run_kubectl(cluster, "get", "deployment", "web").stdout.splitlines()
    assert table[1].split()[:4] == ["web", "3/3", "3", "3"]


def test_scale_and_rolling_update(cluster: Sandbox, run_kubectl: Any) -> None:
    assert run_kubectl(cluster, "apply", "-f", "-", input=DEPLOY).returncode == 0
    scaled = run_kubectl(cluster, "scale", "deployment", "web", "--replicas=5")
    assert scaled.stdout == "deployment.apps/web scaled\n"
    assert wait_for(lambda: len(_pods(cluster)) == 5)
    out = run_kubectl(cluster, "set", "image", "deployment/web", "nginx=nginx:1.28")
    assert out.returncode == 0
    status = run_kubectl(cluster, "rollout", "status", "deployment/web", "--timeout=30s")
    assert status.returncode == 0, status.stderr
    assert 'deployment "web" successfully rolled out' in status.stdout
    rs_table = run_kubectl(cluster, "get", "rs").stdout.splitlines()
    assert rs_table[0].split() == ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]
    rows = {line.split()[0]: line.split()[1:4] for line in rs_table[1:]}
    by_revision = {
        rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]: rs
        for rs in _replicasets(cluster)
    }
    assert set(by_revision) == {"1", "2"}
    old, new = by_revision["1"]["metadata"]["name"], by_revision["2"]["metadata"]["name"]
    assert rows == {old: ["0", "0", "0"], new: ["5", "5", "5"]}
    assert by_revision["2"]["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.28"
    assert wait_for(lambda: len(_pods(cluster)) == 5)
    assert all(p["metadata"]["name"].startswith(new) for p in _pods(cluster))
    # Rolling back to the first template reuses its ReplicaSet under a new revision.
    undo = run_kubectl(cluster, "rollout", "undo", "deployment/web")
    assert undo.returncode == 0, undo.stderr
    assert run_kubectl(cluster, "rollout", "status", "deployment/web").returncode == 0
    revisions = {
        rs["metadata"]["name"]: rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
        for rs in _replicasets(cluster)
    }
    assert revisions == {old: "3", new: "2"}


def test_recreate_strategy_replaces_all_pods(cluster: Sandbox) -> None:
    body = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "db"},
        "spec": {
            "replicas": 2,
            "strategy": {"type": "Recreate"},
            "selector": {"matchLabels": {"app": "db"}},
            "template": {
                "metadata": {"labels": {"app": "db"}},
                "spec": {"containers": [{"name": "pg", "image": "postgres:16"}]},
            },
        },
    }
    assert call(cluster, "POST", NS + "/deployments", body).status == 201
    assert wait_for(lambda: len(_pods(cluster)) == 2)
    patch = {
        "spec": {"template": {"spec": {"containers": [{"name": "pg", "image": "postgres:17"}]}}}
    }
    reply = call(
        cluster,
        "PATCH",
        NS + "/deployments/db",
        patch,
        content_type="application/strategic-merge-patch+json",
    )
    assert reply.status == 200

    def rolled() -> bool:
        pods = _pods(cluster)
        return len(pods) == 2 and all(
            p["spec"]["containers"][0]["image"] == "postgres:17" for p in pods
        )

    assert wait_for(rolled)


def test_replicaset_replaces_deleted_pods(cluster: Sandbox) -> None:
    body = {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": "rs"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "rs"}},
            "template": {
                "metadata": {"labels": {"app": "rs"}},
                "spec": {"containers": [{"name": "c", "image": "busybox"}]},
            },
        },
    }
    assert call(cluster, "POST", NS + "/replicasets", body).status == 201
    assert wait_for(lambda: len(_pods(cluster)) == 2)
    victim = _pods(cluster)[0]["metadata"]["name"]
    assert call(cluster, "DELETE", f"/api/v1/namespaces/default/pods/{victim}").status == 200

    def replaced() -> bool:
        names = [p["metadata"]["name"] for p in _pods(cluster)]
        return len(names) == 2 and victim not in names

    assert wait_for(replaced)
    assert wait_for(
        lambda: (
            call(cluster, "GET", NS + "/replicasets/rs").json()["status"].get("readyReplicas") == 2
        )
    )


def test_unavailable_pods_show_in_status(sandbox: Sandbox) -> None:
    # No node: pods stay Pending, so nothing is ready or available.
    body = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "stuck"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "stuck"}},
            "template": {
                "metadata": {"labels": {"app": "stuck"}},
                "spec": {"containers": [{"name": "c", "image": "busybox"}]},
            },
        },
    }
    assert call(sandbox, "POST", NS + "/deployments", body).status == 201
    assert sandbox.wait_idle(10)
    status = call(sandbox, "GET", NS + "/deployments/stuck").json()["status"]
    assert status["replicas"] == 2 and status["unavailableReplicas"] == 2
    assert "availableReplicas" not in status
    available = next(c for c in status["conditions"] if c["type"] == "Available")
    assert (available["status"], available["reason"]) == ("False", "MinimumReplicasUnavailable")


def test_events_and_pause_resume(cluster: Sandbox, run_kubectl: Any) -> None:
    assert run_kubectl(cluster, "apply", "-f", "-", input=DEPLOY).returncode == 0
    assert run_kubectl(cluster, "rollout", "status", "deployment/web").returncode == 0
    (rs,) = _replicasets(cluster)
    described = run_kubectl(cluster, "describe", "deployment", "web").stdout
    assert f"Scaled up replica set {rs['metadata']['name']} from 0 to 3" in described
    rs_described = run_kubectl(cluster, "describe", "rs", rs["metadata"]["name"]).stdout
    assert rs_described.count("SuccessfulCreate") == 3

    paused = run_kubectl(cluster, "rollout", "pause", "deployment/web")
    assert paused.stdout == "deployment.apps/web paused\n"
    assert run_kubectl(cluster, "set", "image", "deploy/web", "nginx=nginx:1.28").returncode == 0
    assert cluster.wait_idle(10)
    assert len(_replicasets(cluster)) == 1
    status = call(cluster, "GET", NS + "/deployments/web").json()["status"]
    progressing = next(c for c in status["conditions"] if c["type"] == "Progressing")
    assert (progressing["status"], progressing["reason"], progressing["message"]) == (
        "Unknown",
        "DeploymentPaused",
        "Deployment is paused",
    )
    resumed = run_kubectl(cluster, "rollout", "resume", "deployment/web")
    assert resumed.stdout == "deployment.apps/web resumed\n"
    done = run_kubectl(cluster, "rollout", "status", "deployment/web", "--timeout=30s")
    assert done.returncode == 0, done.stderr
    assert len(_replicasets(cluster)) == 2


def test_min_ready_seconds_on_the_real_clock(cluster: Sandbox, run_kubectl: Any) -> None:
    """With minReadySeconds: 2 the Deployment turns available only once its pods have been
    Ready 2 s (the ticks bring the waiting ReplicaSet back), and kubectl's rollout status,
    which waits for available replicas, then finishes."""
    slow = DEPLOY.replace("  replicas: 3\n", "  replicas: 2\n  minReadySeconds: 2\n", 1)
    assert run_kubectl(cluster, "apply", "-f", "-", input=slow).returncode == 0
    status = run_kubectl(cluster, "rollout", "status", "deployment/web", "--timeout=30s")
    assert status.returncode == 0, status.stderr
    assert status.stdout.splitlines()[-1] == 'deployment "web" successfully rolled out'
    deploy = call(cluster, "GET", NS + "/deployments/web").json()
    assert deploy["status"]["availableReplicas"] == 2
    available = next(c for c in deploy["status"]["conditions"] if c["type"] == "Available")
    assert available["status"] == "True"
    # The sandbox's own stamps: the Deployment became available no sooner than 2 s after
    # its last pod became Ready.
    became_ready = max(
        c["lastTransitionTime"]
        for p in _pods(cluster)
        for c in p["status"]["conditions"]
        if c["type"] == "Ready"
    )
    since = datetime.fromisoformat(became_ready.replace("Z", "+00:00"))
    at = datetime.fromisoformat(available["lastTransitionTime"].replace("Z", "+00:00"))
    assert at - since >= timedelta(seconds=2)
