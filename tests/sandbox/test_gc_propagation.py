"""Garbage collection through ownerReferences with each propagation policy."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers_http import call, deployment_yaml, node, wait_for

from kctl.sandbox import Sandbox

DEPLOY = deployment_yaml(2)
CMS = "/api/v1/namespaces/default/configmaps"
APPS = "/apis/apps/v1/namespaces/default"


def _count(sb: Sandbox, path: str) -> int:
    return len(call(sb, "GET", path).json()["items"])


@pytest.fixture
def deployed(sandbox: Sandbox, run_kubectl: Any) -> Sandbox:
    sandbox.create(node("node-1"))
    assert run_kubectl(sandbox, "apply", "-f", "-", input=DEPLOY).returncode == 0
    assert wait_for(lambda: _count(sandbox, "/api/v1/namespaces/default/pods") == 2)
    return sandbox


@pytest.mark.parametrize("cascade", ["background", "foreground"])
def test_cascading_delete_collects_replicasets_and_pods(
    deployed: Sandbox, run_kubectl: Any, cascade: str
) -> None:
    out = run_kubectl(deployed, "delete", "deployment", "web", f"--cascade={cascade}")
    assert out.stdout == 'deployment.apps "web" deleted from default namespace\n'
    assert wait_for(lambda: _count(deployed, APPS + "/replicasets") == 0)
    assert wait_for(lambda: _count(deployed, "/api/v1/namespaces/default/pods") == 0)
    assert call(deployed, "GET", APPS + "/deployments/web").status == 404


def test_orphan_keeps_dependents_and_drops_their_owner_references(
    deployed: Sandbox, run_kubectl: Any
) -> None:
    out = run_kubectl(deployed, "delete", "deployment", "web", "--cascade=orphan")
    assert out.returncode == 0
    assert wait_for(lambda: call(deployed, "GET", APPS + "/deployments/web").status == 404)
    assert deployed.wait_idle(10)
    (rs,) = call(deployed, "GET", APPS + "/replicasets").json()["items"]
    assert "ownerReferences" not in rs["metadata"]
    assert _count(deployed, "/api/v1/namespaces/default/pods") == 2


def _configmap(name: str, owner: dict[str, Any] | None = None, **meta: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, **meta}
    if owner is not None:
        metadata["ownerReferences"] = [
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "name": owner["metadata"]["name"],
                "uid": owner["metadata"]["uid"],
                "blockOwnerDeletion": True,
            }
        ]
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata}


def test_foreground_waits_for_blocking_dependents(sandbox: Sandbox) -> None:
    owner = call(sandbox, "POST", CMS, _configmap("owner")).json()
    held = _configmap("held", owner, finalizers=["example.com/hold"])
    assert call(sandbox, "POST", CMS, held).status == 201
    reply = call(sandbox, "DELETE", CMS + "/owner", {"propagationPolicy": "Foreground"})
    assert reply.status == 200
    assert sandbox.wait_idle(10)
    live = call(sandbox, "GET", CMS + "/owner").json()
    assert live["metadata"]["finalizers"] == ["foregroundDeletion"]
    assert live["metadata"]["deletionTimestamp"]
    dependent = call(sandbox, "GET", CMS + "/held").json()
    assert dependent["metadata"]["deletionTimestamp"]
    # Releasing the dependent lets both go.
    release = call(
        sandbox,
        "PATCH",
        CMS + "/held",
        {"metadata": {"finalizers": None}},
        content_type="application/merge-patch+json",
    )
    assert release.status == 200
    assert wait_for(lambda: call(sandbox, "GET", CMS + "/held").status == 404)
    assert wait_for(lambda: call(sandbox, "GET", CMS + "/owner").status == 404)


def test_foreground_does_not_wait_for_non_blocking_dependents(sandbox: Sandbox) -> None:
    owner = call(sandbox, "POST", CMS, _configmap("owner")).json()
    loose = _configmap("loose", owner, finalizers=["example.com/hold"])
    del loose["metadata"]["ownerReferences"][0]["blockOwnerDeletion"]
    assert call(sandbox, "POST", CMS, loose).status == 201
    call(sandbox, "DELETE", CMS + "/owner", {"propagationPolicy": "Foreground"})
    assert wait_for(lambda: call(sandbox, "GET", CMS + "/owner").status == 404)
    # The dependent was asked to go and waits on its own finalizer.
    assert call(sandbox, "GET", CMS + "/loose").json()["metadata"]["deletionTimestamp"]


def test_dependent_with_another_owner_survives(sandbox: Sandbox) -> None:
    first = call(sandbox, "POST", CMS, _configmap("first")).json()
    second = call(sandbox, "POST", CMS, _configmap("second")).json()
    shared = _configmap("shared", first)
    shared["metadata"]["ownerReferences"].append(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "name": "second",
            "uid": second["metadata"]["uid"],
        }
    )
    assert call(sandbox, "POST", CMS, shared).status == 201
    assert call(sandbox, "DELETE", CMS + "/first").status == 200
    assert sandbox.wait_idle(10)
    assert call(sandbox, "GET", CMS + "/shared").status == 200
