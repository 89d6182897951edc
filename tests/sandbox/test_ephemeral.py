"""What the differential suite cannot compare of ``pods/ephemeralcontainers``: the text of a
refused change (the real one ends in a diff of Go structs), and labels sent through it
(dropped, though the real server's managedFields still record them)."""

from __future__ import annotations

import json
from typing import Any

from kctl.sandbox import Sandbox
from tests.sandbox.helpers_http import call, node, pod, wait_for

EC = "/api/v1/namespaces/default/pods/p/ephemeralcontainers"
MERGE = "application/merge-patch+json"
DEBUGGER = {"name": "dbg", "image": "busybox"}


def test_a_changed_ephemeral_container_is_refused_with_its_diff(sandbox: Sandbox) -> None:
    assert call(sandbox, "POST", "/api/v1/namespaces/default/pods", pod("p")).status == 201
    patch = {"spec": {"ephemeralContainers": [DEBUGGER]}}
    reply = call(sandbox, "PATCH", EC, patch, content_type=MERGE)
    assert reply.status == 200
    created = reply.json()
    assert created["spec"]["ephemeralContainers"][0]["imagePullPolicy"] == "Always"
    assert created["metadata"]["generation"] == 2
    patch = {"spec": {"ephemeralContainers": [{**DEBUGGER, "image": "alpine"}]}}
    reply = call(sandbox, "PATCH", EC, patch, content_type=MERGE)
    assert reply.status == 422
    message = reply.json()["message"]
    assert message.startswith(
        'Pod "p" is invalid: spec.ephemeralContainers: Forbidden: existing ephemeral '
        'containers "dbg" may not be changed\n'
    )
    assert '-  "image": "busybox",' in message or '- "image": "busybox",' in message
    assert '+ "image": "alpine",' in message


def test_labels_do_not_pass_through_the_subresource(sandbox: Sandbox) -> None:
    body = pod("p", labels={"a": "b"})
    assert call(sandbox, "POST", "/api/v1/namespaces/default/pods", body).status == 201
    patch = {
        "metadata": {"labels": {"debugged": "yes"}},
        "spec": {"ephemeralContainers": [DEBUGGER]},
    }
    reply = call(sandbox, "PATCH", EC, patch, content_type=MERGE)
    assert reply.status == 200
    stored = call(sandbox, "GET", "/api/v1/namespaces/default/pods/p").json()
    assert stored["metadata"]["labels"] == {"a": "b"}
    assert stored["spec"]["ephemeralContainers"][0]["name"] == "dbg"
    fields = [m.get("subresource") for m in stored["metadata"]["managedFields"]]
    assert "ephemeralcontainers" in fields


def test_kubectl_debug_starts_an_ephemeral_container(sandbox: Sandbox, run_kubectl: Any) -> None:
    assert call(sandbox, "POST", "/api/v1/nodes", node("n1")).status == 201
    assert call(sandbox, "POST", "/api/v1/namespaces/default/pods", pod("p")).status == 201
    assert wait_for(
        lambda: (
            call(sandbox, "GET", "/api/v1/namespaces/default/pods/p").json()["status"].get("phase")
            == "Running"
        )
    )
    out = run_kubectl(sandbox, "debug", "p", "--image=busybox", "--container=dbg")
    assert out.returncode == 0, out.stderr
    assert out.stdout == ""

    def started() -> Any:
        status = call(sandbox, "GET", "/api/v1/namespaces/default/pods/p").json()["status"]
        return status.get("ephemeralContainerStatuses")

    (status,) = wait_for(started)
    assert status["name"] == "dbg"
    assert "running" in status["state"] and status["ready"] is False
    assert status["image"] == "docker.io/library/busybox:latest"
    events = run_kubectl(sandbox, "events", "--for", "pod/p", "-o", "json")
    assert events.returncode == 0, events.stderr
    mine = [
        (e["reason"], e["message"])
        for e in json.loads(events.stdout)["items"]
        if e["involvedObject"].get("fieldPath") == "spec.ephemeralContainers{dbg}"
    ]
    assert sorted(mine) == [
        ("Created", "Container created"),
        (
            "Pulled",
            'Container image "busybox" already present on machine and can be accessed by the pod',
        ),
        ("Started", "Container started"),
    ]
