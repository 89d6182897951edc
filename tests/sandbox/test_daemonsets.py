"""The DaemonSet controller: one pod per node the template fits, pinned by node affinity,
rolling updates, nodes coming and going, and ``kubectl rollout status ds/...``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers_batch import APPS, get, items, live_pods
from helpers_http import call, node, wait_for

from kctl.sandbox import Sandbox

DS = """apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      nodeSelector: {kubernetes.io/os: linux}
      containers: [{name: a, image: "busybox:1.36"}]
"""


def _node(name: str, os_name: str = "linux", taint: bool = False) -> dict[str, Any]:
    body = node(name)
    body["metadata"]["labels"] = {"kubernetes.io/os": os_name}
    if taint:
        body["spec"] = {"taints": [{"key": "dedicated", "value": "db", "effect": "NoSchedule"}]}
    return body


@pytest.fixture
def cluster(sandbox: Sandbox) -> Sandbox:
    sandbox.create(_node("node-1"))
    sandbox.create(_node("node-2"))
    sandbox.create(_node("node-win", os_name="windows"))
    sandbox.create(_node("node-db", taint=True))
    return sandbox


def _rollout(sb: Sandbox, run_kubectl: Any) -> str:
    done = run_kubectl(sb, "rollout", "status", "ds/agent", "--timeout=30s")
    assert done.returncode == 0, done.stderr
    return str(done.stdout.splitlines()[-1])


def _placement(sb: Sandbox) -> dict[str, str]:
    return {
        p["spec"].get("nodeName", ""): p["spec"]["containers"][0]["image"]
        for p in live_pods(sb)
        if p["status"].get("phase") == "Running"
    }


def test_one_pod_per_fitting_node(cluster: Sandbox, run_kubectl: Any) -> None:
    assert run_kubectl(cluster, "apply", "-f", "-", input=DS).returncode == 0
    assert _rollout(cluster, run_kubectl) == 'daemon set "agent" successfully rolled out'
    # Not on the Windows node (nodeSelector), not on the tainted one (no toleration).
    assert wait_for(lambda: sorted(_placement(cluster)) == ["node-1", "node-2"])
    ds = get(cluster, APPS + "/daemonsets/agent")
    assert ds["status"] == {
        "currentNumberScheduled": 2,
        "numberMisscheduled": 0,
        "desiredNumberScheduled": 2,
        "numberReady": 2,
        "observedGeneration": 1,
        "updatedNumberScheduled": 2,
        "numberAvailable": 2,
    }
    (rev,) = items(cluster, APPS + "/controllerrevisions")
    digest = rev["metadata"]["labels"]["controller-revision-hash"]
    assert rev["metadata"]["name"] == f"agent-{digest}"
    for pod in live_pods(cluster):
        labels = pod["metadata"]["labels"]
        assert labels == {
            "app": "agent",
            "controller-revision-hash": digest,
            "pod-template-generation": "1",
        }
        terms = pod["spec"]["affinity"]["nodeAffinity"][
            "requiredDuringSchedulingIgnoredDuringExecution"
        ]["nodeSelectorTerms"]
        assert terms == [
            {
                "matchFields": [
                    {"key": "metadata.name", "operator": "In", "values": [pod["spec"]["nodeName"]]}
                ]
            }
        ]
        keys = {(t["key"], t["effect"]) for t in pod["spec"]["tolerations"]}
        assert ("node.kubernetes.io/unschedulable", "NoSchedule") in keys
        assert ("node.kubernetes.io/not-ready", "NoExecute") in keys
    table = run_kubectl(cluster, "get", "ds", "agent", "--no-headers")
    assert table.stdout.split()[:6] == ["agent", "2", "2", "2", "2", "2"]


def test_rolling_update(cluster: Sandbox, run_kubectl: Any) -> None:
    assert run_kubectl(cluster, "apply", "-f", "-", input=DS).returncode == 0
    _rollout(cluster, run_kubectl)
    before = {p["metadata"]["name"] for p in live_pods(cluster)}
    assert run_kubectl(cluster, "set", "image", "ds/agent", "a=busybox:1.37").returncode == 0
    assert _rollout(cluster, run_kubectl) == 'daemon set "agent" successfully rolled out'
    assert wait_for(
        lambda: _placement(cluster) == {"node-1": "busybox:1.37", "node-2": "busybox:1.37"}
    )
    assert not before & {p["metadata"]["name"] for p in live_pods(cluster)}
    ds = get(cluster, APPS + "/daemonsets/agent")
    assert ds["status"]["observedGeneration"] == 2
    assert ds["status"]["updatedNumberScheduled"] == 2
    # The strategy's templateGeneration, as apps/v1 shows it (and new pods are labelled).
    assert ds["metadata"]["annotations"]["deprecated.daemonset.template.generation"] == "2"
    assert {p["metadata"]["labels"]["pod-template-generation"] for p in live_pods(cluster)} == {"2"}
    # A change outside the template moves the generation, not the template generation.
    patch = '{"spec":{"minReadySeconds":0,"revisionHistoryLimit":5}}'
    assert run_kubectl(cluster, "patch", "ds/agent", "-p", patch).returncode == 0
    ds = get(cluster, APPS + "/daemonsets/agent")
    assert ds["metadata"]["generation"] == 3
    assert ds["metadata"]["annotations"]["deprecated.daemonset.template.generation"] == "2"
    history = run_kubectl(cluster, "rollout", "history", "ds/agent")
    assert history.returncode == 0, history.stderr
    assert [line.split()[0] for line in history.stdout.splitlines()[2:] if line.strip()] == [
        "1",
        "2",
    ]


def test_nodes_come_and_go(cluster: Sandbox, run_kubectl: Any) -> None:
    assert run_kubectl(cluster, "apply", "-f", "-", input=DS).returncode == 0
    _rollout(cluster, run_kubectl)
    cluster.create(_node("node-3"))
    assert wait_for(lambda: sorted(_placement(cluster)) == ["node-1", "node-2", "node-3"])
    assert call(cluster, "DELETE", "/api/v1/nodes/node-1").status == 200
    assert wait_for(lambda: sorted(_placement(cluster)) == ["node-2", "node-3"])
    assert _rollout(cluster, run_kubectl) == 'daemon set "agent" successfully rolled out'
    assert get(cluster, APPS + "/daemonsets/agent")["status"]["desiredNumberScheduled"] == 2


def test_rollout_restart_and_undo(cluster: Sandbox, run_kubectl: Any) -> None:
    assert run_kubectl(cluster, "apply", "-f", "-", input=DS).returncode == 0
    _rollout(cluster, run_kubectl)
    first = {p["metadata"]["name"] for p in live_pods(cluster)}
    restarted = run_kubectl(cluster, "rollout", "restart", "ds/agent")
    assert restarted.returncode == 0, restarted.stderr
    assert restarted.stdout == "daemonset.apps/agent restarted\n"
    assert _rollout(cluster, run_kubectl) == 'daemon set "agent" successfully rolled out'
    assert wait_for(lambda: len(_placement(cluster)) == 2)
    assert not first & {p["metadata"]["name"] for p in live_pods(cluster)}
    assert run_kubectl(cluster, "set", "image", "ds/agent", "a=busybox:1.37").returncode == 0
    _rollout(cluster, run_kubectl)
    undo = run_kubectl(cluster, "rollout", "undo", "ds/agent")
    assert undo.returncode == 0, undo.stderr
    assert undo.stdout == "daemonset.apps/agent rolled back\n"
    _rollout(cluster, run_kubectl)
    assert wait_for(
        lambda: _placement(cluster) == {"node-1": "busybox:1.36", "node-2": "busybox:1.36"}
    )
