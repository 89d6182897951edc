"""The StatefulSet controller: ordered creation, scaling down from the top, rolling updates
with a partition, ControllerRevisions, claims, and the status ``kubectl rollout status``,
``rollout history`` and ``rollout undo`` read, all through real kubectl."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers_batch import APPS, CORE, get, items, live_pods
from helpers_http import call, next_event, node, wait_for, watch_lines

from kctl.sandbox import Sandbox

STS = """apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: web}}
spec:
  serviceName: web
  replicas: {replicas}
  podManagementPolicy: {policy}
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers: [{{name: nginx, image: "nginx:1.27"}}]
  volumeClaimTemplates:
  - metadata: {{name: www}}
    spec: {{accessModes: [ReadWriteOnce], resources: {{requests: {{storage: 1Gi}}}}}}
"""


@pytest.fixture
def cluster(sandbox: Sandbox) -> Sandbox:
    sandbox.create(node("node-1"))
    return sandbox


def _sts(sb: Sandbox) -> Any:
    return get(sb, APPS + "/statefulsets/web")


def _rollout(sb: Sandbox, run_kubectl: Any) -> str:
    done = run_kubectl(sb, "rollout", "status", "sts/web", "--timeout=30s")
    assert done.returncode == 0, done.stderr
    return str(done.stdout.splitlines()[-1])


def _apply(sb: Sandbox, run_kubectl: Any, replicas: int, policy: str = "OrderedReady") -> None:
    manifest = STS.format(replicas=replicas, policy=policy)
    applied = run_kubectl(sb, "apply", "-f", "-", input=manifest)
    assert applied.returncode == 0, applied.stderr


def _ready(pod: dict[str, Any]) -> bool:
    return any(
        c["type"] == "Ready" and c["status"] == "True"
        for c in (pod.get("status") or {}).get("conditions") or []
    )


def test_ordered_creation(cluster: Sandbox, run_kubectl: Any) -> None:
    rv = get(cluster, CORE + "/pods")["metadata"]["resourceVersion"]
    conn, resp = watch_lines(cluster, f"{CORE}/pods?watch=1&resourceVersion={rv}")
    try:
        _apply(cluster, run_kubectl, 3)
        seen: list[tuple[str, str, bool]] = []
        while not any(name == "web-2" and ready for _, name, ready in seen):
            event = next_event(resp)
            assert event is not None
            seen.append(
                (event["type"], event["object"]["metadata"]["name"], _ready(event["object"]))
            )
    finally:
        conn.close()
    # OrderedReady: each pod is made only once the one before it is Running and Ready.
    for before, after in (("web-0", "web-1"), ("web-1", "web-2")):
        made = seen.index(("ADDED", after, False))
        assert any(name == before and ready for _, name, ready in seen[:made]), seen
    assert _rollout(cluster, run_kubectl) == (
        "partitioned roll out complete: 3 new pods have been updated..."
    )
    sts = _sts(cluster)
    revision = sts["status"]["updateRevision"]
    assert sts["status"] == {
        "observedGeneration": 1,
        "replicas": 3,
        "readyReplicas": 3,
        "currentReplicas": 3,
        "updatedReplicas": 3,
        "currentRevision": revision,
        "updateRevision": revision,
        "collisionCount": 0,
        "availableReplicas": 3,
    }
    pods = live_pods(cluster)
    assert [p["metadata"]["name"] for p in pods] == ["web-0", "web-1", "web-2"]
    for i, pod in enumerate(pods):
        assert pod["metadata"]["labels"] == {
            "app": "web",
            "controller-revision-hash": revision,
            "statefulset.kubernetes.io/pod-name": f"web-{i}",
            "apps.kubernetes.io/pod-index": str(i),
        }
        assert (pod["spec"]["hostname"], pod["spec"]["subdomain"]) == (f"web-{i}", "web")
        assert {"name": "www", "persistentVolumeClaim": {"claimName": f"www-web-{i}"}} in pod[
            "spec"
        ]["volumes"]
    claims = sorted(c["metadata"]["name"] for c in items(cluster, CORE + "/persistentvolumeclaims"))
    assert claims == ["www-web-0", "www-web-1", "www-web-2"]
    (rev,) = items(cluster, APPS + "/controllerrevisions")
    assert rev["metadata"]["name"] == revision
    assert rev["revision"] == 1
    assert rev["data"]["spec"]["template"]["$patch"] == "replace"
    assert rev["metadata"]["labels"]["controller-revision-hash"] == revision.rsplit("-", 1)[1]


def test_scale_down_from_the_highest_ordinal(cluster: Sandbox, run_kubectl: Any) -> None:
    _apply(cluster, run_kubectl, 3)
    _rollout(cluster, run_kubectl)
    rv = get(cluster, CORE + "/pods")["metadata"]["resourceVersion"]
    conn, resp = watch_lines(cluster, f"{CORE}/pods?watch=1&resourceVersion={rv}")
    try:
        assert run_kubectl(cluster, "scale", "sts/web", "--replicas=1").returncode == 0
        deleted: list[str] = []
        while len(deleted) < 2:
            event = next_event(resp)
            assert event is not None
            if event["type"] == "DELETED":
                deleted.append(event["object"]["metadata"]["name"])
    finally:
        conn.close()
    assert deleted == ["web-2", "web-1"]
    assert _rollout(cluster, run_kubectl) == (
        "partitioned roll out complete: 1 new pods have been updated..."
    )
    assert [p["metadata"]["name"] for p in live_pods(cluster)] == ["web-0"]
    # Claims stay (whenScaled: Retain).
    assert len(items(cluster, CORE + "/persistentvolumeclaims")) == 3


def test_rolling_update_with_partition(cluster: Sandbox, run_kubectl: Any) -> None:
    _apply(cluster, run_kubectl, 3)
    _rollout(cluster, run_kubectl)
    old = _sts(cluster)["status"]["currentRevision"]
    patch = '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}}}}'
    assert run_kubectl(cluster, "patch", "sts/web", "-p", patch).returncode == 0
    assert run_kubectl(cluster, "set", "image", "sts/web", "nginx=nginx:1.28").returncode == 0
    assert _rollout(cluster, run_kubectl) == (
        "partitioned roll out complete: 1 new pods have been updated..."
    )
    status = _sts(cluster)["status"]
    new = status["updateRevision"]
    assert new != old
    assert (status["currentRevision"], status["updatedReplicas"], status["currentReplicas"]) == (
        old,
        1,
        2,
    )
    images = {
        p["metadata"]["name"]: p["spec"]["containers"][0]["image"] for p in live_pods(cluster)
    }
    assert images == {"web-0": "nginx:1.27", "web-1": "nginx:1.27", "web-2": "nginx:1.28"}
    # Partition 0: the rest roll, and the update revision becomes the current one.
    patch = '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}'
    assert run_kubectl(cluster, "patch", "sts/web", "-p", patch).returncode == 0
    assert _rollout(cluster, run_kubectl) == (
        "partitioned roll out complete: 3 new pods have been updated..."
    )
    status = wait_for(
        lambda: _sts(cluster)["status"]["currentRevision"] == new and _sts(cluster)["status"]
    )
    assert (status["currentReplicas"], status["updatedReplicas"]) == (3, 3)
    assert {p["spec"]["containers"][0]["image"] for p in live_pods(cluster)} == {"nginx:1.28"}


def test_rollout_history_and_undo(cluster: Sandbox, run_kubectl: Any) -> None:
    _apply(cluster, run_kubectl, 2)
    _rollout(cluster, run_kubectl)
    assert run_kubectl(cluster, "set", "image", "sts/web", "nginx=nginx:1.28").returncode == 0
    _rollout(cluster, run_kubectl)
    wait_for(
        lambda: {p["spec"]["containers"][0]["image"] for p in live_pods(cluster)} == {"nginx:1.28"}
    )
    history = run_kubectl(cluster, "rollout", "history", "sts/web")
    assert history.returncode == 0, history.stderr
    assert [line.split()[0] for line in history.stdout.splitlines()[2:] if line.strip()] == [
        "1",
        "2",
    ]
    undo = run_kubectl(cluster, "rollout", "undo", "sts/web")
    assert undo.returncode == 0, undo.stderr
    assert undo.stdout == "statefulset.apps/web rolled back\n"
    _rollout(cluster, run_kubectl)
    assert wait_for(
        lambda: (
            {p["spec"]["containers"][0]["image"] for p in live_pods(cluster)} == {"nginx:1.27"}
            and len(live_pods(cluster)) == 2
        )
    )
    # The old template's revision is renumbered as the newest.
    revisions = sorted(
        (r["revision"], r["data"]["spec"]["template"]["spec"]["containers"][0]["image"])
        for r in items(cluster, APPS + "/controllerrevisions")
    )
    assert revisions == [(2, "nginx:1.28"), (3, "nginx:1.27")]


def test_parallel_and_deletion(cluster: Sandbox, run_kubectl: Any) -> None:
    _apply(cluster, run_kubectl, 3, "Parallel")
    assert _rollout(cluster, run_kubectl).startswith("partitioned roll out complete: 3")
    table = run_kubectl(cluster, "get", "sts", "web", "--no-headers")
    assert table.stdout.split()[:2] == ["web", "3/3"]
    deleted = run_kubectl(cluster, "delete", "sts", "web", "--timeout=30s")
    assert deleted.returncode == 0, deleted.stderr
    assert wait_for(lambda: not live_pods(cluster))


def test_failed_pod_is_replaced(cluster: Sandbox, run_kubectl: Any) -> None:
    _apply(cluster, run_kubectl, 1)
    _rollout(cluster, run_kubectl)
    pod = get(cluster, CORE + "/pods/web-0")
    pod["status"]["phase"] = "Failed"
    assert call(cluster, "PUT", CORE + "/pods/web-0/status", pod).status == 200
    uid = pod["metadata"]["uid"]

    def replaced() -> bool:
        now = get(cluster, CORE + "/pods/web-0")
        return bool(now and now["metadata"]["uid"] != uid and _ready(now))

    assert wait_for(replaced)


def test_on_delete(cluster: Sandbox, run_kubectl: Any) -> None:
    _apply(cluster, run_kubectl, 2)
    _rollout(cluster, run_kubectl)
    patch = '{"spec":{"updateStrategy":{"type":"OnDelete","rollingUpdate":null}}}'
    patched = run_kubectl(cluster, "patch", "sts/web", "-p", patch)
    assert patched.returncode == 0, patched.stderr
    assert run_kubectl(cluster, "set", "image", "sts/web", "nginx=nginx:1.28").returncode == 0
    status = run_kubectl(cluster, "rollout", "status", "sts/web", "--timeout=10s")
    assert status.returncode == 1
    assert status.stderr == (
        "error: rollout status is only available for RollingUpdate strategy type\n"
    )
    assert wait_for(lambda: _sts(cluster)["status"]["observedGeneration"] == 3)
    # Nothing rolls by itself; a deleted pod comes back at the update revision.
    images = {
        p["metadata"]["name"]: p["spec"]["containers"][0]["image"] for p in live_pods(cluster)
    }
    assert images == {"web-0": "nginx:1.27", "web-1": "nginx:1.27"}
    uid = get(cluster, CORE + "/pods/web-1")["metadata"]["uid"]
    assert call(cluster, "DELETE", CORE + "/pods/web-1").status == 200

    def recreated() -> dict[str, Any] | None:
        pod = get(cluster, CORE + "/pods/web-1")
        return pod if pod and pod["metadata"]["uid"] != uid else None

    pod = wait_for(recreated)
    assert pod["spec"]["containers"][0]["image"] == "nginx:1.28"
    assert (
        pod["metadata"]["labels"]["controller-revision-hash"]
        == _sts(cluster)["status"]["updateRevision"]
    )
    assert get(cluster, CORE + "/pods/web-0")["spec"]["containers"][0]["image"] == "nginx:1.27"


def test_claim_retention_policy(cluster: Sandbox, run_kubectl: Any) -> None:
    manifest = STS.format(replicas=3, policy="Parallel") + (
        "  persistentVolumeClaimRetentionPolicy: {whenDeleted: Delete, whenScaled: Delete}\n"
    )
    assert run_kubectl(cluster, "apply", "-f", "-", input=manifest).returncode == 0
    _rollout(cluster, run_kubectl)

    def claims() -> dict[str, list[str]]:
        return {
            c["metadata"]["name"]: [r["kind"] for r in c["metadata"].get("ownerReferences", [])]
            for c in items(cluster, CORE + "/persistentvolumeclaims")
        }

    # In range, a claim belongs to the set (whenDeleted: Delete).
    assert claims() == {f"www-web-{i}": ["StatefulSet"] for i in range(3)}
    assert run_kubectl(cluster, "scale", "sts/web", "--replicas=1").returncode == 0
    # Scaled away, it belongs to its pod (whenScaled: Delete) and goes with it.
    assert wait_for(lambda: claims() == {"www-web-0": ["StatefulSet"]})
    deleted = run_kubectl(cluster, "delete", "sts", "web", "--timeout=30s")
    assert deleted.returncode == 0, deleted.stderr
    assert wait_for(lambda: claims() == {})


def test_rollout_restart(cluster: Sandbox, run_kubectl: Any) -> None:
    _apply(cluster, run_kubectl, 2)
    _rollout(cluster, run_kubectl)
    uids = {p["metadata"]["uid"] for p in live_pods(cluster)}
    restarted = run_kubectl(cluster, "rollout", "restart", "sts/web")
    assert restarted.returncode == 0, restarted.stderr
    _rollout(cluster, run_kubectl)

    def rolled() -> bool:
        pods = live_pods(cluster)
        status = _sts(cluster)["status"]
        return (
            len(pods) == 2
            and not uids & {p["metadata"]["uid"] for p in pods}
            and status["currentRevision"] == status["updateRevision"]
        )

    assert wait_for(rolled)


@pytest.mark.parametrize(("max_unavailable", "together"), [(1, 1), (2, 2), ("50%", 2)])
def test_max_unavailable(
    cluster: Sandbox, run_kubectl: Any, max_unavailable: int | str, together: int
) -> None:
    _apply(cluster, run_kubectl, 4)
    _rollout(cluster, run_kubectl)
    patch = json.dumps(
        {"spec": {"updateStrategy": {"rollingUpdate": {"maxUnavailable": max_unavailable}}}}
    )
    assert run_kubectl(cluster, "patch", "sts/web", "-p", patch).returncode == 0
    rv = get(cluster, CORE + "/pods")["metadata"]["resourceVersion"]
    conn, resp = watch_lines(cluster, f"{CORE}/pods?watch=1&resourceVersion={rv}")
    try:
        assert run_kubectl(cluster, "set", "image", "sts/web", "nginx=nginx:1.28").returncode == 0
        seen: list[tuple[str, str]] = []
        while [t for t, _ in seen].count("DELETED") < 4:
            event = next_event(resp)
            assert event is not None
            if event["type"] in ("ADDED", "DELETED"):
                seen.append((event["type"], event["object"]["metadata"]["name"]))
    finally:
        conn.close()
    # The highest ordinals go first, as many at a time as maxUnavailable allows.
    first_added = [t for t, _ in seen].index("ADDED")
    assert seen[:first_added] == [("DELETED", f"web-{3 - i}") for i in range(together)]
    _rollout(cluster, run_kubectl)
    assert wait_for(
        lambda: {p["spec"]["containers"][0]["image"] for p in live_pods(cluster)} == {"nginx:1.28"}
    )
