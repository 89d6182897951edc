"""The scheduler's and the kubelet's pod events, read as kubectl 1.37 reads them."""

from __future__ import annotations

from typing import Any

from kctl.sandbox import Sandbox
from tests.sandbox.helpers_http import call, next_event, node, pod, wait_for, watch_lines

EVENTS = "/api/v1/namespaces/default/events"
NEW_EVENTS = "/apis/events.k8s.io/v1/namespaces/default/events"


def _reasons(sb: Sandbox, name: str, path: str = EVENTS) -> list[dict[str, Any]]:
    """The events about object ``name``, through core v1 or events.k8s.io/v1."""
    if path == NEW_EVENTS:
        return [e for e in call(sb, "GET", path).json()["items"] if e["regarding"]["name"] == name]
    query = f"{path}?fieldSelector=involvedObject.name%3D{name}"
    return list(call(sb, "GET", query).json()["items"])


def _running_pod(sb: Sandbox) -> dict[str, Any]:
    assert call(sb, "POST", "/api/v1/nodes", node("n1")).status == 201
    assert call(sb, "POST", "/api/v1/namespaces/default/pods", pod("p")).status == 201
    assert wait_for(lambda: len(_reasons(sb, "p")) == 4)
    return call(sb, "GET", "/api/v1/namespaces/default/pods/p").json()


def test_a_pod_is_scheduled_pulled_created_started(sandbox: Sandbox) -> None:
    running = _running_pod(sandbox)
    events = sorted(_reasons(sandbox, "p"), key=lambda e: e["metadata"]["name"])
    assert [e["reason"] for e in events] == ["Scheduled", "Pulled", "Created", "Started"]
    scheduled, pulled, created, started = events
    assert scheduled["message"] == "Successfully assigned default/p to n1"
    assert scheduled["reportingComponent"] == "default-scheduler"
    # The scheduler's own host, with no control-plane node the sandbox's name.
    assert scheduled["reportingInstance"] == "default-scheduler-kctl-sandbox"
    assert scheduled["action"] == "Binding"
    assert scheduled["source"] == {}
    assert scheduled["firstTimestamp"] is None and scheduled["eventTime"]
    assert scheduled["involvedObject"]["uid"] == running["metadata"]["uid"]
    assert "fieldPath" not in scheduled["involvedObject"]
    assert pulled["message"] == (
        'Container image "nginx:1.27" already present on machine and can be accessed by the pod'
    )
    assert created["message"] == "Container created"
    assert started["message"] == "Container started"
    for event in (pulled, created, started):
        assert event["source"] == {"component": "kubelet", "host": "n1"}
        assert event["reportingComponent"] == "kubelet"
        assert event["reportingInstance"] == "n1"
        assert event["involvedObject"]["fieldPath"] == "spec.containers{c}"
        assert event["count"] == 1 and event["eventTime"] is None
        assert event["type"] == "Normal"
        assert event["metadata"]["name"].startswith("p.")


def test_both_event_apis_show_the_same_events(sandbox: Sandbox) -> None:
    _running_pod(sandbox)
    core = {e["metadata"]["uid"]: e for e in _reasons(sandbox, "p")}
    new = {e["metadata"]["uid"]: e for e in _reasons(sandbox, "p", NEW_EVENTS)}
    assert core.keys() == new.keys()
    for uid, event in new.items():
        assert event["note"] == core[uid]["message"]
        assert event["regarding"] == core[uid]["involvedObject"]
        assert event["reportingController"] == core[uid]["reportingComponent"]
        assert event["deprecatedSource"] == core[uid]["source"]


def test_deleting_a_pod_kills_its_containers(sandbox: Sandbox) -> None:
    _running_pod(sandbox)
    assert call(sandbox, "DELETE", "/api/v1/namespaces/default/pods/p").status == 200
    assert wait_for(lambda: "Killing" in [e["reason"] for e in _reasons(sandbox, "p")])
    (killing,) = [e for e in _reasons(sandbox, "p") if e["reason"] == "Killing"]
    assert killing["message"] == "Stopping container c"
    assert killing["involvedObject"]["fieldPath"] == "spec.containers{c}"


def test_kubectl_describe_and_events_show_them(sandbox: Sandbox, run_kubectl: Any) -> None:
    _running_pod(sandbox)
    out = run_kubectl(sandbox, "describe", "pod", "p")
    assert out.returncode == 0, out.stderr
    events = out.stdout.split("Events:")[1].splitlines()
    rows = [line.split() for line in events if line.strip().startswith("Normal")]
    assert [(r[1], r[3]) for r in rows] == [
        ("Scheduled", "default-scheduler"),
        ("Pulled", "kubelet"),
        ("Created", "kubelet"),
        ("Started", "kubelet"),
    ]
    assert any(line.endswith("Successfully assigned default/p to n1") for line in events)
    out = run_kubectl(sandbox, "events", "--for", "pod/p")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    reasons = [line.split()[2] for line in lines[1:]]
    assert sorted(reasons) == ["Created", "Pulled", "Scheduled", "Started"]
    assert all(line.split()[3] == "Pod/p" for line in lines[1:])


def test_a_watch_through_events_k8s_io_sees_its_own_fields(sandbox: Sandbox) -> None:
    conn, resp = watch_lines(sandbox, f"{NEW_EVENTS}?watch=true")
    try:
        _running_pod(sandbox)
        first = next_event(resp)
        assert first is not None
        event = first["object"]
        assert event["apiVersion"] == "events.k8s.io/v1"
        assert event["reason"] == "Scheduled"
        assert event["note"] == "Successfully assigned default/p to n1"
        assert event["reportingController"] == "default-scheduler"
        assert "message" not in event and "involvedObject" not in event
    finally:
        conn.close()


def test_the_scheduler_reports_from_the_control_plane() -> None:
    # A demo cluster of its own: the shared one's events are other tests' business.
    with Sandbox(seed="demo") as sb:
        assert call(sb, "POST", "/api/v1/namespaces/default/pods", pod("probe")).status == 201
        assert wait_for(lambda: "Scheduled" in [e["reason"] for e in _reasons(sb, "probe")])
        (event,) = [e for e in _reasons(sb, "probe") if e["reason"] == "Scheduled"]
        assert event["reportingInstance"] == "default-scheduler-demo-control-plane"


def test_kubectl_describe_deployment_shows_scaling_replica_set(
    sandbox: Sandbox, run_kubectl: Any
) -> None:
    """The deployment controller's ScalingReplicaSet events (sync.go and its scale texts),
    up on create and down when scaled, as describe and ``kubectl events`` show them."""
    from tests.sandbox.helpers_http import deployment_yaml

    assert run_kubectl(sandbox, "apply", "-f", "-", input=deployment_yaml(2)).returncode == 0
    assert run_kubectl(sandbox, "scale", "deployment/web", "--replicas=1").returncode == 0
    assert wait_for(lambda: len(_reasons(sandbox, "web")) == 2)
    rs = call(sandbox, "GET", "/apis/apps/v1/namespaces/default/replicasets").json()["items"]
    (name,) = [r["metadata"]["name"] for r in rs]
    out = run_kubectl(sandbox, "describe", "deployment", "web")
    assert out.returncode == 0, out.stderr
    events = out.stdout.split("Events:")[1].splitlines()
    rows = [line.split(None, 4) for line in events if line.strip().startswith("Normal")]
    # Both may fall in one second, and kubectl sorts by time without a stable tie-break.
    assert sorted((r[1], r[3], r[4]) for r in rows) == [
        (
            "ScalingReplicaSet",
            "deployment-controller",
            f"Scaled down replica set {name} from 2 to 1",
        ),
        ("ScalingReplicaSet", "deployment-controller", f"Scaled up replica set {name} from 0 to 2"),
    ]
    out = run_kubectl(sandbox, "events", "--for", "deployment/web")
    assert out.returncode == 0, out.stderr
    assert [line.split()[2:4] for line in out.stdout.splitlines()[1:]] == [
        ["ScalingReplicaSet", "Deployment/web"],
        ["ScalingReplicaSet", "Deployment/web"],
    ]
